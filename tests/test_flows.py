"""The Prefect flows on a temporary Prefect server (started once per test session: ~8 s)."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from builders import oes_zip, put_release

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    # 180 s: on a busy 2-core machine the embedded server took over 60 s to answer (CI-like run, 8 jobs)
    with prefect_test_harness(server_startup_timeout=180):
        yield


class FlakyMirror(SimpleHTTPRequestHandler):
    """Serves a mirror directory but answers 503 to the first request for each file it has."""

    failed: ClassVar[set[str]] = set()

    def do_GET(self):
        exists = Path(self.translate_path(self.path)).is_file()
        if exists and self.path not in self.failed:
            self.failed.add(self.path)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


def test_refresh_flow_retries_the_network_task_and_leaves_a_markdown_artifact(prefect_server, tmp_path, monkeypatch):
    from prefect.client.orchestration import get_client

    from flows.refresh import refresh_oes

    mirror = tmp_path / "mirror"
    put_release(mirror, 2021, oes_zip(2021))
    put_release(mirror, 2022, oes_zip(2022))
    FlakyMirror.failed = set()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(FlakyMirror, directory=str(mirror)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("OCCSTATS_HTTP_RETRIES", "0")  # only Prefect's task retry can save the fetch
    monkeypatch.setenv("OCCSTATS_TASK_RETRIES", "1")
    monkeypatch.setenv("OCCSTATS_TASK_RETRY_DELAY", "0")
    try:
        result = refresh_oes(
            years="2021,2022,2023",
            data_dir=str(tmp_path / "data"),
            mirror=f"http://127.0.0.1:{httpd.server_address[1]}",
        )
    finally:
        httpd.shutdown()

    states = {o["release"]: o["state"] for o in result["outcomes"]}
    assert states == {"2021": "curated", "2022": "curated", "2023": "unavailable"}
    assert result["versions"] == {"oes_estimates": 0, "oes_wages": 0, "soc_codes": 0}, "soc_codes derived after"

    with get_client(sync_client=True) as client:
        artifacts = [a for a in client.read_artifacts() if a.key == "oes-refresh"]
    assert artifacts, "the run leaves a markdown artifact"
    text = artifacts[0].data
    assert "| OES May 2021 | curated |" in text and "| OES May 2023 | unavailable |" in text
    assert "Versions written: `oes_estimates` v0, `oes_wages` v0, `soc_codes` v0." in text
