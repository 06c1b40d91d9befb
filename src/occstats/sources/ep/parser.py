"""Parse one BLS Employment Projections occupation workbook (`occupation.xlsx`) into ep_projections.

BLS serves every cycle at the same URL and reshapes the workbook every few cycles, so nothing is
taken from the file name, the calendar or column positions:

- the cycle comes from Table 1.2's own title and is cross-checked against its header years;
- every sheet is read by one mechanism: merged header cells filled, each column's header rows
  joined into one text, and each column found by the regexes `ep_layout` declares for the era;
- figures published in thousands become exact persons (172.5 -> 172500) or are refused;
- the median wage, the self-employed share and the education and training categories are joined
  by code from the sheet `ep_layout` names for the cycle (Table 1.2 itself from 2023-33 on).

Every bad input raises SourceError naming the file, the sheet and, for a cell, its row and column.
The table's own validation checks (figures adding up within BLS's rounding) are registered here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from occstats import schema
from occstats.archive import pick_member, read_members
from occstats.cells import Cell, CellError, ExcessPrecision, parse_cell, parse_text
from occstats.errors import SourceError
from occstats.excel import column_letter, joined_headers, normalize_space, open_workbook, workbook_formulas
from occstats.formulas import Positions
from occstats.labels import ep_label
from occstats.markers import Status
from occstats.sources.base import ParsedRelease
from occstats.sources.ep import layout
from occstats.sources.soc.layout import system_for_year

PRODUCT = "ep"
WORKBOOK_MEMBER = r"^occupation.*\.xlsx?$"  # when the workbook arrives inside a zip
MAX_LISTED = 12  # codes named in one warning

_CODE = re.compile(layout.CODE_PATTERN)
_FOOTERS = tuple(re.compile(p, re.IGNORECASE) for p in layout.FOOTER_PATTERNS)
_HEADER_RANGE = re.compile(layout.HEADER_RANGE_PATTERN)
_TOP_CODED = re.compile(layout.TOP_CODED_PATTERN)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


# --- the cycle ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cycle:
    base: int
    target: int
    evidence: str  # the title text the cycle was read from

    @property
    def release_id(self) -> str:
        return f"{self.base}-{self.target}"

    @property
    def label(self) -> str:
        return ep_label(self.base, self.target)

    def fill(self, pattern: str) -> str:
        """A declared header regex with the cycle's years in place of its placeholders."""
        return (
            pattern.replace("{base}", str(self.base))
            .replace("{target}", str(self.target))
            .replace("{yy}", f"{self.target % 100:02d}")
        )


def _target_year(base: int, target: str) -> int:
    """'33' after 2023 is 2033; a four-digit target stands as written."""
    if len(target) == 4:
        return int(target)
    year = base // 100 * 100 + int(target)
    return year if year > base else year + 100


# --- reading one sheet ------------------------------------------------------------------------
@dataclass
class _Sheet:
    """A table found in one sheet: its title, joined headers, concept columns and occupation rows."""

    name: str
    title: str  # the text above the header (title and notes), normalized
    headers: list[str]  # one joined header text per column
    columns: dict[str, int] = field(default_factory=dict)  # concept -> column index
    matches: dict[str, re.Match[str]] = field(default_factory=dict)  # concept -> header match
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (Excel row number, cells)
    skipped: list[str] = field(default_factory=list)  # codeless text rows that are not footers
    formulas: Positions = frozenset()  # (sheet row, column) of the cells storing a formula

    def header(self, concept: str) -> str:
        return self.headers[self.columns[concept]]

    def cell(self, row: list[Any], concept: str) -> Any:
        index = self.columns.get(concept)
        return row[index] if index is not None and index < len(row) else None

    def is_formula(self, excel_row: int, concept: str) -> bool:
        index = self.columns.get(concept)
        return index is not None and (excel_row - 1, index) in self.formulas

    def where(self, excel_row: int, concept: str) -> str:
        index = self.columns[concept]
        return f"row {excel_row}, column {column_letter(index)} ({self.headers[index]!r})"


def _is_number(raw: Any) -> bool:
    return isinstance(raw, (int, float)) and not isinstance(raw, bool)


