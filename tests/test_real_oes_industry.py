"""The curated OES industry tables against every real industry workbook in the mirror, every cell.

Acceptance 2 of issue 8. The expected values are read here independently of the parser: python-calamine
straight off each zip, header matched by name, each cell interpreted by the markers BLS's field
descriptions define. Every row of every data member of the twelve zips (2008-2019) is looked up in the
curated tables after a refresh, and every figure of it compared, as tests/test_real_oes.py does for the
national files.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import python_calamine
from conftest import SHARED

from occstats import query
from occstats.pipeline import State, refresh
from occstats.store import Store

pytestmark = pytest.mark.shared

SPECIAL = "www.bls.gov/oes/special-requests"
ZIPS = sorted((SHARED / "bls-mirror" / SPECIAL).glob("oesm*in4.zip")) if SHARED else []
YEARS = [2000 + int(re.search(r"oesm(\d\d)in4", p.name).group(1)) for p in ZIPS]

# The 2019 field descriptions define OWN_CODE; the 2009-2018 workbooks write the label instead. Written
# here again (not imported from the layout) so the test does not agree with the parser by construction.
OWNERSHIP = {
    "private": "5",
    "federal government": "1",
    "federal government, including usps": "1",
    "state government": "2",
    "state government, including schools and hospitals": "2",
    "local government": "3",
    "local government, including schools and hospitals": "3",
    "federal, state, and local government": "123",
    "local, state, and federal government": "123",
    "public sector -- federal, state, and local government, including government owned schools and hospitals": "123",
    "private, state, and local government": "235",
    "private, and state and local hospitals": "58",
    "private and u.s. postal service": "59",
}
CROSS_INDUSTRY = {"5": "000001", "123": "999001", "1": "999101", "2": "999201", "3": "999301"}
FIGURES = {  # workbook column -> curated column, its status column, and what its markers mean
    "tot_emp": ("employment", "employment_status", {"**": "not_available"}),
    "emp_prse": ("employment_rse_pct", "employment_rse_status", {"**": "not_available"}),
    "mean_prse": ("wage_mean_rse_pct", "wage_mean_rse_status", {"*": "not_available", "***": "withdrawn"}),
    "pct_total": ("pct_of_industry_employment", "pct_of_industry_employment_status", {"**": "not_available"}),
    "pct_rpt": (
        "pct_establishments_reporting",
        "pct_establishments_reporting_status",
        {"**": "not_available", "~": "below_reporting_threshold"},
    ),
    "jobs_1000": ("jobs_per_1000", "jobs_per_1000_status", {"**": "not_available"}),
    "loc_quotient": ("location_quotient", "location_quotient_status", {"**": "not_available"}),
}
WAGES = {f"{b[0]}_{s}": (b, s) for b in ("hourly", "annual") for s in ("mean", "median")} | {
    f"{b[0]}_pct{p}": (b, f"p{p}") for b in ("hourly", "annual") for p in (10, 25, 75, 90)
}
TIMING: dict[str, float] = {}


@pytest.fixture(scope="session")
def industry(tmp_path_factory, shared):
    from occstats.settings import Settings

    data = tmp_path_factory.mktemp("industry") / "data"
    settings = Settings(data_dir=data, mirror=str(shared / "bls-mirror"), http_retries=0)
    started = time.perf_counter()
    report = refresh(settings, "oes-industry", YEARS)
    TIMING["refresh"] = time.perf_counter() - started
    curated = {o.release for o in report.outcomes if o.state is State.CURATED}
    assert curated == {str(y) for y in YEARS}, [(o.release, o.state, o.detail) for o in report.outcomes]
    return Store(settings.curated_dir), settings, report


def _members(zip_path: Path) -> list[tuple[str, list[str], list[list]]]:
    out = []
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            if name.endswith("/") or "descriptions" in name.lower():
                continue
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(zf.read(name)))
            rows = book.get_sheet_by_index(0).to_python()
            header = [str(c).strip().lower() for c in rows[0]]
            assert "occ_code" in header, name
            out.append((name, header, rows[1:]))
    return out


def _text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _expected(cell, markers: dict[str, str]) -> tuple[str, Decimal | None, str | None]:
    text = str(cell).strip()
    if text == "":
        return "not_published", None, None
    if text in markers:
        return markers[text], None, text
    return "estimate", Decimal(repr(cell) if isinstance(cell, float) else text), None


def _row_key(col: dict[str, int], group_col: int, row: list, code: str) -> tuple[str, str, str, str]:
    """(naics, ownership, soc, level) of a workbook row, derived here from BLS's own definitions."""
    if "own_code" in col:
        own = _text(row[col["own_code"]])
    elif "ownership" in col:
        own = OWNERSHIP[_text(row[col["ownership"]]).lower()]
    else:
        own = ""
    naics = _text(row[col["naics"]]) if "naics" in col else CROSS_INDUSTRY[own]
    group = _text(row[group_col]).lower()
    level = {"detail": "detailed"}.get(group, group) or ("total" if code == "00-0000" else "detailed")
    return naics, own, code, level


