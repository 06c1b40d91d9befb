"""Versioned curated tables: Delta Lake, one table per directory under data/curated.

A release is the unit of change. Writing compares each release's new rows with the rows the table
holds for it now (provenance columns aside) and replaces only releases whose content changed, in
one commit per table, with the raw files and code version recorded in the commit. Nothing changed
means no commit, so a rerun adds no version.

Reads always go through a pyarrow SubTreeFileSystem: with deltalake's default filesystem the
process aborts at exit in a fraction of runs (STACK.md). The curated folder may be an `s3://` URL
(objectstore.py): deltalake gets the URL with storage_options, readers an S3 SubTreeFileSystem.

Readers see one consistent set of versions: a publish writes each of a product's tables in its own
commit (oes_estimates, then oes_wages), and a process killed between them would leave one table a
run ahead of the other. So after a product's tables are all written, the writer records their
versions in a snapshot pointer (`curated/_snapshot.json`, replaced atomically), and a reading
Store (the default) reads each table at the pointer's version; tables the pointer does not name
(a data directory written before it existed) are read at their latest version. The pipeline's own
Store (`pinned=False`) compares and writes against the latest versions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
from deltalake import CommitProperties, DeltaTable, Schema, WriterProperties, write_deltalake
from deltalake.exceptions import DeltaError, TableNotFoundError
from deltalake.transaction import RemoveAction, create_table_with_add_actions

from occstats.delta_files import replaced_files, write_release
from occstats.objectstore import DataPath, ObjectPath, as_data_path, filesystem_of, storage_options_of, write_atomic
from occstats.schema import TABLES, Table

METADATA_KEY = "occstats"
SNAPSHOT = "_snapshot.json"  # table -> version readers see; written last, after a product's commits

ReleaseValues = tuple[Any, ...]


@dataclass
class ReleaseState:
    rows: int
    sources: set[str]


@dataclass(frozen=True)
class ReleaseChange:
    release: ReleaseValues
    rows: int
    previous_rows: int | None  # None: the release is new to the table


def release_values(tbl: Table, data: pa.Table) -> list[ReleaseValues]:
    """The distinct release-key tuples present in `data`."""
    keys = list(tbl.release_key)
    distinct = data.select(keys).group_by(keys, use_threads=False).aggregate([])
    found = zip(*(distinct.column(c).to_pylist() for c in keys), strict=True)
    return sorted(set(found), key=lambda t: tuple(str(v) for v in t))


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def release_predicate(tbl: Table, releases: list[ReleaseValues]) -> str:
    """SQL predicate selecting exactly these releases' rows (for Delta's predicate overwrite)."""
    parts = [
        "(" + " AND ".join(f"{col} = {_literal(v)}" for col, v in zip(tbl.release_key, rel, strict=True)) + ")"
        for rel in releases
    ]
    return " OR ".join(parts)


def _release_filter(tbl: Table, release: ReleaseValues) -> pc.Expression:
    expr = None
    for col, value in zip(tbl.release_key, release, strict=True):
        term = pc.field(col) == value
        expr = term if expr is None else expr & term
    return expr


def _canonical(tbl: Table, data: pa.Table) -> pa.Table:
    """Content columns in key order: two tables with the same figures compare equal.

    A column the table gained since `data` was written reads as nulls (what a merged schema gives it).
    """
    for name in tbl.content_columns:
        if name not in data.column_names:
            data = data.append_column(tbl.column(name).arrow_field(), pa.nulls(data.num_rows, tbl.column(name).type))
    content = data.select(tbl.content_columns).cast(
        pa.schema([tbl.column(c).arrow_field() for c in tbl.content_columns])
    )
    return content.sort_by([(k, "ascending") for k in tbl.key]).combine_chunks()


def describe_versions(versions: list[int]) -> str:
    """[0, 1, 2] -> 'versions 0 to 2'; [0] -> 'only version 0' (for messages naming the valid range)."""
    first, last = min(versions), max(versions)
    return f"only version {first}" if first == last else f"versions {first} to {last}"


ROW_GROUP_ROWS = 65_536  # small enough for min/max statistics to skip most of a release, large enough to compress
# A write whose releases all fit in one such group (a national OES release: 10-17 k wage rows) uses
# smaller ones: one occupation's national series reads 20 releases, and a whole 16.8 k-row group
# costs ~2.7 ms to read against ~1.2 ms for one of 4,096 rows (benchmarks/RESULTS.md).
SMALL_ROW_GROUP_ROWS = 4_096


def row_group_rows(largest_release: int) -> int:
    """Rows per Parquet row group for a write whose largest release has `largest_release` rows."""
    return SMALL_ROW_GROUP_ROWS if largest_release <= ROW_GROUP_ROWS else ROW_GROUP_ROWS


def conformed(tbl: Table, part: pa.Table) -> pa.Table:
    """`part` cast to the table's declared types, except that a dictionary of the declared type stays one.

    A parser may hand over string columns dictionary-encoded (the time series' 4.4 M wage rows repeat a
    few hundred codes): decoding them only to write them would copy every string. Delta stores them as
    the declared type (readers get plain strings back).
    """
    fields = []
    for field in tbl.arrow_schema():
        given = part.schema.field(field.name).type if field.name in part.column_names else None
        keep = given is not None and pa.types.is_dictionary(given) and given.value_type == field.type
        fields.append(field.with_type(given) if keep else field)
    return part.cast(pa.schema(fields))


def _rank_codes(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Per row, the rank of its value among the column's distinct values (nulls last): integers that order as
    the values do. Ranks are computed on the dictionary (distinct values), then looked up per row by numpy
    (a parser's dictionary column is not re-encoded: 4.4 M rows cost ~20 ms, not ~0.2 s)."""
    codes = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    codes = codes.combine_chunks() if isinstance(codes, pa.ChunkedArray) else codes
    size = len(codes.dictionary)
    rank = np.append(pc.rank(codes.dictionary, sort_keys="ascending", tiebreaker="dense").to_numpy(), size + 1)
    rank[:size][pc.is_null(codes.dictionary).to_numpy(zero_copy_only=False)] = size + 1  # a null value: last
    return rank[codes.indices.fill_null(size).to_numpy(zero_copy_only=False)]


