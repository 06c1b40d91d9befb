"""One run over one product: a straight line of small steps, and the one function that runs them.

    acquire(ctx, release | file) -> Acquired      fetch (conditionally) or import, and land untouched
    prepare(ctx, acquired)       -> Prepared      parse, validate, check codes (or: already curated)
    publish(ctx, [Prepared])     -> Published     one commit per table that changed; the holdings
    derive(ctx, wrote)           -> versions      the tables built from the others

A step returns either its product or an Outcome that ends that release (unavailable, unchanged,
failed). `run()` is the only loop over releases: the CLI's import calls it directly, and the
Prefect flows call it with a runner that makes each step a task (retries on the network step),
so the path the tests take is the path a refresh takes. The run report only accumulates outcomes.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import pyarrow as pa

from occstats import products, schema, untitled
from occstats.catalog import Release, companions
from occstats.classification import Classification, codes_in_system
from occstats.drift import pick_baseline
from occstats.errors import ConfigError, FetchRefused, OccstatsError, ReleaseUnavailable, SourceError, ValidationError
from occstats.fetch import Fetched, Validators, fetch, mirror_url, sha256_file
from occstats.fingerprint import code_version
from occstats.holdings import Curated, Holdings, now
from occstats.labels import release_label
from occstats.lineage import from_store as classification_from_store
from occstats.raw import UNIDENTIFIED, Landing, RawStore
from occstats.settings import Settings
from occstats.sources.base import ParsedRelease, Product
from occstats.store import ReleaseState, ReleaseValues, Store, release_values
from occstats.validate import CheckResult

log = logging.getLogger("occstats.progress")

T = TypeVar("T")


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
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        """For people: "OES May 2019", "EP 2024-34" (the release id stays the key)."""
        return release_label(self.product, self.release)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "state": self.state.value}


@dataclass(frozen=True)
class FileInput:
    """A local file to import (an old release BLS no longer serves), with the release if the user gave it."""

    path: Path
    release_id: str | None = None

    @property
    def label(self) -> str:
        return self.release_id or self.path.name


Input = Release | FileInput


@dataclass(frozen=True)
class Companion:
    """A file landed with a release's own file because the parser needs it beside it (a code list)."""

    name: str
    landing: Landing
    new_landing: bool
    url: str | None = None
    validators: Validators | None = None


@dataclass(frozen=True)
class Acquired:
    """A file in the raw store, ready to curate (with the companion files its catalog entry declares)."""

    release: str
    landing: Landing
    new_landing: bool
    how: str  # "downloaded", "not modified (304)", "imported", …
    url: str | None = None  # the catalog URL it answers, remembered once it is curated
    validators: Validators | None = None
    companions: tuple[Companion, ...] = ()

    @property
    def anything_new(self) -> bool:
        """A new landing of the release's file or of any companion: the release must be parsed again."""
        return self.new_landing or any(c.new_landing for c in self.companions)


@dataclass(frozen=True)
class Prepared:
    acquired: Acquired
    parsed: ParsedRelease
    checks: tuple[CheckResult, ...]
    codes: str | None  # "1401/1401 detailed codes in soc-2018 (100%)"

    def table_releases(self, table: str) -> list[ReleaseValues]:
        """This release's rows as each table keys them (a product release may feed several table releases)."""
        tbl = schema.table(table)
        return release_values(tbl, self.parsed.tables[table])


@dataclass(frozen=True)
class Published:
    outcomes: list[Outcome]
    versions: dict[str, int]


