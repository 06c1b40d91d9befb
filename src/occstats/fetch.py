"""HTTP fetching: one code path for bls.gov, an HTTP mirror and a mirror directory.

A mirror maps `https://HOST/PATH` to `M/HOST/PATH`. When M is a directory it is served through a
requests transport adapter that answers like a web server (404, ETag, Last-Modified, 304), so the
retry, streaming, hashing and conditional-refresh logic below is exercised the same way offline.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.util.retry import Retry

from occstats.errors import FetchError, FetchRefused, ReleaseUnavailable
from occstats.settings import Settings, redact

log = logging.getLogger(__name__)

CHUNK = 1 << 16
RETRY_STATUSES = (429, 500, 502, 503, 504)  # 403, 404 and 410 are answers, never retried
UNREACHABLE_RETRY_WAIT = 1.0  # a host that cannot be reached (no DNS answer, refused) is tried once more, after this
MAX_REDIRECTS = 5
BLS_DOMAIN = "bls.gov"


@dataclass(frozen=True)
class Validators:
    """What the last landing of a URL told us, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Fetched:
    """The outcome of one fetch: a new file in a temporary path, or nothing new."""

    url: str  # the canonical BLS URL (credentials removed, as everywhere below)
    fetched_from: str  # where the bytes actually came from (mirror or redirect target)
    changed: bool
    path: Path | None  # temporary file; the caller lands it or deletes it
    sha256: str | None
    size: int | None
    etag: str | None
    last_modified: str | None
    user_agent: str
    fetched_at: str
    reason: str  # "downloaded", "not modified (304)", "same content hash"


def mirror_url(url: str, mirror: str | None) -> str:
    """Map a BLS URL into the mirror: `https://HOST/PATH` -> `M/HOST/PATH`."""
    if not mirror:
        return url
    parts = urlsplit(url)
    if mirror.startswith(("http://", "https://")):
        return f"{mirror.rstrip('/')}/{parts.netloc}{parts.path}"
    root = Path(mirror).expanduser().resolve()
    return (root / parts.netloc / parts.path.lstrip("/")).as_uri()


class LocalFileAdapter(BaseAdapter):
    """Serve `file://` URLs with the semantics of a static web server."""

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        path = Path(unquote(urlsplit(request.url).path))
        response = requests.Response()
        response.url = request.url
        response.request = request
        response.reason = "OK"
        if request.method not in ("GET", "HEAD"):
            response.status_code = 405
            return response
        if not path.is_file():
            response.status_code = 404
            response.reason = "Not Found"
            response.raw = _EmptyBody()
            return response
        stat = path.stat()
        etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
        last_modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = last_modified
        response.headers["Content-Length"] = str(stat.st_size)
        if request.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in request.headers
            and _not_modified_since(request.headers.get("If-Modified-Since"), stat.st_mtime)
        ):
            response.status_code = 304
            response.reason = "Not Modified"
            response.raw = _EmptyBody()
            return response
        response.status_code = 200
        response.raw = _EmptyBody() if request.method == "HEAD" else path.open("rb")
        return response

    def close(self) -> None:
        pass


class _EmptyBody:
    def read(self, *args, **kwargs) -> bytes:
        return b""

    def close(self) -> None:
        pass


def _not_modified_since(header: str | None, mtime: float) -> bool:
    if not header:
        return False
    try:
        since = email.utils.parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return False
    return int(mtime) <= int(since)


def make_session(settings: Settings) -> requests.Session:
    """A session with a contact User-Agent; retries, redirects and the deadline are `fetch`'s.

    urllib3's own retries are off: they would sleep as long as a server's Retry-After asks and
    know nothing of the per-file deadline. requests' redirect following is off too: it would
    follow a redirect to any scheme a mounted adapter serves, `file://` included.
    """
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=Retry(total=0, connect=0, read=0, redirect=0, status=0, raise_on_status=False))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.mount("file://", LocalFileAdapter())
    session.headers["User-Agent"] = settings.user_agent
    session.max_redirects = MAX_REDIRECTS
    return session


def allowed_hosts(settings: Settings, url: str) -> frozenset[str]:
    """Hosts a redirect may lead to: BLS's, the canonical URL's and the configured mirror's."""
    hosts = {urlsplit(url).hostname or ""}
    if settings.mirror and settings.mirror.startswith(("http://", "https://")):
        hosts.add(urlsplit(settings.mirror).hostname or "")
    return frozenset(h.lower() for h in hosts if h)


def _host_allowed(host: str | None, allowed: frozenset[str]) -> bool:
    host = (host or "").lower()
    return host in allowed or host == BLS_DOMAIN or host.endswith("." + BLS_DOMAIN)


