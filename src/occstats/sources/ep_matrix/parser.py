"""Parse one National Employment Matrix industry workbook (`ind_<code>.xlsx`) into ep_matrix.

One workbook is one industry of one projection cycle. Nothing is taken from the file name:

- the cycle comes from the title (row 1) and is cross-checked against the sheet name and the header years;
- the industry code and title come from row 2; the file name, where it names a code, must agree;
- columns are found by the header text `layout.CONCEPTS` declares, never by position;
- thousands with one decimal become exact persons (172.5 -> 172500) or are refused.

Every bad input raises SourceError naming the file, the sheet and, for a cell, its row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from occstats import schema
from occstats.archive import pick_member, read_members
from occstats.cells import CellError, ExcessPrecision, parse_cell, parse_text
from occstats.errors import SourceError
from occstats.excel import column_letter, joined_headers, normalize_space, open_workbook
from occstats.sources.base import ParsedRelease
from occstats.sources.ep_matrix import layout
from occstats.sources.soc.layout import system_for_year

PRODUCT = "ep-matrix"
WORKBOOK_MEMBER = r"^ind_.*\.xlsx?$"  # when the workbook arrives inside a zip
_CODE = re.compile(layout.CODE_PATTERN)
_FOOTERS = tuple(re.compile(p, re.IGNORECASE) for p in layout.FOOTER_PATTERNS)
_FILE_CODE = re.compile(r"^ind_(?P<code>.+)\.xlsx?$", re.IGNORECASE)


@dataclass(frozen=True)
class Identity:
    base: int
    target: int
    industry_code: str
    industry_title: str

    @property
    def release_id(self) -> str:
        return f"{self.base}-{self.target}-{self.industry_code}"

    @property
    def label(self) -> str:
        return f"EP matrix {self.base}-{self.target % 100:02d} {self.industry_code}"


class _Workbook:
    """The one matrix sheet of a workbook, read once, and the label every error names."""

    def __init__(self, path: Path, display_name: str) -> None:
        members = read_members(path, display_name=display_name)
        single = len(members) == 1 and members[0].name == Path(display_name).name
        member = (
            members[0]
            if single
            else pick_member(members, WORKBOOK_MEMBER, display_name, "National Employment Matrix workbook")
        )
        self.label = display_name if single else f"{display_name}:{member.name}"
        self.file_name = member.name
        book = open_workbook(member, self.label)
        sheets = [s for s in book.sheet_names if re.match(layout.SHEET_PATTERN, s.strip(), re.IGNORECASE)]
        if len(sheets) != 1:
            raise SourceError(
                self.label,
                f"must hold exactly one sheet named like '2014-2024 Matrix' (/{layout.SHEET_PATTERN}/); "
                f"its sheets: {book.sheet_names}",
            )
        self.sheet = sheets[0]
        try:
            data = book.get_sheet_by_name(self.sheet)
            self.rows: list[list[Any]] = data.to_python(skip_empty_area=False)
            self.merged = list(data.merged_cell_ranges or [])
        except Exception as exc:  # calamine raises its own error types for malformed sheets
            raise self.fail(f"cannot be read ({exc})") from exc

    def fail(self, problem: str) -> SourceError:
        return SourceError(self.label, problem, sheet=self.sheet)

    def first_data_row(self) -> int:
        for i, row in enumerate(self.rows):
            if any(_CODE.match(parse_text(c)) for c in row):
                return i
        raise self.fail("holds no occupation rows (no cell with an NN-NNNN code)")

    def texts_above(self, first: int) -> tuple[list[str], list[int]]:
        """Rows above the data: column-A-only rows (title, industry, unit note), then the header rows."""
        notes: list[str] = []
        header_rows: list[int] = []
        for i in range(first):
            filled = [j for j, c in enumerate(self.rows[i]) if parse_text(c)]
            if not filled:
                continue
            if not header_rows and filled == [0]:
                notes.append(parse_text(self.rows[i][0]))
            else:
                header_rows.append(i)
        return notes, header_rows

    def headers(self, header_rows: list[int], width: int) -> list[str]:
        """One text per column: its header rows, merged cells filled, joined with ' | '."""
        return joined_headers(self.rows, self.merged, header_rows, width=width)


def _identity(book: _Workbook, notes: list[str]) -> Identity:
    """Cycle from the title, industry from the next row; sheet name and file name must agree."""
    title = next((m for n in notes if (m := re.match(layout.TITLE_PATTERN, normalize_space(n), re.IGNORECASE))), None)
    if title is None:
        raise book.fail(f"no title states the cycle (/{layout.TITLE_PATTERN}/); rows above the header: {notes}")
    base, target = int(title.group("base")), int(title.group("target"))
    sheet = re.match(layout.SHEET_PATTERN, book.sheet.strip(), re.IGNORECASE)
    assert sheet is not None
    if (int(sheet.group("base")), int(sheet.group("target"))) != (base, target):
        raise book.fail(f"title says {base}-{target} but the sheet name says otherwise ({book.sheet!r})")
    industry = next((m for n in notes if (m := re.match(layout.INDUSTRY_PATTERN, normalize_space(n)))), None)
    if industry is None:
        raise book.fail(f"no row names the industry ('622000 Hospitals; …'); rows above the header: {notes}")
    if not any(re.search(layout.THOUSANDS_PATTERN, n, re.IGNORECASE) for n in notes):
        raise book.fail(f"does not say its employment is in thousands (/{layout.THOUSANDS_PATTERN}/): {notes}")
    code = industry.group("code")
    named = _FILE_CODE.match(book.file_name)
    if named and named.group("code") != code:
        raise book.fail(f"is named for industry {named.group('code')!r} but its title row says {code!r}")
    return Identity(base, target, code, industry.group("title").strip())


def _columns(book: _Workbook, headers: list[str], identity: Identity) -> dict[str, int]:
    columns: dict[str, int] = {}
    for concept in layout.CONCEPTS:
        pattern = concept.pattern.replace("{base}", str(identity.base)).replace("{target}", str(identity.target))
        found = [c for c, h in enumerate(headers) if re.search(pattern, h, re.IGNORECASE)]
        if len(found) != 1:
            problem = "is missing required column" if not found else "has more than one column for"
            raise book.fail(
                f"{problem} {concept.name!r} (a header matching /{pattern}/); its headers: {[h for h in headers if h]}"
            )
        columns[concept.name] = found[0]
    return columns


def _open(path: Path, display_name: str) -> tuple[_Workbook, Identity, int, list[str]]:
    book = _Workbook(path, display_name)
    first = book.first_data_row()
    notes, header_rows = book.texts_above(first)
    identity = _identity(book, notes)
    if not header_rows:
        raise book.fail("has no header row above its first occupation row")
    width = max(len(r) for r in book.rows[: first + 1])
    return book, identity, first, book.headers(header_rows, width)


class _Rows:
    """Turns the data rows into ep_matrix records, one cell at a time, naming any bad cell."""

    def __init__(self, book: _Workbook, identity: Identity, headers: list[str], sha256: str) -> None:
        self.book = book
        self.identity = identity
        self.headers = headers
        self.columns = _columns(book, headers, identity)
        self.sha256 = sha256
        self.level = "sector" if identity.industry_code in layout.SECTORS else "part_of_sector"
        self.soc_system = system_for_year(identity.base)

    def where(self, excel_row: int, concept: str) -> str:
        col = self.columns[concept]
        return f"row {excel_row}, column {column_letter(col)} ({self.headers[col]!r})"

    def fail(self, excel_row: int, concept: str, problem: str) -> SourceError:
        return self.book.fail(f"{self.where(excel_row, concept)}: {problem}")

    def raw(self, row: list[Any], concept: str) -> Any:
        col = self.columns[concept]
        return row[col] if col < len(row) else None

    def number(self, row: list[Any], excel_row: int, concept: str, decimals: int) -> Any:
        raw = self.raw(row, concept)
        try:
            cell = parse_cell(raw, scale=decimals, markers=layout.MARKERS)
        except ExcessPrecision as exc:
            raise self.fail(
                excel_row, concept, f"holds {raw!r}, more than the {decimals} decimal(s) BLS publishes"
            ) from exc
        except CellError as exc:
            raise self.fail(excel_row, concept, str(exc)) from exc
        if cell.value is None:
            raise self.fail(excel_row, concept, f"is blank ({raw!r}); every matrix figure is published")
        return cell.value

    def record(self, row: list[Any], excel_row: int) -> dict[str, Any]:
        code = parse_text(self.raw(row, "soc_code"))
        title = parse_text(self.raw(row, "occ_title"))
        if not title:
            raise self.fail(excel_row, "occ_title", f"occupation {code} has no title")
        occ_type = layout.OCC_TYPES.get(parse_text(self.raw(row, "occ_type")).lower())
        if occ_type is None:
            raise self.fail(
                excel_row, "occ_type", f"{self.raw(row, 'occ_type')!r} is not one of {list(layout.OCC_TYPES)}"
            )
        record: dict[str, Any] = {
            "base_year": self.identity.base,
            "target_year": self.identity.target,
            "industry_code": self.identity.industry_code,
            "industry_title": self.identity.industry_title,
            "industry_level": self.level,
            "soc_code": code,
            "soc_system": self.soc_system,
            "occ_title": title,
            "occ_type": occ_type,
            "source_sha256": self.sha256,
            "source_file": self.book.label,
        }
        for concept in layout.CONCEPTS:
            if concept.kind == "persons":
                thousands = self.number(row, excel_row, concept.name, layout.THOUSANDS_DECIMALS)
                record[concept.name] = int(thousands * layout.PERSONS_PER_UNIT)  # one decimal x 1000: whole
            elif concept.kind == "percent":
                record[concept.name] = self.number(row, excel_row, concept.name, layout.PERCENT_DECIMALS)
            elif concept.kind == "count":
                record[concept.name] = int(self.number(row, excel_row, concept.name, layout.SORT_ORDER_DECIMALS))
        return record

    def records(self, first: int) -> list[dict[str, Any]]:
        code_col = self.columns["soc_code"]
        figure_cols = [c for n, c in self.columns.items() if n not in ("soc_code", "occ_title", "occ_type")]
        records = []
        for i in range(first, len(self.book.rows)):
            row, excel_row = self.book.rows[i], i + 1
            code = parse_text(row[code_col]) if code_col < len(row) else ""
            if _CODE.match(code):
                records.append(self.record(row, excel_row))
                continue
            texts = [parse_text(c) for c in row if parse_text(c)]
            if not texts or any(f.search(texts[0]) for f in _FOOTERS):
                continue
            if code:
                raise self.fail(excel_row, "soc_code", f"{code!r} is not an NN-NNNN occupation code")
            if any(isinstance(row[c], (int, float)) for c in figure_cols if c < len(row)):
                raise self.book.fail(f"row {excel_row} holds figures but no occupation code: {texts[:4]}")
            raise self.book.fail(f"row {excel_row} is neither an occupation nor a declared footer: {texts[:4]}")
        if not records:
            raise self.book.fail("holds a header but no occupation rows")
        if records[0]["soc_code"] != layout.TOTAL_CODE:
            raise self.book.fail(f"first row is {records[0]['soc_code']}, not the industry total {layout.TOTAL_CODE}")
        return records


def identify(path: Path, *, display_name: str, expected: str | None = None) -> str:
    """'<base>-<target>-<industry code>', read from the workbook's title rows."""
    book, identity, _, _ = _open(path, display_name)
    if expected and expected != identity.release_id:
        raise book.fail(f"is {identity.release_id}, not {expected} as expected")
    return identity.release_id


