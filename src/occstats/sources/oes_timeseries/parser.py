"""Parse one release of the OEWS time-series database (`oe.data.0.Current` + its code lists), columnar.

Six million figures do not go through Python one by one: the data file is read by pyarrow.csv, series
ids (all 25 ASCII bytes) are sliced as a byte matrix, footnote codes become statuses through a lookup of
the few distinct footnote strings, and the 17 datatypes are scattered into one row per estimate with
numpy index arithmetic. Rows come out in the tables' cluster order (soc_code, area_code, naics_code), an
estimate's 12 wage rows together, so the store need not sort 4.4 M rows; string columns are dictionary-
encoded (an estimate's keys repeated twelve times cost an index each), so the wage table is a fraction
of its decoded size. Delta stores them as plain strings.

Every check that can fail names the file and the line: a line cut short, a series id of the wrong
length, an unknown datatype or footnote code, a duplicated series, a value that is neither a number
nor '-'.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from occstats import schema
from occstats.errors import SourceError
from occstats.fetch import sha256_file
from occstats.markers import Status
from occstats.sources.base import ParsedRelease
from occstats.sources.oes_timeseries import layout
from occstats.sources.soc.layout import system_for_year

DATASET = "oes_timeseries"
PRODUCT_NAME = "oes_timeseries"
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        )
    )
}


# -- the release's files -------------------------------------------------------------------------
_LANDING = re.compile(r"^\d{8}T\d{6,}Z-[0-9a-f]{12}$")  # a raw-store landing folder: <landed-at>-<sha12>


@dataclass(frozen=True)
class ReleaseFiles:
    """The data file and the code lists of one release (role -> path, see layout.LOOKUP_FILES)."""

    data: Path
    lookups: dict[str, Path]

    @classmethod
    def beside(cls, data: Path) -> ReleaseFiles:
        """The code lists next to the data file, or in the newest other landing of the same release.

        The raw store keeps each landing in `<release>/<landed-at>-<sha12>/`: a pipeline that lands
        the code lists in the data file's own folder, or each as its own landing of the release, both work.
        """
        found: dict[str, Path] = {}
        siblings: list[Path] = []
        if _LANDING.match(data.parent.name):  # only in the raw store: never another folder's files
            release_dir = data.parent.parent
            siblings = sorted((p for p in release_dir.iterdir() if _LANDING.match(p.name)), reverse=True)
        for role, name in layout.LOOKUP_FILES.items():
            candidates = [data.parent / name, *(folder / name for folder in siblings)]
            path = next((c for c in candidates if c.is_file()), None)
            if path is None:
                raise SourceError(
                    data.name, f"the release's code list {name} is not beside it (nor landed with its release)"
                )
            found[role] = path
        return cls(data, found)

    @classmethod
    def landed(cls, data: Path, companions: Mapping[str, Path]) -> ReleaseFiles:
        """The code lists the pipeline landed with the data file (file name -> landed path)."""
        missing = [name for name in layout.LOOKUP_FILES.values() if name not in companions]
        if missing:
            raise SourceError(data.name, f"the release's code list(s) {', '.join(missing)} were not landed with it")
        return cls(data, {role: Path(companions[name]) for role, name in layout.LOOKUP_FILES.items()})


@dataclass(frozen=True)
class _Lookup:
    label: str
    header: list[str]
    rows: list[list[str]]  # each row's fields, whitespace trimmed
    lines: list[int]  # the file line of each row

    def column(self, name: str) -> list[str]:
        return [row[self.header.index(name)] for row in self.rows]


def _read_lookup(path: Path, role: str) -> _Lookup:
    """A small tab-separated code list, read by header name (BLS pads and reorders columns over the years)."""
    label = path.name
    text = path.read_bytes().decode("utf-8-sig", errors="strict")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = [[field.strip() for field in row] for row in reader]
    if not rows:
        raise SourceError(label, "is empty")
    header = [h.lower() for h in rows[0]]
    missing = [c for c in layout.LOOKUP_COLUMNS[role] if c not in header]
    if missing:
        raise SourceError(label, f"line 1: header lacks {', '.join(missing)} (found {', '.join(header)})")
    body, lines = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        if len(row) < len(header):
            raise SourceError(label, f"line {number}: {len(row)} fields where the header has {len(header)}")
        body.append(row)
        lines.append(number)
    return _Lookup(label, header, body, lines)


@dataclass(frozen=True)
class TopCode:
    hourly: Decimal
    annual: Decimal
    comparison: str
    source: str


@dataclass(frozen=True)
class CodeLists:
    """The release's code lists, checked against the layout's declarations."""

    areas: _Lookup
    industries: _Lookup
    occupations: _Lookup
    footnote_status: dict[str, Status | None]
    top_code: TopCode | None
    year: int
    month: int

    @classmethod
    def read(cls, files: ReleaseFiles) -> CodeLists:
        lookups = {role: _read_lookup(path, role) for role, path in files.lookups.items()}
        _check_datatypes(lookups["datatype"])
        statuses, top_code = _check_footnotes(lookups["footnote"])
        year, month = _release(lookups["release"])
        return cls(lookups["area"], lookups["industry"], lookups["occupation"], statuses, top_code, year, month)


def _check_datatypes(table: _Lookup) -> None:
    published = dict(zip(table.column("datatype_code"), table.column("datatype_name"), strict=True))
    for code, line in zip(table.column("datatype_code"), table.lines, strict=True):
        declared = layout.DATATYPE_BY_CODE.get(code)
        if declared is None:
            raise SourceError(table.label, f"line {line}: datatype {code} ({published[code]!r}) is not in the layout")
        if declared.name.lower() != published[code].lower():
            raise SourceError(
                table.label,
                f"line {line}: datatype {code} is {published[code]!r}; the layout expects {declared.name!r}",
            )
    absent = [d.code for d in layout.DATATYPES if d.code not in published]
    if absent:
        raise SourceError(table.label, f"lacks datatype(s) {', '.join(absent)} the layout declares")


def _check_footnotes(table: _Lookup) -> tuple[dict[str, Status | None], TopCode | None]:
    statuses: dict[str, Status | None] = {}
    top_code: TopCode | None = None
    for code, text, line in zip(table.column("footnote_code"), table.column("footnote_text"), table.lines, strict=True):
        declared = layout.FOOTNOTE_BY_CODE.get(code)
        if declared is None:
            raise SourceError(table.label, f"line {line}: footnote {code} ({text!r}) is not in the layout")
        if not re.search(declared.text_pattern, text, re.IGNORECASE):
            raise SourceError(
                table.label,
                f"line {line}: footnote {code} reads {text!r}; the layout expects /{declared.text_pattern}/",
            )
        statuses[code] = declared.status
        if declared.status is Status.TOP_CODED:
            match = layout.TOP_CODE_TEXT.search(text)
            if match is None:
                raise SourceError(table.label, f"line {line}: cannot read the top-coding threshold from {text!r}")
            top_code = TopCode(
                hourly=Decimal(match.group(2).replace(",", "")).quantize(Decimal("0.01")),
                annual=Decimal(match.group(3).replace(",", "")),
                comparison=">=" if "equal" in match.group(1).lower() else ">",
                source=f"release: {table.label} footnote {code}",
            )
    return statuses, top_code


def _release(table: _Lookup) -> tuple[int, int]:
    if len(table.rows) != 1:
        raise SourceError(table.label, f"lists {len(table.rows)} releases; a data file holds one")
    description = table.column("description")[0]
    match = layout.RELEASE_DESCRIPTION.match(description)
    if not match:
        raise SourceError(table.label, f"line {table.lines[0]}: cannot read a month and year from {description!r}")
    return int(match.group(2)), _MONTHS[match.group(1).lower()]


# -- the data file -------------------------------------------------------------------------------
def _line_of(path: Path, text: str) -> int | None:
    """The line holding `text` (only on the error path: a scan of the file)."""
    target = text.encode()
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.rstrip(b"\r\n") == target:
                return number
    return None


def _line_text(path: Path, wanted: int) -> str:
    """Line `wanted` of the file (only on the error path: a scan of the file)."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == wanted:
                return line.decode("utf-8", errors="replace").rstrip("\r\n")
    return ""


