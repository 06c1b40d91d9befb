"""A release's rows are written in the table's cluster order, in row groups readers can skip by their statistics."""

from __future__ import annotations

import itertools
import random

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from occstats.schema import Column, Table
from occstats.store import ROW_GROUP_ROWS, SMALL_ROW_GROUP_ROWS, Store

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


def _group_sizes(store: Store) -> list[int]:
    files = [p.removeprefix("file://") for p in store.delta("layout_test").file_uris()]
    metas = [pq.ParquetFile(path).metadata for path in files]
    return [meta.row_group(g).num_rows for meta in metas for g in range(meta.num_row_groups)]


def test_small_releases_get_small_row_groups_and_one_code_reads_one_of_them(tmp_path):
    """A national-sized release (~17 k rows) in one 65 k group would be read whole for one occupation."""
    rows = _rows(17_000)
    store = Store(tmp_path / "curated", pinned=False)
    store.write(CLUSTERED, [rows], {"test": True})
    sizes = _group_sizes(store)
    assert max(sizes) == SMALL_ROW_GROUP_ROWS and len(sizes) == 5 and sum(sizes) == rows.num_rows
    one = rows.column("code")[0].as_py()
    dataset = store.dataset("layout_test")
    where = pc.field("code") == one
    parts = [part for f in dataset.get_fragments() for part in f.split_by_row_group(where, dataset.schema)]
    assert sum(len(part.row_groups) for part in parts) == 1
    assert store.read("layout_test", where=where).num_rows == pc.sum(pc.equal(rows["code"], one)).as_py()


def test_a_write_with_a_large_release_keeps_the_large_row_groups(tmp_path):
    small = _rows(3_000)
    large = _rows(2 * ROW_GROUP_ROWS)
    large = large.set_column(0, "year", pa.array([2024] * large.num_rows, pa.int32()))
    store = Store(tmp_path / "curated", pinned=False)
    store.write(CLUSTERED, [small, large], {"test": True})
    assert max(_group_sizes(store)) == ROW_GROUP_ROWS  # one size per write: the large release's


def _read_sorted(store: Store, name: str) -> list[tuple]:
    rows = store.read(name)
    assert all(not pa.types.is_dictionary(f.type) for f in rows.schema)  # readers get plain strings back
    return sorted(zip(*(rows.column(c).to_pylist() for c in ("year", "code", "area", "value")), strict=True))


def test_dictionary_encoded_rows_are_written_as_plain_strings_in_cluster_order(tmp_path):
    """A parser may hand over string columns dictionary-encoded; the store writes them as declared."""
    rows = _rows(2 * ROW_GROUP_ROWS)
    encoded = rows.set_column(1, "code", pc.dictionary_encode(rows.column("code"))).set_column(
        2, "area", pc.dictionary_encode(rows.column("area"))
    )
    plain, dictionary = Store(tmp_path / "plain", pinned=False), Store(tmp_path / "dict", pinned=False)
    plain.write(CLUSTERED, [rows], {"test": True})
    dictionary.write(CLUSTERED, [encoded], {"test": True})
    assert _read_sorted(dictionary, "layout_test") == _read_sorted(plain, "layout_test")
    written = dictionary.read("layout_test")  # in (code, area) order, whatever order the rows came in
    pairs = list(zip(written.column("code").to_pylist(), written.column("area").to_pylist(), strict=True))
    assert pairs == sorted(pairs)
    # the same content again, plain this time: nothing changed, nothing written
    assert dictionary.write(CLUSTERED, [rows], {"test": True}) == (None, [])
    # a changed release, dictionary-encoded, replaces the plain one in a table that exists
    changed = encoded.set_column(3, "value", pa.array(range(1, encoded.num_rows + 1), pa.int64()))
    version, changes = dictionary.write(CLUSTERED, [changed], {"test": True})
    assert version == 1 and [c.release for c in changes] == [(2025,)]
    assert sorted(r[3] for r in _read_sorted(dictionary, "layout_test")) == list(range(1, encoded.num_rows + 1))


def test_rows_already_in_cluster_order_are_kept_and_others_sorted():
    from occstats.store import _clustered

    rows = _rows(2 * ROW_GROUP_ROWS)
    order = pc.sort_indices(rows, sort_keys=[("code", "ascending"), ("area", "ascending")])
    ordered = rows.take(order)
    assert _clustered(CLUSTERED, ordered, ROW_GROUP_ROWS) is ordered  # checked in one pass, not copied
    again = _clustered(CLUSTERED, rows, ROW_GROUP_ROWS)
    assert again.equals(ordered)
    # ties in the first column are ordered by the second: swapping two areas of one code breaks the order
    codes, areas = ordered.column("code").to_pylist(), ordered.column("area").to_pylist()
    i = next(i for i in range(len(codes) - 1) if codes[i] == codes[i + 1] and areas[i] != areas[i + 1])
    areas[i], areas[i + 1] = areas[i + 1], areas[i]
    swapped = ordered.set_column(2, "area", pa.array(areas))
    assert _clustered(CLUSTERED, swapped, ROW_GROUP_ROWS) is not swapped
    sorted_back = _clustered(CLUSTERED, swapped, ROW_GROUP_ROWS)
    assert sorted_back.column("area").to_pylist() == ordered.column("area").to_pylist()
