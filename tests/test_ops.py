"""Operations without Prefect: fail fast offline, no retry of answers, clean interrupts, early argument checks."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from builders import oes_zip, put_release
from http_fakes import Forbidden

from occstats import fetch as fetch_module
from occstats.errors import FetchRefused
from occstats.fetch import fetch
from occstats.pipeline import State, import_files, refresh

ROOT = Path(__file__).resolve().parents[1]


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def with_(settings, **changes):
    return settings.__class__(**{**settings.__dict__, **changes})


@pytest.fixture
def no_dns(monkeypatch):
    """Every name lookup fails as it does on a machine without network; counts the lookups."""
    calls: list[str] = []

    def getaddrinfo(host, *args, **kwargs):
        calls.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


def test_dns_failure_is_tried_twice_then_one_line_with_the_mirror_hint(settings, tmp_path, no_dns):
    settings = with_(settings, http_retries=4, http_backoff=0.01, task_retries=2)
    with pytest.raises(FetchRefused) as caught:
        fetch(("https://www.bls.gov/oes/special-requests/oesm21nat.zip",), tmp_path / "staging", settings)
    message = str(caught.value)
    assert no_dns == ["www.bls.gov", "www.bls.gov"], "one short retry, not four with backoff"
    assert message == (
        "cannot reach www.bls.gov (name resolution failed): no network? point --mirror (env OCCSTATS_MIRROR) "
        "at a mirror directory or URL"
    )
    assert caught.value.unreachable_host == "www.bls.gov"


def test_connection_refused_names_the_mirror(settings, tmp_path):
    port = closed_port()
    settings = with_(settings, mirror=f"http://127.0.0.1:{port}", http_retries=4, http_backoff=0.01)
    with pytest.raises(FetchRefused, match=rf"cannot reach 127.0.0.1:{port} \(connection refused\): is the mirror"):
        fetch(("https://www.bls.gov/oes/a.zip",), tmp_path, settings)


def test_an_unreachable_host_fails_every_release_with_one_line_each_and_is_tried_once(settings, no_dns, caplog):
    settings = with_(settings, http_retries=4, http_backoff=0.01)
    with caplog.at_level(logging.INFO, logger="occstats.progress"):
        report = refresh(settings, "oes", [2019, 2020, 2021])
    assert [o.state for o in report.outcomes] == [State.FAILED] * 3
    assert len(no_dns) == 2, "the first release finds the host unreachable; the others do not try again"
    assert len({o.detail for o in report.outcomes}) == 1, "the same line for every release"
    assert "--mirror" in report.outcomes[0].detail
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("[")]
    assert len(lines) == 3 and all("failed: cannot reach www.bls.gov" in line for line in lines)
    assert report.exit_code == 1


def test_a_403_is_one_request_and_a_failed_release_not_an_exception(settings):
    Forbidden.requests = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Forbidden)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        settings = with_(settings, mirror=f"http://127.0.0.1:{httpd.server_address[1]}", http_retries=4)
        report = refresh(settings, "oes", [2021])
    finally:
        httpd.shutdown()
    assert Forbidden.requests == 1
    [outcome] = report.outcomes
    assert outcome.state is State.FAILED and "HTTP 403 Forbidden" in outcome.detail


def test_an_interrupt_mid_download_leaves_no_partial_file(settings, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    put_release(mirror, 2021, oes_zip(2021))

    def interrupted(response):
        yield response.raw.read(1000)
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch_module, "_chunks", interrupted)
    staging = tmp_path / "staging"
    with pytest.raises(KeyboardInterrupt):
        fetch(("https://www.bls.gov/oes/special-requests/oesm21nat.zip",), staging, with_(settings, mirror=str(mirror)))
    assert list(staging.iterdir()) == []


def test_a_held_release_is_never_reported_unavailable(settings, tmp_path):
    old = tmp_path / "old.zip"
    old.write_bytes(oes_zip(2021))
    assert import_files(settings, "oes", [old]).outcomes[0].state is State.CURATED
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    report = refresh(with_(settings, mirror=str(empty)), "oes", [2021, 2022])
    states = {o.release: o for o in report.outcomes}
    assert states["2022"].state is State.UNAVAILABLE
    assert states["2021"].state is State.UNCHANGED, states["2021"].detail
    assert states["2021"].detail.startswith("held; the mirror does not have it")
    assert report.exit_code == 3


def test_interrupted_carries_the_shell_exit_code():
    from occstats.orchestrator import Interrupted, signals_interrupt

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Interrupted) as caught, signals_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)  # the handler runs before the next line
    assert caught.value.exit_code == 143 and Interrupted(signal.SIGINT).exit_code == 130
    assert isinstance(caught.value, KeyboardInterrupt), "the pipeline's per-release `except Exception` lets it by"
    assert signal.getsignal(signal.SIGTERM) is before


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`occstats` in a fresh interpreter, reporting whether Prefect was imported."""
    code = (
        "import sys; from occstats.cli import main; rc = main(sys.argv[1:]); "
        "print('prefect imported' if 'prefect' in sys.modules else 'prefect not imported'); sys.exit(rc)"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--years", "20x8"], {}, "cannot read year range '20x8'"),
        (["--years", "2010-2008"], {}, "runs backwards"),
        (["--mirror", "ftp://example.org/"], {}, "only http:// and https://"),
        ([], {"OCCSTATS_HTTP_RETRIES": "three"}, "OCCSTATS_HTTP_RETRIES='three' is not a whole number"),
        ([], {"PREFECT_API_URL": "localhost:4200"}, "PREFECT_API_URL='localhost:4200' is not an http(s) URL"),
    ],
)
def test_refresh_arguments_are_checked_before_prefect_is_imported(tmp_path, args, env, message):
    done = cli("refresh", "oes", "--data-dir", str(tmp_path / "data"), *args, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()], "one line, no traceback"
    assert message in done.stderr and done.stderr.startswith("occstats: ")
    assert done.stdout.strip() == "prefect not imported"


