"""Output formats shared by every command that prints rows: table, csv, json."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

FORMATS = ("table", "csv", "json")


def format_rows(columns: list[str], rows: list[tuple[Any, ...]], *, max_width: int = 60) -> str:
    """A plain aligned text table (no box drawing: it survives logs and copy-paste)."""

    def show(value: Any) -> str:
        text = "" if value is None else str(value)
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[show(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def jsonable(value: Any) -> Any:
    """JSON numbers for Decimals (21.35 prints as 21.35), ISO strings for dates, lists recursed."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def render(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([{c: jsonable(v) for c, v in zip(columns, r, strict=True)} for r in rows], indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    return format_rows(columns, rows)


def render_wide(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """A table whose cells are shown in full (lineage and series rows carry long titles and notes)."""
    return format_rows(columns, rows, max_width=10_000)
