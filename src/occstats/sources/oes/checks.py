"""OES's own checks on `oes_wages`, declared beside the product.

A value exactly where the status says there is one, percentiles in order, and hourly x 2080 =
annual within BLS's rounding. Each returns its failures; the validation gate turns them into
results. The estimate key comes from schema.py, so area and industry rows are checked per estimate.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pandas as pd
import pyarrow as pa

from occstats import drift, schema
from occstats.drift import Baseline, DriftCheck, Limits
from occstats.validate import Check, examples

# Annual wages are hourly x 2080 rounded to $10 (from unrounded hourly figures), hourly wages are
# rounded to the cent: |h x 2080 - a| <= 0.005 x 2080 + 5 = 15.40, and BLS's own figures reach
# 15.60 (May 2004-2020). $16 separates rounding from a wrong figure.
HOURS_PER_YEAR = 2080
HOURLY_ANNUAL_TOLERANCE = Decimal("16")

# one wage row per estimate x basis x statistic: the estimate is the wage key without those two
_ESTIMATE = [c for c in schema.OES_WAGES.key if c not in ("basis", "statistic")]
_SHOWN = ["ref_year", "soc_code", "occ_level"]
_PERCENTILES = list(schema.PERCENTILES)


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


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    estimates = frame[frame["status"] == "estimate"]
    return estimates.pivot_table(
        index=[*_ESTIMATE, "basis"], columns="statistic", values="value", aggfunc="first"
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
    return [f"{len(bad)} rows have percentiles out of order: {examples(bad, [*_SHOWN, 'basis', *_PERCENTILES])}"]


def _hourly_matches_annual(frame: pd.DataFrame) -> list[str]:
    """Annual = hourly x 2080 within rounding, wherever BLS published both."""
    estimates = frame[frame["status"] == "estimate"]
    hourly = estimates[estimates["basis"] == "hourly"].set_index([*_ESTIMATE, "statistic"])["value"]
    annual = estimates[estimates["basis"] == "annual"].set_index([*_ESTIMATE, "statistic"])["value"]
    both = pd.concat({"hourly": hourly, "annual": annual}, axis=1, join="inner").dropna()
    if both.empty:
        return []
    gap = (both["hourly"] * HOURS_PER_YEAR - both["annual"]).abs()
    bad = both[gap > HOURLY_ANNUAL_TOLERANCE].reset_index()
    if not len(bad):
        return []
    return [
        f"{len(bad)} figures where hourly x {HOURS_PER_YEAR} differs from annual by more than "
        f"${HOURLY_ANNUAL_TOLERANCE}: {examples(bad, [*_SHOWN, 'statistic', 'hourly', 'annual'])}"
    ]


TABLE_CHECKS: dict[str, list[Check]] = {
    "oes_wages": [_estimate_consistency, _percentiles_ordered, _hourly_matches_annual],
}


CHECKS: dict[str, tuple[Check, ...]] = {
    schema.OES_WAGES.name: (
        Check("value where an estimate, bound where top-coded", _estimate_consistency),
        Check("percentiles in order", _percentiles_ordered),
        Check("hourly x 2080 = annual", _hourly_matches_annual),
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


def _employment_moved(data: pa.Table, base: Baseline) -> list[str]:
    return drift.figures_moved(data, base, "employment", DRIFT_LIMITS[base.same_release])


CHECKS[schema.OES_ESTIMATES.name] = (
    DriftCheck("no major group gone since the release held before", drift.groups_gone),
    DriftCheck("no occupation level gone since the release held before", drift.levels_gone),
    DriftCheck("detailed codes gone within the declared share", _codes_gone),
    DriftCheck("total and major-group employment within the declared share", _employment_moved),
)
