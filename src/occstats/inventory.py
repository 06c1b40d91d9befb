"""What the curated store holds: for `occstats tables` and the publishers' first question."""

from __future__ import annotations

from typing import Any

from occstats.schema import TABLES
from occstats.store import Store


def year_ranges(years: list[int]) -> str:
    """[1997, 2004, 2005, 2007] -> '1997, 2004-2005, 2007'."""
    spans: list[list[int]] = []
    for year in sorted(set(years)):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def describe_releases(releases: list[tuple[Any, ...]]) -> str:
    """Release keys for people: constant columns dropped, single years as ranges."""
    if not releases:
        return ""
    width = len(releases[0])
    # Columns every release shares (the dataset name) say nothing; with one release, all of it does.
    varying = [i for i in range(width) if len({r[i] for r in releases}) > 1] if len(releases) > 1 else []
    varying = varying or [i for i in range(width) if not isinstance(releases[0][i], str)] or list(range(width))
    values = [tuple(r[i] for i in varying) for r in releases]
    if len(varying) == 1 and all(isinstance(v[0], int) for v in values):
        return year_ranges([v[0] for v in values])
    joiner = "-" if all(isinstance(x, int) for v in values for x in v) else "/"
    return ", ".join(joiner.join(str(x) for x in v) for v in sorted(values, key=str))


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
                "releases": describe_releases(releases),
            }
        )
    return rows
