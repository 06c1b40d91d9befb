"""Small Employment Projections workbooks shaped like BLS's, generated in tests (never copies).

Two shapes: the grouped three-row header with merged cells (2008-18 to 2019-29; optionally with
the Occupation type column of 2014 on), and the one-row named header with the worker
characteristics columns of 2023-33 on. The occupations add up like BLS's: line items sum to their
summaries, base + change = target, percents agree with the figures.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook

DASHES = ("—", "—", "—")  # education on summary rows


def _occ(code: str, title: str, kind: str, figures: tuple, self_pct: Any, wage: Any, education: tuple) -> list[Any]:
    """figures: base, target, base dist %, target dist %, change, change %, openings (thousands)."""
    return [code, title, kind, *figures, self_pct, wage, *education]


# Rows are: code, title, type, the seven figures, self-employed %, median wage, then entry
# education, work experience and on-the-job training.
OCCUPATIONS: list[list[Any]] = [
    _occ(
        "00-0000",
        "Total, all occupations",
        "Summary",
        (1000.0, 1100.0, 100.0, 100.0, 100.0, 10.0, 300.0),
        5.0,
        45000.0,
        DASHES,
    ),
    _occ(
        "11-0000",
        "Management occupations",
        "Summary",
        (400.0, 430.0, 40.0, 39.1, 30.0, 7.5, 120.0),
        10.0,
        100000.0,
        DASHES,
    ),
    _occ(
        "11-1011",
        "Chief executives",
        "Line item",
        (300.0, 320.0, 30.0, 29.1, 20.0, 6.7, 90.0),
        20.0,
        ">=$239,200",
        ("Bachelor's degree", "5 years or more", "None"),
    ),
    _occ(
        "11-1021",
        "General and operations managers",
        "Line item",
        (100.0, 110.0, 10.0, 10.0, 10.0, 10.0, 30.0),
        5.0,
        101280.0,
        ("Bachelor's degree", "5 years or more", "None"),
    ),
    _occ(
        "29-0000",
        "Healthcare practitioners and technical occupations",
        "Summary",
        (600.0, 670.0, 60.0, 60.9, 70.0, 11.7, 180.0),
        3.0,
        "—",
        DASHES,
    ),
    _occ(
        "29-1141",
        "Registered nurses",
        "Line item",
        (427.5, 462.4, 42.8, 42.0, 34.9, 8.2, 109.7),
        "—",
        86070.0,
        ("Bachelor's degree", "None", "None"),
    ),
    _occ(
        "29-2071",
        "Medical records and health information technicians",
        "Line item",
        (172.5, 207.6, 17.3, 18.9, 35.1, 20.3, 70.3),
        0.1,
        32350.0,
        ("Postsecondary nondegree award", "None", "None"),
    ),
]
CODE, TITLE, TYPE, BASE, TARGET, BASE_DIST, TARGET_DIST, CHANGE, PCT, OPENINGS, SELF, WAGE = range(12)
EDUCATION = slice(12, 15)

SOURCE = "Source: Employment Projections program, U.S. Bureau of Labor Statistics"


# 2008-18 publishes percents with two decimals
PCT_2008 = {
    "00-0000": 10.0,
    "11-0000": 7.5,
    "11-1011": 6.67,
    "11-1021": 10.0,
    "29-0000": 11.67,
    "29-1141": 8.16,
    "29-2071": 20.35,
}


def occupations(base: int = 2010) -> list[list[Any]]:
    """A fresh copy to edit in a test (percents to two decimals for the 2008-18 cycle)."""
    occs = [list(o) for o in OCCUPATIONS]
    if base < 2010:
        for o in occs:
            o[PCT] = PCT_2008[o[CODE]]
    return occs


def edited(code: str, edits: dict[int, Any], base: int = 2010) -> list[list[Any]]:
    """A copy of the generated occupations with one row's cells replaced ({column index: value})."""
    occs = occupations(base)
    row = next(o for o in occs if o[CODE] == code)
    for index, value in edits.items():
        row[index] = value
    return occs


@dataclass
class Sheet:
    rows: list[list[Any]]
    merges: list[str] = field(default_factory=list)


