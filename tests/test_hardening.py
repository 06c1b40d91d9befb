"""Issue 12: bounds on what a reader unpacks, a read-only query surface, redirects, secrets, time, restore.

Each test reproduces one reported failure where a user meets it (the `occstats` command, or `fetch`
for what a refresh does through Prefect). The loopback server binds 127.0.0.1 only, answers a
bounded number of requests and stops by itself.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from builders import OCCUPATIONS, oes_2021_workbook, oes_zip, zip_bytes

from occstats.cli import main
from occstats.errors import FetchError, ReleaseUnavailable
from occstats.fetch import Validators, fetch
from occstats.settings import Settings, redact
from occstats.store import Store

ROOT = Path(__file__).resolve().parents[1]
URL = "https://www.bls.gov/oes/special-requests/oesm21nat.zip"
BODY = b"PK\x03\x04" + b"x" * 5_000


# -- a loopback server that stops by itself -------------------------------------------------------
class Handler(BaseHTTPRequestHandler):
    """Answers by the last path segment; `routes` maps it to a function of the handler."""

    routes: ClassVar[dict[str, Callable[[Handler], None]]] = {}
    seen: ClassVar[list[tuple[str, dict[str, str]]]] = []

    def do_GET(self):
        type(self).seen.append((self.path, dict(self.headers)))
        name = self.path.rsplit("/", 1)[-1]
        type(self).routes.get(name, lambda h: h.reply(404))(self)

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def loopback(routes: dict[str, Callable[[Handler], None]], max_requests: int = 10, lifetime: float = 20.0):
    """Serve `routes` on 127.0.0.1 for at most `max_requests` requests or `lifetime` seconds."""
    handler = type("Routes", (Handler,), {"routes": routes, "seen": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.timeout = 0.2
    stop = threading.Event()
    ends = time.monotonic() + lifetime

    def serve() -> None:
        while len(handler.seen) < max_requests and not stop.is_set() and time.monotonic() < ends:
            httpd.handle_request()
        httpd.server_close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        stop.set()
        thread.join(timeout=2)


def with_settings(settings: Settings, **changes) -> Settings:
    return settings.__class__(**{**settings.__dict__, **changes})


def in_thread(fn: Callable[[], object], seconds: float) -> object:
    """Run `fn`, failing the test if it has not finished in `seconds` (a sleep of an hour, say)."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    box["elapsed"] = time.monotonic() - started
    return box


# -- 4. what a reader unpacks, and how many rows --------------------------------------------------
def _rewrite_part(workbook: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info)
            zf.writestr(info.filename, edit(data) if info.filename == part else data)
    return out.getvalue()


def _claim_size(data: bytes, member: str, size: int) -> bytes:
    """Make a zip lie about one member's inflated size (local header and central directory)."""
    raw = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    raw[info.header_offset + 22 : info.header_offset + 26] = size.to_bytes(4, "little")
    central = 0
    while (central := raw.find(b"PK\x01\x02", central)) != -1:
        name_len = int.from_bytes(raw[central + 28 : central + 30], "little")
        if bytes(raw[central + 46 : central + 46 + name_len]).decode() == member:
            raw[central + 24 : central + 28] = size.to_bytes(4, "little")
            break
        central += 4
    return bytes(raw)


SHEET = "xl/worksheets/sheet1.xml"


def _padded(data: bytes) -> bytes:
    """3 MB of XML comment in the data sheet: compresses to a few KB, inflates to 3 MB."""
    return data.replace(b"<sheetData>", b"<!--" + b" " * 3_000_000 + b"--><sheetData>", 1)


