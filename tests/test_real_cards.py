"""Fact cards and the quote audit on the real BLS files (one data directory built per session)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from decimal import Decimal

import pandas as pd
import pytest

from occstats.audit import audit_text
from occstats.cards import build_card
from occstats.pipeline import import_files, refresh
from occstats.settings import Settings
from occstats.store import Store

pytestmark = pytest.mark.shared

OUTLOOK_WORDS = {
    "Much faster than average",
    "Faster than average",
    "As fast as average",
    "Slower than average",
    "Little or no change",
    "Decline",
}


@pytest.fixture(scope="session")
def real_store(tmp_path_factory, shared):
    """soc + every OES release of the mirror, and every EP cycle of bls/ep, through today's pipeline API."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("cards") / "data",
        mirror=str(shared / "bls-mirror"),
        http_retries=0,
        http_backoff=0,
        task_retries=0,
        task_retry_delay=0,
    )
    for product in ("soc", "oes"):
        refresh(settings, product)
    import_files(settings, "ep", sorted((shared / "bls" / "ep").glob("occupation_*.xlsx")))
    return Store(settings.curated_dir)


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ep_table(shared, base: int) -> pd.DataFrame:
    path = shared / "bls" / "ep" / f"occupation_{base}.xlsx"
    table = pd.read_excel(path, sheet_name="Table 1.2", header=1, dtype=str, engine="calamine")
    return table.set_index(table.columns[1])


def oes_national(shared, year: int) -> tuple[pd.DataFrame, str]:
    path = shared / "bls-mirror" / f"www.bls.gov/oes/special-requests/oesm{year % 100}nat.zip"
    with zipfile.ZipFile(path) as zf:
        member = next(n for n in zf.namelist() if n.endswith(".xlsx") and "national" in n.lower())
        table = pd.read_excel(io.BytesIO(zf.read(member)), dtype=str, engine="calamine")
    table.columns = [c.upper() for c in table.columns]
    group = next(c for c in ("O_GROUP", "OCC_GROUP", "GROUP") if c in table.columns)
    return table[table[group] == "detailed"].set_index("OCC_CODE"), sha256(path)


def test_card_29_2072_gives_every_quick_fact_with_release_and_sha(real_store, shared):
    card = build_card(real_store, "29-2072")
    ep = ep_table(shared, 2024)
    row, total = ep.loc["29-2072"], ep.loc["00-0000"]
    ep_sha = sha256(shared / "bls" / "ep" / "occupation_2024.xlsx")
    proj = card["projections"]
    assert proj["release"] == "EP 2024-34"
    expected = {
        "number_of_jobs": Decimal(row["Employment, 2024"]) * 1000,
        "employment_change": Decimal(row["Employment change, numeric, 2024–34"]) * 1000,
        "annual_openings": Decimal(row["Occupational openings, 2024–34 annual average"]) * 1000,
        "growth_pct": Decimal(row["Employment change, percent, 2024–34"]),
    }
    for name, value in expected.items():
        fig = proj[name]
        assert Decimal(str(fig["value"])) == value, name
        assert (fig["release"], fig["source_sha256"]) == ("EP 2024-34", ep_sha), name
    outlook = proj["outlook"]
    assert outlook["wording"] in OUTLOOK_WORDS
    assert Decimal(str(outlook["all_occupations_growth_pct"])) == Decimal(total["Employment change, percent, 2024–34"])
    education = card["education"]["typical_entry_education"]
    assert education["value"] == row["Typical education needed for entry"] and education["source_sha256"] == ep_sha

    oes, oes_sha = oes_national(shared, 2025)
    pay = card["pay"]["latest"]
    assert pay["release"] == "OES May 2025"
    assert Decimal(str(pay["median_annual"]["value"])) == Decimal(oes.loc["29-2072", "A_MEDIAN"])
    assert Decimal(str(pay["median_hourly"]["value"])) == Decimal(oes.loc["29-2072", "H_MEDIAN"])
    assert pay["median_annual"]["source_sha256"] == oes_sha
    # the 2024-34 edition prints May 2024 pay: the card gives it too, named as such
    edition = card["pay"]["projections_edition"]
    assert edition["release"] == "OES May 2024"
    assert Decimal(str(edition["median_annual"]["value"])) == Decimal(row["Median annual wage, dollars, 2024[1]"])


def test_card_29_2071_says_it_was_split_and_where_it_went(real_store, shared):
    card = build_card(real_store, "29-2071")
    cls = card["classification"]
    assert cls["status"] == "superseded" and cls["change"].startswith("split")
    assert {s["code"] for s in cls["successors"]} == {"29-2072", "29-9021"}
    assert "split" in cls["note"] and "29-2072" in cls["note"] and "29-9021" in cls["note"]
    # its own figures are the newest that exist for the old definition
    assert card["projections"]["release"] == "EP 2018-28"
    oes, oes_sha = oes_national(shared, 2018)
    assert card["pay"]["latest"]["release"] == "OES May 2018"
    assert Decimal(str(card["pay"]["latest"]["median_annual"]["value"])) == Decimal(oes.loc["29-2071", "A_MEDIAN"])
    assert card["pay"]["latest"]["median_annual"]["source_sha256"] == oes_sha


def test_card_for_a_broad_group_the_ep_workbook_carries(real_store, shared):
    card = build_card(real_store, "35-2010")
    ep = ep_table(shared, 2024)
    assert card["kind"] == "summary group (broad)" and card["title"] == "Cooks"
    assert card["projections"]["number_of_jobs"]["value"] == int(Decimal(ep.loc["35-2010", "Employment, 2024"]) * 1000)
    assert card["education"]["available"] is False


def test_audit_of_an_old_page_finds_stale_and_mislabeled_figures(real_store, shared):
    old, _ = oes_national(shared, 2018)
    new, _ = oes_national(shared, 2025)
    old_median, new_median = old.loc["29-2071", "A_MEDIAN"], new.loc["29-2072", "A_MEDIAN"]
    page = (
        "<html><title>Medical records specialists</title><body>"
        f"<p>The median annual wage was ${int(new_median):,} in May 2025.</p>"
        f"<p>The average wage was ${int(new_median):,}.</p></body></html>"
    )
    result = audit_text(real_store, page)
    assert result["occupation"]["soc_code"] == "29-2072"
    assert [r["verdict"] for r in result["figures"]] == ["matches", "mislabeled"]
    stale = audit_text(
        real_store, f"Medical records technicians\nThe median pay was ${int(old_median):,} a year.", "29-2071"
    )
    assert stale["figures"][0]["matched_release"] == "OES May 2018"
    assert stale["occupation"]["superseded_by"] == ["29-2072", "29-9021"]
