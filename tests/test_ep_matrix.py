"""The National Employment Matrix parser on small workbooks generated in BLS's layout (never copies).

The layout (title rows, the two-row header with merged years, footers) is the one measured on the
474 real 2014-24 workbooks (see sources/ep_matrix/layout.py); the figures add up like BLS's.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from occstats import schema
from occstats.errors import SourceError
from occstats.pipeline import State, import_files
from occstats.products import validate
from occstats.sources.ep_matrix import checks, parser
from occstats.store import Store

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
# code, title, base (thousands), % ind, % occ, target, % ind, % occ, % change, change, type
ROWS: list[list[Any]] = [
    ["00-0000", "Total, all occupations", 5775.6, 100.0, 3.8, 6144.0, 100.0, 3.8, 6.4, 368.4, "Summary"],
    ["29-0000", "Healthcare practitioners", 2887.8, 50.0, 35.0, 3072.0, 50.0, 33.0, 6.4, 184.2, "Summary"],
    ["29-1141", "Registered nurses", 172.5, 3.0, 6.3, 190.0, 3.1, 6.2, 10.1, 17.5, "Line item"],
    ["29-2071", "Medical records technicians", 72.2, 1.3, 38.3, 75.0, 1.2, 37.0, 3.9, 2.8, "Line item"],
    ["53-7062", "Laborers, hand", 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, -70.8, -0.1, "Line item"],
]


def matrix_workbook(
    path: Path,
    *,
    code: str = "622000",
    title: str = "Hospitals; state, local, and private",
    base: int = 2014,
    target: int = 2024,
    rows: list[list[Any]] | None = None,
    header: list[str] | None = None,
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = f"{base}-{target} Matrix"
    ws.append([f"Employment by industry, occupation, and percent distribution, {base} and projected {target}"])
    ws.append([f"{code} {title}"])
    ws.append(
        [
            "(Employment in thousands)\nOccupations with fewer than 50 jobs, confidential data, or poor "
            "quality data are not displayed       "
        ]
    )
    ws.append([None, "Occupation", None, base, None, None, target])
    ws.append(header or HEADER)
    for merged in ("A1:L1", "A2:L2", "A3:L3", "B4:C4", "D4:F4", "G4:I4"):
        ws.merge_cells(merged)
    for i, row in enumerate(ROWS if rows is None else rows, start=1):
        ws.append([float(i), *row])
    ws.append([f"Note: Red indicates a decline in employment between {base} and {target}"])
    ws.append(["Source: Employment Projections program, U.S. Department of Labor, U.S. Bureau of Labor Statistics"])
    wb.save(path)
    return path


def _parse(path: Path):
    return parser.parse(path, sha256="a" * 64, display_name=path.name)


def test_identity_comes_from_the_title_rows(tmp_path):
    path = matrix_workbook(tmp_path / "ind_622000.xlsx")
    assert parser.identify(path, display_name=path.name) == "2014-2024-622000"
    other = matrix_workbook(tmp_path / "matrix.xlsx", code="31-330", title="Manufacturing", base=2016, target=2026)
    assert parser.identify(other, display_name=other.name) == "2016-2026-31-330"


def test_values_are_exact(tmp_path):
    parsed = _parse(matrix_workbook(tmp_path / "ind_622000.xlsx"))
    table = parsed.tables["ep_matrix"]
    validate(schema.EP_MATRIX, table, release=parsed.label)  # schema and the release checks pass
    rows = {r["soc_code"]: r for r in table.to_pylist()}
    assert list(rows) == [r[0] for r in ROWS]
    rn = rows["29-1141"]
    assert rn["employment_base"] == 172_500 and rn["employment_target"] == 190_000 and rn["change_number"] == 17_500
    assert rn["share_of_industry_pct"] == Decimal("3.0") and rn["share_of_occupation_target_pct"] == Decimal("6.2")
    assert rn["change_pct"] == Decimal("10.1") and rn["matrix_sort_order"] == 3
    assert (rn["industry_code"], rn["industry_title"], rn["industry_level"]) == (
        "622000",
        "Hospitals; state, local, and private",
        "part_of_sector",
    )
    assert rows["00-0000"]["employment_base"] == 5_775_600 and rows["00-0000"]["occ_type"] == "summary"
    assert rows["53-7062"]["employment_target"] == 0 and rows["53-7062"]["change_number"] == -100
    assert parsed.label == "EP matrix 2014-24 622000"


def test_a_sector_is_labelled_and_kept_apart(tmp_path):
    """A sector's rows go to ep_matrix_sectors: ranking ep_matrix by share then gives industries (issue 9.4)."""
    parsed = _parse(matrix_workbook(tmp_path / "ind_620000.xlsx", code="620000", title="Healthcare"))
    assert list(parsed.tables) == ["ep_matrix_sectors"]
    assert set(parsed.tables["ep_matrix_sectors"].column("industry_level").to_pylist()) == {"sector"}
    industry = _parse(matrix_workbook(tmp_path / "ind_622000.xlsx"))
    assert list(industry.tables) == ["ep_matrix"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ({"header": [h for h in HEADER if h != "Employment change"] + [""]}, "missing required column 'change_number'"),
        (
            {
                "rows": [
                    ROWS[0],
                    ["29-1141", "Registered nurses", "*", 3.0, 6.3, 190.0, 3.1, 6.2, 10.1, 17.5, "Line item"],
                ]
            },
            "row 7, column D ('2014 | Employment'): holds '*', which is neither a number nor a declared marker",
        ),
        (
            {
                "rows": [
                    ROWS[0],
                    ["29-1141", "Registered nurses", 172.55, 3.0, 6.3, 190.0, 3.1, 6.2, 10.1, 17.5, "Line item"],
                ]
            },
            "more than the 1 decimal(s) BLS publishes",
        ),
        (
            {
                "rows": [
                    ROWS[0],
                    ["29-1141", "Registered nurses", 172.5, 3.0, 6.3, 190.0, 3.1, 6.2, 10.1, 17.5, "Detail"],
                ]
            },
            "'Detail' is not one of",
        ),
        ({"rows": [ROWS[2]]}, "first row is 29-1141, not the industry total 00-0000"),
    ],
)
def test_a_broken_workbook_fails_naming_the_file_and_cell(tmp_path, edit, expected):
    path = matrix_workbook(tmp_path / "ind_622000.xlsx", **edit)
    with pytest.raises(SourceError) as caught:
        _parse(path)
    assert "ind_622000.xlsx [sheet '2014-2024 Matrix']" in str(caught.value)
    assert expected in str(caught.value)


