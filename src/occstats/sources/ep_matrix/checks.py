"""The National Employment Matrix's figures add up, within BLS's rounding.

Tolerances: every persons figure is published in thousands with one decimal, so each is within
HALF_UNIT = 50 persons of BLS's unrounded figure; a sum of n published figures is within 50 x n of
the sum of the true ones, and comparing it with one more published figure adds 50. Percents are
published with one decimal: within 0.05 of the true percent. No further slack is allowed: the
bounds are exact, so a wrong figure (a shifted column, a lost thousand) shows.

Release checks (one workbook, registered with validate): base + change = target; each occupation's
percent of the industry equals its employment over the industry total; the line items never add up
to more than the industry total (they may add up to less: BLS does not display occupations with
fewer than 50 jobs, or confidential or poor-quality data, in an industry).

Across releases (`industries_sum_to_occupation_total`): each occupation's industry rows against the
occupation's total over all industries. BLS's ind_xlsx workbooks hold no all-industries workbook
(no TE1000 in the 2014-24 directory), so the total is the occupation's employment in the cycle's
Table 1.2 (ep_projections): measured on 2014-24, every one of the 114,132 rows' 'Percent of
occupation' is 100 x employment / that total within rounding. The 20 sectors (layout.SECTORS)
partition wage and salary employment; the self-employed are in no workbook, so the sectors add up to
the occupation's wage and salary employment, at most its total.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from occstats import validate
from occstats.sources.ep_matrix import layout

HALF_UNIT = layout.PERSONS_PER_UNIT // 10**layout.THOUSANDS_DECIMALS // 2  # 50 persons
HALF_PCT = 0.5 * 10**-layout.PERCENT_DECIMALS  # 0.05 percentage points
_EPS = 1e-9
# (employment column, its share columns' suffix): the base year's shares carry no year in their names
YEARS = (("employment_base", ""), ("employment_target", "_target"))


def _failure(what: str, bad: list[str]) -> list[str]:
    if not bad:
        return []
    shown = "; ".join(bad[: validate.MAX_EXAMPLES])
    more = f" (+{len(bad) - validate.MAX_EXAMPLES} more)" if len(bad) > validate.MAX_EXAMPLES else ""
    return [f"{len(bad)} {what}: {shown}{more}"]


def _name(row: Any) -> str:
    return f"{int(row.base_year)}-{int(row.target_year)} industry {row.industry_code} {row.soc_code}"


def _share_outside(part: pd.Series, whole: pd.Series, published: pd.Series) -> pd.Series:
    """True where `published` (a one-decimal percent) cannot be 100 x part / whole of the rounded figures.

    The true part lies in [part - 50, part + 50] and the true whole in [whole - 50, whole + 50]; the
    published percent must lie within 0.05 of the interval of their ratio. A whole that may be zero
    bounds nothing above.
    """
    low = 100 * (part - HALF_UNIT).clip(lower=0) / (whole + HALF_UNIT)
    high = np.where(whole > HALF_UNIT, 100 * (part + HALF_UNIT) / (whole - HALF_UNIT).clip(lower=_EPS), np.inf)
    return (published < low - HALF_PCT - _EPS) | (published > high + HALF_PCT + _EPS)


def base_change_target(frame: pd.DataFrame) -> list[str]:
    """base + change = target within rounding: three figures, each within 50 persons of the truth."""
    gap = (frame["employment_base"] + frame["change_number"] - frame["employment_target"]).abs()
    bad = [
        f"{_name(r)} base {r.employment_base:.0f} + change {r.change_number:.0f} != target {r.employment_target:.0f}"
        for r in frame[gap > 3 * HALF_UNIT].itertuples()
    ]
    return _failure(f"rows have base + change differing from target by more than {3 * HALF_UNIT} persons", bad)


def shares_of_industry(frame: pd.DataFrame) -> list[str]:
    """The industry total is 100% of the industry; every row's percent is its employment over that total."""
    bad: list[str] = []
    for (_, industry), rows in frame.groupby(["base_year", "industry_code"]):
        total = rows[rows["soc_code"] == layout.TOTAL_CODE]
        if len(total) != 1:
            bad.append(f"industry {industry} has {len(total)} rows for the total {layout.TOTAL_CODE}")
            continue
        for employment, year in YEARS:
            column = f"share_of_industry{year}_pct"
            if float(total[column].iloc[0]) != 100.0:
                bad.append(f"industry {industry} total {column} is {total[column].iloc[0]}, not 100")
            whole = pd.Series(float(total[employment].iloc[0]), index=rows.index)
            outside = _share_outside(rows[employment], whole, rows[column])
            if outside.any():  # itertuples costs even on an empty frame; most releases have nothing to name
                bad += [f"{_name(r)} {column}={getattr(r, column)}" for r in rows[outside].itertuples()]
    return _failure("rows have a percent of industry their employment and the industry total cannot give", bad)


