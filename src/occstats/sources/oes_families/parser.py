"""Parse one release of an OES Excel family (industry, state, metro, all-data) into curated rows.

One parser for every family: each member of the zip gets its role from its name (layout.ROLES); an
unknown member is an error naming it, never dropped. Each workbook's table is located by header
aliases, then read column by column: calamine's cells become one text array per column, and
markers, numbers and precision are decided with pyarrow compute over whole columns, not cell by
cell. The wage table reuses the estimate table's key arrays, one block per basis x statistic.

A member must hold the year the release claims: its name (M2012), its sheet name and the zip's name
must agree with it. Members BLS shipped that the zip lacks are named in the release's warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from occstats import schema
from occstats.archive import Member, read_members
from occstats.errors import SourceError
from occstats.excel import LocatedTable, locate_table, open_workbook, sheet_rows
from occstats.labels import oes_label
from occstats.markers import Status
from occstats.sources.base import ParsedRelease
from occstats.sources.oes.parser import _top_code
from occstats.sources.oes_families import layout
from occstats.sources.soc.layout import system_for_year

_NUMBER = r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$"
_TRUE = ("true", "t", "yes", "y", "1", "x")
_FALSE = ("", "false", "f", "no", "n", "0")
_STEM_YEAR = re.compile(r"oesm(\d{2})(?:in4|st|ma|all)", re.IGNORECASE)


def _text(value: Any) -> str:
    """One cell as the text it shows: padding trimmed, integral floats without '.0' (codes and counts)."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value.strip()
    if value.__class__ is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if value.__class__ is bool:
        return "TRUE" if value else "FALSE"
    if value.__class__ is int:
        return str(value)
    return f"<{type(value).__name__} {value!r}>"  # a date or time: fails every number check, named there


_KINDS: dict[type, int] = {str: 0, float: 1, type(None): 2}  # a cell's exact type (bool is no int here)
_OTHER = 3


def _column_texts(
    rows: list[list[Any]], width: int, wanted: list[int]
) -> tuple[dict[int, pa.Array], dict[int, pa.Array]]:
    """The `wanted` columns' cells as text (see _text), one Arrow array per column, decided in bulk.

    The cells are Python objects calamine made row by row, so they are visited in that order, a few
    times each and never one at a time in Python: once into an object grid, once for their type (a
    small int), the floats once into a float64 grid and the strings once into one Arrow string array.
    A column is then cut from those by position (floats as Arrow formats them: the shortest round-trip
    digits, as repr; strings trimmed). Arrow writes 1e10 and beyond with an exponent: those few cells, and any cell
    neither text, float nor empty (an int, a bool, a date), go through _text.

    Also returns, per column, where a cell is a plain number: a finite float Arrow wrote without an
    exponent, so its text is digits with at most a '-' and one '.' (no trailing zero after it), a number
    by construction; the figure checks look only at the other cells with a regex.
    """
    n = len(rows)
    if any(len(r) != width for r in rows):
        rows = [r[:width] + [None] * (width - len(r)) for r in rows]
    grid = np.fromiter(chain.from_iterable(rows), dtype=object, count=n * width).reshape(n, width)
    if wanted != list(range(width)):
        grid = grid[:, wanted]
    flat = grid.ravel()
    kinds = np.fromiter(map(_KINDS.get, map(type, flat), repeat(_OTHER)), dtype=np.int8, count=flat.size)
    is_str, is_float, odd = kinds == _KINDS[str], kinds == _KINDS[float], kinds == _OTHER
    floats = np.zeros(flat.size, np.float64)
    floats[is_float] = flat[is_float].astype(np.float64)
    strings = pc.utf8_trim_whitespace(pa.array(flat[is_str], pa.string()))
    where = np.full(flat.size, -1, np.int64)
    where[is_str] = np.arange(len(strings))
    shape = (n, len(wanted))
    floats, where, is_float, odd = (a.reshape(shape) for a in (floats, where, is_float, odd))
    out: dict[int, pa.Array] = {}
    plain: dict[int, pa.Array] = {}
    for j, index in enumerate(wanted):
        at = where[:, j]
        text = pc.take(strings, pa.array(at, mask=at < 0))
        fixed = odd[:, j]
        if is_float[:, j].any():
            number = pc.cast(pa.array(floats[:, j], mask=~is_float[:, j]), pa.string())
            fixed = fixed | pc.fill_null(pc.match_substring(number, "e"), False).to_numpy(zero_copy_only=False)
        else:  # a text column (codes, titles): no float to format
            number = pa.nulls(n, pa.string())
        if fixed.any():
            rows_fixed = np.flatnonzero(fixed)
            cells = grid[rows_fixed, j]
            texts = np.full(n, None, dtype=object)
            texts[rows_fixed] = [_text(v) for v in cells]
            number = pc.coalesce(pa.array(texts, pa.string()), number)
        out[index] = pc.coalesce(text, number, pa.scalar(""))
        plain[index] = pa.array(is_float[:, j] & np.isfinite(floats[:, j]) & ~fixed)
    return out, plain


