"""A table's releases written as Parquet files by pyarrow and committed through delta-rs' transaction API.

Why not `deltalake.write_deltalake` for every write: delta-rs decodes dictionary-encoded columns and
encodes a file on one core, so the time series' 4.4 M x 20 wage rows took 3.4-3.7 s to write where
pyarrow writes the same rows, dictionaries as they are, in 1.2 s (benchmarks/RESULTS.md). The commit
itself stays delta-rs': `DeltaTable.create_write_transaction` (or `create_table_with_add_actions` for a
new table) adds the files and removes the replaced ones in one commit, as an overwrite did.

A file is replaced whole, never rewritten: this path writes a release's rows into files of their own
(one, or several for millions of rows), and applies only where every file holding a changed release
holds nothing else (`replaced_files`); elsewhere (a file written by delta-rs with several releases in
it, which its predicate overwrite rewrites) the store uses `write_deltalake`. Each file's Delta
statistics (row count, null counts, min/max of string, integer, boolean and decimal columns) are
computed from the rows it holds, so readers skip files as before; within a file, row groups carry
statistics for the columns a reader can skip them by.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake import DeltaTable
from deltalake.transaction import AddAction, RemoveAction

from occstats.schema import Table


def partition_text(value: Any) -> str | None:
    """A partition value as Delta's log writes it (a string; None for null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _bound(value: Any) -> str | int | bool | float | None:
    """A statistic as Delta's JSON states it, or None where it cannot be stated exactly.

    A decimal is a JSON number: its float must print back as the same decimal (at most 15 significant
    digits; OES figures have 12), or a rounded bound could exclude the value it bounds.
    """
    if isinstance(value, str | int | bool):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        number = float(value)
        return number if Decimal(repr(number)) == value else None
    return None


def _column_stats(column: pa.ChunkedArray) -> tuple[int, Any, Any]:
    """(null count, min, max) of a column; min and max None where it holds no value. A dictionary column's
    bounds are those of the values its rows use (its dictionary may hold others), found without decoding it."""
    nulls, lows, highs = 0, [], []
    for chunk in column.chunks:
        values = chunk
        if pa.types.is_dictionary(chunk.type):
            values = chunk.dictionary.take(pc.drop_null(pc.unique(chunk.indices)))
            # a row pointing at a null value is null too (rare: decoded only then)
            nulls += chunk.dictionary_decode().null_count if values.null_count else chunk.null_count
        else:
            nulls += chunk.null_count
        bounds = pc.min_max(values)
        if bounds["min"].is_valid:
            lows.append(bounds["min"].as_py())
            highs.append(bounds["max"].as_py())
    return nulls, (min(lows) if lows else None), (max(highs) if highs else None)


def file_stats(rows: pa.Table) -> str:
    """Delta's per-file statistics JSON for the rows of one file: numRecords, nullCount, minValues, maxValues.

    Computed from the Arrow rows, not the Parquet footer: the files keep row-group statistics only for the
    columns a reader can skip row groups by (`write_release`). Every top-level column that holds a value
    gets both bounds, or the file gets none at all: deltalake's pyarrow dataset reads a column left out of
    minValues as bounded by null, which rules the file out of any filter on that column (measured:
    `value > 100000` read no rows). A column of nulls only gets its null count, and nested columns get
    nothing, as delta-rs writes them.
    """
    count = rows.num_rows
    mins: dict[str, Any] = {}
    maxs: dict[str, Any] = {}
    nulls: dict[str, int] = {}
    unbounded = json.dumps({"numRecords": count})
    for field in rows.schema:
        if pa.types.is_nested(field.type):
            continue
        nulls[field.name], low, high = _column_stats(rows.column(field.name))
        if nulls[field.name] == count:
            continue
        low, high = _bound(low), _bound(high)
        if low is None or high is None:
            return unbounded
        mins[field.name], maxs[field.name] = low, high
    return json.dumps({"numRecords": count, "minValues": mins, "maxValues": maxs, "nullCount": nulls})


# A release of more rows is split into files of about equal size (whole row groups), written two at a
# time: pyarrow encodes a file on one core, and the time series' 4.4 M wage rows took ~1.2 s as one
# file against ~0.95 s as two or three (the order is kept: each file holds a contiguous range).
FILE_ROWS = 2_097_152


def file_ranges(rows: int, group_rows: int) -> list[tuple[int, int]]:
    """(offset, length) of each file of a release of `rows` rows: at most FILE_ROWS each, whole row groups."""
    count = max(1, math.ceil(rows / FILE_ROWS))
    step = math.ceil(math.ceil(rows / count) / group_rows) * group_rows
    return [(start, min(step, rows - start)) for start in range(0, rows, step)] or [(0, 0)]


