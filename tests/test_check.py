"""`occstats check`: what is new upstream, found without landing or curating anything."""

from __future__ import annotations

import hashlib
import os
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from builders import OCCUPATIONS, oes_2021_workbook, oes_zip, put_release

from occstats.check import Status, check, exit_code
from occstats.cli import main
from occstats.pipeline import import_files, refresh


def tree_digest(root: Path) -> str:
    """Every path, size, mtime and byte under root: any landing, manifest or table commit changes it."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        stat = path.lstat()
        digest.update(f"{path.relative_to(root)}|{stat.st_mode}|{stat.st_mtime_ns}".encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def statuses(findings) -> dict[str, Status]:
    return {f.release: f.status for f in findings}


@pytest.fixture
def curated(tmp_path, settings):
    """A mirror with OES 2021 and 2022, both curated into the data directory."""
    mirror = tmp_path / "mirror"
    put_release(mirror, 2021, oes_zip(2021))
    put_release(mirror, 2022, oes_zip(2022))
    settings = type(settings)(**{**settings.__dict__, "mirror": str(mirror)})
    report = refresh(settings, "oes", [2021, 2022])
    assert {o.release: o.state.value for o in report.outcomes} == {"2021": "curated", "2022": "curated"}
    return settings, mirror


def test_after_a_refresh_nothing_is_new_and_the_data_dir_is_untouched(curated):
    settings, _ = curated
    before = tree_digest(settings.data_dir)
    findings = check(settings, ["oes"])
    found = statuses(findings)
    assert found["2021"] is Status.UNCHANGED and found["2022"] is Status.UNCHANGED
    assert {f.detail for f in findings if f.release in ("2021", "2022")} == {"not modified (304)"}
    assert found["2020"] is Status.UNAVAILABLE, "the mirror lacks 2020 and nothing is held for it"
    assert Status.NEW not in found.values()
    assert exit_code(findings) == 0
    assert tree_digest(settings.data_dir) == before


def test_a_replaced_file_is_new_a_re_saved_identical_one_is_not(curated):
    settings, mirror = curated
    before = tree_digest(settings.data_dir)
    # the same bytes with a new mtime: the validators no longer match, the sha256 does
    same = put_release(mirror, 2021, (mirror / "www.bls.gov/oes/special-requests/oesm21nat.zip").read_bytes())
    os.utime(same, (1_900_000_000, 1_900_000_000))
    # BLS re-publishes 2022 with a corrected figure
    revised = [list(row) for row in OCCUPATIONS]
    revised[0][3] += 1
    put_release(mirror, 2022, oes_zip(2022, oes_2021_workbook(2022, revised)))
    findings = check(settings, ["oes"])
    found = {f.release: f for f in findings}
    assert found["2021"].status is Status.UNCHANGED and found["2021"].detail == "same content hash"
    assert found["2022"].status is Status.NEW
    assert exit_code(findings) == 5
    assert tree_digest(settings.data_dir) == before, "nothing landed, not even in raw/.staging"


def test_a_release_upstream_added_is_new_and_one_only_imported_is_held_not_unavailable(curated, tmp_path):
    settings, mirror = curated
    put_release(mirror, 2023, oes_zip(2023))
    old = tmp_path / "oesm20nat.zip"  # a release the mirror does not serve, brought in by hand
    old.write_bytes(oes_zip(2020))
    assert [o.state.value for o in import_files(settings, "oes", [old]).outcomes] == ["curated"]
    findings = {f.release: f for f in check(settings, ["oes"])}
    assert findings["2023"].status is Status.NEW
    assert findings["2020"].status is Status.UNCHANGED, findings["2020"]
    assert "upstream no longer serves it" in findings["2020"].detail
    assert findings["2019"].status is Status.UNAVAILABLE


def test_an_empty_data_dir_finds_everything_the_mirror_has_new(tmp_path, settings):
    mirror = tmp_path / "mirror"
    put_release(mirror, 2021, oes_zip(2021))
    settings = type(settings)(**{**settings.__dict__, "mirror": str(mirror)})
    findings = statuses(check(settings, ["oes"]))
    assert findings["2021"] is Status.NEW
    assert not settings.data_dir.exists(), "check creates no data directory"


class _Forbidden(SimpleHTTPRequestHandler):
    def do_GET(self):
        self.send_response(403)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(handler, directory: Path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def test_over_http_a_304_is_unchanged_and_a_403_is_a_failed_check(curated, capsys):
    settings, mirror = curated
    data_dir = str(settings.data_dir)
    httpd, url = _serve(_Quiet, mirror)
    try:
        code = main(["check", "oes", "--data-dir", data_dir, "--mirror", url, "--format", "json"])
    finally:
        httpd.shutdown()
    out = capsys.readouterr().out
    # the validators were recorded from the file:// mirror: over HTTP the ETag differs, the sha256 does not
    assert code == 0, out
    httpd, url = _serve(_Forbidden, mirror)
    try:
        code = main(["check", "oes", "--data-dir", data_dir, "--mirror", url])
    finally:
        httpd.shutdown()
    out = capsys.readouterr().out
    assert code == 1
    assert "HTTP 403" in out and "User-Agent" in out
    assert out.rstrip().endswith("new upstream") and "could not be checked" in out


@pytest.mark.shared
def test_check_on_the_real_mirror_after_a_refresh_reports_nothing_new(mirror, tmp_path, capsys):
    from occstats.settings import Settings

    data_dir = tmp_path / "data"
    settings = Settings.resolve(data_dir=data_dir, mirror=str(mirror), writable=True)
    for product in ("soc", "ep"):
        report = refresh(settings, product)
        assert report.exit_code == 0, report.outcomes
    before = tree_digest(data_dir)
    for product in ("soc", "ep"):
        code = main(["check", product, "--data-dir", str(data_dir), "--mirror", str(mirror)])
        out = capsys.readouterr().out
        assert code == 0, out
        assert out.rstrip().splitlines()[-1] == "nothing new upstream"
    assert tree_digest(data_dir) == before
