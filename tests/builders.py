"""Small synthetic BLS-shaped files, generated in tests (never copies of the real ones)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HEADER_2021 = [
    "AREA",
    "AREA_TITLE",
    "AREA_TYPE",
    "PRIM_STATE",
    "NAICS",
    "NAICS_TITLE",
    "I_GROUP",
    "OWN_CODE",
    "OCC_CODE",
    "OCC_TITLE",
    "O_GROUP",
    "TOT_EMP",
    "EMP_PRSE",
    "JOBS_1000",
    "LOC_QUOTIENT",
    "PCT_TOTAL",
    "PCT_RPT",
    "H_MEAN",
    "A_MEAN",
    "MEAN_PRSE",
    "H_PCT10",
    "H_PCT25",
    "H_MEDIAN",
    "H_PCT75",
    "H_PCT90",
    "A_PCT10",
    "A_PCT25",
    "A_MEDIAN",
    "A_PCT75",
    "A_PCT90",
    "ANNUAL",
    "HOURLY",
]
HEADER_2004 = [
    "occ_code",
    "occ_title",
    "group",
    "tot_emp",
    "emp_prse",
    "h_mean",
    "a_mean",
    "mean_prse",
    "h_pct10",
    "h_pct25",
    "h_median",
    "h_pct75",
    "h_pct90",
    "a_pct10",
    "a_pct25",
    "a_median",
    "a_pct75",
    "a_pct90",
    "annual",
    "hourly",
]

# code, title, group, tot_emp, emp_prse, h_mean, a_mean, mean_prse, h 10/25/50/75/90, a 10/25/50/75/90, annual, hourly
OCCUPATIONS: list[list[Any]] = [
    [
        "00-0000",
        "All Occupations",
        "total",
        1000000,
        0.1,
        20.0,
        41600,
        0.1,
        10.0,
        15.0,
        20.0,
        25.0,
        30.0,
        20800,
        31200,
        41600,
        52000,
        62400,
        "",
        "",
    ],
    [
        "11-0000",
        "Management Occupations",
        "major",
        50000,
        0.2,
        50.0,
        104000,
        0.1,
        20.0,
        30.0,
        45.0,
        70.0,
        "#",
        41600,
        62400,
        93600,
        145600,
        "#",
        "",
        "",
    ],
    [
        "11-1011",
        "Chief Executives",
        "detailed",
        2000,
        0.7,
        90.5,
        188240,
        0.3,
        30.25,
        50.0,
        "#",
        "#",
        "#",
        62920,
        104000,
        "#",
        "#",
        "#",
        "",
        "",
    ],
    [
        "25-1011",
        "Business Teachers, Postsecondary",
        "detailed",
        3000,
        1.0,
        "*",
        90000,
        0.5,
        "*",
        "*",
        "*",
        "*",
        "*",
        50000,
        60000,
        80000,
        100000,
        130000,
        "TRUE",
        "",
    ],
    [
        "27-2011",
        "Actors",
        "detailed",
        "**",
        "**",
        25.0,
        "*",
        2.0,
        10.0,
        12.0,
        20.0,
        30.0,
        50.0,
        "*",
        "*",
        "*",
        "*",
        "*",
        "",
        "TRUE",
    ],
    [
        "29-2072",
        "Medical Records Specialists",
        "detailed",
        180570,
        1.1,
        24.5,
        50960,
        0.4,
        15.0,
        18.0,
        22.43,
        28.0,
        36.0,
        31200,
        37440,
        46660,
        58240,
        74880,
        "",
        "",
    ],
]

LEGEND_2017 = "#  = indicates a wage equal to or greater than $100.00 per hour or $208,000 per year "


def workbook_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def oes_2021_rows(year: int, occupations: list[list[Any]] | None = None) -> list[list[Any]]:
    rows = [HEADER_2021]
    for occ in occupations or OCCUPATIONS:
        code, title, group, *figures = occ
        rows.append(
            [
                "99",
                "U.S.",
                "1",
                "US",
                "000000",
                "Cross-industry",
                "cross-industry",
                "1235",
                code,
                title,
                group,
                figures[0],
                figures[1],
                "",
                "",
                "",
                "",
                *figures[2:],
            ]
        )
    return rows


def oes_2021_workbook(
    year: int,
    occupations: list[list[Any]] | None = None,
    *,
    legend: str = LEGEND_2017,
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> bytes:
    """An OEWS-2021-style workbook: data sheet, field descriptions sheet with title and legend."""
    field_descriptions = [
        [f"May {year} OEWS Estimates", "", ""],
        ["", "", ""],
        ["Notes:", "", ""],
        ["*  = indicates that a wage estimate is not available", "", ""],
        ["**  = indicates that an employment estimate is not available", "", ""],
        [legend, "", ""],
    ]
    sheets = {f"national_M{year}_dl": oes_2021_rows(year, occupations), "Field Descriptions": field_descriptions}
    sheets.update(extra_sheets or {})
    return workbook_bytes(sheets)


def oes_2004_workbook(occupations: list[list[Any]] | None = None) -> bytes:
    """A 2004-2008-style sheet: lowercase header, every number as space-padded text, no group labels."""
    rows: list[list[Any]] = [HEADER_2004]
    for occ in occupations or OCCUPATIONS:
        code, title, group, *figures = occ
        padded = [f"{v:>14}" if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in figures]
        rows.append([code, title, "major" if group == "major" else "", *padded])
    return workbook_bytes({"national_dl": rows})


def field_descriptions_workbook(year: int, legend: str) -> bytes:
    return workbook_bytes({"Field Descriptions": [[f"May {year} OES Estimates"], [legend]]})


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def oes_zip(year: int, workbook: bytes | None = None, *, folder: bool = True) -> bytes:
    yy = f"{year % 100:02d}"
    name = f"oesm{yy}nat/national_M{year}_dl.xlsx" if folder else f"national_M{year}_dl.xlsx"
    return zip_bytes({name: workbook if workbook is not None else oes_2021_workbook(year)})


def mirror_path(mirror: Path, year: int) -> Path:
    return mirror / "www.bls.gov" / "oes" / "special-requests" / f"oesm{year % 100:02d}nat.zip"


def put_release(mirror: Path, year: int, data: bytes) -> Path:
    path = mirror_path(mirror, year)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def with_cached_values(data: bytes, sheet_part: str, values: dict[str, Any]) -> bytes:
    """An openpyxl .xlsx whose formula cells (`ref` -> value) also carry a cached value, as Excel saves them.

    openpyxl writes a formula with an empty `<v />`: calamine then reads the cell as blank. A file
    saved by Excel caches the result, which calamine returns as if it were a constant.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == sheet_part:
                for ref, value in values.items():
                    pattern = rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>'
                    content, count = re.subn(pattern.encode(), rb"\1<v>" + str(value).encode() + b"</v>", content)
                    assert count == 1, f"{ref}: no formula cell to cache a value in"
            target.writestr(item, content)
    return out.getvalue()
