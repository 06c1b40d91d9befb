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


def describe_families(columns: Sequence[str], counts: dict[tuple[Any, ...], int]) -> str:
    """Rows per release and family, for tables keyed by (dataset, ref_year): 'oes_industry 2008: 15,951; ...'.

    Empty for other tables; the lines are what `occstats tables` prints under 'by family'.
    """
    cols = list(columns)
    if cols[:2] != ["dataset", "ref_year"]:
        return ""
    by_family: dict[str, list[str]] = {}
    for key, rows in sorted(counts.items(), key=lambda kv: (str(kv[0][0]), int(kv[0][1]))):
        by_family.setdefault(str(key[0]), []).append(f"{key[1]}: {rows:,}")
    return "; ".join(f"{family} {', '.join(parts)}" for family, parts in by_family.items())


def table_inventory(store: Store) -> list[dict[str, Any]]:
    rows = []
    for name in store.names():
        history = store.history(name)
        tbl = TABLES.get(name)
        counts = store.release_counts(tbl) if tbl else {}
        releases = sorted(counts)
        version = store.version(name)  # the snapshot's, which a write after it does not change
        written = [h["timestamp"] for h in history if h["version"] == version]
        rows.append(
            {
                "table": name,
                "version": version,
                "rows": store.dataset(name).count_rows(),
                "last_write": written[-1] if written else None,
                "releases": describe_releases(tbl.release_key, releases) if tbl else "",
                "by_family": describe_families(tbl.release_key, counts) if tbl else "",
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
