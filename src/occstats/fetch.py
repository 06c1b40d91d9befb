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
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.util.retry import Retry

from occstats.errors import FetchError, ReleaseUnavailable
from occstats.settings import Settings

log = logging.getLogger(__name__)

CHUNK = 1 << 16
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class Validators:
    """What the last landing of a URL told us, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Fetched:
    """The outcome of one fetch: a new file in a temporary path, or nothing new."""

    url: str  # the canonical BLS URL
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
    """A session with a contact User-Agent and urllib3 retries with exponential backoff."""
    retry = Retry(
        total=settings.http_retries,
        connect=settings.http_retries,
        read=settings.http_retries,
        status=settings.http_retries,
        backoff_factor=settings.http_backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.mount("file://", LocalFileAdapter())
    session.headers["User-Agent"] = settings.user_agent
    return session


def fetch(
    urls: tuple[str, ...],
    dest_dir: Path,
    settings: Settings,
    previous: Validators | None = None,
    session: requests.Session | None = None,
) -> Fetched:
    """Fetch the first of `urls` upstream has, conditionally on what was landed before.

    Raises ReleaseUnavailable when every URL answers 404/410, FetchError for anything else that
    survives the retries (403 included, with the User-Agent advice BLS's 403 needs).
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
                missing.append(f"{target} ({exc})")
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
    try:
        response = session.get(
            target,
            headers=headers,
            stream=True,
            timeout=(settings.connect_timeout, settings.read_timeout),
        )
    except requests.RequestException as exc:
        raise FetchError(f"{target}: {type(exc).__name__}: {exc}") from exc
    with response:
        status = response.status_code
        if status in (404, 410):
            raise _NotFound(f"HTTP {status}")
        if status == 403:
            raise FetchError(
                f"{target}: HTTP 403 Forbidden. BLS refuses clients without a contact User-Agent; "
                f"set OCCSTATS_USER_AGENT (or --user-agent) to something like "
                f"'occstats/0.1 (you@example.org)'. Sent: {settings.user_agent!r}"
            )
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        common = {
            "url": url,
            "fetched_from": response.url or target,
            "user_agent": settings.user_agent,
            "fetched_at": fetched_at,
            "etag": etag,
            "last_modified": last_modified,
        }
        if status == 304:
            return Fetched(
                changed=False,
                path=None,
                sha256=previous.sha256 if previous else None,
                size=None,
                reason="not modified (304)",
                **common,
            )
        if status != 200:
            raise FetchError(f"{target}: HTTP {status} {response.reason} (after retries)")
        path, sha, size = _stream_to_temp(response, dest_dir, target)
    if previous and previous.sha256 == sha:
        path.unlink()
        return Fetched(changed=False, path=None, sha256=sha, size=size, reason="same content hash", **common)
    return Fetched(changed=True, path=path, sha256=sha, size=size, reason="downloaded", **common)


def _stream_to_temp(response: requests.Response, dest_dir: Path, target: str) -> tuple[Path, str, int]:
    """Write the body to a temporary file beside its destination, hashing as it streams."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(prefix=".fetch-", dir=dest_dir)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in response.iter_content(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        expected = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding") not in (None, "", "identity")
        if not encoded and expected is not None and expected.isdigit() and int(expected) != size:
            raise FetchError(f"{target}: body ended after {size} of {expected} bytes")
    except (requests.RequestException, OSError) as exc:
        path.unlink(missing_ok=True)
        raise FetchError(f"{target}: download interrupted: {exc}") from exc
    except FetchError:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest(), size


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