@dataclass
class Context:
    """What every step of one run shares: where data lives, which product, and this run's identity."""

    settings: Settings
    product: Product
    raw: RawStore
    store: Store
    holdings: Holdings
    run_id: str
    started_at: str
    _summaries: dict[str, dict[ReleaseValues, ReleaseState]] = field(default_factory=dict)
    _classification: Classification | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)  # releases are prepared in parallel
    unreachable: dict[str, str] = field(default_factory=dict)  # host -> why: not tried again this run

    @classmethod
    def open(cls, settings: Settings, product: str) -> Context:
        spec = products.product(product)
        return cls(
            settings=settings,
            product=spec,
            raw=RawStore(settings.raw_dir),
            store=Store(settings.curated_dir, pinned=False),  # the writer compares with the latest versions
            holdings=Holdings(settings.raw_dir, spec.name),
            run_id=uuid.uuid4().hex[:12],
            started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )

    @property
    def name(self) -> str:
        return self.product.name

    def summary(self, table: str) -> dict[ReleaseValues, ReleaseState]:
        """What a table holds per release, read once per publish batch (the store changes only in publish)."""
        with self._lock:
            if table not in self._summaries:
                self._summaries[table] = self.store.release_summary(schema.table(table))
            return self._summaries[table]

    def classification(self) -> Classification:
        with self._lock:
            if self._classification is None:
                self._classification = classification_from_store(self.store, with_usage=False)
            return self._classification

    def outcome(self, release: str, state: State, detail: str = "", **more: Any) -> Outcome:
        return Outcome(self.name, release, state, detail, **more)


def failure(ctx: Context, release: str, exc: BaseException, **more: Any) -> Outcome:
    """A failed release with a one-line reason (the full traceback only for bugs, at debug level)."""
    if isinstance(exc, OccstatsError):
        detail = str(exc)
    else:
        detail = f"{type(exc).__name__}: {exc}"
        log.debug("unexpected error in %s %s\n%s", ctx.name, release, traceback.format_exc())
    return ctx.outcome(release, State.FAILED, detail, **more)


# -- acquire ----------------------------------------------------------------------------------------
def plan(ctx: Context, years: list[int] | None = None) -> list[Release]:
    return ctx.product.catalog.releases(years)


def acquire(ctx: Context, item: Input) -> Acquired | Outcome:
    """Land one catalog release (fetched) or local file (imported). Network errors propagate for retry."""
    if isinstance(item, FileInput):
        return _import_file(ctx, item)
    return _fetch_release(ctx, item)


def _provenance(ctx: Context, fetched: Fetched) -> dict[str, Any]:
    """Where a landed file came from, as its manifest records it (a release's file and its companions alike)."""
    return {
        "origin": "mirror" if ctx.settings.mirror else "upstream",
        "url": fetched.url,
        "fetched_from": fetched.fetched_from,
        "fetched_at": fetched.fetched_at,
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "user_agent": fetched.user_agent,
    }


def _fetch_release(ctx: Context, release: Release) -> Acquired | Outcome:
    url = release.urls[0]
    remembered = ctx.holdings.validators(url)
    held = ctx.raw.with_sha256(ctx.name, remembered.sha256) if remembered and remembered.sha256 else None
    try:
        fetched = fetch(release.urls, ctx.raw.staging_dir(), ctx.settings, previous=remembered if held else None)
    except ReleaseUnavailable as exc:
        landed = ctx.raw.latest(ctx.name, release.release_id)
        if landed is not None:  # held (imported, or fetched when upstream still served it): curate what is held
            return Acquired(release.release_id, landed, False, f"held; {exc}")
        return ctx.outcome(release.release_id, State.UNAVAILABLE if release.expected else State.NOT_YET, str(exc))
    except FetchRefused as exc:  # retrying would not change it: a failed release now, not after task retries
        if exc.unreachable_host:
            ctx.unreachable[exc.unreachable_host] = str(exc)
        return failure(ctx, release.release_id, exc)
    validators = Validators(fetched.etag, fetched.last_modified, fetched.sha256)
    if not fetched.changed:
        assert held is not None  # a conditional request was made only with a held landing to fall back on
        beside = _fetch_companions(ctx, release, held.release_id, held.file_name)
        return Acquired(held.release_id, held, False, fetched.reason, url, validators, beside)
    assert fetched.path is not None
    provenance = _provenance(ctx, fetched)
    display = Path(fetched.url).name
    known = release.release_id if release.ref_year is not None else None
    try:
        found = _identify(ctx, fetched.path, display, known, None, provenance, fetched.sha256, move=True)
        if isinstance(found, Outcome):
            return found
        landing, new = ctx.raw.land(
            ctx.name, found, fetched.path, file_name=display, provenance=provenance, move=True, sha256=fetched.sha256
        )
    except BaseException:  # an error or an interrupt before landing: the staged download goes too
        fetched.path.unlink(missing_ok=True)
        raise
    beside = _fetch_companions(ctx, release, found, display)
    return Acquired(found, landing, new, fetched.reason, url, validators, beside)


