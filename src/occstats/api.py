"""Read the curated tables from Python: `occstats.open("data")`.

    import occstats

    db = occstats.open("data")                     # a data directory or its curated/ folder, str, Path or s3:// URL
    db.tables                                      # ['oes_estimates', 'oes_wages', ...]
    wages = db["oes_wages"]                        # the latest version; db.table(name, version=0) or
    wages.version                                  #   as_of="2026-05-01T00:00" for an earlier one
    wages.to_arrow()                               # pyarrow Table: values exactly as published (decimals)
    wages.to_pandas(floats=True)                   # pandas, decimals as float64 for plotting and models
    db.sql("select * from oes_wages_titled where soc_code = '29-1141'").to_polars()

Everything reads through the store's pyarrow SubTreeFileSystem: deltalake's default filesystem
aborts the process at exit in a fraction of runs (STACK.md), and an analysis script that dies
with exit 134 after printing its result is worse than one that never ran.

Decimals stay decimals unless asked: `value` is an exact `decimal128`, so 21.35 is 21.35 and a
comparison with a published figure is exact. `floats=True` (or `as_floats`) gives float64 for
the tools that want it; the published figures have at most two decimals, which float64 holds to
well within a cent.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from occstats.objectstore import DataPath, as_data_path
from occstats.selective import Selective
from occstats.store import Store, describe_versions

if TYPE_CHECKING:
    import pandas
    import polars

Where = pc.Expression | Mapping[str, Any] | None


def as_floats(table: pa.Table) -> pa.Table:
    """The same table with every decimal column as float64 (other columns untouched)."""
    for index, column in enumerate(table.schema):
        if pa.types.is_decimal(column.type):
            as_float = pa.field(column.name, pa.float64(), column.nullable, column.metadata)
            table = table.set_column(index, as_float, pc.cast(table.column(index), pa.float64()))
    return table


def _to_pandas(table: pa.Table, floats: bool) -> pandas.DataFrame:
    return (as_floats(table) if floats else table).to_pandas()


def _to_polars(table: pa.Table, floats: bool) -> polars.DataFrame:
    try:
        import polars as pl
    except ImportError as exc:
        raise ImportError("to_polars() needs polars: pip install polars") from exc
    frame = pl.from_arrow(as_floats(table) if floats else table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _expression(where: Where) -> pc.Expression | None:
    """A pyarrow expression, or {column: value} meaning column == value for each item (a list: isin)."""
    if where is None or isinstance(where, pc.Expression):
        return where
    expr: pc.Expression | None = None
    for column, value in where.items():
        many = isinstance(value, list | tuple | set)
        term = pc.field(column).isin(list(value)) if many else pc.field(column) == value
        expr = term if expr is None else expr & term
    return expr


def _moment(value: dt.datetime | dt.date | str) -> dt.datetime:
    """A point in time; naive means UTC, a date means its first moment."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _dataset(root: DataPath, name: str, version: int) -> ds.Dataset:
    """A table version's dataset, opened once per process (see `_reader`)."""
    return _reader(root, name, version).dataset


def _reader(root: DataPath, name: str, version: int) -> Selective:
    """A table version's dataset and filtered reader, opened once per process: a Delta version never changes, and
    opening one (reading its log, listing its files) cost about as much as a warm query's scan (benchmarks/RESULTS.md).
    The commit file's identity is part of the key: a data directory removed and curated again is reopened."""
    commit = Store(root).path(name) / "_delta_log" / f"{version:020d}.json"
    if not isinstance(commit, Path):  # object storage: no cheap stamp, open it every time
        return Selective(Store(root).dataset(name, version))
    try:
        stamp = commit.stat().st_mtime_ns
    except OSError:  # a checkpointed or remote log: open it every time
        return Selective(Store(root).dataset(name, version))
    return _opened(root, name, version, stamp)


@functools.lru_cache(maxsize=64)
def _opened(root: DataPath, name: str, version: int, stamp: int) -> Selective:
    return Selective(Store(root).dataset(name, version))


@dataclass(frozen=True)
class Table:
    """One curated table at one version."""

    store: Store = field(repr=False)
    name: str
    version: int

    def dataset(self) -> ds.Dataset:
        """The version's pyarrow dataset: filter lazily, or register it with DuckDB."""
        return _dataset(self.store.root, self.name, self.version)

    def to_arrow(self, columns: list[str] | None = None, where: Where = None) -> pa.Table:
        """Rows as published. `where`: a pyarrow expression or {column: value}.

        Filtered reads decode only the rows kept (occstats.selective): the same table, several times faster."""
        return _reader(self.store.root, self.name, self.version).to_table(_expression(where), columns)

    def to_pandas(
        self, columns: list[str] | None = None, where: Where = None, *, floats: bool = False
    ) -> pandas.DataFrame:
        return _to_pandas(self.to_arrow(columns, where), floats)

    def to_polars(
        self, columns: list[str] | None = None, where: Where = None, *, floats: bool = False
    ) -> polars.DataFrame:
        return _to_polars(self.to_arrow(columns, where), floats)

    def history(self) -> list[dict[str, Any]]:
        """Every version of the table, oldest first, with what occstats recorded in each commit."""
        return self.store.history(self.name)

    def __len__(self) -> int:
        return self.dataset().count_rows()


