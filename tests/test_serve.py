"""`occstats serve`: the read-only API over a data release, through real HTTP on loopback."""

from __future__ import annotations

import csv
import io
import json
import sys
import threading
import time
import types
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import uvicorn
from publish_builders import MEDIANS, build_data_dir

from occstats.publishing.api import MAX_LIMIT, create_app
from occstats.publishing.release import publish, release_dir
from occstats.settings import Settings
from occstats.store import Store


def _fake_cards(store, folder: Path) -> int:
    """Stand-in for occstats.cards: one card, in `folder/cards/` as the real writer puts them."""
    (folder / "cards").mkdir(parents=True, exist_ok=True)
    card = {"soc_code": "29-2072", "title": "Medical Records Specialists"}
    (folder / "cards" / "29-2072.json").write_text(json.dumps(card))
    return 1


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    settings = Settings(data_dir=root / "data", http_retries=0, http_backoff=0, task_retries=0, task_retry_delay=0)
    build_data_dir(settings, root / "files")
    out = root / "published"
    module = types.ModuleType("occstats.cards")
    module.write_cards = _fake_cards
    sys.modules["occstats.cards"] = module
    try:
        assert publish(Store(settings.curated_dir), out).number == 1
    finally:
        del sys.modules["occstats.cards"]
    config = uvicorn.Config(create_app(release_dir(out)), host="127.0.0.1", port=0, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
        time.sleep(0.02)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", out
    srv.should_exit = True
    thread.join(timeout=10)
    assert not thread.is_alive(), "uvicorn did not stop"


def get(base, path, headers=None, method="GET"):
    request = urllib.request.Request(base + path, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get_json(base, path):
    status, headers, body = get(base, path)
    return status, headers, json.loads(body) if body else None


def test_search_by_code_and_by_title_words(server):
    base, _ = server
    status, _, found = get_json(base, "/occupations?q=29-20")
    assert status == 200
    assert {(o["soc_code"], o["soc_system"]) for o in found["occupations"]} >= {
        ("29-2071", "soc-2010"),
        ("29-2072", "soc-2018"),
    }
    assert all(o["soc_code"].startswith("29-20") for o in found["occupations"])
    _, _, by_title = get_json(base, "/occupations?q=medical%20records")
    assert {o["soc_code"] for o in by_title["occupations"]} == {"29-2071", "29-2072"}, "codes with figures"
    _, _, every = get_json(base, "/occupations?q=medical%20records&all=true")
    assert "29-2098" in {o["soc_code"] for o in every["occupations"]}, "the declared 2019 hybrid code"


def test_occupation_says_where_a_split_code_went(server):
    base, _ = server
    status, _, occ = get_json(base, "/occupations/29-2071")
    assert status == 200
    to_2018 = [m for m in occ["maps_to"] if (m["from_system"], m["to_system"]) == ("soc-2010", "soc-2018")]
    assert {(m["to_code"], m["relationship"]) for m in to_2018} == {
        ("29-2072", "split"),
        ("29-9021", "many-to-many"),
    }


def test_series_from_the_release_as_published(server):
    base, _ = server
    status, _, body = get_json(base, "/occupations/29-2071/series?measure=annual_median")
    assert status == 200
    assert [(p["ref_year"], p["value"], p["soc_system"]) for p in body["points"]] == [
        (2017, MEDIANS[2017], "soc-2010"),
        (2018, MEDIANS[2018], "soc-2010"),
    ]
    _, _, later = get_json(base, "/occupations/29-2072/series?measure=annual_median&from=2022")
    assert [(p["release"], p["value"]) for p in later["points"]] == [("OES May 2022", MEDIANS[2022])]
    status, _, bad = get_json(base, "/occupations/29-2072/series?measure=vibes")
    assert status == 400 and "unknown measure 'vibes'" in bad["detail"]


def test_table_rows_filtered_paged_and_as_csv(server):
    base, _ = server
    path = "/tables/oes_wages?soc_code=29-2072&basis=annual&statistic=median"
    status, _, body = get_json(base, path + "&limit=1")
    assert status == 200 and body["total"] == 2 and len(body["rows"]) == 1
    assert body["rows"][0]["ref_year"] == 2021 and body["rows"][0]["value"] == MEDIANS[2021]
    assert body["next"] and "offset=1" in body["next"]
    _, _, page2 = get_json(base, path + "&limit=1&offset=1")
    assert page2["rows"][0]["ref_year"] == 2022 and page2["next"] is None
    status, headers, raw = get(base, path + "&format=csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(raw.decode())))
    assert [(r["ref_year"], r["value"]) for r in rows] == [("2021", "46660.00"), ("2022", "48780.00")]
    # filters are validated against the schema
    status, _, bad = get_json(base, "/tables/oes_wages?colour=red")
    assert status == 400 and "no column 'colour'" in bad["detail"]
    status, _, bad = get_json(base, "/tables/oes_wages?ref_year=twenty")
    assert status == 400 and "ref_year is int16" in bad["detail"]
    status, _, bad = get_json(base, "/tables/oes_wages?basis=weekly")
    assert status == 400 and "not one of: hourly, annual" in bad["detail"]
    status, _, _ = get_json(base, f"/tables/oes_wages?limit={MAX_LIMIT + 1}")
    assert status == 422
    status, _, bad = get_json(base, "/tables/nope")
    assert status == 404 and "no table 'nope'" in bad["detail"]


def test_etag_gives_304_and_headers_allow_caching_and_browsers(server):
    base, _ = server
    status, headers, body = get(base, "/tables/ep_projections", {"Origin": "https://careers.example"})
    assert status == 200 and body
    etag = headers["etag"]
    assert etag.startswith('"') and "max-age" in headers["cache-control"]
    assert headers["access-control-allow-origin"] == "*"
    status, headers304, body304 = get(base, "/tables/ep_projections", {"If-None-Match": etag})
    assert status == 304 and body304 == b"" and headers304["etag"] == etag
    status, _, _ = get(base, "/tables/ep_projections?limit=5", {"If-None-Match": etag})
    assert status == 200, "another URL, another ETag"
    status, head_headers, head_body = get(base, "/tables/ep_projections", method="HEAD")
    assert status == 200 and head_body == b"" and head_headers["etag"] == etag


def test_bad_codes_and_missing_cards_get_404_with_a_reason(server):
    base, _ = server
    status, _, body = get_json(base, "/occupations/99-9999")
    assert status == 404 and "no occupation 99-9999 in release 1" in body["detail"]
    status, _, body = get_json(base, "/occupations/not-a-code")
    assert status == 404 and "'not-a-code' is not an occupation code" in body["detail"]
    status, _, body = get_json(base, "/occupations/29-2071/card")
    assert status == 404 and "no fact card for 29-2071 in release 1" in body["detail"]
    status, _, card = get_json(base, "/occupations/29-2072/card")
    assert status == 200 and card["soc_code"] == "29-2072"


def test_releases_changelog_openapi_and_nothing_that_writes(server):
    base, _ = server
    _, _, releases = get_json(base, "/releases")
    assert [(r["release"], r["latest"]) for r in releases] == [(1, True)]
    _, _, log = get_json(base, "/releases/1/changelog")
    assert {"release": "EP 2023-33", "change": "added", "tables": ["ep_projections", "ooh_quickfacts"]} in log[
        "bls_releases"
    ]
    status, headers, md = get(base, "/releases/latest/changelog?format=md")
    assert status == 200 and b"# occstats data release 1" in md
    status, headers, _ = get(base, "/releases/1/changelog")
    assert "immutable" in headers["cache-control"]
    status, _, missing = get_json(base, "/releases/7")
    assert status == 404 and "no release '7'" in missing["detail"]
    _, _, spec = get_json(base, "/openapi.json")
    assert "/occupations/{soc}/series" in spec["paths"]
    methods = {m for ops in spec["paths"].values() for m in ops}
    assert methods == {"get"}, methods
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        status, _, _ = get(base, "/tables/oes_wages", method=method)
        assert status == 405, method


def test_parquet_files_served_with_the_release_checksum(server):
    import hashlib

    base, out = server
    status, _, body = get(base, "/releases/1/tables/oes_wages.parquet")
    package = json.loads((out / "releases" / "1" / "datapackage.json").read_text())
    wages = next(r for r in package["resources"] if r["name"] == "oes_wages")
    assert status == 200 and "sha256:" + hashlib.sha256(body).hexdigest() == wages["hash"]
    status, _, head = get(base, "/releases/1/tables/oes_wages.parquet", {"Range": "bytes=0-3"})
    assert status == 206 and head == b"PAR1", "range reads work (DuckDB-WASM reads Parquet over HTTP this way)"


def test_the_serve_command_answers_on_loopback_and_stops_on_sigterm(server, tmp_path):
    """`occstats serve --out DIR --port P` as a user runs it: it serves the latest release, then ends on SIGTERM."""
    import os
    import signal
    import socket
    import subprocess

    _, out = server
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "occstats.cli", "serve", "--out", str(out), "--port", str(port), "--quiet"]
    env = {**os.environ, "OCCSTATS_DATA_DIR": str(tmp_path / "unused")}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 30
        while True:
            try:
                status, _, body = get_json(base, "/releases")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.communicate()[1]
                assert time.monotonic() < deadline, "occstats serve did not answer within 30 s"
                time.sleep(0.2)
        assert status == 200 and body[0]["release"] == 1 and body[0]["served"], body
        status, _, body = get_json(base, "/occupations/29-9999/card")
        assert status == 404 and "29-9999" in json.dumps(body)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode in (0, -signal.SIGTERM), err
    assert f"serving {out}" in err and f"http://127.0.0.1:{port}" in err