def _fetch_companions(ctx: Context, release: Release, release_id: str, display: str) -> tuple[Companion, ...]:
    """Fetch (conditionally) and land each companion file the catalog declares, under the same release.

    Each is its own immutable landing with its manifest and sha256; a companion upstream lacks is
    an error naming it (the release cannot be parsed without it), never a silent gap.
    """
    landed = []
    for name, urls in companions(ctx.product.catalog, release).items():
        remembered = ctx.holdings.validators(urls[0])
        held = ctx.raw.with_sha256(ctx.name, remembered.sha256) if remembered and remembered.sha256 else None
        try:
            fetched = fetch(urls, ctx.raw.staging_dir(), ctx.settings, previous=remembered if held else None)
        except ReleaseUnavailable as exc:
            raise SourceError(name, f"{display} needs it beside it, and it is not available: {exc}") from exc
        validators = Validators(fetched.etag, fetched.last_modified, fetched.sha256)
        provenance = _provenance(ctx, fetched)
        if fetched.changed:
            assert fetched.path is not None
            source, move = fetched.path, True
        else:
            assert held is not None  # a conditional request was made only with a held landing to fall back on
            source, move = held.path, False  # the same bytes, held under another release: land them here too
        landing, new = ctx.raw.land(
            ctx.name,
            release_id,
            source,
            file_name=name,
            provenance=provenance,
            move=move,
            sha256=fetched.sha256,
            companion_of=display,
        )
        landed.append(Companion(name, landing, new, urls[0], validators))
    return tuple(landed)


def _unreachable(ctx: Context, item: Input) -> Outcome | None:
    """A release served by a host this run already found unreachable fails at once, with the same line."""
    if not isinstance(item, Release) or not ctx.unreachable:
        return None
    host = urlsplit(mirror_url(item.urls[0], ctx.settings.mirror)).netloc.rsplit("@", 1)[-1]
    why = ctx.unreachable.get(host)
    return ctx.outcome(item.release_id, State.FAILED, why) if why else None


def _import_file(ctx: Context, item: FileInput) -> Acquired | Outcome:
    path = item.path.expanduser().resolve()
    if not path.is_file():
        return failure(ctx, item.label, OccstatsError(f"{path}: no such file"))
    provenance = {"origin": "import", "url": None, "imported_from": str(path), "imported_at": now()}
    sha = sha256_file(path)
    found = _identify(ctx, path, path.name, None, item.release_id, provenance, sha, move=False)
    if isinstance(found, Outcome):
        return found
    landing, new = ctx.raw.land(ctx.name, found, path, file_name=path.name, provenance=provenance, sha256=sha)
    beside = _import_companions(ctx, path, found, provenance)
    fresh = new or any(c.new_landing for c in beside)
    return Acquired(found, landing, new, "imported" if fresh else "already imported", companions=beside)