class _Book:
    """The workbook, its sheets read once each, and the label every error names."""

    def __init__(self, path: Path, display_name: str) -> None:
        members = read_members(path, display_name=display_name)
        single = len(members) == 1 and members[0].name == Path(display_name).name
        member = (
            members[0]
            if single
            else pick_member(members, WORKBOOK_MEMBER, display_name, "EP occupation workbook (occupation*.xlsx)")
        )
        self.label = display_name if single else f"{display_name}:{member.name}"
        self.book = open_workbook(member, self.label)
        self._member = member
        self._cache: dict[str, tuple[list[list[Any]], list[Any]]] = {}

    def raw(self, sheet: str, purpose: str) -> tuple[list[list[Any]], list[Any]]:
        if sheet not in self._cache:
            if sheet not in self.book.sheet_names:
                names = ", ".join(repr(s) for s in self.book.sheet_names)
                raise SourceError(self.label, f"has no sheet {sheet!r} ({purpose}); its sheets: {names}")
            try:
                data = self.book.get_sheet_by_name(sheet)
                rows = data.to_python(skip_empty_area=False)
                merged = list(data.merged_cell_ranges or [])
            except Exception as exc:  # calamine raises its own error types for malformed sheets
                raise SourceError(self.label, f"cannot be read ({exc})", sheet=sheet) from exc
            self._cache[sheet] = (rows, merged)
        return self._cache[sheet]

    def fail(self, sheet: str, problem: str) -> SourceError:
        return SourceError(self.label, problem, sheet=sheet)

    def formulas(self, sheet: str) -> Positions:
        """The sheet's formula cells (2022-32's link columns hold HYPERLINK formulas; no figure does)."""
        return workbook_formulas(self._member, {sheet}).get(sheet, frozenset())

    def locate(self, sheet: str, purpose: str) -> _Sheet:
        """Title, header block and occupation rows of a sheet, before any concept is matched.

        The first row holding an NN-NNNN code starts the data. Above it, rows with text in column
        A only are the title and notes (2010's Table 1.12 has an errata note there); the other
        non-blank rows are the header, read after filling merged cells.
        """
        rows, merged = self.raw(sheet, purpose)
        first = next(
            (i for i, row in enumerate(rows) if any(_CODE.match(parse_text(c)) for c in row)),
            None,
        )
        if first is None:
            raise self.fail(sheet, f"holds no occupation rows (no cell with an NN-NNNN code); it should hold {purpose}")
        notes: list[str] = []
        header_rows: list[int] = []
        for i in range(first):
            filled = [j for j, c in enumerate(rows[i]) if parse_text(c)]
            if not filled:
                continue
            if not header_rows and filled == [0]:
                notes.append(normalize_space(parse_text(rows[i][0])))
            else:
                header_rows.append(i)
        if not header_rows:
            raise self.fail(sheet, "has no header row above its first occupation row")
        headers = joined_headers(rows, merged, header_rows, width=max(len(r) for r in rows[: first + 1]))
        located = _Sheet(name=sheet, title=" ".join(notes), headers=headers, formulas=self.formulas(sheet))
        located.rows = [(i + 1, rows[i]) for i in range(first, len(rows))]
        return located

    def match(self, located: _Sheet, sheet_layout: layout.SheetLayout, cycle: Cycle) -> None:
        """Find each declared concept's column by its header text; refuse a missing or shared one."""
        owner: dict[int, str] = {}
        for concept in sheet_layout.concepts:
            regex = re.compile(cycle.fill(concept.pattern), re.IGNORECASE)
            found = [(c, m) for c, h in enumerate(located.headers) if (m := regex.search(h))]
            if len(found) <= concept.nth:
                if concept.required:
                    raise self.fail(
                        located.name,
                        f"is missing required column {concept.name!r} (a header matching /{regex.pattern}/); "
                        f"its headers: {[h for h in located.headers if h]}",
                    )
                continue
            col, m = found[concept.nth]
            if col in owner:
                raise self.fail(
                    located.name,
                    f"column {column_letter(col)} ({located.headers[col]!r}) matches both {owner[col]!r} and "
                    f"{concept.name!r}; the layout must tell them apart",
                )
            owner[col] = concept.name
            located.columns[concept.name] = col
            located.matches[concept.name] = m

    def occupation_rows(self, located: _Sheet) -> None:
        """Keep rows with a code; skip blanks and footers; refuse figures without a code."""
        code_col = located.columns["soc_code"]
        kept: list[tuple[int, list[Any]]] = []
        figure_cols = [c for n, c in located.columns.items() if n not in ("soc_code", "occ_title")]
        for excel_row, row in located.rows:
            code = parse_text(row[code_col]) if code_col < len(row) else ""
            if _CODE.match(code):
                kept.append((excel_row, row))
                continue
            texts = [parse_text(c) for c in row if parse_text(c)]
            if not texts:
                continue
            if any(f.search(texts[0]) for f in _FOOTERS):
                continue
            if code:
                raise self.fail(
                    located.name, f"{located.where(excel_row, 'soc_code')}: {code!r} is not an NN-NNNN occupation code"
                )
            if any(_is_number(row[c]) for c in figure_cols if c < len(row)):
                raise self.fail(located.name, f"row {excel_row} holds figures but no occupation code: {texts[:4]}")
            located.skipped.append(f"row {excel_row} ({texts[0][:60]!r})")
        located.rows = kept

    def read(self, sheet_layout: layout.SheetLayout, cycle: Cycle, purpose: str) -> _Sheet:
        located = self.locate(sheet_layout.sheet, purpose)
        self.match(located, sheet_layout, cycle)
        self.occupation_rows(located)
        return located


