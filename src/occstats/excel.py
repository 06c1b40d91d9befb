"""Reading workbooks with python-calamine and locating a table inside a sheet.

BLS sheets carry titles and notes above the header, extra sheets (field descriptions, a third
party's scratch sheet), and appended columns. A table is found by its header: the first row, in
the first sheet, that holds every anchor column under one of its declared aliases. A located table
knows which of its cells store a formula (occstats.formulas): someone's arithmetic, not a figure.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import python_calamine

from occstats.archive import Member, check_workbook
from occstats.cells import parse_text
from occstats.errors import SourceError
from occstats.formulas import Positions, formula_cells

HEADER_SCAN_ROWS = 80


def normalize_header(text: Any) -> str:
    """`' OCC_GROUP '` -> `occ_group`; `'2015 Robot_Cost'` -> `2015_robot_cost`."""
    cleaned = re.sub(r"[^0-9a-z]+", "_", str(text).strip().lower())
    return cleaned.strip("_")


def column_letter(index: int) -> str:
    """Excel's name of the 0-based column `index` (0 -> A, 25 -> Z, 26 -> AA): how errors name a cell."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def open_workbook(member: Member, label: str) -> python_calamine.CalamineWorkbook:
    """Open a workbook, after checking it cannot unpack past the input limits (check_workbook)."""
    check_workbook(member, label)
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(member.data))
    except Exception as exc:  # calamine raises its own error types for every malformed input
        raise SourceError(label, f"is not a readable Excel workbook ({exc})") from exc


def sheet_rows(workbook: python_calamine.CalamineWorkbook, sheet: str, label: str) -> list[list[Any]]:
    try:
        return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise SourceError(label, f"cannot be read ({exc})", sheet=sheet) from exc


@dataclass(frozen=True)
class LocatedTable:
    """A table found in a sheet: where its header is and which column holds which field."""

    sheet: str
    header_row: int
    columns: dict[str, int]  # canonical field -> column index
    headers: list[str]  # the header cells as published
    unknown: list[str] = field(default_factory=list)  # headers no alias claims
    rows: list[list[Any]] = field(default_factory=list)  # rows below the header
    formulas: Positions = frozenset()  # (sheet row, column) of every cell storing a formula

    def cell(self, row: list[Any], name: str) -> Any:
        index = self.columns.get(name)
        if index is None or index >= len(row):
            return None
        return row[index]

    def is_formula(self, offset: int, name: str) -> bool:
        """Whether the cell of field `name` in `rows[offset]` stores a formula rather than a value."""
        index = self.columns.get(name)
        return index is not None and (self.header_row + 1 + offset, index) in self.formulas


def workbook_formulas(member: Member, sheets: Collection[str] | None = None) -> dict[str, Positions]:
    """Sheet name -> the cells storing a formula, read from the workbook's own records (`sheets` only)."""
    return formula_cells(member.data, sheets)


def locate_table(
    workbook: python_calamine.CalamineWorkbook,
    label: str,
    aliases: Mapping[str, tuple[str, ...]],
    *,
    anchors: tuple[str, ...],
    required: tuple[str, ...],
    ignored: tuple[str, ...] = (),
    formulas: Mapping[str, Positions] | None = None,
) -> LocatedTable:
    """Find the header row holding all `anchors`; fail naming any missing `required` field.

    `formulas` (from `workbook_formulas`) marks the table's formula cells; without it none are.
    """
    lookup = {normalize_header(alias): name for name, names in aliases.items() for alias in names}
    ignored_norm = {normalize_header(i) for i in ignored}
    for sheet in workbook.sheet_names:
        rows = sheet_rows(workbook, sheet, label)
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            columns: dict[str, int] = {}
            unknown: list[str] = []
            for col, cell in enumerate(row):
                norm = normalize_header(cell)
                if not norm:
                    continue
                name = lookup.get(norm)
                if name is not None and name not in columns:
                    columns[name] = col
                elif name is None and norm not in ignored_norm:
                    unknown.append(str(cell).strip())
            if all(a in columns for a in anchors):
                missing = [r for r in required if r not in columns]
                if missing:
                    details = "; ".join(f"{m!r} (any of: {', '.join(aliases[m])})" for m in missing)
                    raise SourceError(label, f"missing required column {details}", sheet=sheet)
                return LocatedTable(
                    sheet=sheet,
                    header_row=index,
                    columns=columns,
                    headers=[str(c) for c in row],
                    unknown=unknown,
                    rows=rows[index + 1 :],
                    formulas=(formulas or {}).get(sheet, frozenset()),
                )
    wanted = ", ".join(f"{a!r}" for a in anchors)
    raise SourceError(label, f"has no sheet with a header row naming {wanted} in its first {HEADER_SCAN_ROWS} rows")


def normalize_space(text: str) -> str:
    """One space for any run of whitespace (BLS headers carry newlines, NBSPs, double spaces)."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def joined_headers(rows: list[list[Any]], merged: list[Any], header_rows: list[int], *, width: int) -> list[str]:
    """One text per column: its header rows, merged cells filled, joined with ' | '.

    Repeats from a vertical merge collapse, so a cell merged over three rows reads once, and
    2008's 'Employment' > 'Number' > 2008 reads 'Employment | Number | 2008'.
    """
    grid = {i: [*rows[i], *[""] * (width - len(rows[i]))] for i in header_rows}
    for (r0, c0), (r1, c1) in merged:
        value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else ""
        for r in range(r0, r1 + 1):
            if r in grid:
                for c in range(c0, min(c1, width - 1) + 1):
                    grid[r][c] = value
    headers = []
    for col in range(width):
        parts: list[str] = []
        for i in header_rows:
            text = normalize_space(parse_text(grid[i][col]))
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        headers.append(" | ".join(parts))
    return headers
