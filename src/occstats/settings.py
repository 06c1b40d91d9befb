"""Run settings, resolved once from options, environment and defaults.

Configuration is passed down explicitly (Prefect's habit: no module-level globals), so a test
or a flow can run two data directories side by side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from occstats import __version__

ENV_DATA_DIR = "OCCSTATS_DATA_DIR"
ENV_MIRROR = "OCCSTATS_MIRROR"
ENV_USER_AGENT = "OCCSTATS_USER_AGENT"
ENV_HTTP_RETRIES = "OCCSTATS_HTTP_RETRIES"
ENV_HTTP_BACKOFF = "OCCSTATS_HTTP_BACKOFF"
ENV_TASK_RETRIES = "OCCSTATS_TASK_RETRIES"
ENV_TASK_RETRY_DELAY = "OCCSTATS_TASK_RETRY_DELAY"

# BLS answers 403 to clients that do not say who they are. A real deployment must put a contact
# address here (OCCSTATS_USER_AGENT); the default names the project so a mirror or BLS log shows it.
DEFAULT_USER_AGENT = (
    f"occstats/{__version__} (+https://github.com/occstats/occstats; "
    "set OCCSTATS_USER_AGENT to add your contact e-mail)"
)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know about where data lives and how to reach upstream."""

    data_dir: Path
    mirror: str | None = None
    user_agent: str = DEFAULT_USER_AGENT
    http_retries: int = 4
    http_backoff: float = 1.0
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    task_retries: int = 2
    task_retry_delay: float = 10.0

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def curated_dir(self) -> Path:
        return self.data_dir / "curated"

    @classmethod
    def resolve(
        cls,
        data_dir: str | Path | None = None,
        mirror: str | None = None,
        user_agent: str | None = None,
    ) -> Settings:
        """Options win over environment, environment over defaults."""
        resolved_dir = Path(data_dir or os.environ.get(ENV_DATA_DIR) or "data").expanduser().resolve()
        return cls(
            data_dir=resolved_dir,
            mirror=mirror or os.environ.get(ENV_MIRROR) or None,
            user_agent=user_agent or os.environ.get(ENV_USER_AGENT) or DEFAULT_USER_AGENT,
            http_retries=_env_int(ENV_HTTP_RETRIES, 4),
            http_backoff=_env_float(ENV_HTTP_BACKOFF, 1.0),
            task_retries=_env_int(ENV_TASK_RETRIES, 2),
            task_retry_delay=_env_float(ENV_TASK_RETRY_DELAY, 10.0),
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
