"""What the curated store holds: for `occstats tables` and the publishers' first question."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from occstats.labels import describe_release_keys
from occstats.schema import TABLES
from occstats.store import Store


def describe_releases(columns: Sequence[str], releases: Sequence[Sequence[Any]]) -> str:
    """Release keys for people, in the release labels' words ('OES May 2004-2005, 2007'; 'EP 2024-34')."""
    return describe_release_keys(columns, releases)


def table_inventory(store: Store) -> list[dict[str, Any]]:
    rows = []
    for name in store.names():
        history = store.history(name)
        tbl = TABLES.get(name)
        releases = sorted(store.release_counts(tbl)) if tbl else []
        rows.append(
            {
                "table": name,
                "version": store.version(name),
                "rows": store.dataset(name).count_rows(),
                "last_write": history[-1]["timestamp"] if history else None,
                "releases": describe_releases(tbl.release_key, releases) if tbl else "",
            }
        )
    return rows


def release_inventory(store: Store) -> list[dict[str, Any]]:
    """One row per table x release (x family, where the table keys releases by dataset): rows and source files.

    What a refresh replaces as a unit, so a reader sees how many rows each release of each family holds.
    """
    rows = []
    for name in store.names():
        tbl = TABLES.get(name)
        if tbl is None:
            continue
        keys = list(tbl.release_key)
        for release, state in sorted(store.release_summary(tbl).items(), key=lambda kv: tuple(map(str, kv[0]))):
            values = dict(zip(keys, release, strict=True))
            rows.append(
                {
                    "table": name,
                    "release": describe_releases(
                        [k for k in keys if k != "dataset"], [tuple(v for k, v in values.items() if k != "dataset")]
                    ),
                    "family": values.get("dataset", ""),
                    "rows": state.rows,
                    "files": len(state.sources),
                }
            )
    return rows
