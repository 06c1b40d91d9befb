"""Where BLS serves the OEWS time-series database: the catalog entry, as data.

BLS keeps only the current release at these URLs and replaces it each spring, so the release a
fetched data file holds is read from the file (its year column, and oe.release). A release is a
small set of files: the data file (the release's file, as for every product) and the code lists
the parser needs beside it (`companions`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from occstats.catalog import Release
from occstats.errors import ConfigError
from occstats.sources.oes_timeseries import layout

BASE_URL = "https://download.bls.gov/pub/time.series/oe/"


@dataclass(frozen=True)
class TimeSeriesFiles:
    """One data file plus its code lists, at fixed URLs BLS replaces in place."""

    name: str = "oes_timeseries"
    base_urls: tuple[str, ...] = (BASE_URL,)
    data_file: str = layout.DATA_FILE
    lookup_files: tuple[str, ...] = tuple(layout.LOOKUP_FILES.values())

    def urls(self, file_name: str) -> tuple[str, ...]:
        return tuple(base + file_name for base in self.base_urls)

    def releases(self, years: list[int] | None = None, *, today: dt.date | None = None) -> list[Release]:
        if years:
            raise ConfigError(
                f"{self.name}: BLS serves only the current release; a past one comes in with "
                f"`occstats import {self.name} FILE` (with its code lists beside it)"
            )
        return [Release(product=self.name, release_id="current", urls=self.urls(self.data_file))]

    def companions(self, release: Release) -> dict[str, tuple[str, ...]]:
        """The files to land with the release's data file: file name -> URLs tried in order."""
        return {name: self.urls(name) for name in self.lookup_files}


CATALOG = TimeSeriesFiles()
