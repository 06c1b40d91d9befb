"""The gate every release passes before anything is written.

Generic checks come from the schema (non-null, allowed values, patterns, unique keys); each product
declares its tables' own checks beside its parser (`sources/<product>/checks.py`: wage percentiles
in order, EP figures adding up, …). Every check returns a result (name, blocking or not, failures
with examples) that the run report and the Prefect artifact show; a blocking failure names the rows
and the caller writes nothing for that release.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
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
PARALLEL_CHECK_ROWS = 100_000  # below this, two threads cost more than they give back


@dataclass(frozen=True)
class Check:
    """A table's own check: a name people read, and a function returning its failures (with examples)."""

    name: str
    run: Callable[[Any], list[str]]
    blocking: bool = True  # a blocking failure holds the release back; otherwise it is a warning
    # A columnar check is given the Arrow table as parsed (exact decimals); the others a pandas frame
    # with float copies of the decimals. Checks that meet millions of rows (the OEWS time series) are columnar.
    columnar: bool = False


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


def examples(frame: pd.DataFrame, columns: list[str], total: int | None = None) -> str:
    """The first failing rows, one line each; `total` when `frame` holds only the first of them."""
    total = len(frame) if total is None else total
    shown = frame[columns].head(MAX_EXAMPLES).astype(str).agg(" ".join, axis=1).tolist()
    more = f" (+{total - MAX_EXAMPLES} more)" if total > MAX_EXAMPLES else ""
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
        if col.values is None and col.pattern is None:
            continue
        # Vocabularies and patterns are checked on the column's distinct values (a few hundred where
        # the rows are millions); the rows are looked at only when a value fails.
        distinct = pc.drop_null(pc.unique(column))
        if pa.types.is_dictionary(distinct.type):
            distinct = distinct.cast(distinct.type.value_type)
        if col.values is not None:
            outside = pc.filter(distinct, pc.invert(pc.is_in(distinct, pa.array(col.values))))
            if len(outside):
                bad = rows_where(pc.is_in(column, outside))
                failures.append(
                    f"{len(bad)} rows have {col.name} outside {list(col.values)}: "
                    f"{examples(bad, [tbl.key[0], col.name])}"
                )
        if col.pattern is not None:
            malformed = pc.filter(distinct, pc.invert(pc.match_substring_regex(distinct, col.pattern)))
            if len(malformed):
                bad = rows_where(pc.is_in(column, malformed))
                failures.append(f"{len(bad)} rows have a malformed {col.name}: {examples(bad, [col.name])}")
    keys = list(tbl.key)
    repeated_rows = key_repeats(data, keys)
    if repeated_rows is not None:
        # Only the rows whose key repeats are grouped, to name them: a handful, not millions.
        subset = data.select(keys).take(pa.array(repeated_rows))
        counts = subset.group_by(keys, use_threads=False).aggregate([([], "count_all")])
        shown = counts.to_pandas()
        failures.append(f"{len(repeated_rows)} rows share a key {keys}: {examples(shown, keys)}")
    return failures


def key_codes(data: pa.Table, keys: Sequence[str]) -> np.ndarray:
    """One int64 per row, equal exactly where the rows' keys are equal (nulls equal to nulls).

    Each key column is dictionary-encoded and its indices folded into a mixed-radix code; when the
    radix would overflow an int64, the code so far is renumbered densely (its distinct values are at
    most the row count), so any number of key columns fits. Columnar: no Python per row, and no hash
    table over the key's strings (an Arrow group_by over 4.4 M rows x 10 string columns took ~9 s and
    +1.4 GiB; this takes a fraction of that, measured in benchmarks/bench_timeseries.py).
    """
    return memoized(data, ("codes", *keys), lambda: _key_codes(data, keys))


def _key_codes(data: pa.Table, keys: Sequence[str]) -> np.ndarray:
    code = np.zeros(data.num_rows, dtype=np.int64)
    radix = 1
    for name in keys:
        indices, size = encoded(data, name)
        if radix * size >= 2**62:
            _, code = np.unique(code, return_inverse=True)
            code = code.reshape(-1).astype(np.int64)
            radix = int(code.max()) + 1 if len(code) else 1
        if size > 1:  # a column with one value and no null adds nothing to the key
            code *= size  # in place: no 35 MB temporaries per column on 4.4 M rows
            code += indices
            radix *= size
    return code


