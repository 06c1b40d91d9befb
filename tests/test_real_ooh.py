"""ooh_quickfacts against the real workbooks: a full box, every figure from the cell it names."""

from __future__ import annotations

import glob
import re
from decimal import Decimal

import pytest
import python_calamine

from occstats import query
from occstats.pipeline import import_files, refresh
from occstats.settings import Settings
from occstats.store import Store

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def store(tmp_path_factory, shared):
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("ooh") / "data", mirror=str(shared / "bls-mirror"), http_retries=0
    )
    refresh(settings, "oes", [2010, 2024])
    import_files(settings, "ep", [shared / f"bls/ep/occupation_{y}.xlsx" for y in (2010, 2024)])
    return Store(settings.curated_dir)


def ep_row(shared, year, code):
    rows = (
        python_calamine.CalamineWorkbook.from_path(shared / f"bls/ep/occupation_{year}.xlsx")
        .get_sheet_by_name("Table 1.2")
        .to_python()
    )
    return next(r for r in rows if len(r) > 1 and str(r[1]).strip() == code)


def oes_median(shared, year, code):
    path = glob.glob(str(shared / f"bls/oes/{year}/national*"))[0]
    rows = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    header = [str(c).strip().lower() for c in rows[0]]
    row = next(r for r in rows if str(r[header.index("occ_code")]).strip() == code)
    return (Decimal(repr(row[header.index("a_median")])), Decimal(repr(row[header.index("h_median")])))


@pytest.mark.parametrize(
    "year,code,change_col,pct_col",
    [
        (2010, "29-2071", 6, 7),
        (2010, "29-1111", 6, 7),
        (2010, "15-1179", 6, 7),
        (2024, "29-2072", 7, 8),
        (2024, "29-1141", 7, 8),
        (2024, "15-1252", 7, 8),
    ],
)
def test_full_box_every_figure_from_its_named_release(store, shared, year, code, change_col, pct_col):
    _, rows = query.run(store, f"select * from ooh_quickfacts where base_year = {year} and soc_code = '{code}'")
    columns, _ = query.run(store, "select * from ooh_quickfacts limit 0")
    box = dict(zip(columns, rows[0], strict=True))
    for field in (
        "median_pay_annual",
        "median_pay_hourly",
        "typical_entry_education",
        "work_experience",
        "on_the_job_training",
        "number_of_jobs",
        "job_outlook_pct",
        "employment_change",
    ):
        assert box[field] is not None, field
    assert box["notes"] == ""
    assert box["median_pay_release"] == f"OES May {year}" and box["median_pay_year"] == year
    assert box["projections_release"] == f"EP {year}-{(year + 10) % 100:02d}" and box["number_of_jobs_year"] == year
    annual, hourly = oes_median(shared, year, code)
    assert (box["median_pay_annual"], box["median_pay_hourly"]) == (annual, hourly)
    row = ep_row(shared, year, code)
    base_col = 2 if year == 2010 else 3
    assert box["number_of_jobs"] == int(Decimal(repr(row[base_col])) * 1000)
    assert box["employment_change"] == int(Decimal(repr(row[change_col])) * 1000)
    assert box["job_outlook_pct"] == Decimal(repr(row[pct_col]))


def test_every_row_names_its_releases_and_explains_what_is_missing(store):
    _, rows = query.run(
        store,
        "select base_year, soc_code, median_pay_annual, median_pay_release, median_pay_year, "
        "projections_release, notes from ooh_quickfacts",
    )
    assert len(rows) > 1500
    for base, code, pay, release, year, projections, notes in rows:
        assert projections and re.fullmatch(r"EP \d{4}-\d{2}", projections)
        if pay is not None:
            assert release, (base, code)
            assert year == base or str(year) in notes, (base, code)
        else:
            assert notes, (base, code)
