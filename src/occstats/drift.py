"""Structural drift: what a release lost compared with the release held before it (issue 12 item 3).

The row-count check lets a release move by 5%, and one small major group is about 1% of the rows:
a file missing a whole group passed. These checks compare structure, not totals, against a
baseline the pipeline picks (`Baseline`): the same release as held now (a re-fetch or re-import),
else the newest earlier release held in the same classification (codes of another system are not
comparable). Each names what vanished: major groups, occupation levels, detailed codes, and
figures moving by more than a declared share.

Everything is computed with Arrow set operations and kernels over a handful of columns, never per
row in Python. Thresholds are data (`Limits`), declared per kind of baseline with their evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from occstats.schema import Table
    from occstats.store import ReleaseValues, Store

MAX_NAMED = 12
# What the drift checks read of a baseline (a time-series release holds every area and industry:
# read these columns only). A figure is compared per estimate: the code within its area and industry.
ESTIMATE = ("area_type", "area_code", "naics_code", "ownership_code")
BASELINE_COLUMNS = ("soc_code", "occ_level", "employment", "soc_system", *ESTIMATE)


@dataclass(frozen=True)
class Baseline:
    """The rows a new release is compared with, and how they relate to it."""

    rows: pa.Table
    release: str  # "May 2021 (held now)", for messages
    same_release: bool  # the same release re-fetched, rather than the previous one


@dataclass(frozen=True)
class Limits:
    """How far a release may drift from its baseline before it is held back."""

    codes_gone: float  # share of the baseline's detailed codes that may be missing
    total_moved: float  # share the total's figure may move by
    group_moved: float  # share a major group's figure may move by (groups present in both)


@dataclass(frozen=True)
class DriftCheck:
    """A check of a release against its baseline; `run(new, baseline)` returns the failures."""

    name: str
    run: Callable[[pa.Table, Baseline], list[str]]
    blocking: bool = True


def _named(values: list[str]) -> str:
    shown = ", ".join(values[:MAX_NAMED])
    return shown + (f" (+{len(values) - MAX_NAMED} more)" if len(values) > MAX_NAMED else "")


def gone(before: pa.Array | pa.ChunkedArray, after: pa.Array | pa.ChunkedArray) -> list[str]:
    """Distinct values of `before` absent from `after`, sorted (an Arrow set difference)."""
    distinct = pc.unique(before.drop_null() if hasattr(before, "drop_null") else before)
    missing = distinct.filter(pc.invert(pc.is_in(distinct, value_set=pc.unique(after))))
    return sorted(str(v) for v in missing.to_pylist())


def _where(data: pa.Table, column: str, value: str) -> pa.Table:
    return data.filter(pc.equal(data.column(column), value))


def groups_gone(data: pa.Table, base: Baseline, *, level: str = "occ_level", code: str = "soc_code") -> list[str]:
    """Major groups (the first two digits of every code, and the major rows) held before and gone now."""
    prefixes = gone(pc.utf8_slice_codeunits(base.rows.column(code), 0, 2), pc.utf8_slice_codeunits(data[code], 0, 2))
    majors = gone(_where(base.rows, level, "major").column(code), _where(data, level, "major").column(code))
    lost = sorted({f"{p}-0000" for p in prefixes} | set(majors))
    if not lost:
        return []
    return [f"major group(s) in {base.release} and gone now: {_named(lost)}"]


def levels_gone(data: pa.Table, base: Baseline, *, level: str = "occ_level") -> list[str]:
    lost = gone(base.rows.column(level), data.column(level))
    return [f"occupation level(s) in {base.release} and gone now: {_named(lost)}"] if lost else []


def codes_gone(
    data: pa.Table, base: Baseline, limit: float, *, level: str = "occ_level", code: str = "soc_code"
) -> list[str]:
    before = _where(base.rows, level, "detailed").column(code)
    lost = gone(before, _where(data, level, "detailed").column(code))
    held = len(pc.unique(before))
    if not held or len(lost) / held <= limit:
        return []
    return [
        f"{len(lost)} of the {held} detailed codes in {base.release} are gone now ({len(lost) / held:.1%}, "
        f"more than the {limit:.0%} allowed): {_named(lost)}"
    ]


def figures_moved(
    data: pa.Table,
    base: Baseline,
    figure: str,
    limits: Limits,
    *,
    level: str = "occ_level",
    code: str = "soc_code",
    scope: Mapping[str, pc.Expression] | None = None,
) -> list[str]:
    """The total's and each major group's `figure`, compared where both releases publish it.

    `scope` ("total"/"major" -> a filter) keeps the comparison to the rows its limits were measured on.
    """

    keys = [c for c in ESTIMATE if c in data.column_names and c in base.rows.column_names] + [code]

    def by_code(rows: pa.Table, which: str) -> pa.Table:
        rows = _where(rows, level, which)
        if scope is not None and which in scope:
            rows = rows.filter(scope[which])
        picked = rows.select([*keys, figure])
        return picked.filter(pc.is_valid(picked.column(figure)))

    failures = []
    for which, limit in (("total", limits.total_moved), ("major", limits.group_moved)):
        joined = by_code(data, which).join(by_code(base.rows, which), keys, right_suffix="_before")
        if not joined.num_rows:
            continue
        now = pc.cast(joined.column(figure), pa.float64())
        before = pc.cast(joined.column(f"{figure}_before"), pa.float64())
        share = pc.divide(pc.abs(pc.subtract(now, before)), pc.max_element_wise(pc.abs(before), 1.0))
        moved = joined.filter(pc.greater(share, limit))
        if moved.num_rows:
            shares = moved.append_column("share", share.filter(pc.greater(share, limit)))
            shown = [
                f"{r[code]} {r[f'{figure}_before']} -> {r[figure]} ({r['share']:.1%})"
                for r in shares.slice(0, MAX_NAMED).to_pylist()
            ]
            more = f" (+{moved.num_rows - MAX_NAMED} more)" if moved.num_rows > MAX_NAMED else ""
            failures.append(
                f"{figure} of {moved.num_rows} {which} row(s) moved by more than {limit:.0%} from "
                f"{base.release}: {'; '.join(shown)}{more}"
            )
    return failures


def pick_baseline(store: Store, tbl: Table, data: pa.Table, held: Iterable[ReleaseValues]) -> Baseline | None:
    """The release `data` (one release) is compared with: itself as held now, else the newest earlier one.

    An earlier release counts only in the same classification (`soc_system`, where the table has
    one): codes of another system are not comparable. `held` lists the table's releases now.
    """
    from occstats.store import release_values  # the store imports the schema; keep this module light

    keys = list(tbl.release_key)
    found = release_values(tbl, data)
    if len(found) != 1:
        return None
    release, held = found[0], set(held)
    same = release in held
    if not same:
        earlier = [r for r in held if r[:-1] == release[:-1] and _before(r[-1], release[-1])]
        if not earlier:
            return None
        release_held = max(earlier, key=lambda r: r[-1])
    else:
        release_held = release
    where = None
    for col, value in zip(keys, release_held, strict=True):
        term = pc.field(col) == value
        where = term if where is None else where & term
    columns = [c for c in BASELINE_COLUMNS if c in tbl.names]
    rows = store.read(tbl.name, store.latest_version(tbl.name), where=where, columns=columns)
    systems = [set(pc.unique(t["soc_system"]).to_pylist()) for t in (rows, data) if "soc_system" in t.column_names]
    if not same and len(systems) == 2 and systems[0] != systems[1]:
        return None
    named = ", ".join(f"{k} {v}" for k, v in zip(keys, release_held, strict=True))
    return Baseline(rows, f"the release held now ({named})" if same else f"the previous release held ({named})", same)


def _before(a: object, b: object) -> bool:
    try:
        return a < b  # type: ignore[operator]
    except TypeError:
        return str(a) < str(b)
