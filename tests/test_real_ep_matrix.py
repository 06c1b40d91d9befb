"""The curated National Employment Matrix against the 474 real 2014-24 industry workbooks, cell by cell.

The whole pipeline runs once over every workbook into a scratch data directory; the expected values
are then read here independently of the parser: python-calamine straight off each file, at the
column positions measured by hand (asserted against the header cells), so a parser bug cannot agree
with itself.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
import python_calamine
from conftest import SHARED

from occstats import query
from occstats.pipeline import Context, State, import_files, plan, run
from occstats.settings import Settings
from occstats.sources.ep_matrix import checks
from occstats.store import Store

pytestmark = pytest.mark.shared

DIRECTORY = "bls/ep-matrix/2014-24/ind_xlsx"
FILES = sorted((SHARED / DIRECTORY).glob("ind_*.xlsx")) if SHARED else []
SHEET = "2014-2024 Matrix"
# Row 5 of every workbook, measured by hand; positions A..L.
HEADER = [
    "Sort Order",
    "Code",
    "Title",
    "Employment",
    "Percent of industry",
    "Percent of occupation",
    "Employment",
    "Percent of industry",
    "Percent of occupation",
    "Percent change",
    "Employment change",
    "Occupation type",
]
PERSONS = {3: "employment_base", 6: "employment_target", 10: "change_number"}
PERCENTS = {
    4: "share_of_industry_pct",
    5: "share_of_occupation_pct",
    7: "share_of_industry_target_pct",
    8: "share_of_occupation_target_pct",
    9: "change_pct",
}
TYPES = {"Line item": "line_item", "Summary": "summary"}


def _expected(path: Path) -> list[dict[str, Any]]:
    """One workbook's rows, read by position: what BLS published, in the table's units."""
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET).to_python()
    assert rows[0][0] == "Employment by industry, occupation, and percent distribution, 2014 and projected 2024"
    assert rows[3][3] == 2014 and rows[3][6] == 2024, rows[3]
    assert rows[4] == HEADER, (path.name, rows[4])
    code, title = rows[1][0].split(" ", 1)
    assert path.name == f"ind_{code}.xlsx"
    out = []
    for row in rows[5:]:
        if not isinstance(row[0], float):
            assert row[0].startswith(("Note:", "Source:")), (path.name, row)
            continue
        rec: dict[str, Any] = {
            "industry_code": code,
            "industry_title": title.strip(),
            "matrix_sort_order": int(row[0]),
            "soc_code": row[1],
            "occ_title": row[2].strip(),
            "occ_type": TYPES[row[11]],
        }
        for col, name in PERSONS.items():
            rec[name] = int(Decimal(str(row[col])) * 1000)
        for col, name in PERCENTS.items():
            rec[name] = Decimal(str(row[col]))
        out.append(rec)
    return out


def _table_1_2_totals(shared: Path) -> pd.DataFrame:
    """Each occupation's all-industries employment, 2014 and 2024, from the cycle's occupation workbook."""
    rows = python_calamine.CalamineWorkbook.from_path(str(shared / "bls/ep/occupation_2014.xlsx"))
    table = rows.get_sheet_by_name("Table 1.2").to_python()
    assert table[3][3:5] == [2014.0, 2024.0] and table[2][3] == "Number", table[2:4]
    records = [
        {
            "base_year": 2014,
            "soc_code": r[1],
            "employment_base": int(Decimal(str(r[3])) * 1000),
            "employment_target": int(Decimal(str(r[4])) * 1000),
        }
        for r in table[4:]
        if isinstance(r[3], float)
    ]
    return pd.DataFrame(records)


@pytest.fixture(scope="module")
def curated(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Any, float]:
    assert len(FILES) == 474
    data = tmp_path_factory.mktemp("ep-matrix") / "data"
    settings = Settings(data_dir=data, http_retries=0, http_backoff=0, task_retries=0, task_retry_delay=0)
    started = time.perf_counter()
    report = import_files(settings, "ep-matrix", FILES)
    seconds = time.perf_counter() - started
    print(f"\npipeline over {len(FILES)} workbooks: {seconds:.1f} s")
    return settings, report, seconds


def test_every_workbook_is_curated(curated):
    _, report, _ = curated
    states = {o.release: o.state for o in report.outcomes}
    failed = {o.release: o.detail for o in report.outcomes if o.state is not State.CURATED}
    assert not failed, list(failed.items())[:3]
    assert len(states) == 474
    assert "2014-2024-622000" in states


def test_every_cell_matches_the_workbooks(curated):
    settings, _, _ = curated
    store = Store(settings.curated_dir)
    frame = store.read("ep_matrix").to_pylist() + store.read("ep_matrix_sectors").to_pylist()
    by_key = {(r["industry_code"], r["soc_code"]): r for r in frame}
    expected = [rec for path in FILES for rec in _expected(path)]
    assert len(expected) == 114_132  # counted independently of the parser (see layout.py)
    assert len(frame) == len(expected)
    mismatches = []
    for rec in expected:
        got = by_key[(rec["industry_code"], rec["soc_code"])]
        assert (got["base_year"], got["target_year"], got["soc_system"]) == (2014, 2024, "soc-2010")
        assert got["source_file"] == f"ind_{rec['industry_code']}.xlsx"
        for name, value in rec.items():
            if got[name] != value or type(got[name]) is not type(value):
                mismatches.append((rec["industry_code"], rec["soc_code"], name, value, got[name]))
    assert not mismatches, mismatches[:10]


def test_industry_rows_add_up_to_each_occupations_total(curated, shared):
    settings, _, _ = curated
    store = Store(settings.curated_dir)
    table = pa.concat_tables([store.read("ep_matrix"), store.read("ep_matrix_sectors")])
    floats = pa.schema([f.with_type(pa.float64()) if pa.types.is_decimal(f.type) else f for f in table.schema])
    frame = table.cast(floats).to_pandas()  # as validate hands frames to the checks
    totals = _table_1_2_totals(shared)
    assert checks.industries_sum_to_occupation_total(frame, totals) == []
    for check in checks.CHECKS["ep_matrix"]:
        assert check.run(frame) == [], check.name
    # The check can fail: a lost thousand in one sector row is caught.
    broken = frame.copy()
    row = broken.index[(broken["industry_code"] == "620000") & (broken["soc_code"] == "29-1141")][0]
    broken.loc[row, "employment_base"] += 1000
    assert checks.industries_sum_to_occupation_total(broken, totals)
    # 20 sectors partition wage and salary employment: their total rows are 93.8% of all employment.
    sectors = frame[(frame["industry_level"] == "sector") & (frame["soc_code"] == "00-0000")]
    assert len(sectors) == 20
    assert sectors["employment_base"].sum() == 141_195_500
    assert round(sectors["share_of_occupation_pct"].sum(), 1) == 93.8


def test_where_medical_records_technicians_work(curated):
    settings, _, _ = curated
    sql = (
        "select industry_code, share_of_occupation_pct from ep_matrix where soc_code='29-2071' order by 2 desc limit 5"
    )
    _, rows = query.run(Store(settings.curated_dir), sql)
    # Issue 9 acceptance 4, the literal query: hospitals (622000, 38.3% as ind_622000.xlsx states) first;
    # the sector that holds them (620000, 77.2%) is in ep_matrix_sectors.
    assert rows[0] == ("622000", Decimal("38.3")), rows
    assert [code for code, _ in rows] == ["622000", "622100", "621000", "622105", "621100"], rows
    sql = (
        "select industry_code, share_of_occupation_pct from ep_matrix_sectors where soc_code='29-2071' order by 2 desc"
    )
    _, rows = query.run(Store(settings.curated_dir), sql)
    assert rows[0] == ("620000", Decimal("77.2")), rows


def test_a_refresh_from_the_mirror_reports_each_workbook_unavailable(mirror, tmp_path):
    """The mirror holds no ind_xlsx files: every industry of the catalog is reported unavailable, none fails."""
    settings = Settings(data_dir=tmp_path / "data", mirror=str(mirror), http_retries=0, http_backoff=0)
    releases = plan(Context.open(settings, "ep-matrix"))
    assert len(releases) == 474
    assert releases[0].urls == ("https://www.bls.gov/emp/ind-occ-matrix/ind_xlsx/ind_110000.xlsx",)
    report = run(settings, "ep-matrix", releases[:5])
    assert {o.state for o in report.outcomes} == {State.UNAVAILABLE}
    assert report.exit_code == 3
