"""Row groups of dictionary-typed files are ruled out by their statistics (issue 8, query latency).

The time-series parser hands the store dictionary-encoded strings and delta-rs records that type in
the files; pyarrow then prunes none of their row groups by statistics. `occstats.pruning` gives each
such row group its bounds as a guarantee. These tests write such a table with small row groups and
check that a filter keeps only the row groups that can hold a match, and that the answer (dataset
scan, occstats' filtered read, DuckDB SQL) is the one the plain dataset gives.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest
from deltalake import DeltaTable, WriterProperties, write_deltalake

import occstats
from occstats.pruning import prunable
from occstats.selective import Selective

F = pc.field
CODES = [f"{major:02d}-{minor:04d}" for major in (11, 13, 15, 29, 53) for minor in (1011, 2020, 3030, 4040)]


def _write(path, dictionary: bool = True) -> pa.Table:
    """20 codes in order, 3 rows each, row groups of 6 rows (10 groups); a marker null in most rows,
    all null in the first two groups; two years as partitions."""
    rows = len(CODES) * 3
    codes = [code for code in CODES for _ in range(3)]
    markers = [None] * rows
    markers[40] = "*"
    markers[55] = "#"
    marker = pa.array(markers, pa.string())
    table = pa.table(
        {
            "year": pa.array([2024] * 30 + [2025] * 30, pa.int16()),
            "soc_code": pa.array(codes).dictionary_encode() if dictionary else pa.array(codes),
            "area": pa.array(["national", "state", "state"] * len(CODES)),
            "marker": marker.dictionary_encode() if dictionary else marker,
            "value": pa.array(range(rows), pa.int64()),
        }
    )
    write_deltalake(str(path), table, partition_by=["year"], writer_properties=WriterProperties(max_row_group_size=6))
    return table


def _dataset(path) -> ds.FileSystemDataset:
    return DeltaTable(str(path)).to_pyarrow_dataset()


def test_dictionary_typed_files_are_what_pyarrow_does_not_prune(tmp_path):
    """The reason for the module: if this fails, pyarrow prunes them itself and the module can go."""
    _write(tmp_path / "t")
    dataset = _dataset(tmp_path / "t")
    fragment = next(iter(dataset.get_fragments()))
    assert pa.types.is_dictionary(fragment.physical_schema.field("soc_code").type)
    where = F("soc_code") == "15-2020"
    (holding,) = [f for f in dataset.get_fragments() if "year=2024" in f.path]
    kept = [g for part in holding.split_by_row_group(where, dataset.schema) for g in part.row_groups]
    assert holding.num_row_groups == len(kept) == 5  # every row group kept, though one holds the code


@pytest.mark.parametrize(
    ("where", "groups"),
    [
        (F("soc_code") == "15-2020", 1),  # rows 27-29: the fifth row group of 2024
        (F("soc_code").isin(["11-1011", "53-4040"]), 2),
        ((F("soc_code") >= "29") & (F("soc_code") < "30"), 2),  # rows 36-47: two groups of 2025
        (F("soc_code") == "99-9999", 0),
        # all-null groups are ruled out; a group with nulls and a "#" is not (its bounds hold "or null")
        (F("marker") == "*", 2),
    ],
    ids=str,
)
def test_only_the_row_groups_that_can_match_are_kept(tmp_path, where, groups):
    _write(tmp_path / "t")
    kept = list(prunable(_dataset(tmp_path / "t")).get_fragments(filter=where))
    assert len(kept) == groups


@pytest.mark.parametrize(
    "where",
    [
        F("soc_code") == "15-2020",
        F("soc_code").isin(["11-1011", "53-4040"]),
        (F("soc_code") >= "29") & (F("soc_code") < "30") & (F("area") == "state"),
        F("marker") == "*",
        F("marker").is_null(),
        F("marker").is_valid(),
        (F("year") == 2025) & (F("soc_code") == "53-1011"),
        F("value") > 50,
        pc.starts_with(F("soc_code"), "29-"),
    ],
    ids=str,
)
def test_every_path_answers_as_the_plain_dataset(tmp_path, where):
    _write(tmp_path / "curated" / "t")
    dataset = _dataset(tmp_path / "curated" / "t")
    expected = dataset.to_table(filter=where)
    assert expected.num_rows or where.equals(F("soc_code") == "99-9999")
    assert prunable(dataset).to_table(filter=where).equals(expected)
    got = Selective(dataset).to_table(where)
    assert got.equals(expected) and got.schema.equals(expected.schema, check_metadata=True)


def test_the_files_rows_and_order_are_the_datasets(tmp_path):
    written = _write(tmp_path / "t")
    dataset = _dataset(tmp_path / "t")
    whole = prunable(dataset).to_table()
    assert whole.equals(dataset.to_table()) and whole.num_rows == written.num_rows


def test_sql_reads_the_same_rows_and_skips_the_same_row_groups(tmp_path):
    _write(tmp_path / "curated" / "t")
    db = occstats.open(tmp_path)
    got = db.sql("select soc_code, value from t where soc_code = '15-2020' order by value").to_arrow()
    assert got.column("soc_code").to_pylist() == ["15-2020"] * 3
    assert got.column("value").to_pylist() == [27, 28, 29]
    dataset = _dataset(tmp_path / "curated" / "t")
    con = duckdb.connect()
    con.register("t", dataset)
    expected = con.sql("select soc_code, value from t where soc_code = '15-2020' order by value").to_arrow_table()
    assert got.equals(expected.cast(got.schema))


def test_plain_string_files_keep_one_fragment_per_file(tmp_path):
    """Files pyarrow prunes itself are not split: splitting costs ~15 us a fragment on every query."""
    _write(tmp_path / "t", dictionary=False)
    dataset = _dataset(tmp_path / "t")
    assert len(list(prunable(dataset).get_fragments())) == len(list(dataset.get_fragments())) == 2
    where = F("soc_code") == "15-2020"
    assert prunable(dataset).to_table(filter=where).equals(dataset.to_table(filter=where))
