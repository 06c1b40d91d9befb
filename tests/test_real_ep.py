"""The curated EP projections against the real BLS occupation workbooks in ../shared, cell by cell.

Expected values are read here independently of the parser: python-calamine straight off the file,
at column positions measured by hand for each cycle (the parser finds columns by header text) and
guarded by assertions on the header cells, so a parser bug cannot agree with itself.
"""

from __future__ import annotations

import dataclasses
import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import python_calamine
from conftest import SHARED

from occstats import query, schema
from occstats.pipeline import State, import_files, refresh
from occstats.products import validate
from occstats.sources.ep import parser as ep
from occstats.store import Store

pytestmark = pytest.mark.shared

FILES = sorted((SHARED / "bls/ep").glob("occupation_*.xlsx")) if SHARED else []
MIRRORED = "www.bls.gov/emp/ind-occ-matrix/occupation.xlsx"
ALWAYS = ["29-2071", "29-2098", "29-2072", "29-9021", "29-1111", "29-1141", "00-0000"]

# base year -> (target year, summaries, line items), counted by hand from each Table 1.2
CYCLES: dict[int, tuple[int, int, int]] = {
    2008: (2018, 267, 750),
    2010: (2020, 260, 749),
    2012: (2022, 273, 818),
    2014: (2024, 272, 819),
    2016: (2026, 272, 819),
    2018: (2028, 267, 809),
    2019: (2029, 258, 790),
    2020: (2030, 258, 790),
    2021: (2031, 281, 832),
    2022: (2032, 281, 832),
    2023: (2033, 281, 832),
    2024: (2034, 281, 832),
}


@dataclasses.dataclass(frozen=True)
class Positions:
    """Where each figure sits in one cycle's sheets (0-based columns)."""

    first_row: int  # first data row of Table 1.2
    type_col: int | None
    base: int  # employment base; target, the two distributions, change and percent follow
    openings: int
    openings_name: str
    wage_sheet: str
    wage_code: int
    self_col: int
    wage_col: int
    wage_year: int
    edu_sheet: str
    edu_code: int
    edu_cols: tuple[int, ...]


def positions(base: int) -> Positions:
    total = "openings_growth_replacement_total"
    annual = "openings_annual_avg"
    wage_year = {2014: 2016, 2016: 2018}.get(base, base)
    if base == 2008:
        return Positions(4, None, 2, 8, total, "Table 1.6", 1, 6, 8, wage_year, "Table1.11", 0, (2,))
    if base <= 2012:
        return Positions(4, None, 2, 8, total, "Table 1.7", 1, 6, 8, wage_year, "Table 1.12", 1, (2, 3, 4))
    edu_sheet = "Table 1.12" if base == 2014 else "Table 5.4"
    if base <= 2019:
        openings = total if base == 2014 else annual
        return Positions(4, 2, 3, 9, openings, "Table 1.7", 1, 7, 9, wage_year, edu_sheet, 1, (2, 3, 4))
    if base <= 2022:
        return Positions(2, 2, 3, 9, annual, "Table 1.7", 1, 7, 9, wage_year, "Table 5.4", 1, (2, 3, 4))
    return Positions(2, 2, 3, 10, annual, "Table 1.2", 1, 9, 11, wage_year, "Table 1.2", 1, (12, 13, 14))


def base_of(path: Path) -> int:
    """The base year a test expects a file to hold (the name is a test fixture, not evidence)."""
    return int(re.search(r"occupation_(\d{4})", path.name).group(1))


def sheet(path: Path, name: str) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def persons(cell: Any) -> int:
    value = Decimal(repr(cell)) * 1000
    assert value == value.to_integral_value(), cell
    return int(value)


def wage_expected(cell: Any) -> tuple[str, Decimal | None, Decimal | None]:
    """(status, value, bound) of a median wage cell, read here without the parser's markers."""
    if isinstance(cell, float):
        return "estimate", Decimal(repr(cell)), None
    text = str(cell).strip()
    if text in ("—", "-", "N/A"):
        return "not_available", None, None
    if text.startswith((">", "≥")):
        return "top_coded", None, Decimal(re.sub(r"[^\d]", "", text))
    raise AssertionError(f"unexpected wage cell {cell!r}")


@pytest.fixture(scope="module")
def parsed(shared):
    return {base_of(p): ep.parse(p, sha256="0" * 64, display_name=p.name) for p in FILES}


