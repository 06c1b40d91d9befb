"""The gate every release passes before anything is written.

Generic checks come from the schema (non-null, allowed values, patterns, unique keys); each product
declares its tables' own checks beside its parser (`sources/<product>/checks.py`: wage percentiles
in order, EP figures adding up, …). Every check returns a result (name, blocking or not, failures
with examples) that the run report and the Prefect artifact show; a blocking failure names the rows
and the caller writes nothing for that release.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from occstats.drift import Baseline, DriftCheck
from occstats.errors import ValidationError
from occstats.schema import Table

MAX_EXAMPLES = 8

# A refresh may change a release's row count by at most this fraction of the previous version's
# before it is held back: BLS revisions move a handful of rows, a broken file moves hundreds.
ROW_COUNT_TOLERANCE = 0.05


@dataclass(frozen=True)
class Check:
    """A table's own check: a name people read, and a function returning its failures (with examples)."""

    name: str
    run: Callable[[pd.DataFrame], list[str]]
    blocking: bool = True  # a blocking failure holds the release back; otherwise it is a warning


@dataclass(frozen=True)
class CheckResult:
    table: str
    check: str
    blocking: bool
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "check": self.check,
            "blocking": self.blocking,
            "passed": self.passed,
            "failures": list(self.failures),
        }


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
    tbl: Table,
    data: pa.Table,
    *,
    release: str,
    checks: Sequence[Check | DriftCheck] = (),
    previous_rows: int | None = None,
    baseline: Baseline | None = None,
    file: str | None = None,
) -> list[CheckResult]:
    """Run every check; raise ValidationError naming every blocking failure, else return the results.

    `checks` are the table's own (`occstats.products.validate` passes the ones its product declares);
    its DriftChecks compare the release with `baseline` (the release held before it), when there is one.
    """
    drift = [c for c in checks if isinstance(c, DriftCheck)]
    checks = [c for c in checks if not isinstance(c, DriftCheck)]
    results = [CheckResult(tbl.name, "schema: keys, types, vocabularies", True, tuple(schema_checks(tbl, data)))]
    if checks:
        # Orderings and $16 tolerances need no exact decimals: float copies keep memory low.
        floats = pa.schema([f.with_type(pa.float64()) if pa.types.is_decimal(f.type) else f for f in data.schema])
        frame = data.cast(floats).to_pandas()
        results += [CheckResult(tbl.name, c.name, c.blocking, tuple(c.run(frame))) for c in checks]
    results.append(
        CheckResult(
            tbl.name, "row count near the current version's", True, tuple(row_count_check(data.num_rows, previous_rows))
        )
    )
    if baseline is not None:
        results += [CheckResult(tbl.name, c.name, c.blocking, tuple(c.run(data, baseline))) for c in drift]
    blocking = [f for r in results if r.blocking for f in r.failures]
    if blocking:
        raise ValidationError(tbl.name, release, blocking, file=file)
    return results