# The dictionary indices of the key columns of the tables one validate() call is checking: the
# schema's key check and a product's per-estimate checks encode the same string columns, once.
# The estimate's key codes are memoized too: two per-estimate checks group by them.
_ENCODINGS: ContextVar[dict[tuple[int, Any], tuple[pa.Table, Any]] | None] = ContextVar(
    "occstats_key_encodings", default=None
)


def memoized(data: pa.Table, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """`make()` once per validate() call for this table and `key`, shared by its checks (numpy arrays made
    read-only: no check may change what another reads). Outside a validate() call, made each time.

    The checks of the time series' 4.4 M wage rows need the same codes, groups and float copies (35 MB
    each as int64 or float64): made once per call, not once per check.
    """
    memo = _ENCODINGS.get()
    held = memo.get((id(data), key)) if memo is not None else None
    if held is not None and held[0] is data:
        return held[1]
    value = make()
    if memo is not None:
        for part in value if isinstance(value, tuple) else (value,):
            if isinstance(part, np.ndarray):
                part.flags.writeable = False
        memo[(id(data), key)] = (data, value)
    return value


def encoded(data: pa.Table, name: str) -> tuple[np.ndarray, int]:
    """A column's codes per row (equal values, equal codes; null as the code after the values) and how many
    codes there are: memoized per validate() call, a dictionary column's without decoding its rows."""

    def make() -> tuple[np.ndarray, int]:
        column = data.column(name)
        if not data.num_rows:
            return np.zeros(0, dtype=np.int32), 1
        if pa.types.is_dictionary(column.type):
            return _dictionary_codes(column)
        encoded = pc.dictionary_encode(column).combine_chunks()
        size = len(encoded.dictionary) + (1 if encoded.null_count else 0)  # null: one more code, after the values
        return encoded.indices.fill_null(len(encoded.dictionary)).to_numpy(zero_copy_only=False), size

    return memoized(data, ("encoded", name), make)


def _dictionary_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, int]:
    """Codes for a dictionary column without decoding its rows: the chunks' dictionaries unified, their
    values encoded once (a dictionary may repeat a value: equal values must get one code), looked up per row."""
    combined = column.combine_chunks()  # unifies the chunks' dictionaries
    distinct = pc.dictionary_encode(combined.dictionary)
    nulls = len(distinct.dictionary)  # null rows (or rows pointing at a null value): the code after the values
    if not combined.null_count and nulls == len(combined.dictionary) and not distinct.indices.null_count:
        # distinct values, in order (as dictionary_encode makes them): the indices are the codes as they are
        return combined.indices.to_numpy(), nulls
    remap = distinct.indices.fill_null(nulls).to_numpy(zero_copy_only=False).astype(np.int32)
    remap = np.append(remap, nulls)  # index len(dictionary): where null indices point
    indices = remap[combined.indices.fill_null(len(combined.dictionary)).to_numpy(zero_copy_only=False)]
    return indices, nulls + (1 if (indices == nulls).any() else 0)