@dataclass(frozen=True)
class _Lines:
    """Where lines of the data file are, for error messages: a row index + offset + 2 is its line."""

    label: str
    path: Path
    offset: int = 0  # rows before this block

    def fail_at(self, mask: pa.Array | pa.ChunkedArray | np.ndarray, problem: str) -> None:
        """Raise naming the first line where `mask` is true, and quoting it."""
        if isinstance(mask, np.ndarray):
            hits = np.flatnonzero(mask)
            index, count = (int(hits[0]), len(hits)) if len(hits) else (-1, 0)
        else:
            index = pc.index(mask, True).as_py()
            count = pc.sum(mask).as_py() if index >= 0 else 0
        if index < 0:
            return
        line = self.offset + index + 2  # the header is line 1
        fields = [f.strip() for f in _line_text(self.path, line).split("\t")] + ["", "", "", "", ""]
        more = f" (+{count - 1} more lines)" if count > 1 else ""
        raise SourceError(
            self.label,
            f"line {line}: {problem}: series {fields[0]!r}, value {fields[3]!r}, footnote {fields[4]!r}{more}",
        )


@dataclass
class _Series:
    """The data file split into its keys, one entry per line."""

    lines: _Lines
    estimate: np.ndarray  # int32: which estimate (area x industry x occupation) the line belongs to
    keys: pa.Array  # the distinct estimate keys (series id without datatype), in file order
    datatype: np.ndarray  # int8 datatype code
    value: pa.DictionaryArray  # trimmed text: a number or '-' (int32 indices into the distinct texts)
    dash: np.ndarray  # bool: the value is '-'
    footnote: np.ndarray  # int32: the line's footnote text, as its position in `footnotes`
    footnotes: list[str]  # the distinct footnote texts (trimmed)
    status: np.ndarray  # int8: -1 for a figure, else the position in STATUSES of the status a '-' has


STATUSES = [s.value for s in Status]  # statuses as small integers while scattering; strings only in the tables
_CODE = {s: i for i, s in enumerate(STATUSES)}


_COLUMN_TYPES = {
    "series_id": pa.string(),
    "year": pa.dictionary(pa.int32(), pa.string()),  # one value repeated: dictionary-encoded it costs nothing
    "period": pa.dictionary(pa.int32(), pa.string()),
    "value": pa.string(),
    "footnote_codes": pa.string(),
}
# pyarrow.csv parses blocks of this size on every core at once (the streaming reader parses one at a time:
# ~1.2 s for the 331 MB file against ~0.5 s); each block is then reduced and let go, so the padded text of
# the whole file (~0.4 GiB) is held only until its blocks are reduced.
BLOCK_BYTES = 32 << 20