def test_years_for_a_product_that_takes_none_is_a_usage_error(tmp_path):
    done = cli("refresh", "ep", "--years", "2020", "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 2 and "--years applies to" in done.stderr
    assert done.stdout.strip() == "prefect not imported"


def test_import_says_whether_anything_new_was_curated(tmp_path, capsys):
    from occstats.cli import main

    old = tmp_path / "old.zip"
    old.write_bytes(oes_zip(2021))
    data = str(tmp_path / "data")
    assert main(["import", "oes", str(old), "--data-dir", data, "-q"]) == 0
    assert _before_closing(capsys.readouterr().out) == "new: 1 release curated"
    assert main(["import", "oes", str(old), "--data-dir", data, "-q"]) == 0
    assert _before_closing(capsys.readouterr().out) == "nothing new: no release curated, no table changed"


def _before_closing(out: str) -> str:
    """The line just before the closing lines (which begin 'data directory: ...')."""
    lines = out.splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.startswith("data directory: ")]
    return lines[at - 1]


def test_downloads_a_killed_run_left_are_swept_and_live_ones_kept(tmp_path):
    from occstats.fetch import sweep_staging

    stale, live, other = tmp_path / ".fetch-old", tmp_path / ".fetch-live", tmp_path / "holdings.json"
    for path in (stale, live, other):
        path.write_bytes(b"x")
    os.utime(stale, (1_000_000, 1_000_000))
    os.utime(other, (1_000_000, 1_000_000))
    assert sweep_staging(tmp_path, older_than=600) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".fetch-live", "holdings.json"]
    assert sweep_staging(tmp_path / "absent", older_than=600) == []


def test_a_crashed_product_run_is_a_failed_outcome_in_refresh_all_and_an_error_alone():
    from prefect.states import Completed, Crashed, Failed

    from flows.refresh import report_of

    crashed = Crashed(data=ValueError("boom\nsecond line"))
    [outcome] = report_of(crashed, "oes_timeseries")["outcomes"]
    assert (outcome["state"], outcome["detail"]) == ("failed", "ValueError: boom")
    with pytest.raises(ValueError, match="boom"):
        report_of(crashed)
    assert report_of(Failed(data={"outcomes": []})) == {"outcomes": []}, "a Failed run keeps its report"
    assert report_of(Completed(data={"outcomes": []})) == {"outcomes": []}


