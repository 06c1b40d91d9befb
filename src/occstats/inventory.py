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
        version = store.version(name)  # the snapshot's, which a write after it does not change
        written = [h["timestamp"] for h in history if h["version"] == version]
        rows.append(
            {
                "table": name,
                "version": version,
                "rows": store.dataset(name).count_rows(),
                "last_write": written[-1] if written else None,
                "releases": describe_releases(tbl.release_key, releases) if tbl else "",
            }
        )
    return rows
