"""Fact cards on a small generated store: every figure cited, latest vs edition pay, derived pay, outlook."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from card_builders import MEDIANS, build, sha

from occstats import cli
from occstats.cards import HOURS_PER_YEAR, build_card, write_cards
from occstats.errors import ConfigError
from occstats.outlook import wording


@pytest.fixture
def store(tmp_path):
    return build(tmp_path / "data" / "curated")


def figures(node, path=""):
    """Every cited figure of a card: (path, figure)."""
    if isinstance(node, dict) and "source_sha256" in node and "value" in node:
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from figures(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from figures(value, path)


def test_card_gives_latest_pay_and_the_editions_pay_labelled(store):
    card = build_card(store, "29-2072")
    latest, edition = card["pay"]["latest"], card["pay"]["projections_edition"]
    assert latest["release"] == "OES May 2025" and latest["median_annual"]["value"] == MEDIANS[2025][0]
    assert latest["median_hourly"]["value"] == float(MEDIANS[2025][1])
    assert latest["median_annual"]["source_sha256"] == sha("oes2025")
    # the EP 2024-34 edition prints OES May 2024 pay (its base year): given too, and said to be that
    assert edition["release"] == "OES May 2024" and edition["median_annual"]["value"] == MEDIANS[2024][0]
    assert "2024-34" in edition["meaning"] and "base year 2024" in edition["meaning"]
    assert {k for k in latest if k.startswith("p")} == {
        f"{p}_{b}" for p in ("p10", "p25", "p75", "p90") for b in ("annual", "hourly")
    }
    assert latest["p90_annual"]["value"] == MEDIANS[2025][0] + 30000


def test_card_takes_projections_from_the_newest_cycle_with_wording_against_its_average(store):
    card = build_card(store, "29-2072")
    proj = card["projections"]
    assert proj["release"] == "EP 2024-34"
    assert proj["number_of_jobs"]["value"] == 194800 and proj["number_of_jobs"]["source_sha256"] == sha("ep2024")
    assert proj["growth_pct"]["value"] == 7.0
    assert proj["employment_change"]["value"] == 13800 and proj["annual_openings"]["value"] == 14200
    # 7.0 percent against an all-occupations 3.0: at least twice the average
    assert proj["outlook"]["wording"] == "Much faster than average"
    assert proj["outlook"]["all_occupations_growth_pct"] == 3.0 and proj["outlook"]["rule_kind"] == "scaled"
    assert card["education"]["typical_entry_education"]["value"] == "Postsecondary nondegree award"


def test_every_figure_names_release_table_version_sha_and_citation(store):
    card = build_card(store, "29-2072")
    found = list(figures(card))
    assert len(found) >= 20
    for path, fig in found:
        assert fig["release"] and fig["citation"] and fig["table"] in ("oes_wages", "oes_estimates", "ep_projections")
        assert fig["table_version"] == store.version(fig["table"]), path
        assert len(fig["source_sha256"]) == 64, path
        assert fig["release"].split()[-1].split("-")[0] in fig["citation"], path
    assert set(card["releases"]) == {"OES May 2025", "OES May 2024", "EP 2024-34"}


def test_hourly_only_occupation_gets_a_derived_annual_figure_labelled_as_such(store):
    pay = build_card(store, "27-2011")["pay"]["latest"]
    hourly = Decimal("23.33")
    assert pay["median_hourly"]["value"] == float(hourly) and pay["median_hourly"]["status"] == "estimate"
    annual = pay["median_annual"]
    assert annual["value"] == int((hourly * HOURS_PER_YEAR).quantize(Decimal(1)))
    assert annual["status"] == "derived" and "2,080 hours" in annual["derived"] and "not released" in annual["derived"]
    assert "p10_annual" not in pay or pay["p10_annual"]["value"] is None, "nothing invented where BLS has neither"


def test_broad_group_card_and_absent_data_say_so(store):
    card = build_card(store, "35-2010")
    assert card["kind"] == "summary group (broad)"
    assert card["education"]["available"] is False and "summary group" in card["education"]["reason"]
    assert card["top_paying_states"]["available"] is False and "state" in card["top_paying_states"]["reason"]
    assert card["top_industries"]["available"] is False
    assert card["pay"]["latest"]["median_annual"]["value"] == 36640


def test_write_cards_writes_one_file_per_covered_occupation_and_a_combined_file(store, tmp_path):
    out = tmp_path / "release"
    count = write_cards(store, out)
    files = sorted(p.stem for p in (out / "cards").glob("*.json"))
    # line items and broad groups; not the total, not the minor groups 35-2000 and 15-1200
    assert files == ["27-2011", "29-2072", "35-2010"] and count == 3
    combined = json.loads((out / "cards.json").read_text())
    assert combined["count"] == 3
    assert [c["soc_code"] for c in combined["cards"]] == files
    assert json.loads((out / "cards" / "29-2072.json").read_text()) == combined["cards"][1]


def test_a_code_no_cycle_carries_is_a_clear_error(store):
    with pytest.raises(ConfigError, match="99-9999"):
        build_card(store, "99-9999")


@pytest.mark.parametrize(
    ("pct", "average", "base", "expected"),
    [
        # the published 2008-18 table compares whole percents: 19.5 rounds to 20
        (Decimal("20.35"), Decimal("10.12"), 2008, "Much faster than average"),
        (Decimal("19.50"), Decimal("10.12"), 2008, "Much faster than average"),
        (Decimal("19.49"), Decimal("10.12"), 2008, "Faster than average"),
        (Decimal("7.44"), Decimal("10.12"), 2008, "About as fast as average"),
        (Decimal("2.40"), Decimal("10.12"), 2008, "Little or no change"),
        (Decimal("-3.60"), Decimal("10.12"), 2008, "Decline slowly or moderately"),
        (Decimal("-9.60"), Decimal("10.12"), 2008, "Decline rapidly"),
        # later cycles: against the cycle's own average (3.1 in 2024-34)
        (Decimal("6.2"), Decimal("3.1"), 2024, "Much faster than average"),
        (Decimal("4.7"), Decimal("3.1"), 2024, "Faster than average"),
        (Decimal("3.1"), Decimal("3.1"), 2024, "As fast as average"),
        (Decimal("1.5"), Decimal("3.1"), 2024, "Slower than average"),
        (Decimal("0.0"), Decimal("3.1"), 2024, "Little or no change"),
        (Decimal("-13.5"), Decimal("3.1"), 2024, "Decline"),
    ],
)
def test_outlook_wording(pct, average, base, expected):
    found = wording(pct, average, base)
    assert found["wording"] == expected
    assert found["rule_source"] and found["rule_kind"] == ("published" if base == 2008 else "scaled")


def test_outlook_without_the_cycles_average_is_undecided():
    assert wording(Decimal("5.0"), None, 2024) is None


def test_cli_card_json_and_table(store, capsys):
    data_dir = str(store.root.parent)
    assert cli.main(["card", "29-2072", "--data-dir", data_dir, "--format", "json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card["soc_code"] == "29-2072" and card["projections"]["release"] == "EP 2024-34"
    assert cli.main(["card", "29-2072", "--data-dir", data_dir]) == 0
    out = capsys.readouterr().out
    assert "pay.latest.median_annual" in out and "51140" in out and sha("oes2025")[:12] in out
    assert cli.main(["card", "99-9999", "--data-dir", data_dir]) == 2


def test_states_and_industries_are_ranked_where_the_tables_have_them(tmp_path):
    from card_builders import oes_rows

    from occstats import schema

    store = build(tmp_path / "curated")
    estimates, wages = [], []
    # as the time series publishes them (its own family and area codes), beside the national workbook's rows
    for area, median in (("0600000", 60000), ("4800000", 45000), ("3600000", 58000)):
        est, w = oes_rows(2025, "29-2072", "Medical records specialists", 1000, {"median": median}, {})
        for row in [est, *w]:
            row.update(area_type="state", area_code=area, dataset="oes_timeseries")
        estimates.append(est)
        wages += w
    for naics, jobs in (("622000", 60000), ("621100", 45000), ("524100", 5000)):
        est, _ = oes_rows(2025, "29-2072", "Medical records specialists", jobs, {}, {})
        est.update(naics_code=naics, dataset="oes_timeseries", area_code="0000000", naics_level="3-digit")
        estimates.append(est)
    meta = {"code_version": "test"}
    # new rows of a release already held: rewrite the 2025 release with them added
    held = store.read("oes_estimates").to_pylist()
    held_wages = store.read("oes_wages").to_pylist()
    store.write(schema.OES_ESTIMATES, [schema.to_arrow(held + estimates, schema.OES_ESTIMATES)], meta)
    store.write(schema.OES_WAGES, [schema.to_arrow(held_wages + wages, schema.OES_WAGES)], meta)

    card = build_card(store, "29-2072")
    states = card["top_paying_states"]
    assert states["available"] and [s["area_code"] for s in states["items"]] == ["0600000", "3600000", "4800000"]
    assert states["items"][0]["annual_median"] == 60000
    assert states["items"][0]["release"] == "OES May 2025 time series"
    industries = card["top_industries"]
    assert [i["naics_code"] for i in industries["items"]] == ["622000", "621100", "524100"]
    sector, _ = oes_rows(2025, "29-2072", "Medical records specialists", 10**6, {}, {})
    sector.update(naics_code="62--63", dataset="oes_timeseries", area_code="0000000", naics_level="sector")
    store.write(schema.OES_ESTIMATES, [schema.to_arrow([*held, *estimates, sector], schema.OES_ESTIMATES)], meta)
    card = build_card(store, "29-2072")  # a sector (more jobs than any industry in it) is not an industry
    assert [i["naics_code"] for i in card["top_industries"]["items"]] == ["622000", "621100", "524100"]
    # national pay is still the national cross-industry figure, not a state's or an industry's
    assert card["pay"]["latest"]["median_annual"]["value"] == MEDIANS[2025][0]
