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

import atexit
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import IO, Any
from urllib.parse import urlsplit

from occstats.errors import ConfigError, OccstatsError

log = logging.getLogger("occstats.progress")

ENV_API_URL = "PREFECT_API_URL"
ENV_STARTUP_TIMEOUT = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}  # 128 + the signal, as shells report it
STOP_GRACE = 2.0  # seconds the server has to stop on SIGTERM before SIGKILL (Prefect's own stop waits 5)


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
def _children_in_own_session(output: IO[bytes] | None = None) -> Iterator[None]:
    """Popen calls made inside start their child in its own session, tied to our life (see module doc),
    writing to `output` (the server's log): the server's own shutdown tracebacks (event flushes cancelled
    when it is stopped) are its business, not lines at the end of the user's run."""
    original = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen:
        kwargs.setdefault("start_new_session", True)
        if output is not None:
            kwargs.setdefault("stdout", output)
            kwargs.setdefault("stderr", subprocess.STDOUT)
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
        self.log: IO[bytes] | None = None  # the embedded server's output (server_log())
        self.exit_code: int | None = None  # set once interrupted: end the process right after the cleanup
        atexit.register(self._exit_promptly)  # registered first, so it runs last: after the server stopped

    def _exit_promptly(self) -> None:
        """After an interrupt, skip the interpreter's teardown of pandas, pyarrow and Prefect objects
        (measured 4-5 s on a loaded 2-core machine): everything was written and closed by now."""
        if self.exit_code is None:
            return
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(self.exit_code)

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
        log_path = server_log()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("ab")
        try:
            with _children_in_own_session(self.log):
                self.server.start()
            # registered after Prefect's own atexit stop, so it runs first; both run after Prefect's
            # log and event workers drained to the server (they drain at threading shutdown)
            atexit.register(self.stop)
        except Exception as exc:  # noqa: BLE001 - Prefect raises RuntimeError with the child's output
            self.stop()
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise OrchestratorError(
                f"Prefect's embedded server did not start within {timeout} s ({first[:200]}; its output is in "
                f"{log_path}). Raise {ENV_STARTUP_TIMEOUT}, or start one (`prefect server start`) and set "
                f"{ENV_API_URL}"
            ) from None
        return str(self.server.api_url)

    def stop(self) -> None:
        """Stop the embedded server: SIGTERM, SIGKILL after STOP_GRACE s (uvicorn waits for open
        connections: measured 4-5 s under load, which Prefect's own stop then ends with SIGKILL anyway)."""
        server, self.server = self.server, None
        if server is None:
            return
        process = getattr(server, "server_process", None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(Exception):
            server.stop()  # Prefect's bookkeeping (its process is gone by now)
        if self.log is not None:
            self.log.close()
            self.log = None


def server_log() -> Path:
    """Where the embedded server's output goes: `server.log` in PREFECT_HOME (`<data-dir>/.prefect`, set by
    settings.apply_prefect_environment before the server starts)."""
    home = os.environ.get("PREFECT_HOME") or str(Path.home() / ".prefect")
    return Path(home).expanduser() / "server.log"


def _quiet_prefect_console() -> None:
    """Prefect's "Crash detected!" lines stay in the run's logs on the server, off the terminal:
    the CLI says in one line what happened."""
    loggers = [logging.root, *(logging.getLogger(name) for name in list(logging.root.manager.loggerDict))]
    for logger in loggers:
        for handler in getattr(logger, "handlers", ()):
            if type(handler).__name__ == "PrefectConsoleHandler":
                handler.setLevel(logging.CRITICAL + 1)


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted in the main thread for the duration (a second one is ignored)."""
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        # a second signal while unwinding is ignored: the first one's cleanup must finish
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        _quiet_prefect_console()
        raise Interrupted(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
