"""Acceptance 3 of issue 8 through the pipeline: refresh the May 2025 national workbook and the OEWS time
series from the full mirror into one data directory, then compare the curated tables with the workbook.

Both families are stored, each once (the release x family is the unit a refresh replaces); every national
cross-industry figure the time series published equals national_M2025_dl.xlsx, read independently with
python-calamine (test_real_timeseries.assert_equals_workbook); a second refresh writes nothing.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pyarrow.compute as pc
import pytest
from test_real_timeseries import assert_equals_workbook, workbook  # noqa: F401 - the workbook fixture

from occstats import schema
from occstats.pipeline import State
from occstats.pipeline import refresh as refresh_product
from occstats.settings import Settings
from occstats.store import Store

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def curated(full_mirror: Path, tmp_path_factory) -> tuple[Settings, dict]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("ts-pipeline") / "data",
        mirror=str(full_mirror),
        http_retries=0,
        http_backoff=0,
        task_retries=0,
        task_retry_delay=0,
    )
    reports = {
        "oes": refresh_product(settings, "oes", [2025]),
        "oes_timeseries": refresh_product(settings, "oes_timeseries"),
    }
    for name, report in reports.items():
        assert [o.state for o in report.outcomes] == [State.CURATED], (name, [o.detail for o in report.outcomes])
    return settings, reports


def national_rows(store: Store, table: str, dataset: str) -> list[dict]:
    where = (pc.field("dataset") == dataset) & (pc.field("ref_year") == 2025)
    where &= (pc.field("area_type") == "national") & (pc.field("naics_code") == "000000")
    return store.read(table, where=where).to_pylist()


def test_the_curated_time_series_equals_the_national_workbook(curated, workbook):  # noqa: F811
    settings, reports = curated
    store = Store(settings.curated_dir)
    counts = store.release_counts(schema.OES_ESTIMATES)
    assert set(counts) == {("oes_national", 2025), ("oes_timeseries", 2025)}, "both families, each once"
    assert counts[("oes_national", 2025)] == reports["oes"].outcomes[0].rows["oes_estimates"]
    assert counts[("oes_timeseries", 2025)] == reports["oes_timeseries"].outcomes[0].rows["oes_estimates"]

    ts_estimates = [r for r in national_rows(store, "oes_estimates", "oes_timeseries") if r["ownership_code"] == "1235"]
    ts_wages = [r for r in national_rows(store, "oes_wages", "oes_timeseries") if r["ownership_code"] == "1235"]
    assert {r["area_code"] for r in ts_estimates} == {"0000000"}
    assert_equals_workbook(ts_estimates, ts_wages, workbook)

    # The national family's own rows of the same release agree with the time series wherever both publish.
    book = {(r["soc_code"], r["occ_level"]): r for r in national_rows(store, "oes_estimates", "oes_national")}
    both = [(r, book[(r["soc_code"], r["occ_level"])]) for r in ts_estimates if (r["soc_code"], r["occ_level"]) in book]
    assert len(both) > 1000
    differ = [
        a["soc_code"]
        for a, b in both
        if (a["employment"], a["employment_status"]) != (b["employment"], b["employment_status"])
    ]
    assert differ == []


def test_a_second_refresh_writes_nothing(curated):
    settings, _ = curated
    again = refresh_product(settings, "oes_timeseries")
    assert [o.state for o in again.outcomes] == [State.UNCHANGED], again.outcomes[0].detail
    assert "already curated from this file" in again.outcomes[0].detail, "a no-op: not parsed again"
    assert again.versions == {}


def test_the_plain_mirror_without_the_data_file_reports_it_unavailable(mirror: Path, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", mirror=str(mirror), http_retries=0, http_backoff=0)
    report = refresh_product(dataclasses.replace(settings, task_retries=0), "oes_timeseries")
    assert [o.state for o in report.outcomes] == [State.UNAVAILABLE] and report.exit_code == 3
    assert "oe.data.0.Current" in report.outcomes[0].detail


def test_every_state_postal_code_names_the_state_oe_area_lists(mirror: Path):
    """places.STATES (what `series --area CA` reads) against BLS's own oe.area: same FIPS codes, same names."""
    from occstats import places

    text = (mirror / "download.bls.gov/pub/time.series/oe/oe.area").read_text()
    header, *rows = [[f.strip() for f in line.split("\t")] for line in text.splitlines() if line.strip()]
    states = {
        r[header.index("state_code")]: r[header.index("area_name")]
        for r in rows
        if r[header.index("areatype_code")] == "S"
    }
    assert states == {fips: name for fips, name in places.STATES.values()}
    for postal in places.STATES:
        assert places.area(postal).codes[0] in {r[header.index("area_code")] for r in rows}, postal
