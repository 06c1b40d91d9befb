"""The real May 2025 OEWS time series against BLS's national workbook of the same release.

Every national cross-industry figure the time series publishes (area 0000000, industry 000000) must
equal the one in national_M2025_dl.xlsx, marker for marker. The workbook is read here directly with
python-calamine, not through occstats' own OES parser.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pytest
import python_calamine

from occstats import schema
from occstats.fetch import sha256_file
from occstats.sources.oes_timeseries.parser import ReleaseFiles, parse_files
from occstats.validate import schema_checks

pytestmark = pytest.mark.shared

DATA = Path("download.bls.gov/pub/time.series/oe/oe.data.0.Current")
WORKBOOK = Path("bls/oes/2025/national_M2025_dl.xlsx")
WAGES = {
    ("hourly", "mean"): "H_MEAN",
    ("annual", "mean"): "A_MEAN",
    **{("hourly", s): f"H_{c}" for s, c in (("p10", "PCT10"), ("p25", "PCT25"), ("median", "MEDIAN"))},
    **{("hourly", s): f"H_{c}" for s, c in (("p75", "PCT75"), ("p90", "PCT90"))},
    **{("annual", s): f"A_{c}" for s, c in (("p10", "PCT10"), ("p25", "PCT25"), ("median", "MEDIAN"))},
    **{("annual", s): f"A_{c}" for s, c in (("p75", "PCT75"), ("p90", "PCT90"))},
}


@pytest.fixture(scope="module")
def parsed(full_mirror: Path):
    path = full_mirror / DATA
    return parse_files(ReleaseFiles.beside(path), sha256=sha256_file(path), display_name=path.name)


@pytest.fixture(scope="module")
def workbook(shared: Path) -> list[dict]:
    book = python_calamine.CalamineWorkbook.from_path(str(shared / WORKBOOK))
    header, *body = book.get_sheet_by_name("national_M2025_dl").to_python()
    return [dict(zip(header, row, strict=True)) for row in body if row[header.index("OCC_CODE")]]


def national(parsed, name: str) -> list[dict]:
    table = parsed.tables[name]
    where = pc.and_(pc.equal(table["area_code"], "0000000"), pc.equal(table["naics_code"], "000000"))
    return table.filter(where).to_pylist()


def expected_status(cell, marker_status: dict[str, str]) -> tuple[str, float | None]:
    if isinstance(cell, float | int):
        return "estimate", float(cell)
    return marker_status.get(str(cell).strip(), f"unexpected workbook cell {cell!r}"), None


def test_counts_and_generic_checks(parsed):
    assert parsed.facts["data_lines"] == 6_023_970  # the figure build-full-mirror and BLS's manifest state
    assert parsed.rows()["oes_wages"] == 12 * parsed.rows()["oes_estimates"]
    assert parsed.facts["top_code"]["annual"] == "239200"  # as oe.footnote 5 says
    for name, table in parsed.tables.items():
        if name != "oes_wages":  # the long table's generic checks run in the benchmark (slow here)
            assert schema_checks(schema.table(name), table) == [], name


def test_every_national_cross_industry_figure_equals_the_workbook(parsed, workbook):
    assert_equals_workbook(national(parsed, "oes_estimates"), national(parsed, "oes_wages"), workbook)


def assert_equals_workbook(estimate_rows: list[dict], wage_rows: list[dict], workbook: list[dict]) -> None:
    """Every national cross-industry time-series figure (rows of oes_estimates / oes_wages) equals the workbook's."""
    estimates = {r["soc_code"]: r for r in estimate_rows}
    wages = {(r["soc_code"], r["basis"], r["statistic"]): r for r in wage_rows}
    assert len(estimates) == len(estimate_rows) and len(wages) == len(wage_rows), "one row per code (and statistic)"
    book_codes = {row["OCC_CODE"] for row in workbook}
    assert estimates and set(estimates) <= book_codes, "every time-series occupation is in the workbook"
    # The time series leaves out the broad and minor groups that only repeat their one detailed
    # occupation (290 in May 2025, e.g. 11-1010 Chief Executives); the workbook lists them.
    absent = [row for row in workbook if row["OCC_CODE"] not in estimates]
    assert {row["O_GROUP"] for row in absent} <= {"broad", "minor"}

    compared = 0
    mismatches: list[str] = []
    for row in workbook:
        code = row["OCC_CODE"]
        if code not in estimates:
            continue
        ts = estimates[code]
        annual_only, hourly_only = row["ANNUAL"] not in ("", None), row["HOURLY"] not in ("", None)
        checks = [
            ("TOT_EMP", ts["employment_status"], ts["employment"], {"**": "not_available"}),
            ("EMP_PRSE", ts["employment_rse_status"], ts["employment_rse_pct"], {"**": "not_available"}),
            ("MEAN_PRSE", ts["wage_mean_rse_status"], ts["wage_mean_rse_pct"], {"*": "not_available"}),
        ]
        for (basis, stat), column in WAGES.items():
            other_only = annual_only if basis == "hourly" else hourly_only
            markers = {"*": "not_released" if other_only else "not_available", "#": "top_coded"}
            w = wages[(code, basis, stat)]
            checks.append((column, w["status"], w["value"], markers))
        for column, status, value, markers in checks:
            want_status, want_value = expected_status(row[column], markers)
            got_value = None if value is None else float(value)
            compared += 1
            if (status, got_value) != (want_status, want_value):
                mismatches.append(f"{code} {column}: workbook {row[column]!r}, time series {status} {value}")
        if (ts["annual_only"], ts["hourly_only"]) != (annual_only, hourly_only):
            mismatches.append(f"{code} ANNUAL/HOURLY: workbook {annual_only}/{hourly_only}, time series differs")
        # Titles are not figures: the time series' code list abbreviates two long ones ('&' for 'and',
        # a trailing 'Supervisors' cut), so a title must be the workbook's, shortened that way at most.
        if not row["OCC_TITLE"].startswith(ts["occ_title"].replace(" & ", " and ")):
            mismatches.append(f"{code} title: {row['OCC_TITLE']!r} vs {ts['occ_title']!r}")
    assert compared == (len(workbook) - len(absent)) * 15 and compared > 1000 * 15
    assert not mismatches, f"{len(mismatches)} of {compared} differ: " + "; ".join(mismatches[:10])


def test_the_top_code_bound_is_the_workbooks(parsed, shared):
    """Top-coded figures (none national cross-industry in May 2025; 4,338 elsewhere) carry the threshold
    the workbook's field descriptions state for the same release."""
    book = python_calamine.CalamineWorkbook.from_path(str(shared / WORKBOOK))
    notes = " ".join(str(c) for row in book.get_sheet_by_name("Field Descriptions").to_python() for c in row)
    assert "$115.00 per hour or $239,200 per year" in notes
    wages = parsed.tables["oes_wages"]
    top = wages.filter(pc.equal(wages["status"], "top_coded"))
    assert top.num_rows == 4338  # the lines with footnote 5 (`grep -c` of the data file agrees)
    bounds = set(zip(top["basis"].to_pylist(), top["bound"].to_pylist(), strict=True))
    assert bounds == {("hourly", Decimal("115.00")), ("annual", Decimal("239200"))}
    assert pc.all(pc.is_null(top["value"])).as_py()
