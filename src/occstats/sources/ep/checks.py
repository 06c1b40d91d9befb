"""Employment Projections' own checks on `ep_projections`, declared beside the product.

The figures must add up within BLS's rounding: base + change = target, the percent change agrees
with the persons figures, line items sum to their summaries, and each status matches its value.
Each check returns its failures; the validation gate turns them into results.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from occstats import schema, validate
from occstats.sources.ep import layout
from occstats.sources.ep.parser import ancestors, code_prefix
from occstats.validate import Check

# Each persons figure is rounded to 100 persons (0.1 thousand), so a published figure is within 50
# persons of the true one.
HALF_UNIT = layout.PERSONS_PER_UNIT // 10**layout.THOUSANDS_DECIMALS // 2
_EPS = 1e-9


def _name(row: Any, *columns: str) -> str:
    values = " ".join(f"{c}={_show(getattr(row, c))}" for c in columns)
    return f"{row.base_year}-{row.target_year} {row.soc_code} {values}"


def _show(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "null"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value)


def _failure(what: str, bad: list[str]) -> list[str]:
    if not bad:
        return []
    shown = "; ".join(bad[: validate.MAX_EXAMPLES])
    more = f" (+{len(bad) - validate.MAX_EXAMPLES} more)" if len(bad) > validate.MAX_EXAMPLES else ""
    return [f"{len(bad)} {what}: {shown}{more}"]


def _base_change_target(frame: pd.DataFrame) -> list[str]:
    """base + change = target within rounding: three figures each within 50 persons of the truth."""
    full = frame.dropna(subset=["employment_base", "change_number", "employment_target"])
    gap = (full["employment_base"] + full["change_number"] - full["employment_target"]).abs()
    bad = [
        _name(r, "employment_base", "change_number", "employment_target")
        for r in full[gap > 3 * HALF_UNIT].itertuples()
    ]
    return _failure(f"rows have base + change differing from target by more than {3 * HALF_UNIT} persons", bad)


def _change_pct_consistent(frame: pd.DataFrame) -> list[str]:
    """The published percent lies in the interval the rounded base and change allow.

    The true base is within [b-50, b+50] persons and the true change within [c-50, c+50], so the
    true percent lies between the extreme corner ratios; the published percent, rounded to its
    decimals, must be within half a unit of its last decimal of that interval.
    """
    bad: list[str] = []
    full = frame.dropna(subset=["employment_base", "change_number", "change_pct"])
    for row in full.itertuples():
        low_base = row.employment_base - HALF_UNIT
        if low_base <= 0:
            continue  # a base that may be zero bounds no percent
        corners = [
            100 * (row.change_number + dc) / (row.employment_base + db)
            for dc in (-HALF_UNIT, HALF_UNIT)
            for db in (-HALF_UNIT, HALF_UNIT)
        ]
        half = 0.5 * 10 ** -layout.percent_decimals_for(int(row.base_year))
        if not min(corners) - half - _EPS <= row.change_pct <= max(corners) + half + _EPS:
            shown = _name(row, "employment_base", "change_number", "change_pct")
            bad.append(f"{shown} (the figures allow {min(corners):.3f} to {max(corners):.3f})")
    return _failure("rows have a percent change the published base and change cannot give", bad)


def _groups_of(code: str, by_prefix: dict[str, str], parents: dict[str, str]) -> set[str]:
    """The structural groups (summary codes) a code falls in, following declared filings too."""
    groups: set[str] = set()
    chain = ancestors(code, parents)
    groups.update(chain[1:])
    for link in chain:
        groups.update(by_prefix[link[:k]] for k in range(0, 7) if link[:k] in by_prefix)
    groups.discard(code)
    return groups


def _line_items_sum_to_summaries(frame: pd.DataFrame) -> list[str]:
    """Each summary equals the sum of the line items under it, within 50 persons per figure added.

    Members come from SOC code structure (00-0000 holds every line item), the declared cross-group
    summaries and filings in ep_layout. A summary Table 1.2 does not break down completely is not
    checked and counts as a line item for the groups above it.
    """
    bad: list[str] = []
    for (base, target), release in frame.groupby(["base_year", "target_year"]):
        base = int(base)
        parents = layout.declared_parents_for(base)
        cross = layout.CROSS_GROUP_SUMMARIES.get(base, {})
        incomplete = set(layout.INCOMPLETE_SUMMARIES.get(base, {}))
        indexed = release.set_index("soc_code")
        summaries = set(indexed.index[indexed["occ_type"] == "summary"])
        by_prefix = {code_prefix(s): s for s in summaries if s not in cross}
        groups = {c: _groups_of(c, by_prefix, parents) for c in indexed.index}
        hidden = {c for c, g in groups.items() if g & incomplete}
        leaves = [c for c in indexed.index if (c not in summaries or c in incomplete) and c not in hidden]
        members: dict[str, list[str]] = {s: [] for s in summaries - incomplete}
        for leaf in leaves:
            for group in groups[leaf] - incomplete:
                if group in members:
                    members[group].append(leaf)
            for group, majors in cross.items():
                if group in members and leaf[:2] in majors:
                    members[group].append(leaf)
        position = {c: i for i, c in enumerate(indexed.index)}
        figures = {column: indexed[column].to_numpy(dtype=float) for column in layout.PERSONS_COLUMNS}
        for summary, under in sorted(members.items()):
            if not under:
                continue
            tolerance = HALF_UNIT * (len(under) + 1)
            rows = [position[c] for c in under]
            for column, values in figures.items():
                published = values[position[summary]]
                total = values[rows].sum()  # NaN when a figure is missing: nothing to compare
                if pd.isna(published) or pd.isna(total):
                    continue
                if abs(total - published) > tolerance:
                    bad.append(
                        f"{base}-{target} {summary} {column}: summary {_show(published)}, its {len(under)} "
                        f"line items sum to {_show(total)} (allowed difference {tolerance})"
                    )
    return _failure("summary figures differ from the sum of their line items by more than rounding allows", bad)


def _statuses_consistent(frame: pd.DataFrame) -> list[str]:
    """A value exactly where the status says estimate; a bound exactly where top-coded."""
    bad: list[str] = []
    for value, status in (("median_wage_annual", "median_wage_status"), ("self_employed_pct", "self_employed_status")):
        wrong = frame[frame[value].notna() != (frame[status] == "estimate")]
        bad += [_name(r, value, status) for r in wrong.itertuples()]
    wrong = frame[frame["median_wage_bound"].notna() != (frame["median_wage_status"] == "top_coded")]
    bad += [_name(r, "median_wage_bound", "median_wage_status") for r in wrong.itertuples()]
    categories = frame[list(layout.ELEVEN_CATEGORY + layout.THREE_PART)].notna().any(axis=1)
    wrong = frame[categories != (frame["education_status"] == "estimate")]
    bad += [_name(r, "education_status") for r in wrong.itertuples()]
    return _failure("rows have a figure that disagrees with its status", bad)


CHECKS: dict[str, tuple[Check, ...]] = {
    schema.EP_PROJECTIONS.name: (
        Check("base + change = target", _base_change_target),
        Check("change percent consistent", _change_pct_consistent),
        Check("line items sum to summaries", _line_items_sum_to_summaries),
        Check("statuses consistent", _statuses_consistent),
    )
}
