"""Small curated stores for the card and audit tests: rows written straight through Store.write.

Figures are invented but BLS-shaped (annual wages in tens, hourly in cents, EP employment in
hundreds); each release carries its own fake raw-file sha256 so a test can tell which release a
figure came from.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from occstats import schema
from occstats.store import Store

STATS = ("mean", "p10", "p25", "median", "p75", "p90")


def sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def _oes_common(year: int, code: str, level: str) -> dict[str, Any]:
    return {
        "dataset": "oes_national",
        "ref_year": year,
        "ref_month": 5,
        "area_type": "national",
        "area_code": "99",
        "naics_code": "000000",
        "ownership_code": "1235",
        "soc_code": code,
        "soc_system": "soc-2018",
        "occ_level": level,
        "source_sha256": sha(f"oes{year}"),
        "source_file": f"oesm{year % 100}nat.zip:national_M{year}_dl.xlsx",
    }


def oes_rows(
    year: int,
    code: str,
    title: str,
    employment: int,
    annual: dict[str, Any],
    hourly: dict[str, Any],
    level: str = "detailed",
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One occupation of one OES release: the estimates row and its twelve wage rows.

    A wage given as a string is a status ('not_released', 'top_coded'…) instead of a figure.
    """
    common = _oes_common(year, code, level)
    estimate = {
        **common,
        "occ_title": title,
        "occ_group_published": level,
        "employment": employment,
        "employment_status": "estimate",
        "employment_rse_status": "estimate",
        "wage_mean_rse_status": "estimate",
    }
    wages = []
    for basis, figures in (("annual", annual), ("hourly", hourly)):
        for stat in STATS:
            value = figures.get(stat, "not_published")
            status = value if isinstance(value, str) and not value[0].isdigit() else "estimate"
            wages.append(
                {
                    **common,
                    "basis": basis,
                    "statistic": stat,
                    "value": Decimal(str(value)) if status == "estimate" else None,
                    "status": status,
                }
            )
    return estimate, wages


def ep_row(
    base: int,
    code: str,
    title: str,
    kind: str,
    jobs: int,
    change: int,
    pct: str,
    openings: int | None,
    wage: int | None = None,
    education: tuple[str, str, str] | None = None,
) -> dict[str, Any]:
    return {
        "base_year": base,
        "target_year": base + 10,
        "soc_code": code,
        "soc_system": "soc-2018",
        "occ_title": title,
        "occ_type": kind,
        "occ_type_source": "published",
        "employment_base": jobs,
        "employment_target": jobs + change,
        "change_number": change,
        "change_pct": Decimal(pct),
        "openings_annual_avg": openings,
        "self_employed_status": "not_published",
        "median_wage_annual": Decimal(wage) if wage else None,
        "median_wage_status": "estimate" if wage else "not_available",
        "median_wage_year": base,
        "education_system": "bls-3-part" if education else None,
        "typical_entry_education": education[0] if education else None,
        "work_experience": education[1] if education else None,
        "on_the_job_training": education[2] if education else None,
        "education_status": "estimate" if education else "not_available",
        "source_sha256": sha(f"ep{base}"),
        "source_file": f"occupation_{base}.xlsx",
    }


RECORDS = ("Postsecondary nondegree award", "None", "None")
ACTORS = ("Some college, no degree", "None", "Long-term on-the-job training")

# median annual / hourly of 29-2072 by year (the other statistics follow from them)
MEDIANS = {2024: (50250, "24.16"), 2025: (51140, "24.59")}


def build(curated: Path) -> Store:
    store = Store(curated)
    estimates, wages = [], []
    for year, (annual, hourly) in MEDIANS.items():
        est, w = oes_rows(
            year,
            "29-2072",
            "Medical records specialists",
            190000 + year - 2024,
            {
                "mean": annual + 3000,
                "p10": annual - 14000,
                "p25": annual - 8000,
                "median": annual,
                "p75": annual + 14000,
                "p90": annual + 30000,
            },
            {"mean": Decimal(hourly) + Decimal("1.44"), "median": hourly},
        )
        estimates.append(est)
        wages += w
        # actors: hourly only (BLS releases no annual wages for them)
        est, w = oes_rows(
            year,
            "27-2011",
            "Actors",
            50000,
            {s: "not_released" for s in STATS},
            {"median": "23.33" if year == 2025 else "22.07", "mean": "30.01"},
        )
        estimates.append(est)
        wages += w
        est, w = oes_rows(
            year,
            "35-2010",
            "Cooks",
            2600000,
            {"median": 36640 if year == 2025 else 35760},
            {"median": "17.62" if year == 2025 else "17.19"},
            level="broad",
        )
        estimates.append(est)
        wages += w
    projections = []
    for base, total_pct, mr_pct, mr_jobs in ((2022, "2.8", "8.5", 194300), (2024, "3.0", "7.0", 194800)):
        projections += [
            ep_row(base, "00-0000", "Total, all occupations", "summary", 169956100, 5211800, total_pct, 18863300),
            ep_row(
                base,
                "29-2072",
                "Medical records specialists",
                "line_item",
                mr_jobs,
                13800,
                mr_pct,
                14200,
                50250,
                RECORDS,
            ),
            ep_row(base, "27-2011", "Actors", "line_item", 70000, 1500, "2.1", 8000, None, ACTORS),
            ep_row(base, "35-2010", "Cooks", "summary", 2805100, 130600, "4.0", 432200, 35760),
            ep_row(base, "35-2000", "Cooks and food preparation workers", "summary", 4000000, 150000, "3.8", 700000),
            ep_row(base, "15-1200", "Computer occupations", "summary", 5000000, 500000, "10.0", 400000),
        ]
    meta = {"code_version": "test", "sources": []}
    store.write(schema.OES_ESTIMATES, [schema.to_arrow(estimates, schema.OES_ESTIMATES)], meta)
    store.write(schema.OES_WAGES, [schema.to_arrow(wages, schema.OES_WAGES)], meta)
    store.write(schema.EP_PROJECTIONS, [schema.to_arrow(projections, schema.EP_PROJECTIONS)], meta)
    return store
