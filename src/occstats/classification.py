"""Occupations across classifications: which reference codes each published code covers, how codes of
two systems relate, and the chain an occupation follows release by release.

Every published code of every system is reduced to the set of *reference* codes it covers: the
detailed codes of SOC 2000, 2010 or 2018 as BLS's crosswalks list them. A plain code covers
itself, a group code published as a line item covers the detailed codes under it, a hybrid or a
BLS-combined code covers its declared components (sources/soc/layout.py). Two codes relate
through the BLS crosswalks between their reference systems, and the relationship is decided on
those sets in both directions:

- one-to-one: each side translates exactly to the other (the definition did not change);
- split: the later code comes entirely from the earlier one, which covers more;
- merge: the earlier code goes entirely into the later one, which covers more;
- many-to-many: they overlap, and each also holds something of other codes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from occstats.sources.soc import layout
from occstats.sources.soc.parser import clean_title

REFERENCES = ("soc-2000", "soc-2010", "soc-2018")


@dataclass
class Usage:
    """How the curated releases use one (system, code)."""

    titles: dict[str, str] = field(default_factory=dict)  # release label -> title as published
    levels: set[str] = field(default_factory=set)
    releases: list[str] = field(default_factory=list)
    detailed: bool = False  # published as a detailed occupation / EP line item somewhere


@dataclass(frozen=True)
class Link:
    system: str
    code: str
    relationship: str


class Classification:
    """The systems, built from the BLS crosswalk pairs, the declarations and (optionally) usage."""

    def __init__(self, bls_pairs: list[dict[str, Any]], usage: dict[tuple[str, str], Usage] | None = None) -> None:
        self.usage = usage or {}
        self.forward: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.reference: dict[str, set[str]] = {r: set() for r in REFERENCES}
        self.reference_titles: dict[tuple[str, str], str] = {}
        self.crosswalk_files: dict[tuple[str, str], str] = {}
        for pair in bls_pairs:
            key = (pair["from_system"], pair["to_system"])
            self.forward[key][pair["from_code"]].add(pair["to_code"])
            self.forward[(key[1], key[0])][pair["to_code"]].add(pair["from_code"])
            self.reference[pair["from_system"]].add(pair["from_code"])
            self.reference[pair["to_system"]].add(pair["to_code"])
            self.reference_titles.setdefault((pair["from_system"], pair["from_code"]), pair["from_title"] or "")
            self.reference_titles.setdefault((pair["to_system"], pair["to_code"]), pair["to_title"] or "")
            self.crosswalk_files[key] = pair.get("source_file", "")
        self.available = {r for r, codes in self.reference.items() if codes}
        self._declared = {(s.name, d.code): d for s in layout.SYSTEMS for d in s.declared}
        self._members: dict[tuple[str, str], frozenset[str] | None] = {}
        self._containing: dict[str, dict[str, set[str]]] = {}
        self._universe: dict[str, frozenset[str]] = {}

    # -- what a code covers ----------------------------------------------------------------------
    def has_reference(self, system: str) -> bool:
        ref = layout.BY_NAME[system].reference
        return ref is not None and ref in self.available

    def members(self, system: str, code: str) -> frozenset[str] | None:
        """The reference codes a published code covers; None where it resolves to nothing."""
        key = (system, code)
        if key not in self._members:
            self._members[key] = self._resolve(system, code)
        return self._members[key]

    def _resolve(self, system: str, code: str) -> frozenset[str] | None:
        ref = layout.BY_NAME[system].reference
        if ref is None:
            return frozenset({code})  # self-defined (1990s OES codes): covers itself, links nowhere
        declared = self._declared.get((system, code))
        if declared is not None:
            return frozenset(declared.components)
        codes = self.reference.get(ref, set())
        if code in codes:
            return frozenset({code})
        prefix = group_prefix(code)
        if prefix is not None:
            under = frozenset(c for c in codes if c.startswith(prefix))
            return under or None
        return None

    def universe(self, system: str) -> frozenset[str]:
        """The codes a system's releases can publish at the detailed level (computed once per system)."""
        if system not in self._universe:
            self._universe[system] = frozenset(self._build_universe(system))
        return self._universe[system]

    def _build_universe(self, system: str) -> set[str]:
        spec = layout.BY_NAME[system]
        declared = {d.code for d in spec.declared}
        codes: set[str] = set(declared)
        if spec.reference is not None:
            replaced = (
                {c for d in spec.declared for c in d.components} - declared
                if system.endswith("hybrid") or system == "soc-2018"
                else set()
            )
            codes |= self.reference.get(spec.reference, set()) - replaced
        codes |= {code for (sys_, code), use in self.usage.items() if sys_ == system and use.detailed}
        return codes

    def containing(self, system: str) -> dict[str, set[str]]:
        """reference code -> the system's published codes that cover it."""
        if system not in self._containing:
            index: dict[str, set[str]] = defaultdict(set)
            for code in self.universe(system):
                for ref_code in self.members(system, code) or ():
                    index[ref_code].add(code)
            self._containing[system] = index
        return self._containing[system]

    # -- relating codes ----------------------------------------------------------------------------
    def translate(self, codes: frozenset[str], from_ref: str, to_ref: str) -> frozenset[str]:
        """Reference codes of one BLS classification to another through the BLS crosswalks."""
        order = list(REFERENCES)
        i, j = order.index(from_ref), order.index(to_ref)
        step = 1 if j > i else -1
        current = set(codes)
        for k in range(i, j, step):
            mapping = self.forward.get((order[k], order[k + step]), {})
            current = {t for c in current for t in mapping.get(c, ())}
        return frozenset(current)

    def relationship(self, sys_a: str, code_a: str, sys_b: str, code_b: str) -> str | None:
        """How code_a (earlier) relates to code_b (later); None when they share nothing."""
        ref_a, ref_b = layout.BY_NAME[sys_a].reference, layout.BY_NAME[sys_b].reference
        if ref_a is None or ref_b is None:
            return "one-to-one" if (sys_a, code_a) == (sys_b, code_b) else None
        a, b = self.members(sys_a, code_a), self.members(sys_b, code_b)
        if not a or not b:
            return None
        forward, backward = self.translate(a, ref_a, ref_b), self.translate(b, ref_b, ref_a)
        return set_relationship(a, b, forward, backward)

    def links(self, sys_a: str, code_a: str, sys_b: str) -> list[Link]:
        """Codes of sys_b that relate to code_a, each with its relationship."""
        ref_a, ref_b = layout.BY_NAME[sys_a].reference, layout.BY_NAME[sys_b].reference
        if ref_a is None or ref_b is None:
            return [Link(sys_b, code_a, "one-to-one")] if sys_a == sys_b else []
        a = self.members(sys_a, code_a)
        if not a:
            return []
        targets = self.translate(a, ref_a, ref_b)
        index = self.containing(sys_b)
        candidates = {code for ref_code in targets for code in index.get(ref_code, ())}
        found = []
        for code in sorted(candidates):
            rel = self.relationship(sys_a, code_a, sys_b, code)
            if rel is not None:
                found.append(Link(sys_b, code, rel))
        return found

    def title(self, system: str, code: str) -> str:
        use = self.usage.get((system, code))
        if use and use.titles:
            return clean_title(list(use.titles.values())[-1])
        declared = self._declared.get((system, code))
        if declared is not None:
            return declared.title
        ref = layout.BY_NAME[system].reference
        return self.reference_titles.get((ref, code), "") if ref else ""

    def releases(self, system: str, code: str) -> list[str]:
        use = self.usage.get((system, code))
        return list(use.releases) if use else []

    def systems_with(self, code: str) -> list[str]:
        return [s for s in layout.SYSTEM_ORDER if code in self.universe(s) or (s, code) in self.usage]