# --- the cycle, from Table 1.2's title and header ------------------------------------------
def _read_cycle(book: _Book) -> tuple[Cycle, layout.Era, _Sheet]:
    """Table 1.2 located, its cycle read from the title and cross-checked against its header."""
    sheet = layout.TABLE_SHEET
    located = book.locate(sheet, "the projections, Table 1.2")
    title = located.title
    cycle = None
    for pattern in layout.TITLE_CYCLE_PATTERNS:
        if m := re.search(pattern, title, re.IGNORECASE):
            base = int(m.group("base"))
            cycle = Cycle(base, _target_year(base, m.group("target")), title)
            break
    if cycle is None:
        raise book.fail(sheet, f"title {title!r} does not state a projection cycle ('YYYY and projected YYYY')")
    if not re.search(layout.THOUSANDS_PATTERN, title, re.IGNORECASE):
        raise book.fail(sheet, f"title {title!r} does not say its figures are in thousands")
    try:
        era = layout.era_for(cycle.base)
    except KeyError as exc:
        raise book.fail(sheet, f"is the {cycle.release_id} cycle, for which no layout is declared ({exc})") from exc
    for header in located.headers:
        for m in _HEADER_RANGE.finditer(header):
            base = int(m.group("base"))
            stated = (base, _target_year(base, m.group("target")))
            if stated != (cycle.base, cycle.target):
                raise book.fail(
                    sheet,
                    f"title says {cycle.release_id} ({title!r}) but header {header!r} says {stated[0]}-{stated[1]}",
                )
    years = [int(m.group("year")) for h in located.headers if (m := re.search(era.header_years, h, re.IGNORECASE))]
    if not years:
        raise book.fail(sheet, f"header states no employment years to confirm the title's cycle {cycle.release_id}")
    if sorted(set(years)) != [cycle.base, cycle.target]:
        raise book.fail(
            sheet,
            f"title says {cycle.release_id} ({title!r}) but the employment headers name years {sorted(set(years))}",
        )
    return cycle, era, located


def _open(path: Path, display_name: str, expected: str | None) -> tuple[_Book, Cycle, layout.Era, _Sheet]:
    book = _Book(path, display_name)
    cycle, era, located = _read_cycle(book)
    if expected and expected != cycle.release_id:
        raise book.fail(
            layout.TABLE_SHEET, f"is the {cycle.release_id} cycle ({cycle.evidence!r}), not {expected} as expected"
        )
    return book, cycle, era, located


# --- code structure -----------------------------------------------------------------------------
def code_prefix(code: str) -> str:
    """What a group code's members start with: '11-' for 11-0000, '15-12' for 15-1200."""
    return "" if code == layout.TOTAL_CODE else code[:3] + code[3:].rstrip("0")


