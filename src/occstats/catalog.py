"""The shapes a product's catalog entry takes: which releases exist and where BLS serves them.

Each product package declares its own entry (`sources/<product>/catalog.py`) with one of these
shapes; nothing here names a product. A product whose URL BLS reuses every cycle (Employment
Projections) is a fixed-files entry whose release is read from the file itself; a yearly product
(OES) plans its years from its publication calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from occstats.errors import ConfigError


@dataclass(frozen=True)
class Release:
    """One fetchable file of one product."""

    product: str
    release_id: str  # the raw store's folder for this release, e.g. "2024" or "current"
    urls: tuple[str, ...]  # tried in order; BLS has moved files between these paths
    ref_year: int | None = None
    ref_month: int | None = None
    expected: bool = True  # False: probed ahead of schedule; absence is not a failure


@dataclass(frozen=True)
class FixedFiles:
    """Files BLS serves at fixed URLs and replaces in place (each EP cycle overwrites the last).

    The release a fetched file belongs to (an EP cycle) is read from the file, so the catalog
    names only the slot the URL fills.
    """

    name: str
    files: tuple[tuple[str, tuple[str, ...]], ...]  # (release_id, urls tried in order)
    description: str = ""

    def releases(self, years: list[int] | None = None, *, today: dt.date | None = None) -> list[Release]:
        if years:
            raise ConfigError(
                f"{self.name}: BLS serves only the current files; past ones come in with "
                f"`occstats import {self.name} FILE`"
            )
        return [Release(product=self.name, release_id=rid, urls=urls) for rid, urls in self.files]


def parse_years(spec: str | None) -> list[int] | None:
    """`2008,2010-2025` -> [2008, 2010, …, 2025]; None or "" -> None (all)."""
    if not spec:
        return None
    years: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(r"(\d{4})(?:\s*-\s*(\d{4}))?", part)
        if not m:
            raise ConfigError(f"cannot read year range {part!r} (expected e.g. 2008,2010-2025)")
        first = int(m.group(1))
        last = int(m.group(2) or first)
        if last < first:
            raise ConfigError(f"year range {part!r} runs backwards")
        years.update(range(first, last + 1))
    return sorted(years)


def companions(catalog: object, release: Release) -> dict[str, tuple[str, ...]]:
    """The files a catalog declares to land beside a release's own file: file name -> URLs tried in order.

    The hook is optional (`companions(release)` on the catalog entry): most products are one file a
    release; the OEWS time series is a data file and the code lists its parser needs beside it.
    """
    hook = getattr(catalog, "companions", None)
    return dict(hook(release)) if hook is not None else {}