@dataclass
class _Workbook:
    """One member's table, as one text array per canonical column, with the sheet rows it came from."""

    label: str
    role: layout.Role
    table: LocatedTable
    columns: dict[str, pa.Array]
    rows: pa.Array  # the Excel row number of each kept row
    plain: dict[str, pa.Array]  # where a cell is a plain number (see _column_texts)

    def fail(self, mask: pa.Array, column: str, problem: str) -> None:
        """Raise naming the first row where `mask` holds, the column as published and its cell."""
        index = pc.index(pc.fill_null(mask, False), True).as_py()
        if index < 0:
            return
        count = pc.sum(pc.fill_null(mask, False)).as_py()
        col = self.table.columns.get(column)
        header = self.table.headers[col] if col is not None else column
        cell = self.columns[column][index].as_py() if column in self.columns else ""
        more = f" (+{count - 1} more rows)" if count > 1 else ""
        raise SourceError(
            self.label,
            f"row {self.rows[index].as_py()}, column {header!r}: {cell!r} {problem}{more}",
            sheet=self.table.sheet,
        )

    def text(self, name: str) -> pa.Array | None:
        return self.columns.get(name)


def _role(member: Member, family: layout.Family, archive: str) -> layout.Role:
    matches = [r for r in family.roles if re.search(r.pattern, member.base_name, re.IGNORECASE)]
    if len(matches) != 1:
        known = "; ".join(f"{r.name} /{r.pattern}/" for r in family.roles)
        what = "matches no" if not matches else "matches more than one"
        raise SourceError(archive, f"member {member.name!r} {what} {family.name} member role ({known})")
    return matches[0]


def _claimed_years(member: Member, sheet: str | None) -> list[tuple[int, str]]:
    found = []
    for text, where in ((Path(member.base_name).stem, "its name"), (sheet, "its sheet name")):
        if text and (m := re.search(layout.YEAR_IN_NAME, text, re.IGNORECASE)):
            found.append((int(m.group(1)), f"{where} {text!r}"))
    return found


def _read_workbook(member: Member, role: layout.Role, archive: str, year: int, warnings: list[str]) -> _Workbook:
    label = f"{archive}:{member.name}"
    for claimed, where in _claimed_years(member, None):
        if claimed != year:
            raise SourceError(label, f"claims {claimed} ({where}) in the {year} release")
    book = open_workbook(member, label)
    table = locate_table(
        book, label, layout.COLUMN_ALIASES, anchors=layout.ANCHORS, required=layout.REQUIRED, ignored=layout.IGNORED
    )
    for claimed, where in _claimed_years(Member(member.name, b""), table.sheet):
        if claimed != year:
            raise SourceError(label, f"holds {claimed} ({where}), not {year} as its name and the release say")
    if table.unknown:
        raise SourceError(
            label, f"has column(s) not in the OES family layout: {', '.join(table.unknown)}", sheet=table.sheet
        )
    texts, plain = _column_texts(table.rows, len(table.headers), sorted(set(table.columns.values())))
    columns = {name: texts[index] for name, index in table.columns.items()}
    rows = pa.array(range(table.header_row + 2, table.header_row + 2 + len(table.rows)), pa.int32())
    keep = pc.not_equal(columns["occ_code"], "")
    skipped = _skipped(columns, rows, keep)
    if skipped:
        shown = ", ".join(map(str, skipped[:10])) + (f" (+{len(skipped) - 10} more)" if len(skipped) > 10 else "")
        warnings.append(f"{label}: skipped rows without an occupation code: {shown}")
    kept = {n: pc.filter(a, keep) for n, a in columns.items()}
    plain_kept = {n: pc.filter(plain[index], keep) for n, index in table.columns.items()}
    return _Workbook(label, role, table, kept, pc.filter(rows, keep), plain_kept)