def unique_groups(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group number per entry, 0..groups-1 in code order; each group's first entry), exactly what
    `np.unique(code, return_index=True, return_inverse=True)` gives.

    When codes and positions fit one int64 together (non-negative codes below 2**(63 - bits of the
    length): the 4.4 M time-series wage rows' estimate codes take ~37 bits), each code is packed with its
    position and the packed values sorted plainly (a vectorized sort, ~4x faster than np.unique's stable
    argsort there); ties come out by position, as a stable sort leaves them. Otherwise np.unique.
    """
    n = len(code)
    bits = max(n.bit_length(), 1)
    if not n or code.min() < 0 or int(code.max()) >= 1 << (63 - bits):
        _, first, ids = np.unique(code, return_index=True, return_inverse=True)
        return ids.reshape(-1).astype(np.int64), first
    packed = np.sort((code.astype(np.int64) << bits) | np.arange(n, dtype=np.int64))
    position = packed & ((1 << bits) - 1)
    packed >>= bits  # the codes, in order
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    np.not_equal(packed[1:], packed[:-1], out=starts[1:])
    ids = np.empty(n, dtype=np.int64)
    ids[position] = np.cumsum(starts) - 1
    return ids, position[starts]


def run_groups(code: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(group number per entry, each group's first entry), numbered in order of appearance, when each
    code's entries are adjacent (one run per code); None when some code comes back after another.

    A parser that lays out an estimate's rows together (the time series' 12 wage rows) is grouped by one
    pass and a sort of its runs (370 k), not of its 4.4 M rows.
    """
    n = len(code)
    if not n:
        return None
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    np.not_equal(code[1:], code[:-1], out=starts[1:])
    first = np.flatnonzero(starts)
    runs = np.sort(code[first])
    if (runs[1:] == runs[:-1]).any():
        return None
    return np.cumsum(starts) - 1, first


def groups(data: pa.Table, keys: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Dense group numbers per row (0..groups-1) and each group's first row, for the rows' values of `keys`.

    Memoized per validate() call: the per-estimate checks group by the same key.
    """

    def make() -> tuple[np.ndarray, np.ndarray]:
        code = key_codes(data, keys)
        return run_groups(code) or unique_groups(code)

    return memoized(data, ("groups", *keys), make)


def key_repeats(data: pa.Table, keys: Sequence[str]) -> np.ndarray | None:
    """The positions of the rows whose key another row shares (sorted), or None when every key is unique."""
    if data.num_rows < 2 or not keys:
        return None
    code = key_codes(data, keys)
    ordered = np.sort(code)  # a plain sort says whether any key repeats (~10x faster than a stable argsort)
    if not (ordered[1:] == ordered[:-1]).any():
        return None
    order = np.argsort(code, kind="stable")  # only when some key repeats: which rows
    ordered = code[order]
    same = ordered[1:] == ordered[:-1]
    repeated = np.zeros(len(code), dtype=bool)
    repeated[1:] |= same
    repeated[:-1] |= same
    return np.sort(order[repeated])


def decoded(data: pa.Table) -> pa.Table:
    """`data` with its dictionary-encoded columns as their plain value types (a parser may hand over either)."""
    if not any(pa.types.is_dictionary(f.type) for f in data.schema):
        return data
    return data.cast(
        pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in data.schema])
    )


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


def _run_checks(tbl: Table, data: pa.Table, checks: Sequence[Check]) -> list[CheckResult]:
    """The schema's checks and the columnar ones two at a time (their sorts and kernels release the GIL: the
    4.4 M-row time-series wage table's ~2.5 s of checks on one core), in this call's context (its encodings)."""
    columnar: list[tuple[str, bool, Callable[[], list[str]]]] = [
        ("schema: keys, types, vocabularies", True, lambda: schema_checks(tbl, data))
    ]
    columnar += [(c.name, c.blocking, functools.partial(c.run, data)) for c in checks if c.columnar]
    context = contextvars.copy_context()  # the same memo dict: an encoding made by one check serves the others
    if data.num_rows >= PARALLEL_CHECK_ROWS and len(columnar) > 1:
        with ThreadPoolExecutor(max_workers=2) as pool:
            found = list(pool.map(lambda item: context.copy().run(item[2]), columnar))
    else:
        found = [run() for _, _, run in columnar]
    results = [
        CheckResult(tbl.name, name, blocking, tuple(failures))
        for (name, blocking, _), failures in zip(columnar, found, strict=True)
    ]
    if any(not c.columnar for c in checks):
        # Orderings and tolerances need no exact decimals: float copies keep memory low.
        floats = pa.schema([f.with_type(pa.float64()) if pa.types.is_decimal(f.type) else f for f in data.schema])
        frame = data.cast(floats).to_pandas()
        results += [CheckResult(tbl.name, c.name, c.blocking, tuple(c.run(frame))) for c in checks if not c.columnar]
    return results


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
    token = _ENCODINGS.set({})
    try:
        results = _run_checks(tbl, data, checks)
    finally:
        _ENCODINGS.reset(token)
    results.append(
        CheckResult(
            tbl.name, "row count near the current version's", True, tuple(row_count_check(data.num_rows, previous_rows))
        )
    )
    if baseline is not None and drift:
        plain = decoded(data)  # the baseline comes back from the store as plain strings: compare like with like
        results += [CheckResult(tbl.name, c.name, c.blocking, tuple(c.run(plain, baseline))) for c in drift]
    blocking = [f for r in results if r.blocking for f in r.failures]
    if blocking:
        raise ValidationError(tbl.name, release, blocking, file=file)
    return results