def _import_companions(ctx: Context, path: Path, release_id: str, provenance: dict[str, Any]) -> tuple[Companion, ...]:
    """The companion files an imported release file needs, taken from its own folder (named if absent)."""
    names = companions(ctx.product.catalog, Release(ctx.name, release_id, ()))
    missing = [name for name in names if not (path.parent / name).is_file()]
    if missing:
        raise SourceError(
            path.name, f"needs {', '.join(missing)} beside it in {path.parent} (the release's code lists), not found"
        )
    landed = []
    for name in names:
        source = path.parent / name
        landing, new = ctx.raw.land(
            ctx.name,
            release_id,
            source,
            file_name=name,
            provenance={**provenance, "imported_from": str(source)},
            companion_of=path.name,
        )
        landed.append(Companion(name, landing, new))
    return tuple(landed)


def _identify(
    ctx: Context,
    path: Path,
    display: str,
    known: str | None,
    expected: str | None,
    provenance: dict[str, Any],
    sha: str | None,
    *,
    move: bool,
) -> str | Outcome:
    """The release a file holds; a file that cannot say lands under _unidentified for inspection."""
    if known is not None:
        return known  # the catalog knows it; parse() still cross-checks against the file's own words
    try:
        return ctx.product.source.identify(path, display_name=display, expected=expected)
    except OccstatsError as exc:
        landing, _ = ctx.raw.land(
            ctx.name, UNIDENTIFIED, path, file_name=display, provenance=provenance, move=move, sha256=sha
        )
        return failure(ctx, expected or display, exc, raw_path=str(landing.path))


# -- prepare ----------------------------------------------------------------------------------------
def prepare(ctx: Context, acquired: Acquired) -> Prepared | Outcome:
    """Parse, validate and check the codes of one landed release, unless it was already curated from this file."""
    landing = acquired.landing
    if not acquired.anything_new and _already_curated(ctx, acquired):
        detail = f"{acquired.how}; already curated from this file"
        return ctx.outcome(acquired.release, State.UNCHANGED, detail, sha256=landing.sha256, raw_path=str(landing.path))
    beside = (
        {"companions": {c.name: ctx.raw.local_file(c.landing) for c in acquired.companions}}
        if acquired.companions
        else {}
    )
    parsed = ctx.product.source.parse(
        ctx.raw.local_file(landing),
        sha256=landing.sha256,
        display_name=landing.file_name,
        release_id=acquired.release,
        **beside,
    )
    for name in parsed.tables:  # a file that cannot say what it is must not contradict what is held
        untitled.check(ctx.store, schema.table(name), parsed)
    results: list[CheckResult] = []
    for name, data in parsed.tables.items():
        tbl = schema.table(name)
        results += products.validate(
            tbl,
            data,
            release=parsed.label,
            previous_rows=_previous_rows(tbl.release_key, data, ctx.summary(name)),
            baseline=pick_baseline(ctx.store, tbl, data, ctx.summary(name))
            if products.has_drift_checks(name)
            else None,
            file=parsed.source_file,
        )
    codes = _check_codes(ctx, parsed)
    rows = ", ".join(f"{n} {t}" for t, n in parsed.rows().items())
    log.info("      %s parsed and validated (%s)", release_label(ctx.name, acquired.release), rows)
    return Prepared(acquired, parsed, tuple(results), codes)


def _previous_rows(
    release_key: Sequence[str], data: pa.Table, summary: dict[ReleaseValues, ReleaseState]
) -> int | None:
    keys = list(release_key)
    distinct = data.select(keys).group_by(keys, use_threads=False).aggregate([])
    if distinct.num_rows != 1:
        return None
    release = tuple(distinct.column(c)[0].as_py() for c in keys)
    return summary[release].rows if release in summary else None


def _check_codes(ctx: Context, parsed: ParsedRelease) -> str | None:
    """Every detailed code must resolve in the release's declared classification.

    Checked against the BLS crosswalks and the declared hybrid/combined codes only (never against
    the curated releases themselves, which would make the check circular).
    """
    for name, data in parsed.tables.items():
        result = codes_in_system(ctx.classification(), data)
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
            return f"{total} detailed codes in {system} (no reference list exists)"
        if ctx.classification().has_reference(system):
            return f"{found}/{total} detailed codes in {system} ({found / total:.0%})"
        parsed.warnings.append(f"{parsed.label}: codes not checked against {system}: run `occstats refresh soc` first")
        return None
    return None


