"""SQL over the curated tables with DuckDB, offline.

Each Delta table is registered as a view by its table name from its pyarrow dataset (latest
version, or the one asked for with --as-of). DuckDB's delta extension would need a download, and
read_parquet on a Delta directory also reads removed files (STACK.md), so neither is used.
"""

from __future__ import annotations

from typing import Any

import duckdb

from occstats.errors import ConfigError
from occstats.store import Store


def parse_as_of(specs: list[str] | None) -> dict[str, int]:
    """`["oes_wages=3"]` -> {"oes_wages": 3}."""
    found: dict[str, int] = {}
    for spec in specs or []:
        name, sep, version = spec.partition("=")
        if not sep or not version.strip().isdigit():
            raise ConfigError(f"--as-of wants TABLE=VERSION, got {spec!r}")
        found[name.strip()] = int(version)
    return found


def connect(store: Store, as_of: dict[str, int] | None = None) -> duckdb.DuckDBPyConnection:
    as_of = as_of or {}
    names = store.names()
    unknown = sorted(set(as_of) - set(names))
    if unknown:
        raise ConfigError(f"--as-of names tables that do not exist: {', '.join(unknown)}")
    # Read-only by DuckDB's own settings: no file or network access from SQL (COPY ... TO, ATTACH,
    # read_csv('/etc/passwd'), INSTALL/LOAD), and the configuration locked so SQL cannot undo it.
    # The tables stay readable: pyarrow reads the registered datasets, not DuckDB's file system.
    con = duckdb.connect(
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "enable_external_access": False,
            "allow_community_extensions": False,
            "lock_configuration": True,
        }
    )
    for name in names:
        version = as_of.get(name)
        try:
            dataset = store.dataset(name, version)
        except Exception as exc:
            raise ConfigError(f"{name} has no version {version}: {exc}") from exc
        con.register(name, dataset)
    return con


def run(store: Store, sql: str, as_of: dict[str, int] | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    con = connect(store, as_of)
    try:
        relation = con.sql(sql)
        if relation is None:
            return [], []
        return list(relation.columns), relation.fetchall()
    except duckdb.Error as exc:
        raise ConfigError(f"query failed: {exc}") from exc
    finally:
        con.close()