def write_release(
    filesystem: pafs.FileSystem, table_path: str, tbl: Table, rows: pa.Table, group_rows: int
) -> list[AddAction]:
    """One release's rows (in the order they are to be read) as Parquet files in its partition's folder.

    The partition columns are constant in a release (they are part of its key) and are stored in the
    log, not the file, as Delta does. The Arrow schema is not embedded: a dictionary-encoded column is
    read back as the table's declared string type.
    """
    partition = {c: partition_text(rows.column(c)[0].as_py()) for c in tbl.partition_by}
    folder = "/".join(f"{c}={v if v is not None else '__HIVE_DEFAULT_PARTITION__'}" for c, v in partition.items())
    filesystem.create_dir(f"{table_path}/{folder}" if folder else table_path, recursive=True)
    body = rows.drop_columns(list(tbl.partition_by)) if tbl.partition_by else rows
    # Row-group statistics where they let a reader skip row groups: the columns the rows are ordered by,
    # and the release's key (one value per file: a filter on the family skips another family's files).
    # Elsewhere every row group holds much the same values (an estimate's wage rows hold every statistic
    # and basis), and a dictionary column's statistics cost more than its encoding: the time series' wage
    # table took 0.67-0.71 s to write instead of 1.10-1.22 s.
    ordered = [c for c in dict.fromkeys([*tbl.cluster_by, *tbl.release_key]) if c in body.column_names]

    def write(offset: int, length: int) -> AddAction:
        name = f"part-00000-{uuid.uuid4()}-c000.snappy.parquet"
        relative = f"{folder}/{name}" if folder else name
        part = body.slice(offset, length)
        pq.write_table(
            part,
            f"{table_path}/{relative}",
            filesystem=filesystem,
            row_group_size=group_rows,
            compression="snappy",
            store_schema=False,
            write_statistics=ordered or False,
        )
        size = filesystem.get_file_info(f"{table_path}/{relative}").size
        return AddAction(relative, size, partition, int(time.time() * 1000), True, file_stats(part))

    ranges = file_ranges(rows.num_rows, group_rows)
    if len(ranges) == 1:
        return [write(*ranges[0])]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda span: write(*span), ranges))


def _file_releases(tbl: Table, delta: DeltaTable) -> list[tuple[dict[str, Any], tuple[Any, ...] | None]]:
    """Each file of the table (its log entry: path, size, partition values) with the one release it holds
    when its partition values and statistics pin every release-key column to one value; None when they do
    not (a file of several releases, or one without statistics)."""
    found = []
    for action in pa.table(delta.get_add_actions(flatten=True)).to_pylist():
        values: list[Any] | None = []
        for column in tbl.release_key:
            if column in tbl.partition_by:
                values.append(action.get(f"partition.{column}"))
                continue
            low, high = action.get(f"min.{column}"), action.get(f"max.{column}")
            if low is None or low != high or action.get(f"null_count.{column}") not in (0, None):
                values = None
                break
            values.append(low)
        found.append((action, tuple(values) if values is not None else None))
    return found


def replaced_files(tbl: Table, delta: DeltaTable, changed: list[tuple[Any, ...]]) -> list[RemoveAction] | None:
    """The files a write of `changed` replaces, as RemoveActions; None when some file holds a changed
    release beside other rows (only a rewrite of that file, delta-rs' predicate overwrite, can replace it).
    """
    if not set(tbl.partition_by) <= set(tbl.release_key):
        return None
    wanted = set(changed)
    removed = []
    now = int(time.time() * 1000)
    for action, release in _file_releases(tbl, delta):
        partition = {c: action.get(f"partition.{c}") for c in tbl.partition_by}
        if release is None:
            if any(_may_hold(tbl, partition, other) for other in wanted):
                return None
            continue
        if release in wanted:
            removed.append(
                RemoveAction(
                    action["path"],
                    True,
                    now,
                    size=action["size_bytes"],
                    partition_values={c: partition_text(v) for c, v in partition.items()},
                )
            )
    return removed


def _may_hold(tbl: Table, partition: Mapping[str, Any], release: tuple[Any, ...]) -> bool:
    """Whether a file in `partition` can hold rows of `release` (its statistics aside)."""
    return all(
        partition[column] == value
        for column, value in zip(tbl.release_key, release, strict=True)
        if column in tbl.partition_by
    )