def _already_curated(ctx: Context, acquired: Acquired) -> bool:
    """Curated from these very files by this code, and every table it fed still holds rows from them.

    A table fed from a companion (the time series' areas, from oe.area) carries that file's sha256.
    """
    sha256 = acquired.landing.sha256
    held = ctx.holdings.curated(acquired.release)
    if held is None or held.sha256 != sha256 or held.code_version != code_version():
        return False
    files = {sha256, *(c.landing.sha256 for c in acquired.companions)}
    tables = held.tables or tuple(t.name for t in ctx.product.tables)
    return all(any(files & state.sources for state in ctx.summary(name).values()) for name in tables)


# -- publish ----------------------------------------------------------------------------------------
def publish(ctx: Context, prepared: Sequence[Prepared]) -> Published:
    """Write every prepared release, one commit per table that changed; then record what is held."""
    if not prepared:
        return Published([], {})
    metadata = {
        "code_version": code_version(),
        "run_id": ctx.run_id,
        "product": ctx.name,
        "sources": [
            {
                "release": p.acquired.release,
                "sha256": p.acquired.landing.sha256,
                "file": p.parsed.source_file,
                "raw_path": p.acquired.landing.manifest["path"],
                "url": p.acquired.landing.manifest.get("url"),
                "facts": p.parsed.facts,
            }
            for p in prepared
        ],
    }
    versions: dict[str, int] = {}
    changed: set[ReleaseValues | tuple[str, ReleaseValues]] = set()
    with ctx.store.lock():
        writes = [
            (tbl, [p.parsed.tables[tbl.name] for p in prepared if tbl.name in p.parsed.tables])
            for tbl in ctx.product.tables
        ]
        for name, (version, changes) in ctx.store.write_tables([w for w in writes if w[1]], metadata).items():
            if version is not None:
                versions[name] = version
            changed |= {(name, change.release) for change in changes}
        # Last, and atomically: readers move to this product's new versions together (store.SNAPSHOT).
        ctx.store.record_snapshot([t.name for t in ctx.product.tables])
        _hold(ctx, prepared)
    ctx._summaries.clear()
    outcomes = []
    for p in prepared:
        wrote = any((t, r) in changed for t in p.parsed.tables for r in p.table_releases(t))
        how = p.acquired.how if wrote else f"{p.acquired.how}; same figures as the current version"
        detail = f"{how}; {p.codes}" if p.codes else how
        outcomes.append(
            ctx.outcome(
                p.acquired.release,
                State.CURATED if wrote else State.UNCHANGED,
                detail,
                rows=p.parsed.rows(),
                sha256=p.acquired.landing.sha256,
                raw_path=str(p.acquired.landing.path),
                warnings=p.parsed.warnings + [f for r in p.checks if not r.blocking for f in r.failures],
                checks=[r.to_dict() for r in p.checks],
            )
        )
    return Published(outcomes, versions)


def _hold(ctx: Context, prepared: Iterable[Prepared]) -> None:
    for p in prepared:
        _remember(ctx, p.acquired)
        ctx.holdings.record(
            p.acquired.release,
            Curated(
                p.acquired.landing.sha256, code_version(), now(), ctx.run_id, p.parsed.facts, tuple(p.parsed.tables)
            ),
        )
    ctx.holdings.save()


def _remember(ctx: Context, acquired: Acquired) -> None:
    """A URL's validators are kept once what it served was curated (or found unchanged), never before."""
    if acquired.url and acquired.validators:
        ctx.holdings.remember(acquired.url, acquired.validators, now())
    for companion in acquired.companions:
        if companion.url and companion.validators:
            ctx.holdings.remember(companion.url, companion.validators, now())