def _records(text: pa.Array, width: int) -> np.ndarray:
    """The bytes of strings all `width` long as a (rows, width) matrix: a view of the array's data, no copy.

    Slicing 6 M series ids with string kernels cost ~1 s; columns of this matrix cost nothing.
    """
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8) if len(text) else np.zeros(0, dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].reshape(len(text), width)


def _strings(records: np.ndarray) -> pa.Array:
    """A string array from a (rows, width) matrix of ASCII bytes (checked by the caller)."""
    rows, width = records.shape
    offsets = np.arange(rows + 1, dtype=np.int32) * width
    return pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(records)))


def _differs(column: pa.ChunkedArray | pa.Array, expected: str) -> pa.Array:
    """Rows whose text is not `expected`: compared once per distinct text of a dictionary column."""
    if pa.types.is_dictionary(column.type):
        combined = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        if not combined.null_count and pc.all(pc.fill_null(pc.equal(combined.dictionary, expected), False)).as_py():
            return pa.array(np.zeros(len(combined), dtype=bool))
        column = combined.dictionary_decode()
    return pc.fill_null(pc.not_equal(column, expected), True)


def _split(path: Path, label: str, lists: CodeLists) -> _Series:
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8", errors="replace")
    header = tuple(h.strip().lower() for h in first.rstrip("\r\n").split("\t"))
    if header != layout.DATA_COLUMNS:
        raise SourceError(label, f"line 1: header {header} is not {layout.DATA_COLUMNS}")
    bad: list[Any] = []

    def invalid(row: Any) -> str:
        bad.append(row)
        return "skip"

    def raise_bad() -> None:
        if bad:
            row = bad[0]
            line = row.number + 1 if row.number is not None else _line_of(path, row.text)
            raise SourceError(
                label,
                f"line {line}: {row.actual_columns} tab-separated field(s) where {row.expected_columns} are "
                f"expected (a line cut short?): {row.text[:80]!r}",
            )

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(
            skip_rows=1, column_names=list(layout.DATA_COLUMNS), block_size=BLOCK_BYTES, use_threads=True
        ),
        parse_options=pacsv.ParseOptions(
            delimiter="\t", quote_char=False, ignore_empty_lines=False, invalid_row_handler=invalid
        ),
        convert_options=pacsv.ConvertOptions(column_types=_COLUMN_TYPES, strings_can_be_null=False),
    )
    spans = {part: (start, stop) for part, start, stop in layout.SERIES_FIELDS}
    datatype_start, datatype_stop = spans["datatype"]
    assert datatype_stop - datatype_start == 2  # a datatype code is two characters: one 16-bit number
    # the two bytes of each declared datatype code, as one number -> the code (-1: not a declared code)
    datatype_of = np.full(1 << 16, -1, dtype=np.int8)
    for d in layout.DATATYPES:
        datatype_of[(ord(d.code[0]) << 8) | ord(d.code[1])] = int(d.code)
    raise_bad()
    blocks: list[pa.RecordBatch | None] = list(table.to_batches())
    offsets = np.cumsum([0] + [b.num_rows for b in blocks if b is not None]).tolist()  # rows before each block
    del table

    def reduce(index: int) -> tuple[pa.DictionaryArray, np.ndarray, pa.DictionaryArray, pa.Array]:
        """One block checked and reduced to (estimate keys, datatype codes, values, footnotes)."""
        batch = blocks[index]
        assert batch is not None  # each block is reduced once
        blocks[index] = None  # the list's reference: the block goes once reduced
        lines = _Lines(label, path, offsets[index])
        series = pc.ascii_trim_whitespace(batch.column("series_id"))
        lines.fail_at(
            pc.not_equal(pc.binary_length(series), layout.SERIES_ID_LENGTH),
            f"a series id must be {layout.SERIES_ID_LENGTH} characters",
        )
        records = _records(series, layout.SERIES_ID_LENGTH)  # every id has the same length: a byte matrix
        if len(records) and records.max() >= 0x80:  # one pass over the bytes; the rows only to name one
            lines.fail_at((records >= 0x80).any(axis=1), "a series id must be ASCII characters")
        wrong_prefix = np.zeros(len(records), dtype=bool)
        for i, byte in enumerate(layout.SERIES_PREFIX.encode()):  # column by column: ~5x faster than any(axis=1)
            wrong_prefix |= records[:, i] != byte
        lines.fail_at(wrong_prefix, f"a series id starts {layout.SERIES_PREFIX}")
        lines.fail_at(_differs(batch.column("year"), str(lists.year)), f"the year is not {lists.year} (oe.release)")
        lines.fail_at(_differs(batch.column("period"), layout.PERIOD), f"the period is not {layout.PERIOD}")
        datatype = datatype_of[(records[:, datatype_start].astype(np.int32) << 8) | records[:, datatype_start + 1]]
        lines.fail_at(datatype < 0, "unknown datatype code (not in oe.datatype and the layout)")
        # ~90 k distinct values in 6 M lines: checked (and later cast) once per distinct text, not per line
        value = pc.dictionary_encode(pc.ascii_trim_whitespace(batch.column("value")))
        text = value.dictionary
        number_or_dash = pc.or_(pc.equal(text, layout.DASH), pc.match_substring_regex(text, layout.NUMBER))
        if not pc.all(number_or_dash).as_py():
            lines.fail_at(pc.invert(number_or_dash).take(value.indices), "the value is neither a number nor '-'")
        keys = pc.dictionary_encode(_strings(records[:, : layout.ESTIMATE_KEY_STOP]))  # ~17 lines a key
        return keys, datatype, value, pc.ascii_trim_whitespace(batch.column("footnote_codes"))

    # blocks two at a time (Arrow's and numpy's kernels release the GIL); the first failing block raises first
    with ThreadPoolExecutor(max_workers=2) as pool:
        reduced = list(pool.map(reduce, range(len(blocks))))
    keys, datatypes, values, footnotes = (list(part) for part in zip(*reduced, strict=True)) if reduced else ([],) * 4
    del reduced
    offset = offsets[-1]
    raise_bad()
    if offset == 0:
        raise SourceError(label, "holds a header but no data lines")
    lines = _Lines(label, path)
    value = pa.chunked_array(values).combine_chunks()  # the blocks' dictionaries unified
    del values
    footnote = pc.dictionary_encode(pa.chunked_array(footnotes)).combine_chunks()
    del footnotes
    dash = np.isin(value.indices.to_numpy(), np.flatnonzero(pc.equal(value.dictionary, layout.DASH).to_numpy(False)))
    status = _statuses(lines, footnote, dash, lists)
    encoded = pa.chunked_array(keys).combine_chunks()  # the blocks' dictionaries unified
    del keys
    estimate = encoded.indices.to_numpy()
    return _Series(
        lines,
        estimate,
        encoded.dictionary,
        np.concatenate(datatypes),
        value,
        dash,
        footnote.indices.to_numpy(),
        footnote.dictionary.to_pylist(),
        status,
    )


