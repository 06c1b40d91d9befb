"""What every source module hands to validation and the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pyarrow as pa

from occstats.schema import Table

V = TypeVar("V")


def for_year(entries: tuple[tuple[int, int, V], ...], year: int) -> V | None:
    """The value declared for the (first, last) year range holding `year`; None if none does."""
    return next((value for first, last, value in entries if first <= year <= last), None)


@dataclass
class ParsedRelease:
    """One release, parsed: rows for each curated table it feeds, and what was noticed."""

    product: str
    release_id: str  # the raw store folder this release belongs in, e.g. "2024" or "2024-2034"
    label: str  # for people: "OES May 2024"
    source_file: str  # file (and zip member) the rows came from
    tables: dict[str, pa.Table]
    warnings: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> dict[str, int]:
        return {name: t.num_rows for name, t in self.tables.items()}


class Source(Protocol):
    """What a product module provides: adding a BLS product means one of these."""

    product: str
    tables: tuple[Table, ...]

    def identify(self, path: Path, *, display_name: str, expected: str | None = None) -> str:
        """The release a file holds (the raw store folder it belongs in), read from the file."""
        ...

    def parse(self, path: Path, *, sha256: str, display_name: str, release_id: str) -> ParsedRelease:
        """Curated rows for every table this product feeds."""
        ...
