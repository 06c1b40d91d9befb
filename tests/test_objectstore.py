"""The data directory on object storage: `s3://bucket/prefix`, against a real S3 server (moto) on loopback.

Raw landings, manifests, holdings and the Delta tables all live in the bucket; a second refresh is a
no-op (no new table version, no new object); reads (Store, occstats.open, query) work from the URL;
the figures equal those a local data directory gets from the same files; no secret is written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pyarrow.fs as pafs
import pytest
from s3server import ACCESS_KEY, SECRET_KEY, aws_env, create_bucket, moto_server

from occstats import schema
from occstats.errors import ConfigError
from occstats.objectstore import ObjectPath, as_data_path, write_atomic
from occstats.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    try:
        with moto_server() as endpoint:
            yield endpoint
    except RuntimeError as exc:
        pytest.skip(f"no local S3 server: {exc}")


@pytest.fixture
def s3_url(s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket on the loopback server, the AWS_* variables pointing at it, a private local cache."""
    bucket = f"occ-{uuid.uuid4().hex[:10]}"
    create_bucket(s3_endpoint, bucket)
    for key, value in aws_env(s3_endpoint).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("OCCSTATS_CACHE_DIR", str(tmp_path / "cache"))
    return f"s3://{bucket}/occ"


def objects(url: str) -> dict[str, int]:
    """Every object under `url` (key relative to it -> size): what a run left in the bucket."""
    root = ObjectPath.from_url(url)
    infos = root.filesystem.get_file_info(pafs.FileSelector(root.fs_path, recursive=True, allow_not_found=True))
    return {i.path[len(root.fs_path) + 1 :]: i.size for i in infos if i.type == pafs.FileType.File}


def fast(settings: Settings) -> Settings:
    from dataclasses import replace

    return replace(settings, http_retries=0, http_backoff=0, task_retries=0, task_retry_delay=0)


def content(store, name: str):
    """A table's content columns in key order (provenance aside), for comparing two data directories."""
    tbl = schema.table(name)
    data = store.read(name).select(tbl.content_columns)
    return data.sort_by([(k, "ascending") for k in tbl.key])


# -- the path abstraction -------------------------------------------------------------------------------
def test_object_path_reads_writes_and_lists(s3_url: str) -> None:
    root = as_data_path(s3_url)
    assert isinstance(root, ObjectPath) and str(root) == s3_url
    assert not root.exists()
    write_atomic(root / "raw" / "oes" / "holdings.json", '{"urls": {}}\n')
    (root / "raw" / "ep" / "a.txt").write_text("x")
    assert root.is_dir() and (root / "raw").is_dir() and not (root / "raw").is_file()
    assert (root / "raw" / "oes" / "holdings.json").read_text() == '{"urls": {}}\n'
    assert sorted(p.name for p in (root / "raw").iterdir() if p.is_dir()) == ["ep", "oes"]
    assert str((root / "raw" / "oes" / "holdings.json").relative_to(root)) == "raw/oes/holdings.json"
    assert (root / "raw" / "oes").parent == root / "raw"
    assert (root / ".staging" / "x").parent.name == ".staging" and (root / "a").parent.parent.key == ""
    with pytest.raises(FileNotFoundError, match="no such object"):
        (root / "missing.json").read_text()


def test_settings_take_the_url_and_keep_secrets_out(s3_url: str, tmp_path: Path) -> None:
    settings = Settings.resolve(data_dir=s3_url, writable=True)
    assert isinstance(settings.data_dir, ObjectPath)
    assert str(settings.raw_dir) == f"{s3_url}/raw" and str(settings.curated_dir) == f"{s3_url}/curated"
    assert settings.local_dir.is_relative_to(tmp_path / "cache")  # Prefect's home and raw copies stay local
    assert SECRET_KEY not in repr(settings) and SECRET_KEY not in repr(settings.data_dir)
    assert objects(s3_url) == {}  # the writability probe cleaned up after itself


