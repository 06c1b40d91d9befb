"""A corpus of bad inputs (issue 12, acceptance 2): BLS-layout national releases, altered each way.

Every case is a release as BLS serves it (`oesm21nat.zip`, a workbook in a folder) or as someone
saves one, generated from `builders.py` at a realistic shape: 22 major groups of the 2018 SOC, one
of them small (2 of 129 rows, 1.6%: inside the 5% row-count tolerance, as 27-0000 is in the real
files), hourly and annual figures that agree. `GOOD` holds the releases a data directory holds
before the corpus is thrown at it (May 2020 and 2021, titled); `revised_2021()` is a later good file
that must still be curated after every bad one. Each case says what the error must name.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from builders import LEGEND_2017, oes_2021_rows, oes_2021_workbook, workbook_bytes, zip_bytes

YEAR = 2021
ZIP_NAME = "oesm21nat.zip"  # the name the mirror serves, and the suffix of every imported file
MEMBER = f"oesm21nat/national_M{YEAR}_dl.xlsx"
MAJORS = (11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37, 39, 41, 43, 45, 47, 49, 51, 53)
SMALL_GROUP = 27  # one detailed occupation: the group is 2 of 129 rows
# A workbook bigger than this inflates past what a reader may unpack in the corpus test (the real
# limit is 256 MiB; the test lowers it so a generated bomb stays small). Good files inflate to ~0.2 MB.
INFLATE_LIMIT = 1_000_000


def _wages(p: int, i: int) -> list[Any]:
    return _wage_columns(20 + p / 2 + i)


def _wage_columns(hourly_mean: float) -> list[Any]:
    hourly = [round(hourly_mean * f, 2) for f in (0.5, 0.75, 1.0, 1.25, 1.5)]
    return [hourly_mean, round(hourly_mean * 2080), 0.4, *hourly, *(round(h * 2080) for h in hourly), "", ""]


def _employment(p: int, i: int, scale: float) -> int:
    return round((1000 * (i + 1) + 10 * p) * scale)


def occupations(year: int) -> list[list[Any]]:
    """Rows in builders.OCCUPATIONS form: total, then each major group followed by its detailed rows."""
    scale = 1.0 + (year - 2020) * 0.03  # each year 3% more employment: 2020 and 2021 differ
    groups = []
    for p in MAJORS:
        detailed = [
            [f"{p}-{1011 + 10 * i}", f"Occupation {p}-{i}", "detailed", _employment(p, i, scale), 1.0, *_wages(p, i)]
            for i in range(1 if p == SMALL_GROUP else 5)
        ]
        total = sum(row[3] for row in detailed)
        groups.append(
            [[f"{p}-0000", f"Group {p} Occupations", "major", total, 0.3, *_wage_columns(20 + p / 2)], *detailed]
        )
    total = sum(group[0][3] for group in groups)
    return [["00-0000", "All Occupations", "total", total, 0.1, *_wage_columns(25.0)], *(r for g in groups for r in g)]


def release(
    year: int, rows: list[list[Any]] | None = None, *, titled: bool = True, name_year: int | None = None
) -> bytes:
    """A national zip as BLS serves it; untitled: the field descriptions carry no "May YYYY" title."""
    rows = rows if rows is not None else occupations(year)
    named = name_year or year
    if titled:
        book = oes_2021_workbook(year, rows)
    else:
        notes = [["Notes:"], ["*  = indicates that a wage estimate is not available"], [LEGEND_2017]]
        book = workbook_bytes({f"national_M{named}_dl": oes_2021_rows(year, rows), "Field Descriptions": notes})
    yy = f"{named % 100:02d}"
    return zip_bytes({f"oesm{yy}nat/national_M{named}_dl.xlsx": book})


GOOD = {2020: release(2020), YEAR: release(YEAR)}


def revised_2021() -> bytes:
    """A later good file of May 2021: one detailed figure revised (a re-issue), everything else the same."""
    rows = occupations(YEAR)
    rows[2][3] += 10
    rows[1][3] += 10
    rows[0][3] += 10
    return release(YEAR, rows)


# -- the alterations ---------------------------------------------------------------------------------
def _rewrite(data: bytes, member: str, edit) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            content = source.read(info)
            zf.writestr(info.filename, edit(content) if info.filename == member else content)
    return out.getvalue()


def _in_part(edit, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The 2021 release with one XML part of its workbook edited."""
    return _rewrite(GOOD[YEAR], MEMBER, lambda book: _rewrite(book, part, edit))


