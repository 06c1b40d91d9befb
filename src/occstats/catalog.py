"""Which releases exist and where BLS serves them: data, not code.

Adding a release year needs no edit here: OES candidates run from the first year to the newest
one whose publication date has passed, and one year beyond is probed in case BLS is early. A
product whose URL BLS reuses every cycle (Employment Projections) is a single "current" entry; its
cycle is read from the file itself.
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

    @property
    def label(self) -> str:
        return f"{self.product} {self.release_id}"


@dataclass(frozen=True)
class OesNationalProduct:
    """OES/OEWS national cross-industry estimates, one zip per survey year."""

    name: str = "oes"
    first_year: int = 1997
    # BLS's own paths, newest layout first. `special.requests` is the pre-2020 path still linked
    # from old pages; the mirror and today's site use `special-requests`.
    url_patterns: tuple[str, ...] = (
        "https://www.bls.gov/oes/special-requests/{stem}.zip",
        "https://www.bls.gov/oes/special.requests/{stem}.zip",
    )
    # Zip stems as BLS named them: `oes97nat` … `oes02nat` before the May-reference surveys,
    # `oesm03nat` onwards.
    stem_patterns: tuple[tuple[int, int, str], ...] = (
        (1997, 2002, "oes{yy}nat"),
        (2003, 9999, "oesm{yy}nat"),
    )
    # Reference month: the fourth-quarter surveys up to 2001 are labelled by year only; Nov 2002,
    # then May from 2003 on.
    ref_months: tuple[tuple[int, int, int | None], ...] = (
        (1997, 2001, None),
        (2002, 2002, 11),
        (2003, 9999, 5),
    )
    # The May estimates appear the following spring (end of March to April).
    publication_lag_months: int = 11

    def stem(self, year: int) -> str:
        for first, last, pattern in self.stem_patterns:
            if first <= year <= last:
                return pattern.format(yy=f"{year % 100:02d}")
        raise ConfigError(f"no OES zip name is declared for {year}")

    def ref_month(self, year: int) -> int | None:
        for first, last, month in self.ref_months:
            if first <= year <= last:
                return month
        return None

    def newest_expected_year(self, today: dt.date) -> int:
        """The newest survey year whose publication date has passed."""
        months_since_may = lambda y: (today.year - y) * 12 + today.month - 5  # noqa: E731
        year = today.year
        while months_since_may(year) < self.publication_lag_months:
            year -= 1
        return year

    def release(self, year: int, *, expected: bool = True) -> Release:
        stem = self.stem(year)
        return Release(
            product=self.name,
            release_id=str(year),
            urls=tuple(p.format(stem=stem) for p in self.url_patterns),
            ref_year=year,
            ref_month=self.ref_month(year),
            expected=expected,
        )

    def releases(self, years: list[int] | None = None, *, today: dt.date | None = None) -> list[Release]:
        """The releases to refresh: the given years, or every year up to the newest one."""
        if years:
            bad = [y for y in years if y < self.first_year]
            if bad:
                raise ConfigError(f"OES national estimates start in {self.first_year}; not available: {bad}")
            return [self.release(y) for y in sorted(set(years))]
        newest = self.newest_expected_year(today or dt.date.today())
        planned = [self.release(y) for y in range(self.first_year, newest + 1)]
        return [*planned, self.release(newest + 1, expected=False)]


@dataclass(frozen=True)
class FixedFilesProduct:
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


OES = OesNationalProduct()

EP = FixedFilesProduct(
    name="ep",
    files=(("current", ("https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx",)),),
    description="Employment Projections occupation workbook (Table 1.x), current cycle",
)

SOC = FixedFilesProduct(
    name="soc",
    files=(
        ("2000-to-2010", ("https://www.bls.gov/soc/soc_2000_to_2010_crosswalk.xls",)),
        ("2010-to-2018", ("https://www.bls.gov/soc/2018/soc_2010_to_2018_crosswalk.xlsx",)),
    ),
    description="SOC crosswalks published by BLS",
)

PRODUCTS = {p.name: p for p in (OES, EP, SOC)}


def product(name: str) -> OesNationalProduct | FixedFilesProduct:
    try:
        return PRODUCTS[name]
    except KeyError:
        raise ConfigError(f"unknown product {name!r}; known: {', '.join(PRODUCTS)}") from None


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
