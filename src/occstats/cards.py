"""Occupation fact cards: the figures a career page shows, each with the release it came from.

One JSON document per occupation the OOH covers: every line-item occupation and every broad
(summary) group of the EP workbooks, under the code's newest classification. Each figure names its
BLS release, the curated table and its version, the raw file's sha256 and a citation, so a
publisher can quote it and later check it. "Latest" is the newest release that publishes the
figure; where the OOH edition's pay (OES of the projection base year) differs from a newer OES
release the card gives both, labelled. Nothing is invented: a figure BLS does not publish is
absent with the reason, a converted pay basis (2,080 hours) is labelled derived, and a code the
classification retired says where it went.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from occstats.classification import Classification
from occstats.errors import ConfigError
from occstats.lineage import from_store, lineage
from occstats.outlook import wording
from occstats.render import jsonable
from occstats.sources.oes.catalog import CATALOG as OES_CATALOG
from occstats.sources.soc import layout
from occstats.store import Store

HOURS_PER_YEAR = 2080  # BLS's full-year conversion between hourly and annual wages
PERCENTILES = ("p10", "p25", "median", "p75", "p90")
TOTAL_CODE = "00-0000"
CURRENT_SYSTEM = layout.SYSTEM_ORDER[-1]

# Where a reader finds each product at BLS (cited on every figure).
EP_URL = "https://www.bls.gov/emp/tables/occupational-projections-and-characteristics.htm"
EP_FILE_URL = "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx"  # replaced by BLS every September

_OES_COLS = [
    "ref_year",
    "ref_month",
    "area_type",
    "area_code",
    "naics_code",
    "ownership_code",
    "soc_system",
    "soc_code",
]
_OES_COLS += ["occ_level", "basis", "statistic", "value", "status"]
_OES_COLS += ["marker", "bound", "bound_comparison", "source_sha256", "source_file"]
_EST_COLS = ["ref_year", "ref_month", "area_type", "area_code", "naics_code", "ownership_code", "soc_system"]
_EST_COLS += ["soc_code", "occ_level", "employment", "employment_status", "source_sha256", "source_file"]


def oes_label(year: int, month: int | None) -> str:
    return f"OES {'May ' if month == 5 else ''}{year}"


def ep_label(base: int, target: int) -> str:
    return f"EP {base}-{target % 100:02d}"


def _oes_citation(year: int, month: int | None, file: str) -> str:
    url = OES_CATALOG.release(year).urls[0]
    return (
        f"U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics, "
        f"{'May ' if month == 5 else ''}{year} national estimates ({file}), {url}"
    )


def _ep_citation(base: int, target: int, file: str) -> str:
    return (
        f"U.S. Bureau of Labor Statistics, Employment Projections {base}-{target}, occupational projections "
        f"({file}), {EP_URL} (workbook served at {EP_FILE_URL} until the next cycle replaced it)"
    )


class CardData:
    """The curated rows cards are built from, read once (columnar filters, then grouped by code)."""

    def __init__(self, store: Store, codes: list[str] | None = None) -> None:
        self.store = store
        if not store.exists("ep_projections"):
            raise ConfigError(f"no ep_projections in {store.root}: run `occstats refresh ep` / `occstats import ep`")
        self.cls: Classification = from_store(store)
        self.versions = {name: store.version(name) for name in ("ep_projections", "oes_wages", "oes_estimates")}
        where = pc.field("soc_code").isin([*codes, TOTAL_CODE]) if codes else None
        self.ep: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.all_occupations: dict[int, Decimal | None] = {}
        for row in store.read("ep_projections", where=where).to_pylist():
            self.ep[row["soc_code"]].append(row)
            if row["soc_code"] == TOTAL_CODE:
                self.all_occupations[row["base_year"]] = row["change_pct"]
        self.wages: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.estimates: dict[str, list[dict[str, Any]]] = defaultdict(list)
        # The national workbooks' family only: cards cite them; the time series' rows share the tables.
        national = pc.field("dataset") == "oes_national"
        if store.exists("oes_wages"):
            wage_where = national & pc.field("statistic").isin(PERCENTILES)
            if codes:
                wage_where &= pc.field("soc_code").isin(codes)
            for row in store.read("oes_wages", where=wage_where, columns=_OES_COLS).to_pylist():
                self.wages[row["soc_code"]].append(row)
        if store.exists("oes_estimates"):
            est_where = national & pc.field("soc_code").isin(codes) if codes else national
            for row in store.read("oes_estimates", where=est_where, columns=_EST_COLS).to_pylist():
                self.estimates[row["soc_code"]].append(row)
        self.detail_estimates, self.detail_wages = _detail_rows(store, codes)

    def covered(self) -> list[str]:
        """Codes the OOH covers: EP line items and broad (summary) groups, any cycle."""
        found = set()
        for code, rows in self.ep.items():
            for row in rows:
                if row["occ_type"] == "line_item" or _is_broad(code):
                    found.add(code)
        return sorted(found)


def _detail_rows(store: Store, codes: list[str] | None) -> tuple[dict[str, list], dict[str, list]]:
    """Estimates and annual medians by state and by industry, per code, from the families that publish them
    (the time series, the state and industry workbooks): cross-industry state rows, national rows by industry."""
    estimates: dict[str, list[dict[str, Any]]] = defaultdict(list)
    wages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    detail = (pc.field("dataset") != "oes_national") & (
        ((pc.field("area_type") == "state") & (pc.field("naics_code") == "000000"))
        | ((pc.field("area_type") == "national") & (pc.field("naics_code") != "000000"))
    )
    if codes:
        detail &= pc.field("soc_code").isin(codes)
    if store.exists("oes_estimates"):
        columns = [*_EST_COLS, "dataset", "area_title", "naics_title", "naics_level"]
        for row in store.read("oes_estimates", where=detail, columns=columns).to_pylist():
            estimates[row["soc_code"]].append(row)
    if store.exists("oes_wages"):
        median = detail & (pc.field("basis") == "annual") & (pc.field("statistic") == "median")
        for row in store.read("oes_wages", where=median, columns=[*_OES_COLS, "dataset"]).to_pylist():
            wages[row["soc_code"]].append(row)
    return estimates, wages


def _is_broad(code: str) -> bool:
    """SOC broad groups end in one zero (35-2010); minor (35-2000, 15-1200) and major groups in more."""
    return code.endswith("0") and not code.endswith("00")


# -- figures ---------------------------------------------------------------------------------------
def _figure(
    value: Any,
    *,
    unit: str,
    release: str,
    table: str,
    version: int | None,
    sha: str | None,
    file: str | None,
    citation: str,
    status: str = "estimate",
    derived: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    fig = {
        "value": value,
        "unit": unit,
        "status": status,
        "release": release,
        "table": table,
        "table_version": version,
        "source_sha256": sha,
        "source_file": file,
        "citation": citation,
    }
    if derived:
        fig["derived"] = derived
    fig.update({k: v for k, v in extra.items() if v is not None})
    return fig


def _national(rows: list[dict[str, Any]], system: str) -> list[dict[str, Any]]:
    return [
        r
        for r in rows
        if r["soc_system"] == system
        and r.get("area_type", "national") == "national"
        and r.get("naics_code", "000000") == "000000"
        and r.get("ownership_code", "1235") == "1235"
    ]


def _oes_pay(data: CardData, code: str, system: str, year: int) -> dict[str, Any] | None:
    """Median pay and range of one OES release, annual and hourly, each a cited figure."""
    rows = [r for r in _national(data.wages.get(code, []), system) if r["ref_year"] == year]
    if not rows:
        return None
    by: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:  # from 2017 some codes appear as broad and detailed with identical figures
        if (r["basis"], r["statistic"]) not in by or r["occ_level"] == "detailed":
            by[(r["basis"], r["statistic"])] = r
    first = rows[0]
    label = oes_label(year, first["ref_month"])
    citation = _oes_citation(year, first["ref_month"], first["source_file"])
    version = data.versions["oes_wages"]
    out: dict[str, Any] = {"release": label}
    for stat in PERCENTILES:
        for basis, other in (("annual", "hourly"), ("hourly", "annual")):
            key = f"{stat}_{basis}"
            row = by.get((basis, stat))
            twin = by.get((other, stat))
            unit = "USD per year" if basis == "annual" else "USD per hour"
            common = {"unit": unit, "release": label, "table": "oes_wages", "version": version, "citation": citation}
            if row is not None and row["status"] == "estimate":
                out[key] = _figure(row["value"], sha=row["source_sha256"], file=row["source_file"], **common)
            elif twin is not None and twin["status"] == "estimate" and (row is None or row["status"] != "top_coded"):
                value = twin["value"] * HOURS_PER_YEAR if basis == "annual" else twin["value"] / HOURS_PER_YEAR
                value = value.quantize(Decimal("1") if basis == "annual" else Decimal("0.01"))
                why = f"{label} publishes no {basis} {stat} for {code}" + (
                    f" ({row['status'].replace('_', ' ')})" if row is not None else ""
                )
                out[key] = _figure(
                    value,
                    sha=twin["source_sha256"],
                    file=twin["source_file"],
                    status="derived",
                    derived=f"{why}; converted from the {other} figure at {HOURS_PER_YEAR:,} hours a year",
                    **common,
                )
            elif row is not None:
                out[key] = _figure(
                    None,
                    sha=row["source_sha256"],
                    file=row["source_file"],
                    status=row["status"],
                    bound=row["bound"],
                    bound_comparison=row["bound_comparison"],
                    marker=row["marker"],
                    **common,
                )
    return out


def _oes_jobs(data: CardData, code: str, system: str) -> dict[str, Any] | None:
    rows = [r for r in _national(data.estimates.get(code, []), system) if r["employment_status"] == "estimate"]
    if not rows:
        return None
    row = max(rows, key=lambda r: (r["ref_year"], r["occ_level"] == "detailed"))
    label = oes_label(row["ref_year"], row["ref_month"])
    return _figure(
        row["employment"],
        unit="persons",
        release=label,
        table="oes_estimates",
        version=data.versions["oes_estimates"],
        sha=row["source_sha256"],
        file=row["source_file"],
        citation=_oes_citation(row["ref_year"], row["ref_month"], row["source_file"]),
        note="wage and salary employment (excludes the self-employed), as OES estimates it",
    )


def _ep_figure(data: CardData, row: dict[str, Any], column: str, unit: str, **extra: Any) -> dict[str, Any]:
    return _figure(
        row[column],
        unit=unit,
        release=ep_label(row["base_year"], row["target_year"]),
        table="ep_projections",
        version=data.versions["ep_projections"],
        sha=row["source_sha256"],
        file=row["source_file"],
        citation=_ep_citation(row["base_year"], row["target_year"], row["source_file"]),
        **extra,
    )


INDUSTRY_LEVEL = "3-digit"  # the level cards rank industries at


def _family_label(row: dict[str, Any]) -> str:
    """'OES May 2025 time series', 'OES May 2019 industry': the release and the family the figure came from."""
    family = row["dataset"].removeprefix("oes_").replace("timeseries", "time series")
    return f"{oes_label(row['ref_year'], row['ref_month'])} {family}"


def _ranked(data: CardData, code: str, system: str, newest: int | None, kind: str) -> dict[str, Any]:
    """Top-paying states or the industries employing the most, where curated data has them."""
    rows = [r for r in data.detail_estimates.get(code, []) if r["soc_system"] == system and r["ref_year"] == newest]
    if kind == "states":
        parts = [r for r in rows if r["area_type"] == "state" and r["naics_code"] == "000000"]
        wages = {
            r["area_code"]: r["value"]
            for r in data.detail_wages.get(code, [])
            if r["ref_year"] == newest
            and r["area_type"] == "state"
            and r["naics_code"] == "000000"
            and (r["basis"], r["statistic"], r["status"]) == ("annual", "median", "estimate")
        }
        missing = "no OES state figures are curated for this year (the time series or BLS's oesm{YY}st.zip)"
    else:
        # 3-digit NAICS industries ("622000 Hospitals"), as the OOH names employers: not sectors, not ownerships
        parts = [r for r in rows if r["area_type"] == "national" and r["naics_level"] == INDUSTRY_LEVEL]
        missing = "no OES industry figures are curated for this year (the time series or BLS's oesm{YY}in4.zip)"
    if not parts:
        return {"available": False, "reason": missing}
    if kind == "states":
        ranked = sorted((r for r in parts if r["area_code"] in wages), key=lambda r: -wages[r["area_code"]])
        items = [
            {
                "area_code": r["area_code"],
                "area_title": r["area_title"],
                "annual_median": wages[r["area_code"]],
                "employment": r["employment"],
                "release": _family_label(r),
                "source_sha256": r["source_sha256"],
            }
            for r in ranked[:5]
        ]
        return {"available": True, "items": items}
    ranked = sorted((r for r in parts if r["employment_status"] == "estimate"), key=lambda r: -r["employment"])
    return {
        "available": True,
        "items": [
            {
                "naics_code": r["naics_code"],
                "naics_title": r["naics_title"],
                "ownership_code": r["ownership_code"],
                "employment": r["employment"],
                "release": _family_label(r),
                "source_sha256": r["source_sha256"],
            }
            for r in ranked[:5]
        ],
    }


# -- classification --------------------------------------------------------------------------------
def _classification(cls: Classification, code: str, system: str) -> dict[str, Any]:
    out: dict[str, Any] = {"system": system, "system_label": layout.BY_NAME[system].label}
    try:
        steps = lineage(cls, code, system)
    except ConfigError as exc:
        return {**out, "status": "unknown", "note": str(exc)}
    out["lineage"] = steps
    if system == CURRENT_SYSTEM:
        return {**out, "status": "current"}
    links = cls.links(system, code, CURRENT_SYSTEM)
    successors = [
        {"code": link.code, "title": cls.title(CURRENT_SYSTEM, link.code), "relationship": link.relationship}
        for link in links
    ]
    kinds = {link.relationship for link in links}
    if not links:
        change, note = "retired", f"{code} ({system}) has no counterpart in {CURRENT_SYSTEM}"
    elif kinds == {"one-to-one"}:
        change, note = "recoded", f"{code} ({system}) is {links[0].code} in {CURRENT_SYSTEM}"
    elif len(links) > 1:
        change = "split" if kinds == {"split"} or "many-to-many" not in kinds else "split (with other codes)"
        codes = " and ".join(link.code for link in links)
        note = f"{code} ({system}) was split in {CURRENT_SYSTEM}: its work is now in {codes}; see their cards"
    else:
        change = links[0].relationship
        note = f"{code} ({system}) became part of {links[0].code} in {CURRENT_SYSTEM} ({change})"
    return {**out, "status": "superseded", "change": change, "successors": successors, "note": note}


# -- the card ---------------------------------------------------------------------------------------
def _projections(data: CardData, ep_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The newest cycle carrying the code: jobs, growth with its wording, change, openings."""
    ep = ep_rows[-1]
    period = ep_label(ep["base_year"], ep["target_year"])
    projections: dict[str, Any] = {"release": period, "base_year": ep["base_year"], "target_year": ep["target_year"]}
    projections["number_of_jobs"] = _ep_figure(
        data,
        ep,
        "employment_base",
        "persons",
        year=ep["base_year"],
        note="employment in the base year, all workers including the self-employed (the OOH's Number of Jobs)",
    )
    projections["growth_pct"] = _ep_figure(data, ep, "change_pct", "percent")
    if ep["change_pct"] is not None:
        outlook = wording(ep["change_pct"], data.all_occupations.get(ep["base_year"]), ep["base_year"])
        projections["outlook"] = outlook or {"wording": None, "reason": f"{period} has no all-occupations row"}
    projections["employment_change"] = _ep_figure(data, ep, "change_number", "persons")
    with_openings = [r for r in ep_rows if r["openings_annual_avg"] is not None]
    if with_openings:
        newest = with_openings[-1]
        projections["annual_openings"] = _ep_figure(data, newest, "openings_annual_avg", "persons per year")
    else:
        old = [r for r in ep_rows if r["openings_growth_replacement_total"] is not None]
        projections["annual_openings"] = {
            "available": False,
            "reason": "annual openings (growth and separations) are published from the 2016-26 cycle on",
        }
        if old:
            projections["openings_growth_replacement_total"] = _ep_figure(
                data,
                old[-1],
                "openings_growth_replacement_total",
                "persons over the decade",
                note="the old replacement-needs concept; not comparable with annual openings",
            )

    return projections