def _ordered(keys: list[np.ndarray]) -> bool:
    """True when the rows are already in lexicographic order of `keys` (one pass, no sort)."""
    tied = np.ones(len(keys[0]) - 1, dtype=bool) if len(keys) and len(keys[0]) else np.zeros(0, dtype=bool)
    for key in keys:
        before, after = key[:-1], key[1:]
        if (tied & (before > after)).any():
            return False
        tied &= before == after
    return True


def _clustered(tbl: Table, rows: pa.Table, group_rows: int) -> pa.Table:
    """A release's rows in the table's declared cluster order (`Table.cluster_by`), so readers skip row groups.

    Rows a parser already produced in that order are checked in one pass and kept as they are (no copy).
    """
    if not tbl.cluster_by or rows.num_rows <= group_rows:
        return rows
    # sorting dictionary indices of each column (sorted dictionaries) orders as the strings do, at integer cost
    keys = {name: _rank_codes(rows.column(name)) for name in tbl.cluster_by}
    if _ordered(list(keys.values())):
        return rows
    order = pc.sort_indices(pa.table(keys), sort_keys=[(n, "ascending") for n in tbl.cluster_by])
    return rows.take(order)


class Store:
    """The curated tables of one data directory (its `curated/` folder, as `str`, `Path` or `s3://` URL)."""

    def __init__(self, curated_dir: str | os.PathLike[str] | ObjectPath, *, pinned: bool = True) -> None:
        self.root: DataPath = as_data_path(curated_dir)
        self._options = storage_options_of(self.root)  # None locally; the S3 settings otherwise (never recorded)
        self.pinned = pinned  # read at the snapshot pointer's versions (readers) or the latest (the writer)

    # -- reading -------------------------------------------------------------------------------
    def path(self, name: str) -> DataPath:
        return self.root / name

    def exists(self, name: str) -> bool:
        return (self.path(name) / "_delta_log").is_dir()

    def names(self) -> list[str]:
        """Curated tables present on disk, declared ones first."""
        if not self.root.is_dir():
            return []
        present = {p.name for p in self.root.iterdir() if (p / "_delta_log").is_dir()}
        return [n for n in TABLES if n in present] + sorted(present - set(TABLES))

    def snapshot(self) -> dict[str, int]:
        """The versions readers see, table -> version (empty when no publish has recorded one yet)."""
        path = self.root / SNAPSHOT
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: unreadable snapshot pointer ({exc})") from exc
        return {str(k): int(v) for k, v in data.get("versions", {}).items()}

    def record_snapshot(self, names: list[str] | tuple[str, ...]) -> dict[str, int]:
        """Point readers at the latest version of `names` (the caller holds `lock()`), atomically.

        Called once all of a product's tables are written, so the tables it names move together.
        """
        versions = self.snapshot()
        versions.update({n: latest for n in names if (latest := self.latest_version(n)) is not None})
        # temp-and-rename locally, one PUT on object storage: readers see the old pointer or the new
        write_atomic(self.root / SNAPSHOT, json.dumps({"versions": dict(sorted(versions.items()))}, indent=2) + "\n")
        return versions

    def _pinned_version(self, name: str, version: int | None) -> int | None:
        if version is not None or not self.pinned:
            return version
        return self.snapshot().get(name)

    def delta(self, name: str, version: int | None = None) -> DeltaTable:
        try:
            return DeltaTable(
                str(self.path(name)), version=self._pinned_version(name, version), storage_options=self._options
            )
        except TableNotFoundError as exc:
            raise KeyError(f"table {name!r} has not been written yet in {self.root}") from exc

    def dataset(self, name: str, version: int | None = None) -> ds.Dataset:
        base, path = filesystem_of(self.path(name))
        filesystem = pafs.SubTreeFileSystem(path, base)
        return self.delta(name, version).to_pyarrow_dataset(filesystem=filesystem)

    def read(
        self,
        name: str,
        version: int | None = None,
        where: pc.Expression | None = None,
        columns: list[str] | None = None,
    ) -> pa.Table:
        return self.dataset(name, version).to_table(filter=where, columns=columns)

    def version(self, name: str) -> int | None:
        """The version a reader sees (the snapshot's, else the latest)."""
        return self.delta(name).version() if self.exists(name) else None

    def latest_version(self, name: str) -> int | None:
        """The table's newest commit, whatever the snapshot says (for writers)."""
        return DeltaTable(str(self.path(name)), storage_options=self._options).version() if self.exists(name) else None

    def release_summary(self, tbl: Table, version: int | None = None) -> dict[ReleaseValues, ReleaseState]:
        """Per release: how many rows the table holds and which raw files (sha256) they came from.

        One streamed, grouped read of a few columns, whatever the number of releases: each batch is
        grouped as it arrives (a no-op refresh's check once read 11 M rows x 4 columns at once, 1.3 GiB).
        Derived tables that carry no source_sha256 report no sources.
        """
        if not self.exists(tbl.name):
            return {}
        keys = list(tbl.release_key)
        columns = [*keys, "source_sha256"] if "source_sha256" in tbl.names else keys
        summary: dict[ReleaseValues, ReleaseState] = {}
        scanner = self.dataset(tbl.name, version).scanner(columns=columns, batch_readahead=2, fragment_readahead=1)
        for batch in scanner.to_batches():
            grouped = pa.Table.from_batches([batch]).group_by(columns, use_threads=False).aggregate([([], "count_all")])
            values = zip(
                *(grouped.column(c).to_pylist() for c in columns), grouped.column("count_all").to_pylist(), strict=True
            )
            for *group, count in values:
                release, sha = tuple(group[: len(keys)]), group[len(keys)] if len(group) > len(keys) else None
                state = summary.setdefault(release, ReleaseState(0, set()))
                state.rows += count
                if sha is not None:
                    state.sources.add(sha)
        return summary

    def release_counts(self, tbl: Table) -> dict[ReleaseValues, int]:
        return {release: state.rows for release, state in self.release_summary(tbl).items()}

    def history(self, name: str) -> list[dict[str, Any]]:
        """Every version, oldest first, with the provenance occstats recorded in its commit."""
        entries = []
        for item in sorted(self.delta(name, self.latest_version(name)).history(), key=lambda h: h["version"]):
            raw = item.get(METADATA_KEY)
            meta = json.loads(raw) if isinstance(raw, str) else {}
            stamp = dt.datetime.fromtimestamp(item["timestamp"] / 1000, dt.UTC)
            entries.append(
                {
                    "version": item["version"],
                    "timestamp": stamp.isoformat(timespec="seconds"),
                    "operation": item.get("operation"),
                    "predicate": (item.get("operationParameters") or {}).get("predicate"),
                    "rows_added": (item.get("operationMetrics") or {}).get("num_added_rows"),
                    **meta,
                }
            )
        return entries

    # -- writing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """One writer per data directory: an append racing an overwrite fails its commit otherwise.

        On object storage the lock file is local (one writer per machine); writers on other machines
        are kept apart by deltalake's conditional commits (the loser's commit fails, nothing is lost).
        """
        local = self.root.cache_dir() if isinstance(self.root, ObjectPath) else self.root
        local.mkdir(parents=True, exist_ok=True)
        with (local / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def missing_columns(self, tbl: Table) -> list[str]:
        """Declared columns a table written by an older occstats lacks (added, nullable, on its next write).

        The tables are a contract: columns are added, never renamed, so a data directory written
        before a column existed takes the new rows by merging the schema; its old rows read the new
        columns as nulls and keep every value they had.
        """
        present = {field.name for field in self.delta(tbl.name).schema().fields}
        return [name for name in tbl.names if name not in present]

    def changed_releases(self, tbl: Table, parts: list[pa.Table]) -> list[tuple[ReleaseChange, pa.Table]]:
        """Releases whose content differs from what the table holds for them now.

        `parts` holds each release's rows as its own table (a part may hold several releases).
        """
        changes = []
        exists = self.exists(tbl.name)
        latest = self.latest_version(tbl.name)  # compare with the newest commit, whatever readers see
        for part in parts:
            part = conformed(tbl, part)
            releases = release_values(tbl, part)
            for release in releases:
                new = part.filter(_release_filter(tbl, release)) if len(releases) > 1 else part
                old = self.read(tbl.name, latest, where=_release_filter(tbl, release)) if exists else None
                if old is not None and old.num_rows and _canonical(tbl, old).equals(_canonical(tbl, new)):
                    continue
                previous = old.num_rows if old is not None and old.num_rows else None
                changes.append((ReleaseChange(release, new.num_rows, previous), new))
        return changes

    def write(
        self, tbl: Table, parts: list[pa.Table], metadata: dict[str, Any]
    ) -> tuple[int | None, list[ReleaseChange]]:
        """Replace the releases in `parts` whose content changed, in one commit; return (version, changes).

        The caller holds `lock()` and has validated every part. Rows of releases not in `parts` are
        never touched. Each changed release becomes Parquet files of its own, in the encoding its parser
        gave it, where the files it replaces hold nothing else (delta_files.py: pyarrow writes, delta-rs
        commits); otherwise delta-rs' predicate overwrite rewrites them, the changed releases streamed to
        it batch by batch (no concatenated copy).
        """
        found = self.changed_releases(tbl, parts)
        if not found:
            return None, []
        changes = [change for change, _ in found]
        changed = [c.release for c in changes]
        group_rows = row_group_rows(max(rows.num_rows for _, rows in found))
        meta = {
            **metadata,
            "releases": [dict(zip(tbl.release_key, r, strict=True)) for r in changed],
            "rows_added": sum(change.rows for change in changes),  # a transaction commit records no row metrics
        }
        exists = self.exists(tbl.name)
        added = self.missing_columns(tbl) if exists else []
        if added:
            meta["schema_added_columns"] = added
        properties = CommitProperties(custom_metadata={METADATA_KEY: json.dumps(meta, sort_keys=True, default=str)})
        if not added and self._replace_files(tbl, found, group_rows, properties, exists):
            return self.latest_version(tbl.name), changes
        schema = found[0][1].schema  # one stream: releases whose columns are encoded differently are decoded
        if any(not rows.schema.equals(schema) for _, rows in found[1:]):
            schema = tbl.arrow_schema()
            found = [(change, rows.cast(schema)) for change, rows in found]
        stream = pa.RecordBatchReader.from_batches(
            schema, (batch for _, rows in found for batch in _clustered(tbl, rows, group_rows).to_batches())
        )
        if exists:
            write_deltalake(
                str(self.path(tbl.name)),
                stream,
                mode="overwrite",
                predicate=release_predicate(tbl, changed),
                commit_properties=properties,
                storage_options=self._options,
                writer_properties=WriterProperties(max_row_group_size=group_rows),
                schema_mode="merge" if added else None,
            )
        else:
            self.root.mkdir(parents=True, exist_ok=True)
            write_deltalake(
                str(self.path(tbl.name)),
                stream,
                mode="error",
                partition_by=list(tbl.partition_by) or None,
                name=tbl.name,
                description=tbl.description,
                commit_properties=properties,
                storage_options=self._options,
                writer_properties=WriterProperties(max_row_group_size=group_rows),
            )
        return self.latest_version(tbl.name), changes

    def _replace_files(
        self,
        tbl: Table,
        found: list[tuple[ReleaseChange, pa.Table]],
        group_rows: int,
        properties: CommitProperties,
        exists: bool,
    ) -> bool:
        """Write each changed release into Parquet files of its own and commit them, with the removal of the files
        they replace, in one delta-rs transaction (delta_files.py). False, having written nothing, where a
        file the table holds mixes a changed release with other rows: `write_deltalake` rewrites that one.
        `exists`: whether the table has a commit yet (the caller has asked)."""
        removed: list[RemoveAction] = []
        if exists:
            delta = DeltaTable(str(self.path(tbl.name)), storage_options=self._options)
            replaced = replaced_files(tbl, delta, [change.release for change, _ in found])
            if replaced is None:
                return False
            removed = replaced
        else:
            self.root.mkdir(parents=True, exist_ok=True)
        filesystem, path = filesystem_of(self.path(tbl.name))
        added = [
            action
            for _, rows in found
            for action in write_release(filesystem, path, tbl, _clustered(tbl, rows, group_rows), group_rows)
        ]
        if exists:
            delta.create_write_transaction(
                [*added, *removed],
                mode="append",
                schema=tbl.arrow_schema(),
                partition_by=list(tbl.partition_by) or None,
                commit_properties=properties,
            )
        else:
            create_table_with_add_actions(
                str(self.path(tbl.name)),
                Schema.from_arrow(tbl.arrow_schema()),
                added,
                mode="error",
                partition_by=list(tbl.partition_by) or None,
                name=tbl.name,
                description=tbl.description,
                storage_options=self._options,
                commit_properties=properties,
            )
        return True

    def write_tables(
        self, writes: list[tuple[Table, list[pa.Table]]], metadata: dict[str, Any]
    ) -> dict[str, tuple[int | None, list[ReleaseChange]]]:
        """`write` for several tables, two at a time, the largest first; return table name -> (version, changes).

        A file is encoded on one core (by pyarrow, or delta-rs where it rewrites): the time series' 370 k
        estimate rows are written while its 4.4 M wage rows are. Each table is still its own commit; the
        caller records the snapshot readers move to once every write returned. The first error (in
        `writes` order) is raised after the writes already started have finished.
        """
        # Memory Arrow's pool kept from parsing and checking goes back to the system first. Measured when
        # delta-rs wrote every table (it allocates outside that pool; the time series' write peak: 1311-1530
        # MiB without, 1247-1328 with); it still writes where a file mixes releases.
        pa.default_memory_pool().release_unused()
        order = sorted(writes, key=lambda w: -sum(part.num_rows for part in w[1]))
        if len(order) < 2:
            return {tbl.name: self.write(tbl, parts, metadata) for tbl, parts in order}
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {tbl.name: pool.submit(self.write, tbl, parts, metadata) for tbl, parts in order}
        return {tbl.name: futures[tbl.name].result() for tbl, _ in writes}

    def restore(self, name: str, version: int, metadata: dict[str, Any]) -> int | None:
        """Bring table `name` back to what it held at `version`, as a new version; return its number.

        The table's history is kept: the restore is one more commit, carrying our provenance
        (`metadata` plus who ran it, from and to which version, and the releases whose content it
        changes) under the same key as every write, so `history` shows it. Restoring the version
        the table is at writes nothing and returns None. Raises ValueError for a version the table
        never had or whose files are gone.
        """
        with self.lock():
            current = self.delta(name, self.latest_version(name))
            latest = current.version()
            if not 0 <= version <= latest:
                raise ValueError(f"table {name!r} has versions 0 to {latest}; there is no version {version}")
            if version == latest:
                return None
            tbl = TABLES.get(name)
            changed: list[ReleaseValues] = []
            if tbl is not None:
                before, after = self.release_summary(tbl, latest), self.release_summary(tbl, version)
                changed = sorted(
                    (r for r in set(before) | set(after) if before.get(r) != after.get(r)),
                    key=lambda t: tuple(str(v) for v in t),
                )
            meta = {
                "reason": f"restore of v{version}",
                **metadata,
                "restored_to": version,
                "restored_from": latest,
                "user": _who(),
                "releases": [dict(zip(tbl.release_key, r, strict=True)) for r in changed] if tbl else [],
                "sources": [],
            }
            properties = CommitProperties(custom_metadata={METADATA_KEY: json.dumps(meta, sort_keys=True, default=str)})
            try:
                current.restore(version, commit_properties=properties)
            except DeltaError as exc:
                raise ValueError(f"table {name!r} cannot be restored to version {version}: {exc}") from exc
            self.record_snapshot([name])
        return self.latest_version(name)


def _who() -> str:
    """Who ran a command, for provenance; a container without a passwd entry still gets an answer."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"
