"""A release's rows are written in the table's cluster order, in row groups readers can skip by their statistics."""

from __future__ import annotations

import itertools
import random

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from occstats.schema import Column, Table
from occstats.store import ROW_GROUP_ROWS, Store

CLUSTERED = Table(
    name="layout_test",
    description="a test table",
    columns=(
        Column("year", pa.int32(), "release", nullable=False),
        Column("code", pa.string(), "clustered", nullable=False),
        Column("area", pa.string(), "clustered second", nullable=False),
        Column("value", pa.int64(), "a figure"),
    ),
    key=("year", "code", "area"),
    release_key=("year",),
    partition_by=("year",),
    cluster_by=("code", "area"),
)


def _rows(n: int) -> pa.Table:
    rng = random.Random(7)
    pairs = [(f"{c:02d}-{rng.randrange(10_000):04d}", f"{a:07d}") for c in range(n // 1000) for a in range(1000)]
    rng.shuffle(pairs)
    return pa.table(
        {
            "year": pa.array([2025] * len(pairs), pa.int32()),
            "code": [p[0] for p in pairs],
            "area": [p[1] for p in pairs],
            "value": pa.array(range(len(pairs)), pa.int64()),
        }
    )


def test_rows_are_written_in_cluster_order_and_row_groups_do_not_overlap(tmp_path):
    rows = _rows(3 * ROW_GROUP_ROWS)
    store = Store(tmp_path / "curated", pinned=False)
    store.write(CLUSTERED, [rows], {"test": True})
    files = [p.removeprefix("file://") for p in store.delta("layout_test").file_uris()]
    groups = []
    for path in files:
        meta = pq.ParquetFile(path).metadata
        column = meta.schema.names.index("code")
        for g in range(meta.num_row_groups):
            stats = meta.row_group(g).column(column).statistics
            assert meta.row_group(g).num_rows <= ROW_GROUP_ROWS
            groups.append((stats.min, stats.max))
    assert len(groups) >= 3
    # sorted by code: each group's range starts where the previous one ended (no value in two ranges but a boundary)
    ordered = sorted(groups)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ordered)), ordered
    back = store.read("layout_test")
    assert back.num_rows == rows.num_rows
    assert back.sort_by("value").equals(rows.cast(back.schema).sort_by("value"))  # every row kept, unchanged
    codes = back.column("code").to_pylist()
    assert codes == sorted(codes)  # one file: read back in the written order
    one = rows.column("code")[0].as_py()
    expected = pc.sum(pc.equal(rows["code"], one)).as_py()
    assert store.read("layout_test", where=pc.field("code") == one).num_rows == expected
