"""OES's own checks on `oes_wages`, declared beside the product.

A value exactly where the status says there is one, percentiles in order, and hourly x 2080 =
annual within BLS's rounding. Each returns its failures; the validation gate turns them into
results. The estimate key comes from schema.py, so area and industry rows are checked per estimate.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from occstats import drift, schema
from occstats.drift import Baseline, DriftCheck, Limits
from occstats.sources.oes.layout import NATIONAL_DEFAULTS
from occstats.validate import MAX_EXAMPLES, Check, encoded, examples, groups, memoized

# Annual wages are hourly x 2080 rounded to $10 (from unrounded hourly figures), hourly wages are
# rounded to the cent: |h x 2080 - a| <= 0.005 x 2080 + 5 = 15.40, and BLS's own figures reach
# 15.60 (May 2004-2020). $16 separates rounding from a wrong figure.
HOURS_PER_YEAR = 2080
HOURLY_ANNUAL_TOLERANCE = Decimal("16")

# one wage row per estimate x basis x statistic: the estimate is the wage key without those two
_ESTIMATE = [c for c in schema.OES_WAGES.key if c not in ("basis", "statistic")]
_SHOWN = ["ref_year", "soc_code", "occ_level"]
_PERCENTILES = list(schema.PERCENTILES)


def _shown(data: pa.Table, mask: pa.ChunkedArray | pa.Array, columns: list[str]) -> tuple[int, str]:
    """How many rows the mask selects, and the first of them (only those become pandas)."""
    count = pc.sum(pc.cast(pc.fill_null(mask, False), pa.int64())).as_py() or 0
    if not count:
        return 0, ""
    first = data.select(columns).filter(pc.fill_null(mask, False)).slice(0, MAX_EXAMPLES).to_pandas()
    return count, examples(first, columns, total=count)


def _floats(data: pa.Table, name: str) -> np.ndarray:
    """A column's float copy (nulls as NaN), once per validate() call: orderings and $16 tolerances need no
    exact decimals."""
    return memoized(
        data, ("floats", name), lambda: pc.cast(data.column(name), pa.float64()).to_numpy(zero_copy_only=False)
    )


def _estimate_consistency(data: pa.Table) -> list[str]:
    """A value exactly where the status says there is one; a bound exactly where top-coded."""
    failures = []
    status = data.column("status")
    has_value = pc.is_valid(data.column("value"))
    count, shown = _shown(
        data,
        pc.not_equal(has_value, pc.equal(status, "estimate")),
        ["ref_year", "soc_code", "basis", "statistic", "status"],
    )
    if count:
        failures.append(f"{count} wage rows have a value/status mismatch: {shown}")
    top = pc.equal(status, "top_coded")
    count, shown = _shown(
        data, pc.not_equal(pc.is_valid(data.column("bound")), top), ["ref_year", "soc_code", "basis", "statistic"]
    )
    if count:
        failures.append(f"{count} wage rows have a bound without being top-coded, or the reverse: {shown}")
    value = data.column("value")
    count, shown = _shown(data, pc.less(value, pa.scalar(Decimal(0), value.type)), ["soc_code", "basis", "statistic"])
    if count:
        failures.append(f"{count} negative wages: {shown}")
    return failures


def _groups(data: pa.Table, mask: np.ndarray, within: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the rows in `mask`: their group (estimate x the `within` column) and each group's first row.

    Columnar, and without copying the table: the estimates are grouped once per validate() call
    (validate.groups: one pass where an estimate's rows lie together), the `within` column's code folded
    in; the groups' numbers are then bounded (estimates x codes), so binning replaces a sort.
    Returns (the masked rows' positions, their group numbers, each group's first row position).
    """
    rows = np.flatnonzero(mask)
    inner, width = encoded(data, within)
    estimate, first_rows = groups(data, _ESTIMATE)
    code = estimate[rows] * width + inner[rows]
    first = np.full(len(first_rows) * width, data.num_rows, dtype=np.int64)
    np.minimum.at(first, code, rows)
    used = first < data.num_rows
    number = np.cumsum(used) - 1
    return rows, number[code], first[used]


def _lookup(column: pa.ChunkedArray, values: Callable[[pa.Array], pa.Array], null: Any) -> np.ndarray:
    """`values` computed once per distinct value of the column and looked up per row (null rows get `null`):
    a dictionary column's 4.4 M rows are never decoded for a comparison."""
    if pa.types.is_dictionary(column.type):
        combined = column.combine_chunks()
        per_value = values(combined.dictionary).to_numpy(zero_copy_only=False)
        per_value = np.append(per_value, np.array([null], dtype=per_value.dtype))
        return per_value[combined.indices.fill_null(len(combined.dictionary)).to_numpy(zero_copy_only=False)]
    return pc.fill_null(values(column), null).to_numpy(zero_copy_only=False)


def _estimate_mask(data: pa.Table) -> np.ndarray:
    """The rows that are published estimates with a value (once per validate() call)."""

    def make() -> np.ndarray:
        estimate = _lookup(data.column("status"), lambda v: pc.fill_null(pc.equal(v, "estimate"), False), False)
        return estimate & pc.is_valid(data.column("value")).to_numpy(zero_copy_only=False)

    return memoized(data, ("estimate_mask",), make)