def test_all_twelve_cycles_are_present(shared):
    assert sorted(base_of(p) for p in FILES) == sorted(CYCLES)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_cycle_and_row_counts(parsed, path):
    base = base_of(path)
    target, summaries, line_items = CYCLES[base]
    assert ep.EpSource().identify(path, display_name=path.name) == f"{base}-{target}"
    release = parsed[base]
    assert (release.facts["base_year"], release.facts["target_year"]) == (base, target)
    got = release.tables["ep_projections"].to_pylist()
    types = [r["occ_type"] for r in got]
    assert (types.count("summary"), types.count("line_item"), len(got)) == (
        summaries,
        line_items,
        summaries + line_items,
    )
    assert got[0]["soc_code"] == "00-0000"
    assert sum(1 for r in got if re.fullmatch(r"\d\d-0000", r["soc_code"]) and r["soc_code"] != "00-0000") == 22
    assert {(r["base_year"], r["target_year"]) for r in got} == {(base, target)}


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_sampled_rows_match_the_workbook_cells(parsed, path):
    base = base_of(path)
    pos = positions(base)
    table = sheet(path, "Table 1.2")
    if pos.first_row == 4:  # grouped header: years as numbers in the fourth row
        assert table[3][pos.base : pos.base + 2] == [float(base), float(CYCLES[base][0])]
    else:
        assert table[1][pos.base] == f"Employment, {base}"
    data = [r for r in table[pos.first_row :] if re.fullmatch(r"\d\d-\d{4}", str(r[1]).strip())]
    by_code = {str(r[1]).strip(): r for r in data}
    got = {r["soc_code"]: r for r in parsed[base].tables["ep_projections"].to_pylist()}
    assert list(got) == list(by_code), "every row, in the published order"
    codes = list(by_code)
    sample = {codes[0], codes[-1], *random.Random(base).sample(codes, 15), *(c for c in ALWAYS if c in by_code)}
    wages = {str(r[pos.wage_code]).strip(): r for r in sheet(path, pos.wage_sheet)}
    education = {str(r[pos.edu_code]).strip(): r for r in sheet(path, pos.edu_sheet)}
    for code in sorted(sample):
        cells, row = by_code[code], got[code]
        b = pos.base
        assert row["occ_title"] == str(cells[0]).strip(), code
        assert row["employment_base"] == persons(cells[b]), code
        assert row["employment_target"] == persons(cells[b + 1]), code
        assert row["employment_base_dist_pct"] == Decimal(repr(cells[b + 2])), code
        assert row["employment_target_dist_pct"] == Decimal(repr(cells[b + 3])), code
        assert row["change_number"] == persons(cells[b + 4]), code
        assert row["change_pct"] == Decimal(repr(cells[b + 5])), code
        assert row[pos.openings_name] == persons(cells[pos.openings]), code
        other = next(c for c in ("openings_growth_replacement_total", "openings_annual_avg") if c != pos.openings_name)
        assert row[other] is None
        if pos.type_col is not None:
            assert row["occ_type"] == str(cells[pos.type_col]).strip().lower().replace(" ", "_"), code
        wage_row = wages[code]
        status, value, bound = wage_expected(wage_row[pos.wage_col])
        assert (row["median_wage_status"], row["median_wage_annual"], row["median_wage_bound"]) == (
            status,
            value,
            bound,
        ), code
        assert row["median_wage_year"] == pos.wage_year
        self_cell = wage_row[pos.self_col]
        if isinstance(self_cell, float):
            assert (row["self_employed_pct"], row["self_employed_status"]) == (Decimal(repr(self_cell)), "estimate")
        else:
            assert str(self_cell).strip() == "—" and row["self_employed_status"] == "not_available", code
        names = (
            ("education_training_category",)
            if base == 2008
            else ("typical_entry_education", "work_experience", "on_the_job_training")
        )
        if code in education:
            texts = [str(education[code][c]).strip() for c in pos.edu_cols]
            if texts == ["—"] * len(texts):
                assert row["education_status"] == "not_available", code
            elif texts == [""] * len(texts):
                assert row["education_status"] == "not_published", code
            else:
                assert [row[n] for n in names] == texts and row["education_status"] == "estimate", code
        else:
            assert row["education_status"] == "not_published" and all(row[n] is None for n in names), code


def test_exact_rows_2010(parsed):
    got = {r["soc_code"]: r for r in parsed[2010].tables["ep_projections"].to_pylist()}
    mrht, nurses = got["29-2071"], got["29-1111"]
    # 37.7 is not 217.3 - 179.5 = 37.8: BLS rounds each figure from unrounded ones
    assert [mrht[c] for c in ("employment_base", "employment_target", "change_number", "change_pct")] == [
        179500,
        217300,
        37700,
        Decimal("21.0"),
    ]
    assert (mrht["openings_growth_replacement_total"], mrht["self_employed_pct"]) == (73700, Decimal("0.1"))
    assert (mrht["median_wage_annual"], mrht["typical_entry_education"]) == (
        Decimal("32350"),
        "Postsecondary non-degree award",
    )
    assert (mrht["work_experience"], mrht["on_the_job_training"]) == ("None", "None")
    assert [nurses[c] for c in ("employment_base", "employment_target", "change_number", "change_pct")] == [
        2737400,
        3449300,
        711900,
        Decimal("26.0"),
    ]
    assert (nurses["openings_growth_replacement_total"], nurses["median_wage_annual"]) == (1207400, Decimal("64690"))
    assert nurses["typical_entry_education"] == "Associate's degree" and nurses["self_employed_pct"] == Decimal("0.9")