def _skipped(columns: dict[str, pa.Array], rows: pa.Array, keep: pa.Array) -> list[int]:
    dropped = pc.invert(keep)
    any_text = None
    for array in columns.values():
        has = pc.not_equal(array, "")
        any_text = has if any_text is None else pc.or_(any_text, has)
    return [] if any_text is None else pc.filter(rows, pc.and_(dropped, any_text)).to_pylist()


def _figure(
    wb: _Workbook, column: str, scale: int, markers: dict[str, Status], type_: pa.DataType, warnings: list[str]
):
    """(value, status, marker) arrays for one figure column; absent column: not published throughout."""
    n = len(wb.rows)
    texts = wb.text(column)
    if texts is None:
        return pa.nulls(n, type_), pa.repeat(pa.scalar(Status.NOT_PUBLISHED.value), n), pa.nulls(n, pa.string())
    blank = pc.equal(texts, "")
    marker_keys = pa.array(list(markers), pa.string())
    is_marker = pc.is_in(texts, value_set=marker_keys)
    number = _matching(texts, _NUMBER, pc.invert(wb.plain[column]), wb.plain[column])
    wb.fail(
        pc.invert(pc.or_(pc.or_(blank, is_marker), number)),
        column,
        f"is neither a number nor a declared marker ({', '.join(repr(m) for m in markers)})",
    )
    # More than `scale` decimals: only a cell with more than `scale` characters after its first '.' can be.
    dot = pc.find_substring(texts, ".")
    longer = pc.and_(pc.greater_equal(dot, 0), pc.greater(pc.subtract(pc.binary_length(texts), dot), scale + 1))
    digits = r"\.\d*[1-9]" if scale == 0 else rf"\.\d{{{scale}}}\d*[1-9]"
    excess = pc.and_(number, _matching(texts, digits, longer, pa.repeat(pa.scalar(False), len(texts))))
    if pc.any(excess).as_py():
        first = pc.index(excess, True).as_py()
        warnings.append(
            f"{wb.label}: row {wb.rows[first].as_py()}, column {column!r}: {texts[first].as_py()} has more than "
            f"{scale} decimal places (+{pc.sum(excess).as_py() - 1} more); not a published figure, "
            "kept as not_published"
        )
    value_ok = pc.and_(pc.and_(number, pc.invert(blank)), pc.invert(excess))
    clean = pc.if_else(value_ok, pc.replace_substring(texts, ",", ""), pa.scalar(None, pa.string()))
    decimal = pc.cast(clean, pa.decimal128(38, scale))
    value = pc.cast(decimal, type_)
    marker_status = pc.take(
        pa.array([markers[m].value for m in markers], pa.string()), pc.index_in(texts, value_set=marker_keys)
    )
    status = pc.case_when(
        pc.make_struct(value_ok, is_marker, field_names=["v", "m"]),
        pa.scalar(Status.ESTIMATE.value),
        marker_status,
        pa.scalar(Status.NOT_PUBLISHED.value),
    )
    marker = pc.if_else(is_marker, texts, pa.scalar(None, pa.string()))
    return value, status, marker


def _matching(texts: pa.Array, pattern: str, where: pa.Array, elsewhere: pa.Array) -> pa.Array:
    """`pattern` matched against the cells `where` holds; `elsewhere` at the others (known without a look)."""
    if not pc.any(where).as_py():
        return elsewhere
    found = pc.match_substring_regex(pc.filter(texts, where), pattern)
    return pc.replace_with_mask(elsewhere, where, found)