def derive(ctx: Context, wrote: bool) -> dict[str, int]:
    """Rebuild the derived tables when this run wrote something (or one is missing)."""
    from occstats.derive import DERIVED, rebuild  # derive reads every product's tables

    missing = not all(ctx.store.exists(t.name) for t in DERIVED)
    if not wrote and not missing:
        return {}
    metadata = {"code_version": code_version(), "run_id": ctx.run_id, "product": ctx.name, "sources": []}
    versions = rebuild(ctx.store, metadata)
    with ctx.store.lock():
        # every table derive wrote (soc_crosswalk's derived steps too), so readers see them together
        ctx.store.record_snapshot(sorted({*versions, *(t.name for t in DERIVED)}))
    return versions


# -- the one run function ---------------------------------------------------------------------------
class Runner(Protocol):
    """How a step is called: directly, or as a Prefect task (flows/)."""

    def __call__(self, step: Callable[..., T], *args: Any, label: str) -> T: ...


class Direct:
    """Calls each step in this process; `map` runs one step over many releases on a few threads."""

    def __call__(self, step: Callable[..., T], *args: Any, label: str) -> T:
        return step(*args)

    def map(
        self, step: Callable[..., T], ctx: Context, items: Sequence[Any], labels: Sequence[str]
    ) -> list[T | Exception]:
        """`step(ctx, item)` for each item, `ctx.settings.concurrency` at a time; each result or its exception."""

        def one(item: Any) -> T | Exception:
            try:
                return step(ctx, item)
            except Exception as exc:  # noqa: BLE001 - returned, so one release's failure stays its own
                return exc

        workers = min(ctx.settings.concurrency, len(items))
        if workers <= 1:
            return [one(item) for item in items]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="occstats-prepare") as pool:
            return list(pool.map(one, items))


direct = Direct()


def map_step(
    runner: Runner, step: Callable[..., T], ctx: Context, items: Sequence[Any], labels: Sequence[str]
) -> list[T | Exception]:
    """One step over many releases: concurrently where the runner can (`map`), else one after another."""
    concurrent = getattr(runner, "map", None)
    if concurrent is not None:
        return concurrent(step, ctx, items, labels)
    results: list[T | Exception] = []
    for item, label in zip(items, labels, strict=True):
        try:
            results.append(runner(step, ctx, item, label=label))
        except Exception as exc:  # noqa: BLE001
            results.append(exc)
    return results


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

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state is State.FAILED]

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


class _Progress:
    """Accumulates outcomes, one progress line each."""

    def __init__(self, ctx: Context, total: int) -> None:
        self.ctx = ctx
        self.total = total
        self.outcomes: dict[str, Outcome] = {}

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome.release] = outcome
        done, total = len(self.outcomes), max(self.total, len(self.outcomes))
        rows = ", ".join(f"{n} {t}" for t, n in outcome.rows.items())
        extra = f" ({rows})" if rows else ""
        detail = f": {outcome.detail}" if outcome.detail else ""
        width = len(str(total))
        log.info("[%*d/%d] %s %s%s%s", width, done, total, outcome.label, outcome.state.value, extra, detail)


def _acquire_all(ctx: Context, inputs: Sequence[Input], runner: Runner, progress: _Progress) -> list[Acquired]:
    """Fetch and land each input, one at a time (the network and the raw store's landing); the landed ones."""
    landed: list[Acquired] = []
    for item in inputs:
        label = item.release_id if isinstance(item, Release) else item.label
        if (blocked := _unreachable(ctx, item)) is not None:
            progress.add(blocked)
            continue
        try:
            acquired = runner(acquire, ctx, item, label=f"fetch {ctx.name} {label}")
        except Exception as exc:  # noqa: BLE001 - one release's failure is recorded; the others go on
            progress.add(failure(ctx, label, exc))
            continue
        if isinstance(acquired, Outcome):
            progress.add(acquired)
        else:
            landed.append(acquired)
    return landed


