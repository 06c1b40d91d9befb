"""Filtered reads through occstats.selective return exactly what the dataset path returns (issue 8).

The reference is pyarrow's own `Dataset.to_table(filter=..., columns=...)` on the same table
version, which is what `read()` returned before: schema (names, types, nullability, metadata) and
every value must be equal, for filters on strings, the partition column, decimals, nulls, for
column subsets, for filters nothing matches, and for files that lack a column or hold several
row groups.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import WriterProperties, write_deltalake

import occstats
from occstats.selective import Selective

F = pc.field


def _same(dataset, where, columns=None) -> pa.Table:
    expected = dataset.to_table(filter=where, columns=columns)
    got = Selective(dataset).to_table(where, columns)
    assert got.schema.equals(expected.schema, check_metadata=True), (where, got.schema, expected.schema)
    assert got.equals(expected), where
    return got


WAGE_FILTERS = [
    F("soc_code") == "29-2072",
    (F("area_type") == "national") & (F("soc_code") == "11-1011"),
    F("ref_year") == 2022,
    (F("ref_year") == 2021) & (F("statistic") == "p90"),
    F("value") > Decimal("100000.00"),
    F("value").is_null(),
    F("marker").is_valid(),
    F("soc_code").isin(["29-2072", "15-1252", "00-0000"]),
    (F("soc_code") >= "29") & (F("soc_code") < "30"),
    pc.starts_with(F("soc_code"), "29-"),  # a kernel that may not take dictionaries: same answer either way
    F("soc_code") == "99-9999",  # nothing matches
    F("ref_year") == 1990,  # no file matches
]


@pytest.mark.parametrize("where", WAGE_FILTERS, ids=str)
def test_wages_read_selectively_equal_the_dataset_read(curated_data, where):
    dataset = occstats.open(curated_data)["oes_wages"].dataset()
    got = _same(dataset, where)
    _same(dataset, where, ["value", "soc_code", "ref_year"])
    if where.equals(F("soc_code") == "29-2072"):
        assert got.num_rows > 0 and set(got.column("soc_code").to_pylist()) == {"29-2072"}


def test_every_table_reads_selectively_as_the_dataset_does(curated_data):
    db = occstats.open(curated_data)
    checked = 0
    for name in db.tables:
        dataset = db[name].dataset()
        for field in dataset.schema:
            if not pa.types.is_string(field.type):
                continue
            values = dataset.to_table(columns=[field.name]).column(0).drop_null().unique().to_pylist()[:3]
            for value in values:
                _same(dataset, F(field.name) == value)
                checked += 1
    assert checked > 20


def test_read_uses_the_same_rows_for_a_mapping_filter(curated_data):
    db = occstats.open(curated_data)
    where = {"soc_code": ["29-2072", "15-1252"], "statistic": "mean"}
    expected = (
        db["oes_wages"]
        .dataset()
        .to_table(filter=F("soc_code").isin(["29-2072", "15-1252"]) & (F("statistic") == "mean"))
    )
    got = db.read("oes_wages", where=where)
    assert got.num_rows > 0 and got.equals(expected) and got.schema.equals(expected.schema, check_metadata=True)


class _NoScan:
    """Stands in for the dataset once the reader is built: its full scan must not be the path taken."""

    schema = None

    def to_table(self, **_):
        raise AssertionError("the filtered read fell back to the dataset scan")


def test_a_matching_filter_takes_the_selective_path(curated_data):
    dataset = occstats.open(curated_data)["oes_wages"].dataset()
    expected = dataset.to_table(filter=F("soc_code") == "29-2072")
    reader = Selective(dataset)
    reader.dataset = _NoScan()
    got = reader.to_table((F("soc_code") == "29-2072") & (F("ref_year") == 2022))
    assert 0 < got.num_rows < expected.num_rows
    assert got.equals(expected.filter(F("ref_year") == 2022))


def test_unknown_columns_fail_as_before(curated_data):
    dataset = occstats.open(curated_data)["oes_wages"].dataset()
    with pytest.raises(pa.ArrowInvalid, match="nope"):
        Selective(dataset).to_table(F("nope") == "x")
    with pytest.raises(pa.ArrowInvalid, match="nope"):
        Selective(dataset).to_table(F("soc_code") == "29-2072", ["nope"])


def _table(path: Path) -> pa.Table:
    """Two partitions, several small row groups, a later file with a column the first lacks."""
    first = pa.table(
        {
            "year": pa.array([2020] * 6 + [2021] * 6, pa.int16()),
            "soc_code": [f"{m:02d}-1011" for m in range(11, 23)],
            "value": pa.array([Decimal(f"{v}.25") for v in range(12)], pa.decimal128(12, 2)),
        }
    )
    write_deltalake(str(path), first, partition_by=["year"], writer_properties=WriterProperties(max_row_group_size=2))
    second = pa.table(
        {
            "year": pa.array([2022] * 4, pa.int16()),
            "soc_code": ["11-1011", "29-1141", "29-1141", "53-7199"],
            "value": pa.array([Decimal("1.50"), None, Decimal("3.00"), Decimal("4.75")], pa.decimal128(12, 2)),
            "marker": [None, "*", None, "#"],
        }
    )
    write_deltalake(str(path), second, mode="append", schema_mode="merge")
    return pa.concat_tables([first, second], promote_options="default")


@pytest.mark.parametrize(
    "where",
    [
        F("soc_code") == "29-1141",
        F("year") == 2020,
        (F("year") >= 2021) & (F("soc_code") < "20"),
        F("marker") == "*",  # is_null(marker): test_a_column_a_file_lacks_is_null_in_every_row_of_it
        F("value") < Decimal("3.00"),
        F("soc_code").isin(["11-1011", "53-7199"]),
    ],
    ids=str,
)
def test_partitions_row_groups_and_a_column_a_file_lacks(tmp_path, where):
    _table(tmp_path / "curated" / "t")
    dataset = occstats.open(tmp_path)["t"].dataset()
    assert sum(f.num_row_groups for f in dataset.get_fragments()) > 3  # the pruning has row groups to skip
    got = _same(dataset, where)
    _same(dataset, where, ["marker", "year"])
    assert got.num_rows > 0


def test_a_column_a_file_lacks_is_null_in_every_row_of_it(tmp_path):
    """The one place the two paths differ, on purpose: pyarrow 26's dataset scan drops the files that lack a
    column when the filter is is_null(column), though it reads those rows with the column null. read() keeps
    them: the rows an unfiltered read shows with a null marker are the rows is_null(marker) returns."""
    _table(tmp_path / "curated" / "t")
    db = occstats.open(tmp_path)
    where = F("marker").is_null()
    whole = db.read("t")
    got = db.read("t", where=where)
    assert got.equals(whole.filter(where)) and got.schema.equals(whole.schema, check_metadata=True)
    assert got.num_rows == 14  # 12 rows of the files without the column, 2 with it null
    assert db["t"].dataset().to_table(filter=where).num_rows == 2  # pyarrow's answer: if this fails, it was fixed


def test_a_filter_keeping_every_row_gives_the_table_in_the_dataset_order(tmp_path):
    written = _table(tmp_path / "curated" / "t")
    db = occstats.open(tmp_path)
    got = db.read("t", where=F("value").is_valid() | F("value").is_null())
    assert got.equals(db.read("t"))  # the unfiltered read: the dataset's file and row order
    assert sorted(got.column("soc_code").to_pylist()) == sorted(written.column("soc_code").to_pylist())


REAL = os.environ.get("OCCSTATS_CURATED_DATA")  # a data dir curated from the full mirror (~11 M wage rows)


@pytest.mark.shared
@pytest.mark.skipif(not REAL, reason="needs OCCSTATS_CURATED_DATA: a data dir curated from the full mirror")
@pytest.mark.parametrize(
    "where",
    [
        (F("area_type") == "national") & (F("naics_code") == "000000") & (F("soc_code") == "29-2072"),
        (F("dataset") == "oes_timeseries") & (F("area_type") == "state") & (F("soc_code") == "29-2072"),
        (F("ref_year") == 2019) & (F("naics_code") == "622000") & (F("statistic") == "mean"),
        (F("soc_code") == "15-1252") & (F("value") > Decimal("150000.00")),
        (F("soc_code") == "29-1141") & F("marker").is_valid(),
        (F("area_code") == "0600000") & (F("status") == "top_coded") & F("bound").is_valid(),
        F("ref_year").isin([2008, 2025]) & (F("soc_code") == "11-0000") & (F("status") == "top_coded"),
    ],
    ids=str,
)
def test_real_wages_read_selectively_equal_the_dataset_read(where):
    dataset = occstats.open(REAL)["oes_wages"].dataset()
    assert _same(dataset, where).num_rows > 0


def test_files_are_filtered_in_batches_with_the_same_result(tmp_path, monkeypatch):
    import occstats.selective

    _table(tmp_path / "curated" / "t")
    dataset = occstats.open(tmp_path)["t"].dataset()
    where = F("soc_code").isin(["11-1011", "12-1011", "21-1011", "29-1141"])
    whole = Selective(dataset).to_table(where)
    monkeypatch.setattr(occstats.selective, "BATCH_ROWS", 3)  # a batch per file (each has 4 to 6 candidate rows)
    batched = _same(dataset, where)
    assert batched.equals(whole) and batched.num_rows == 6  # 3 in the first write, 3 in the second
    assert batched.column("soc_code").num_chunks >= 3  # three files, three batches
