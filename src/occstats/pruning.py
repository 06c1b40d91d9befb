"""A table version's dataset whose files and row groups a filter can rule out cheaply.

Two things stand between a Delta table's pyarrow dataset and a fast filtered read:

- deltalake turns each file's column statistics into a guarantee of ~50 terms, and simplifying the
  filter against it for every file on every query took ~15 ms of a ~70 ms read. The row-group
  statistics carry the same bounds, finer; so a file's fragment keeps only its partition values.
- pyarrow prunes no row group by the statistics of a column its file records as dictionary-typed
  (the time-series parser hands the store dictionary-encoded strings, and delta-rs writes the Arrow
  schema it was given): one occupation's states kept 68 of 68 row groups, against 1 of 68 for the
  same rows written as plain strings, and the query took ~0.5 s instead of ~45 ms. The Parquet
  statistics are there all the same (min and max bytes of the strings): such a file is split into
  one fragment per row group, each guaranteed its bounds on those columns, so the scanner rules it
  out as it rules out a partition.

Both the scanner (`Dataset.to_table`, DuckDB's scan of a registered dataset) and
`occstats.selective` read through this dataset. The fragments are kept with the version (a Delta
version never changes), so the footers are read once.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq


def is_string(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def prunable(dataset: ds.FileSystemDataset) -> ds.FileSystemDataset:
    """The dataset's files, in order, as fragments whose guarantees are what a filter can use cheaply."""
    parquet = ds.ParquetFileFormat()
    fragments = []
    for fragment in dataset.get_fragments():
        keys = partition_keys(fragment.partition_expression)
        dictionary = _dictionary_strings(fragment, dataset.schema)
        if not dictionary:
            fragments.append(parquet.make_fragment(fragment.path, fragment.filesystem, partition_expression=keys))
            continue
        metadata = fragment.metadata
        for group in range(metadata.num_row_groups):
            bounds = row_group_bounds(metadata.row_group(group), dictionary)
            fragments.append(
                parquet.make_fragment(
                    fragment.path, fragment.filesystem, partition_expression=keys & bounds, row_groups=[group]
                )
            )
    filesystem = fragments[0].filesystem if fragments else dataset.filesystem
    return ds.FileSystemDataset(fragments, dataset.schema, parquet, filesystem)


def _dictionary_strings(fragment: ds.ParquetFileFragment, schema: pa.Schema) -> dict[str, int]:
    """Columns the table declares as strings and the file records as dictionaries: name -> leaf index."""
    physical = fragment.physical_schema
    found = {}
    parquet_schema = fragment.metadata.schema
    leaves = {parquet_schema.column(i).path: i for i in range(len(parquet_schema))}
    for field in physical:
        declared = schema.field(field.name).type if field.name in schema.names else None
        if declared is not None and is_string(declared) and pa.types.is_dictionary(field.type) and field.name in leaves:
            found[field.name] = leaves[field.name]
    return found


def row_group_bounds(group: pq.RowGroupMetaData, columns: dict[str, int]) -> pc.Expression:
    """What a row group's Parquet statistics guarantee of the named string columns.

    A column with no statistics guarantees nothing; one with nulls guarantees its bounds only
    together with `is_null` (which the scanner does not use to rule out, so nothing is lost but
    speed); one all null guarantees `is_null`.
    """
    expression = pc.scalar(True)
    for name, index in columns.items():
        stats = group.column(index).statistics
        if stats is None:
            continue
        field = pc.field(name)
        if stats.has_min_max and isinstance(stats.min, str) and isinstance(stats.max, str):
            term = (field >= stats.min) & (field <= stats.max)
            if not stats.has_null_count or stats.null_count > 0:
                term = term | field.is_null()
        elif stats.has_null_count and stats.null_count == group.num_rows:
            term = field.is_null()
        else:
            continue
        expression = expression & term
    return expression


def partition_keys(guarantee: pc.Expression) -> pc.Expression:
    """The partition values (and all-null columns) in a fragment's guarantee, as an expression."""
    expression = pc.scalar(True)
    for name, value in ds.get_partition_keys(guarantee).items():
        expression = expression & (pc.field(name).is_null() if value is None else pc.field(name) == value)
    return expression