def ancestors(code: str, parents: dict[str, str]) -> list[str]:
    """The code and the groups it is declared to be filed under (followed transitively)."""
    chain = [code]
    while chain[-1] in parents and parents[chain[-1]] not in chain:
        chain.append(parents[chain[-1]])
    return chain


def derive_summaries(codes: list[str], base: int) -> set[str]:
    """Codes that are summaries: another code in the table is their child, or declared cross-group."""
    parents = layout.declared_parents_for(base)
    counts: Counter[str] = Counter()
    for code in set(codes):
        counts.update({code[:k] for k in range(0, 8)})  # '' counts every code: the total's members
    summaries = {c for c in codes if counts[code_prefix(c)] >= 2}  # itself and at least one other
    summaries |= {p for c, p in parents.items() if c in codes and p in codes}
    summaries |= set(layout.CROSS_GROUP_SUMMARIES.get(base, {})) & set(codes)
    return summaries


# --- parsing --------------------------------------------------------------------------------------
@dataclass
class _Parser:
    book: _Book
    cycle: Cycle
    era: layout.Era
    table: _Sheet
    sha256: str
    warnings: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.book.label

    def fail(self, sheet: _Sheet, excel_row: int, concept: str, problem: str) -> SourceError:
        return self.book.fail(sheet.name, f"{sheet.where(excel_row, concept)}: {problem}")

    def warn(self, sheet: str, problem: str) -> None:
        self.warnings.append(f"{self.label} [sheet {sheet!r}]: {problem}")

    # -- Table 1.2 --------------------------------------------------------------------------
    def projections(self) -> list[dict[str, Any]]:
        self.book.match(self.table, self.era.table, self.cycle)
        openings = [c for c in self.era.openings if c in self.table.columns]
        if len(openings) != 1:
            raise self.book.fail(
                self.table.name,
                f"must publish exactly one openings concept of {list(self.era.openings)}, found {openings}",
            )
        self.facts["openings_concept"] = openings[0]
        self.book.occupation_rows(self.table)
        if not self.table.rows:
            raise self.book.fail(self.table.name, "holds a header but no occupation rows")
        self._header_warnings()
        pct_decimals = layout.percent_decimals_for(self.cycle.base)
        soc_system = system_for_year(self.cycle.base)
        records: list[dict[str, Any]] = []
        blanks: list[str] = []
        for excel_row, row in self.table.rows:
            code = parse_text(self.table.cell(row, "soc_code"))
            title = parse_text(self.table.cell(row, "occ_title"))
            if not title:
                raise self.fail(self.table, excel_row, "occ_title", f"occupation {code} has no title")
            record: dict[str, Any] = {name: None for name in schema.EP_PROJECTIONS.names}
            record.update(
                base_year=self.cycle.base,
                target_year=self.cycle.target,
                soc_code=code,
                soc_system=soc_system,
                occ_title=title,
                occ_type=self._occ_type(row, excel_row),
                occ_type_source=self.era.occ_type_source,
                source_sha256=self.sha256,
                source_file=self.label,
            )
            for name in layout.PERSONS_COLUMNS:
                if name in self.table.columns:
                    record[name] = self._persons(row, excel_row, name)
                    if record[name] is None:
                        blanks.append(f"{code} {name}")
            for name in layout.PERCENT_COLUMNS:
                cell = self._number(self.table, row, excel_row, name, pct_decimals)
                record[name] = cell.value
                if cell.value is None:
                    blanks.append(f"{code} {name}")
            records.append(record)
        if blanks:
            self.warn(self.table.name, f"{len(blanks)} blank figure cells kept as null: {_listed(blanks)}")
        self._occ_types(records)
        return records

    def _header_warnings(self) -> None:
        claimed = set(self.table.columns.values())
        for sheet_layout in (self.wage_source.layout, self.education_source.layout):
            if sheet_layout.sheet == self.table.name:
                claimed |= {
                    c
                    for concept in sheet_layout.concepts
                    for c, h in enumerate(self.table.headers)
                    if re.search(self.cycle.fill(concept.pattern), h, re.IGNORECASE)
                }
        ignored = [re.compile(p, re.IGNORECASE) for p in self.era.table.ignored]
        unknown = [
            h
            for c, h in enumerate(self.table.headers)
            if h and c not in claimed and not any(p.search(h) for p in ignored)
        ]
        if unknown:
            self.warn(self.table.name, f"ignored column(s) not in the EP layout: {unknown}")
        for header in self.table.headers:
            bare = _HEADER_RANGE.sub("", header)
            stray = sorted({int(y) for y in _YEAR.findall(bare)} - {self.cycle.base, self.cycle.target})
            if stray:
                self.warn(
                    self.table.name,
                    f"header {header!r} names {stray}, neither the base nor the target year of "
                    f"{self.cycle.release_id}; the column is identified by its other words",
                )
        if self.cycle.target - self.cycle.base != 10:
            self.warn(self.table.name, f"cycle {self.cycle.release_id} is not ten years long")

    def _occ_type(self, row: list[Any], excel_row: int) -> str | None:
        if "occ_type" not in self.table.columns:
            return None  # derived once every code is known
        text = parse_text(self.table.cell(row, "occ_type"))
        occ_type = layout.OCC_TYPES.get(normalize_space(text).lower())
        if occ_type is None:
            raise self.fail(
                self.table,
                excel_row,
                "occ_type",
                f"occupation type {text!r} is not one of {list(layout.OCC_TYPES)} (any case)",
            )
        return occ_type

    def _occ_types(self, records: list[dict[str, Any]]) -> None:
        codes = [r["soc_code"] for r in records]
        summaries = derive_summaries(codes, self.cycle.base)
        if self.era.occ_type_source == "derived":
            for record in records:
                record["occ_type"] = "summary" if record["soc_code"] in summaries else "line_item"
            return
        disagree = [r["soc_code"] for r in records if (r["occ_type"] == "summary") != (r["soc_code"] in summaries)]
        if disagree:
            self.warn(
                self.table.name,
                f"{len(disagree)} published occupation types differ from what code structure implies "
                f"(kept as published): {_listed(disagree)}",
            )

    def _formula(self, sheet: _Sheet, row: list[Any], excel_row: int, concept: str) -> Cell | None:
        """NOT_PUBLISHED, with a warning, for a cell storing a formula: arithmetic, not a BLS figure."""
        if not sheet.is_formula(excel_row, concept):
            return None
        self.warn(
            sheet.name,
            f"{sheet.where(excel_row, concept)}: holds a formula (cached value {sheet.cell(row, concept)!r}), "
            "not a published figure; kept as not_published",
        )
        return Cell(None, Status.NOT_PUBLISHED, None)

    def _number(self, sheet: _Sheet, row: list[Any], excel_row: int, concept: str, decimals: int) -> Cell:
        raw = sheet.cell(row, concept)
        if (withheld := self._formula(sheet, row, excel_row, concept)) is not None:
            return withheld
        try:
            return parse_cell(raw, scale=decimals, markers={})
        except ExcessPrecision as exc:
            raise self.fail(
                sheet, excel_row, concept, f"holds {raw!r}, more than the {decimals} decimal(s) BLS publishes ({exc})"
            ) from exc
        except CellError as exc:
            raise self.fail(sheet, excel_row, concept, str(exc)) from exc

    def _persons(self, row: list[Any], excel_row: int, concept: str) -> int | None:
        """Thousands with one decimal -> exact persons: 172.5 -> 172500, never 172499.99."""
        cell = self._number(self.table, row, excel_row, concept, layout.THOUSANDS_DECIMALS)
        if cell.value is None:
            return None
        persons = cell.value * layout.PERSONS_PER_UNIT
        assert persons == persons.to_integral_value()  # one decimal x 1000 is whole
        return int(persons)

    # -- joined sources ----------------------------------------------------------------------
    @property
    def wage_source(self) -> layout.WageSource:
        return layout.wage_source_for(self.cycle.base)

    @property
    def education_source(self) -> layout.EducationSource:
        return layout.education_source_for(self.cycle.base)

    def _supplement(self, sheet_layout: layout.SheetLayout, purpose: str) -> tuple[_Sheet, dict[str, tuple]]:
        """A sheet joined by code: read it, check it belongs to the cycle, index its rows by code."""
        sheet = self.book.read(sheet_layout, self.cycle, purpose)
        if sheet.name != self.table.name and not re.search(rf"\b{self.cycle.base}\b", sheet.title):
            raise self.book.fail(
                sheet.name, f"title {sheet.title!r} does not name the cycle's base year {self.cycle.base}"
            )
        by_code: dict[str, tuple[int, list[Any]]] = {}
        for excel_row, row in sheet.rows:
            code = parse_text(sheet.cell(row, "soc_code"))
            if code in by_code:
                raise self.fail(sheet, excel_row, "soc_code", f"code {code} also on row {by_code[code][0]}")
            by_code[code] = (excel_row, row)
        if sheet.skipped and sheet.name != self.table.name:
            self.warn(sheet.name, f"skipped rows without an occupation code: {'; '.join(sheet.skipped)}")
        return sheet, by_code

    def _coverage(self, sheet: _Sheet, by_code: dict[str, Any], records: list[dict[str, Any]], what: str) -> None:
        codes = {r["soc_code"] for r in records}
        extra = sorted(set(by_code) - codes)
        if extra:
            self.warn(sheet.name, f"{len(extra)} code(s) not in {self.table.name} ignored: {_listed(extra)}")
        missing = [r["soc_code"] for r in records if r["soc_code"] not in by_code and r["occ_type"] == "line_item"]
        if missing:
            self.warn(
                sheet.name,
                f"{len(missing)} line item(s) of {self.table.name} have no {what} here (not_published): "
                f"{_listed(missing)}",
            )

    def wages(self, records: list[dict[str, Any]]) -> None:
        sheet, by_code = self._supplement(self.wage_source.layout, "the median annual wage")
        year = int(sheet.matches["median_wage_annual"].group("year"))
        header = sheet.header("median_wage_annual")
        self.facts.update(median_wage_year=year, wage_source=sheet.name)
        if year != self.cycle.base:
            self.warn(
                sheet.name,
                f"median wage header {header!r} states {year}, not the base year {self.cycle.base}; "
                f"median_wage_year records {year} as published",
            )
        has_self = "self_employed_pct" in sheet.columns
        for record in records:
            found = by_code.get(record["soc_code"])
            record.update(
                median_wage_status=Status.NOT_PUBLISHED.value, self_employed_status=Status.NOT_PUBLISHED.value
            )
            if found is None:
                continue
            excel_row, row = found
            cell, bound = self._wage(sheet, row, excel_row)
            record.update(
                median_wage_annual=cell.value,
                median_wage_status=cell.status.value,
                median_wage_marker=cell.marker,
                median_wage_bound=bound,
                median_wage_year=year,
            )
            if has_self:
                self_cell = self._marked(sheet, row, excel_row, "self_employed_pct", layout.SELF_EMPLOYED_DECIMALS)
                record.update(self_employed_pct=self_cell.value, self_employed_status=self_cell.status.value)
        self._coverage(sheet, by_code, records, "median wage")

    def _wage(self, sheet: _Sheet, row: list[Any], excel_row: int) -> tuple[Cell, Decimal | None]:
        if (withheld := self._formula(sheet, row, excel_row, "median_wage_annual")) is not None:
            return withheld, None
        raw = sheet.cell(row, "median_wage_annual")
        text = normalize_space(raw) if isinstance(raw, str) else ""
        if m := _TOP_CODED.match(text):
            return Cell(None, Status.TOP_CODED, text), Decimal(m.group("bound").replace(",", ""))
        return self._marked(sheet, row, excel_row, "median_wage_annual", layout.WAGE_DECIMALS), None

    def _marked(self, sheet: _Sheet, row: list[Any], excel_row: int, concept: str, decimals: int) -> Cell:
        raw = sheet.cell(row, concept)
        if (withheld := self._formula(sheet, row, excel_row, concept)) is not None:
            return withheld
        try:
            return parse_cell(raw, scale=decimals, markers=layout.NOT_AVAILABLE_MARKERS)
        except CellError as exc:
            raise self.fail(sheet, excel_row, concept, str(exc)) from exc

    def education(self, records: list[dict[str, Any]]) -> None:
        source = self.education_source
        sheet, by_code = self._supplement(source.layout, "education and training categories")
        concepts = layout.ELEVEN_CATEGORY if source.system == "bls-11-category" else layout.THREE_PART
        vocabulary = layout.VOCABULARIES[source.system]
        unknown: Counter[tuple[str, str]] = Counter()
        self.facts.update(education_system=source.system, education_source=sheet.name)
        for record in records:
            record.update(education_system=source.system, education_source=sheet.name)
            found = by_code.get(record["soc_code"])
            if found is None:
                record["education_status"] = Status.NOT_PUBLISHED.value
                continue
            excel_row, row = found
            texts = {c: parse_text(sheet.cell(row, c)) for c in concepts}
            kinds = {
                "value" if t and t not in layout.NOT_AVAILABLE_MARKERS else ("dash" if t else "blank")
                for t in texts.values()
            }
            if len(kinds) > 1:
                shown = ", ".join(f"{c}={t!r}" for c, t in texts.items())
                raise self.book.fail(
                    sheet.name, f"row {excel_row} ({record['soc_code']}) mixes categories and dashes/blanks: {shown}"
                )
            kind = kinds.pop()
            if kind == "value":
                record.update(texts)
                record["education_status"] = Status.ESTIMATE.value
                unknown.update((c, t) for c, t in texts.items() if t not in vocabulary[c])
            else:
                record["education_status"] = (Status.NOT_AVAILABLE if kind == "dash" else Status.NOT_PUBLISHED).value
        if unknown:
            shown = "; ".join(f"{c} {t!r} ({n} rows)" for (c, t), n in sorted(unknown.items()))
            self.warn(sheet.name, f"categories outside the declared {source.system} vocabulary (kept): {shown}")
        self._coverage(sheet, by_code, records, "education and training categories")

    def parse(self) -> ParsedRelease:
        records = self.projections()
        self.wages(records)
        self.education(records)
        if self.table.skipped:
            self.warn(self.table.name, f"skipped rows without an occupation code: {'; '.join(self.table.skipped)}")
        types = Counter(r["occ_type"] for r in records)
        self.facts.update(
            base_year=self.cycle.base,
            target_year=self.cycle.target,
            cycle_evidence=self.cycle.evidence,
            soc_system=system_for_year(self.cycle.base),
            era=self.era.name,
            occ_type_source=self.era.occ_type_source,
            line_items=types["line_item"],
            summaries=types["summary"],
        )
        return ParsedRelease(
            product=PRODUCT,
            release_id=self.cycle.release_id,
            label=self.cycle.label,
            source_file=self.label,
            tables={"ep_projections": schema.to_arrow(records, schema.EP_PROJECTIONS)},
            warnings=self.warnings,
            facts=self.facts,
        )