# the tables' cluster order (schema cluster_by) as parts of the series id: soc_code is the occupation with a
# dash after its second digit, so the two order alike
_SERIES_PART = {"soc_code": "occupation", "area_code": "area_code", "naics_code": "industry"}


def _in_cluster_order(series: _Series) -> _Series:
    """The estimates renumbered in the oes tables' cluster order (soc_code, area_code, naics_code).

    The store writes a release's rows in that order; rows that come out of the parser in it need no
    sort of 4.4 M wage rows there (a sort and a copy of every column: ~8 s and +1 GiB). Sorting the
    370 k distinct estimate keys here costs a fraction of a second.
    """
    spans = {part: (start, stop) for part, start, stop in layout.SERIES_FIELDS}
    parts = [_SERIES_PART[c] for c in schema.OES_WAGES.cluster_by]
    assert tuple(schema.OES_ESTIMATES.cluster_by) == tuple(schema.OES_WAGES.cluster_by)
    sort_key = pc.binary_join_element_wise(*(pc.utf8_slice_codeunits(series.keys, *spans[p]) for p in parts), "")
    order = pc.sort_indices(sort_key).to_numpy()
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    series.keys = series.keys.take(pa.array(order))
    series.estimate = rank[series.estimate]
    return series


def _statuses(lines: _Lines, footnote: pa.DictionaryArray, dash: np.ndarray, lists: CodeLists) -> np.ndarray:
    """Each line's status from its footnote codes: -1 for a figure, else the status (its position in STATUSES)
    the footnote gives a '-'. Decided once per distinct footnote text, then looked up per line."""
    status_of: list[int] = []
    for position, text in enumerate(footnote.dictionary.to_pylist()):
        codes = [c.strip() for c in text.split(",") if c.strip()] if text else []
        unknown = [c for c in codes if c not in lists.footnote_status]
        here = footnote.indices.to_numpy() == position if unknown or len(codes) > 1 else None
        if unknown:
            lines.fail_at(here, f"unknown footnote code {unknown[0]!r} (not in oe.footnote)")
        marked = {lists.footnote_status[c] for c in codes} - {None}
        if len(marked) > 1:
            lines.fail_at(here, "footnotes give a '-' more than one meaning")
        status_of.append(_CODE[marked.pop().value] if marked else -1)
    status = np.array(status_of, dtype=np.int8)[footnote.indices.to_numpy()]
    lines.fail_at(dash & (status < 0), "a '-' without a footnote code saying why there is no figure")
    lines.fail_at(~dash & (status >= 0), "a number carrying a footnote that says there is none")
    return status


@dataclass(frozen=True)
class _Figures:
    """One datatype's figures, one entry per estimate."""

    number: pa.Array  # the figure in its column's type, null where there is no number (no line, or a '-')
    status: np.ndarray  # int8 position in STATUSES
    marker: np.ndarray  # int32 position in the series' footnotes of a '-' line's footnote, -1 elsewhere
    take: pa.Array  # the line index (null where the estimate has no line for this datatype)


def _lines_by_datatype(datatype: np.ndarray) -> dict[int, np.ndarray]:
    """Each datatype code's lines, in file order: one stable sort of the 6 M one-byte codes (a comparison
    and a scan of every line per datatype, 17 of them, cost twice as much)."""
    order = np.argsort(datatype, kind="stable")
    counts = np.bincount(datatype)
    starts = np.cumsum(counts) - counts
    return {
        code: order[start : start + count]
        for code, (start, count) in enumerate(zip(starts, counts, strict=True))
        if count
    }


