"""Operations through Prefect (issue 11, acceptance 1, 3, 4): Failed runs, no retry of a 403, signals.

The first tests run the flows in-process on one temporary server; the others run `occstats refresh`
as a user does (a subprocess with its own embedded server), which is what a signal or a missing
network meets.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from builders import oes_zip, put_release
from http_fakes import Forbidden

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setenv("OCCSTATS_HTTP_BACKOFF", "0")
    monkeypatch.setenv("OCCSTATS_TASK_RETRY_DELAY", "0")


def test_a_failed_release_ends_the_flow_run_failed_after_curating_the_others(prefect_server, tmp_path, quick):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.objects import StateType

    from flows.refresh import refresh_oes, report_of
    from occstats.store import Store

    mirror = tmp_path / "mirror"
    put_release(mirror, 2021, oes_zip(2021))
    put_release(mirror, 2022, b"PK\x03\x04 this is not a zip archive")  # broken: 2023 is simply absent
    data_dir = tmp_path / "data"

    state = refresh_oes(years="2021-2023", data_dir=str(data_dir), mirror=str(mirror), return_state=True)

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.state is not None and run.state.type is StateType.FAILED, "Prefect sees the failure"
    assert "oes: 1 release(s) failed: OES May 2022" in (run.state.message or "")
    report = report_of(state)
    assert {o["release"]: o["state"] for o in report["outcomes"]} == {
        "2021": "curated",
        "2022": "failed",
        "2023": "unavailable",
    }
    years = Store(data_dir / "curated").read("oes_estimates", columns=["ref_year"]).column("ref_year").unique()
    assert years.to_pylist() == [2021], "what passed was written"

    # unavailable releases alone do not fail a run
    state = refresh_oes(years="2021,2023", data_dir=str(data_dir), mirror=str(mirror), return_state=True)
    assert state.is_completed(), state.message
    assert {o["release"]: o["state"] for o in report_of(state)["outcomes"]} == {
        "2021": "unchanged",
        "2023": "unavailable",
    }


def test_a_403_is_asked_once_even_with_http_and_task_retries(prefect_server, tmp_path, quick, monkeypatch):
    from flows.refresh import refresh_oes, report_of

    monkeypatch.setenv("OCCSTATS_HTTP_RETRIES", "4")
    monkeypatch.setenv("OCCSTATS_TASK_RETRIES", "2")
    Forbidden.requests = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Forbidden)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        mirror = f"http://127.0.0.1:{httpd.server_address[1]}"
        state = refresh_oes(years="2021", data_dir=str(tmp_path / "data"), mirror=mirror, return_state=True)
    finally:
        httpd.shutdown()
    assert Forbidden.requests == 1
    assert state.is_failed()
    [outcome] = report_of(state)["outcomes"]
    assert "HTTP 403 Forbidden" in outcome["detail"] and "OCCSTATS_USER_AGENT" in outcome["detail"]


# -- the CLI as a user runs it ----------------------------------------------------------------------
def cli_env(data_dir: Path, **more: str) -> dict[str, str]:
    env = {**os.environ, "OCCSTATS_DATA_DIR": str(data_dir), "OCCSTATS_HTTP_BACKOFF": "0", **more}
    env.pop("PREFECT_API_URL", None)  # the embedded server, as a newcomer gets it
    env.pop("OCCSTATS_MIRROR", None)
    return env


def servers_of(data_dir: Path) -> list[int]:
    """Processes (Prefect servers) whose environment names this data directory's PREFECT_HOME."""
    home = f"PREFECT_HOME={data_dir / '.prefect'}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if home in (proc / "environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def no_server_left(data_dir: Path, within: float = 5.0) -> list[int]:
    ends = time.monotonic() + within
    while (left := servers_of(data_dir)) and time.monotonic() < ends:
        time.sleep(0.2)
    return left


class SlowMirror(SimpleHTTPRequestHandler):
    """Serves a mirror directory; the 2022 zip trickles, so a refresh is caught mid-download."""

    trickling: ClassVar[threading.Event] = threading.Event()

    def do_GET(self):
        if "oesm22nat" not in self.path:
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Length", str(10_000_000))
        self.end_headers()
        type(self).trickling.set()
        try:
            for _ in range(100_000):
                self.wfile.write(b"x" * 100)
                self.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.mark.parametrize(("signum", "code", "name"), [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_signal_mid_refresh_stops_it_clean(tmp_path, signum, code, name):
    from occstats.pipeline import import_files
    from occstats.settings import Settings
    from occstats.store import Store

    data_dir = tmp_path / "data"
    mirror = tmp_path / "mirror"
    old = put_release(mirror, 2021, oes_zip(2021))
    import_files(Settings(data_dir=data_dir), "oes", [old])  # a last good version to keep
    store = Store(data_dir / "curated")
    before = {name: (store.version(name), store.read(name)) for name in store.names()}

    SlowMirror.trickling = threading.Event()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SlowMirror, directory=str(mirror)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "occstats.cli", "refresh", "oes", "--years", "2021,2022", "--mirror", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(data_dir),
    )
    try:
        assert SlowMirror.trickling.wait(timeout=400), "the refresh never reached the 2022 download"
        time.sleep(0.5)
        proc.send_signal(signum)
        sent = time.monotonic()
        _out, err = proc.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
        httpd.shutdown()
    assert proc.returncode == code, err[-3000:]
    assert took < 10, f"took {took:.1f} s to stop"
    assert f"occstats: stopped by {name}" in err and "last good version" in err
    assert "Traceback" not in err, err[-3000:]
    after = {name: (store.version(name), store.read(name)) for name in store.names()}
    assert after.keys() == before.keys()
    for table, (version, rows) in before.items():
        assert after[table][0] == version and after[table][1].equals(rows), f"{table} changed"
    partial_files = [p for p in (data_dir / "raw").rglob("*") if p.name.startswith(".fetch-") or p.suffix == ".part"]
    assert partial_files == []
    assert not list((data_dir / "raw" / "oes").glob("2022")), "nothing of 2022 landed"
    assert not no_server_left(data_dir), "no embedded server outlives the CLI"
