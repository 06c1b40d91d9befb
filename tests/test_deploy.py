"""`occstats deploy`: deployments on BLS's calendar, with parameters, and the failure automation.

The calendar tests compute run dates with Prefect's own server-side schedule (not our code) and
hold them against BLS's publication windows; the prefect-marked tests create everything on a
temporary local Prefect server and read it back through Prefect's client.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

import pytest

from occstats import deployments
from occstats.deployments import CALENDAR, TIMEZONE, deployment_specs
from occstats.errors import ConfigError
from occstats.products import REGISTRY

ET = ZoneInfo(TIMEZONE)


def run_dates(product: str, year: int) -> list[dt.datetime]:
    """Every run of a product's deployment in one calendar year, as Prefect's server schedules them."""
    import asyncio

    from prefect.server.schemas.schedules import CronSchedule

    start, end = dt.datetime(year, 1, 1, tzinfo=ET), dt.datetime(year, 12, 31, 23, 59, tzinfo=ET)
    dates: list[dt.datetime] = []
    for when in CALENDAR[product]:
        schedule = CronSchedule(cron=when.cron, timezone=TIMEZONE, day_or=when.day_or)
        dates += asyncio.run(schedule.get_dates(n=1000, start=start, end=end))
    return sorted(d.astimezone(ET) for d in dates)


def test_every_product_in_the_registry_has_a_declared_schedule():
    assert set(CALENDAR) == {*REGISTRY, deployments.ALL}
    assert all(w.reason for whens in CALENDAR.values() for w in whens)


@pytest.mark.parametrize("product", ["oes", "oes_timeseries"])
def test_oes_runs_weekly_from_late_march_through_may_and_never_otherwise(product):
    for year in (2024, 2025, 2027):
        dates = run_dates(product, year)
        assert dates, year
        assert all(dt.date(year, 3, 22) <= d.date() <= dt.date(year, 5, 31) for d in dates), dates
        assert dates[0].date() <= dt.date(year, 3, 28), "the window opens in the last week of March"
        assert dates[-1].date() >= dt.date(year, 5, 25), "and stays open through May"
        gaps = {(b - a).days for a, b in itertools.pairwise(dates)}
        assert gaps <= {7}, f"weekly: {gaps}"
        assert all(d.hour == 11 for d in dates), "after BLS's 10:00 ET release, in Eastern time (DST included)"
    # BLS published OEWS May 2023 on 2024-04-03 and May 2024 on 2025-04-02: each picked up within a week
    for published in (dt.date(2024, 4, 3), dt.date(2025, 4, 2)):
        after = [d.date() for d in run_dates(product, published.year) if d.date() >= published]
        assert after and (after[0] - published).days < 7


@pytest.mark.parametrize("product", ["ep", "ep-matrix"])
def test_ep_runs_weekly_from_late_august_through_september(product):
    for year in (2025, 2026):
        dates = run_dates(product, year)
        assert all(dt.date(year, 8, 22) <= d.date() <= dt.date(year, 9, 30) for d in dates), dates
        assert dates[0].date() <= dt.date(year, 8, 28)
        assert dates[-1].date() >= dt.date(year, 9, 24)
        assert {(b - a).days for a, b in itertools.pairwise(dates)} <= {7}


def test_soc_is_checked_once_a_month_and_refresh_all_runs_on_demand():
    assert [d.month for d in run_dates("soc", 2026)] == list(range(1, 13))
    assert CALENDAR[deployments.ALL] == ()


def test_parameters_are_absolute_paths_or_urls_and_keep_no_credentials(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    params = deployments.deployment_parameters("data", "mirror", None)
    assert params == {"data_dir": str(tmp_path / "data"), "mirror": str(tmp_path / "mirror"), "user_agent": None}
    params = deployments.deployment_parameters("s3://bucket/prefix", "https://u:secret@mirror.example/bls", "me")
    assert params == {"data_dir": "s3://bucket/prefix", "mirror": "https://mirror.example/bls", "user_agent": "me"}


def test_one_deployment_per_product_plus_refresh_all_each_pointing_at_its_own_flow(tmp_path):
    from prefect.utilities.importtools import import_object

    specs = deployment_specs(tmp_path, None, None)
    assert [s.full_name for s in specs] == [*(f"refresh-{p}/occstats" for p in REGISTRY), "refresh-all/occstats"]
    built = deployments.build(specs)
    for spec, deployment in zip(specs, built, strict=True):
        assert deployment.entrypoint == spec.entrypoint
        assert import_object(deployment.entrypoint).name == spec.flow_name, "a runner loads the right flow"
        assert deployment.parameters == spec.parameters


def test_a_bad_webhook_is_a_usage_error_before_prefect_starts(tmp_path, capsys):
    from occstats.cli import main

    code = main(["deploy", "--data-dir", str(tmp_path / "d"), "--notify-webhook", "ftp://user:pw@example.org/x"])
    err = capsys.readouterr().err
    assert code == 2
    assert "is not an http(s) URL" in err and "pw" not in err
    assert not (tmp_path / "d" / ".prefect").exists(), "Prefect was not started"


# -- on a local Prefect server ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _ours(client) -> dict:
    return {f"{client.read_flow(d.flow_id).name}/{d.name}": d for d in client.read_deployments()}


@pytest.mark.prefect
def test_deploy_creates_the_deployments_with_schedules_parameters_and_the_failure_automation(
    prefect_server, tmp_path, capsys
):
    from prefect.client.orchestration import get_client

    from occstats.cli import main

    mirror = tmp_path / "mirror"
    mirror.mkdir()
    hook = "http://127.0.0.1:9/occstats-hook"
    argv = ["deploy", "--data-dir", str(tmp_path / "data"), "--mirror", str(mirror), "--user-agent", "ops@x.org"]
    assert main([*argv, "--notify-webhook", hook]) == 0
    out = capsys.readouterr().out
    assert f"{len(REGISTRY) + 1} deployments created or updated" in out
    assert main(argv) == 0, "deploying again updates, never duplicates"

    expected_parameters = {"data_dir": str(tmp_path / "data"), "mirror": str(mirror), "user_agent": "ops@x.org"}
    with get_client(sync_client=True) as client:
        found = _ours(client)
        assert sorted(found) == sorted([*(f"refresh-{p}/occstats" for p in REGISTRY), "refresh-all/occstats"])
        for full_name, deployment in found.items():
            key = full_name.split("/")[0].removeprefix("refresh-")
            declared = CALENDAR[key if key in CALENDAR else key.replace("-", "_")]
            schedules = sorted((s.schedule.cron, s.schedule.timezone, s.schedule.day_or) for s in deployment.schedules)
            assert schedules == sorted((w.cron, TIMEZONE, w.day_or) for w in declared), full_name
            assert all(s.active for s in deployment.schedules)
            assert deployment.parameters == expected_parameters, full_name
            assert deployment.entrypoint.startswith("flows.refresh.refresh_")
            assert deployment.work_pool_name is None, "served deployments: `occstats deploy --serve` runs them"
        oes = found["refresh-oes/occstats"].schedules
        assert {s.schedule.cron for s in oes} == {"0 11 22-31 3 3", "0 11 * 4-5 3"}

        automations = client.read_automations_by_name(deployments.AUTOMATION_NAME)
        assert len(automations) == 1
        automation = automations[0]
        assert automation.enabled
        assert set(automation.trigger.expect) == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
        assert set(automation.trigger.match_related["prefect.resource.name"]) == {s.split("/")[0] for s in found}
        (action,) = automation.actions
        assert action.type == "call-webhook"
        block = client.read_block_document(action.block_document_id, include_secrets=True)
        assert block.name == deployments.WEBHOOK_BLOCK
        assert block.data["url"] == hook
        assert hook not in out, "the webhook URL is a secret: not printed"


@pytest.mark.prefect
def test_deploy_to_a_work_pool_creates_the_pool_and_attaches_every_deployment(prefect_server, tmp_path, capsys):
    from prefect.client.orchestration import get_client

    from occstats.cli import main

    assert main(["deploy", "--data-dir", str(tmp_path / "d"), "--name", "pooled", "--work-pool", "bls"]) == 0
    assert "prefect worker start --pool bls" in capsys.readouterr().out
    with get_client(sync_client=True) as client:
        assert client.read_work_pool("bls").type == "process"
        pooled = {k: d for k, d in _ours(client).items() if k.endswith("/pooled")}
    assert len(pooled) == len(REGISTRY) + 1
    assert {d.work_pool_name for d in pooled.values()} == {"bls"}
    assert all(re.fullmatch(r"refresh-[a-z_-]+/pooled", k) for k in pooled)


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self):
        self.received.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.prefect
def test_a_failed_refresh_run_calls_the_webhook(prefect_server, tmp_path):
    """Live: the local server's automation service sees the Failed run and POSTs the payload."""
    from flows.refresh import refresh_oes

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    _Hook.received = []
    try:
        deployments.create_failure_automation(f"http://127.0.0.1:{httpd.server_address[1]}/hook", ["refresh-oes"])
        with pytest.raises(ConfigError):
            refresh_oes(years="1800", data_dir=str(tmp_path / "data"))  # fails before any fetch
        deadline = time.monotonic() + 60
        while not _Hook.received and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        httpd.shutdown()
    assert _Hook.received, "no webhook call within 60 s of the Failed run"
    payload = _Hook.received[0]
    assert payload["flow"] == "refresh-oes" and payload["state"] == "Failed"
    assert payload["text"].startswith("occstats: refresh-oes run ")