def _flag(wb: _Workbook, column: str) -> pa.Array:
    texts = wb.text(column)
    if texts is None:
        return pa.nulls(len(wb.rows), pa.bool_())
    lower = pc.utf8_lower(texts)
    is_true = pc.is_in(lower, value_set=pa.array(_TRUE))
    wb.fail(
        pc.invert(pc.or_(is_true, pc.is_in(lower, value_set=pa.array(_FALSE)))), column, "is neither TRUE nor blank"
    )
    return is_true


def _lookup(wb: _Workbook, texts: pa.Array, mapping: dict[str, str], column: str, what: str) -> pa.Array:
    keys = pa.array(list(mapping), pa.string())
    index = pc.index_in(texts, value_set=keys)
    wb.fail(pc.is_null(index), column, f"is not a known {what} ({', '.join(repr(k) for k in mapping)})")
    return pc.take(pa.array(list(mapping.values()), pa.string()), index)


def _constant(value: Any, type_: pa.DataType, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, type_), n)


def _or_default(wb: _Workbook, column: str, default: str | None, what: str) -> pa.Array:
    texts = wb.text(column)
    n = len(wb.rows)
    if texts is None:
        if default is None:
            raise SourceError(
                wb.label,
                f"states no {what} (no {column.upper()} column) and its role {wb.role.name!r} declares none",
                sheet=wb.table.sheet,
            )
        return _constant(default, pa.string(), n)
    return texts


def _keys(wb: _Workbook, dataset: str, year: int, month: int | None) -> dict[str, pa.Array]:
    d = wb.role.defaults
    n = len(wb.rows)
    area_type_published = _or_default(wb, "area_type", d.area_type, "area type")
    area_type = _lookup(wb, area_type_published, layout.AREA_TYPES, "area_type", "area type")
    # ownership: OWN_CODE, else the OWNERSHIP label, else the role's default
    if "own_code" in wb.columns:
        ownership = wb.columns["own_code"]
    elif "ownership" in wb.columns:
        ownership = _lookup(
            wb, pc.utf8_lower(wb.columns["ownership"]), layout.OWNERSHIP_LABELS, "ownership", "ownership label"
        )
    else:
        ownership = _or_default(wb, "own_code", d.ownership, "ownership")
    if "naics" in wb.columns:
        naics = wb.columns["naics"]
    elif d.naics is not None:
        naics = _constant(d.naics, pa.string(), n)
    else:  # national_owner before 2019: the cross-industry code of the ownership
        naics = _lookup(wb, ownership, layout.CROSS_INDUSTRY_BY_OWNERSHIP, "ownership", "cross-industry ownership")
    wb.fail(pc.equal(naics, ""), "naics", "is blank: every row needs an industry code")
    if "i_group" in wb.columns:
        level = _lookup(wb, pc.utf8_lower(wb.columns["i_group"]), layout.NAICS_LEVEL_WORDS, "i_group", "industry level")
        level_published = wb.columns["i_group"]
    else:
        level = pa.repeat(pa.scalar(d.naics_level, pa.string()), n)
        level_published = _constant("", pa.string(), n)
    group = wb.text("group")
    group = _constant("", pa.string(), n) if group is None else group
    code = wb.columns["occ_code"]
    wb.fail(pc.invert(pc.match_substring_regex(code, r"^\d{2}-\d{4}$")), "occ_code", "is not a SOC code")
    level_of_group = {g: v for g, v in layout.GROUP_LEVELS.items()}
    lower = pc.utf8_lower(group)
    known = pc.or_(pc.equal(lower, ""), pc.is_in(lower, value_set=pa.array(list(level_of_group))))
    wb.fail(pc.invert(known), "group", f"is not one of {', '.join(repr(g) for g in level_of_group)}")
    # Releases before 2012 label only the total and major groups (as the national parser reads them).
    occ_level = pc.coalesce(
        pc.take(pa.array(list(level_of_group.values())), pc.index_in(lower, value_set=pa.array(list(level_of_group)))),
        pc.if_else(pc.equal(code, "00-0000"), "total", "detailed"),
    )
    area = _or_default(wb, "area", d.area, "area")
    area_title = wb.text("area_title")
    naics_title = wb.text("naics_title")
    title = wb.columns["occ_title"]
    wb.fail(pc.equal(title, ""), "occ_title", "an occupation without a title")
    return {
        "dataset": _constant(dataset, pa.string(), n),
        "ref_year": _constant(year, pa.int16(), n),
        "area_type": area_type,
        "area_code": area,
        "naics_code": naics,
        "ownership_code": ownership,
        "soc_code": code,
        "ref_month": _constant(month, pa.int8(), n),
        "area_title": area_title if area_title is not None else pa.repeat(pa.scalar(d.area_title, pa.string()), n),
        "naics_title": naics_title if naics_title is not None else pa.repeat(pa.scalar(d.naics_title, pa.string()), n),
        "naics_level": level,
        "soc_system": _constant(system_for_year(year), pa.string(), n),
        "occ_title": title,
        "occ_level": occ_level,
        "occ_group_published": group,
        # reference-table columns (not in oes_estimates)
        "_area_type_published": area_type_published,
        "_naics_level_published": level_published,
        "_state": wb.text("state") if wb.text("state") is not None else pa.nulls(n, pa.string()),
    }