# -- offline: no orchestrator for a refresh that cannot fetch anything (occstats.reachability) ----------
def test_the_probe_tells_refused_and_unresolvable_hosts_from_one_that_answers():
    from occstats.reachability import probe

    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        assert probe("127.0.0.1", listening.getsockname()[1]) is None
    assert probe("127.0.0.1", closed_port()) == "connection refused"
    assert probe("no-such-host.invalid", 443) == "name resolution failed"  # RFC 6761: never resolves


def test_the_hosts_probed_are_the_catalogs_first_urls_mapped_into_the_mirror(settings, tmp_path, monkeypatch):
    from occstats.reachability import all_unreachable, upstream_hosts

    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    bls = with_(settings, mirror=None)
    assert upstream_hosts(bls, ["oes", "oes_timeseries"]) == {("www.bls.gov", 443), ("download.bls.gov", 443)}
    port = closed_port()
    http_mirror = with_(settings, mirror=f"http://127.0.0.1:{port}")
    assert upstream_hosts(http_mirror, ["soc", "ep"]) == {("127.0.0.1", port)}
    assert all_unreachable(http_mirror, ["soc", "ep"]) == {f"127.0.0.1:{port}": "connection refused"}
    assert upstream_hosts(with_(settings, mirror=str(tmp_path)), ["oes"]) == set(), "a mirror directory is local"
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert upstream_hosts(bls, ["oes"]) == set(), "whether a proxy reaches BLS only the proxy knows"


def test_refresh_all_without_a_reachable_upstream_ends_in_seconds_one_line_per_release(tmp_path):
    """Issue 11, acceptance 3: no network, no mirror (here: a mirror URL that refuses connections)."""
    import time

    from occstats.products import REGISTRY

    port = closed_port()
    env = {**os.environ, "OCCSTATS_DATA_DIR": str(tmp_path / "data"), "OCCSTATS_HTTP_BACKOFF": "0"}
    for var in ("PREFECT_API_URL", "OCCSTATS_MIRROR"):
        env.pop(var, None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "occstats.cli", "refresh", "all", "--mirror", f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    seconds = time.monotonic() - started
    lines = done.stderr.splitlines()
    assert done.returncode == 1, done.stderr[-3000:]
    assert lines[0].startswith(f"occstats: cannot reach 127.0.0.1:{port} (connection refused): every release fails")
    assert not any(line.startswith("occstats: starting the orchestrator") for line in lines), (
        "Prefect's start-up is not waited for"
    )
    progress = [line for line in lines if line.startswith("[")]
    total = sum(len(p.catalog.releases(None)) for p in REGISTRY.values())
    assert len(progress) == total, "one line per release"
    hint = f"cannot reach 127.0.0.1:{port} (connection refused): is the mirror running?"
    assert all(hint in line for line in progress)
    assert "Traceback" not in done.stderr
    assert done.stdout.count("FAILED:") == total
    curated = tmp_path / "data" / "curated"
    assert not [p for p in curated.iterdir() if p.is_dir()], "no table was written"
    print(f"refresh all, unreachable mirror: {seconds:.1f} s, {total} releases")
    assert seconds < 30


def test_a_running_prefect_server_records_even_an_offline_refresh(settings, monkeypatch):
    """With PREFECT_API_URL the run goes through Prefect (its automations should see it Failed)."""
    import argparse

    from occstats.cli import _unreachable_upstream

    args = argparse.Namespace(product="all", years=None)
    unreachable = with_(settings, mirror=f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert _unreachable_upstream(args, unreachable) is None
    monkeypatch.delenv("PREFECT_API_URL")
    reports = _unreachable_upstream(args, unreachable)
    assert reports is not None and all(o["state"] == "failed" for r in reports for o in r["outcomes"])
