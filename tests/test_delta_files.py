"""The store's file-per-release writes (pyarrow files, delta-rs transaction) against delta-rs' own writer.

Both paths must leave the same rows, versions and history behind; the file path must replace whole files
only, fall back to delta-rs where a file mixes a changed release with others, and record statistics that
readers prune with and that bound every value.
"""

import itertools
import json
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import write_deltalake

from occstats import delta_files, schema
from occstats import store as store_module
from occstats.delta_files import FILE_ROWS, file_ranges, file_stats
from occstats.store import Store, _canonical
from tests.test_store import rows


def soc_rows(system: str, codes: list[str], title: str = "Nurses") -> pa.Table:
    return schema.to_arrow(
        [
            {
                "soc_system": system,
                "soc_code": code,
                "title": title,
                "level": "detailed",
                "parent_code": None,
                "appears_in": ["OES May 2019", "OES May 2020"] if i % 2 else None,
                "code_source": "f.xlsx",
            }
            for i, code in enumerate(codes)
        ],
        schema.SOC_CODES,
    )


def files(store: Store, name: str) -> list[dict]:
    return pa.table(store.delta(name).get_add_actions(flatten=True)).to_pylist()


def run_writes(store: Store) -> list[pa.Table]:
    """Two releases, a no-op, a revision of one, a new one, a rewrite of two: the table after each version."""
    tbl = schema.OES_WAGES
    store.write(tbl, [pa.concat_tables([rows(2012), rows(2013)])], {"run_id": "one"})
    assert store.write(tbl, [rows(2012, sha="b" * 64)], {"run_id": "no-op"}) == (None, [])
    store.write(tbl, [rows(2013, value="21.36")], {"run_id": "revise"})
    store.write(tbl, [rows(2014, value="1.00")], {"run_id": "new"})
    store.write(tbl, [rows(2012, value="2.00"), rows(2014, value="3.00")], {"run_id": "two"})
    return [_canonical(tbl, store.read(tbl.name, version=v)) for v in range(store.latest_version(tbl.name) + 1)]


def test_file_writes_leave_the_same_versions_as_delta_rs_writes(tmp_path, monkeypatch):
    fast = run_writes(Store(tmp_path / "files"))
    with monkeypatch.context() as patch:
        patch.setattr(Store, "_replace_files", lambda *args: False)
        slow = run_writes(Store(tmp_path / "delta-rs"))
    assert len(fast) == len(slow) == 4
    for version, (a, b) in enumerate(zip(fast, slow, strict=True)):
        assert a.equals(b), f"version {version} differs"
    values = {r["ref_year"]: r["value"] for r in fast[-1].to_pylist()}
    assert values == {2012: Decimal("2.00"), 2013: Decimal("21.36"), 2014: Decimal("3.00")}


def test_each_release_is_one_file_and_a_revision_replaces_only_its_file(tmp_path):
    store = Store(tmp_path)
    tbl = schema.OES_WAGES
    store.write(tbl, [pa.concat_tables([rows(2012), rows(2013)])], {"run_id": "one"})
    before = {f["partition.ref_year"]: f["path"] for f in files(store, tbl.name)}
    assert sorted(before) == [2012, 2013]
    version, _ = store.write(tbl, [rows(2013, value="9.99")], {"run_id": "two"})
    after = {f["partition.ref_year"]: f["path"] for f in files(store, tbl.name)}
    assert after[2012] == before[2012] and after[2013] != before[2013], "2012's file is untouched"
    history = store.history(tbl.name)
    assert [h["operation"] for h in history] == ["CREATE TABLE", "WRITE"] and version == 1
    assert [h["rows_added"] for h in history] == [2, 1] and history[1]["run_id"] == "two"


def test_a_file_mixing_a_changed_release_with_others_is_rewritten_by_delta_rs(tmp_path, monkeypatch):
    """soc_codes is not partitioned: delta-rs wrote both classifications into one file; revising one
    must keep the other's rows (a whole-file replacement would lose them)."""
    store = Store(tmp_path)
    tbl = schema.SOC_CODES
    with monkeypatch.context() as patch:
        patch.setattr(Store, "_replace_files", lambda *args: False)
        store.write(tbl, [pa.concat_tables([soc_rows("soc-2010", ["29-1141"]), soc_rows("soc-2018", ["29-1141"])])], {})
    assert len(files(store, tbl.name)) == 1
    written = []
    original = Store._replace_files
    monkeypatch.setattr(Store, "_replace_files", lambda *a: written.append(original(*a)) or written[-1])
    store.write(tbl, [soc_rows("soc-2018", ["29-1141"], title="Registered Nurses")], {})
    assert written == [False], "the mixed file sends the write to delta-rs"
    titles = {r["soc_system"]: r["title"] for r in store.read(tbl.name).to_pylist()}
    assert titles == {"soc-2010": "Nurses", "soc-2018": "Registered Nurses"}


