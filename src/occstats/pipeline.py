"""One refresh or import of one product: acquire -> prepare -> publish, release by release.

The Prefect flows in `flows/` call these steps as tasks; the CLI's import and the tests call them
directly. Every release ends with an Outcome (curated, unchanged, unavailable, failed, …), so one
bad release never stops the others and the run summary can say exactly what happened to each.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import pyarrow as pa

from occstats import products
from occstats.catalog import Release
from occstats.classification import Classification, codes_in_system
from occstats.errors import OccstatsError, ReleaseUnavailable, ValidationError
from occstats.fetch import Validators, fetch, sha256_file
from occstats.fingerprint import code_version
from occstats.lineage import from_store as classification_from_store
from occstats.raw import UNIDENTIFIED, Landing, RawStore
from occstats.schema import Table
from occstats.settings import Settings
from occstats.sources.base import ParsedRelease
from occstats.store import ReleaseState, Store, release_values
from occstats.validate import validate

log = logging.getLogger("occstats.progress")

LEDGER = "ledger.json"


class State(StrEnum):
    CURATED = "curated"  # new content written
    UNCHANGED = "unchanged"  # nothing new: same file as curated before, or same figures
    UNAVAILABLE = "unavailable"  # upstream has no such release
    NOT_YET = "not yet published"  # probed ahead of its expected date; not a failure
    FAILED = "failed"


@dataclass
class Outcome:
    product: str
    release: str
    state: State
    detail: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    sha256: str | None = None
    raw_path: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "state": self.state.value}


@dataclass
class Acquired:
    """A file in the raw store, ready to curate."""

    release: str
    landing: Landing
    new_landing: bool
    how: str  # "downloaded", "not modified (304)", "imported", …


@dataclass
class Prepared:
    acquired: Acquired
    parsed: ParsedRelease


@dataclass
class RunReport:
    product: str
    run_id: str
    started_at: str
    outcomes: list[Outcome]
    versions: dict[str, int]

    @property
    def exit_code(self) -> int:
        """0 all good; 1 a release failed; 3 only releases upstream does not have."""
        if any(o.state is State.FAILED for o in self.outcomes):
            return 1
        if any(o.state is State.UNAVAILABLE for o in self.outcomes):
            return 3
        return 0

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.state.value] = counts.get(o.state.value, 0) + 1
        return counts

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunReport:
        """Back from a flow's (serialisable) return value."""
        outcomes = [Outcome(**{**o, "state": State(o["state"])}) for o in data["outcomes"]]
        return cls(data["product"], data["run_id"], data["started_at"], outcomes, data["versions"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "run_id": self.run_id,
            "started_at": self.started_at,
            "counts": self.counts(),
            "versions": self.versions,
            "outcomes": [o.to_dict() for o in self.outcomes],
        }


class Job:
    """State of one run over one product."""

    def __init__(self, settings: Settings, product: str) -> None:
        self.settings = settings
        self.product = product
        self.source = products.product(product).source
        self.raw = RawStore(settings.raw_dir)
        self.store = Store(settings.curated_dir)
        self.run_id = uuid.uuid4().hex[:12]
        self.started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.outcomes: dict[str, Outcome] = {}
        self.prepared: list[Prepared] = []
        self.versions: dict[str, int] = {}
        self._total = 0
        self._summaries: dict[str, dict[tuple[Any, ...], ReleaseState]] = {}
        self._cls: Classification | None = None

    def _summary(self, tbl: Table) -> dict[tuple[Any, ...], ReleaseState]:
        """What the table holds per release, read once per run (the store changes only in publish)."""
        if tbl.name not in self._summaries:
            self._summaries[tbl.name] = self.store.release_summary(tbl)
        return self._summaries[tbl.name]

    # -- planning ------------------------------------------------------------------------------
    def plan(self, years: list[int] | None = None) -> list[Release]:
        releases = products.product(self.product).catalog.releases(years)
        self._total = len(releases)
        return releases

    def expect(self, count: int) -> None:
        """How many releases this run will report on (for the progress count of imports)."""
        self._total = count

    def _record(self, outcome: Outcome) -> Outcome:
        self.outcomes[outcome.release] = outcome
        done = len(self.outcomes)
        total = max(self._total, done)
        rows = ", ".join(f"{n} {t}" for t, n in outcome.rows.items())
        extra = f" ({rows})" if rows else ""
        detail = f": {outcome.detail}" if outcome.detail else ""
        log.info(
            "[%*d/%d] %s %s %s%s%s",
            len(str(total)),
            done,
            total,
            self.product,
            outcome.release,
            outcome.state.value,
            extra,
            detail,
        )
        return outcome

    def fail(self, release: str, exc: BaseException) -> Outcome:
        """Record a release as failed with a one-line reason (full traceback only for bugs)."""
        if isinstance(exc, OccstatsError):
            detail = str(exc)
        else:
            detail = f"{type(exc).__name__}: {exc}"
            log.debug("unexpected error in %s %s\n%s", self.product, release, traceback.format_exc())
        previous = self.outcomes.get(release)
        sha = previous.sha256 if previous else None
        return self._record(Outcome(self.product, release, State.FAILED, detail, sha256=sha))

    # -- acquire -------------------------------------------------------------------------------
    def acquire(self, release: Release) -> Acquired | None:
        """Fetch (conditionally) and land one catalog release. Network errors propagate for retry."""
        previous = (
            self.raw.latest(self.product, release.release_id)
            if release.ref_year is not None
            else self.raw.latest_for_url(self.product, release.urls[0])
        )
        validators = self.raw.remembered(self.product, release.urls[0]) or (previous.validators() if previous else None)
        if previous is None and validators is not None and validators.sha256:
            previous = next((la for la in self.raw.landings(self.product) if la.sha256 == validators.sha256), None)
        if previous is None:
            validators = None  # nothing held to fall back on: fetch unconditionally
        try:
            fetched = fetch(release.urls, self.raw.staging_dir(), self.settings, previous=validators)
        except ReleaseUnavailable as exc:
            state = State.UNAVAILABLE if release.expected else State.NOT_YET
            self._record(Outcome(self.product, release.release_id, state, str(exc)))
            return None
        provenance = {
            "origin": "mirror" if self.settings.mirror else "upstream",
            "url": fetched.url,
            "fetched_from": fetched.fetched_from,
            "fetched_at": fetched.fetched_at,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "user_agent": fetched.user_agent,
        }
        remembered = Validators(fetched.etag, fetched.last_modified, fetched.sha256)
        if not fetched.changed:
            assert previous is not None
            self.raw.remember(self.product, release.urls[0], remembered, fetched.fetched_at)
            return Acquired(previous.release_id, previous, False, fetched.reason)
        assert fetched.path is not None
        display = Path(fetched.url).name
        release_id = self._identify(
            fetched.path,
            display,
            known=release.release_id if release.ref_year is not None else None,
            expected=None,
            provenance=provenance,
            sha=fetched.sha256,
            move=True,
        )
        if release_id is None:
            return None
        landing, new = self.raw.land(
            self.product,
            release_id,
            fetched.path,
            file_name=display,
            provenance=provenance,
            move=True,
            sha256=fetched.sha256,
        )
        self.raw.remember(self.product, release.urls[0], remembered, fetched.fetched_at)
        return Acquired(release_id, landing, new, fetched.reason)

    def acquire_file(self, path: Path, release_id: str | None = None) -> Acquired | None:
        """Land a local file (an old release BLS no longer serves) with its provenance."""
        path = path.expanduser().resolve()
        label = release_id or path.name
        if not path.is_file():
            self.fail(label, OccstatsError(f"{path}: no such file"))
            return None
        provenance = {
            "origin": "import",
            "url": None,
            "imported_from": str(path),
            "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        sha = sha256_file(path)
        found = self._identify(
            path, path.name, known=None, expected=release_id, provenance=provenance, sha=sha, move=False
        )
        if found is None:
            return None
        landing, new = self.raw.land(self.product, found, path, file_name=path.name, provenance=provenance, sha256=sha)
        return Acquired(found, landing, new, "imported" if new else "already imported")

    def _identify(
        self,
        path: Path,
        display: str,
        *,
        known: str | None,
        expected: str | None,
        provenance: dict[str, Any],
        sha: str | None,
        move: bool,
    ) -> str | None:
        """The release a file holds; a file that cannot say lands under _unidentified for inspection."""
        if known is not None:
            return known  # the catalog knows it; parse() still cross-checks against the file's own words
        try:
            return self.source.identify(path, display_name=display, expected=expected)
        except OccstatsError as exc:
            landing, _ = self.raw.land(
                self.product,
                UNIDENTIFIED,
                path,
                file_name=display,
                provenance=provenance,
                move=move,
                sha256=sha,
            )
            outcome = self.fail(expected or display, exc)
            outcome.raw_path = str(landing.path)
            return None

    # -- prepare -------------------------------------------------------------------------------
    def prepare(self, acquired: Acquired) -> Prepared | None:
        """Parse and validate one landed release, unless it was already curated from this file."""
        landing = acquired.landing
        if not acquired.new_landing and self._already_curated(acquired.release, landing.sha256):
            self._record(
                Outcome(
                    self.product,
                    acquired.release,
                    State.UNCHANGED,
                    f"{acquired.how}; already curated from this file",
                    sha256=landing.sha256,
                    raw_path=str(landing.path),
                )
            )
            return None
        parsed = self.source.parse(
            landing.path, sha256=landing.sha256, display_name=landing.file_name, release_id=acquired.release
        )
        for name, data in parsed.tables.items():
            tbl = next(t for t in self.source.tables if t.name == name)
            previous = _previous_rows(tbl, data, self._summary(tbl))
            validate(tbl, data, release=parsed.label, previous_rows=previous, file=parsed.source_file)
        self._check_codes(parsed)
        prepared = Prepared(acquired, parsed)
        self.prepared.append(prepared)
        rows = ", ".join(f"{n} {t}" for t, n in parsed.rows().items())
        log.info("      %s %s parsed and validated (%s)", self.product, acquired.release, rows)
        return prepared

    def _check_codes(self, parsed: ParsedRelease) -> None:
        """Every detailed code must resolve in the release's declared classification.

        Checked against the BLS crosswalks and the declared hybrid/combined codes only (never
        against the curated releases themselves, which would make the check circular).
        """
        for name, data in parsed.tables.items():
            result = codes_in_system(self._classification(), data)
            if result is None:
                continue
            system, found, total, missing = result
            if missing:
                shown = ", ".join(missing[:12]) + (f" (+{len(missing) - 12} more)" if len(missing) > 12 else "")
                raise ValidationError(
                    name,
                    parsed.label,
                    [f"{len(missing)} of {total} detailed codes are not codes of {system}: {shown}"],
                    file=parsed.source_file,
                )
            if system == "oes-1990s":
                parsed.facts["codes"] = f"{total} detailed codes in {system} (no reference list exists)"
            elif self._classification().has_reference(system):
                parsed.facts["codes"] = f"{found}/{total} detailed codes in {system} ({found / total:.0%})"
            else:
                parsed.warnings.append(
                    f"{parsed.label}: codes not checked against {system}: run `occstats refresh soc` first"
                )
            return

    def _classification(self) -> Classification:
        if self._cls is None:
            self._cls = classification_from_store(self.store, with_usage=False)
        return self._cls

    def _already_curated(self, release: str, sha256: str) -> bool:
        entry = self._ledger().get(self.product, {}).get(release)
        if not entry or entry.get("sha256") != sha256 or entry.get("code_version") != code_version():
            return False
        return all(any(sha256 in state.sources for state in self._summary(tbl).values()) for tbl in self.source.tables)

    # -- publish -------------------------------------------------------------------------------
    def publish(self) -> dict[str, int]:
        """Write every prepared release, one commit per table that changed."""
        if not self.prepared:
            return {}
        metadata = {
            "code_version": code_version(),
            "run_id": self.run_id,
            "product": self.product,
            "sources": [
                {
                    "release": p.acquired.release,
                    "sha256": p.acquired.landing.sha256,
                    "file": p.parsed.source_file,
                    "raw_path": p.acquired.landing.manifest["path"],
                    "url": p.acquired.landing.manifest.get("url"),
                }
                for p in self.prepared
            ],
        }
        changed: dict[str, set[str]] = {p.acquired.release: set() for p in self.prepared}
        with self.store.lock():
            for tbl in self.source.tables:
                parts = [p.parsed.tables[tbl.name] for p in self.prepared if tbl.name in p.parsed.tables]
                if not parts:
                    continue
                version, changes = self.store.write(tbl, parts, metadata)
                if version is not None:
                    self.versions[tbl.name] = version
                owner = {
                    release: p.acquired.release
                    for p in self.prepared
                    if tbl.name in p.parsed.tables
                    for release in release_values(tbl, p.parsed.tables[tbl.name])
                }
                for change in changes:
                    changed[owner[change.release]].add(tbl.name)
            self._update_ledger()
        self._summaries.clear()
        for p in self.prepared:
            names = changed[p.acquired.release]
            state = State.CURATED if names else State.UNCHANGED
            detail = p.acquired.how if names else f"{p.acquired.how}; same figures as the current version"
            if "codes" in p.parsed.facts:
                detail += f"; {p.parsed.facts['codes']}"
            self._record(
                Outcome(
                    self.product,
                    p.acquired.release,
                    state,
                    detail,
                    rows=p.parsed.rows(),
                    sha256=p.acquired.landing.sha256,
                    raw_path=str(p.acquired.landing.path),
                    warnings=p.parsed.warnings,
                )
            )
        return self.versions

    def derive(self) -> dict[str, int]:
        """Rebuild the derived tables when this run wrote something (or one is missing)."""
        from occstats.derive import rebuild  # derive imports lineage, which imports this module's peers
        from occstats.schema import OOH_QUICKFACTS, SOC_CODES

        missing = not all(self.store.exists(t.name) for t in (SOC_CODES, OOH_QUICKFACTS))
        if not self.versions and not missing:
            return {}
        metadata = {"code_version": code_version(), "run_id": self.run_id, "product": self.product, "sources": []}
        written = rebuild(self.store, metadata)
        self.versions.update(written)
        return written

    # -- the ledger: which raw file each release was last curated from, under which code --------
    def _ledger_path(self) -> Path:
        return self.settings.curated_dir / LEDGER

    def _ledger(self) -> dict[str, Any]:
        path = self._ledger_path()
        return json.loads(path.read_text()) if path.is_file() else {}

    def _update_ledger(self) -> None:
        ledger = self._ledger()
        entries = ledger.setdefault(self.product, {})
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        for p in self.prepared:
            entries[p.acquired.release] = {
                "sha256": p.acquired.landing.sha256,
                "code_version": code_version(),
                "checked_at": now,
                "run_id": self.run_id,
            }
        path = self._ledger_path()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(ledger, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, path)

    # -- report --------------------------------------------------------------------------------
    def report(self) -> RunReport:
        return RunReport(self.product, self.run_id, self.started_at, list(self.outcomes.values()), self.versions)


def _previous_rows(tbl: Table, data: pa.Table, summary: dict[tuple[Any, ...], ReleaseState]) -> int | None:
    releases = release_values(tbl, data)
    if len(releases) != 1 or releases[0] not in summary:
        return None
    return summary[releases[0]].rows


def run_direct(job: Job, acquired: list[Acquired | None]) -> RunReport:
    """prepare + publish without Prefect (imports, tests): the same steps the flows run as tasks."""
    for item in acquired:
        if item is None:
            continue
        try:
            job.prepare(item)
        except Exception as exc:  # noqa: BLE001 - one release's failure is recorded; the others go on
            job.fail(item.release, exc)
    try:
        job.publish()
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the releases it stopped
        for p in job.prepared:
            job.fail(p.acquired.release, exc)
    job.derive()
    return job.report()