def test_bad_object_store_urls_are_config_errors(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in aws_env(s3_endpoint).items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match="only s3:// URLs"):
        Settings.resolve(data_dir="gs://bucket/occ")
    with pytest.raises(ConfigError, match="names no bucket"):
        Settings.resolve(data_dir="s3:///occ")
    with pytest.raises(ConfigError, match="not in the URL"):
        Settings.resolve(data_dir="s3://key:secret@bucket/occ")
    with pytest.raises(ConfigError, match=r"s3://no-such-bucket-here/occ is not writable") as err:
        Settings.resolve(data_dir="s3://no-such-bucket-here/occ", writable=True)
    assert SECRET_KEY not in str(err.value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")  # nothing listens there
    with pytest.raises(ConfigError, match=r"s3://bucket/occ cannot be reached .*Could not connect"):
        Settings.resolve(data_dir="s3://bucket/occ")


def test_server_refuses_a_second_create_of_a_key(s3_url: str) -> None:
    """The guarantee deltalake's S3 commits rely on: a conditional put (If-None-Match) of an existing key fails."""
    boto3 = pytest.importorskip("boto3")
    root = ObjectPath.from_url(s3_url)
    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")
    key = f"{root.key}/_delta_log/00000000000000000000.json"
    client.put_object(Bucket=root.bucket, Key=key, Body=b"first", IfNoneMatch="*")
    with pytest.raises(client.exceptions.ClientError, match="PreconditionFailed"):
        client.put_object(Bucket=root.bucket, Key=key, Body=b"second", IfNoneMatch="*")
    assert (root / "_delta_log" / "00000000000000000000.json").read_bytes() == b"first"


def test_racing_commits_all_land(s3_url: str) -> None:
    """Writers on other machines share no lock: deltalake's conditional commits must still lose nothing.

    Three threads append three times each to one table on the bucket at once; every commit lands, as
    its own version, with every row (a last-writer-wins rename would drop commits here).
    """
    import threading

    import pyarrow as pa
    from deltalake import write_deltalake

    from occstats.store import Store

    store = Store(f"{s3_url}/curated")
    url, options = str(store.path("race")), store.root.storage_options
    write_deltalake(url, pa.table({"a": [0]}), storage_options=options)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        for i in range(3):
            try:
                write_deltalake(url, pa.table({"a": [worker * 10 + i + 1]}), mode="append", storage_options=options)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert store.version("race") == 9
    assert sorted(store.read("race").column("a").to_pylist()) == [0, 1, 2, 3, 11, 12, 13, 21, 22, 23]


# -- the pipeline on a bucket ------------------------------------------------------------------------------
def test_refresh_into_a_bucket_then_nothing_new(s3_url: str, tmp_path: Path) -> None:
    """Generated OES releases and an EP workbook: curated into S3 as locally; a rerun writes nothing at all."""
    from builders import oes_zip, put_release
    from ep_builders import named_workbook

    import occstats
    from occstats.pipeline import State, import_files, refresh
    from occstats.query import run as run_query
    from occstats.store import Store

    mirror = tmp_path / "mirror"
    for year in (2021, 2022):
        put_release(mirror, year, oes_zip(year))
    workbook = tmp_path / "occupation.xlsx"
    workbook.write_bytes(named_workbook(2024, 2034))

    remote = fast(Settings.resolve(data_dir=s3_url, mirror=str(mirror), writable=True))
    local = fast(Settings.resolve(data_dir=tmp_path / "local", mirror=str(mirror), writable=True))
    for settings in (remote, local):
        first = [refresh(settings, "oes", [2021, 2022]), import_files(settings, "ep", [workbook])]
        assert [o.state for r in first for o in r.outcomes] == [State.CURATED] * 3, [
            o.detail for r in first for o in r.outcomes
        ]

    held = objects(s3_url)
    manifests = [k for k in held if k.endswith("/manifest.json")]
    assert sorted(k.split("/")[:3] for k in manifests) == [
        ["raw", "ep", "2024-2034"],
        ["raw", "oes", "2021"],
        ["raw", "oes", "2022"],
    ]
    assert "raw/oes/holdings.json" in held and "raw/ep/holdings.json" in held
    for key in manifests:
        manifest = json.loads((ObjectPath.from_url(s3_url) / key).read_text())
        landed = key.rsplit("/", 1)[0] + "/" + manifest["file"]
        assert held[landed] == manifest["size"] and manifest["path"] == landed.removeprefix("raw/")
    assert not [k for k in held if k.endswith(".part") or "/.staging/" in k or "probe" in k]
    every_byte = b"".join((ObjectPath.from_url(s3_url) / k).read_bytes() for k in held if not k.endswith(".parquet"))
    assert SECRET_KEY.encode() not in every_byte and ACCESS_KEY.encode() not in every_byte

    s3_store, local_store = Store(remote.curated_dir), Store(local.curated_dir)
    assert s3_store.names() == local_store.names() and "oes_wages" in s3_store.names()
    for name in local_store.names():  # the same figures as the local data directory, table by table
        assert content(s3_store, name).equals(content(local_store, name)), name
    versions = {name: s3_store.version(name) for name in s3_store.names()}

    again = [refresh(remote, "oes", [2021, 2022]), import_files(remote, "ep", [workbook])]
    assert [o.state for r in again for o in r.outcomes] == [State.UNCHANGED] * 3
    assert all(not r.versions for r in again)
    assert {name: s3_store.version(name) for name in s3_store.names()} == versions
    assert objects(s3_url) == held  # no new raw file, manifest, holdings change or table version

    db = occstats.open(s3_url)
    assert db.tables == s3_store.names()
    assert db["oes_wages"].to_arrow().num_rows == s3_store.read("oes_wages").num_rows > 0
    _, rows = run_query(s3_store, "select count(*) as n from oes_wages", None)
    assert rows[0][0] == s3_store.read("oes_wages").num_rows


def test_restore_and_history_on_a_bucket(s3_url: str, tmp_path: Path) -> None:
    """Time travel through the URL: a changed release makes version 1; restore brings version 0 back as version 2."""
    from builders import OCCUPATIONS, oes_2021_workbook, oes_zip, put_release

    from occstats.pipeline import State, refresh
    from occstats.store import Store

    mirror = tmp_path / "mirror"
    put_release(mirror, 2021, oes_zip(2021))
    settings = fast(Settings.resolve(data_dir=s3_url, mirror=str(mirror), writable=True))
    assert [o.state for o in refresh(settings, "oes", [2021]).outcomes] == [State.CURATED]
    store = Store(settings.curated_dir)
    before = {name: content(store, name) for name in store.names()}

    revised = [list(occ) for occ in OCCUPATIONS]
    revised[0][4] = 0.3  # BLS revises one relative standard error
    put_release(mirror, 2021, oes_zip(2021, oes_2021_workbook(2021, revised)))
    assert [o.state for o in refresh(settings, "oes", [2021]).outcomes] == [State.CURATED]
    changed = [name for name in store.names() if store.version(name) == 1]
    assert changed, {name: store.version(name) for name in store.names()}
    name = changed[0]
    assert not content(store, name).equals(before[name])
    assert content_at(store, name, 0).equals(before[name])

    assert store.restore(name, 0, {"reason": "test"}) == 2
    assert content(store, name).equals(before[name])
    history = store.history(name)
    assert [h["version"] for h in history] == [0, 1, 2] and history[-1]["restored_to"] == 0


def content_at(store, name: str, version: int):
    tbl = schema.table(name)
    data = store.read(name, version).select(tbl.content_columns)
    return data.sort_by([(k, "ascending") for k in tbl.key])


# -- the acceptance, as a user runs it ---------------------------------------------------------------------
def occstats_cli(*args: str) -> subprocess.CompletedProcess:
    """The CLI in a subprocess with the test's AWS_* variables (set by the s3_url fixture) and the embedded Prefect."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("PREFECT_API_URL", None)
    env.pop("OCCSTATS_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "occstats.cli", *args], capture_output=True, text=True, env=env, timeout=1200
    )


# The acceptance through the CLI (national releases into a bucket, a no-op rerun, `tables`) runs the README's
# object-storage block as written: tests/test_readme.py::test_object_storage_as_written.