def fetch(
    urls: tuple[str, ...],
    dest_dir: Path,
    settings: Settings,
    previous: Validators | None = None,
    session: requests.Session | None = None,
) -> Fetched:
    """Fetch the first of `urls` upstream has, conditionally on what was landed before.

    Raises ReleaseUnavailable when every URL answers 404/410, FetchError for anything else that
    survives the retries (403 included, with the User-Agent advice BLS's 403 needs). Every URL in
    what this returns or raises has its credentials removed.
    """
    own_session = session is None
    session = session or make_session(settings)
    missing: list[str] = []
    try:
        for url in urls:
            target = mirror_url(url, settings.mirror)
            try:
                result = _fetch_one(session, url, target, dest_dir, settings, previous)
            except _NotFound as exc:
                missing.append(f"{redact(target)} ({exc})")
                continue
            return result
    finally:
        if own_session:
            session.close()
    where = "the mirror" if settings.mirror else "BLS"
    others = f" (and {len(missing) - 1} older URL{'s' if len(missing) > 2 else ''})" if len(missing) > 1 else ""
    raise ReleaseUnavailable(f"{where} does not have it: {missing[0]}{others}")


class _NotFound(Exception):
    pass


class _Deadline:
    """One overall time budget for a file: every try, every wait and the whole body."""

    def __init__(self, seconds: float, target: str) -> None:
        self.seconds = seconds
        self.target = target
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        return self.ends - time.monotonic()

    def check(self, doing: str) -> None:
        if self.left() <= 0:
            raise FetchError(
                f"{redact(self.target)}: gave up {doing} after the {self.seconds:g}-second deadline per file "
                f"(OCCSTATS_FETCH_DEADLINE)"
            )

    def timeout(self, settings: Settings) -> tuple[float, float]:
        left = max(self.left(), 0.001)
        return min(settings.connect_timeout, left), min(settings.read_timeout, left)


def _retry_wait(response: requests.Response | None, attempt: int, settings: Settings) -> float:
    """Exponential backoff, or the server's Retry-After when it asks for longer, capped."""
    wait = settings.http_backoff * (2 ** (attempt - 1)) if settings.http_backoff else 0.0
    header = response.headers.get("Retry-After") if response is not None else None
    if header:
        asked: float | None
        if header.strip().isdigit():
            asked = float(header.strip())
        else:
            try:
                asked = email.utils.parsedate_to_datetime(header).timestamp() - time.time()
            except (TypeError, ValueError):
                asked = None
        if asked is not None:
            wait = max(wait, asked)
    return max(0.0, min(wait, settings.max_retry_after))


def _get(
    session: requests.Session,
    url: str,
    target: str,
    headers: dict[str, str],
    settings: Settings,
    deadline: _Deadline,
) -> requests.Response:
    """GET with retries on connection errors, 429 and 5xx, and redirects only to allowed http(s) hosts."""
    allowed = allowed_hosts(settings, url)
    attempt = 0
    while True:
        attempt += 1
        current, hops = target, 0
        try:
            while True:
                deadline.check("connecting")
                response = session.get(
                    current, headers=headers, stream=True, timeout=deadline.timeout(settings), allow_redirects=False
                )
                if not response.is_redirect:
                    break
                location = urljoin(current, response.headers["Location"])
                response.close()
                parts = urlsplit(location)
                if parts.scheme.lower() not in ("http", "https") or not _host_allowed(parts.hostname, allowed):
                    raise FetchError(
                        f"{redact(target)}: refused a redirect to {redact(location)!r}; redirects may lead only "
                        f"to http(s) on {', '.join(sorted({*allowed, BLS_DOMAIN}))}"
                    )
                hops += 1
                if hops > MAX_REDIRECTS:
                    raise FetchError(f"{redact(target)}: more than {MAX_REDIRECTS} redirects")
                current = location
        except requests.RequestException as exc:
            if _after_connection_error(exc, attempt, target, settings, deadline):
                continue  # after its own short wait
            response = None
        else:
            if response.status_code not in RETRY_STATUSES or attempt > settings.http_retries:
                return response
        wait = _retry_wait(response, attempt, settings)
        if response is not None:
            response.close()
        if wait >= deadline.left():
            status = f"HTTP {response.status_code}" if response is not None else "no answer"
            raise FetchError(
                f"{redact(target)}: {status}; a retry in {wait:g} s would pass the {deadline.seconds:g}-second "
                f"deadline per file (OCCSTATS_FETCH_DEADLINE)"
            )
        log.info("retrying %s in %.1f s (try %d)", redact(target), wait, attempt + 1)
        time.sleep(wait)


def unreachable(exc: BaseException) -> str | None:
    """Why a host could not be reached at all ("name resolution failed", "connection refused"), or None.

    Only failures to open a connection count (urllib3's NewConnectionError: no DNS answer, refused,
    no route); a timeout means a network that may just be slow and keeps the normal retry policy.
    """
    if not isinstance(exc, requests.ConnectionError) or isinstance(exc, requests.Timeout):
        return None
    cause = exc.args[0] if exc.args else None
    cause = getattr(cause, "reason", cause)
    if isinstance(cause, urllib3.exceptions.NameResolutionError):
        return "name resolution failed"
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        text = str(cause).lower()
        if "refused" in text:
            return "connection refused"
        if "unreachable" in text:
            return "network unreachable"
        return "no connection"
    return None