def publish_batches(landed: Sequence[Acquired], budget_bytes: float) -> list[list[Acquired]]:
    """The landed releases in order, cut into runs whose landed files add up to at most `budget_bytes`
    (a release larger than the budget alone is a batch of its own): what a run holds parsed at once."""
    batches: list[list[Acquired]] = []
    held = 0.0
    for acquired in landed:
        size = float(acquired.landing.manifest.get("size") or 0)
        if batches and batches[-1] and held + size <= budget_bytes:
            batches[-1].append(acquired)
            held += size
        else:
            batches.append([acquired])
            held = size
    return batches


def run(settings: Settings, product: str, inputs: Sequence[Input], *, runner: Runner = direct) -> RunReport:
    """acquire -> prepare for each input, then publish and derive: the only loop over releases.

    Parsed releases are held until published, so they are prepared and published in batches of at most
    `settings.publish_batch_mb` of landed files (12 industry zips at once peaked at 3 GiB). Each batch
    is one commit per table; readers move to a batch's versions together (store.SNAPSHOT).
    One release's failure is recorded and the others go on; a publish failure fails the releases it
    stopped and leaves every table at its last good version.
    """
    ctx = Context.open(settings, product)
    progress = _Progress(ctx, len(inputs))
    landed = _acquire_all(ctx, inputs, runner, progress)
    versions: dict[str, int] = {}
    for batch in publish_batches(landed, settings.publish_batch_mb * 1024 * 1024):
        versions.update(_prepare_and_publish(ctx, batch, runner, progress))
    if any(o.state is State.UNCHANGED for o in progress.outcomes.values()):
        ctx.holdings.save()
    versions.update(runner(derive, ctx, bool(versions), label=f"derive after {ctx.name}"))
    return RunReport(ctx.name, ctx.run_id, ctx.started_at, list(progress.outcomes.values()), versions)


def _prepare_and_publish(ctx: Context, landed: list[Acquired], runner: Runner, progress: _Progress) -> dict[str, int]:
    """Parse and validate a batch of landed releases (concurrently), then publish the ones that passed."""
    ready: list[Prepared] = []
    labels = [f"curate {ctx.name} {a.release}" for a in landed]
    for acquired, result in zip(landed, map_step(runner, prepare, ctx, landed, labels), strict=True):
        if isinstance(result, Exception):
            progress.add(failure(ctx, acquired.release, result, sha256=acquired.landing.sha256))
        elif isinstance(result, Outcome):
            _remember(ctx, acquired)  # unchanged: what the URL serves is what is curated
            progress.add(result)
        else:
            ready.append(result)
    try:
        published = runner(publish, ctx, ready, label=f"publish {ctx.name}")
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the releases it stopped
        for p in ready:
            progress.add(failure(ctx, p.acquired.release, exc, sha256=p.acquired.landing.sha256))
        return {}
    for outcome in published.outcomes:
        progress.add(outcome)
    return dict(published.versions)


def refresh(settings: Settings, product: str, years: list[int] | None = None, *, runner: Runner = direct) -> RunReport:
    """Every catalog release of a product (or the given years), fetched conditionally."""
    ctx = Context.open(settings, product)
    return run(settings, product, plan(ctx, years), runner=runner)


def import_files(settings: Settings, product: str, files: Sequence[Path], release_id: str | None = None) -> RunReport:
    """Local files (old releases BLS no longer serves), curated without Prefect: no network, no retries.

    A product whose releases come with companion files (the time series' code lists) takes the
    release's own file; companions given too (a whole folder) are landed with it, not curated alone.
    """
    declared = set(companions(products.product(product).catalog, Release(product, release_id or "", ())))
    paths = [Path(f) for f in files]
    inputs = [p for p in paths if p.name not in declared]
    if paths and not inputs:
        raise ConfigError(
            f"{product}: {', '.join(p.name for p in paths)} are code lists; import the release's data file "
            "(they are taken from beside it)"
        )
    return run(settings, product, [FileInput(p, release_id) for p in inputs])
