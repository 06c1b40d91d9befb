"""The curated OES tables against the real BLS workbooks in ../shared, cell by cell.

The expected values are read here independently of the parser (python-calamine straight off the
zip, header matched by name), so a parser bug cannot agree with itself.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import python_calamine
from conftest import SHARED

from occstats import query
from occstats.pipeline import State, import_files, refresh
from occstats.sources.oes import layout as oes_layout
from occstats.store import Store

pytestmark = pytest.mark.shared

MIRROR_ZIPS = sorted((SHARED / "bls-mirror/www.bls.gov/oes/special-requests").glob("oesm*nat.zip")) if SHARED else []
YEARS = [2000 + int(re.search(r"oesm(\d\d)nat", p.name).group(1)) for p in MIRROR_ZIPS]
ALWAYS = ["00-0000", "11-1011", "29-2071", "29-2072", "25-2021", "27-2011", "53-2011", "29-1067"]
COLUMNS = {f"{b[0]}_{s}": (b, s) for b in ("hourly", "annual") for s in ("mean", "median")} | {
    f"{b[0]}_pct{p}": (b, f"p{p}") for b in ("hourly", "annual") for p in (10, 25, 75, 90)
}


@pytest.fixture(scope="session")
def curated(tmp_path_factory, shared):
    """Every release in the mirror, curated once for the session (direct steps, no Prefect)."""
    from occstats.settings import Settings

    data = tmp_path_factory.mktemp("real") / "data"
    settings = Settings(data_dir=data, mirror=str(shared / "bls-mirror"), http_retries=0)
    report = refresh(settings, "oes", YEARS)
    assert {o.release for o in report.outcomes if o.state is State.CURATED} == {str(y) for y in YEARS}
    imported = import_files(settings, "oes", [shared / "bls/oes/1997/national_1997_dl.xls"])
    assert imported.outcomes[0].state is State.CURATED, imported.outcomes[0].detail
    return Store(settings.curated_dir), settings


def workbook_rows(zip_path: Path) -> tuple[list[str], list[list]]:
    with zipfile.ZipFile(zip_path) as zf:
        name = next(n for n in zf.namelist() if re.search(r"(^|/)national[^/]*\.xlsx?$", n, re.IGNORECASE))
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(zf.read(name)))
    rows = book.get_sheet_by_index(0).to_python()
    header_at = next(i for i, r in enumerate(rows) if "occ_code" in [str(c).strip().lower() for c in r])
    header = [str(c).strip().lower() for c in rows[header_at]]
    return header, rows[header_at + 1 :]


def expected(cell, *, annual_only: bool, hourly_only: bool, basis: str) -> tuple[str, Decimal | None, str | None]:
    text = str(cell).strip()
    if text == "#":
        return "top_coded", None, "#"
    if text == "*":
        released = not ((basis == "hourly" and annual_only) or (basis == "annual" and hourly_only))
        return ("not_available" if released else "not_released"), None, "*"
    if text == "***":
        return "withdrawn", None, "***"
    if text == "":
        return "not_published", None, None
    return "estimate", Decimal(repr(cell) if isinstance(cell, float) else text), None


@pytest.mark.parametrize("zip_path", MIRROR_ZIPS, ids=[str(y) for y in YEARS])
def test_every_figure_matches_the_workbook_cell(curated, zip_path):
    store, _ = curated
    year = 2000 + int(re.search(r"oesm(\d\d)nat", zip_path.name).group(1))
    header, rows = workbook_rows(zip_path)
    col = {h.replace("wpct", "pct"): i for i, h in enumerate(header)}
    group_col = next(col[g] for g in ("o_group", "occ_group", "group") if g in col)
    by_code = {}
    for row in rows:
        code = str(row[col["occ_code"]]).strip()
        if code:
            by_code.setdefault(code, []).append(row)
    sample = [c for c in ALWAYS if c in by_code] + random.Random(year).sample(sorted(by_code), 12)
    codes = sorted(set(sample))
    in_list = ", ".join(f"'{c}'" for c in codes)
    _, got = query.run(
        store,
        f"select soc_code, occ_level, basis, statistic, status, value, marker, bound from oes_wages "
        f"where ref_year = {year} and soc_code in ({in_list})",
    )
    curated_wages = {(r[0], r[1], r[2], r[3]): r[4:] for r in got}
    _, emp = query.run(
        store,
        f"select soc_code, occ_level, employment, employment_status from oes_estimates "
        f"where ref_year = {year} and soc_code in ({in_list})",
    )
    curated_emp = {(r[0], r[1]): r[2:] for r in emp}
    checked = 0
    for code in codes:
        for row in by_code[code]:
            level = str(row[group_col]).strip().lower() or ("total" if code == "00-0000" else "detailed")
            annual_only, hourly_only = (
                name in col and str(row[col[name]]).strip().lower() == "true" for name in ("annual", "hourly")
            )
            for column, (basis, stat) in COLUMNS.items():
                status, value, marker = expected(
                    row[col[column]], annual_only=annual_only, hourly_only=hourly_only, basis=basis
                )
                got_status, got_value, got_marker, got_bound = curated_wages[(code, level, basis, stat)]
                assert (got_status, got_value, got_marker) == (status, value, marker), (year, code, column)
                assert (got_bound is not None) == (status == "top_coded")
                checked += 1
            emp_cell = str(row[col["tot_emp"]]).strip()
            employment, emp_status = curated_emp[(code, level)]
            if emp_cell == "**":
                assert (employment, emp_status) == (None, "not_available")
            else:
                assert employment == int(Decimal(emp_cell)) and emp_status == "estimate", (year, code)
    assert checked >= 12 * len(codes)


def test_twenty_years_and_1997_are_queryable(curated):
    store, _ = curated
    _, rows = query.run(store, "select ref_year, count(*) from oes_estimates group by 1 order by 1")
    assert [r[0] for r in rows] == [1997, *YEARS]
    assert len(YEARS) == 20


def test_1997_reads_as_the_release_describes_itself(curated):
    store, _ = curated
    _, rows = query.run(
        store,
        "select statistic, status, count(*) from oes_wages where ref_year = 1997 "
        "and basis = 'annual' and statistic <> 'mean' group by 1, 2",
    )
    assert {r[1] for r in rows} == {"not_published"}, "annual percentiles are not available in 1997"
    _, top = query.run(
        store,
        "select distinct bound, bound_comparison from oes_wages where ref_year = 1997 "
        "and status = 'top_coded' and basis = 'hourly'",
    )
    assert top == [(Decimal("60.00"), ">")]
    _, rejected = query.run(store, "select soc_code, marker from oes_wages where status = 'rejected' order by 1")
    assert rejected == [("43005", "9.99"), ("43014", "9.99")]


def test_top_code_thresholds_match_every_legend_the_releases_carry(curated):
    """The declared fallback table agrees with each release that states its own threshold."""
    store, _ = curated
    _, rows = query.run(
        store,
        "select distinct ref_year, basis, bound, bound_comparison, bound_source "
        "from oes_wages where status = 'top_coded'",
    )
    seen = 0
    for year, basis, bound, comparison, source in rows:
        declared = oes_layout.declared_top_code(year)
        assert declared is not None, year
        assert (declared.bound(basis), declared.comparison) == (bound, comparison), (year, basis, source)
        seen += source.startswith("release")
    assert seen >= 2 * 14, "most releases state their own threshold"


def test_known_defects_are_still_in_the_file(shared):
    """A stale defect entry (the file corrected) must be removed from the layout."""
    rows = python_calamine.CalamineWorkbook.from_path(shared / "bls/oes/1997/national_1997_dl.xls")
    data = rows.get_sheet_by_index(0).to_python()
    header_at = next(i for i, r in enumerate(data) if r and str(r[0]).strip() == "occ_code")
    col = {str(h).strip().replace("wpct", "pct"): i for i, h in enumerate(data[header_at])}
    for defect in oes_layout.KNOWN_DEFECTS:
        row = next(r for r in data if str(r[0]).strip() == defect.code)
        raw_column = defect.column.replace("_p", "_pct")
        assert str(row[col[raw_column]]) == defect.published


def test_rerun_is_a_no_op_and_history_records_provenance(curated):
    store, settings = curated
    versions = {t: store.version(t) for t in ("oes_estimates", "oes_wages")}
    report = refresh(dataclasses.replace(settings), "oes", YEARS)
    assert {o.state for o in report.outcomes} == {State.UNCHANGED}
    assert {t: store.version(t) for t in versions} == versions
    last = store.history("oes_wages")[-1]
    assert last["sources"][0]["sha256"] == "b399705f04387a74864ded371ad81d2dc5fde41374327756495c0aad387c5fb8"
    assert last["code_version"].startswith("0.")