def _listed(items: list[str]) -> str:
    more = f" (+{len(items) - MAX_LISTED} more)" if len(items) > MAX_LISTED else ""
    return ", ".join(items[:MAX_LISTED]) + more


def identify(path: Path, *, display_name: str, expected: str | None = None) -> str:
    """The cycle a workbook holds, '<base>-<target>', read from Table 1.2's title and header."""
    return _open(path, display_name, expected)[1].release_id


def parse(path: Path, *, sha256: str, display_name: str, release_id: str | None = None) -> ParsedRelease:
    """Parse a landed EP occupation workbook. Raises SourceError naming the file and the problem."""
    book, cycle, era, table = _open(path, display_name, release_id)
    return _Parser(book=book, cycle=cycle, era=era, table=table, sha256=sha256).parse()


class EpSource:
    """BLS Employment Projections: the occupation workbook, one projection cycle per file."""

    product = PRODUCT
    tables = (schema.EP_PROJECTIONS,)

    def identify(self, path: Path, *, display_name: str, expected: str | None = None) -> str:
        return identify(path, display_name=display_name, expected=expected)

    def parse(self, path: Path, *, sha256: str, display_name: str, release_id: str) -> ParsedRelease:
        return parse(path, sha256=sha256, display_name=display_name, release_id=release_id)
