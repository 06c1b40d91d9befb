"""occstats.open() keeps a table version's dataset open across queries, and never serves a stale one."""

from __future__ import annotations

import shutil

import pyarrow as pa
from deltalake import write_deltalake

import occstats


def _write(path, values, mode="error"):
    write_deltalake(str(path), pa.table({"soc_code": values}), mode=mode)


def test_a_recreated_table_is_read_again_not_served_from_the_cache(tmp_path):
    table = tmp_path / "curated" / "t"
    table.parent.mkdir()
    _write(table, ["11-1011"])
    assert occstats.open(tmp_path).read("t").column("soc_code").to_pylist() == ["11-1011"]
    db = occstats.open(tmp_path)
    assert db.table("t").dataset() is db.table("t").dataset(), "one version is opened once"
    shutil.rmtree(table)  # the same path and version 0 again, other content
    _write(table, ["29-1141", "29-2061"])
    assert occstats.open(tmp_path).read("t").column("soc_code").to_pylist() == ["29-1141", "29-2061"]
    _write(table, ["13-2011"], mode="overwrite")  # a new version
    assert occstats.open(tmp_path).read("t").column("soc_code").to_pylist() == ["13-2011"]
    assert occstats.open(tmp_path).read("t", version=0).num_rows == 2
