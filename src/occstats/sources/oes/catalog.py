"""Where BLS serves the OES/OEWS national estimates, and when: the catalog entry, as data.

Adding a release year needs no edit: candidates run from the first year to the newest one whose
publication date has passed, and one year beyond is probed in case BLS is early.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from occstats.catalog import Release
from occstats.errors import ConfigError
from occstats.sources.base import by_year


@dataclass(frozen=True)
class YearlyZips:
    """One zip per survey year, planned from the publication calendar (OES/OEWS)."""

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
    stem_patterns: tuple[tuple[int, int | None, str], ...] = (
        (1997, 2002, "oes{yy}nat"),
        (2003, None, "oesm{yy}nat"),
    )
    # Reference month: the fourth-quarter surveys up to 2001 are labelled by year only; Nov 2002,
    # then May from 2003 on.
    ref_months: tuple[tuple[int, int | None, int | None], ...] = (
        (1997, 2001, None),
        (2002, 2002, 11),
        (2003, None, 5),
    )
    # The May estimates appear the following spring (end of March to April).
    publication_lag_months: int = 11

    def stem(self, year: int) -> str:
        pattern = by_year(self.stem_patterns, year)
        if pattern is not None:
            return pattern.format(yy=f"{year % 100:02d}")
        raise ConfigError(f"no OES zip name is declared for {year}")

    def ref_month(self, year: int) -> int | None:
        return by_year(self.ref_months, year)

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


CATALOG = YearlyZips()