def test_the_title_is_trusted_over_the_file_name(tmp_path):
    path = matrix_workbook(tmp_path / "ind_621000.xlsx")
    with pytest.raises(SourceError, match="named for industry '621000' but its title row says '622000'"):
        parser.identify(path, display_name=path.name)


def test_release_checks_catch_figures_that_do_not_add_up(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[2][3] = 13.0  # RN: percent of industry that 172.5 of 5775.6 cannot give
    rows[3][9] = 28.0  # medical records: change far from target - base
    parsed = _parse(matrix_workbook(tmp_path / "ind_622000.xlsx", rows=rows))
    frame = parsed.tables["ep_matrix"].to_pandas()
    frame = frame.astype({c: float for c in frame.columns if c.endswith("_pct")})
    assert "29-1141 share_of_industry_pct=13.0" in checks.shares_of_industry(frame)[0]
    assert "29-2071" in checks.base_change_target(frame)[0]
    assert checks.line_items_within_total(frame) == []
    frame.loc[frame["soc_code"] == "29-1141", "employment_base"] = 6_000_000  # more than the industry's total
    assert (
        "622000 employment_base: 3 line items sum to 6072300, total 5775600" in checks.line_items_within_total(frame)[0]
    )


def test_industries_against_the_occupation_total():
    import pandas as pd

    frame = pd.DataFrame(
        [
            # base_year, target_year, industry, soc, base, share %, target, share %
            (2014, 2024, "620000", "29-2071", 145_500, 77.2, 150_000, 75.0),
            (2014, 2024, "622000", "29-2071", 72_200, 38.3, 75_000, 37.5),
            (2014, 2024, "540000", "29-2071", 40_000, 21.2, 50_000, 25.0),
        ],
        columns=[
            "base_year",
            "target_year",
            "industry_code",
            "soc_code",
            "employment_base",
            "share_of_occupation_pct",
            "employment_target",
            "share_of_occupation_target_pct",
        ],
    )
    totals = pd.DataFrame(
        [(2014, "29-2071", 188_600, 200_000)], columns=["base_year", "soc_code", "employment_base", "employment_target"]
    )
    assert checks.industries_sum_to_occupation_total(frame, totals) == []
    frame.loc[2, "employment_base"] = 60_000  # the two sectors now exceed the occupation's total
    failures = checks.industries_sum_to_occupation_total(frame, totals)
    assert "2 sectors sum to 205500, over the total 188600" in failures[0]
    assert "540000 29-2071 share_of_occupation_pct=21.2" in failures[0]


def test_import_through_the_pipeline(tmp_path, settings):
    paths = [
        matrix_workbook(tmp_path / "ind_622000.xlsx"),
        matrix_workbook(tmp_path / "ind_620000.xlsx", code="620000", title="Healthcare and social assistance"),
        matrix_workbook(tmp_path / "ind_999100.xlsx", code="999100", title="Federal", header=[*HEADER[:-1], "Kind"]),
    ]
    report = import_files(settings, "ep-matrix", paths)
    states = {o.release: o.state for o in report.outcomes}
    assert states == {
        "2014-2024-622000": State.CURATED,
        "2014-2024-620000": State.CURATED,
        "2014-2024-999100": State.FAILED,
    }
    failed = [o for o in report.outcomes if o.state is State.FAILED]
    assert len(failed) == 1 and "ind_999100.xlsx" in failed[0].detail and "occ_type" in failed[0].detail
    store = Store(settings.curated_dir)
    assert store.read("ep_matrix").column("industry_code").unique().to_pylist() == ["622000"]
    assert store.read("ep_matrix_sectors").column("industry_code").unique().to_pylist() == ["620000"]
    assert store.read("ep_matrix").num_rows == store.read("ep_matrix_sectors").num_rows == len(ROWS)