@pytest.mark.parametrize("zip_path", ZIPS, ids=[str(y) for y in YEARS])
def test_every_industry_cell_matches_the_workbook(industry, zip_path):
    store, _, _ = industry
    year = YEARS[ZIPS.index(zip_path)]
    est_cols = ["source_file", "naics_code", "ownership_code", "soc_code", "occ_level", "occ_title", "naics_title"]
    est_cols += [c for f in FIGURES.values() for c in f[:2]] + ["employment_marker", "annual_only", "hourly_only"]
    _, est_rows = query.run(
        store, f"select {', '.join(est_cols)} from oes_estimates where dataset = 'oes_industry' and ref_year = {year}"
    )
    estimates = {}
    for r in est_rows:
        rec = dict(zip(est_cols, r, strict=True))
        key = (
            rec["source_file"].split(":", 1)[1],
            rec["naics_code"],
            rec["ownership_code"],
            rec["soc_code"],
            rec["occ_level"],
        )
        assert key not in estimates, key
        estimates[key] = rec
    _, wage_rows = query.run(
        store,
        "select source_file, naics_code, ownership_code, soc_code, occ_level, basis, statistic, status, value, marker, "
        f"bound from oes_wages where dataset = 'oes_industry' and ref_year = {year}",
    )
    wages = {(r[0].split(":", 1)[1], *r[1:7]): r[7:] for r in wage_rows}
    seen = set()
    cells = 0
    for member, header, rows in _members(zip_path):
        col = {h: i for i, h in enumerate(header)}
        group_col = next(col[g] for g in ("o_group", "occ_group", "group") if g in col)
        for row in rows:
            code = _text(row[col["occ_code"]])
            if not code:
                continue
            key = (member, *_row_key(col, group_col, row, code))
            got = estimates[key]
            seen.add(key)
            assert got["occ_title"] == _text(row[col["occ_title"]]), key
            if "naics_title" in col:
                assert got["naics_title"] == _text(row[col["naics_title"]]), key
            flags: dict[str, bool] = {}
            for name in ("annual", "hourly"):
                flags[name] = name in col and _text(row[col[name]]).lower() == "true"
                assert got[f"{name}_only"] == (flags[name] if name in col else None), (key, name)
            for column, (value_col, status_col, markers) in FIGURES.items():
                if column not in col:
                    assert got[status_col] == "not_published" and got[value_col] is None, (key, column)
                    continue
                status, value, marker = _expected(row[col[column]], markers)
                assert (got[status_col], got[value_col]) == (status, value), (key, column, row[col[column]])
                if column == "tot_emp":
                    assert got["employment_marker"] == marker, key
                cells += 1
            for column, (basis, stat) in WAGES.items():
                other_only = flags["annual"] if basis == "hourly" else flags["hourly"]
                markers = {"#": "top_coded", "*": "not_released" if other_only else "not_available", "***": "withdrawn"}
                status, value, marker = _expected(row[col[column]], markers)
                got_status, got_value, got_marker, bound = wages[(*key, basis, stat)]
                assert (got_status, got_value, got_marker) == (status, value, marker), (key, column, row[col[column]])
                assert (bound is not None) == (status == "top_coded"), (key, column)
                cells += 1
    assert len(seen) == len(estimates), "curated rows no workbook row accounts for"
    assert len(wages) == 12 * len(estimates)
    assert cells > 100_000


def test_twelve_releases_and_what_the_zips_lack_is_named(industry):
    store, _, report = industry
    _, rows = query.run(
        store, "select ref_year, count(*) from oes_estimates where dataset = 'oes_industry' group by 1 order by 1"
    )
    assert [r[0] for r in rows] == YEARS and len(YEARS) == 12
    warnings = " ".join(w for o in report.outcomes for w in (o.warnings or []))
    assert "nat4d_m2012_dl_1_113300_517100.xls" in warnings  # BLS split 2012's nat4d; the mirror lacks both halves
    assert "BLS shipped (layout, industry 2008) nat3d, nat4d" in warnings


def test_national_rows_are_untouched_and_cross_industry_ownerships_add_up(industry, shared):
    """The national_owner rows (private, government) and the national file are two families: each stored
    once, and where they overlap in meaning they agree: private + government employment = all ownerships,
    within BLS's rounding to the nearest 10 (each of the three rounded once)."""
    from occstats.settings import Settings

    store, settings, _ = industry
    report = refresh(Settings(data_dir=settings.data_dir, mirror=settings.mirror, http_retries=0), "oes", [2019])
    assert [o.state for o in report.outcomes] == [State.CURATED]
    _, rows = query.run(
        store,
        "select n.soc_code, n.employment, p.employment, g.employment from oes_estimates n "
        "join oes_estimates p on p.dataset = 'oes_industry' and p.ref_year = 2019 and p.naics_code = '000001' "
        "and p.soc_code = n.soc_code and p.occ_level = n.occ_level "
        "join oes_estimates g on g.dataset = 'oes_industry' and g.ref_year = 2019 and g.naics_code = '999001' "
        "and g.soc_code = n.soc_code and g.occ_level = n.occ_level "
        "where n.dataset = 'oes_national' and n.ref_year = 2019 and n.employment is not null "
        "and p.employment is not null and g.employment is not null",
    )
    assert len(rows) > 300
    off = [r for r in rows if abs(r[1] - r[2] - r[3]) > 20]
    assert not off, off[:5]
    _, counts = query.run(
        store, "select dataset, count(*) from oes_estimates where ref_year = 2019 group by 1 order by 1"
    )
    assert dict(counts)["oes_national"] > 1000 and dict(counts)["oes_industry"] > 50_000
