"""`occstats lineage` and `occstats series`: one occupation through every classification.

The lineage lists, system by system, the codes an occupation maps through and the relationship at
each step. The series gives one row per OES release with the figure, the code and system it comes
from, and `comparable` true only where the definition is the anchor's own (one-to-one). Where the
occupation split or merged, the row says so and never sums or picks silently; employment of split
parts is summed, separately labelled, only when the parts together are exactly the old definition.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow.compute as pc

from occstats.classification import Classification, Usage, set_relationship, structural_level
from occstats.errors import ConfigError
from occstats.labels import ep_label, oes_label, summarize
from occstats.places import CROSS_INDUSTRY, NATIONAL, Place
from occstats.schema import DATASETS, WAGE_STATISTICS
from occstats.sources.soc import layout
from occstats.sources.soc.layout import CROSSWALKS
from occstats.store import Store

WAGE_MEASURES = {f"{basis}_{stat}": (basis, stat) for basis in ("annual", "hourly") for stat in WAGE_STATISTICS}
MEASURES = ("employment", *WAGE_MEASURES)


# -- building the classification from the store --------------------------------------------------
def bls_pairs(store: Store) -> list[dict[str, Any]]:
    if not store.exists("soc_crosswalk"):
        return []
    rows = store.read("soc_crosswalk").to_pylist()
    official = set(CROSSWALKS.values())
    return [r for r in rows if (r["from_system"], r["to_system"]) in official]


def usage(store: Store) -> dict[tuple[str, str], Usage]:
    """Every (system, code) the curated OES and EP releases use, with titles and release labels."""
    found: dict[tuple[str, str], Usage] = defaultdict(Usage)
    if store.exists("oes_estimates"):
        cols = ["soc_system", "soc_code", "occ_title", "occ_level", "ref_year", "ref_month"]
        data = store.read("oes_estimates", columns=cols).sort_by([("ref_year", "ascending")])
        for system, code, title, level, year, month in zip(*(data.column(c).to_pylist() for c in cols), strict=True):
            use = found[(system, code)]
            label = oes_label(year, month)
            use.titles[label] = title
            use.levels.add(level)
            use.detailed |= level == "detailed"
            if label not in use.releases:
                use.releases.append(label)
    if store.exists("ep_projections"):
        cols = ["soc_system", "soc_code", "occ_title", "occ_type", "base_year", "target_year"]
        data = store.read("ep_projections", columns=cols).sort_by([("base_year", "ascending")])
        for system, code, title, kind, base, target in zip(*(data.column(c).to_pylist() for c in cols), strict=True):
            use = found[(system, code)]
            label = ep_label(base, target)
            use.titles[label] = title
            use.detailed |= kind == "line_item"
            if label not in use.releases:
                use.releases.append(label)
    return dict(found)


def hybrid_structure(store: Store) -> list[dict[str, Any]]:
    """BLS's published hybrid structures (soc_hybrid_structure), where curated."""
    return store.read("soc_hybrid_structure").to_pylist() if store.exists("soc_hybrid_structure") else []


def from_store(store: Store, *, with_usage: bool = True) -> Classification:
    return Classification(bls_pairs(store), usage(store) if with_usage else None, hybrid_structure(store))


def describe_releases(labels: list[str]) -> str:
    """['OES May 2004', 'OES May 2005', 'EP 2008-18'] -> 'OES May 2004-2005; EP 2008-18'."""
    return summarize(labels)


# -- lineage ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Anchor:
    system: str
    code: str


def anchor(cls: Classification, code: str, system: str | None = None) -> Anchor:
    systems = cls.systems_with(code)
    if system is not None:
        if system not in layout.BY_NAME:
            raise ConfigError(f"unknown system {system!r}; systems: {', '.join(layout.SYSTEM_ORDER)}")
        if system not in systems:
            raise ConfigError(f"{code} is not a code of {system}")
        return Anchor(system, code)
    if not systems:
        raise ConfigError(
            f"{code} is not a code of any classification occstats knows (run `occstats refresh soc` "
            "and refresh the releases that use it)"
        )
    return Anchor(systems[-1], code)