def workbook_bytes(sheets: dict[str, Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, sheet in sheets.items():
        ws = book.create_sheet(name)
        for row in sheet.rows:
            ws.append(row)
        for merge in sheet.merges:
            ws.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _yy(year: int) -> str:
    return f"{year % 100:02d}"


# --- 2023-33 on: one named header row, worker characteristics in Table 1.2 ------------------------
def named_rows(
    base: int = 2024,
    target: int = 2034,
    occs: list[list[Any]] | None = None,
    *,
    title: str | None = None,
    four_digit_range: bool = True,
) -> list[list[Any]]:
    rng = f"{base}–{target if four_digit_range else _yy(target)}"
    header_rng = f"{base}–{_yy(target)}"
    title = title or (
        f"Table 1.2 Occupational projections, {rng}, and worker characteristics, {base} (Employment in thousands)"
    )
    header = [
        f"{base} National Employment Matrix title",
        f"{base} National Employment Matrix code",
        "Occupation type",
        f"Employment, {base}",
        f"Employment, {target}",
        f"Employment distribution, percent, {base}",
        f"Employment distribution, percent, {target}",
        f"Employment change, numeric, {header_rng}",
        f"Employment change, percent, {header_rng}",
        f"Percent self employed, {base}",
        f"Occupational openings, {header_rng} annual average",
        f"Median annual wage, dollars, {base}[1]",
        "Typical education needed for entry",
        "Work experience in a related occupation",
        "Typical on-the-job training needed to attain competency in the occupation",
        "Related Occupational Outlook Handbook (OOH) content",
    ]
    rows: list[list[Any]] = [[title, *[""] * (len(header) - 1)], header]
    for occ in occs or OCCUPATIONS:
        depth = 0 if occ[CODE] == "00-0000" else (2 if occ[CODE].endswith("0000") else 6)
        rows.append(
            [
                " " * depth + occ[TITLE],  # 2022 on: titles indented with leading spaces
                occ[CODE],
                occ[TYPE],
                *occ[BASE:OPENINGS],
                occ[SELF],
                occ[OPENINGS],
                occ[WAGE],
                *occ[EDUCATION],
                "OOH Content" if occ[TYPE] == "Line item" else "—",
            ]
        )
    rows += [
        ["Footnotes:"],
        ["[1] Data are from the Occupational Employment and Wage Statistics program, U.S. Bureau of Labor Statistics."],
        ['Note: Data is unavailable for values denoted with a "—".'],
        [SOURCE],
    ]
    return rows


def named_workbook(base: int = 2024, target: int = 2034, occs: list[list[Any]] | None = None, **kw: Any) -> bytes:
    return workbook_bytes({"Index": Sheet([["Index"]]), "Table 1.2": Sheet(named_rows(base, target, occs, **kw))})


# --- 2008-18 to 2019-29: grouped three-row header with merged cells ------------------------------
def grouped_table(
    base: int = 2010,
    target: int = 2020,
    occs: list[list[Any]] | None = None,
    *,
    title: str | None = None,
    occupation_type: bool = False,
    openings_header: str | None = None,
    header_years: tuple[Any, Any] | None = None,
    extra: list[list[Any]] | None = None,
) -> Sheet:
    """Table 1.2 as 2010-20 (or, with occupation_type, 2014-24 on) lays it out.

    Row 1 title (merged across), rows 2-4 the header: 'title and code' merged over A2:B4,
    'Employment' over the four figures, 'Change, YYYY-YY' over two columns and two rows, the
    openings header over three rows; years as numbers in row 4.
    """
    rng = f"{base}-{_yy(target)}"
    title = (
        title or f"Table 1.2 Employment by detailed occupation, {base} and projected {target}\n(Numbers in thousands)"
    )
    openings_header = openings_header or "Job openings due to growth and replacements"
    y0, y1 = header_years or (float(base), float(target))
    t = 1 if occupation_type else 0  # columns shift right by one after the type column
    width = 9 + t
    row2 = [f"{base} National Employment Matrix title and code", ""]
    row3 = ["", ""]
    row4 = ["", ""]
    if occupation_type:
        row2.append("Occupation type")
        row3.append("")
        row4.append("")
    row2 += ["Employment", "", "", "", f"Change, {rng}", "", openings_header]
    row3 += ["Number", "", "Percent distribution", "", "", "", ""]
    row4 += [y0, y1, y0, y1, "Number", "Percent", ""]
    rows: list[list[Any]] = [[title, *[""] * (width - 1)], row2, row3, row4]
    for i, occ in enumerate(occs or OCCUPATIONS):
        typed = [occ[TYPE]] if occupation_type else []
        rows.append([occ[TITLE], occ[CODE], *typed, *occ[BASE : OPENINGS + 1]])
        if i == 0:
            rows.append([""] * width)  # BLS leaves a blank row under the total
    rows += extra or []
    rows.append([SOURCE, *[""] * (width - 1)])
    c = _col  # letters
    merges = [
        f"A1:{c(width - 1)}1",
        "A2:B4",
        f"{c(2 + t)}2:{c(5 + t)}2",
        f"{c(6 + t)}2:{c(7 + t)}3",
        f"{c(8 + t)}2:{c(8 + t)}4",
        f"{c(2 + t)}3:{c(3 + t)}3",
        f"{c(4 + t)}3:{c(5 + t)}3",
    ]
    if occupation_type:
        merges.append("C2:C4")
    return Sheet(rows, merges)


def _col(index: int) -> str:
    return chr(65 + index)


def wage_sheet(
    base: int = 2010,
    target: int = 2020,
    occs: list[list[Any]] | None = None,
    *,
    wage_header: str | None = None,
    self_header: str | None = None,
) -> Sheet:
    """Table 1.7 (Table 1.6 in 2008): employment, self-employed %, openings, median wage, education."""
    rng = f"{base}-{_yy(target)}"
    title = f"Table 1.7 Occupational employment and job openings data, projected {rng}, and worker characteristics"
    rows: list[list[Any]] = [
        [f"{title}, {base}"],
        [
            f"{base} National Employment Matrix title and code",
            "",
            "Employment",
            "",
            f"Employment change, {rng}",
            "",
            self_header or f"Percent self employed, {base} ",
            f"Job openings due to growth and replacement needs, {rng}",
            wage_header or f"Median annual wage, {base} (1)",
            "Typical education needed for entry  ",
        ],
        ["", "", float(base), float(target), "Number", "Percent", "", "", "", ""],
    ]
    for occ in occs or OCCUPATIONS:
        published = (TITLE, CODE, BASE, TARGET, CHANGE, PCT, SELF, OPENINGS, WAGE)
        rows.append([*(occ[i] for i in published), occ[EDUCATION][0]])
    rows.append(['Notes:\nData is unavailable for values denoted with a "—".\n\n' + SOURCE])
    merges = ["A2:B3", "C2:D2", "E2:F2", "G2:G3", "H2:H3", "I2:I3", "J2:J3"]
    return Sheet(rows, merges)


def education_sheet_3part(
    base: int = 2010, occs: list[list[Any]] | None = None, *, skip: tuple[str, ...] = ()
) -> Sheet:
    """Table 1.12 as 2010 has it: an errata note between title and header; line items only."""
    rows: list[list[Any]] = [
        [f"Table 1.12 Education and training categories by detailed occupation, {base}", "", "", "", ""],
        ["This table has been updated to correct errors in the category assignments for select occupations.", ""],
        [
            f"{base} National Employment Matrix title and code",
            "",
            "Typical education needed for entry",
            "Work experience in a related occupation",
            "Typical on-the-job training needed to attain competency in the occupation",
        ],
    ]
    for occ in occs or OCCUPATIONS:
        if occ[TYPE] == "Line item" and occ[CODE] not in skip:
            rows.append([occ[TITLE], occ[CODE], *occ[EDUCATION]])
    rows.append(
        ["Hunters and trappers", "45-3021", "Less than high school", "None", "Moderate-term on-the-job training"]
    )
    rows.append([SOURCE])
    return Sheet(rows, ["A1:E1", "A2:E2", "A3:B3"])


ELEVEN_CATEGORY = {
    "11-1011": "Bachelor's or higher degree, plus work experience",
    "11-1021": "Bachelor's or higher degree, plus work experience",
    "29-1141": "Associate degree",
    "29-2071": "Associate degree",
}


def education_sheet_11(base: int = 2008, categories: dict[str, str] | None = None) -> Sheet:
    """2008's 'Table1.11': code in column A, title in B, the eleven-category source of training."""
    rows: list[list[Any]] = [
        [f"Table 1.11 Education and training measurements for workers 25 years and older, {base}"],
        ["Matrix code", "Occupation title", "Most significant source of education or training ", "Attainment"],
        ["", "", "", "Less than high school diploma"],
        ["00-0000", "Total, all occupations", "", 10.0],
    ]
    titles = {o[CODE]: o[TITLE] for o in OCCUPATIONS}
    for code, category in (categories or ELEVEN_CATEGORY).items():
        rows.append([code, titles.get(code, "Somebody"), category, 12.5])
    rows.append(["Footnotes: (1) Based on data from the American Community Survey.\n" + SOURCE])
    return Sheet(rows, ["A2:A3", "B2:B3", "C2:C3"])


def grouped_workbook(
    base: int = 2010,
    target: int = 2020,
    occs: list[list[Any]] | None = None,
    *,
    table: Sheet | None = None,
    wages: Sheet | None = None,
    education: Sheet | None = None,
) -> bytes:
    """A workbook of the 2008-18 to 2019-29 cycles: Table 1.2 plus the wage and education sheets."""
    occs = occs or occupations(base)
    table = table or grouped_table(base, target, occs, occupation_type=base >= 2014)
    if base < 2010:
        wage_name, education_name = "Table 1.6", "Table1.11"
        wages = wages or wage_sheet(
            base,
            target,
            occs,
            wage_header=f"Median annual wages, {base} (2)",
            self_header=f"Percent self-employed, {base} (1)",
        )
        education = education or education_sheet_11(base)
    else:
        wage_name = "Table 1.7"
        education_name = "Table 1.12" if base <= 2014 else "Table 5.4"
        wages = wages or wage_sheet(base, target, occs)
        education = education or education_sheet_3part(base, occs)
    return workbook_bytes(
        {"Index": Sheet([["Index"]]), "Table 1.2": table, wage_name: wages, education_name: education}
    )
