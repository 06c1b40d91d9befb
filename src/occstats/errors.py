"""Errors that name the file and the problem.

Every failure a data engineer can meet in a refresh is one of these, so the CLI, the Prefect
flows and the run summary can print it as one line that says *which* file and *what* is wrong,
instead of a traceback from deep inside pandas or calamine.
"""

from __future__ import annotations

from pathlib import Path


class OccstatsError(Exception):
    """Base class: a problem a user can act on."""


class SourceError(OccstatsError):
    """An input file is unreadable or not what its release should be."""

    def __init__(self, file: str | Path, problem: str, *, sheet: str | None = None) -> None:
        self.file = str(file)
        self.sheet = sheet
        self.problem = problem
        where = f"{self.file} [sheet {sheet!r}]" if sheet else self.file
        super().__init__(f"{where}: {problem}")


class ValidationError(OccstatsError):
    """Parsed figures failed a gate; nothing was written."""

    def __init__(self, table: str, release: str, failures: list[str], *, file: str | None = None) -> None:
        self.table = table
        self.release = release
        self.failures = failures
        self.file = file
        origin = f" (from {file})" if file else ""
        lines = "\n  - ".join(failures)
        super().__init__(f"{table} {release}{origin} failed validation:\n  - {lines}")


class FetchError(OccstatsError):
    """The network or the mirror could not deliver a file (after retries)."""


class ReleaseUnavailable(OccstatsError):
    """Upstream (BLS or the mirror) does not have this release at any known URL."""


class ConfigError(OccstatsError):
    """A command-line option or environment setting is wrong."""


class FetchRefused(FetchError):
    """A fetch that trying again will not change: a 403, or a host that cannot be reached at all.

    Raised after at most one short retry, and never retried by the Prefect task: a wrong
    User-Agent or a machine without network must cost seconds, not minutes of backoff.
    """

    def __init__(self, message: str, *, unreachable_host: str | None = None) -> None:
        super().__init__(message)
        self.unreachable_host = unreachable_host
