"""Shared fixtures: where the real BLS files are, a scratch data directory, Prefect kept offline."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))  # the builders module beside the tests

# Prefect reads its settings at import: keep every test run offline and out of ~/.prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _shared() -> Path | None:
    env = os.environ.get("OCCSTATS_SHARED")
    candidate = Path(env) if env else ROOT.parent / "shared"
    return candidate if (candidate / "bls").is_dir() and (candidate / "bls-mirror").is_dir() else None


SHARED = _shared()
SKIP_NO_SHARED = "needs the real BLS files: ../shared (or OCCSTATS_SHARED) with bls/ and bls-mirror/ is absent"


@pytest.fixture(scope="session")
def shared() -> Path:
    if SHARED is None:
        pytest.skip(SKIP_NO_SHARED)
    return SHARED


@pytest.fixture(scope="session")
def mirror(shared: Path) -> Path:
    return shared / "bls-mirror"


@pytest.fixture
def settings(tmp_path: Path):
    from occstats.settings import Settings

    return Settings(data_dir=tmp_path / "data", http_retries=0, http_backoff=0, task_retries=0, task_retry_delay=0)


@pytest.fixture(scope="session")
def curated_data(tmp_path_factory) -> Path:
    """A data directory curated by the pipeline from generated files (tests/datadir.py); read, never written."""
    from datadir import build_data_dir

    return build_data_dir(tmp_path_factory.mktemp("curated"))


@pytest.fixture(scope="session")
def full_mirror(shared: Path) -> Path:
    """The full mirror (the shared mirror plus the time-series data file), built once per session.

    Built by ../shared/tools/build-full-mirror into its default place ($OCCSTATS_FULL_MIRROR or
    ~/.cache/bls-mirror-full): ~30 s and 330 MB the first time, instant after.
    """
    import subprocess

    tool = shared / "tools" / "build-full-mirror"
    if not tool.is_file():
        pytest.skip(f"needs {tool} to build the full mirror (the time-series data file)")
    done = subprocess.run([sys.executable, str(tool)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"could not build the full mirror: {(done.stderr or done.stdout).strip()[-300:]}")
    return Path(done.stdout.strip().splitlines()[-1])