def _after_connection_error(
    exc: requests.RequestException, attempt: int, target: str, settings: Settings, deadline: _Deadline
) -> bool:
    """A host that cannot be reached gets one short retry (no backoff helps offline), then FetchRefused.

    Returns False for a failure that takes the normal retry policy, and raises once that is spent.
    """
    reason = unreachable(exc)
    if reason is None:
        if attempt > settings.http_retries or not isinstance(exc, (requests.ConnectionError, requests.Timeout)):
            raise FetchError(f"{redact(target)}: {type(exc).__name__}: {redact(str(exc))}") from exc
        return False
    if attempt > min(settings.http_retries, 1):
        raise _unreachable_error(target, reason, settings) from exc
    log.info("retrying %s in %.1f s (%s)", redact(target), UNREACHABLE_RETRY_WAIT, reason)
    time.sleep(max(0.0, min(UNREACHABLE_RETRY_WAIT, settings.http_backoff, deadline.left())))
    return True


def _unreachable_error(target: str, reason: str, settings: Settings) -> FetchRefused:
    host = urlsplit(target).netloc.rsplit("@", 1)[-1]
    if settings.mirror:
        hint = "is the mirror running? (--mirror, env OCCSTATS_MIRROR)"
    else:
        hint = "no network? point --mirror (env OCCSTATS_MIRROR) at a mirror directory or URL"
    return FetchRefused(f"cannot reach {host} ({reason}): {hint}", unreachable_host=host)


def _fetch_one(
    session: requests.Session,
    url: str,
    target: str,
    dest_dir: Path,
    settings: Settings,
    previous: Validators | None,
) -> Fetched:
    headers: dict[str, str] = {}
    if previous and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    fetched_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    deadline = _Deadline(settings.fetch_deadline, target)
    shown = redact(target)
    response = _get(session, url, target, headers, settings, deadline)
    with response:
        status = response.status_code
        if status in (404, 410):
            raise _NotFound(f"HTTP {status}")
        if status == 403:
            raise FetchRefused(
                f"{shown}: HTTP 403 Forbidden. BLS refuses clients without a contact User-Agent; "
                f"set OCCSTATS_USER_AGENT (or --user-agent) to something like "
                f"'occstats/0.1 (you@example.org)'. Sent: {settings.user_agent!r}"
            )
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        common = {
            "url": redact(url),
            "fetched_from": redact(response.url or target),
            "user_agent": settings.user_agent,
            "fetched_at": fetched_at,
            "etag": etag,
            "last_modified": last_modified,
        }
        if status == 304:
            if not headers:
                raise FetchError(
                    f"{shown}: answered 304 Not Modified to a request that was not conditional "
                    f"(nothing held to compare with); the server or a proxy in front of it is misbehaving"
                )
            return Fetched(
                changed=False,
                path=None,
                sha256=previous.sha256 if previous else None,
                size=None,
                reason="not modified (304)",
                **common,
            )
        if status != 200:
            after = " (after retries)" if status in RETRY_STATUSES else ""
            raise FetchError(f"{shown}: HTTP {status} {response.reason}{after}")
        path, sha, size = _stream_to_temp(response, dest_dir, shown, deadline)
    if previous and previous.sha256 == sha:
        path.unlink()
        return Fetched(changed=False, path=None, sha256=sha, size=size, reason="same content hash", **common)
    return Fetched(changed=True, path=path, sha256=sha, size=size, reason="downloaded", **common)


def _stream_to_temp(
    response: requests.Response, dest_dir: Path, target: str, deadline: _Deadline
) -> tuple[Path, str, int]:
    """Write the body to a temporary file beside its destination, hashing as it streams."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(prefix=".fetch-", dir=dest_dir)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(response):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                deadline.check(f"downloading (after {size} bytes)")
        expected = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding") not in (None, "", "identity")
        if not encoded and expected is not None and expected.isdigit() and int(expected) != size:
            raise FetchError(f"{target}: body ended after {size} of {expected} bytes")
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        path.unlink(missing_ok=True)
        raise FetchError(f"{target}: download interrupted: {redact(str(exc))}") from exc
    except BaseException:  # a FetchError, or Ctrl-C / SIGTERM mid-download: no partial file stays behind
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest(), size


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: `read1` returns what one read brings, so a server trickling bytes
    cannot hold a 64 KiB read open past the deadline the caller checks between chunks."""
    raw = response.raw
    if isinstance(raw, urllib3.response.BaseHTTPResponse):
        while chunk := raw.read1(CHUNK, decode_content=True):
            yield chunk
    else:
        yield from response.iter_content(CHUNK)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sweep_staging(staging: Path, older_than: float) -> list[Path]:
    """Remove downloads a killed run left behind (kill -9 runs no cleanup): `.fetch-*` files not
    written to for `older_than` seconds. A live download writes as it goes and ends by the per-file
    deadline, so with the deadline as the age no other run's file is touched."""
    removed = []
    cutoff = time.time() - older_than
    for path in staging.glob(".fetch-*") if staging.is_dir() else ():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed
