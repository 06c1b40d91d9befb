"""Parse one OES/OEWS national cross-industry release (zip or workbook) into curated rows.

One mechanism for every era: locate the header by aliases, read each cell as (value, status,
marker), and turn the wide wage columns into long rows. Era differences live in `oes_layout`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from occstats import schema
from occstats.archive import Member, find_member, pick_member, read_members
from occstats.cells import Cell, CellError, ExcessPrecision, parse_cell, parse_flag, parse_text
from occstats.errors import SourceError
from occstats.excel import LocatedTable, locate_table, open_workbook, sheet_rows, workbook_formulas
from occstats.labels import oes_label
from occstats.markers import Status
from occstats.sources.base import ParsedRelease
from occstats.sources.oes import layout
from occstats.sources.oes.catalog import CATALOG
from occstats.sources.soc.layout import system_for_year

DATASET = "oes_national"

_TITLE = re.compile(
    r"\b(?:(May|November)\s+)?((?:19|20)\d{2})\s+(?:National\s+)?OE(?:W)?S\s+Estimates\b", re.IGNORECASE
)
_LEGEND = re.compile(
    r"#\s*=\s*indicates\s+a\s+wage\s+(?:that\s+is\s+)?(equal\s+to\s+or\s+greater\s+than|greater\s+than)"
    r"\s*\$\s*([\d,]+(?:\.\d+)?)\s*per\s+hour\s+or\s+\$\s*([\d,]+)\s*(?:per\s+year|annually)",
    re.IGNORECASE,
)
_MEMBER_YEAR = re.compile(r"(?:^|[_-])(?:m|may)?_?((?:19|20)\d{2})(?=[_.-]|$)", re.IGNORECASE)
_ZIP_YEAR = re.compile(r"oesm?(\d{2})nat", re.IGNORECASE)
_MONTHS = {"may": 5, "november": 11}


@dataclass(frozen=True)
class Identity:
    year: int
    month: int | None
    evidence: str


@dataclass(frozen=True)
class _Opened:
    label: str
    table: LocatedTable
    identity: Identity
    notes: str


def _open(path: Path, display_name: str, expected_year: int | None) -> _Opened:
    """Find the workbook (in a zip or alone), its table, its own notes, and which survey it is."""
    members = read_members(path, display_name=display_name)
    single = len(members) == 1 and members[0].name == Path(display_name).name
    member = (
        members[0]
        if single
        else pick_member(members, layout.WORKBOOK_MEMBER, display_name, "OES national workbook (national*.xls/.xlsx)")
    )
    label = display_name if single else f"{display_name}:{member.name}"
    workbook = open_workbook(member, label)
    table = locate_table(
        workbook,
        label,
        layout.COLUMN_ALIASES,
        anchors=layout.ANCHORS,
        required=layout.REQUIRED,
        ignored=layout.IGNORED,
        formulas=workbook_formulas(member),
    )
    notes = _release_notes(workbook, table, label, find_member(members, layout.FIELD_DESCRIPTIONS_MEMBER))
    identity = _identify(notes, member.name, display_name, expected_year, label)
    return _Opened(label, table, identity, notes)


def parse(path: Path, *, sha256: str, display_name: str, expected_year: int | None = None) -> ParsedRelease:
    """Parse a landed OES national file. Raises SourceError naming the file and the problem."""
    opened = _open(path, display_name, expected_year)
    label, table, identity, notes = opened.label, opened.table, opened.identity, opened.notes
    era = layout.era_for(identity.year)
    top_code = _top_code(notes, identity.year)
    warnings: list[str] = []
    if table.unknown:
        warnings.append(f"{label}: ignored column(s) not in the OES layout: {', '.join(table.unknown)}")
    reader = _RowReader(
        table=table,
        label=label,
        era=era,
        top_code=top_code,
        year=identity.year,
        month=identity.month,
        sha256=sha256,
        source_file=label,
        warnings=warnings,
    )
    estimates, wages = reader.read()
    if not estimates:
        raise SourceError(label, "holds a header but no occupation rows", sheet=table.sheet)
    return ParsedRelease(
        product="oes",
        release_id=str(identity.year),
        label=oes_label(identity.year, identity.month),
        source_file=label,
        tables={
            "oes_estimates": schema.to_arrow(estimates, schema.OES_ESTIMATES),
            "oes_wages": schema.to_arrow(wages, schema.OES_WAGES),
        },
        warnings=warnings,
        facts={
            "ref_year": identity.year,
            "ref_month": identity.month,
            "year_evidence": identity.evidence,
            "soc_system": system_for_year(identity.year),
            "top_code": None
            if top_code is None
            else {
                "hourly": str(top_code.hourly),
                "annual": str(top_code.annual),
                "comparison": top_code.comparison,
                "source": top_code.source,
            },
        },
    )


def _release_notes(workbook: Any, table: LocatedTable, label: str, field_descriptions: Member | None) -> str:
    """All the text a release says about itself: notes above the header and field descriptions."""
    texts: list[str] = []
    rows = sheet_rows(workbook, table.sheet, label)
    texts.extend(str(c) for row in rows[: table.header_row] for c in row if isinstance(c, str) and c.strip())
    for sheet in workbook.sheet_names:
        if "field" in sheet.lower() and "desc" in sheet.lower():
            texts.extend(_strings(sheet_rows(workbook, sheet, label)))
    if field_descriptions is not None:
        fd_label = f"{label.split(':')[0]}:{field_descriptions.name}"
        fd_book = open_workbook(field_descriptions, fd_label)
        for sheet in fd_book.sheet_names:
            texts.extend(_strings(sheet_rows(fd_book, sheet, fd_label)))
    return "\n".join(texts)


def _strings(rows: list[list[Any]]) -> list[str]:
    return [str(c) for row in rows for c in row if isinstance(c, str) and c.strip()]


def _identify(notes: str, member_name: str, display_name: str, expected: int | None, label: str) -> Identity:
    """Which survey the file is, from its own words first, then its file names."""
    found: Identity | None = None
    if match := _TITLE.search(notes):
        month = _MONTHS.get((match.group(1) or "").lower())
        year = int(match.group(2))
        found = Identity(year, month or CATALOG.ref_month(year), f"title {match.group(0)!r}")
    elif match := _MEMBER_YEAR.search(Path(member_name).stem):
        year = int(match.group(1))
        found = Identity(year, CATALOG.ref_month(year), f"workbook name {Path(member_name).name!r}")
    elif match := _ZIP_YEAR.search(Path(display_name).name):
        yy = int(match.group(1))
        year = 1900 + yy if yy >= 90 else 2000 + yy
        found = Identity(year, CATALOG.ref_month(year), f"zip name {Path(display_name).name!r}")
    if found and expected and found.year != expected:
        raise SourceError(label, f"is the {found.year} release ({found.evidence}), not {expected} as expected")
    if found:
        return found
    if expected:
        return Identity(expected, CATALOG.ref_month(expected), "given by the catalog or --year")
    raise SourceError(label, "does not say which survey year it holds; give it with --year")


def _top_code(notes: str, year: int) -> layout.TopCode | None:
    if match := _LEGEND.search(notes):
        comparison = ">=" if "equal" in match.group(1).lower() else ">"
        return layout.TopCode(
            hourly=Decimal(match.group(2).replace(",", "")).quantize(Decimal("0.01")),
            annual=Decimal(match.group(3).replace(",", "")),
            comparison=comparison,
            source="release: field descriptions / notes",
        )
    return layout.declared_top_code(year)


@dataclass
class _RowReader:
    table: LocatedTable
    label: str
    era: layout.Era
    top_code: layout.TopCode | None
    year: int
    month: int | None
    sha256: str
    source_file: str
    warnings: list[str]

    def read(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        estimates: list[dict[str, Any]] = []
        wages: list[dict[str, Any]] = []
        skipped: list[str] = []
        unpublished_with_values = 0
        code_re = re.compile(self.era.code_pattern)
        soc_system = system_for_year(self.year)
        for offset, row in enumerate(self.table.rows):
            excel_row = self.table.header_row + offset + 2
            code = parse_text(self.table.cell(row, "occ_code"))
            title = parse_text(self.table.cell(row, "occ_title"))
            if not code:
                if any(parse_text(c) for c in row):
                    skipped.append(f"row {excel_row} ({title or 'untitled'!r})")
                continue
            if not code_re.match(code):
                self._fail(excel_row, "occ_code", f"occupation code {code!r} is not a {self.era.name} code")
            keys = self._keys(row, excel_row, code, soc_system)
            estimate, flags = self._estimate(row, excel_row, code, title, keys)
            estimates.append(estimate)
            for (basis, stat), column in layout.WAGE_COLUMNS.items():
                raw = self.table.cell(row, column)
                defect = layout.known_defect(self.year, code, column, parse_text(raw))
                if (basis, stat) in self.era.unpublished:
                    unpublished_with_values += parse_text(raw) != ""
                    cell = Cell(None, Status.NOT_PUBLISHED, None)
                elif defect is not None:
                    self.warnings.append(f"{self.label}: row {excel_row} {code} {column}: withheld, {defect.reason}")
                    cell = Cell(None, Status.REJECTED, defect.published)
                else:
                    cell = self._cell(row, excel_row, column, layout.WAGE_SCALE[basis], layout.WAGE_MARKERS)
                wages.append(self._wage(keys, estimate["occ_level"], basis, stat, cell, flags, excel_row, column))
        if skipped:
            self.warnings.append(f"{self.label}: skipped rows without an occupation code: {'; '.join(skipped)}")
        if unpublished_with_values:
            self.warnings.append(
                f"{self.label}: {unpublished_with_values} cells hold values in columns the release does not "
                f"publish ({self.era.unpublished_note}); kept as not_published, values ignored"
            )
        return estimates, wages

    def _keys(self, row: list[Any], excel_row: int, code: str, soc_system: str) -> dict[str, Any]:
        def text(name: str) -> str:
            value = parse_text(self.table.cell(row, name)) if name in self.table.columns else ""
            return value or layout.NATIONAL_DEFAULTS[name]

        area_type_code = text("area_type")
        area_type = layout.AREA_TYPES.get(area_type_code, area_type_code)
        if area_type != "national":
            self._fail(excel_row, "area_type", f"area type {area_type_code!r} is not national; not a national file")
        return {
            "dataset": DATASET,
            "ref_year": self.year,
            "ref_month": self.month,
            "area_type": area_type,
            "area_code": text("area"),
            "naics_code": text("naics"),
            "ownership_code": text("own_code"),
            "soc_code": code,
            "soc_system": soc_system,
        }

    def _estimate(
        self, row: list[Any], excel_row: int, code: str, title: str, keys: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, bool | None]]:
        group = parse_text(self.table.cell(row, "group"))
        level = self._level(group, code, excel_row)
        employment = self._cell(row, excel_row, "tot_emp", 0, self.era.employment_markers)
        emp_rse = self._cell(row, excel_row, "emp_prse", 1, self.era.employment_rse_markers)
        mean_rse = self._cell(row, excel_row, "mean_prse", 1, layout.MEAN_RSE_MARKERS)
        flags = {
            "annual_only": self._flag(row, "annual", excel_row),
            "hourly_only": self._flag(row, "hourly", excel_row),
        }
        if not title:
            self._fail(excel_row, "occ_title", f"occupation {code} has no title")
        estimate = {
            **keys,
            "occ_title": title,
            "occ_level": level,
            "occ_group_published": group,
            "employment": None if employment.value is None else int(employment.value),
            "employment_status": employment.status.value,
            "employment_marker": employment.marker,
            "employment_rse_pct": emp_rse.value,
            "employment_rse_status": emp_rse.status.value,
            "wage_mean_rse_pct": mean_rse.value,
            "wage_mean_rse_status": mean_rse.status.value,
            **flags,
            "source_sha256": self.sha256,
            "source_file": self.source_file,
        }
        return estimate, flags

    def _level(self, group: str, code: str, excel_row: int) -> str:
        if group:
            level = self.era.group_levels.get(group.lower())
            if level is None:
                known = ", ".join(repr(g) for g in self.era.group_levels)
                self._fail(excel_row, "group", f"group label {group!r} is not one of {known}")
            return level
        # Releases before 2012 label only the total and major groups.
        return "total" if code == "00-0000" else "detailed"

    def _flag(self, row: list[Any], name: str, excel_row: int) -> bool | None:
        if name not in self.table.columns:
            return None
        try:
            return parse_flag(self.table.cell(row, name))
        except CellError as exc:
            self._fail(excel_row, name, str(exc))
            raise  # unreachable: _fail raises

    def _wage(
        self,
        keys: dict[str, Any],
        level: str,
        basis: str,
        stat: str,
        cell: Cell,
        flags: dict[str, bool | None],
        excel_row: int,
        column: str,
    ) -> dict[str, Any]:
        status = cell.status
        other_only = flags["annual_only"] if basis == "hourly" else flags["hourly_only"]
        if other_only and status is Status.NOT_AVAILABLE:
            status = Status.NOT_RELEASED
        bound = comparison = source = None
        if status is Status.TOP_CODED:
            if self.top_code is None:
                self._fail(excel_row, column, f"'#' (top-coded) but no threshold is known for {self.year}")
            bound = self.top_code.bound(basis)
            comparison = self.top_code.comparison
            source = self.top_code.source
        return {
            **{
                k: keys[k]
                for k in (
                    "dataset",
                    "ref_year",
                    "ref_month",
                    "area_type",
                    "area_code",
                    "naics_code",
                    "ownership_code",
                    "soc_code",
                    "soc_system",
                )
            },
            "occ_level": level,
            "basis": basis,
            "statistic": stat,
            "value": cell.value,
            "status": status.value,
            "marker": cell.marker,
            "bound": bound,
            "bound_comparison": comparison,
            "bound_source": source,
            "source_sha256": self.sha256,
            "source_file": self.source_file,
        }

    def _cell(self, row: list[Any], excel_row: int, column: str, scale: int, markers: dict[str, Status]) -> Cell:
        raw = self.table.cell(row, column)
        if self.table.is_formula(excel_row - self.table.header_row - 2, column):
            # A formula is someone's arithmetic, whatever value it cached: 1997's re-save sums the
            # employment of division 80000 (=SUM(...)) and divides its annual mean.
            self.warnings.append(
                f"{self.label}: row {excel_row}, column {column!r}: holds a formula (cached value {raw!r}), "
                "not a published figure; kept as not_published"
            )
            return Cell(None, Status.NOT_PUBLISHED, None)
        try:
            return parse_cell(raw, scale=scale, markers=markers)
        except ExcessPrecision as exc:
            # BLS never publishes these: someone else's arithmetic pasted as a value (a formula is caught above).
            self.warnings.append(f"{self.label}: row {excel_row}, column {column!r}: {exc}; kept as not_published")
            return Cell(None, Status.NOT_PUBLISHED, None)
        except CellError as exc:
            self._fail(excel_row, column, str(exc))
            raise  # unreachable

    def _fail(self, excel_row: int, column: str, problem: str) -> None:
        index = self.table.columns.get(column)
        header = self.table.headers[index] if index is not None else column
        raise SourceError(self.label, f"row {excel_row}, column {header!r}: {problem}", sheet=self.table.sheet)


class OesSource:
    """OES/OEWS national cross-industry estimates."""

    product = "oes"
    tables = (schema.OES_ESTIMATES, schema.OES_WAGES)

    def identify(self, path: Path, *, display_name: str, expected: str | None = None) -> str:
        return str(_open(path, display_name, int(expected) if expected else None).identity.year)

    def parse(self, path: Path, *, sha256: str, display_name: str, release_id: str) -> ParsedRelease:
        return parse(path, sha256=sha256, display_name=display_name, expected_year=int(release_id))
