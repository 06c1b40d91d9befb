"""What every source module hands to validation and the store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import pyarrow as pa

from occstats.drift import DriftCheck
from occstats.schema import Table
from occstats.validate import Check

if TYPE_CHECKING:
    from occstats.catalog import Release

V = TypeVar("V")


YearRange = tuple[int, int | None]  # (first, last); last None = still in force


def in_range(first: int, last: int | None, year: int) -> bool:
    return first <= year and (last is None or year <= last)


def by_year(entries: tuple[tuple[int, int | None, V], ...], year: int) -> V | None:
    """The value declared for the (first, last) year range holding `year`; None if none does.

    The one "entry for this year" lookup every layout uses; `last` None means open-ended.
    """
    return next((value for first, last, value in entries if in_range(first, last, year)), None)


def all_by_year(entries: tuple[tuple[int, int | None, V], ...], year: int) -> list[V]:
    """Every value whose range holds `year`, in declaration order."""
    return [value for first, last, value in entries if in_range(first, last, year)]


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


class Catalog(Protocol):
    """A product's catalog entry: which releases exist and where (sources/<product>/catalog.py)."""

    name: str

    def releases(self, years: list[int] | None = None) -> list[Release]: ...


@dataclass(frozen=True)
class Product:
    """One BLS product: its catalog entry, its parser and the tables it feeds.

    Each product package (`sources/<name>/`) declares one of these as `PRODUCT`; the registry
    (`occstats.products`) lists them in dependency order, and the CLI's choices, the Prefect
    flows and the docs are generated from it.
    """

    name: str
    description: str
    catalog: Catalog
    source: Source
    depends_on: tuple[str, ...] = ()
    takes_years: bool = False  # `refresh NAME --years` plans past releases from the catalog
    import_hint: str = ""  # what `occstats import NAME` takes
    checks: Mapping[str, tuple[Check | DriftCheck, ...]] = field(default_factory=dict)  # table -> its own checks

    @property
    def tables(self) -> tuple[Table, ...]:
        return self.source.tables
