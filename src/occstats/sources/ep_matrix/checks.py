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

from occstats import schema, validate
from occstats.sources.ep_matrix import layout
from occstats.validate import Check

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


def _share_outside(part: Any, whole: Any, published: Any) -> np.ndarray:
    """True where `published` (a one-decimal percent) cannot be 100 x part / whole of the rounded figures.

    The true part lies in [part - 50, part + 50] and the true whole in [whole - 50, whole + 50]; the
    published percent must lie within 0.05 of the interval of their ratio. A whole that may be zero
    bounds nothing above.
    """
    part, whole, published = (np.asarray(a, dtype=float) for a in (part, whole, published))
    low = 100 * np.clip(part - HALF_UNIT, 0, None) / (whole + HALF_UNIT)
    with np.errstate(divide="ignore", invalid="ignore"):
        high = np.where(whole > HALF_UNIT, 100 * (part + HALF_UNIT) / np.clip(whole - HALF_UNIT, _EPS, None), np.inf)
    return (published < low - HALF_PCT - _EPS) | (published > high + HALF_PCT + _EPS)


def base_change_target(frame: pd.DataFrame) -> list[str]:
    """base + change = target within rounding: three figures, each within 50 persons of the truth."""
    gap = (frame["employment_base"] + frame["change_number"] - frame["employment_target"]).abs()
    wrong = gap.to_numpy() > 3 * HALF_UNIT
    rows = frame[wrong].itertuples() if wrong.any() else ()  # itertuples costs even on an empty frame
    bad = [
        f"{_name(r)} base {r.employment_base:.0f} + change {r.change_number:.0f} != target {r.employment_target:.0f}"
        for r in rows
    ]
    return _failure(f"rows have base + change differing from target by more than {3 * HALF_UNIT} persons", bad)


class _Industries:
    """A frame's releases (one industry of one cycle each), as numpy positions: pandas costs per call.

    The pipeline validates one workbook (a few hundred rows) at a time, 474 times per cycle.
    """

    def __init__(self, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
        self.frame = frame
        self.soc = frame["soc_code"].to_numpy()
        self.values = {c: frame[c].to_numpy(dtype=float) for c in columns}
        self.groups = frame.groupby(["base_year", "target_year", "industry_code"], sort=False).indices

    def __iter__(self) -> Any:
        """(label, positions of its rows, position of its total row or None, problem or None)."""
        for (base, target, industry), rows in self.groups.items():
            label = f"{int(base)}-{int(target)} industry {industry}"
            total = rows[self.soc[rows] == layout.TOTAL_CODE]
            problem = None if len(total) == 1 else f"{label} has {len(total)} rows for the total {layout.TOTAL_CODE}"
            yield label, rows, (total[0] if len(total) == 1 else None), problem


_EMPLOYMENT = tuple(e for e, _ in YEARS)
_INDUSTRY_SHARES = tuple(f"share_of_industry{y}_pct" for _, y in YEARS)


def shares_of_industry(frame: pd.DataFrame) -> list[str]:
    """The industry total is 100% of the industry; every row's percent is its employment over that total."""
    industries = _Industries(frame, _EMPLOYMENT + _INDUSTRY_SHARES)
    bad: list[str] = []
    for label, rows, total, problem in industries:
        if total is None:
            bad.append(str(problem))
            continue
        for employment, year in YEARS:
            column = f"share_of_industry{year}_pct"
            part, share = industries.values[employment], industries.values[column]
            if share[total] != 100.0:
                bad.append(f"{label} total {column} is {share[total]}, not 100")
            outside = rows[_share_outside(part[rows], part[total], share[rows])]
            bad += [f"{label} {industries.soc[i]} {column}={share[i]} ({employment} {part[i]:.0f})" for i in outside]
    return _failure("rows have a percent of industry their employment and the industry total cannot give", bad)


def line_items_within_total(frame: pd.DataFrame) -> list[str]:
    """The displayed line items (summaries left out: they repeat their items) never exceed the industry total."""
    industries = _Industries(frame, _EMPLOYMENT)
    items = (frame["occ_type"] == "line_item").to_numpy()
    bad: list[str] = []
    for label, rows, total, _ in industries:
        if total is None:
            continue  # shares_of_industry names it
        mine = rows[items[rows]]
        allowed = HALF_UNIT * (len(mine) + 1)
        for employment in _EMPLOYMENT:
            values = industries.values[employment]
            summed = values[mine].sum()
            if summed > values[total] + allowed:
                bad.append(
                    f"{label} {employment}: {len(mine)} line items sum to {summed:.0f}, "
                    f"total {values[total]:.0f} (allowed {allowed} over)"
                )
    return _failure("industries whose line items add up to more than their total", bad)


WORKBOOK_CHECKS: tuple[Check, ...] = (
    Check("base + change = target", base_change_target),
    Check("shares of the industry consistent", shares_of_industry),
    Check("line items within the industry total", line_items_within_total),
)
# The same workbook checks whichever table a workbook's rows go to (industries or sectors).
CHECKS: dict[str, tuple[Check, ...]] = {
    schema.EP_MATRIX.name: WORKBOOK_CHECKS,
    schema.EP_MATRIX_SECTORS.name: WORKBOOK_CHECKS,
}


def industries_sum_to_occupation_total(frame: pd.DataFrame, totals: pd.DataFrame) -> list[str]:
    """Each occupation's industry rows against its total over all industries, within rounding.

    `frame`: ep_matrix and/or ep_matrix_sectors rows (any cycles); `totals`: the occupations'
    all-industries employment per cycle (base_year, soc_code, employment_base, employment_target:
    ep_projections, Table 1.2). Checks, for base and target year: every row's share_of_occupation is
    its employment over the total; the 20 sectors' rows add up to at most the total (the rest is
    self-employment); and the sectors' shares add up to at most 100%.
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
        outside = pd.Series(outside, index=joined.index)
        bad += (
            []
            if not outside.any()
            else [
                f"{_name(r)} {column}={getattr(r, column)} ({employment} {getattr(r, employment):.0f} of "
                f"{getattr(r, employment + '_total'):.0f})"
                for r in joined[outside].itertuples()
            ]
        )
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
