"""Parse the BLS SOC crosswalk workbooks (2000 -> 2010, 2010 -> 2018) into soc_crosswalk rows.

The relationship of each pair is BLS's own structure: how many new codes the old code maps to,
and how many old codes the new one receives (the '*'/'(#)' title marks say the same, and are
stripped from the titles).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from occstats import schema
from occstats.archive import read_members
from occstats.cells import parse_text
from occstats.errors import SourceError
from occstats.excel import open_workbook, sheet_rows
from occstats.labels import soc_label
from occstats.sources.base import ParsedRelease
from occstats.sources.soc import layout
from occstats.sources.soc.layout import clean_title

_HEADER = re.compile(layout.CROSSWALK_HEADER, re.IGNORECASE)
_CODE = re.compile(r"^\d{2}-\d{4}$")


def relationship(n_targets: int, n_sources: int) -> str:
    """One pair's relationship from how many codes each side maps to."""
    if n_targets == 1 and n_sources == 1:
        return "one-to-one"
    if n_targets > 1 and n_sources == 1:
        return "split"
    if n_targets == 1:
        return "merge"
    return "many-to-many"


def _locate(path: Path, display_name: str) -> tuple[str, str, list[list[Any]], int, dict[str, int], str]:
    members = read_members(path, display_name=display_name)
    return _locate_in(members, display_name)


def _locate_in(members: list[Any], display_name: str) -> tuple[str, str, list[list[Any]], int, dict[str, int], str]:
    if len(members) != 1:
        raise SourceError(display_name, "holds several files; a SOC crosswalk is a single workbook")
    book = open_workbook(members[0], display_name)
    for sheet in book.sheet_names:
        rows = sheet_rows(book, sheet, display_name)
        for index, row in enumerate(rows[:40]):
            found = {}
            for col, cell in enumerate(row):
                if m := _HEADER.match(" ".join(str(cell).split())):
                    found[f"{m.group(1)}_{m.group(2).lower()}"] = col
            years = sorted({k.split("_")[0] for k in found})
            if len(years) == 2 and len(found) == 4:
                release_id = f"{years[0]}-to-{years[1]}"
                if release_id not in layout.CROSSWALKS:
                    raise SourceError(
                        display_name,
                        f"is a {release_id} crosswalk; occstats knows {', '.join(layout.CROSSWALKS)}",
                        sheet=sheet,
                    )
                return release_id, sheet, rows, index, found, years[0]
    raise SourceError(
        display_name, "has no header naming 'YYYY SOC code' and 'YYYY SOC title' for two years; not a SOC crosswalk"
    )


class SocSource:
    """The BLS SOC crosswalk workbooks and BLS's OES hybrid structures."""

    product = "soc"
    tables = (schema.SOC_CROSSWALK, schema.SOC_HYBRID_STRUCTURE)

    def identify(self, path: Path, *, display_name: str, expected: str | None = None) -> str:
        from occstats.sources.soc import hybrid_structures

        members = read_members(path, display_name=display_name)
        release_id = hybrid_structures.is_structure(path, display_name, members)
        if release_id is None:
            release_id = _locate_in(members, display_name)[0]
        if expected and expected != release_id:
            raise SourceError(display_name, f"is the {release_id} SOC file, not {expected}")
        return release_id

    def parse(self, path: Path, *, sha256: str, display_name: str, release_id: str) -> ParsedRelease:
        if release_id in layout.STRUCTURE_BY_RELEASE:
            from occstats.sources.soc import hybrid_structures

            members = read_members(path, display_name=display_name)
            return hybrid_structures.parse(
                path, members, sha256=sha256, display_name=display_name, release_id=release_id
            )
        found_id, sheet, rows, header, cols, from_year = _locate(path, display_name)
        if found_id != release_id:
            raise SourceError(display_name, f"is the {found_id} crosswalk, not {release_id}", sheet=sheet)
        to_year = release_id.split("-to-")[1]
        from_system, to_system = layout.CROSSWALKS[release_id]
        pairs: dict[tuple[str, str], tuple[str, str]] = {}
        for offset, row in enumerate(rows[header + 1 :]):
            excel_row = header + offset + 2

            def cell(key: str, row: list[Any] = row) -> str:
                index = cols[key]
                return parse_text(row[index]) if index < len(row) else ""

            codes = (cell(f"{from_year}_code"), cell(f"{to_year}_code"))
            if not any(codes):
                continue
            for code in codes:
                if not _CODE.match(code):
                    raise SourceError(display_name, f"row {excel_row}: {code!r} is not a SOC code", sheet=sheet)
            titles = (clean_title(cell(f"{from_year}_title")), clean_title(cell(f"{to_year}_title")))
            pairs.setdefault(codes, titles)  # BLS lists no pair twice; a repeat would add nothing
        if not pairs:
            raise SourceError(display_name, "holds a crosswalk header but no code pairs", sheet=sheet)
        targets: dict[str, set[str]] = defaultdict(set)
        sources: dict[str, set[str]] = defaultdict(set)
        for old, new in pairs:
            targets[old].add(new)
            sources[new].add(old)
        label = f"BLS SOC {from_year} to {to_year} crosswalk ({display_name})"
        records = [
            {
                "from_system": from_system,
                "from_code": old,
                "from_title": titles[0],
                "to_system": to_system,
                "to_code": new,
                "to_title": titles[1],
                "relationship": relationship(len(targets[old]), len(sources[new])),
                "mapping_source": label,
                "mapping_note": None,
                "source_sha256": sha256,
                "source_file": display_name,
            }
            for (old, new), titles in sorted(pairs.items())
        ]
        return ParsedRelease(
            product="soc",
            release_id=release_id,
            label=soc_label(from_year, to_year),
            source_file=display_name,
            tables={"soc_crosswalk": schema.to_arrow(records, schema.SOC_CROSSWALK)},
            facts={"pairs": len(records), "from_codes": len(targets), "to_codes": len(sources)},
        )
