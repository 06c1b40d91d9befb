import datetime as dt

import pytest

from occstats.catalog import parse_years
from occstats.errors import ConfigError
from occstats.products import product
from occstats.sources.oes.catalog import CATALOG as OES


def test_years_spec():
    assert parse_years("2008,2010-2012") == [2008, 2010, 2011, 2012]
    assert parse_years(None) is None
    with pytest.raises(ConfigError):
        parse_years("2012-2010")
    with pytest.raises(ConfigError):
        parse_years("twenty")


def test_newest_release_follows_the_publication_calendar_not_a_constant():
    assert OES.newest_expected_year(dt.date(2026, 11, 23)) == 2025
    assert OES.newest_expected_year(dt.date(2027, 3, 31)) == 2025
    assert OES.newest_expected_year(dt.date(2027, 4, 1)) == 2026
    releases = OES.releases(today=dt.date(2026, 11, 23))
    assert releases[0].release_id == "1997" and releases[-2].release_id == "2025"
    assert releases[-1].release_id == "2026" and not releases[-1].expected  # probed, absence is fine


def test_urls_cover_both_bls_paths_and_the_old_names():
    r = OES.release(2024)
    assert r.urls == (
        "https://www.bls.gov/oes/special-requests/oesm24nat.zip",
        "https://www.bls.gov/oes/special.requests/oesm24nat.zip",
    )
    assert OES.release(1997).urls[0].endswith("/oes97nat.zip") and OES.release(1997).ref_month is None
    assert OES.release(2004).ref_month == 5


def test_unknown_product():
    with pytest.raises(ConfigError):
        product("nope")