def _renamed_column() -> bytes:
    header = ["TOTAL_EMPLOYMENT" if h == "TOT_EMP" else h for h in oes_2021_rows(YEAR)[0]]
    rows = oes_2021_rows(YEAR, occupations(YEAR))
    book = workbook_bytes(
        {f"national_M{YEAR}_dl": [header, *rows[1:]], "Field Descriptions": [[f"May {YEAR} OEWS Estimates"]]}
    )
    return zip_bytes({MEMBER: book})


def _duplicate_row() -> bytes:
    rows = occupations(YEAR)
    return release(YEAR, [*rows[:3], rows[2], *rows[3:]])


def _percentiles_out_of_order() -> bytes:
    rows = occupations(YEAR)
    row = rows[3]  # a detailed row: swap p25 and p75, hourly and annual alike (they still agree)
    row[9], row[11] = row[11], row[9]
    row[14], row[16] = row[16], row[14]
    return release(YEAR, rows)


def _group_removed() -> bytes:
    return release(YEAR, [r for r in occupations(YEAR) if not r[0].startswith(f"{SMALL_GROUP}-")])


def _zip_bomb() -> bytes:
    return zip_bytes({MEMBER: b"\0" * (INFLATE_LIMIT * 3)})


def _zip_slip() -> bytes:
    return zip_bytes({f"../../national_M{YEAR}_dl.xlsx": oes_2021_workbook(YEAR, occupations(YEAR))})


def _nested() -> bytes:
    return zip_bytes({MEMBER: GOOD[YEAR]})  # a zip under the workbook's name


def _encrypted() -> bytes:
    raw = bytearray(GOOD[YEAR])
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        raw[at + offset] |= 0x1
    return bytes(raw)


_XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def _with_entity(xml: bytes) -> bytes:
    """An external entity (XXE) declared in the sheet XML and used as the total's title."""
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", xml.lstrip()).replace(b"All Occupations", b"&e;", 1)
    return _XXE + body


@dataclass(frozen=True)
class BadInput:
    kind: str
    data: bytes
    problem: str  # what the error must say (with the file's name), lower case

    @property
    def file_name(self) -> str:
        return f"{self.kind}-{ZIP_NAME}"


def corpus() -> list[BadInput]:
    html = b"<!DOCTYPE html><html><head><title>Access Denied</title></head><body>Request blocked</body></html>"
    bomb = b"<!--" + b" " * 2 * INFLATE_LIMIT + b"--><sheetData>"  # compresses to a few KB
    return [
        BadInput("truncated", GOOD[YEAR][: len(GOOD[YEAR]) // 2], "is a truncated or corrupt zip"),
        BadInput("html", html, "is an html page"),
        BadInput("renamed-column", _renamed_column(), "missing required column 'tot_emp'"),
        BadInput("duplicate-row", _duplicate_row(), "share a key"),
        BadInput("percentiles", _percentiles_out_of_order(), "percentiles out of order"),
        BadInput("inner-bomb", _in_part(lambda xml: xml.replace(b"<sheetData>", bomb)), "would decompress to"),
        BadInput("other-year-untitled", release(2020, titled=False, name_year=YEAR), "has no title of its own"),
        BadInput("group-removed", _group_removed(), "major group(s) in the release held now"),
        BadInput("zip-bomb", _zip_bomb(), "would decompress to"),
        BadInput("zip-slip", _zip_slip(), "parent-relative path"),
        BadInput("nested-zip", _nested(), "(a nested zip)"),
        BadInput("encrypted", _encrypted(), "is encrypted"),
        BadInput("xxe", _in_part(_with_entity), "unrecognized entity"),
    ]