def set_relationship(
    a: frozenset[str], b: frozenset[str], forward: frozenset[str], backward: frozenset[str]
) -> str | None:
    """The relationship of a to b, given each translated into the other's reference codes."""
    if not (forward & b):
        return None
    if forward == b and backward == a:
        return "one-to-one"
    if b <= forward and backward <= a:
        return "split"
    if forward <= b and a <= backward:
        return "merge"
    return "many-to-many"


def group_prefix(code: str) -> str | None:
    """'29-0000' -> '29-', '25-1000' -> '25-1', '29-1060' -> '29-106'; None for a detailed code."""
    if len(code) != 7 or code[2] != "-":
        return None
    if code == "00-0000":
        return ""
    digits = code[3:]
    if digits == "0000":
        return code[:3]
    if digits.endswith("000"):
        return code[:4]
    if digits.endswith("0") and not digits.endswith("00"):
        return code[:6]
    return None


def structural_level(code: str) -> str:
    if code == "00-0000":
        return "total"
    if len(code) == 5:  # 1990s OES codes: their level comes from the release, not the code
        return "detailed"
    digits = code[3:]
    if digits == "0000":
        return "major"
    if digits.endswith("000"):
        return "minor"
    if digits.endswith("0") and not digits.endswith("00"):
        return "broad"
    return "detailed"


def parent_candidates(code: str) -> list[str]:
    """Codes one level up, nearest first (the first that exists in the system is the parent)."""
    if len(code) == 5 and code.isdigit():  # 13002 -> 13000 -> 10000
        found = []
        if not code.endswith("000"):
            found.append(code[:2] + "000")
        if not code.endswith("0000"):
            found.append(code[0] + "0000")
        return found
    level = structural_level(code)
    chain = {
        "detailed": [code[:6] + "0", code[:4] + "000", code[:3] + "0000"],
        "broad": [code[:4] + "000", code[:3] + "0000"],
        "minor": [code[:3] + "0000"],
        "major": ["00-0000"],
    }.get(level, [])
    return [c for c in chain if c != code]


def codes_in_system(cls: Classification, data: Any) -> tuple[str, int, int, list[str]] | None:
    """(system, found, total, missing) for a release's detailed codes; None for tables without codes.

    Detailed means an OES detailed occupation or an EP line item.
    """
    names = set(data.column_names)
    if not {"soc_code", "soc_system"} <= names:
        return None
    if "occ_level" in names:
        kinds, wanted = data.column("occ_level").to_pylist(), "detailed"
    elif "occ_type" in names:
        kinds, wanted = data.column("occ_type").to_pylist(), "line_item"
    else:
        return None
    systems = set(data.column("soc_system").to_pylist())
    if len(systems) != 1:
        return None
    system = systems.pop()
    codes = sorted({c for c, k in zip(data.column("soc_code").to_pylist(), kinds, strict=True) if k == wanted})
    if layout.BY_NAME[system].reference is not None and not cls.has_reference(system):
        return system, 0, len(codes), []
    missing = [c for c in codes if cls.members(system, c) is None]
    return system, len(codes) - len(missing), len(codes), missing
