"""Turning one published cell into (value, status, marker), exactly.

Excel stores the figures as doubles (2010 on) or as space-padded text (2004-2008). Both become
a Decimal at the figure's published precision: `21.35` stays 21.35, `'     128127360'` becomes
128127360, and a cell carrying more digits than BLS publishes is refused rather than rounded,
because it is not a BLS figure (a third party's formula, say).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from occstats.markers import Status

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


class CellError(ValueError):
    """A cell that is neither a number nor a declared marker."""


class ExcessPrecision(CellError):
    """A number with more digits than BLS publishes: someone else's arithmetic, not a BLS figure."""


@dataclass(frozen=True)
class Cell:
    value: Decimal | None
    status: Status
    marker: str | None = None


NOT_PUBLISHED = Cell(None, Status.NOT_PUBLISHED, None)


def to_decimal(raw: object) -> Decimal | None:
    """A number from a cell, or None when the cell is not numeric."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None
        return Decimal(repr(raw))  # shortest repr: the digits Excel displays, not binary noise
    if isinstance(raw, str):
        text = raw.strip().replace("\u00a0", "")
        if not text or not _NUMBER.match(text) or text in {"+", "-", "."}:
            return None
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:
            return None
    return None


def exact(value: Decimal, scale: int) -> Decimal:
    """`value` at `scale` decimals, refusing anything that would need rounding."""
    quantum = Decimal(1).scaleb(-scale)
    quantized = value.quantize(quantum)
    if quantized != value:
        raise ExcessPrecision(f"{value} has more than {scale} decimal places; not a published figure")
    return quantized


def parse_cell(raw: object, *, scale: int, markers: Mapping[str, Status]) -> Cell:
    """One cell -> Cell. Blank is NOT_PUBLISHED; declared markers keep their meaning."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return NOT_PUBLISHED
    if isinstance(raw, str):
        token = raw.strip()
        if token in markers:
            return Cell(None, markers[token], token)
    if isinstance(raw, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise CellError(f"holds a date/time {raw!r} where a number belongs")
    number = to_decimal(raw)
    if number is None:
        known = ", ".join(repr(m) for m in markers) or "none"
        raise CellError(f"holds {raw!r}, which is neither a number nor a declared marker ({known})")
    return Cell(exact(number, scale), Status.ESTIMATE, None)


def parse_text(raw: object) -> str:
    """A label cell without BLS's padding or indentation; floats that are codes lose their `.0`."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def parse_flag(raw: object) -> bool:
    """BLS's TRUE/true/blank flags."""
    if isinstance(raw, bool):
        return raw
    text = str(raw or "").strip().lower()
    if text in ("true", "t", "yes", "y", "1", "x"):
        return True
    if text in ("", "false", "f", "no", "n", "0"):
        return False
    raise CellError(f"holds {raw!r} where TRUE or blank belongs")