def line_items_within_total(frame: pd.DataFrame) -> list[str]:
    """The displayed line items (summaries left out: they repeat their items) never exceed the industry total."""
    bad: list[str] = []
    for (_, industry), rows in frame.groupby(["base_year", "industry_code"]):
        items = rows[rows["occ_type"] == "line_item"]
        total = rows[rows["soc_code"] == layout.TOTAL_CODE]
        if total.empty:
            continue  # shares_of_industry names it
        for employment, _ in YEARS:
            summed, published = items[employment].sum(), float(total[employment].iloc[0])
            allowed = HALF_UNIT * (len(items) + 1)
            if summed > published + allowed:
                bad.append(
                    f"industry {industry} {employment}: {len(items)} line items sum to {summed:.0f}, "
                    f"total {published:.0f} (allowed {allowed} over)"
                )
    return _failure("industries whose line items add up to more than their total", bad)


RELEASE_CHECKS = (base_change_target, shares_of_industry, line_items_within_total)


def industries_sum_to_occupation_total(frame: pd.DataFrame, totals: pd.DataFrame) -> list[str]:
    """Each occupation's industry rows against its total over all industries, within rounding.

    `frame`: ep_matrix rows (any cycles); `totals`: the occupations' all-industries employment per cycle
    (base_year, soc_code, employment_base, employment_target: ep_projections, Table 1.2). Checks, for
    base and target year: every row's share_of_occupation is its employment over the total; the 20
    sectors' rows add up to at most the total (the rest is self-employment); and the sectors' shares
    add up to at most 100%.
    """
    bad: list[str] = []
    joined = frame.merge(
        totals[["base_year", "soc_code", "employment_base", "employment_target"]],
        on=["base_year", "soc_code"],
        how="left",
        suffixes=("", "_total"),
        validate="many_to_one",
    )
    missing = joined[joined["employment_base_total"].isna()]
    bad += [f"{_name(r)}: no all-industries total for the occupation" for r in missing.itertuples()]
    joined = joined.dropna(subset=["employment_base_total"])
    for employment, year in YEARS:
        column = f"share_of_occupation{year}_pct"
        outside = _share_outside(joined[employment], joined[f"{employment}_total"], joined[column])
        bad += [
            f"{_name(r)} {column}={getattr(r, column)} ({employment} {getattr(r, employment):.0f} of "
            f"{getattr(r, employment + '_total'):.0f})"
            for r in joined[outside].itertuples()
        ]
        sectors = joined[joined["industry_code"].isin(layout.SECTORS)]
        sums = sectors.groupby(["base_year", "soc_code"]).agg(
            summed=(employment, "sum"),
            shares=(column, "sum"),
            n=(employment, "size"),
            total=(f"{employment}_total", "first"),
        )
        over = sums[sums["summed"] > sums["total"] + HALF_UNIT * (sums["n"] + 1)]
        bad += [
            f"{int(b)} {code} {employment}: {int(r.n)} sectors sum to {r.summed:.0f}, over the total {r.total:.0f}"
            for (b, code), r in over.iterrows()
        ]
        over = sums[sums["shares"] > 100 + HALF_PCT * sums["n"] + _EPS]
        bad += [f"{int(b)} {code} {column}: sectors' shares sum to {r.shares:.1f}%" for (b, code), r in over.iterrows()]
    return _failure("occupation figures that disagree with the occupation's all-industries total", bad)