def _scatter(series: _Series, rows: np.ndarray, datatype: layout.Datatype, n: int, label: str) -> _Figures:
    """One datatype's lines (`rows`, in file order) scattered to their estimates; absent lines are 'not
    published'; the numbers cast to the type of the column they go to (exactly: a value with more decimals
    fails naming its line).

    Also the duplicate check: each estimate has at most one line per datatype.
    """
    code = datatype.code
    estimates = series.estimate[rows]
    counts = np.bincount(estimates, minlength=n)
    if len(counts) and counts.max() > 1:
        repeated = np.flatnonzero(counts > 1)[0]
        first, second = rows[np.flatnonzero(estimates == repeated)[:2]]
        mask = np.zeros(len(series.datatype), dtype=bool)
        mask[second] = True
        series.lines.fail_at(mask, f"a duplicated series (first on line {first + 2})")
    position = np.full(n, -1, dtype=np.int64)
    position[estimates] = rows
    absent = position < 0
    line = np.where(absent, 0, position)
    dash = series.dash[line] & ~absent
    status = np.where(series.status[line] < 0, _CODE[Status.ESTIMATE.value], series.status[line])
    status = np.where(absent, _CODE[Status.NOT_PUBLISHED.value], status).astype(np.int8)
    marker = np.where(dash, series.footnote[line], -1).astype(np.int32)
    take = pa.array(position, mask=absent)
    column = datatype.statistic if datatype.table == "oes_estimates" else "value"
    type_ = schema.table(datatype.table).column(column).type
    # the distinct texts this datatype uses, cast once each, then taken per estimate (exactly the cast of each line)
    figure = ~(absent | dash)
    text_of = series.value.indices.to_numpy()[line]
    used = np.flatnonzero(np.bincount(text_of[figure], minlength=len(series.value.dictionary)))
    try:
        distinct = pc.cast(series.value.dictionary.take(pa.array(used)), type_)
    except pa.ArrowInvalid:  # some text does not fit the type: the line-by-line cast names the first line
        number = series.value.dictionary.take(pa.array(text_of, mask=~figure))
        return _Figures(_decimal(number, type_, label, code, take), status, marker, take)
    slot = np.zeros(len(series.value.dictionary), dtype=np.int32)
    slot[used] = np.arange(len(used), dtype=np.int32)
    return _Figures(distinct.take(pa.array(slot[text_of], mask=~figure)), status, marker, take)


def _status_text(codes: np.ndarray) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(STATUSES, pa.string()))


def _marker_text(codes: np.ndarray, footnotes: list[str]) -> pa.DictionaryArray:
    """'- [footnote 5]' where a '-' line's footnote says why there is no figure, null elsewhere."""
    texts = pa.array([f"- [footnote {f}]" for f in footnotes], pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), texts)


def _table(tbl: schema.Table, columns: Mapping[str, pa.Array]) -> pa.Table:
    """The declared table with its columns' own types: a string column may be a dictionary of strings."""
    fields = [c.arrow_field().with_type(columns[c.name].type) for c in tbl.columns]
    return pa.table([columns[c.name] for c in tbl.columns], schema=pa.schema(fields))


def _decimal(text: pa.Array, type_: pa.DataType, label: str, code: str, lines: pa.Array) -> pa.Array:
    try:
        return pc.cast(text, type_)
    except pa.ArrowInvalid:
        scale = type_.scale if pa.types.is_decimal(type_) else 0
        pattern = rf"\.\d{{{scale + 1},}}$" if scale else r"\."
        excess = pc.fill_null(pc.match_substring_regex(text, pattern), False)
        index = pc.index(excess, True).as_py()
        line = lines[index].as_py() + 2 if index >= 0 else "?"
        shown = text[max(index, 0)].as_py()
        raise SourceError(
            label, f"line {line}: datatype {code} value {shown!r} has more decimals than {type_}"
        ) from None


# -- the curated tables --------------------------------------------------------------------------
def _lookup_take(
    codes: pa.Array, lookup: _Lookup, code_col: str, value_cols: list[str], label: str, what: str, keys: pa.Array
) -> dict[str, pa.Array]:
    reference = pa.array(lookup.column(code_col), pa.string())
    index = pc.index_in(codes, value_set=reference)
    missing = pc.is_null(index)
    if pc.any(missing).as_py():
        first = pc.index(missing, True).as_py()
        raise SourceError(
            label,
            f"series {keys[first].as_py()}..: {what} {codes[first].as_py()!r} is not in {lookup.label}",
        )
    return {col: pc.take(pa.array(lookup.column(col), pa.string()), index) for col in value_cols}


def _area_types(lists: CodeLists) -> dict[str, str]:
    types: dict[str, str] = {}
    for code, published, name, line in zip(
        lists.areas.column("area_code"),
        lists.areas.column("areatype_code"),
        lists.areas.column("area_name"),
        lists.areas.lines,
        strict=True,
    ):
        kind = layout.AREA_TYPES.get(published)
        if kind is None:
            raise SourceError(
                lists.areas.label, f"line {line}: area type {published!r} is not one of {list(layout.AREA_TYPES)}"
            )
        nonmetro = kind == "metropolitan" and re.match(layout.NONMETROPOLITAN_CODE, code) is not None
        if nonmetro != (layout.NONMETROPOLITAN_NAME in name.lower() and kind == "metropolitan"):
            raise SourceError(
                lists.areas.label,
                f"line {line}: area {code} {name!r}: its code and its name disagree on whether it is nonmetropolitan",
            )
        types[code] = "nonmetropolitan" if nonmetro else kind
    return types