def _tables(
    wb: _Workbook, keys: dict[str, pa.Array], top: Any, sha256: str, warnings: list[str]
) -> tuple[pa.Table, pa.Table]:
    n = len(wb.rows)
    est_tbl, wage_tbl = schema.OES_ESTIMATES, schema.OES_WAGES
    provenance = {
        "source_sha256": _constant(sha256, pa.string(), n),
        "source_file": _constant(wb.label, pa.string(), n),
    }
    columns: dict[str, pa.Array] = {**keys, **provenance}
    for column, (name, status_name, scale, markers) in layout.ESTIMATE_FIGURES.items():
        value, status, marker = _figure(wb, column, scale, markers, est_tbl.column(name).type, warnings)
        columns[name], columns[status_name] = value, status
        if name == "employment":
            columns["employment_marker"] = marker
    columns["annual_only"] = _flag(wb, "annual")
    columns["hourly_only"] = _flag(wb, "hourly")
    estimates = pa.table({c.name: columns[c.name] for c in est_tbl.columns}, schema=est_tbl.arrow_schema())
    blocks: dict[str, list[pa.Array]] = {c.name: [] for c in wage_tbl.columns}
    bound_type = wage_tbl.column("bound").type
    for (basis, stat), column in layout.WAGE_COLUMNS.items():
        value, status, marker = _figure(
            wb, column, layout.WAGE_SCALE[basis], layout.WAGE_MARKERS, wage_tbl.column("value").type, warnings
        )
        other_only = columns["annual_only"] if basis == "hourly" else columns["hourly_only"]
        status = pc.if_else(
            pc.and_(pc.fill_null(other_only, False), pc.equal(status, Status.NOT_AVAILABLE.value)),
            Status.NOT_RELEASED.value,
            status,
        )
        top_coded = pc.equal(status, Status.TOP_CODED.value)
        if top is None and pc.any(top_coded).as_py():
            wb.fail(top_coded, column, "is top-coded ('#') but no threshold is known for the release")
        block = {
            **columns,
            "basis": _constant(basis, pa.string(), n),
            "statistic": _constant(stat, pa.string(), n),
            "value": value,
            "status": status,
            "marker": marker,
            "bound": pc.if_else(
                top_coded, pa.scalar(None if top is None else top.bound(basis), bound_type), pa.scalar(None, bound_type)
            ),
            "bound_comparison": pc.if_else(
                top_coded, pa.scalar(top and top.comparison, pa.string()), pa.scalar(None, pa.string())
            ),
            "bound_source": pc.if_else(
                top_coded, pa.scalar(top and top.source, pa.string()), pa.scalar(None, pa.string())
            ),
        }
        for name in blocks:
            blocks[name].append(block[name])
    wages = pa.table(
        {c.name: pa.chunked_array(blocks[c.name], c.type) for c in wage_tbl.columns}, schema=wage_tbl.arrow_schema()
    )
    return estimates, wages