@dataclass(frozen=True)
class Result:
    """The rows of one SQL query."""

    arrow: pa.Table = field(repr=False)

    @property
    def columns(self) -> list[str]:
        return self.arrow.column_names

    def to_arrow(self) -> pa.Table:
        return self.arrow

    def to_pandas(self, *, floats: bool = False) -> pandas.DataFrame:
        return _to_pandas(self.arrow, floats)

    def to_polars(self, *, floats: bool = False) -> polars.DataFrame:
        return _to_polars(self.arrow, floats)

    def __len__(self) -> int:
        return self.arrow.num_rows


class Data:
    """The curated tables of one data directory. Make one with `occstats.open(path)`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        root = as_data_path(path)  # a local folder, or an s3:// URL (AWS_* variables configure the store)
        curated = root / "curated"
        self.store = Store(curated if curated.is_dir() or not Store(root).names() else root)
        if not self.store.names():
            state = "does not exist" if not root.exists() else "holds no curated tables"
            raise FileNotFoundError(
                f"{root} {state}: run `occstats refresh all --data-dir {root}` to curate the BLS releases into it"
            )

    def __repr__(self) -> str:
        return f"occstats.open({str(self.store.root)!r})"

    @property
    def tables(self) -> list[str]:
        """The curated tables present, declared ones first."""
        return self.store.names()

    @property
    def views(self) -> list[str]:
        """Views `sql()` offers on top of the tables (oes_wages_titled: wages with the occupation title)."""
        from occstats.query import queryable

        return [name for name in queryable(self.store) if name not in self.tables]

    def table(self, name: str, version: int | None = None, as_of: dt.datetime | dt.date | str | None = None) -> Table:
        """`name` at its current version (the snapshot readers see), at `version`, or as of `as_of` (not both)."""
        if name not in self.tables:
            hint = f" ({name} is a view: use .sql('select * from {name}'))" if name in self.views else ""
            raise KeyError(f"no table {name!r} in {self.store.root}{hint}; tables: {', '.join(self.tables)}")
        if version is not None and as_of is not None:
            raise ValueError("give version or as_of, not both")
        if version is None and as_of is None and (current := self._current(name)) is not None:
            return Table(self.store, name, current)
        history = self.store.history(name)
        versions = [entry["version"] for entry in history]
        if as_of is not None:
            moment = _moment(as_of)
            before = [e["version"] for e in history if dt.datetime.fromisoformat(e["timestamp"]) <= moment]
            if not before:
                first = history[0]["timestamp"]
                raise ValueError(f"{name} did not exist yet at {moment.isoformat()}: its first version is of {first}")
            version = max(before)
        if version is None:
            version = self.store.version(name)  # the snapshot's: every table from the same publish
        if version not in versions:
            raise ValueError(f"{name} has {describe_versions(versions)}; no version {version}")
        return Table(self.store, name, version)

    def _current(self, name: str) -> int | None:
        """The snapshot's version of `name` when its commit is there: what `table(name)` would find through the
        table's history, without opening the table twice (~25 ms of a ~100 ms query); None: ask the history."""
        if not self.store.pinned:
            return None
        version = self.store.snapshot().get(name)
        if version is None:
            return None
        commit = self.store.path(name) / "_delta_log" / f"{version:020d}.json"
        return version if commit.exists() else None

    def __getitem__(self, name: str) -> Table:
        return self.table(name)

    def _scanned(self, name: str, version: int | None) -> ds.Dataset:
        """A table version as SQL scans it, from the per-process cache of opened versions (`_reader`)."""
        if version is None:
            version = self._current(name)
        if version is None:
            version = self.store.version(name)
        if version is None:
            return self.store.dataset(name)
        reader = _reader(self.store.root, name, version)
        return reader.files if reader.files is not None else reader.dataset

    def __contains__(self, name: object) -> bool:
        return name in self.tables

    def read(self, name: str, columns: list[str] | None = None, where: Where = None, **at: Any) -> pa.Table:
        """Shorthand for `table(name, **at).to_arrow(columns, where)`."""
        return self.table(name, **at).to_arrow(columns, where)

    def sql(self, query: str, as_of: Mapping[str, int] | None = None) -> Result:
        """SQL (DuckDB) over every table and view; `as_of={"oes_wages": 0}` reads a table at a version."""
        import duckdb

        from occstats.query import catalog_error, check_as_of, check_sql, connect

        check_sql(query)
        as_of = dict(as_of or {})
        check_as_of(self.store, as_of)
        con = connect(self.store, as_of, self._scanned)
        try:
            relation = con.sql(query)
            return Result(relation.to_arrow_table() if relation is not None else pa.table({}))
        except duckdb.CatalogException as exc:
            raise catalog_error(self.store, exc) from exc
        finally:
            con.close()


def open(path: str | os.PathLike[str] = "data") -> Data:
    """The curated tables of a data directory (the one `occstats refresh` writes, or its curated/ folder)."""
    return Data(path)
