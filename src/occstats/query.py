"""SQL over the curated tables with DuckDB, offline.

Each Delta table is registered as a view by its table name from its pyarrow dataset (latest
version, or the one asked for with --as-of). DuckDB's delta extension would need a download, and
read_parquet on a Delta directory also reads removed files (STACK.md), so neither is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow.dataset as ds

from occstats.errors import ConfigError
from occstats.pruning import prunable
from occstats.schema import TABLES
from occstats.store import Store, describe_versions

_ESTIMATE_KEY = TABLES["oes_estimates"].key


def _titled_wages() -> str:
    """oes_wages with the occupation's title beside its code: the common query needs no join."""
    columns = []
    for name in TABLES["oes_wages"].names:
        columns.append(f"w.{name}")
        if name == "soc_code":
            columns.append("e.occ_title")
    on = " and ".join(f"w.{k} = e.{k}" for k in _ESTIMATE_KEY)
    return f"select {', '.join(columns)} from oes_wages w left join oes_estimates e on {on}"


# Views over the registered tables: name -> (tables it needs, SQL).
VIEWS: dict[str, tuple[tuple[str, ...], str]] = {
    "oes_wages_titled": (("oes_wages", "oes_estimates"), _titled_wages()),
}


def parse_as_of(specs: list[str] | None) -> dict[str, int]:
    """`["oes_wages=3"]` -> {"oes_wages": 3}; one version per table."""
    found: dict[str, int] = {}
    for spec in specs or []:
        name, sep, version = (part.strip() for part in spec.partition("="))
        if not sep or not name or not version.isdigit():
            raise ConfigError(f"--as-of wants TABLE=VERSION (e.g. oes_wages=0), got {spec!r}")
        if name in found:
            raise ConfigError(f"--as-of names {name} twice ({name}={found[name]} and {name}={version}); give one")
        found[name] = int(version)
    return found


def check_as_of(store: Store, as_of: dict[str, int]) -> None:
    """Each table asked for exists and has that version; the message names the valid range otherwise."""
    names = store.names()
    for name, version in as_of.items():
        if name not in names:
            raise ConfigError(
                f"--as-of {name}={version}: no table {name!r} in {store.root}; tables: {', '.join(names) or 'none'}"
            )
        versions = [entry["version"] for entry in store.history(name)]
        if version not in versions:
            valid = describe_versions(versions)
            raise ConfigError(f"--as-of {name}={version}: {name} has {valid} (see `occstats history {name}`)")


def register_views(con: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    """Create the declared views whose tables are registered (called after registration)."""
    for view, (needs, sql) in VIEWS.items():
        if all(n in names for n in needs):
            con.execute(f"create or replace temp view {view} as {sql}")


def queryable(store: Store) -> list[str]:
    """The names a query can use here: the tables present, then the views they allow."""
    names = store.names()
    return names + [v for v, (needs, _) in VIEWS.items() if all(n in names for n in needs)]


def catalog_error(store: Store, exc: duckdb.Error) -> ConfigError:
    """DuckDB suggests its own catalog (pg_views…) for an unknown table: name ours instead."""
    found = re.search(r"Table with name (\S+) does not exist", str(exc))
    if not found:
        return ConfigError(f"query failed: {exc}")
    name = found.group(1)
    message = f"query failed: no table {name!r}; tables: {', '.join(queryable(store)) or 'none'}"
    if name in TABLES or name in VIEWS:
        message += f" ({name} is not curated in {store.root} yet)"
    return ConfigError(message)


def _dataset(store: Store, name: str, version: int | None) -> ds.Dataset:
    """A table version as DuckDB scans it: with row-group guarantees a filter can use (`occstats.pruning`)."""
    dataset = store.dataset(name, version)
    return prunable(dataset) if isinstance(dataset, ds.FileSystemDataset) else dataset


def connect(
    store: Store,
    as_of: dict[str, int] | None = None,
    dataset: Callable[[str, int | None], ds.Dataset] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection with every table registered; `dataset(name, version)` opens a table
    version (`occstats.open` passes its per-process cache; by default each is opened here)."""
    as_of = as_of or {}
    opened = dataset or (lambda name, version: _dataset(store, name, version))
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
            registered = opened(name, version)
        except Exception as exc:
            raise ConfigError(f"{name} has no version {version}: {exc}") from exc
        con.register(name, registered)
    register_views(con, names)
    return con


def check_sql(sql: str) -> None:
    if not sql.strip():
        raise ConfigError('the query is empty; e.g. occstats query "select * from oes_wages_titled limit 5"')


def run(store: Store, sql: str, as_of: dict[str, int] | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    check_sql(sql)
    check_as_of(store, as_of or {})
    con = connect(store, as_of)
    try:
        relation = con.sql(sql)
        if relation is None:
            return [], []
        return list(relation.columns), relation.fetchall()
    except duckdb.CatalogException as exc:
        raise catalog_error(store, exc) from exc
    except duckdb.Error as exc:
        raise ConfigError(f"query failed: {exc}") from exc
    finally:
        con.close()