def _naics_level(code: str) -> str:
    if code == layout.CROSS_INDUSTRY:
        return "cross-industry"
    if code in layout.OWNERSHIP_AGGREGATES:
        return "cross-industry, ownership"
    if re.match(layout.SECTOR_CODE, code):
        return "sector"
    digits = len(code.rstrip("0"))
    return f"{max(digits, 3)}-digit"


def _soc(code: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(pc.utf8_slice_codeunits(code, 0, 2), pc.utf8_slice_codeunits(code, 2, 6), "-")


def _constant(value: Any, type_: pa.DataType, n: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, type_), n)


def _reference_tables(lists: CodeLists, files: ReleaseFiles, area_types: dict[str, str]) -> dict[str, pa.Table]:
    areas = lists.areas
    area_sha = sha256_file(files.lookups["area"])
    area_rows = [
        {
            "dataset": DATASET,
            "ref_year": lists.year,
            "area_code": code,
            "area_type": area_types[code],
            "area_type_published": published,
            "area_title": name,
            "state_code": state,
            "source_sha256": area_sha,
            "source_file": areas.label,
        }
        for code, published, name, state in zip(
            areas.column("area_code"),
            areas.column("areatype_code"),
            areas.column("area_name"),
            areas.column("state_code"),
            strict=True,
        )
    ]
    industries = lists.industries
    industry_sha = sha256_file(files.lookups["industry"])
    industry_rows = [
        {
            "dataset": DATASET,
            "ref_year": lists.year,
            "naics_code": code,
            "naics_title": name,
            "naics_level": _naics_level(code),
            "naics_level_published": level,
            "ownership_code": layout.OWNERSHIP_BY_INDUSTRY.get(code, layout.OWNERSHIP_NOT_STATED),
            "source_sha256": industry_sha,
            "source_file": industries.label,
        }
        for code, name, level in zip(
            industries.column("industry_code"),
            industries.column("industry_name"),
            industries.column("display_level"),
            strict=True,
        )
    ]
    return {
        "oes_areas": schema.to_arrow(area_rows, schema.OES_AREAS),
        "oes_industries": schema.to_arrow(industry_rows, schema.OES_INDUSTRIES),
    }


def parse_files(
    files: ReleaseFiles, *, sha256: str, display_name: str, expected_year: int | None = None
) -> ParsedRelease:
    """Parse a landed release. Raises SourceError naming the file, the line and the problem."""
    label = display_name
    lists = CodeLists.read(files)
    if expected_year is not None and lists.year != expected_year:
        raise SourceError(label, f"is the {lists.year} release (oe.release), not {expected_year} as expected")
    series = _in_cluster_order(_split(files.data, label, lists))
    lines_read = len(series.datatype)
    n = len(series.keys)
    keys = series.keys
    area_type_code = pc.utf8_slice_codeunits(keys, 3, 4)
    area_code = pc.utf8_slice_codeunits(keys, 4, 11)
    industry = pc.utf8_slice_codeunits(keys, 11, 17)
    occupation = pc.utf8_slice_codeunits(keys, 17, 23)

    area_types = _area_types(lists)
    area = _lookup_take(area_code, lists.areas, "area_code", ["area_name", "areatype_code"], label, "area", keys)
    wrong_type = pc.not_equal(area["areatype_code"], area_type_code)
    if pc.any(wrong_type).as_py():
        first = pc.index(wrong_type, True).as_py()
        raise SourceError(label, f"series {keys[first].as_py()}..: area type differs from {lists.areas.label}'s")
    area_type = pc.take(
        pa.array(list(area_types.values()), pa.string()),
        pc.index_in(area_code, value_set=pa.array(list(area_types), pa.string())),
    )
    ind = _lookup_take(
        industry, lists.industries, "industry_code", ["industry_name", "display_level"], label, "industry", keys
    )
    levels = {c: _naics_level(c) for c in lists.industries.column("industry_code")}
    industry_codes = pa.array(list(levels), pa.string())
    naics_level = pc.take(pa.array(list(levels.values()), pa.string()), pc.index_in(industry, value_set=industry_codes))
    ownership = pc.take(
        pa.array([layout.OWNERSHIP_BY_INDUSTRY.get(c, layout.OWNERSHIP_NOT_STATED) for c in levels], pa.string()),
        pc.index_in(industry, value_set=industry_codes),
    )
    occ = _lookup_take(
        occupation,
        lists.occupations,
        "occupation_code",
        ["occupation_name", "display_level"],
        label,
        "occupation",
        keys,
    )
    unknown_level = pc.invert(pc.is_in(occ["display_level"], pa.array(list(layout.OCC_LEVELS))))
    if pc.any(unknown_level).as_py():
        first = pc.index(unknown_level, True).as_py()
        raise SourceError(
            lists.occupations.label,
            f"occupation {occupation[first].as_py()}: display_level is not one of {list(layout.OCC_LEVELS)}",
        )
    occ_level = pc.if_else(
        pc.equal(occupation, layout.ALL_OCCUPATIONS),
        "total",
        pc.take(
            pa.array(list(layout.OCC_LEVELS.values())),
            pc.index_in(occ["display_level"], value_set=pa.array(list(layout.OCC_LEVELS))),
        ),
    )
    soc_code = _soc(occupation)

    key_columns: dict[str, pa.Array] = {
        "dataset": _constant(DATASET, pa.string(), n),
        "ref_year": _constant(lists.year, pa.int16(), n),
        "area_type": area_type,
        "area_code": area_code,
        "naics_code": industry,
        "ownership_code": ownership,
        "soc_code": soc_code,
        "ref_month": _constant(lists.month, pa.int8(), n),
        "soc_system": _constant(system_for_year(lists.year), pa.string(), n),
        "occ_level": occ_level,
    }
    provenance = {
        "source_sha256": _constant(sha256, pa.string(), n),
        "source_file": _constant(label, pa.string(), n),
    }

    # the estimates' strings repeat a few hundred codes and titles: dictionary-encoded once, for both tables
    key_columns = {name: _dictionary(a) if pa.types.is_string(a.type) else a for name, a in key_columns.items()}
    provenance = {name: _dictionary(a) for name, a in provenance.items()}
    by_datatype = _lines_by_datatype(series.datatype)  # checked: every code is a declared one (>= 0)
    none = np.zeros(0, dtype=np.intp)
    # the 17 datatypes are independent: two at a time (Arrow's and numpy's kernels release the GIL)
    with ThreadPoolExecutor(max_workers=2) as pool:
        scattered = pool.map(
            lambda d: _scatter(series, by_datatype.get(int(d.code), none), d, n, label), layout.DATATYPES
        )
        figures = {d.code: figure for d, figure in zip(layout.DATATYPES, scattered, strict=True)}
    estimates = _estimates(
        figures, series.footnotes, key_columns, provenance, area, ind, naics_level, occ, lists, label, n
    )
    wages = _wages(figures, series.footnotes, key_columns, provenance, lists, label, n)
    tables = {"oes_estimates": estimates, "oes_wages": wages, **_reference_tables(lists, files, area_types)}
    counts = pc.value_counts(area_type).to_pylist()
    return ParsedRelease(
        product=PRODUCT_NAME,
        release_id=str(lists.year),
        label=f"OEWS time series May {lists.year}" if lists.month == 5 else f"OEWS time series {lists.year}",
        source_file=label,
        tables=tables,
        facts={
            "ref_year": lists.year,
            "ref_month": lists.month,
            "data_lines": lines_read,
            "estimates": n,
            "estimates_by_area_type": {c["values"]: c["counts"] for c in counts},
            "soc_system": system_for_year(lists.year),
            "lookup_sha256": {role: sha256_file(path) for role, path in files.lookups.items()},
            "top_code": None
            if lists.top_code is None
            else {
                "hourly": str(lists.top_code.hourly),
                "annual": str(lists.top_code.annual),
                "comparison": lists.top_code.comparison,
                "source": lists.top_code.source,
            },
        },
    )


