"""Run settings, resolved once from options, environment and defaults.

Configuration is passed down explicitly (Prefect's habit: no module-level globals), so a test
or a flow can run two data directories side by side.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from occstats import __version__
from occstats.errors import ConfigError
from occstats.objectstore import DataPath, ObjectPath, is_url

ENV_DATA_DIR = "OCCSTATS_DATA_DIR"
ENV_MIRROR = "OCCSTATS_MIRROR"
ENV_USER_AGENT = "OCCSTATS_USER_AGENT"
ENV_HTTP_RETRIES = "OCCSTATS_HTTP_RETRIES"
ENV_HTTP_BACKOFF = "OCCSTATS_HTTP_BACKOFF"
ENV_TASK_RETRIES = "OCCSTATS_TASK_RETRIES"
ENV_TASK_RETRY_DELAY = "OCCSTATS_TASK_RETRY_DELAY"
ENV_CONNECT_TIMEOUT = "OCCSTATS_CONNECT_TIMEOUT"
ENV_READ_TIMEOUT = "OCCSTATS_READ_TIMEOUT"
ENV_MAX_RETRY_AFTER = "OCCSTATS_MAX_RETRY_AFTER"
ENV_FETCH_DEADLINE = "OCCSTATS_FETCH_DEADLINE"
ENV_MAX_INFLATED_BYTES = "OCCSTATS_MAX_INFLATED_BYTES"
ENV_MAX_ROWS = "OCCSTATS_MAX_ROWS"
ENV_MAX_CELLS = "OCCSTATS_MAX_CELLS"
ENV_CONCURRENCY = "OCCSTATS_CONCURRENCY"
ENV_PUBLISH_BATCH_MB = "OCCSTATS_PUBLISH_BATCH_MB"

# Releases parsed and validated at once (publishing stays one writer). Two matches the 2-core machines
# this runs on; the speed-up measured is in benchmarks/RESULTS.md. 1 runs them one after another.
DEFAULT_CONCURRENCY = max(1, min(2, os.cpu_count() or 1))

# Parsed releases are held in memory until they are published; a run publishes each time the releases
# it holds came from this many MB of landed files (at least one release at a time), so its memory no
# longer grows with the number of releases. `occstats refresh oes-industry` (12 zips, 63 MB, 6 M wage
# rows; 2026-12-07, 2 cores): all at once 35.3 s and 2.84 GiB peak; 32 MB 38.6 s, 2.36 GiB; 16 MB
# 40.8 s, 2.15 GiB; 8 MB 45.8 s, 1.73 GiB. A state, metro or all-data zip of BLS's is larger than the
# budget: it is published by itself.
DEFAULT_PUBLISH_BATCH_MB = 16.0

# What one input file may unpack to. No BLS workbook we read comes near these (the largest national
# workbook is a few MB of XML and ~1,400 rows); a workbook past them is refused before a reader
# allocates for it (calamine allocates rows x columns of a sheet's used range at once).
DEFAULT_MAX_INFLATED_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_ROWS = 1_048_576  # Excel's own limit
DEFAULT_MAX_CELLS = 20_000_000

# BLS answers 403 to clients that do not say who they are. A real deployment must put a contact
# address here (OCCSTATS_USER_AGENT); the default names the project so a mirror or BLS log shows it.
DEFAULT_USER_AGENT = (
    f"occstats/{__version__} (+https://github.com/occstats/occstats; "
    "set OCCSTATS_USER_AGENT to add your contact e-mail)"
)


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s@]*@")


def redact(text: str | None) -> str | None:
    """`http://user:pw@host/x` -> `http://host/x`, in a URL or anywhere in a message.

    Use it on every URL (or error text holding one) that is recorded or printed: manifests,
    commit metadata, flow parameters, log lines.
    """
    return None if text is None else _USERINFO.sub(r"\1", text)


def _env_number(name: str, default: float, kind: type, minimum: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name}={raw!r} is not {what}") from None
    if not value >= minimum:  # also refuses nan
        raise ConfigError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    return int(_env_number(name, default, int, minimum))


def _env_float(name: str, default: float, minimum: float = 0.0) -> float:
    return float(_env_number(name, default, float, minimum))


@dataclass(frozen=True)
class InputLimits:
    """How much one input file may unpack to, and how large a sheet may be."""

    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES
    max_rows: int = DEFAULT_MAX_ROWS
    max_cells: int = DEFAULT_MAX_CELLS

    @classmethod
    def from_env(cls) -> InputLimits:
        """The limits set in the environment (readers are not handed Settings, so they ask here)."""
        return cls(
            max_inflated_bytes=_env_int(ENV_MAX_INFLATED_BYTES, DEFAULT_MAX_INFLATED_BYTES, 1),
            max_rows=_env_int(ENV_MAX_ROWS, DEFAULT_MAX_ROWS, 1),
            max_cells=_env_int(ENV_MAX_CELLS, DEFAULT_MAX_CELLS, 1),
        )


def check_mirror(mirror: str) -> str:
    """A mirror is an http(s) URL with a host, or a directory that exists; anything else is a usage error."""
    parts = urlsplit(mirror)
    if parts.scheme.lower() in ("http", "https"):
        if not parts.hostname:
            raise ConfigError(f"--mirror {redact(mirror)!r} names no host")
        return mirror
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", mirror):
        raise ConfigError(
            f"--mirror {redact(mirror)!r}: only http:// and https:// URLs or a local directory are supported"
        )
    if not Path(mirror).expanduser().is_dir():
        raise ConfigError(f"--mirror {mirror!r} is neither an http(s) URL nor an existing directory")
    return mirror


def check_object_dir(path: ObjectPath, *, writable: bool) -> ObjectPath:
    """An object-store data directory that answers: readers make one request, writers put and delete a probe.

    The error names the URL and the store's answer (never credentials: they live in AWS_* variables).
    """
    if not writable:
        try:
            path.exists()  # one request: an unreachable store is a clear error here, not a traceback later
        except OSError as exc:
            raise ConfigError(
                f"data directory {path} cannot be reached ({redact(str(exc))}); "
                "check AWS_ENDPOINT_URL / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
            ) from None
    else:
        probe = path / f".occstats-probe-{os.getpid()}"
        try:
            probe.write_bytes(b"")
            probe.unlink(missing_ok=True)
        except OSError as exc:
            raise ConfigError(
                f"data directory {path} is not writable ({redact(str(exc))}); "
                "check the bucket and AWS_ENDPOINT_URL / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
            ) from None
    return path


def check_data_dir(path: Path, *, writable: bool) -> Path:
    """A data directory is a directory (or can become one) and, for commands that write, writable.

    Writability is tried, not inferred from permission bits (root passes those even on a
    read-only filesystem): a command that writes creates the directory and a scratch file in it.
    """
    if path.exists() and not path.is_dir():
        raise ConfigError(f"data directory {str(path)!r} is not a directory")
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise ConfigError(f"data directory {str(path)!r} cannot be created: {str(existing)!r} is not a directory")
    if writable:
        try:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=path, prefix=".occstats-probe-"):
                pass
        except OSError as exc:
            raise ConfigError(f"data directory {str(path)!r} is not writable ({exc.strerror or exc})") from None
    return path


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about where data lives and how to reach upstream."""

    data_dir: DataPath  # a local Path, or an ObjectPath for `s3://bucket/prefix` (objectstore.py)
    mirror: str | None = field(default=None, repr=False)  # may hold credentials: never print it raw
    user_agent: str = DEFAULT_USER_AGENT
    http_retries: int = 4
    http_backoff: float = 1.0
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    max_retry_after: float = 60.0  # a server's Retry-After beyond this is cut to it
    fetch_deadline: float = 600.0  # one file, all tries and waits included
    task_retries: int = 2
    task_retry_delay: float = 10.0
    limits: InputLimits = field(default_factory=InputLimits)
    concurrency: int = DEFAULT_CONCURRENCY
    publish_batch_mb: float = DEFAULT_PUBLISH_BATCH_MB

    @property
    def raw_dir(self) -> DataPath:
        return self.data_dir / "raw"

    @property
    def curated_dir(self) -> DataPath:
        return self.data_dir / "curated"

    @property
    def local_dir(self) -> Path:
        """Where this machine keeps working files (Prefect's home, raw-file copies): the data dir itself if local."""
        return self.data_dir.cache_dir() if isinstance(self.data_dir, ObjectPath) else self.data_dir

    @classmethod
    def resolve(
        cls,
        data_dir: str | Path | None = None,
        mirror: str | None = None,
        user_agent: str | None = None,
        *,
        writable: bool = False,
    ) -> Settings:
        """Options win over environment, environment over defaults; a bad value is a ConfigError.

        A mirror given without credentials takes them from OCCSTATS_MIRROR when that names the
        same URL with them: a caller can pass the redacted URL on (as a flow parameter, say) and
        keep the password out of what is recorded.
        """
        chosen_dir = data_dir or os.environ.get(ENV_DATA_DIR) or "data"
        resolved_dir: DataPath
        if isinstance(chosen_dir, ObjectPath) or is_url(chosen_dir):
            resolved_dir = chosen_dir if isinstance(chosen_dir, ObjectPath) else ObjectPath.from_url(str(chosen_dir))
            resolved_dir = check_object_dir(resolved_dir, writable=writable)
        else:
            resolved_dir = check_data_dir(Path(chosen_dir).expanduser().resolve(), writable=writable)
        env_mirror = os.environ.get(ENV_MIRROR) or None
        if mirror and env_mirror and mirror != env_mirror and redact(env_mirror) == mirror:
            mirror = env_mirror
        chosen_mirror = mirror or env_mirror
        return cls(
            data_dir=resolved_dir,
            mirror=check_mirror(chosen_mirror) if chosen_mirror else None,
            user_agent=user_agent or os.environ.get(ENV_USER_AGENT) or DEFAULT_USER_AGENT,
            http_retries=_env_int(ENV_HTTP_RETRIES, 4),
            http_backoff=_env_float(ENV_HTTP_BACKOFF, 1.0),
            connect_timeout=_env_float(ENV_CONNECT_TIMEOUT, 10.0, 0.001),
            read_timeout=_env_float(ENV_READ_TIMEOUT, 120.0, 0.001),
            max_retry_after=_env_float(ENV_MAX_RETRY_AFTER, 60.0),
            fetch_deadline=_env_float(ENV_FETCH_DEADLINE, 600.0, 0.001),
            task_retries=_env_int(ENV_TASK_RETRIES, 2),
            task_retry_delay=_env_float(ENV_TASK_RETRY_DELAY, 10.0),
            limits=InputLimits.from_env(),
            concurrency=_env_int(ENV_CONCURRENCY, DEFAULT_CONCURRENCY, 1),
            publish_batch_mb=_env_float(ENV_PUBLISH_BATCH_MB, DEFAULT_PUBLISH_BATCH_MB, 0.001),
        )


def prefect_environment(data_dir: Path) -> dict[str, str]:
    """Environment that lets a flow run offline on the embedded server (measured in STACK.md).

    Telemetry off on both client and server (offline it logs errors and can hang exit), and a
    project-local PREFECT_HOME so runs never touch ~/.prefect. Only defaults: a user's own
    PREFECT_* settings (a real server, say) win.
    """
    return {
        "PREFECT_HOME": str(data_dir / ".prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_UI_ENABLED": "false",
        # occstats' own progress and warnings also reach the Prefect run logs
        "PREFECT_LOGGING_EXTRA_LOGGERS": "occstats",
        # the embedded server's 20 s default timed out on a busy 2-core machine
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }


def apply_prefect_environment(data_dir: Path) -> None:
    """Set the defaults above before prefect is imported (it reads settings at import).

    Prefect does not create missing parents of its home, and its embedded server then fails to
    start: a first run into a new data directory must create it.
    """
    for key, value in prefect_environment(data_dir).items():
        os.environ.setdefault(key, value)
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