def test_exact_rows_2008_and_2024(parsed):
    got_2008 = {r["soc_code"]: r for r in parsed[2008].tables["ep_projections"].to_pylist()}
    assert (got_2008["29-2071"]["employment_base"], got_2008["29-2071"]["employment_target"]) == (172500, 207600)
    assert got_2008["00-0000"]["change_pct"] == Decimal("10.12")
    got = {r["soc_code"]: r for r in parsed[2024].tables["ep_projections"].to_pylist()}
    total = got["00-0000"]
    assert [total[c] for c in ("employment_base", "employment_target", "change_number", "openings_annual_avg")] == [
        169956100,
        175167900,
        5211800,
        18863300,
    ]
    assert (total["self_employed_pct"], total["median_wage_annual"], total["education_status"]) == (
        Decimal("5.8"),
        Decimal("49500"),
        "not_available",
    )
    records = got["29-2072"]
    assert (records["occ_title"], records["employment_base"], records["employment_target"]) == (
        "Medical records specialists",
        194800,
        208600,
    )
    assert records["median_wage_annual"] == Decimal("50250")
    assert (got["29-9021"]["employment_base"], got["29-9021"]["employment_target"]) == (41900, 48100)
    assert got["29-9021"]["median_wage_annual"] == Decimal("67310")
    top = [r for r in got.values() if r["median_wage_status"] == "top_coded"]
    assert top and {(r["median_wage_marker"], r["median_wage_bound"]) for r in top} == {
        (">=$239,200", Decimal("239200"))
    }


@pytest.mark.parametrize("path", [p for p in FILES if base_of(p) >= 2014], ids=lambda p: p.stem)
def test_derived_occupation_type_equals_the_published_column(path):
    """The rule used for 2008-2012 reproduces BLS's own column wherever BLS publishes one."""
    base = base_of(path)
    table = sheet(path, "Table 1.2")
    rows = [r for r in table if re.fullmatch(r"\d\d-\d{4}", str(r[1]).strip())]
    codes = [str(r[1]).strip() for r in rows]
    published = {str(r[1]).strip() for r in rows if str(r[2]).strip().lower() == "summary"}
    assert ep.derive_summaries(codes, base) == published


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_cycle_passes_validation(parsed, path):
    release = parsed[base_of(path)]
    validate(schema.EP_PROJECTIONS, release.tables["ep_projections"], release=release.label, file=path.name)


def test_education_system_wage_year_and_soc_system_per_cycle(parsed):
    systems = {b: p.facts["education_system"] for b, p in parsed.items()}
    assert systems == {b: "bls-11-category" if b == 2008 else "bls-3-part" for b in CYCLES}
    assert {b: p.facts["median_wage_year"] for b, p in parsed.items()} == {b: positions(b).wage_year for b in CYCLES}
    soc = {b: p.facts["soc_system"] for b, p in parsed.items()}
    assert soc[2008] == "soc-2000" and soc[2010] == "soc-2000-2010-hybrid"
    assert {soc[b] for b in (2012, 2014, 2016, 2018)} == {"soc-2010"}
    assert soc[2019] == soc[2020] == "soc-2010-2018-hybrid"
    assert {soc[b] for b in (2021, 2022, 2023, 2024)} == {"soc-2018"}
    assert any("states 2016, not the base year 2014" in w for w in parsed[2014].warnings)


# --- the product end to end: import every cycle, then the current one from the mirror ----------
@pytest.fixture(scope="module")
def curated(tmp_path_factory, shared):
    from occstats.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("real-ep") / "data", http_retries=0)
    report = import_files(settings, "ep", FILES)
    assert {o.release: o.state for o in report.outcomes} == {
        f"{b}-{t}": State.CURATED for b, (t, *_rest) in CYCLES.items()
    }, [o.detail for o in report.outcomes]
    return Store(settings.curated_dir), settings


def test_twelve_cycles_are_queryable(curated):
    store, _ = curated
    _, rows = query.run(store, "select base_year, target_year, count(*) from ep_projections group by 1,2 order by 1")
    assert rows == [(b, t, s + li) for b, (t, s, li) in CYCLES.items()]


def test_current_release_from_the_mirror_is_the_cycle_already_held(curated, mirror):
    store, settings = curated
    version = store.version("ep_projections")
    report = refresh(dataclasses.replace(settings, mirror=str(mirror)), "ep")
    assert [(o.release, o.state) for o in report.outcomes] == [("2024-2034", State.UNCHANGED)]
    assert store.version("ep_projections") == version
    assert (mirror / MIRRORED).read_bytes() == (SHARED / "bls/ep/occupation_2024.xlsx").read_bytes()


def test_importing_the_same_file_twice_changes_nothing(curated):
    store, settings = curated
    version = store.version("ep_projections")
    report = import_files(settings, "ep", [SHARED / "bls/ep/occupation_2010.xlsx"])
    assert [(o.release, o.state) for o in report.outcomes] == [("2010-2020", State.UNCHANGED)]
    assert store.version("ep_projections") == version
    assert len(list((settings.raw_dir / "ep" / "2010-2020").iterdir())) == 1, "nothing new landed"
