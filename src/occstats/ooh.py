"""The Occupational Outlook Handbook "quick facts" box, joined from the curated tables.

For each projection cycle and line-item occupation: median pay from the OES release of the cycle's
base year (as the OOH prints it: the 2010-20 edition shows May 2010 pay), typical education and
training, number of jobs in the base year, the projected percent change and employment change.
Where OES has no national figure for the code in that release, the wage the EP workbook itself
publishes is used and named as such; where neither exists, the row says so. No figure is taken
from another year without the row naming the year.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from occstats import schema
from occstats.classification import Classification
from occstats.store import Store

_OES_COLUMNS = ["ref_year", "ref_month", "soc_code", "occ_level", "basis", "value", "status", "bound", "source_sha256"]


def _oes_medians(store: Store, years: Iterable[int]) -> dict[tuple[int, str], dict[str, Any]]:
    """(ref_year, code) -> {"annual": (value, status, bound), "hourly": …, "sha": …, "month": …}."""
    years = sorted(set(years))
    if not years or not store.exists("oes_wages"):
        return {}
    # The national cross-industry workbooks only: the time series' area and industry rows share the table.
    where = (
        (pc.field("dataset") == "oes_national") & (pc.field("statistic") == "median") & pc.field("ref_year").isin(years)
    )
    data = store.read("oes_wages", where=where, columns=_OES_COLUMNS)
    found: dict[tuple[int, str], dict[str, Any]] = {}
    for year, month, code, level, basis, value, status, bound, sha in zip(
        *(data.column(c).to_pylist() for c in _OES_COLUMNS), strict=True
    ):
        entry = found.setdefault((year, code), {"sha": sha, "month": month, "level": level})
        if basis not in entry or level == "detailed":  # duplicates (broad and detailed) carry equal figures
            entry[basis] = (value, status, bound)
    return found


def _period(base: int, target: int) -> str:
    return f"{base}-{target % 100:02d}"


def quickfacts(store: Store, cls: Classification | None = None) -> pa.Table | None:
    if not store.exists("ep_projections"):
        return None
    projections = store.read("ep_projections", where=pc.field("occ_type") == "line_item").to_pylist()
    medians = _oes_medians(store, (r["base_year"] for r in projections))
    records = []
    for ep in projections:
        base, target, code = ep["base_year"], ep["target_year"], ep["soc_code"]
        period = _period(base, target)
        notes: list[str] = []
        pay = _pay(ep, medians.get((base, code)), notes)
        if ep["education_status"] != "estimate":
            notes.append(f"education and training: {ep['education_status'].replace('_', ' ')} in EP {period}")
        records.append(
            {
                "base_year": base,
                "target_year": target,
                "soc_code": code,
                "soc_system": ep["soc_system"],
                "occ_title": ep["occ_title"],
                **pay,
                "typical_entry_education": ep["typical_entry_education"],
                "work_experience": ep["work_experience"],
                "on_the_job_training": ep["on_the_job_training"],
                "education_system": ep["education_system"],
                "education_training_category": ep["education_training_category"],
                "number_of_jobs": ep["employment_base"],
                "number_of_jobs_year": base,
                "job_outlook_pct": ep["change_pct"],
                "employment_change": ep["change_number"],
                "outlook_period": period,
                "projections_release": f"EP {period}",
                "notes": "; ".join(notes),
                "ep_source_sha256": ep["source_sha256"],
            }
        )
    return schema.to_arrow(records, schema.OOH_QUICKFACTS) if records else None


def _pay(ep: dict[str, Any], oes: dict[str, Any] | None, notes: list[str]) -> dict[str, Any]:
    base, code = ep["base_year"], ep["soc_code"]
    empty = {
        "median_pay_annual": None,
        "median_pay_annual_status": "not_available",
        "median_pay_hourly": None,
        "median_pay_hourly_status": "not_available",
        "median_pay_bound_annual": None,
        "median_pay_year": None,
        "median_pay_release": None,
        "oes_source_sha256": None,
    }
    if oes is not None and "annual" in oes and "hourly" in oes:
        annual, hourly = oes["annual"], oes["hourly"]
        for basis, (_value, status, _bound) in (("annual", annual), ("hourly", hourly)):
            if status != "estimate":
                notes.append(f"{basis} median pay: {status.replace('_', ' ')} in OES May {base}")
        return {
            "median_pay_annual": annual[0],
            "median_pay_annual_status": annual[1],
            "median_pay_hourly": hourly[0],
            "median_pay_hourly_status": hourly[1],
            "median_pay_bound_annual": annual[2],
            "median_pay_year": base,
            "median_pay_release": f"OES {'May ' if oes['month'] == 5 else ''}{base}",
            "oes_source_sha256": oes["sha"],
        }
    if ep["median_wage_status"] in ("estimate", "top_coded"):
        year = ep["median_wage_year"]
        notes.append(
            f"OES May {base} has no national figure for {code}: annual median pay is the one the EP "
            f"{_period(base, ep['target_year'])} workbook publishes (wage year {year}); hourly not published there"
        )
        if year is not None and year != base:
            notes.append(f"that wage is for {year}, not the cycle's base year {base}")
        return {
            **empty,
            "median_pay_annual": ep["median_wage_annual"],
            "median_pay_annual_status": ep["median_wage_status"],
            "median_pay_hourly_status": "not_published",
            "median_pay_bound_annual": ep["median_wage_bound"],
            "median_pay_year": year,
            "median_pay_release": f"EP {_period(base, ep['target_year'])} workbook",
        }
    notes.append(f"median pay: no OES May {base} national figure for {code}, and the EP workbook publishes none")
    return empty
