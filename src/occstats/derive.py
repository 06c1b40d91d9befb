"""Tables computed from other curated tables, rebuilt after any product writes.

- soc_codes: every code of every classification, from the BLS crosswalks, the declared hybrid and
  combined codes, and the curated releases (titles, levels, where each code appears);
- soc_crosswalk, derived part: consecutive systems through the transition hybrids;
- ooh_quickfacts: the OOH quick-facts box, from ep_projections and the OES tables.

Writes go through the same content-compared store writes, so rebuilding from unchanged inputs
writes no version.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from occstats import schema
from occstats.classification import Classification, parent_candidates, structural_level
from occstats.lineage import from_store
from occstats.ooh import quickfacts
from occstats.sources.soc import layout
from occstats.store import Store

log = logging.getLogger("occstats.progress")

LAYOUT_FILE = Path(layout.__file__)
# the declarations' path in the repository, as cited in the rows derived from them
LAYOUT_PATH = "src/occstats/" + LAYOUT_FILE.relative_to(LAYOUT_FILE.parents[2]).as_posix()
DERIVED_CROSSWALKS = (
    ("soc-2000", "soc-2000-2010-hybrid"),
    ("soc-2000-2010-hybrid", "soc-2010"),
    ("soc-2010", "soc-2010-2018-hybrid"),
    ("soc-2010-2018-hybrid", "soc-2018"),
)


def layout_sha256() -> str:
    return hashlib.sha256(LAYOUT_FILE.read_bytes()).hexdigest()


def soc_codes(cls: Classification) -> pa.Table:
    declared = {(s.name, d.code) for s in layout.SYSTEMS for d in s.declared}
    records = []
    for system in layout.SYSTEM_ORDER:
        spec = layout.BY_NAME[system]
        used = {code for (sys_, code) in cls.usage if sys_ == system}
        codes = cls.universe(system) | used if (cls.has_reference(system) or used) else set()
        if system == spec.reference:
            # every code of a reference classification, including those OES publishes only combined
            codes |= cls.reference.get(system, set())
        for code in sorted(codes):
            use = cls.usage.get((system, code))
            if spec.reference is None and use:
                level = next((lvl for lvl in ("major", "minor", "broad", "detailed") if lvl in use.levels), "detailed")
            else:
                level = structural_level(code)
            parent = next((p for p in parent_candidates(code) if p in codes), None)
            if cls.published(system, code):
                source = f"BLS OES hybrid structure {cls.structure_files[system][0]}"
            elif (system, code) in declared:
                inferred = "inferred: " if system.endswith("hybrid") else ""
                source = f"{inferred}declared in {LAYOUT_PATH} ({spec.documented})"
            elif spec.reference is not None and code in cls.reference.get(spec.reference, set()):
                files = sorted({f for key, f in cls.crosswalk_files.items() if spec.reference in key})
                source = "BLS crosswalk " + ", ".join(files)
            else:
                source = "curated releases" if use else "derived"
            records.append(
                {
                    "soc_system": system,
                    "soc_code": code,
                    "title": cls.title(system, code) or code,
                    "level": level,
                    "parent_code": parent,
                    "appears_in": use.releases if use else [],
                    "code_source": source,
                }
            )
    return schema.to_arrow(records, schema.SOC_CODES)


def derived_crosswalk(cls: Classification) -> pa.Table | None:
    sha = layout_sha256()
    notes = {(s.name, d.code): d.note for s in layout.SYSTEMS for d in s.declared}
    records = []
    for from_system, to_system in DERIVED_CROSSWALKS:
        if not (cls.has_reference(from_system) and cls.has_reference(to_system)):
            continue
        source = (
            f"derived: {from_system} to {to_system} through the BLS crosswalks and the codes declared in {LAYOUT_PATH}"
        )
        hybrid = from_system if from_system.endswith("hybrid") else to_system
        for code in sorted(cls.universe(from_system)):
            for link in cls.links(from_system, code, to_system):
                hybrid_code = code if hybrid == from_system else link.code
                if cls.published(hybrid, hybrid_code):
                    file, file_sha = cls.structure_files[hybrid]
                    bls_notes = sorted(cls.structure_notes.get((hybrid, hybrid_code), ()))
                    row_source = (
                        f"derived: {from_system} to {to_system} from the BLS OES hybrid structure ({file}) "
                        "and the BLS crosswalks"
                    )
                    note = "; ".join(bls_notes) or None
                else:
                    file, file_sha, row_source = LAYOUT_PATH, sha, "inferred: " + source
                    note = notes.get((from_system, code)) or notes.get((to_system, link.code))
                records.append(
                    {
                        "from_system": from_system,
                        "from_code": code,
                        "from_title": cls.title(from_system, code),
                        "to_system": to_system,
                        "to_code": link.code,
                        "to_title": cls.title(to_system, link.code),
                        "relationship": link.relationship,
                        "mapping_source": row_source,
                        "mapping_note": note,
                        "source_sha256": file_sha,
                        "source_file": file,
                    }
                )
    return schema.to_arrow(records, schema.SOC_CROSSWALK) if records else None


Builder = Callable[[Store, Classification], dict[str, pa.Table]]


def _classification_tables(store: Store, cls: Classification) -> dict[str, pa.Table]:
    tables = {"soc_codes": soc_codes(cls)}
    crosswalk = derived_crosswalk(cls)
    if crosswalk is not None:
        tables["soc_crosswalk"] = crosswalk
    return tables


def _quickfacts(store: Store, cls: Classification) -> dict[str, pa.Table]:
    table = quickfacts(store, cls)
    return {"ooh_quickfacts": table} if table is not None else {}


BUILDERS: list[Builder] = [_classification_tables, _quickfacts]
# the tables only these builders write: a run rebuilds them when one is missing
DERIVED = (schema.SOC_CODES, schema.OOH_QUICKFACTS)


def rebuild(store: Store, metadata: dict[str, Any]) -> dict[str, int]:
    """Rebuild every derived table; write those whose content changed. Returns versions written."""
    cls = from_store(store)
    versions: dict[str, int] = {}
    with store.lock():
        for builder in BUILDERS:
            for name, data in builder(store, cls).items():
                if data.num_rows == 0:
                    continue
                version, changes = store.write(schema.table(name), [data], {**metadata, "derived": True})
                if version is not None:
                    versions[name] = version
                    log.info("      derived %s: %d release(s) changed, version %d", name, len(changes), version)
    return versions