def test_unpartitioned_releases_get_a_file_each_and_list_columns_round_trip(tmp_path):
    store = Store(tmp_path)
    tbl = schema.SOC_CODES
    store.write(tbl, [pa.concat_tables([soc_rows("soc-2010", ["29-1141"]), soc_rows("soc-2018", ["29-1141"])])], {})
    assert sorted(f["min.soc_system"] for f in files(store, tbl.name)) == ["soc-2010", "soc-2018"]
    store.write(tbl, [soc_rows("soc-2018", ["29-1141", "29-1171"])], {})
    read = store.read(tbl.name).to_pylist()
    assert sorted((r["soc_system"], r["soc_code"]) for r in read) == [
        ("soc-2010", "29-1141"),
        ("soc-2018", "29-1141"),
        ("soc-2018", "29-1171"),
    ]
    lists = {r["soc_code"]: r["appears_in"] for r in read if r["soc_system"] == "soc-2018"}
    assert lists == {"29-1141": None, "29-1171": ["OES May 2019", "OES May 2020"]}


def test_dictionary_encoded_rows_read_back_as_the_declared_strings(tmp_path):
    store = Store(tmp_path)
    tbl = schema.OES_WAGES
    data = pa.concat_tables([rows(2012), rows(2012, sha="c" * 64)]).combine_chunks()
    encoded = data.set_column(
        data.schema.get_field_index("soc_code"), "soc_code", pc.dictionary_encode(data.column("soc_code"))
    )
    store.write(tbl, [encoded, rows(2013)], {})  # two releases, their columns encoded differently
    back = store.read(tbl.name, where=pc.field("ref_year") == 2012)
    assert back.schema.field("soc_code").type == pa.string()
    assert back.column("soc_code").to_pylist() == ["29-2071", "29-2071"]
    assert store.read(tbl.name, where=pc.field("ref_year") == 2013).column("soc_code").to_pylist() == ["29-2071"]


def statistics_table() -> pa.Table:
    return pa.table(
        {
            "code": pa.array(["b", "a", None, "c"] * 3),
            "year": pa.array([2019, 2012, 2020, 2018] * 3, pa.int16()),
            "flag": pa.array([True, False, True, True] * 3),
            "money": pa.array(
                [Decimal("1.50"), Decimal("9999999999.99"), None, Decimal("-0.01")] * 3, pa.decimal128(12, 2)
            ),
            "empty": pa.nulls(12, pa.string()),
        }
    )


def test_statistics_are_the_ones_delta_rs_records(tmp_path):
    table = statistics_table()
    write_deltalake(tmp_path, table)
    [log] = [path for path in (tmp_path / "_delta_log").iterdir() if path.suffix == ".json"]
    [theirs] = [json.loads(e["add"]["stats"]) for e in map(json.loads, log.read_text().splitlines()) if "add" in e]
    assert json.loads(file_stats(table)) == theirs
    # dictionary-encoded strings (as the parsers hand them over) state the same, in several chunks too
    encoded = table.set_column(0, "code", pc.dictionary_encode(table.column("code")))
    assert json.loads(file_stats(encoded)) == theirs
    assert json.loads(file_stats(pa.concat_tables([encoded.slice(0, 5), encoded.slice(5)]))) == theirs


def test_statistics_bound_every_value_or_none_at_all():
    table = statistics_table().append_column("tags", pa.array([["x"], None, [], ["y", "z"]] * 3))
    stats = json.loads(file_stats(table))
    assert stats["numRecords"] == 12
    assert stats["minValues"] == {"code": "a", "year": 2012, "flag": False, "money": -0.01}
    assert stats["maxValues"] == {"code": "c", "year": 2020, "flag": True, "money": 9999999999.99}
    assert stats["nullCount"] == {"code": 3, "year": 0, "flag": 0, "money": 3, "empty": 12}  # nested: nothing

    # a dictionary's values no row uses bound nothing; rows pointing at a null value are null
    codes = pa.DictionaryArray.from_arrays(pa.array([1, 3, 1, 3, None, 3], pa.int8()), pa.array(["a", "m", "z", None]))
    assert json.loads(file_stats(pa.table({"code": codes}))) == {
        "numRecords": 6,
        "minValues": {"code": "m"},
        "maxValues": {"code": "m"},
        "nullCount": {"code": 4},
    }

    # a column whose bounds cannot be stated exactly (a float here): no bounds for the file at all, since
    # deltalake reads a column missing from minValues as bounded by null and would skip the file
    inexact = table.append_column("ratio", pa.array([0.1] * 12))
    assert json.loads(file_stats(inexact)) == {"numRecords": 12}