def _percentiles_ordered(data: pa.Table) -> list[str]:
    """p10 <= p25 <= median <= p75 <= p90 wherever all five are published estimates.

    Columnar: each estimate x basis gets a group number, its five percentiles are scattered into a
    5 x groups grid, and the grid's rows are compared.
    """
    which = _lookup(data.column("statistic"), lambda v: pc.fill_null(pc.index_in(v, pa.array(_PERCENTILES)), -1), -1)
    mask = _estimate_mask(data) & (which >= 0)
    if not mask.any():
        return []
    rows, ids, first = _groups(data, mask, "basis")
    grid = np.full((len(_PERCENTILES), len(first)), np.nan)
    grid[which[rows], ids] = _floats(data, "value")[rows]
    full = ~np.isnan(grid).any(axis=0)
    ordered = np.ones(len(first), dtype=bool)
    for low, high in itertools.pairwise(range(len(_PERCENTILES))):
        ordered &= grid[low] <= grid[high]
    bad = np.flatnonzero(full & ~ordered)
    if not len(bad):
        return []
    shown = data.select([*_SHOWN, "basis"]).take(pa.array(first[bad[:MAX_EXAMPLES]])).to_pandas()
    for i, name in enumerate(_PERCENTILES):
        shown[name] = grid[i, bad[:MAX_EXAMPLES]]
    return [
        f"{len(bad)} rows have percentiles out of order: "
        f"{examples(shown, [*_SHOWN, 'basis', *_PERCENTILES], total=len(bad))}"
    ]


def _hourly_matches_annual(data: pa.Table) -> list[str]:
    """Annual = hourly x 2080 within rounding, wherever BLS published both (columnar, as above)."""
    mask = _estimate_mask(data)
    if not mask.any():
        return []
    rows, ids, first = _groups(data, mask, "statistic")
    value = _floats(data, "value")[rows]
    basis = data.column("basis")
    pair = {}
    for name in ("hourly", "annual"):
        on = _lookup(basis, lambda v, name=name: pc.fill_null(pc.equal(v, name), False), False)[rows]
        pair[name] = np.full(len(first), np.nan)
        pair[name][ids[on]] = value[on]
    gap = np.abs(pair["hourly"] * HOURS_PER_YEAR - pair["annual"])  # NaN where either is missing: never > 16
    bad = np.flatnonzero(gap > float(HOURLY_ANNUAL_TOLERANCE))
    if not len(bad):
        return []
    shown = data.select([*_SHOWN, "statistic"]).take(pa.array(first[bad[:MAX_EXAMPLES]])).to_pandas()
    shown["hourly"] = pair["hourly"][bad[:MAX_EXAMPLES]]
    shown["annual"] = pair["annual"][bad[:MAX_EXAMPLES]]
    return [
        f"{len(bad)} figures where hourly x {HOURS_PER_YEAR} differs from annual by more than "
        f"${HOURLY_ANNUAL_TOLERANCE}: {examples(shown, [*_SHOWN, 'statistic', 'hourly', 'annual'], total=len(bad))}"
    ]


TABLE_CHECKS: dict[str, list[Check]] = {
    "oes_wages": [_estimate_consistency, _percentiles_ordered, _hourly_matches_annual],
}


CHECKS: dict[str, tuple[Check, ...]] = {
    schema.OES_WAGES.name: (
        Check("value where an estimate, bound where top-coded", _estimate_consistency, columnar=True),
        Check("percentiles in order", _percentiles_ordered, columnar=True),
        Check("hourly x 2080 = annual", _hourly_matches_annual, columnar=True),
    )
}


# Structural drift of oes_estimates against the release held before it (occstats.drift). Measured on
# every pair of consecutive releases held in one classification, May 2004-2025: detailed codes gone
# at most 2.6% (2017, SOC 2010 codes BLS combined), total employment moved at most 5.3% (2020), a
# major group's employment at most 18.4% (39-0000, 2020); no major group or level ever vanished, and
# the smallest major group is 1.07-1.22% of the rows. A re-fetch of the same release is a revision:
# a handful of rows. The limits sit well clear of what BLS did, and far below a lost group.
DRIFT_LIMITS: dict[bool, Limits] = {  # same_release -> limits
    True: Limits(codes_gone=0.01, total_moved=0.01, group_moved=0.05),
    False: Limits(codes_gone=0.05, total_moved=0.10, group_moved=0.30),
}


def _codes_gone(data: pa.Table, base: Baseline) -> list[str]:
    return drift.codes_gone(data, base, DRIFT_LIMITS[base.same_release].codes_gone)


# The employment limits hold where they were measured: the national cross-industry rows. The industry
# releases (May 2008-2018, consecutive pairs in one classification) move far more below them: an
# industry's total up to 56% (2016-17, NAICS 2017), a major group within one up to 975%; the
# cross-industry rows by ownership keep totals within 2.3% but a major group moved 67% (federal sales
# workers 19,660 -> 6,460, 2010-11). So totals are compared on every national cross-industry row (any
# ownership), major groups only on the all-ownership one; the structural checks cover the whole release.
_CROSS_INDUSTRY = (pc.field("area_type") == NATIONAL_DEFAULTS["area_type"]) & (
    pc.field("naics_code") == NATIONAL_DEFAULTS["naics"]
)
EMPLOYMENT_SCOPE = {
    "total": _CROSS_INDUSTRY,
    "major": _CROSS_INDUSTRY & (pc.field("ownership_code") == NATIONAL_DEFAULTS["own_code"]),
}


def _employment_moved(data: pa.Table, base: Baseline) -> list[str]:
    return drift.figures_moved(data, base, "employment", DRIFT_LIMITS[base.same_release], scope=EMPLOYMENT_SCOPE)


CHECKS[schema.OES_ESTIMATES.name] = (
    DriftCheck("no major group gone since the release held before", drift.groups_gone),
    DriftCheck("no occupation level gone since the release held before", drift.levels_gone),
    DriftCheck("detailed codes gone within the declared share", _codes_gone),
    DriftCheck("total and major-group employment within the declared share", _employment_moved),
)
