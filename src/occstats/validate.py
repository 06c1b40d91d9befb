"""The gate every release passes before anything is written.

Generic checks come from the schema (non-null, allowed values, patterns, unique keys); each table
may add its own (wage percentiles in order, hourly x 2080 = annual within rounding, …). A failure
names the rows, and the caller writes nothing for that release.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from occstats.errors import ValidationError
from occstats.schema import Table

MAX_EXAMPLES = 8

# A refresh may change a release's row count by at most this fraction of the previous version's
# before it is held back: BLS revisions move a handful of rows, a broken file moves hundreds.
ROW_COUNT_TOLERANCE = 0.05

# Annual wages are hourly x 2080 rounded to $10 (from unrounded hourly figures), hourly wages are
# rounded to the cent: |h x 2080 - a| <= 0.005 x 2080 + 5 = 15.40, and BLS's own figures reach
# 15.60 (May 2004-2020). $16 separates rounding from a wrong figure.
HOURS_PER_YEAR = 2080
HOURLY_ANNUAL_TOLERANCE = Decimal("16")

Check = Callable[[pd.DataFrame], list[str]]


def examples(frame: pd.DataFrame, columns: list[str]) -> str:
    shown = frame[columns].head(MAX_EXAMPLES).astype(str).agg(" ".join, axis=1).tolist()
    more = f" (+{len(frame) - MAX_EXAMPLES} more)" if len(frame) > MAX_EXAMPLES else ""
    return "; ".join(shown) + more


def schema_checks(tbl: Table, data: pa.Table) -> list[str]:
    """What the declarations promise: required values, vocabularies, patterns, unique keys.

    Computed with Arrow kernels; pandas is touched only to show the failing rows.
    """
    failures: list[str] = []

    def rows_where(mask: pa.ChunkedArray | pa.Array) -> pd.DataFrame:
        return data.filter(mask).to_pandas()

    for col in tbl.columns:
        column = data.column(col.name)
        if not col.nullable and column.null_count:
            bad = rows_where(pc.is_null(column))
            failures.append(f"{len(bad)} rows have no {col.name}: {examples(bad, list(tbl.key))}")
        if col.values is not None:
            outside = pc.and_(pc.is_valid(column), pc.invert(pc.is_in(column, pa.array(col.values))))
            if pc.any(outside).as_py():
                bad = rows_where(outside)
                failures.append(
                    f"{len(bad)} rows have {col.name} outside {list(col.values)}: "
                    f"{examples(bad, [tbl.key[0], col.name])}"
                )
        if col.pattern is not None:
            malformed = pc.and_(pc.is_valid(column), pc.invert(pc.match_substring_regex(column, col.pattern)))
            if pc.any(malformed).as_py():
                bad = rows_where(malformed)
                failures.append(f"{len(bad)} rows have a malformed {col.name}: {examples(bad, [col.name])}")
    keys = list(tbl.key)
    counts = data.select(keys).group_by(keys, use_threads=False).aggregate([([], "count_all")])
    repeated = counts.filter(pc.greater(counts.column("count_all"), 1))
    if repeated.num_rows:
        shown = repeated.to_pandas()
        failures.append(f"{int(shown['count_all'].sum())} rows share a key {keys}: {examples(shown, keys)}")
    return failures


def _estimate_consistency(frame: pd.DataFrame) -> list[str]:
    """A value exactly where the status says there is one; a bound exactly where top-coded."""
    failures = []
    has_value = frame["value"].notna()
    is_estimate = frame["status"] == "estimate"
    bad = frame[has_value != is_estimate]
    if len(bad):
        failures.append(
            f"{len(bad)} wage rows have a value/status mismatch: "
            f"{examples(bad, ['ref_year', 'soc_code', 'basis', 'statistic', 'status'])}"
        )
    top = frame["status"] == "top_coded"
    bad = frame[frame["bound"].notna() != top]
    if len(bad):
        failures.append(
            f"{len(bad)} wage rows have a bound without being top-coded, or the reverse: "
            f"{examples(bad, ['ref_year', 'soc_code', 'basis', 'statistic'])}"
        )
    negative = frame[has_value & (frame["value"].map(lambda v: v is not None and v < 0))]
    if len(negative):
        failures.append(f"{len(negative)} negative wages: {examples(negative, ['soc_code', 'basis', 'statistic'])}")
    return failures


_ROW = ["ref_year", "soc_code", "occ_level"]
_PERCENTILES = ["p10", "p25", "median", "p75", "p90"]


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    estimates = frame[frame["status"] == "estimate"]
    return estimates.pivot_table(
        index=[*_ROW, "basis"], columns="statistic", values="value", aggfunc="first"
    ).reset_index()


def _percentiles_ordered(frame: pd.DataFrame) -> list[str]:
    """p10 <= p25 <= median <= p75 <= p90 wherever all five are published estimates."""
    wide = _wide(frame)
    if not set(_PERCENTILES) <= set(wide.columns):
        return []
    full = wide.dropna(subset=_PERCENTILES)
    ordered = pd.Series(True, index=full.index)
    for low, high in itertools.pairwise(_PERCENTILES):
        ordered &= full[low] <= full[high]
    bad = full[~ordered]
    if not len(bad):
        return []
    return [f"{len(bad)} rows have percentiles out of order: {examples(bad, [*_ROW, 'basis', *_PERCENTILES])}"]


def _hourly_matches_annual(frame: pd.DataFrame) -> list[str]:
    """Annual = hourly x 2080 within rounding, wherever BLS published both."""
    estimates = frame[frame["status"] == "estimate"]
    hourly = estimates[estimates["basis"] == "hourly"].set_index([*_ROW, "statistic"])["value"]
    annual = estimates[estimates["basis"] == "annual"].set_index([*_ROW, "statistic"])["value"]
    both = pd.concat({"hourly": hourly, "annual": annual}, axis=1, join="inner").dropna()
    if both.empty:
        return []
    gap = (both["hourly"] * HOURS_PER_YEAR - both["annual"]).abs()
    bad = both[gap > HOURLY_ANNUAL_TOLERANCE].reset_index()
    if not len(bad):
        return []
    return [
        f"{len(bad)} figures where hourly x {HOURS_PER_YEAR} differs from annual by more than "
        f"${HOURLY_ANNUAL_TOLERANCE}: {examples(bad, [*_ROW, 'statistic', 'hourly', 'annual'])}"
    ]


TABLE_CHECKS: dict[str, list[Check]] = {
    "oes_wages": [_estimate_consistency, _percentiles_ordered, _hourly_matches_annual],
}


def register(table_name: str, *checks: Check) -> None:
    """Let a source module add its table's own checks (kept beside the parser that needs them)."""
    TABLE_CHECKS.setdefault(table_name, []).extend(checks)


def row_count_check(new_rows: int, previous_rows: int | None, tolerance: float = ROW_COUNT_TOLERANCE) -> list[str]:
    if not previous_rows:
        return []
    change = abs(new_rows - previous_rows) / previous_rows
    if change > tolerance:
        return [
            f"row count {new_rows} differs from the current version's {previous_rows} by "
            f"{change:.1%}, more than the {tolerance:.0%} allowed for a refresh of the same release"
        ]
    return []


def validate(
    tbl: Table, data: pa.Table, *, release: str, previous_rows: int | None = None, file: str | None = None
) -> None:
    """Raise ValidationError naming every failed check; return quietly when all pass."""
    failures = schema_checks(tbl, data)
    checks = TABLE_CHECKS.get(tbl.name, [])
    if checks:
        # Orderings and $16 tolerances need no exact decimals: float copies keep memory low.
        floats = pa.schema([f.with_type(pa.float64()) if pa.types.is_decimal(f.type) else f for f in data.schema])
        frame = data.cast(floats).to_pandas()
        for check in checks:
            failures.extend(check(frame))
    failures.extend(row_count_check(data.num_rows, previous_rows))
    if failures:
        raise ValidationError(tbl.name, release, failures, file=file)