def test_row_groups_carry_statistics_for_the_columns_a_reader_skips_them_by(tmp_path):
    store = Store(tmp_path)
    tbl = schema.OES_WAGES
    store.write(tbl, [rows(2012)], {})
    [added] = files(store, tbl.name)
    metadata = pq.read_metadata(tmp_path / tbl.name / added["path"])
    group = metadata.row_group(0)
    with_statistics = {group.column(i).path_in_schema for i in range(group.num_columns) if group.column(i).statistics}
    assert with_statistics == {*tbl.cluster_by, "dataset"}  # ref_year is the partition: in the log, not the file


def test_readers_skip_files_by_the_statistics_and_find_every_row(tmp_path):
    store = Store(tmp_path)
    tbl = schema.OES_WAGES
    store.write(tbl, [rows(2012, value="150000.00"), rows(2013, value="5.00")], {})
    bounds = {f["partition.ref_year"]: (f["min.soc_code"], f["max.value"]) for f in files(store, tbl.name)}
    assert bounds == {2012: ("29-2071", Decimal("150000.00")), 2013: ("29-2071", Decimal("5.00"))}
    dataset = store.dataset(tbl.name)
    assert list(dataset.get_fragments(filter=pc.field("soc_code") == "11-1011")) == []
    assert len(list(dataset.get_fragments(filter=pc.field("value") > Decimal("100000.00")))) == 1
    assert dataset.to_table(filter=pc.field("value") > Decimal("100000.00")).column("ref_year").to_pylist() == [2012]
    assert dataset.to_table(filter=pc.field("marker").is_null()).num_rows == 2


def test_file_ranges_are_whole_row_groups_of_at_most_file_rows():
    for count, group in (
        (1, 4096),
        (65_536, 65_536),
        (FILE_ROWS, 65_536),
        (FILE_ROWS + 1, 65_536),
        (4_442_064, 65_536),
    ):
        ranges = file_ranges(count, group)
        assert sum(length for _, length in ranges) == count and ranges[0][0] == 0
        assert all(a + n == b for (a, n), (b, _) in itertools.pairwise(ranges)), "contiguous, in order"
        assert all(n <= FILE_ROWS and (n % group == 0 or i == len(ranges) - 1) for i, (_, n) in enumerate(ranges))
    assert len(file_ranges(4_442_064, 65_536)) == 3


def test_a_large_release_is_several_files_read_back_in_order_and_replaced_together(tmp_path, monkeypatch):
    monkeypatch.setattr(delta_files, "FILE_ROWS", 4)
    monkeypatch.setattr(store_module, "SMALL_ROW_GROUP_ROWS", 2)
    codes = [f"29-{1000 + i}" for i in range(9)]

    def release(value: str) -> pa.Table:
        one = pa.concat_tables([rows(2012, value=value)] * len(codes)).combine_chunks()
        return one.set_column(one.schema.get_field_index("soc_code"), "soc_code", pa.array(codes))

    store = Store(tmp_path)
    tbl = schema.OES_WAGES
    store.write(tbl, [release("1.00"), rows(2013)], {})
    held = files(store, tbl.name)
    assert sorted(f["num_records"] for f in held if f["partition.ref_year"] == 2012) == [1, 4, 4]
    assert store.read(tbl.name, where=pc.field("ref_year") == 2012).column("soc_code").to_pylist() == codes
    store.write(tbl, [release("2.00")], {})
    after = files(store, tbl.name)
    assert not {f["path"] for f in held if f["partition.ref_year"] == 2012} & {f["path"] for f in after}
    values = store.read(tbl.name, where=pc.field("ref_year") == 2012).column("value").to_pylist()
    assert values == [Decimal("2.00")] * len(codes)
    assert store.read(tbl.name, where=pc.field("ref_year") == 2013).num_rows == 1, "2013's file is untouched"


def test_a_table_delta_rs_wrote_is_revised_by_replacing_its_single_release_files(tmp_path, monkeypatch):
    """A data directory written before this path existed: delta-rs wrote one file per partition, each holding
    one release, which its statistics show; a revision replaces the revised release's file whole."""
    store = Store(tmp_path)
    tbl = schema.OES_WAGES
    with monkeypatch.context() as patch:
        patch.setattr(Store, "_replace_files", lambda *args: False)
        store.write(tbl, [pa.concat_tables([rows(2012), rows(2013)])], {})
    before = {f["partition.ref_year"]: f["path"] for f in files(store, tbl.name)}
    written = []
    original = Store._replace_files
    monkeypatch.setattr(Store, "_replace_files", lambda *a: written.append(original(*a)) or written[-1])
    store.write(tbl, [rows(2013, value="7.00")], {})
    after = {f["partition.ref_year"]: f["path"] for f in files(store, tbl.name)}
    assert written == [True] and after[2012] == before[2012] and after[2013] != before[2013]
    values = {r["ref_year"]: r["value"] for r in store.read(tbl.name).to_pylist()}
    assert values == {2012: Decimal("21.35"), 2013: Decimal("7.00")}