def lineage(cls: Classification, code: str, system: str | None = None) -> list[dict[str, Any]]:
    """System by system, the codes the occupation maps through, each with its link from the step before."""
    start = anchor(cls, code, system)
    steps: list[tuple[str, list[str]]] = []
    for sys_name in layout.SYSTEM_ORDER:
        codes = [link.code for link in cls.links(start.system, start.code, sys_name)]
        if sys_name == start.system:
            # a reference code the releases publish only combined: show the code that carries it too
            carriers = [c for c in codes if c != start.code] if start.code not in cls.universe(sys_name) else []
            codes = [start.code, *carriers]
        if codes:
            steps.append((sys_name, codes))
    rows: list[dict[str, Any]] = []
    for number, (sys_name, codes) in enumerate(steps, start=1):
        for code_here in codes:
            links = []
            # from the step before; a code nothing there leads to is linked from the nearest earlier step
            for previous in reversed(steps[: number - 1]):
                for prev_code in previous[1]:
                    rel = cls.relationship(previous[0], prev_code, sys_name, code_here)
                    if rel is not None:
                        links.append(
                            {
                                "from_system": previous[0],
                                "from_code": prev_code,
                                "relationship": rel,
                                "source": cls.source(previous[0], prev_code, sys_name, code_here),
                            }
                        )
                if links:
                    break
            rows.append(
                {
                    "step": number,
                    "system": sys_name,
                    "code": code_here,
                    "title": cls.title(sys_name, code_here),
                    "releases": describe_releases(cls.releases(sys_name, code_here)),
                    "from": links,
                    "anchor": sys_name == start.system and code_here == start.code,
                }
            )
    if start.system != "oes-1990s" and not cls.has_reference(start.system):
        raise ConfigError("the SOC crosswalks are not curated yet: run `occstats refresh soc` first")
    return rows


# -- series ----------------------------------------------------------------------------------------
def _where(place: Place, industry: str) -> pc.Expression:
    """The rows of one area and industry, in whichever family publishes them.

    The nation, cross-industry, is the national workbooks' every row and the time series' rows for
    area 0000000, industry 000000, all ownerships.
    """
    if place.national and industry == CROSS_INDUSTRY:
        national = (pc.field("area_type") == "national") & (pc.field("naics_code") == CROSS_INDUSTRY)
        return (pc.field("dataset") == "oes_national") | (national & (pc.field("ownership_code") == "1235"))
    return (
        (pc.field("area_type") == place.area_type)
        & pc.field("area_code").isin(list(place.codes))
        & (pc.field("naics_code") == industry)
    )


def _preference(dataset: str) -> int:
    """Where two families publish the same release's figure, the first in schema.DATASETS is shown:
    the national workbooks before the time series (the same figures, checked equal for May 2025;
    the workbook is the file BLS has published for every release)."""
    return DATASETS.index(dataset) if dataset in DATASETS else len(DATASETS)


def _figures(
    store: Store,
    measure: str,
    first: int | None,
    last: int | None,
    place: Place = NATIONAL,
    industry: str = CROSS_INDUSTRY,
) -> dict[int, dict[str, Any]]:
    """ref_year -> {soc_system, label, dataset, figures: {code: (value, status)}} from the OES tables.

    One family per release: the preferred one among those that publish the area and industry that year.
    """
    where = _where(place, industry)
    if first is not None:
        where &= pc.field("ref_year") >= first
    if last is not None:
        where &= pc.field("ref_year") <= last
    keys = ["dataset", "ref_year", "ref_month", "soc_system", "soc_code", "occ_level"]
    if measure == "employment":
        cols = [*keys, "employment", "employment_status"]
        data = store.read("oes_estimates", where=where, columns=cols)
    else:
        basis, stat = WAGE_MEASURES[measure]
        cols = [*keys, "value", "status"]
        data = store.read(
            "oes_wages",
            columns=cols,
            where=where & (pc.field("basis") == basis) & (pc.field("statistic") == stat),
        )
    families: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for dataset, year, month, system, code, level, value, status in zip(
        *(data.column(c).to_pylist() for c in cols), strict=True
    ):
        entry = families[year].setdefault(
            dataset, {"system": system, "month": month, "dataset": dataset, "figures": {}}
        )
        # From 2017 some codes appear as both broad and detailed, with identical figures.
        if code not in entry["figures"] or level == "detailed":
            entry["figures"][code] = (value, status)
    return {year: min(by.values(), key=lambda e: _preference(e["dataset"])) for year, by in families.items()}