def _estimates(
    figures: dict[str, _Figures],
    footnotes: list[str],
    keys: dict[str, pa.Array],
    provenance: dict[str, pa.Array],
    area: dict[str, pa.Array],
    ind: dict[str, pa.Array],
    naics_level: pa.Array,
    occ: dict[str, pa.Array],
    lists: CodeLists,
    label: str,
    n: int,
) -> pa.Table:
    columns: dict[str, pa.Array] = {**keys}
    columns["area_title"] = area["area_name"]
    columns["naics_title"] = ind["industry_name"]
    columns["naics_level"] = naics_level
    columns["occ_title"] = occ["occupation_name"]
    columns["occ_group_published"] = occ["display_level"]
    status_columns = {
        "employment": ("employment_status", "employment_marker"),
        "employment_rse_pct": ("employment_rse_status", None),
        "wage_mean_rse_pct": ("wage_mean_rse_status", None),
        "jobs_per_1000": ("jobs_per_1000_status", None),
        "location_quotient": ("location_quotient_status", None),
    }
    tbl = schema.OES_ESTIMATES
    for d in layout.DATATYPES:
        if d.table != "oes_estimates":
            continue
        figure = figures[d.code]
        columns[d.statistic] = figure.number
        status_name, marker_name = status_columns[d.statistic]
        columns[status_name] = _status_text(figure.status)
        if marker_name:
            columns[marker_name] = _marker_text(figure.marker, footnotes)
    for name in ("pct_of_industry_employment", "pct_establishments_reporting"):
        columns[name] = pa.nulls(n, tbl.column(name).type)
        columns[f"{name}_status"] = _constant(Status.NOT_PUBLISHED.value, pa.string(), n)
    not_released = _CODE[Status.NOT_RELEASED.value]
    for flag, other in (("annual_only", "hourly"), ("hourly_only", "annual")):
        statuses = [figures[d.code].status for d in layout.DATATYPES if d.basis == other]
        columns[flag] = pa.array(np.any(np.stack(statuses) == not_released, axis=0))
    columns.update(provenance)
    return _table(tbl, {name: _dictionary(a) if pa.types.is_string(a.type) else a for name, a in columns.items()})