def _education(data: CardData, ep_rows: list[dict[str, Any]], code: str) -> dict[str, Any]:
    """Education and training from the newest cycle that publishes it for the code."""
    education: dict[str, Any]
    with_education = [r for r in ep_rows if r["education_status"] == "estimate"]
    if with_education:
        row = with_education[-1]
        if row["education_system"] == "bls-3-part":
            education = {
                name: _ep_figure(data, row, name, "category")
                for name in ("typical_entry_education", "work_experience", "on_the_job_training")
            }
        else:
            education = {
                "education_training_category": _ep_figure(data, row, "education_training_category", "category")
            }
    else:
        education = {"available": False, "reason": f"BLS assigns no education category to {code} (a summary group)"}

    return education


def _pay(data: CardData, code: str, system: str, ep: dict[str, Any]) -> dict[str, Any]:
    """The newest OES release for the code, and the OOH edition's (projection base year) where different."""
    period = ep_label(ep["base_year"], ep["target_year"])
    pay_years = sorted({r["ref_year"] for r in _national(data.wages.get(code, []), system)})
    pay: dict[str, Any] = {}
    if pay_years:
        pay["latest"] = _oes_pay(data, code, system, pay_years[-1])
        pay["latest"]["meaning"] = "the newest OES release that publishes pay for this code"
        if ep["base_year"] != pay_years[-1]:
            edition = _oes_pay(data, code, system, ep["base_year"])
            if edition is not None:
                edition["meaning"] = (
                    f"the pay the OOH edition built on {period} prints "
                    f"(OES of the projection base year {ep['base_year']})"
                )
                pay["projections_edition"] = edition
    elif ep["median_wage_status"] in ("estimate", "top_coded"):
        pay["latest"] = {
            "release": f"{period} workbook",
            "meaning": f"OES publishes no national pay for {code}; the EP workbook's median wage",
            "median_annual": _ep_figure(
                data,
                ep,
                "median_wage_annual",
                "USD per year",
                status=ep["median_wage_status"],
                year=ep["median_wage_year"],
                bound=ep["median_wage_bound"],
            ),
        }
    else:
        pay = {"available": False, "reason": f"neither OES nor the {period} workbook publishes pay for {code}"}

    return pay