def _notes(members: list[Member], archive: str) -> tuple[str, set[str]]:
    """The text of the release's description workbooks, and the member names file_descriptions lists."""
    texts: list[str] = []
    listed: set[str] = set()
    for member in members:
        if not re.search(layout.DESCRIPTION_MEMBER, member.base_name, re.IGNORECASE):
            continue
        label = f"{archive}:{member.name}"
        book = open_workbook(member, label)
        for sheet in book.sheet_names:
            for row in sheet_rows(book, sheet, label):
                cells = [str(c).strip() for c in row if isinstance(c, str) and c.strip()]
                if member.base_name.lower().startswith("field"):
                    texts.extend(cells)
                listed.update(c.lower() for c in cells if re.match(r"^[\w-]+\.xlsx?$", c))
    return "\n".join(texts), listed


def _year_of_zip(name: str) -> int | None:
    match = _STEM_YEAR.search(name)
    return 2000 + int(match.group(1)) if match else None


def parse(
    path: Path, family: layout.Family, *, sha256: str, display_name: str, expected_year: int | None
) -> ParsedRelease:
    members = read_members(path, display_name=display_name)
    zip_year = _year_of_zip(Path(display_name).name)
    year = expected_year or zip_year
    if year is None:
        claims = [y for m in members for y, _ in _claimed_years(m, None)]
        year = claims[0] if claims else None
    if year is None:
        raise SourceError(display_name, "does not say which survey year it holds; give it with --year")
    if zip_year is not None and expected_year is not None and zip_year != expected_year:
        raise SourceError(display_name, f"is the {zip_year} release (its name), not {expected_year} as expected")
    notes, listed = _notes(members, display_name)
    data_members = [m for m in members if not re.search(layout.DESCRIPTION_MEMBER, m.base_name, re.IGNORECASE)]
    if not data_members:
        raise SourceError(
            display_name, f"holds no {family.name} workbook (members: {', '.join(m.name for m in members)})"
        )
    roles = {m.name: _role(m, family, display_name) for m in data_members}  # every member named, before any is read
    top = _top_code(notes, year)
    month = 5
    warnings: list[str] = []
    estimates, wages, areas, industries = [], [], [], []
    facts_rows: dict[str, int] = {}
    for member in data_members:
        wb = _read_workbook(member, roles[member.name], display_name, year, warnings)
        if not len(wb.rows):
            raise SourceError(wb.label, "holds a header but no occupation rows", sheet=wb.table.sheet)
        keys = _keys(wb, family.dataset, year, month)
        est, wag = _tables(wb, keys, top, sha256, warnings)
        estimates.append(est)
        wages.append(wag)
        areas.append(_areas(keys, wb, sha256))
        industries.append(_industries(keys, wb, sha256))
        facts_rows[member.name] = est.num_rows
    warnings.extend(_missing(family, year, data_members, roles, listed, display_name))
    estimate_table = pa.concat_tables(estimates)
    _unique(estimate_table, display_name)
    return ParsedRelease(
        product=family.product,
        release_id=str(year),
        label=f"{oes_label(year, month)} ({family.name})",
        source_file=display_name,
        tables={
            "oes_estimates": estimate_table,
            "oes_wages": pa.concat_tables(wages),
            "oes_areas": _distinct(pa.concat_tables(areas), schema.OES_AREAS),
            "oes_industries": _distinct(pa.concat_tables(industries), schema.OES_INDUSTRIES),
        },
        warnings=warnings,
        facts={
            "ref_year": year,
            "ref_month": month,
            "family": family.name,
            "estimates_by_member": facts_rows,
            "soc_system": system_for_year(year),
            "top_code": None
            if top is None
            else {
                "hourly": str(top.hourly),
                "annual": str(top.annual),
                "comparison": top.comparison,
                "source": top.source,
            },
        },
    )


# reference-table column -> the key array it is (the rest: provenance)
_AREA_KEYS = {"area_type_published": "_area_type_published", "state_code": "_state"}
_INDUSTRY_KEYS = {"naics_level_published": "_naics_level_published"}


