"""ooh_quickfacts against the real workbooks: a full box, every figure from the cell it names."""

from __future__ import annotations

import glob
import re
from decimal import Decimal
from pathlib import Path

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


CYCLES = (2008, 2010, 2012, 2014, 2016, 2018, 2019, 2020, 2021, 2022, 2023, 2024)


class _Tables:
    """The two curated tables quick facts read, in memory (Store's read/exists)."""

    def __init__(self, tables):
        self.tables = tables

    def exists(self, name):
        return name in self.tables

    def read(self, name, where=None, columns=None):
        table = self.tables[name] if where is None else self.tables[name].filter(where)
        return table.select(columns) if columns else table


@pytest.fixture(scope="module")
def every_cycle(shared):
    """Every EP workbook and the OES release of its base year (and of its wage year), parsed."""
    import pyarrow as pa

    from occstats.ooh import quickfacts
    from occstats.sources.ep import parser as ep_parser
    from occstats.sources.oes import parser as oes_parser

    ep = {}
    for year in CYCLES:
        path = shared / f"bls/ep/occupation_{year}.xlsx"
        ep[year] = ep_parser.parse(path, sha256="0" * 64, display_name=path.name).tables["ep_projections"]
    oes = []
    for year in CYCLES:
        path = glob.glob(str(shared / f"bls/oes/{year}/national*"))[0]
        oes.append(oes_parser.parse(Path(path), sha256="0" * 64, display_name=Path(path).name).tables["oes_wages"])
    facts = quickfacts(_Tables({"ep_projections": pa.concat_tables(ep.values()), "oes_wages": pa.concat_tables(oes)}))
    return {y: t.to_pylist() for y, t in ep.items()}, facts.to_pylist()


def test_every_cycle_pays_what_its_ep_workbook_publishes_for_the_base_year(every_cycle):
    """Where a cycle's workbook states the base year's median wage, quick facts pay exactly that."""
    ep, facts = every_cycle
    wage_years = {year: {r["median_wage_year"] for r in rows} - {None} for year, rows in ep.items()}
    # The 2014-24 and 2016-26 workbooks publish a later year's wage (2016, 2018); the others the base year's.
    assert wage_years == {y: {y + 2} if y in (2014, 2016) else {y} for y in CYCLES}
    ep_rows = {(r["base_year"], r["soc_code"]): r for rows in ep.values() for r in rows}
    compared = {y: 0 for y in CYCLES}
    wrong = []
    for box in facts:
        row = ep_rows[(box["base_year"], box["soc_code"])]
        if row["median_wage_year"] != box["base_year"] or row["median_wage_status"] not in ("estimate", "top_coded"):
            continue
        compared[box["base_year"]] += 1
        got = (box["median_pay_annual"], box["median_pay_annual_status"], box["median_pay_year"])
        want = (row["median_wage_annual"], row["median_wage_status"], row["median_wage_year"])
        if got != want:
            wrong.append((box["base_year"], box["soc_code"], got, want, box["median_pay_release"]))
    assert wrong == []
    assert all(compared[y] > 700 for y in CYCLES if y not in (2014, 2016)), compared


def test_no_cycle_falls_back_to_another_year_where_oes_has_the_base_year(every_cycle, shared):
    """2014-24 and 2016-26: every paid line item gets the base year's OES figure; 25-3099 OES's 25-3090."""
    _, facts = every_cycle
    for box in facts:
        if box["median_pay_annual"] is not None:
            assert box["median_pay_year"] == box["base_year"], (box["base_year"], box["soc_code"], box["notes"])
    boxes = {(b["base_year"], b["soc_code"]): b for b in facts}
    for year in (2012, 2014, 2016):
        box = boxes[(year, "25-3099")]
        annual, hourly = oes_median(shared, year, "25-3090")
        assert (box["median_pay_annual"], box["median_pay_hourly"], box["median_pay_release"]) == (
            annual,
            hourly,
            f"OES May {year}",
        )
        assert "publishes EP 25-3099's definition as 25-3090" in box["notes"]


def test_declared_oes_equivalents_match_the_ep_workbooks_own_wages(every_cycle, shared):
    """The evidence for OES_EQUIVALENTS: each EP wage is OES's figure for the declared code in the wage year."""
    from occstats.sources.ep.layout import OES_EQUIVALENTS

    ep, _ = every_cycle
    checked = 0
    for first, last, equivalents in OES_EQUIVALENTS:
        for year in (y for y in CYCLES if first <= y <= (last or 9999)):
            for ep_code, oes_code in equivalents.items():
                row = next(r for r in ep[year] if r["soc_code"] == ep_code)
                annual, _ = oes_median(shared, row["median_wage_year"], oes_code)
                assert row["median_wage_annual"] == annual, (year, ep_code, oes_code)
                checked += 1
    assert checked == 3