def series(
    store: Store,
    cls: Classification,
    code: str,
    measure: str,
    *,
    first: int | None = None,
    last: int | None = None,
    system: str | None = None,
    place: Place = NATIONAL,
    industry: str = CROSS_INDUSTRY,
) -> list[dict[str, Any]]:
    """One row per release of the occupation's figure, for the nation (default) or one area and industry."""
    if measure not in MEASURES:
        raise ConfigError(f"unknown measure {measure!r}; measures: {', '.join(MEASURES)}")
    if not store.exists("oes_estimates"):
        raise ConfigError("no OES releases curated yet: run `occstats refresh oes`")
    start = anchor(cls, code, system)
    group = structural_level(start.code) != "detailed"
    rows = []
    releases = _figures(store, measure, first, last, place, industry)
    if not releases and not (place.national and industry == CROSS_INDUSTRY):
        where = place.label if industry == CROSS_INDUSTRY else f"{place.label}, industry {industry}"
        raise ConfigError(
            f"no curated OES release publishes {where} ({place.area_type} area {', '.join(place.codes)})"
            f"{'' if first is None and last is None else ' in the years asked'}: the OEWS time series has every "
            "state, metropolitan area and industry of its release (`occstats refresh oes_timeseries`)"
        )
    held = sorted(releases)
    years = range(first or (held[0] if held else 0), (last or (held[-1] if held else -1)) + 1)
    for year in years:
        entry = releases.get(year)
        if entry is None:
            rows.append(
                {**_EMPTY, "release": f"OES {year}", "ref_year": year, "note": "no OES release for this year is held"}
            )
            continue
        release_system = entry["system"]
        label = oes_label(year, entry["month"])
        if group:
            total = _published_total(cls, start, label, year, release_system, entry["figures"])
            rows.append({**total, "dataset": entry["dataset"]})
            continue
        links = [link for link in cls.links(start.system, start.code, release_system) if link.code in entry["figures"]]
        row: dict[str, Any] = {
            "release": label,
            "dataset": entry["dataset"],  # the family the figure is from (oes_national where both have it)
            "ref_year": year,
            "soc_system": release_system,
            "soc_code": None,
            "title": None,
            "value": None,
            "status": None,
            "comparable": False,
            "relationship": None,
            "components": None,
            "parts": None,  # where the occupation maps to several codes: each code's own figure
            "summed_value": None,
            "summed_label": None,
            "note": None,
        }
        if not links:
            row["note"] = (
                "no crosswalk links the 1990s OES codes to SOC"
                if "oes-1990s" in (release_system, start.system)
                else f"no code in this release maps to {start.code} ({start.system})"
            )
        elif len(links) == 1:
            link = links[0]
            value, status = entry["figures"][link.code]
            row.update(
                soc_code=link.code,
                title=cls.title(release_system, link.code),
                value=value,
                status=status,
                relationship=link.relationship,
                comparable=link.relationship == "one-to-one",
            )
            if link.relationship == "merge" and start.code not in cls.universe(start.system):
                row["note"] = (
                    f"{start.code} ({start.system}) is published only combined, within {link.code} "
                    f"({cls.title(release_system, link.code)}): the figure is for the combination"
                )
            elif link.relationship != "one-to-one":
                row["note"] = (
                    f"{start.code} ({start.system}) and {link.code} ({release_system}) are "
                    f"{link.relationship}: not the same occupation definition"
                )
        else:
            codes = [link.code for link in links]
            row.update(
                soc_code=", ".join(codes),
                title="; ".join(cls.title(release_system, c) for c in codes),
                relationship="; ".join(f"{link.code}: {link.relationship}" for link in links),
                components="; ".join(_component(link.code, *entry["figures"][link.code]) for link in links),
                parts=[
                    {
                        "soc_code": link.code,
                        "relationship": link.relationship,
                        "value": entry["figures"][link.code][0],
                        "status": entry["figures"][link.code][1],
                    }
                    for link in links
                ],
                note=f"{start.code} ({start.system}) maps to {len(codes)} codes here; no single figure",
            )
            if measure == "employment":
                row.update(_summed(cls, start, release_system, codes, entry["figures"]))
        rows.append(row)
    return rows


