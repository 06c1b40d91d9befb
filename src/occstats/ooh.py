"""The Occupational Outlook Handbook "quick facts" box, joined from the curated tables.

For each projection cycle and line-item occupation: median pay from the OES release of the cycle's
base year (as the OOH prints it: the 2010-20 edition shows May 2010 pay), typical education and
training, number of jobs in the base year, the projected percent change and employment change.
Where OES has no national figure for the code in that release, the wage the EP workbook itself
publishes is used and named as such; where neither exists, the row says so. No figure is taken
from another year without the row naming the year.

Pay is matched by definition, not by code alone: OES sometimes publishes an EP line item's
occupation under another code (EP 2012-22's 25-3099 is OES's 25-3090: declared, with evidence, in
sources/ep/layout.py OES_EQUIVALENTS), and sometimes publishes the same code narrower, having split
off a part the EP line item includes (a SOC code declared in sources/soc/layout.py as part of it,
published by OES beside it). A narrower figure is never used for the whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from occstats import schema
from occstats.classification import Classification
from occstats.labels import cycle, ep_label, oes_label
from occstats.sources.ep import layout as ep_layout
from occstats.sources.soc import layout as soc_layout
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


def _split_off(base: int, code: str) -> set[str]:
    """Codes declared (sources/soc/layout.py) as a part of `code` in the classification of `base`."""
    system = soc_layout.BY_NAME[soc_layout.system_for_year(base)]
    return {d.code for d in system.declared if d.components == (code,) and d.code != code}


def oes_code_for(base: int, code: str, oes_codes: set[str], ep_codes: set[str]) -> tuple[str | None, str | None]:
    """The OES code publishing the EP line item's definition in OES May `base`, and why, if not `code`.

    `oes_codes` are the codes OES publishes that year, `ep_codes` the cycle's line items. None when
    OES publishes only parts of it: OES's own `code`, if any, then lacks a part the EP line item holds.
    """
    declared = ep_layout.oes_equivalents_for(base).get(code)
    if declared is not None:
        return declared, f"median pay: OES May {base} publishes EP {code}'s definition as {declared}"
    parts = (_split_off(base, code) & oes_codes) - ep_codes
    if parts:
        return None, (
            f"OES May {base} publishes {code} split ({', '.join(sorted(parts))} published apart): "
            f"no OES figure has EP {code}'s definition"
        )
    return code, None


def quickfacts(store: Store, cls: Classification | None = None) -> pa.Table | None:
    if not store.exists("ep_projections"):
        return None
    projections = store.read("ep_projections", where=pc.field("occ_type") == "line_item").to_pylist()
    medians = _oes_medians(store, (r["base_year"] for r in projections))
    oes_codes: dict[int, set[str]] = {}
    for year, oes_code in medians:
        oes_codes.setdefault(year, set()).add(oes_code)
    ep_codes: dict[int, set[str]] = {}
    for r in projections:
        ep_codes.setdefault(r["base_year"], set()).add(r["soc_code"])
    records = []
    for ep in projections:
        base, target, code = ep["base_year"], ep["target_year"], ep["soc_code"]
        period = cycle(base, target)
        notes: list[str] = []
        oes_code, why = oes_code_for(base, code, oes_codes.get(base, set()), ep_codes[base])
        if why:
            notes.append(why)
        pay = _pay(ep, None if oes_code is None else medians.get((base, oes_code)), notes)
        if ep["education_status"] != "estimate":
            status = ep["education_status"].replace("_", " ")
            notes.append(f"education and training: {status} in {ep_label(base, target)}")
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
                "projections_release": ep_label(base, target),
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
                notes.append(f"{basis} median pay: {status.replace('_', ' ')} in {oes_label(base, oes['month'])}")
        return {
            "median_pay_annual": annual[0],
            "median_pay_annual_status": annual[1],
            "median_pay_hourly": hourly[0],
            "median_pay_hourly_status": hourly[1],
            "median_pay_bound_annual": annual[2],
            "median_pay_year": base,
            "median_pay_release": oes_label(base, oes["month"]),
            "oes_source_sha256": oes["sha"],
        }
    if ep["median_wage_status"] in ("estimate", "top_coded"):
        year = ep["median_wage_year"]
        notes.append(
            f"{oes_label(base)} has no national figure for {code}: annual median pay is the one the "
            f"{ep_label(base, ep['target_year'])} workbook publishes (wage year {year}); hourly not published there"
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
            "median_pay_release": f"{ep_label(base, ep['target_year'])} workbook",
        }
    notes.append(f"median pay: no {oes_label(base)} national figure for {code}, and the EP workbook publishes none")
    return empty
