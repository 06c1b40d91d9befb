"""`occstats check`: which releases are new upstream, asked cheaply, with nothing landed or curated.

For each release a refresh would plan, the question goes to the URL a refresh would fetch:
- validators held for that URL (what it served when last curated): a conditional GET with them.
  304 is "unchanged"; a 200 is hashed as it streams (into a temporary folder outside the data
  directory, deleted at once) and compared with the held sha256, as a refresh would;
- nothing held for it: whether upstream has it at all (the answer's status; the body is not read).
A release upstream lacks but that is held (an import of a file BLS no longer serves) is unchanged,
never unavailable. The data directory is only read; Prefect is not started.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

import requests

from occstats import products
from occstats.catalog import Release
from occstats.errors import OccstatsError, ReleaseUnavailable
from occstats.fetch import _Deadline, _get, fetch, make_session, mirror_url
from occstats.holdings import Holdings
from occstats.labels import release_label
from occstats.settings import Settings, redact

# Exit codes of `occstats check` (2 stays a usage or configuration error, as for every command).
NOTHING_NEW = 0
SOMETHING_NEW = 5
CHECK_FAILED = 1
MAX_LISTED = 12  # unavailable releases named per product; the rest are counted


class Status(StrEnum):
    NEW = "new"  # a refresh would land it and curate it
    UNCHANGED = "unchanged"  # upstream serves what is curated (or does not serve a release that is held)
    UNAVAILABLE = "unavailable"  # upstream has no such release and none is held
    NOT_YET = "not yet published"  # probed ahead of its expected date
    FAILED = "failed"  # the question could not be asked (network, 403, ...)


@dataclass(frozen=True)
class Finding:
    product: str
    release: str
    status: Status
    detail: str

    @property
    def label(self) -> str:
        return release_label(self.product, self.release)

    def to_dict(self) -> dict[str, str]:
        return {**asdict(self), "status": self.status.value}


def check(settings: Settings, names: Iterable[str]) -> list[Finding]:
    """Findings for every planned release of the given products, in registry order."""
    findings: list[Finding] = []
    with make_session(settings) as session, tempfile.TemporaryDirectory(prefix="occstats-check-") as scratch:
        for name in names:
            product = products.product(name)
            holdings = Holdings(settings.raw_dir, product.name)
            for release in product.catalog.releases(None):
                findings.append(check_release(settings, holdings, release, session, Path(scratch)))
    return findings


def check_release(
    settings: Settings, holdings: Holdings, release: Release, session: requests.Session, scratch: Path
) -> Finding:
    remembered = holdings.validators(release.urls[0])
    held = holdings.curated(release.release_id)

    def finding(status: Status, detail: str) -> Finding:
        return Finding(release.product, release.release_id, status, detail)

    try:
        if remembered is not None:
            fetched = fetch(release.urls, scratch, settings, previous=remembered, session=session)
            if fetched.path is not None:
                fetched.path.unlink(missing_ok=True)
            if not fetched.changed:
                return finding(Status.UNCHANGED, fetched.reason)
            return finding(Status.NEW, f"upstream serves a different file (sha256 {fetched.sha256[:12]}…)")
        where = _served_at(release.urls, settings, session)
    except ReleaseUnavailable as exc:
        if held is not None:
            return finding(Status.UNCHANGED, f"held (sha256 {held.sha256[:12]}…); upstream no longer serves it")
        return finding(Status.UNAVAILABLE if release.expected else Status.NOT_YET, str(exc))
    except OccstatsError as exc:
        return finding(Status.FAILED, str(exc))
    if held is not None:
        # curated (imported, say) but never fetched from this URL: a refresh fetches it and compares
        return finding(Status.NEW, f"held from another source; upstream serves {where}, not fetched before")
    return finding(Status.NEW, f"not held; upstream serves {where}")


def _served_at(urls: Sequence[str], settings: Settings, session: requests.Session) -> str:
    """The first URL upstream answers 200 for (the body is not read); ReleaseUnavailable if none."""
    missing = []
    for url in urls:
        target = mirror_url(url, settings.mirror)
        response = _get(session, url, target, {}, settings, _Deadline(settings.fetch_deadline, target))
        with response:
            status = response.status_code
        if status == 200:
            return redact(target) or target
        if status in (404, 410):
            missing.append(f"{redact(target)} (HTTP {status})")
            continue
        hint = " (BLS refuses clients without a contact User-Agent: set --user-agent)" if status == 403 else ""
        raise OccstatsError(f"{redact(target)}: HTTP {status} {response.reason}{hint}")
    where = "the mirror" if settings.mirror else "BLS"
    others = f" (and {len(missing) - 1} older URL{'s' if len(missing) > 2 else ''})" if len(missing) > 1 else ""
    raise ReleaseUnavailable(f"{where} does not have it: {missing[0]}{others}")


def exit_code(findings: Sequence[Finding]) -> int:
    """1 if any question failed, else 5 if anything is new, else 0 (unavailable releases do not count)."""
    if any(f.status is Status.FAILED for f in findings):
        return CHECK_FAILED
    if any(f.status is Status.NEW for f in findings):
        return SOMETHING_NEW
    return NOTHING_NEW


def text_report(findings: Sequence[Finding]) -> str:
    """One line per release, unavailable ones counted per product; then one closing line."""
    lines: list[str] = []
    by_product: dict[str, list[Finding]] = {}
    for f in findings:
        by_product.setdefault(f.product, []).append(f)
    for product, items in by_product.items():
        missing = [f for f in items if f.status is Status.UNAVAILABLE]
        for f in items:
            if f.status is not Status.UNAVAILABLE:
                lines.append(f"{product:<15} {f.label:<22} {f.status.value:<17} {f.detail}")
        if missing:
            shown = ", ".join(f.release for f in missing[:MAX_LISTED])
            more = f" (+{len(missing) - MAX_LISTED} more)" if len(missing) > MAX_LISTED else ""
            lines.append(f"{product:<15} {'unavailable':<22} {len(missing):<17} {shown}{more}")
    new = [f for f in findings if f.status is Status.NEW]
    failed = [f for f in findings if f.status is Status.FAILED]
    if failed:
        closing = f"{len(failed)} release(s) could not be checked; {len(new)} new upstream"
    elif new:
        closing = f"{len(new)} release(s) new upstream: `occstats refresh` would curate them"
    else:
        closing = "nothing new upstream"
    lines.append(closing)
    return "\n".join(lines)