def _card(data: CardData, code: str) -> dict[str, Any]:
    systems = data.cls.systems_with(code)
    ep_rows = data.ep.get(code, [])
    if not ep_rows:
        raise ConfigError(f"{code}: no Employment Projections cycle carries this code, so the OOH does not cover it")
    ep_systems = [s for s in layout.SYSTEM_ORDER if any(r["soc_system"] == s for r in ep_rows)]
    system = ep_systems[-1] if ep_systems else systems[-1]
    ep_rows = sorted((r for r in ep_rows if r["soc_system"] == system), key=lambda r: r["base_year"])
    ep = ep_rows[-1]
    period = ep_label(ep["base_year"], ep["target_year"])
    notes: list[str] = []
    projections = _projections(data, ep_rows)
    education = _education(data, ep_rows, code)
    pay = _pay(data, code, system, ep)
    pay_years = sorted({r["ref_year"] for r in _national(data.wages.get(code, []), system)})

    newest_oes = pay_years[-1] if pay_years else None
    title = data.cls.title(system, code) if systems else ep["occ_title"]
    classification = _classification(data.cls, code, system) if systems else {"system": system}
    if classification.get("status") == "superseded":
        notes.append(
            f"{classification['note']}. The figures here are the last ones published for this definition "
            f"({period}{', ' + pay['latest']['release'] if 'latest' in pay else ''})."
        )
    if "outlook" in projections and projections["outlook"].get("rule_kind") == "scaled":
        notes.append(
            "The outlook wording compares the growth with the cycle's all-occupations growth using band edges "
            "occstats scaled from BLS's last published key-phrase table; see rule_source."
        )
    card = {
        "soc_code": code,
        "title": title,
        "kind": "detailed occupation" if ep["occ_type"] == "line_item" else "summary group (broad)",
        "classification": classification,
        "pay": pay,
        "employment_oes": _oes_jobs(data, code, system),
        "projections": projections,
        "education": education,
        "top_paying_states": _ranked(data, code, system, newest_oes, "states"),
        "top_industries": _ranked(data, code, system, newest_oes, "industries"),
        "notes": notes,
    }
    card["releases"] = sorted(_releases(card))
    return jsonable(card)


