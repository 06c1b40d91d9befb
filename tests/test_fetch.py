"""Fetching against a real HTTP server on loopback and against a mirror directory."""

from __future__ import annotations

import email.utils
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from occstats.errors import FetchError, ReleaseUnavailable
from occstats.fetch import Validators, fetch, mirror_url

BODY = b"PK\x03\x04" + b"x" * 200_000
ETAG = '"v1"'
LAST_MODIFIED = email.utils.formatdate(1_700_000_000, usegmt=True)


class Upstream(BaseHTTPRequestHandler):
    """A tiny stand-in for bls.gov: flaky, picky about User-Agents, honours conditional GETs."""

    failures_left = 0
    seen_agents: ClassVar[list[str]] = []
    requests = 0
    truncate = False

    def do_GET(self):
        cls = type(self)
        cls.requests += 1
        cls.seen_agents.append(self.headers.get("User-Agent", ""))
        if "/missing/" in self.path:
            return self._reply(404)
        if "@" not in self.headers.get("User-Agent", "") and "/picky/" in self.path:
            return self._reply(403)
        if cls.failures_left > 0:
            cls.failures_left -= 1
            return self._reply(503)
        if self.headers.get("If-None-Match") == ETAG:
            return self._reply(304)
        self.send_response(200)
        self.send_header("ETag", ETAG)
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY[: len(BODY) // 2] if cls.truncate else BODY)

    def _reply(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Upstream.failures_left, Upstream.requests, Upstream.truncate = 0, 0, False
    Upstream.seen_agents = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_mirror_url_maps_host_and_path(tmp_path):
    url = "https://www.bls.gov/oes/special-requests/oesm24nat.zip"
    assert (
        mirror_url(url, "http://127.0.0.1:8000/")
        == "http://127.0.0.1:8000/www.bls.gov/oes/special-requests/oesm24nat.zip"
    )
    assert mirror_url(url, str(tmp_path)).endswith("/www.bls.gov/oes/special-requests/oesm24nat.zip")
    assert mirror_url(url, None) == url


def test_download_streams_hashes_and_sends_the_contact_user_agent(server, settings, tmp_path):
    ua = "occstats-test (ops@example.org)"
    settings = settings.__class__(**{**settings.__dict__, "mirror": server, "user_agent": ua})
    got = fetch(("https://www.bls.gov/oes/a.zip",), tmp_path, settings)
    assert got.changed and got.reason == "downloaded"
    assert got.path.read_bytes() == BODY and got.sha256 == hashlib.sha256(BODY).hexdigest()
    assert (got.etag, got.last_modified, got.user_agent) == (ETAG, LAST_MODIFIED, ua)
    assert Upstream.seen_agents == [ua]


def test_retries_5xx_with_backoff_then_succeeds(server, settings, tmp_path):
    Upstream.failures_left = 2
    settings = settings.__class__(**{**settings.__dict__, "mirror": server, "http_retries": 3, "http_backoff": 0.01})
    got = fetch(("https://www.bls.gov/oes/a.zip",), tmp_path, settings)
    assert got.changed and Upstream.requests == 3


def test_gives_up_after_the_retries_with_a_clear_error(server, settings, tmp_path):
    Upstream.failures_left = 10
    settings = settings.__class__(**{**settings.__dict__, "mirror": server, "http_retries": 1, "http_backoff": 0.01})
    with pytest.raises(FetchError, match="HTTP 503"):
        fetch(("https://www.bls.gov/oes/a.zip",), tmp_path, settings)
    assert Upstream.requests == 2
    assert not list(tmp_path.iterdir()), "no partial file is left behind"


def test_403_explains_the_user_agent_bls_requires(server, settings, tmp_path):
    settings = settings.__class__(**{**settings.__dict__, "mirror": server, "user_agent": "python-requests"})
    with pytest.raises(FetchError, match=r"contact User-Agent.*OCCSTATS_USER_AGENT"):
        fetch(("https://www.bls.gov/picky/a.zip",), tmp_path, settings)


def test_conditional_refresh_304_downloads_nothing(server, settings, tmp_path):
    settings = settings.__class__(**{**settings.__dict__, "mirror": server})
    previous = Validators(etag=ETAG, last_modified=LAST_MODIFIED, sha256="abc")
    got = fetch(("https://www.bls.gov/oes/a.zip",), tmp_path, settings, previous=previous)
    assert (got.changed, got.path, got.reason) == (False, None, "not modified (304)")


def test_same_content_hash_counts_as_unchanged(server, settings, tmp_path):
    settings = settings.__class__(**{**settings.__dict__, "mirror": server})
    previous = Validators(sha256=hashlib.sha256(BODY).hexdigest())  # no validators: server sends 200
    got = fetch(("https://www.bls.gov/oes/a.zip",), tmp_path, settings, previous=previous)
    assert (got.changed, got.reason) == (False, "same content hash")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".fetch-")]


def test_truncated_body_is_an_error_and_leaves_no_file(server, settings, tmp_path):
    Upstream.truncate = True
    settings = settings.__class__(**{**settings.__dict__, "mirror": server})
    with pytest.raises(FetchError):
        fetch(("https://www.bls.gov/oes/a.zip",), tmp_path, settings)
    assert not list(tmp_path.iterdir())


def test_falls_back_to_the_next_url_and_reports_when_none_exists(server, settings, tmp_path):
    settings = settings.__class__(**{**settings.__dict__, "mirror": server})
    got = fetch(("https://www.bls.gov/missing/a.zip", "https://www.bls.gov/oes/a.zip"), tmp_path, settings)
    assert got.url == "https://www.bls.gov/oes/a.zip"
    with pytest.raises(ReleaseUnavailable, match="does not have it"):
        fetch(("https://www.bls.gov/missing/a.zip",), tmp_path, settings)


def test_mirror_directory_behaves_like_a_server(settings, tmp_path):
    mirror = tmp_path / "mirror"
    target = mirror / "www.bls.gov" / "oes" / "a.zip"
    target.parent.mkdir(parents=True)
    target.write_bytes(BODY)
    settings = settings.__class__(**{**settings.__dict__, "mirror": str(mirror)})
    out = tmp_path / "out"
    first = fetch(("https://www.bls.gov/oes/a.zip",), out, settings)
    assert first.changed and first.etag and first.last_modified
    again = fetch(
        ("https://www.bls.gov/oes/a.zip",),
        out,
        settings,
        previous=Validators(first.etag, first.last_modified, first.sha256),
    )
    assert (again.changed, again.reason) == (False, "not modified (304)")
    with pytest.raises(ReleaseUnavailable):
        fetch(("https://www.bls.gov/oes/b.zip",), out, settings)
