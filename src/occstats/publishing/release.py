"""`occstats publish`: immutable, numbered data releases of the curated tables.

Layout of the published folder (default DATA_DIR/published):

    latest                       the newest release number (switched atomically: temp + os.replace)
    releases/<N>/datapackage.json   Frictionless description: schemas, checksums, versions, raw files
    releases/<N>/CHANGELOG.md       what changed since release N-1, for people
    releases/<N>/changelog.json     the same, for programs
    releases/<N>/tables/<table>.parquet   one plain Parquet file per table, sorted by its key
    releases/<N>/cards/          fact cards, where occstats.cards provides them

A release is assembled in a hidden staging folder and renamed into place whole, so a reader never
sees half a release; files are made read-only, and nothing ever rewrites or deletes an older one.
A release is made only when something changed: the curated table versions differ from those the
latest release was exported from, and the exported tables differ from it byte for byte.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import importlib
import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from occstats.errors import ConfigError
from occstats.fingerprint import code_version
from occstats.publishing import changelog, datapackage
from occstats.schema import TABLES, Table
from occstats.store import Store

RELEASES = "releases"
LATEST = "latest"
TABLES_DIR = "tables"
CARDS_DIR = "cards"
ROW_GROUP_ROWS = 65_536  # row groups small enough for HTTP range reads (DuckDB-WASM), large enough to compress
PARQUET_OPTIONS: dict[str, Any] = {
    # Plain Parquet every reader knows: format 2.6 logical types, v1 data pages, snappy, dictionary
    # encoding, statistics for row-group pruning. No exotic encodings.
    "version": "2.6",
    "data_page_version": "1.0",
    "compression": "snappy",
    "use_dictionary": True,
    "write_statistics": True,
    "row_group_size": ROW_GROUP_ROWS,
}


@dataclass
class PublishResult:
    number: int | None  # None: nothing changed, no release made
    path: Path | None
    message: str
    changelog: dict[str, Any] | None = None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- reading what has been published -----------------------------------------------------------------
def release_numbers(out: Path) -> list[int]:
    folder = out / RELEASES
    if not folder.is_dir():
        return []
    return sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())


def latest_number(out: Path) -> int | None:
    pointer = out / LATEST
    if not pointer.is_file():
        return None
    text = pointer.read_text().strip()
    if not text.isdigit() or not (out / RELEASES / text).is_dir():
        raise ConfigError(f"{pointer}: names release {text!r}, which is not in {out / RELEASES}")
    return int(text)


def release_dir(out: Path, which: str | int = "latest") -> Path:
    """The folder of release `which` ('latest' or a number), with a clear error if there is none."""
    if str(which) == LATEST:
        number = latest_number(out)
        if number is None:
            raise ConfigError(f"no data release in {out}: run `occstats publish` first")
    elif str(which).isdigit():
        number = int(which)
    else:
        raise ConfigError(f"--release wants 'latest' or a release number, got {which!r}")
    path = out / RELEASES / str(number)
    if not (path / "datapackage.json").is_file():
        raise ConfigError(f"no release {number} in {out}; releases: {release_numbers(out) or 'none'}")
    return path


def read_package(path: Path) -> dict[str, Any]:
    return json.loads((path / "datapackage.json").read_text())


def table_files(path: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted((path / TABLES_DIR).glob("*.parquet"))}


# -- writing ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    with (out / ".lock").open("a") as handle:  # "a": taking the lock writes nothing
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def export_table(store: Store, tbl: Table, version: int, path: Path) -> int:
    """The table at `version`, declared columns and types, sorted by its key, as one Parquet file."""
    data = store.read(tbl.name, version=version).select(tbl.names).cast(tbl.arrow_schema())
    data = data.sort_by([(k, "ascending") for k in tbl.key])
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(data.replace_schema_metadata(None), path, **PARQUET_OPTIONS)
    return data.num_rows


def _release_sources(store: Store, tbl: Table, version: int, provenance: dict[str, dict]) -> list[dict[str, Any]]:
    """Per BLS release of the table: rows and the raw files (sha256 and, from commit metadata, name/URL)."""
    shas = [c.name for c in tbl.columns if c.provenance and c.name.endswith("source_sha256")]
    keys = list(tbl.release_key)
    data = store.read(tbl.name, version=version, columns=[*keys, *shas])
    counts = data.group_by(keys).aggregate([([], "count_all")])
    found: dict[tuple, set[str]] = {}
    for sha in shas:
        grouped = data.group_by([*keys, sha]).aggregate([])
        for row in grouped.to_pylist():
            if row[sha]:
                found.setdefault(tuple(row[k] for k in keys), set()).add(row[sha])
    out = []
    for row in sorted(counts.to_pylist(), key=lambda r: tuple(str(r[k]) for k in keys)):
        key = tuple(row[k] for k in keys)
        out.append(
            {
                "release": changelog.release_label(tbl, key),
                "key": {k: row[k] for k in keys},
                "rows": row["count_all"],
                "sources": [{"sha256": s, **provenance.get(s, {})} for s in sorted(found.get(key, ()))],
            }
        )
    return out


def _provenance(store: Store, names: list[str]) -> dict[str, dict[str, Any]]:
    """sha256 -> what the commits recorded of that raw file (file, raw path, URL, release)."""
    known: dict[str, dict[str, Any]] = {}
    for name in names:
        for entry in store.history(name):
            for src in entry.get("sources", []) or []:
                if src.get("sha256"):
                    known.setdefault(
                        src["sha256"],
                        {k: src.get(k) for k in ("release", "file", "raw_path", "url") if src.get(k) is not None},
                    )
    return known


def _freeze(folder: Path) -> None:
    """Read-only files: a release is never modified after it is made."""
    for path in folder.rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def _write_cards(store: Store, folder: Path) -> int | None:
    """Fact cards (occstats.cards): `folder/cards/<code>.json` and the combined `folder/cards.json`."""
    try:
        cards = importlib.import_module("occstats.cards")
    except ImportError:
        return None
    write = getattr(cards, "write_cards", None)
    if write is None:
        return None
    return int(write(store, folder))  # an error here fails the publish: no release with broken cards


def switch_latest(out: Path, number: int) -> None:
    tmp = out / f".{LATEST}.{uuid.uuid4().hex[:8]}"
    tmp.write_text(f"{number}\n")
    os.replace(tmp, out / LATEST)


def publish(store: Store, out: Path, *, now: dt.datetime | None = None) -> PublishResult:
    """Make release N+1 of the curated tables in `out` if anything changed since release N."""
    names = [n for n in store.names() if n in TABLES]
    if not names:
        raise ConfigError(f"no curated tables in {store.root}: run `occstats refresh` first")
    with _lock(out):
        versions = {n: store.version(n) for n in names}
        previous = latest_number(out)
        prev_dir = out / RELEASES / str(previous) if previous is not None else None
        if prev_dir is not None and read_package(prev_dir)["occstats"]["table_versions"] == versions:
            return PublishResult(None, prev_dir, f"nothing changed since release {previous} (same table versions)")
        number = max([*release_numbers(out), 0]) + 1
        staging = out / RELEASES / f".staging-{uuid.uuid4().hex[:12]}"
        try:
            return _make(store, out, staging, number, previous, prev_dir, versions, now)
        finally:
            if staging.exists():
                for path in staging.rglob("*"):
                    path.chmod(stat.S_IRWXU)
                shutil.rmtree(staging)


def _make(
    store: Store,
    out: Path,
    staging: Path,
    number: int,
    previous: int | None,
    prev_dir: Path | None,
    versions: dict[str, int],
    now: dt.datetime | None,
) -> PublishResult:
    rows: dict[str, int] = {}
    for name, version in versions.items():
        rows[name] = export_table(store, TABLES[name], version, staging / TABLES_DIR / f"{name}.parquet")
    new_files = table_files(staging)
    old_files = table_files(prev_dir) if prev_dir is not None else {}
    digests = {name: sha256_file(p) for name, p in new_files.items()}
    same = set(old_files) == set(new_files) and all(sha256_file(old_files[n]) == digests[n] for n in new_files)
    if prev_dir is not None and same:
        return PublishResult(
            None, prev_dir, f"nothing changed since release {previous} (same figures, new table versions)"
        )
    created = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    doc = changelog.build(
        TABLES, old_files, new_files, number=number, previous=previous, created=created, table_versions=versions
    )
    cards = _write_cards(store, staging)  # writes staging/cards/<code>.json and staging/cards.json
    provenance = _provenance(store, list(versions))
    resources = []
    raw: dict[str, dict[str, Any]] = {}
    for name, path in new_files.items():
        tbl = TABLES[name]
        releases = _release_sources(store, tbl, versions[name], provenance)
        for rel in releases:
            for src in rel["sources"]:
                entry = raw.setdefault(src["sha256"], {**src, "tables": [], "releases": []})
                if name not in entry["tables"]:
                    entry["tables"].append(name)
                if rel["release"] not in entry["releases"]:
                    entry["releases"].append(rel["release"])
        resources.append(
            datapackage.resource(
                tbl,
                path=path.relative_to(staging).as_posix(),
                rows=rows[name],
                size=path.stat().st_size,
                sha256=digests[name],
                table_version=versions[name],
                releases=releases,
            )
        )
    (staging / "changelog.json").write_text(changelog.dumps(doc))
    (staging / "CHANGELOG.md").write_text(changelog.markdown(doc))
    files = [
        {"path": p.relative_to(staging).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(staging.rglob("*"))
        if p.is_file()
    ]
    pkg = datapackage.package(
        number=number,
        created=created,
        previous=previous,
        code_version=code_version(),
        resources=resources,
        raw_files=sorted(raw.values(), key=lambda r: (r["tables"][0], r["releases"][0], r["sha256"])),
        files=files,
        cards=cards,
    )
    (staging / "datapackage.json").write_text(json.dumps(pkg, indent=2, default=str) + "\n")
    _freeze(staging)
    final = out / RELEASES / str(number)
    os.rename(staging, final)  # whole or not at all; fails rather than overwrite an existing release
    switch_latest(out, number)
    added = [r["release"] for r in doc["bls_releases"] if r["change"] == "added"]
    replaced = [r["release"] for r in doc["bls_releases"] if r["change"] in ("replaced", "revised")]
    summary = f"release {number} written to {final}"
    if previous is not None:
        summary += f" (since release {previous}: {len(added)} BLS releases added, {len(replaced)} replaced or revised)"
    return PublishResult(number, final, summary, doc)
