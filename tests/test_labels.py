"""One release-label formatter: every place that names a release says it the same way."""

from __future__ import annotations

from builders import oes_zip

from occstats.labels import ep_label, oes_label, release_label, soc_label, summarize
from occstats.sources.oes import CATALOG
from occstats.sources.oes.parser import OesSource


def test_labels_say_what_bls_says():
    assert oes_label(2019) == "OES May 2019"  # the month comes from the catalog's calendar
    assert oes_label(1997) == "OES 1997", "the fourth-quarter surveys before 2002 carry no month"
    assert oes_label(2002) == "OES Nov 2002"
    assert oes_label(2019, 5) == oes_label(2019) and oes_label(2002, None) == "OES 2002"
    assert ep_label(2024, 2034) == "EP 2024-34" and ep_label(2099, 2109) == "EP 2099-09"
    assert soc_label(2010, 2018) == "SOC 2010 to 2018"


def test_run_outcomes_and_catalog_name_releases_like_the_parsers(tmp_path):
    assert release_label("oes", "2019") == "OES May 2019"
    assert release_label("ep", "2024-2034") == "EP 2024-34"
    assert release_label("soc", "2010-to-2018") == "SOC 2010 to 2018"
    assert release_label("ep", "current") == "EP current", "an id of another shape is shown as it is"
    for year, label in ((2019, "OES May 2019"), (1997, "OES 1997")):
        assert release_label("oes", CATALOG.release(year).release_id) == label
    path = tmp_path / "oesm21nat.zip"
    path.write_bytes(oes_zip(2021))
    parsed = OesSource().parse(path, sha256="0" * 64, display_name=path.name, release_id="2021")
    assert parsed.label == release_label("oes", parsed.release_id) == "OES May 2021"


def test_summaries_keep_the_same_words():
    labels = [oes_label(y) for y in (1997, 2002, 2003, 2004, 2005, 2007)] + [ep_label(2008, 2018), ep_label(2024, 2034)]
    assert summarize(labels) == "OES 1997, Nov 2002, May 2003-2005, 2007; EP 2008-18, 2024-34"
    assert summarize([ep_label(2098, 2108)]) == "EP 2098-08", "a cycle crossing a century reads back"
    assert summarize(["SOC 2010 to 2018", oes_label(2019)]) == "OES May 2019; SOC 2010 to 2018"
    assert summarize([]) == ""