@pytest.mark.prefect
def test_deploy_serve_runs_a_deployment_with_its_parameters_and_stops_on_sigterm(prefect_server, tmp_path):
    from builders import oes_zip, put_release
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import get_current_settings

    from occstats.holdings import Holdings
    from occstats.store import Store

    mirror = tmp_path / "mirror"
    put_release(mirror, 2021, oes_zip(2021))
    data_dir = tmp_path / "data"
    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "PREFECT_API_URL": get_current_settings().api.url,
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root), os.environ.get("PYTHONPATH", "")]),
    }
    argv = ["deploy", "--data-dir", str(data_dir), "--mirror", str(mirror), "--name", "served", "--serve"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "occstats.cli", *argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        with get_client(sync_client=True) as client:
            deadline = time.monotonic() + 120
            while "refresh-oes/served" not in _ours(client) and time.monotonic() < deadline:
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(1)
        run = run_deployment("refresh-oes/served", parameters={"years": "2021"}, timeout=180)
        assert run.state.is_completed(), run.state
        # the run curated into the deployment's data dir, from the deployment's mirror
        held = Holdings(data_dir / "raw", "oes").curated("2021")
        assert held is not None and held.run_id
        assert Store(data_dir / "curated").exists("oes_estimates")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            output = proc.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("`occstats deploy --serve` did not stop within 20 s of SIGTERM")
    assert proc.returncode == 0, output
    assert "stopped serving" in output