def parse(path: Path, *, sha256: str, display_name: str, release_id: str | None = None) -> ParsedRelease:
    """Parse a landed matrix workbook. Raises SourceError naming the file and the problem."""
    book, identity, first, headers = _open(path, display_name)
    if release_id and release_id != identity.release_id:
        raise book.fail(f"is {identity.release_id}, not {release_id} as its release")
    records = _Rows(book, identity, headers, sha256).records(first)
    # A sector's rows go to their own table, so ranking ep_matrix by share gives industries, not sectors.
    table = schema.EP_MATRIX_SECTORS if identity.industry_code in layout.SECTORS else schema.EP_MATRIX
    return ParsedRelease(
        product=PRODUCT,
        release_id=identity.release_id,
        label=identity.label,
        source_file=book.label,
        tables={table.name: schema.to_arrow(records, table)},
        facts={"industry": f"{identity.industry_code} {identity.industry_title}"},
    )


class EpMatrixSource:
    """The National Employment Matrix: one workbook per industry and projection cycle."""

    product = PRODUCT
    tables = (schema.EP_MATRIX, schema.EP_MATRIX_SECTORS)

    def identify(self, path: Path, *, display_name: str, expected: str | None = None) -> str:
        return identify(path, display_name=display_name, expected=expected)

    def parse(self, path: Path, *, sha256: str, display_name: str, release_id: str) -> ParsedRelease:
        return parse(path, sha256=sha256, display_name=display_name, release_id=release_id)
