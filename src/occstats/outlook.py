"""BLS's job-outlook wording ("Much faster than average" …), as data, with where each rule comes from.

The OOH describes an occupation's projected percent change in words that compare it with the
average growth of all occupations in the same projection cycle. Up to the 2010-11 edition BLS
printed the bands as a fixed table per edition ("Key phrases in the Handbook"); from the 2012
redesign on, the OOH states only that the wording compares the occupation's growth with "the average
growth rate for all occupations" and prints that average per edition. So:

- cycles with a published table use it (whole percents, as the Handbook compares them);
- later cycles use the same bands scaled to the cycle's own all-occupations growth, read from the
  cycle's workbook (its 00-0000 row). Those band edges are occstats' scaling, not a BLS table, and
  every card that uses them says so (`rule_kind: "scaled"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class OutlookRule:
    name: str
    cycles: tuple[int, ...] | None  # base years the rule applies to; None: every other cycle
    kind: str  # "published" (a BLS table) or "scaled" (a BLS table scaled to the cycle's average)
    # (wording, lower edge) from the top down; the first band whose edge the change reaches wins.
    # Published: the edge is a whole percent. Scaled: (multiple of the average, plus percentage points).
    bands: tuple[tuple[str, object], ...]
    source: str


PUBLISHED_2008_18 = OutlookRule(
    name="ooh-2010-11-key-phrases",
    cycles=(2008,),
    kind="published",
    bands=(
        ("Much faster than average", 20),
        ("Faster than average", 14),
        ("About as fast as average", 7),
        ("More slowly than average", 3),
        ("Little or no change", -2),
        ("Decline slowly or moderately", -9),
        ("Decline rapidly", None),
    ),
    source=(
        "Occupational Outlook Handbook, 2010-11 Edition, 'Key phrases in the Handbook', changing employment "
        "between 2008 and 2018 (http://www.bls.gov/oco/oco20016.htm; text as reproduced at "
        "http://www.healthguideusa.mobi/careers/key_phrases.htm). The 2008-09 edition's table for 2006-16 has "
        "the same structure: https://webarchive.library.unt.edu/eot2008/20080917062239/"
        "http:/www.bls.gov/oco/oco20016.htm"
    ),
)

SCALED = OutlookRule(
    name="scaled-to-all-occupations-growth",
    cycles=None,
    kind="scaled",
    bands=(
        ("Much faster than average", (Decimal("2.0"), Decimal(0))),
        ("Faster than average", (Decimal("1.3"), Decimal(0))),
        ("As fast as average", (Decimal("0.7"), Decimal(0))),
        ("Slower than average", (Decimal(0), Decimal(1))),
        ("Little or no change", (Decimal(0), Decimal(-1))),
        ("Decline", None),
    ),
    source=(
        "https://www.bls.gov/ooh/about/occupational-information-included-in-the-ooh.htm: Job Outlook is the "
        "projected percent change, described against the average growth rate for all occupations of the cycle. "
        "Band edges: the 2008-18 key-phrase table (about as fast = 7-13% around a 10.1% average, much faster = "
        "20%+, about twice the average) scaled to the cycle's all-occupations growth by occstats; not a BLS table"
    ),
)

RULES: tuple[OutlookRule, ...] = (PUBLISHED_2008_18, SCALED)


def rule_for(base_year: int) -> OutlookRule:
    for rule in RULES:
        if rule.cycles is None or base_year in rule.cycles:
            return rule
    raise LookupError(base_year)  # unreachable: SCALED applies to every cycle


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def wording(change_pct: Decimal, all_occupations_pct: Decimal | None, base_year: int) -> dict[str, object] | None:
    """The wording for a projected percent change, with the rule, its kind and source; None if undecidable."""
    rule = rule_for(base_year)
    if rule.kind == "scaled" and all_occupations_pct is None:
        return None
    for words, edge in rule.bands:
        if edge is None:
            reached = True
        elif rule.kind == "published":
            reached = _whole(change_pct) >= Decimal(edge)  # type: ignore[arg-type]
        else:
            multiple, points = edge  # type: ignore[misc]
            reached = change_pct >= multiple * all_occupations_pct + points  # type: ignore[operator]
        if reached:
            return {
                "wording": words,
                "all_occupations_growth_pct": all_occupations_pct,
                "rule": rule.name,
                "rule_kind": rule.kind,
                "rule_source": rule.source,
            }
    return None
