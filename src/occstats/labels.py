"""Release labels for people, one formatter for every command, table column and message.

A release is named the way BLS names it: "OES May 2019" (the fourth-quarter surveys up to 2001
carry no month: "OES 1997"; "OES Nov 2002"), "EP 2024-34" (BLS's own "2024-34" for a projection
cycle), "SOC 2010 to 2018" (a crosswalk). Summaries of several releases keep the same words:
"OES 1997, May 2004-2005, 2007; EP 2008-18, 2024-34".

Everything that prints a release (parsers' ParsedRelease.label, run outcomes, `tables`, `history`,
`lineage`, `series`, the OOH quick facts) goes through here, so the labels cannot drift apart
again. `summarize` reads back only what this module writes.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from typing import Any

_UNSET: Any = object()
_OES = re.compile(r"OES (?:(?P<month>[A-Z][a-z]{2}) )?(?P<year>\d{4})")
_EP = re.compile(r"EP (?P<base>\d{4})-(?P<yy>\d{2})")
_MONTHS = {abbr: n for n, abbr in enumerate(calendar.month_abbr) if abbr}


def oes_month(year: int) -> int | None:
    """The reference month of an OES survey year, from the OES catalog (None: year only)."""
    from occstats.sources.oes.catalog import CATALOG  # the calendar is declared there, as data

    return CATALOG.ref_month(year)


def oes_label(year: int, month: int | None = _UNSET) -> str:
    """'OES May 2019'; the month defaults to the catalog's for that year ('OES 1997' has none)."""
    if month is _UNSET:
        month = oes_month(year)
    return f"OES {calendar.month_abbr[month]} {year}" if month else f"OES {year}"


def cycle(base: int, target: int) -> str:
    """A projection cycle as BLS writes it: 2024, 2034 -> '2024-34'."""
    return f"{base}-{target % 100:02d}"


def ep_label(base: int, target: int) -> str:
    """'EP 2024-34'."""
    return f"EP {cycle(base, target)}"


def soc_label(from_year: int | str, to_year: int | str) -> str:
    """A BLS crosswalk: 'SOC 2010 to 2018'."""
    return f"SOC {from_year} to {to_year}"


def release_label(product: str, release_id: str) -> str:
    """A release named by its raw-store id, as run outcomes carry it: ('oes', '2019') -> 'OES May 2019'.

    Ids that do not have the product's shape ('current', a file name) are shown as they are.
    """
    if product == "oes" and release_id.isdigit():
        return oes_label(int(release_id))
    if product == "oes_timeseries" and release_id.isdigit():
        return f"{oes_label(int(release_id))} time series"
    ep = re.fullmatch(r"(\d{4})-(\d{4})", release_id)
    if product == "ep" and ep:
        return ep_label(int(ep.group(1)), int(ep.group(2)))
    soc = re.fullmatch(r"(\d{4})-to-(\d{4})", release_id)
    if product == "soc" and soc:
        return soc_label(soc.group(1), soc.group(2))
    return f"{product.upper()} {release_id}"


def _year_spans(years: Iterable[int]) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for year in sorted(set(years)):
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return [(a, b) for a, b in spans]


def year_ranges(years: Iterable[int]) -> str:
    """[1997, 2004, 2005, 2007] -> '1997, 2004-2005, 2007'."""
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in _year_spans(years))


def oes_summary(releases: Iterable[tuple[int, int | None]]) -> str:
    """(year, month) pairs -> 'OES 1997, Nov 2002, May 2003-2005, 2007' (a month named where it changes)."""
    by_year = dict(sorted(releases))
    if not by_year:
        return ""
    parts: list[str] = []
    shown: object = _UNSET
    for first, last in _year_spans(by_year):
        # a span runs on only while the month stays the same
        start = first
        for year in range(first, last + 1):
            if year == last or by_year[year + 1] != by_year[year]:
                month = by_year[year]
                text = str(start) if start == year else f"{start}-{year}"
                if month != shown and month is not None:
                    text = f"{calendar.month_abbr[month]} {text}"
                parts.append(text)
                shown, start = month, year + 1
    return "OES " + ", ".join(parts)


def ep_summary(cycles: Iterable[tuple[int, int]]) -> str:
    """[(2008, 2018), (2024, 2034)] -> 'EP 2008-18, 2024-34'."""
    found = sorted(set(cycles))
    return "EP " + ", ".join(cycle(b, t) for b, t in found) if found else ""


def summarize(labels: Sequence[str]) -> str:
    """Labels written by this module -> one line: 'OES May 2004-2005; EP 2008-18'.

    Labels of another shape are listed as they are, after the others.
    """
    oes: dict[int, int | None] = {}
    ep: set[tuple[int, int]] = set()
    other: list[str] = []
    for label in labels:
        if m := _OES.fullmatch(label):
            oes[int(m["year"])] = _MONTHS[m["month"]] if m["month"] else None
        elif m := _EP.fullmatch(label):
            base = int(m["base"])
            target = base // 100 * 100 + int(m["yy"])
            ep.add((base, target if target > base else target + 100))
        elif label not in other:
            other.append(label)
    parts = [oes_summary(oes.items()), ep_summary(ep), *other]
    return "; ".join(p for p in parts if p)


def describe_release_keys(columns: Sequence[str], releases: Sequence[Sequence[Any]]) -> str:
    """A table's release keys (its `release_key` columns' values) for people, in the labels' words.

    OES tables are keyed by (dataset, ref_year), EP-based ones by (base_year, target_year); other
    keys (a classification system, a crosswalk's pair of systems) are listed as they are.
    """
    if not releases:
        return ""
    cols = list(columns)
    if "ref_year" in cols:
        years = {int(r[cols.index("ref_year")]) for r in releases}
        return oes_summary((y, oes_month(y)) for y in years)
    if cols[-2:] == ["base_year", "target_year"]:
        return ep_summary((int(r[-2]), int(r[-1])) for r in releases)
    return ", ".join(" to ".join(str(v) for v in r) for r in sorted(releases, key=lambda r: tuple(map(str, r))))
