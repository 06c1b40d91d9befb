"""Filtered reads that decode only what the filter keeps: `occstats.open(...).read(name, where=...)`'s path.

A filtered `Dataset.to_table` already skips files and row groups by their statistics, but every row
group it keeps is decoded whole, and decoding is where the time goes: the string columns are
dictionary-encoded in the Parquet files, and turning 16 of them into plain strings for every row of
a kept row group costs ~4x reading them as dictionaries (one occupation's national series touches
21 row groups of 16-65 k rows to keep 72 rows: ~250 of its ~300 ms were that decoding). So here
the kept row groups are read with their string columns as dictionaries, filtered, and only the
rows kept are cast to plain strings.

The result is the dataset path's, value for value and type for type (tests/test_selective.py
compares both): the filter runs on the table's own types (the string columns it names are
decoded first, so every kernel and comparison is the one the dataset path uses), partition
values and columns a file lacks are filled as the dataset fills them, files and row groups come
in the dataset's order, and the schema (names, types, nullability, metadata) is the dataset's.
Anything this path does not handle (a filter or column it cannot bind, say) goes to the dataset
path, so errors read as they always did. One difference is deliberate: in a file written before a
column was added, the column is null in every row, and `is_null(column)` keeps those rows (pyarrow
26's dataset scan drops the file, though its unfiltered scan shows the nulls).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from occstats.pruning import is_string, prunable

READERS = 2  # files read at once
BATCH_ROWS = 1 << 20  # candidate rows decoded at once (as dictionaries: ~100 MB for the wage table's columns)


class Selective:
    """Filtered reads of one table version's dataset (a Delta version never changes: keep one per version)."""

    def __init__(self, dataset: ds.Dataset) -> None:
        self.dataset = dataset
        self.schema = dataset.schema
        self.strings = [f.name for f in self.schema if is_string(f.type)]
        # the working schema: strings as dictionaries until the rows are chosen
        self.encoded = pa.schema(
            [
                pa.field(f.name, pa.dictionary(pa.int32(), f.type), f.nullable) if is_string(f.type) else f
                for f in self.schema
            ]
        )
        self.files = prunable(dataset) if isinstance(dataset, ds.FileSystemDataset) else None

    def to_table(self, where: pc.Expression | None, columns: list[str] | None = None) -> pa.Table:
        if where is None or self.files is None or not self.strings:
            return self.dataset.to_table(filter=where, columns=columns)
        if columns is not None and any(name not in self.schema.names for name in columns):
            return self.dataset.to_table(filter=where, columns=columns)  # its error names the column
        try:
            return self._read(where, columns)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError, KeyError):
            return self.dataset.to_table(filter=where, columns=columns)

    def _read(self, where: pc.Expression, columns: list[str] | None) -> pa.Table:
        assert self.files is not None
        kept = []
        for fragment in self.files.get_fragments(filter=where):
            groups = self._groups(fragment, where)
            if groups:
                kept.append((fragment, groups))
        if not kept:  # nothing can match: the dataset path answers from statistics alone
            return self.dataset.to_table(filter=where, columns=columns)
        text = str(where)
        named = [n for n in self.strings if re.search(rf"\b{re.escape(n)}\b", text)]
        if columns is not None:
            target = pa.schema([self.schema.field(name) for name in columns], metadata=self.schema.metadata)
        else:
            target = self.schema
        parts = [self._filtered(batch, where, named, columns, target) for batch in _batches(kept)]
        return pa.concat_tables(parts) if len(parts) > 1 else parts[0]

    def _filtered(
        self,
        kept: list[tuple[ds.ParquetFileFragment, list[int]]],
        where: pc.Expression,
        named: list[str],
        columns: list[str] | None,
        target: pa.Schema,
    ) -> pa.Table:
        """The rows of some files' row groups that the filter keeps, in the result's schema."""
        if len(kept) > 1:  # a file's read releases the GIL: two at a time is what 2 cores give back
            with ThreadPoolExecutor(max_workers=min(READERS, len(kept))) as pool:
                pieces = list(pool.map(lambda item: self._row_groups(*item), kept))
        else:
            pieces = [self._row_groups(*item) for item in kept]
        table = pa.concat_tables(pieces)
        for name in named:  # the filter sees the columns it names as the dataset path shows them
            index = table.schema.get_field_index(name)
            table = table.set_column(
                index, self.schema.field(name), table.column(name).cast(self.schema.field(name).type)
            )
        table = table.filter(where)  # once: each filter call plans an Acero query (~1 ms)
        if columns is not None:
            table = table.select(columns)
        return table.cast(target)

    def _groups(self, fragment: ds.ParquetFileFragment, where: pc.Expression) -> list[int]:
        """The row groups of a file whose statistics do not rule the filter out.

        A file written before a column was added (schema evolution) is read whole: pyarrow's row-group
        pruning took the absent column's missing statistics as "no row matches" for `is_null(column)`,
        where the dataset path reads those rows as nulls and keeps them.
        """
        absent = set(self.schema.names) - set(fragment.physical_schema.names)
        if absent - set(ds.get_partition_keys(fragment.partition_expression)):
            return list(range(fragment.num_row_groups))
        return [group.id for part in fragment.split_by_row_group(where, self.schema) for group in part.row_groups]

    def _row_groups(self, fragment: ds.ParquetFileFragment, groups: list[int]) -> pa.Table:
        """The row groups of one file in the working schema, partition values and absent columns filled in."""
        present = set(fragment.physical_schema.names)
        parquet = pq.ParquetFile(
            fragment.path,
            filesystem=fragment.filesystem,
            metadata=fragment.metadata,
            read_dictionary=[n for n in self.strings if n in present],
            pre_buffer=False,  # local files: coalescing reads of a few small row groups costs more than it saves
        )
        columns = [n for n in self.schema.names if n in present]
        read = parquet.read_row_groups(groups, columns=columns, use_threads=False)
        keys = ds.get_partition_keys(fragment.partition_expression)
        rows = read.num_rows
        arrays = []
        for field in self.encoded:
            if field.name in present:
                column = read.column(field.name)
                arrays.append(column if column.type == field.type else column.cast(field.type))
            elif keys.get(field.name) is not None:
                arrays.append(_repeat(keys[field.name], field.type, rows))
            else:
                arrays.append(pa.nulls(rows, field.type))
        return pa.Table.from_arrays(arrays, schema=self.encoded)


def _batches(
    kept: list[tuple[ds.ParquetFileFragment, list[int]]],
) -> list[list[tuple[ds.ParquetFileFragment, list[int]]]]:
    """Files in order, in batches of at most BATCH_ROWS candidate rows (one file at least): a broad filter
    (every wage above some figure) holds one batch's row groups at a time, not the whole table's."""
    batches: list[list[tuple[ds.ParquetFileFragment, list[int]]]] = [[]]
    rows = 0
    for fragment, groups in kept:
        size = sum(fragment.metadata.row_group(group).num_rows for group in groups)
        if batches[-1] and rows + size > BATCH_ROWS:
            batches.append([])
            rows = 0
        batches[-1].append((fragment, groups))
        rows += size
    return batches


def _repeat(value: object, kind: pa.DataType, rows: int) -> pa.Array:
    if pa.types.is_dictionary(kind):
        indices = pa.repeat(pa.scalar(0, kind.index_type), rows)
        return pa.DictionaryArray.from_arrays(indices, pa.array([value], kind.value_type))
    return pa.repeat(pa.scalar(value, kind), rows)