def _dictionary(values: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """Dictionary-encoded with the narrowest index type that holds its distinct values."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    size = len(encoded.dictionary)
    index = pa.int8() if size < 2**7 else pa.int16() if size < 2**15 else pa.int32()
    return encoded.cast(pa.dictionary(index, encoded.type.value_type))


def _each_repeated(values: pa.Array, times: int) -> pa.DictionaryArray:
    """Each value `times` times in a row, dictionary-encoded (the repeats cost an index each, not a string)."""
    encoded = _dictionary(values)
    indices = np.repeat(encoded.indices.fill_null(0).to_numpy(), times)
    nulls = np.repeat(encoded.is_null().to_numpy(zero_copy_only=False), times) if encoded.null_count else None
    return pa.DictionaryArray.from_arrays(pa.array(indices, mask=nulls), encoded.dictionary)


def _wages(
    figures: dict[str, _Figures],
    footnotes: list[str],
    keys: dict[str, pa.Array],
    provenance: dict[str, pa.Array],
    lists: CodeLists,
    label: str,
    n: int,
) -> pa.Table:
    """One row per estimate x wage datatype, the estimate's rows together (the estimates' cluster order).

    String columns are dictionary-encoded: an estimate's keys, repeated for each of its wage rows, and
    the few statuses, bases and statistics cost an index per row, not a string (the table is a fraction
    of its decoded size). Delta stores them as plain strings; readers get strings back.
    """
    tbl = schema.OES_WAGES
    top = lists.top_code
    wage_types = [d for d in layout.DATATYPES if d.table == "oes_wages"]
    k = len(wage_types)

    def interleaved(blocks: list[np.ndarray]) -> np.ndarray:  # row r: estimate r // k, datatype r % k
        return np.stack(blocks, axis=1).reshape(-1)

    status = interleaved([figures[d.code].status for d in wage_types])
    top_coded = status == _CODE[Status.TOP_CODED.value]
    if top is None and top_coded.any():
        code = wage_types[int(np.flatnonzero(top_coded)[0]) % k].code
        raise SourceError(label, f"datatype {code} is top-coded but oe.footnote states no threshold")
    marker = interleaved([figures[d.code].marker for d in wage_types])
    bases = sorted({d.basis for d in wage_types})
    statistics = list(dict.fromkeys(d.statistic for d in wage_types))
    basis = np.tile(np.array([bases.index(d.basis) for d in wage_types], dtype=np.int8), n)
    statistic = np.tile(np.array([statistics.index(d.statistic) for d in wage_types], dtype=np.int8), n)
    values = [figures[d.code].number for d in wage_types]
    order = np.tile(np.arange(k, dtype=np.int64) * n, n) + np.repeat(np.arange(n, dtype=np.int64), k)
    bound_type = tbl.column("bound").type
    thresholds = [None if top is None else (top.hourly if b == "hourly" else top.annual) for b in bases]
    no_bound = ~top_coded
    columns: dict[str, pa.Array] = {
        "basis": pa.DictionaryArray.from_arrays(pa.array(basis), pa.array(bases, pa.string())),
        "statistic": pa.DictionaryArray.from_arrays(pa.array(statistic), pa.array(statistics, pa.string())),
        "value": pa.concat_arrays(values).take(pa.array(order)),
        "status": pa.DictionaryArray.from_arrays(pa.array(status), pa.array(STATUSES, pa.string())),
        "marker": pa.DictionaryArray.from_arrays(
            pa.array(marker, mask=marker < 0), pa.array([f"- [footnote {f}]" for f in footnotes], pa.string())
        ),
        "bound": pa.array(thresholds, bound_type).take(pa.array(basis, mask=no_bound)),
        "bound_comparison": pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(len(status), dtype=np.int8), mask=no_bound),
            pa.array([top.comparison if top else ""], pa.string()),
        ),
        "bound_source": pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(len(status), dtype=np.int8), mask=no_bound),
            pa.array([top.source if top else ""], pa.string()),
        ),
    }
    for c in tbl.columns:
        if c.name not in columns:
            source = keys[c.name] if c.name in keys else provenance[c.name]
            columns[c.name] = _each_repeated(source, k) if pa.types.is_string(c.type) else _repeat_each(source, k)
    return _table(tbl, columns)


def _repeat_each(values: pa.Array, times: int) -> pa.Array:
    if values.null_count == 0 and (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
        return pa.array(np.repeat(values.to_numpy(), times), values.type)
    return values.take(pa.array(np.repeat(np.arange(len(values), dtype=np.int64), times)))


# -- the Source ----------------------------------------------------------------------------------
def identify_year(path: Path, display_name: str) -> int:
    """The release a data file holds, from its first data line's year."""
    with path.open("rb") as handle:
        handle.readline()
        line = handle.readline().decode("utf-8", errors="replace").rstrip("\r\n").split("\t")
    if len(line) < 2 or not line[1].strip().isdigit():
        raise SourceError(display_name, "line 2: cannot read a year (is this oe.data.0.Current?)")
    return int(line[1].strip())


class TimeSeriesSource:
    """The OEWS time-series database: every area, industry, ownership aggregate and occupation of a May."""

    product = PRODUCT_NAME
    tables = (schema.OES_ESTIMATES, schema.OES_WAGES, schema.OES_AREAS, schema.OES_INDUSTRIES)

    def identify(self, path: Path, *, display_name: str, expected: str | None = None) -> str:
        year = identify_year(path, display_name)
        if expected and expected != str(year):
            raise SourceError(display_name, f"holds {year}, not {expected} as expected")
        return str(year)

    def parse(
        self,
        path: Path,
        *,
        sha256: str,
        display_name: str,
        release_id: str,
        companions: Mapping[str, Path] | None = None,
    ) -> ParsedRelease:
        """`companions`: the code lists the pipeline landed with the data file (file name -> path);
        without them, the code lists beside the data file."""
        expected = int(release_id) if release_id.isdigit() else None
        files = ReleaseFiles.beside(path) if companions is None else ReleaseFiles.landed(path, companions)
        return parse_files(files, sha256=sha256, display_name=display_name, expected_year=expected)