_EMPTY: dict[str, Any] = {
    "release": None,
    "dataset": None,
    "ref_year": None,
    "soc_system": None,
    "soc_code": None,
    "title": None,
    "value": None,
    "status": None,
    "comparable": False,
    "relationship": None,
    "components": None,
    "summed_value": None,
    "summed_label": None,
    "note": None,
}


def _published_total(
    cls: Classification, start: Anchor, label: str, year: int, system: str, figures: dict[str, tuple[Any, str]]
) -> dict[str, Any]:
    """A total or group code: BLS's own published figure for that code, never a sum of code lists.

    The group's content follows the release's classification; `comparable` says whether it is the
    anchor's (00-0000, all occupations, always is).
    """
    row = {**_EMPTY, "release": label, "ref_year": year, "soc_system": system}
    if start.code not in figures:
        row["note"] = f"{label} publishes no {start.code}"
        return row
    value, status = figures[start.code]
    if start.code == "00-0000" or ((start.system, start.code) == (system, start.code) and system == start.system):
        rel = "one-to-one"
    else:
        rel = (
            cls.relationship(start.system, start.code, system, start.code) if cls.members(system, start.code) else None
        )
    row.update(
        soc_code=start.code,
        title=cls.title(system, start.code),
        value=value,
        status=status,
        relationship=rel,
        comparable=rel == "one-to-one",
    )
    if rel != "one-to-one":
        row["note"] = (
            f"BLS's published figure for {start.code} as {system} defines it; the group's content differs from "
            f"{start.code} in {start.system} ({rel or 'not comparable'}: SOC revisions moved occupations in or out)"
        )
    return row


def _component(code: str, value: Any, status: str) -> str:
    shown = "" if value is None else (str(int(value)) if isinstance(value, int) else str(value))
    return f"{code}={shown} ({status})" if shown else f"{code} ({status})"


def _summed(
    cls: Classification, start: Anchor, system: str, codes: list[str], figures: dict[str, tuple[Any, str]]
) -> dict[str, Any]:
    """Employment of the parts, summed, only when together they are exactly the anchor's definition."""
    if any(figures[c][1] != "estimate" for c in codes):
        return {}
    union = frozenset().union(*(cls.members(system, c) or frozenset() for c in codes))
    anchor_members = cls.members(start.system, start.code) or frozenset()
    ref_a, ref_b = layout.BY_NAME[start.system].reference, layout.BY_NAME[system].reference
    if ref_a is None or ref_b is None:
        return {}
    rel = set_relationship(
        anchor_members, union, cls.translate(anchor_members, ref_a, ref_b), cls.translate(union, ref_b, ref_a)
    )
    if rel != "one-to-one":
        return {}
    total = sum((Decimal(figures[c][0]) for c in codes), Decimal(0))
    return {
        "summed_value": int(total),
        "summed_label": f"sum of {' + '.join(codes)}: together exactly {start.code} ({start.system})",
    }
