"""Occupations across classifications: which reference codes each published code covers, how codes of
two systems relate, and the chain an occupation follows release by release.

Every published code of every system is reduced to the set of *reference* codes it covers: the
detailed codes of SOC 2000, 2010 or 2018 as BLS's crosswalks list them. A plain code covers
itself, a group code published as a line item covers the detailed codes under it, a hybrid or a
BLS-combined code covers its components: as BLS's published hybrid structures list them
(soc_hybrid_structure) and, where BLS published nothing, as inferred and declared in
sources/soc/layout.py. Two codes relate through the BLS crosswalks between their reference
systems, except across a hybrid BLS published a structure for: there the structure's other side
says which codes each hybrid code was built from (BLS ignored some crosswalk lines, e.g. SOC 2000
carpenters feeding 2010's solar installers). The relationship is decided on those sets in both
directions:

- one-to-one: each side translates exactly to the other (the definition did not change);
- split: the later code comes entirely from the earlier one, which covers more;
- merge: the earlier code goes entirely into the later one, which covers more;
- many-to-many: they overlap, and each also holds something of other codes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from occstats.sources.soc import layout
from occstats.sources.soc.layout import clean_title

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

    def __init__(
        self,
        bls_pairs: list[dict[str, Any]],
        usage: dict[tuple[str, str], Usage] | None = None,
        structure: list[dict[str, Any]] | None = None,
    ) -> None:
        self.usage = usage or {}
        # hybrid system -> code -> reference system -> component codes, as BLS published them
        self.structure: dict[str, dict[str, dict[str, set[str]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(set))
        )
        self.structure_files: dict[str, tuple[str, str]] = {}
        self.structure_titles: dict[tuple[str, str], str] = {}
        self.structure_notes: dict[tuple[str, str], set[str]] = defaultdict(set)
        for row in structure or ():
            system, code = row["hybrid_system"], row["hybrid_code"]
            self.structure_files[system] = (row["source_file"], row["source_sha256"])
            self.structure_titles.setdefault((system, code), row["hybrid_title"] or "")
            if row.get("bls_relationship"):
                self.structure_notes[(system, code)].add(row["bls_relationship"])
            if row["component_system"] in REFERENCES:
                self.structure[system][code][row["component_system"]].add(row["component_code"])
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
        self._sides: dict[tuple[str, str], dict[str, frozenset[str]]] = {}
        self._containing: dict[str, dict[str, set[str]]] = {}
        self._universe: dict[str, frozenset[str]] = {}
        self._by_side: dict[tuple[str, str], dict[str, set[str]]] = {}

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

    def published(self, system: str, code: str) -> bool:
        """Whether BLS published the code's structure (else its components, if any, are inferred)."""
        return bool(self.sides(system, code))

    def sides(self, system: str, code: str) -> dict[str, frozenset[str]]:
        """reference system -> the reference codes BLS's structure says the code was built from."""
        key = (system, code)
        if key not in self._sides:
            found: dict[str, frozenset[str]] = {}
            for ref, components in self.structure.get(system, {}).get(code, {}).items():
                resolved = frozenset(c for comp in components for c in self._component(ref, comp))
                if resolved:
                    found[ref] = resolved
            self._sides[key] = found
        return self._sides[key]

    def _component(self, ref: str, code: str) -> frozenset[str]:
        """A component as BLS lists it, in reference codes (OES-only codes like 25-3098 resolve)."""
        if code in self.reference.get(ref, set()):
            return frozenset({code})
        declared = self._declared.get((ref, code))
        return frozenset(declared.components) if declared else frozenset()

    def unresolved_components(self) -> list[tuple[str, str, str, str]]:
        """(hybrid system, code, reference, component) BLS lists that no reference code stands for."""
        return sorted(
            (system, code, ref, comp)
            for system, codes in self.structure.items()
            for code, sides in codes.items()
            for ref, comps in sides.items()
            if ref in self.available
            for comp in comps
            if not self._component(ref, comp)
        )

    def _resolve(self, system: str, code: str) -> frozenset[str] | None:
        ref = layout.BY_NAME[system].reference
        if ref is None:
            return frozenset({code})  # self-defined (1990s OES codes): covers itself, links nowhere
        published = self.sides(system, code).get(ref)
        if published:
            return published
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
        if self.structure.get(system):
            # BLS published the release's codes: they are the universe (inferred ones kept only if absent)
            codes |= set(self.structure[system])
        elif spec.reference is not None:
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

    def image(self, system: str, code: str, ref: str) -> frozenset[str]:
        """The reference codes of `ref` a code stands for: a published side directly, else via crosswalks."""
        own = layout.BY_NAME[system].reference
        sides = self.sides(system, code)
        if ref in sides:
            return sides[ref]
        if sides:
            near = min(sides, key=lambda r: abs(REFERENCES.index(r) - REFERENCES.index(ref)))
            return self.translate(sides[near], near, ref)
        members = self.members(system, code)
        return self.translate(members, own, ref) if members and own else frozenset()

    def _side_index(self, system: str, ref: str) -> dict[str, set[str]]:
        """reference code of `ref` -> the system's codes whose published `ref` side holds it."""
        key = (system, ref)
        if key not in self._by_side:
            index: dict[str, set[str]] = defaultdict(set)
            for code in self.structure.get(system, {}):
                for c in self.sides(system, code).get(ref, ()):
                    index[c].add(code)
            self._by_side[key] = index
        return self._by_side[key]

    def toward(self, sys_a: str, code_a: str, sys_b: str) -> frozenset[str]:
        """code_a in the reference codes of sys_b, through BLS's structure where sys_b has one."""
        ref_a, ref_b = layout.BY_NAME[sys_a].reference, layout.BY_NAME[sys_b].reference
        assert ref_a is not None and ref_b is not None
        if ref_a == ref_b or ref_b in self.sides(sys_a, code_a) or not self.structure.get(sys_b):
            return self.image(sys_a, code_a, ref_b)
        distance = {r: abs(REFERENCES.index(r) - REFERENCES.index(ref_a)) for r in REFERENCES}
        others = {r for sides in self.structure[sys_b].values() for r in sides} - {ref_b}
        others = {r for r in others if r in self.available and distance[r] < distance[ref_b]}
        if not others:
            return self.image(sys_a, code_a, ref_b)
        other = min(others, key=distance.__getitem__)
        index = self._side_index(sys_b, other)
        found: set[str] = set()
        for c in self.image(sys_a, code_a, other):
            for code in index.get(c, ()):
                found |= self.members(sys_b, code) or frozenset()
        # codes of sys_b BLS published no structure for (inferred ones) still relate through the crosswalks
        covered = {c for code in self.structure[sys_b] for c in self.members(sys_b, code) or ()}
        found |= self.image(sys_a, code_a, ref_b) - covered
        return frozenset(found)

    def relationship(self, sys_a: str, code_a: str, sys_b: str, code_b: str) -> str | None:
        """How code_a (earlier) relates to code_b (later); None when they share nothing."""
        ref_a, ref_b = layout.BY_NAME[sys_a].reference, layout.BY_NAME[sys_b].reference
        if ref_a is None or ref_b is None:
            return "one-to-one" if (sys_a, code_a) == (sys_b, code_b) else None
        a, b = self.members(sys_a, code_a), self.members(sys_b, code_b)
        if not a or not b:
            return None
        forward, backward = self.toward(sys_a, code_a, sys_b), self.toward(sys_b, code_b, sys_a)
        return set_relationship(a, b, forward, backward)

    def source(self, sys_a: str, code_a: str, sys_b: str, code_b: str) -> str:
        """Which file a link between two codes rests on: BLS's structure, a crosswalk, or the inference."""
        for system, code in ((sys_a, code_a), (sys_b, code_b)):
            if system in self.structure_files and self.published(system, code):
                return self.structure_files[system][0]
        for system, code in ((sys_a, code_a), (sys_b, code_b)):
            if (system, code) in self._declared:
                return "inferred: declared in src/occstats/sources/soc/layout.py"
        ends = sorted(
            REFERENCES.index(r) for r in (layout.BY_NAME[sys_a].reference, layout.BY_NAME[sys_b].reference) if r
        )
        between = set(REFERENCES[ends[0] : ends[-1] + 1]) if ends else set()
        files = sorted({f for key, f in self.crosswalk_files.items() if set(key) <= between})
        return ", ".join(files)

    def links(self, sys_a: str, code_a: str, sys_b: str) -> list[Link]:
        """Codes of sys_b that relate to code_a, each with its relationship."""
        ref_a, ref_b = layout.BY_NAME[sys_a].reference, layout.BY_NAME[sys_b].reference
        if ref_a is None or ref_b is None:
            return [Link(sys_b, code_a, "one-to-one")] if sys_a == sys_b else []
        a = self.members(sys_a, code_a)
        if not a:
            return []
        targets = self.toward(sys_a, code_a, sys_b)
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
        if (system, code) in self.structure_titles:
            return self.structure_titles[(system, code)]
        declared = self._declared.get((system, code))
        if declared is not None:
            return declared.title
        ref = layout.BY_NAME[system].reference
        return self.reference_titles.get((ref, code), "") if ref else ""

    def releases(self, system: str, code: str) -> list[str]:
        use = self.usage.get((system, code))
        return list(use.releases) if use else []

    def systems_with(self, code: str) -> list[str]:
        return [
            s
            for s in layout.SYSTEM_ORDER
            if code in self.universe(s) or (s, code) in self.usage or (s in REFERENCES and code in self.reference[s])
        ]


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
        kind, wanted = "occ_level", "detailed"
    elif "occ_type" in names:
        kind, wanted = "occ_type", "line_item"
    else:
        return None

    def plain(name: str) -> pa.ChunkedArray:  # a parser may hand strings over dictionary-encoded
        column = data.column(name)
        return column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column

    systems = set(pc.unique(plain("soc_system")).to_pylist())  # columnar: the time series has 4 M rows
    if len(systems) != 1:
        return None
    system = systems.pop()
    detailed = pc.filter(plain("soc_code"), pc.equal(plain(kind), wanted))
    codes = sorted(pc.unique(detailed).to_pylist())
    if layout.BY_NAME[system].reference is not None and not cls.has_reference(system):
        return system, 0, len(codes), []
    missing = [c for c in codes if cls.members(system, c) is None]
    return system, len(codes) - len(missing), len(codes), missing
