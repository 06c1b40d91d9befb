"""The CLI's side of Prefect: say it is starting, start it so it cannot outlive us, stop cleanly on signals.

With no `PREFECT_API_URL` a flow run starts Prefect's embedded server (a uvicorn child process) and
relies on `atexit` to stop it. Measured in issue 11: nothing printed for ~19 s while it started; a
Ctrl-C reached the server too (same process group), so the run spent ~140 s retrying API calls
against a dying server; SIGTERM and kill -9 skipped `atexit` and left the server orphaned.

So the CLI starts that same server itself, before the first flow run, as Prefect's own singleton
(`SubprocessASGIServer()`, which every Prefect client then reuses), with two changes to the child:
its own session (a terminal's Ctrl-C reaches the CLI only, which stops the server last, after the
flow run has recorded how it ended) and, on Linux, a parent-death signal (the kernel sends it SIGTERM
when the CLI dies, however it died, kill -9 included). SIGINT and SIGTERM become `Interrupted`, a
KeyboardInterrupt, so the pipeline's per-release `except Exception` lets it through and every
`finally` (store lock, temporary files) runs on the way out.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from occstats.errors import ConfigError, OccstatsError

log = logging.getLogger("occstats.progress")

ENV_API_URL = "PREFECT_API_URL"
ENV_STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal, as shells report it


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: stop now, leaving every table at its last good version."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(signal.Signals(self.signum), 128 + self.signum)


class OrchestratorError(OccstatsError):
    """Prefect's server could not be started or reached."""


def check_api_url() -> str | None:
    """A PREFECT_API_URL the user set must be an http(s) URL: checked before Prefect is imported."""
    url = os.environ.get(ENV_API_URL) or None
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{ENV_API_URL}={url!r} is not an http(s) URL of a Prefect API (e.g. http://127.0.0.1:4200/api)"
        )
    return url


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """The kernel sends this process SIGTERM when its parent dies (Linux); elsewhere atexit stops it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@contextlib.contextmanager
def _children_in_own_session() -> Iterator[None]:
    """Popen calls made inside start their child in its own session, tied to our life (see module doc)."""
    original = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen:
        kwargs.setdefault("start_new_session", True)
        if sys.platform.startswith("linux"):
            kwargs.setdefault("preexec_fn", _die_with_parent)
        return original(*args, **kwargs)

    subprocess.Popen = popen  # type: ignore[misc]
    try:
        yield
    finally:
        subprocess.Popen = original  # type: ignore[misc]


class Orchestrator:
    """Prefect for one CLI run: the embedded server (unless PREFECT_API_URL names one), stopped at the end."""

    def __init__(self) -> None:
        self.server: Any = None

    def start(self) -> str:
        """Start the embedded server (or name the running one); returns where the API is."""
        url = check_api_url()
        if url:
            log.info("occstats: using the Prefect server at %s (PREFECT_API_URL)", url)
            return url
        timeout = os.environ.get(ENV_STARTUP_TIMEOUT, "120")
        log.info(
            "occstats: starting the orchestrator (Prefect's embedded server; up to %s s on a busy machine, "
            "PREFECT_API_URL=… runs against a server already running)",
            timeout,
        )
        from prefect.server.api.server import SubprocessASGIServer

        self.server = SubprocessASGIServer()
        try:
            with _children_in_own_session():
                self.server.start()
        except Exception as exc:  # noqa: BLE001 - Prefect raises RuntimeError with the child's output
            self.stop()
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise OrchestratorError(
                f"Prefect's embedded server did not start within {timeout} s ({first[:200]}). Raise "
                f"{ENV_STARTUP_TIMEOUT}, or start one (`prefect server start`) and set {ENV_API_URL}"
            ) from None
        return str(self.server.api_url)

    def stop(self) -> None:
        """Stop the embedded server now (SIGTERM, then SIGKILL after 5 s: Prefect's own stop).

        Only when it failed to start: otherwise Prefect's atexit stops it, after its log and event
        workers have flushed to it (they are registered later, so run first).
        """
        server, self.server = self.server, None
        if server is not None:
            with contextlib.suppress(Exception):
                server.stop()


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted in the main thread for the duration (a second one is ignored)."""
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        # a second signal while unwinding is ignored: the first one's cleanup must finish
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        raise Interrupted(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
