"""Parse BLS's OES hybrid structures (May 2010: SOC 2000/2010; May 2019: SOC 2010/2018) into
soc_hybrid_structure rows: one row per (workbook row, side), so the published pairing survives.

The workbooks list each OES code with the SOC codes it was built from, one component per row
(BLS repeats the OES code "for easy presentation"); the notes column says how ('temp. code and
title', 'Hybrid (code & title)', '2018 SOC broad occupation' ...) and is kept as BLS wrote it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from occstats import schema
from occstats.cells import parse_text
from occstats.errors import SourceError
from occstats.excel import open_workbook, sheet_rows
from occstats.sources.base import ParsedRelease
from occstats.sources.soc import layout
from occstats.sources.soc.layout import clean_title

_CODE = re.compile(r"^\d{2}-\d{4}$")


def _norm(cell: Any) -> str:
    return " ".join(str(cell).split()).lower()


def _columns(row: list[Any], spec: layout.HybridStructure) -> dict[str, int] | None:
    """Header -> column for one candidate header row; None unless every header is there."""
    found = {_norm(cell): i for i, cell in enumerate(row) if _norm(cell)}
    wanted = [spec.code_header, spec.title_header, spec.note_header]
    wanted += [h for _, code, title in spec.sides for h in (code, title) if h]
    if not all(_norm(h) in found for h in wanted):
        return None
    return {h: found[_norm(h)] for h in wanted}


def locate(path: Path, display_name: str, members: list[Any]) -> tuple[layout.HybridStructure, str, list, int, dict]:
    if len(members) != 1:
        raise SourceError(display_name, "holds several files; a hybrid structure is a single workbook")
    book = open_workbook(members[0], display_name)
    for sheet in book.sheet_names:
        rows = sheet_rows(book, sheet, display_name)
        for index, row in enumerate(rows[:40]):
            for spec in layout.HYBRID_STRUCTURES:
                cols = _columns(row, spec)
                if cols is not None:
                    return spec, sheet, rows, index, cols
    raise SourceError(
        display_name,
        "has no header naming an OES hybrid structure's columns (e.g. 'OES 2019 Estimates Code', "
        "'2018 SOC Code', ... or 'OES 2010 code', '2010 SOCs', '2000 SOCs')",
    )


def is_structure(path: Path, display_name: str, members: list[Any]) -> str | None:
    try:
        return locate(path, display_name, members)[0].release_id
    except SourceError:
        return None


def parse(path: Path, members: list[Any], *, sha256: str, display_name: str, release_id: str) -> ParsedRelease:
    spec, sheet, rows, header, cols = locate(path, display_name, members)
    if spec.release_id != release_id:
        raise SourceError(display_name, f"is the {spec.release_id} structure, not {release_id}", sheet=sheet)

    records: list[dict[str, Any]] = []
    for offset, row in enumerate(rows[header + 1 :]):
        excel_row = header + offset + 2

        def cell(index: int, row: list[Any] = row) -> str:
            return parse_text(row[index]) if index < len(row) else ""

        code = cell(cols[spec.code_header])
        if not code:
            if any(cell(cols[h]) for _, h, _ in spec.sides):
                raise SourceError(display_name, f"row {excel_row}: components without an OES code", sheet=sheet)
            continue
        if not _CODE.match(code):
            raise SourceError(display_name, f"row {excel_row}: {code!r} is not an occupation code", sheet=sheet)
        note = cell(cols[spec.note_header]) or None
        for system, code_header, title_header in spec.sides:
            component = cell(cols[code_header])
            if not component:
                continue  # e.g. 'Federal data only', or a 2010 code with no 2000 counterpart
            if not _CODE.match(component):
                raise SourceError(
                    display_name, f"row {excel_row}: {component!r} ({code_header}) is not a SOC code", sheet=sheet
                )
            title_col = cols[title_header] if title_header else cols[code_header] + 1
            records.append(
                {
                    "hybrid_system": spec.system,
                    "hybrid_code": code,
                    "hybrid_title": clean_title(cell(cols[spec.title_header])),
                    "component_system": system,
                    "component_code": component,
                    "component_title": clean_title(cell(title_col)),
                    "bls_relationship": note,
                    "source_row": excel_row,
                    "source_sha256": sha256,
                    "source_file": display_name,
                }
            )
    if not records:
        raise SourceError(display_name, "holds a hybrid structure header but no rows", sheet=sheet)
    return ParsedRelease(
        product="soc",
        release_id=release_id,
        label=f"OES {release_id.split('-')[0]} hybrid structure",
        source_file=display_name,
        tables={"soc_hybrid_structure": schema.to_arrow(records, schema.SOC_HYBRID_STRUCTURE)},
        facts={
            "rows": len({r["source_row"] for r in records}),
            "codes": len({r["hybrid_code"] for r in records}),
        },
    )