def _reference(
    tbl: schema.Table, renamed: dict[str, str], keys: dict[str, pa.Array], wb: _Workbook, sha256: str
) -> pa.Table:
    """oes_areas / oes_industries rows of a workbook: its key arrays, then the file's provenance."""
    n = len(wb.rows)
    columns = {
        "source_sha256": _constant(sha256, pa.string(), n),
        "source_file": _constant(wb.label, pa.string(), n),
    }
    for c in tbl.columns:
        if c.name not in columns:
            columns[c.name] = keys[renamed.get(c.name, c.name)]
    return pa.table({c.name: columns[c.name] for c in tbl.columns}, schema=tbl.arrow_schema())


def _areas(keys: dict[str, pa.Array], wb: _Workbook, sha256: str) -> pa.Table:
    return _reference(schema.OES_AREAS, _AREA_KEYS, keys, wb, sha256)


def _industries(keys: dict[str, pa.Array], wb: _Workbook, sha256: str) -> pa.Table:
    return _reference(schema.OES_INDUSTRIES, _INDUSTRY_KEYS, keys, wb, sha256)


def _distinct(table: pa.Table, tbl: schema.Table) -> pa.Table:
    """One row per key (the first seen: each estimate row repeats its area and industry)."""
    indexed = table.append_column("_i", pa.array(range(table.num_rows), pa.int64()))
    first = indexed.group_by(list(tbl.key), use_threads=False).aggregate([("_i", "min")])["_i_min"]
    return table.take(pc.take(first, pc.sort_indices(first)))


def _unique(table: pa.Table, label: str) -> None:
    key = list(schema.OES_ESTIMATES.key)
    counts = table.group_by(key, use_threads=False).aggregate([([], "count_all")])
    dup = pc.greater(counts["count_all"], 1)
    if pc.any(dup).as_py():
        row = counts.filter(dup).slice(0, 1).to_pylist()[0]
        shown = ", ".join(f"{k}={row[k]!r}" for k in key if k not in ("dataset", "ref_year"))
        raise SourceError(label, f"{pc.sum(dup).as_py()} estimates published twice across its members, e.g. {shown}")


def _missing(
    family: layout.Family,
    year: int,
    members: list[Member],
    roles: dict[str, layout.Role],
    listed: set[str],
    archive: str,
) -> list[str]:
    held = {m.base_name.lower() for m in members}
    if listed:  # the release's own file_descriptions
        absent = sorted(n for n in listed if n not in held and not re.search(layout.DESCRIPTION_MEMBER, n))
        evidence = "its file_descriptions lists"
    else:
        present = {r.name for r in roles.values()}
        absent = [r for r in family.shipped_roles(year) if r not in present]
        evidence = f"BLS shipped (layout, {family.name} {year})"
    if not absent:
        return []
    return [f"{archive}: {evidence} {', '.join(absent)}, not in this zip; curated what is there"]


class FamilySource:
    """One OES Excel family; the same parser for all."""

    tables = (schema.OES_ESTIMATES, schema.OES_WAGES, schema.OES_AREAS, schema.OES_INDUSTRIES)

    def __init__(self, family: layout.Family) -> None:
        self.family = family
        self.product = family.product

    def identify(self, path: Path, *, display_name: str, expected: str | None = None) -> str:
        year = _year_of_zip(Path(display_name).name)
        if year is None:
            claims = sorted(
                {y for m in read_members(path, display_name=display_name) for y, _ in _claimed_years(m, None)}
            )
            if len(claims) > 1:
                raise SourceError(display_name, f"its members claim several years: {claims}")
            year = claims[0] if claims else (int(expected) if expected else None)
        if year is None:
            raise SourceError(display_name, "does not say which survey year it holds; give it with --year")
        if expected and str(year) != expected:
            raise SourceError(display_name, f"holds {year}, not {expected} as expected")
        return str(year)

    def parse(self, path: Path, *, sha256: str, display_name: str, release_id: str) -> ParsedRelease:
        return parse(path, self.family, sha256=sha256, display_name=display_name, expected_year=int(release_id))