def _import(tmp_path: Path, name: str, data: bytes, capsys, *extra: str) -> tuple[int, str]:
    path = tmp_path / name
    path.write_bytes(data)
    code = main(["import", "oes", str(path), "--data-dir", str(tmp_path / "data"), "-q", *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_an_xlsx_whose_parts_inflate_past_the_limit_is_refused_naming_the_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OCCSTATS_MAX_INFLATED_BYTES", "2000000")
    honest = _rewrite_part(oes_2021_workbook(2021), SHEET, _padded)
    assert len(honest) < 100_000, "the bomb is small on disk"
    code, out = _import(tmp_path, "national_M2021_dl.xlsx", honest, capsys)
    assert code == 1
    assert "national_M2021_dl.xlsx" in out and "would decompress to" in out and "OCCSTATS_MAX_INFLATED_BYTES" in out

    lying = _claim_size(honest, SHEET, 1000)  # declares 1000 bytes, inflates to 3 MB: stopped at 1000, CRC fails
    code, out = _import(tmp_path, "lying.zip", zip_bytes({"national_M2021_dl.xlsx": lying}), capsys, "--year", "2021")
    assert code == 1
    assert "lying.zip:national_M2021_dl.xlsx: part 'xl/worksheets/sheet1.xml' is truncated or corrupt" in out
    assert not Store(tmp_path / "data" / "curated").names(), "nothing was curated"

    monkeypatch.delenv("OCCSTATS_MAX_INFLATED_BYTES")
    code, out = _import(tmp_path, "national_M2021_dl.xlsx", honest, capsys)
    assert code == 0, out  # the same workbook is fine under the default limit: the limit is the setting


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def test_a_sheet_reaching_far_rows_is_refused_before_the_reader_allocates_it(tmp_path):
    """One cell at ZZ900000: calamine allocates 900,000 x 702 cells (20 GB) and aborts the process."""
    sparse = _rewrite_part(
        oes_2021_workbook(2021),
        SHEET,
        lambda d: d.replace(b"</sheetData>", b'<row r="900000"><c r="ZZ900000" t="n"><v>1</v></c></row></sheetData>'),
    )
    path = tmp_path / "national_M2021_dl.xlsx"
    path.write_bytes(sparse)
    done = subprocess.run(
        [sys.executable, "-m", "occstats.cli", "import", "oes", str(path), "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,  # a memory cap, as in the report: without the check the process aborts
        env={"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "PATH": "/usr/bin:/bin", "OCCSTATS_MAX_ROWS": "500000"},
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "national_M2021_dl.xlsx" in done.stdout
    assert "reaches row 900000, over the 500000-row limit (OCCSTATS_MAX_ROWS)" in done.stdout
    assert "Traceback" not in done.stderr


# -- 5. query is read-only ------------------------------------------------------------------------
@pytest.fixture
def curated(tmp_path, capsys) -> Path:
    code, out = _import(tmp_path, "national_M2021_dl.xlsx", oes_2021_workbook(2021), capsys)
    assert code == 0, out
    return tmp_path / "data"


def _query(data_dir: Path, sql: str, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["query", sql, "--data-dir", str(data_dir), "--format", "csv", *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_query_cannot_write_read_local_files_or_unlock_itself(curated, tmp_path, capsys):
    target = tmp_path / "copied.csv"
    data_file = next((curated / "curated" / "oes_wages").rglob("*.parquet"))
    before = data_file.read_bytes()
    attempts = [
        f"COPY (SELECT 1) TO '{target}'",
        f"COPY oes_wages TO '{data_file}' (FORMAT parquet)",
        f"ATTACH '{tmp_path / 'other.db'}' AS other",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "INSTALL httpfs",
    ]
    for sql in attempts:
        code, out, err = _query(curated, sql, capsys)
        assert code == 2, f"{sql!r} was allowed: {out}"
        assert err.startswith("occstats: query failed:") and err.count("\n") == 1, err
    assert not target.exists() and not (tmp_path / "other.db").exists()
    assert data_file.read_bytes() == before

    # reading still works, time travel included
    code, out, _ = _query(curated, "SELECT count(*) AS n FROM oes_estimates", capsys)
    assert (code, out.split()) == (0, ["n", str(len(OCCUPATIONS))])
    code, out, _ = _query(curated, "SELECT count(*) AS n FROM oes_wages", capsys, "--as-of", "oes_wages=0")
    assert code == 0 and int(out.split()[1]) > 0


# -- 6. redirects and the mirror option -----------------------------------------------------------
def test_redirects_go_only_to_http_on_allowed_hosts(settings, tmp_path):
    routes = {
        "to-file.zip": lambda h: h.reply(302, headers={"Location": "file:///etc/passwd"}),
        "to-other.zip": lambda h: h.reply(302, headers={"Location": "http://attacker.example.org/x.zip"}),
        "to-same.zip": lambda h: h.reply(301, headers={"Location": "/www.bls.gov/oes/real.zip"}),
        "real.zip": lambda h: h.reply(200, BODY),
    }
    out = tmp_path / "staging"
    with loopback(routes) as (base, _):
        settings = with_settings(settings, mirror=base)
        with pytest.raises(FetchError, match=r"refused a redirect to 'file:///etc/passwd'"):
            fetch(("https://www.bls.gov/oes/to-file.zip",), out, settings)
        with pytest.raises(FetchError, match=r"refused a redirect to 'http://attacker\.example\.org/x\.zip'"):
            fetch(("https://www.bls.gov/oes/to-other.zip",), out, settings)
        assert not out.exists() or not any(out.iterdir()), "nothing was written"
        got = fetch(("https://www.bls.gov/oes/to-same.zip",), out, settings)
        assert got.path.read_bytes() == BODY and got.fetched_from == f"{base}/www.bls.gov/oes/real.zip"


@pytest.mark.parametrize("mirror", ["ftp://mirror.example.org/bls", "file:///tmp", "/no/such/mirror/dir"])
def test_a_mirror_that_is_not_http_or_a_directory_is_a_usage_error(mirror, tmp_path, capsys):
    code = main(["refresh", "oes", "--years", "2021", "--mirror", mirror, "--data-dir", str(tmp_path / "data")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("occstats: --mirror") and err.count("\n") == 1


# -- 7. secrets -----------------------------------------------------------------------------------
def test_credentials_in_the_mirror_url_are_sent_but_never_recorded_or_printed(settings, tmp_path, monkeypatch):
    routes = {
        "oesm21nat.zip": lambda h: h.reply(200, oes_zip(2021)),
        "gone.zip": lambda h: h.reply(404),
        "broken.zip": lambda h: h.reply(500),
    }
    with loopback(routes) as (base, handler):
        mirror = base.replace("http://", "http://ops:s3cret-pw@")
        settings = with_settings(settings, mirror=mirror)
        got = fetch((URL,), tmp_path / "staging", settings)
        assert "Authorization" in handler.seen[0][1], "the credentials are still used"
        assert "s3cret" not in json.dumps(got.__dict__, default=str)
        assert got.fetched_from == f"{base}/www.bls.gov/oes/special-requests/oesm21nat.zip"
        for name, error in (("gone.zip", ReleaseUnavailable), ("broken.zip", FetchError)):
            with pytest.raises(error) as caught:
                fetch((f"https://www.bls.gov/oes/{name}",), tmp_path / "staging", settings)
            assert "s3cret" not in str(caught.value) and f"{base}/www.bls.gov/oes/{name}" in str(caught.value)

        # the same, landed by the pipeline: the permanent manifest holds no password
        from occstats.pipeline import refresh

        report = refresh(settings, "oes", [2021])
        assert report.exit_code == 0
        manifests = list((settings.raw_dir / "oes").rglob("manifest.json"))
        assert len(manifests) == 1 and "s3cret" not in manifests[0].read_text()
        assert json.loads(manifests[0].read_text())["fetched_from"].startswith(base)

    assert "s3cret" not in repr(settings)
    assert redact("GET http://ops:s3cret-pw@host:8/a failed; https://u@h/") == "GET http://host:8/a failed; https://h/"
    # a caller may pass the redacted URL on (a flow parameter) and the credentials come from the environment
    monkeypatch.setenv("OCCSTATS_MIRROR", "http://ops:s3cret-pw@mirror.example.org/bls")
    resolved = Settings.resolve(data_dir=tmp_path / "data", mirror="http://mirror.example.org/bls")
    assert resolved.mirror == "http://ops:s3cret-pw@mirror.example.org/bls"


# -- 8. the server does not control time ----------------------------------------------------------
def test_retry_after_is_capped_and_one_deadline_bounds_a_file(settings, tmp_path, monkeypatch):
    calls = {"n": 0}

    def busy_then_ok(h: Handler) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            h.reply(503, headers={"Retry-After": "3600"})
        else:
            h.reply(200, BODY)

    def silent(h: Handler) -> None:
        time.sleep(3)  # accepts, never answers within the deadline

    def trickle(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(30):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.1)

    routes = {
        "busy.zip": busy_then_ok,
        "silent.zip": silent,
        "trickle.zip": trickle,
        "forbidden.zip": lambda h: h.reply(403),
        "gone.zip": lambda h: h.reply(410),
    }
    staging = tmp_path / "staging"
    with loopback(routes, max_requests=12) as (base, handler):
        capped = with_settings(settings, mirror=base, http_retries=3, http_backoff=0, max_retry_after=0.2)
        box = in_thread(lambda: fetch(("https://www.bls.gov/oes/busy.zip",), staging, capped), 10)
        assert "error" not in box and box["value"].path.read_bytes() == BODY and calls["n"] == 2
        assert box["elapsed"] < 5, "slept the capped 0.2 s, not the hour asked for"

        bounded = with_settings(capped, fetch_deadline=1.0, max_retry_after=60)
        for name in ("busy.zip", "silent.zip", "trickle.zip"):
            calls["n"] = 0
            box = in_thread(lambda n=name: fetch((f"https://www.bls.gov/oes/{n}",), staging, bounded), 10)
            assert isinstance(box.get("error"), FetchError), (name, box)
            assert "OCCSTATS_FETCH_DEADLINE" in str(box["error"]), str(box["error"])
            assert box["elapsed"] < 4, (name, box["elapsed"])

        before = len(handler.seen)
        for name, error in (("forbidden.zip", FetchError), ("gone.zip", ReleaseUnavailable)):
            with pytest.raises(error):
                fetch((f"https://www.bls.gov/oes/{name}",), staging, capped)
        assert len(handler.seen) - before == 2, "403 and 410 are answers: never retried"

    for key, value in {
        "OCCSTATS_CONNECT_TIMEOUT": "3",
        "OCCSTATS_READ_TIMEOUT": "7.5",
        "OCCSTATS_MAX_RETRY_AFTER": "30",
        "OCCSTATS_FETCH_DEADLINE": "90",
    }.items():
        monkeypatch.setenv(key, value)
    resolved = Settings.resolve(data_dir=tmp_path / "data")
    assert (resolved.connect_timeout, resolved.read_timeout, resolved.max_retry_after, resolved.fetch_deadline) == (
        3.0,
        7.5,
        30.0,
        90.0,
    )


# -- 10. the small ones ---------------------------------------------------------------------------
def test_a_304_to_an_unconditional_request_is_a_clear_fetch_error(settings, tmp_path):
    with loopback({"oesm21nat.zip": lambda h: h.reply(304)}) as (base, _):
        settings = with_settings(settings, mirror=base)
        with pytest.raises(FetchError, match=r"oesm21nat\.zip: answered 304 Not Modified to a request that was not"):
            fetch((URL,), tmp_path, settings)
        with pytest.raises(FetchError, match="not conditional"):
            fetch((URL,), tmp_path, settings, previous=Validators(sha256="abc"))  # a hash alone sends no validator


def _flag_encrypted(data: bytes) -> bytes:
    raw = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature)
        raw[at + offset] |= 0x1
    return bytes(raw)


def _symlink_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        info = zipfile.ZipInfo("oesm21nat/national_M2021_dl.xlsx")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "build", "message"),
    [
        ("encrypted", lambda: _flag_encrypted(oes_zip(2021)), "is encrypted (password-protected)"),
        ("nested", lambda: oes_zip(2021, zip_bytes({"inner.xlsx": oes_2021_workbook(2021)})), "(a nested zip)"),
        ("symlink", _symlink_zip, "is a symbolic link, not a file"),
    ],
)
def test_encrypted_nested_and_symlink_members_each_get_their_own_message(kind, build, message, tmp_path, capsys):
    code, out = _import(tmp_path, f"{kind}.zip", build(), capsys, "--year", "2021")
    assert code == 1
    line = next(line for line in out.splitlines() if message in line)
    assert f"{kind}.zip" in line and "Cannot detect file format" not in out


def test_a_torn_manifest_cannot_be_left_behind(tmp_path, capsys, monkeypatch):
    """A kill while the manifest is written left a torn manifest.json that blocked the release for good."""
    path = tmp_path / "national_M2021_dl.xlsx"
    path.write_bytes(oes_2021_workbook(2021))
    real_write = Path.write_text

    def torn(self: Path, text: str, *args, **kwargs):
        if self.name.endswith("manifest.json") or ".manifest" in self.name:
            real_write(self, text[: len(text) // 2], *args, **kwargs)
            raise KeyboardInterrupt  # the process dies half-way through the write
        return real_write(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", torn)
    with pytest.raises(KeyboardInterrupt):
        main(["import", "oes", str(path), "--data-dir", str(tmp_path / "data"), "-q"])
    monkeypatch.undo()
    assert not list((tmp_path / "data" / "raw").rglob("manifest.json")), "no torn manifest under the real name"
    code = main(["import", "oes", str(path), "--data-dir", str(tmp_path / "data"), "-q"])
    assert code == 0, capsys.readouterr()
    (manifest,) = (tmp_path / "data" / "raw").rglob("manifest.json")
    assert json.loads(manifest.read_text())["sha256"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OCCSTATS_HTTP_RETRIES": "abc"}, "OCCSTATS_HTTP_RETRIES='abc' is not a whole number"),
        ({"OCCSTATS_HTTP_BACKOFF": "-1"}, "OCCSTATS_HTTP_BACKOFF='-1' must be at least 0"),
        ({"OCCSTATS_MAX_ROWS": "many"}, "OCCSTATS_MAX_ROWS='many' is not a whole number"),
    ],
)
def test_a_bad_environment_variable_is_one_line_and_exit_2(env, message, tmp_path, capsys, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["tables", "--data-dir", str(tmp_path / "data")]) == 2
    err = capsys.readouterr().err
    assert err == f"occstats: {message}\n"


def test_a_bad_data_dir_is_one_line_and_exit_2(tmp_path, capsys):
    a_file = tmp_path / "not-a-dir"
    a_file.write_text("x")
    book = tmp_path / "national_M2021_dl.xlsx"
    book.write_bytes(oes_2021_workbook(2021))
    cases = [
        (["tables", "--data-dir", str(a_file)], "is not a directory"),
        (["import", "oes", str(book), "--data-dir", str(a_file / "data")], "is not a directory"),
        (["import", "oes", str(book), "--data-dir", "/proc/occstats-data"], "is not writable"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("occstats: data directory") and message in err and err.count("\n") == 1, err


# -- acceptance 3: restore ------------------------------------------------------------------------
def test_restore_brings_a_table_back_as_a_new_version_with_provenance(tmp_path, capsys):
    data = tmp_path / "data"
    revised = [[*occ[:3], occ[3] + 10 if isinstance(occ[3], int) else occ[3], *occ[4:]] for occ in OCCUPATIONS]
    for book in (oes_2021_workbook(2021), oes_2021_workbook(2021, revised)):
        code, out = _import(tmp_path, "national_M2021_dl.xlsx", book, capsys)
        assert code == 0, out
    store = Store(data / "curated")
    v0, v1 = store.read("oes_estimates", 0), store.read("oes_estimates", 1)
    assert not v0.select(["soc_code", "employment"]).equals(v1.select(["soc_code", "employment"]))

    assert main(["restore", "oes_estimates", "0", "--data-dir", str(data), "--reason", "bad revision"]) == 0
    assert capsys.readouterr().out == "oes_estimates: restored version 0 as version 2\n"
    v2 = store.read("oes_estimates", 2)
    assert v2.sort_by("soc_code").equals(v0.sort_by("soc_code")), "the figures of version 0 are back"
    assert store.read("oes_estimates", 1).equals(v1), "the version restored over is still readable"

    assert main(["history", "oes_estimates", "--data-dir", str(data), "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    restore = entries[-1]
    assert [e["version"] for e in entries] == [0, 1, 2]
    assert restore["operation"] == "RESTORE"
    assert restore["reason"] == "restore of v0: bad revision"
    assert (restore["restored_to"], restore["restored_from"]) == (0, 1)
    assert restore["code_version"] and restore["user"]
    assert restore["releases"] == [{"dataset": "oes_national", "ref_year": 2021}], "the release it changed"
    assert main(["history", "oes_estimates", "--data-dir", str(data)]) == 0
    assert "restore of v0: bad revision" in capsys.readouterr().out

    assert main(["restore", "oes_estimates", "7", "--data-dir", str(data)]) == 2
    assert "there is no version 7" in capsys.readouterr().err