def _releases(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if "release" in node and "source_sha256" in node:
            found.add(node["release"])
        for value in node.values():
            found |= _releases(value)
    elif isinstance(node, list):
        for value in node:
            found |= _releases(value)
    return found


def build_card(store: Store, soc_code: str, data: CardData | None = None) -> dict[str, Any]:
    """The fact card of one occupation (reads only that code's rows unless `data` is given)."""
    return _card(data or CardData(store, [soc_code]), soc_code)


def write_cards(store: Store, folder: Path) -> int:
    """Write `folder/cards/<code>.json` per covered occupation and `folder/cards.json` (all); return the count."""
    data = CardData(store)
    cards = [_card(data, code) for code in data.covered()]
    out = folder / "cards"
    out.mkdir(parents=True, exist_ok=True)
    for card in cards:
        (out / f"{card['soc_code']}.json").write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
    combined = {"count": len(cards), "cards": cards}
    (folder / "cards.json").write_text(json.dumps(combined, separators=(",", ":")) + "\n")
    return len(cards)


def card_rows(card: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(figure, value, release, sha256 prefix, note) for every cited figure of a card, in card order."""
    rows: list[tuple[Any, ...]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict) and "source_sha256" in node and "value" in node:
            note = node.get("derived") or ("" if node["status"] == "estimate" else node["status"])
            rows.append((path, node["value"], node["release"], (node["source_sha256"] or "")[:12], note))
        elif isinstance(node, dict):
            if node.get("available") is False:
                rows.append((path, None, None, None, node["reason"]))
            for key, value in node.items():
                if key not in ("classification", "lineage"):
                    walk(value, f"{path}.{key}" if path else key)
            if node.get("wording"):
                rows.append((f"{path}.wording", node["wording"], None, None, f"{node['rule_kind']} rule"))

    walk(card, "")
    cls = card.get("classification", {})
    if cls.get("status") == "superseded":
        rows.append(("classification", cls.get("change"), None, None, cls.get("note")))
    return rows
