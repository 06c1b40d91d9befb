import zipfile

import pytest
from builders import oes_zip, zip_bytes

from occstats import archive
from occstats.errors import SourceError


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_zip_members_with_and_without_a_folder(tmp_path):
    with_folder = archive.read_members(write(tmp_path, "a.zip", oes_zip(2021, b"x", folder=True)))
    at_root = archive.read_members(write(tmp_path, "b.zip", oes_zip(2015, b"y", folder=False)))
    assert [m.name for m in with_folder] == ["oesm21nat/national_M2021_dl.xlsx"]
    assert [m.base_name for m in at_root] == ["national_M2015_dl.xlsx"]


def test_html_error_page_saved_as_zip_names_the_file_and_the_page(tmp_path):
    page = b"<!DOCTYPE html><html><head><title>Access Denied</title></head><body>nope</body></html>"
    for name in ("oesm24nat.zip", "national_M2024_dl.xlsx"):
        with pytest.raises(SourceError) as err:
            archive.read_members(write(tmp_path, name, page))
        assert name in str(err.value)
        assert "HTML page" in str(err.value) and "Access Denied" in str(err.value)


def test_truncated_zip_is_refused_with_the_file_named(tmp_path):
    data = oes_zip(2024, b"0123456789" * 5000)
    with pytest.raises(SourceError, match=r"oesm24nat\.zip.*(truncated|corrupt)"):
        archive.read_members(write(tmp_path, "oesm24nat.zip", data[: len(data) // 2]))


@pytest.mark.parametrize("member", ["../evil.xlsx", "/etc/evil.xlsx", "a/../../evil.xlsx", "C:/evil.xlsx"])
def test_members_escaping_the_archive_are_refused(tmp_path, member):
    with pytest.raises(SourceError, match="absolute or parent-relative"):
        archive.read_members(write(tmp_path, "bad.zip", zip_bytes({member: b"x"})))


def test_member_declared_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("OCCSTATS_MAX_INFLATED_BYTES", "1000")
    data = zip_bytes({"national_M2024_dl.xlsx": b"\0" * 5000})
    with pytest.raises(SourceError, match="would decompress to 5000 bytes"):
        archive.read_members(write(tmp_path, "big.zip", data))


def test_member_lying_about_its_size_is_stopped_while_inflating(tmp_path, monkeypatch):
    monkeypatch.setenv("OCCSTATS_MAX_INFLATED_BYTES", "1000")
    monkeypatch.setattr(archive, "CHUNK", 256)
    path = write(tmp_path, "bomb.zip", zip_bytes({"national_M2024_dl.xlsx": b"\0" * 5000}))
    # Rewrite the declared sizes (local header and central directory) to claim 10 bytes.
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.infolist()[0]
    local = info.header_offset
    raw[local + 22 : local + 26] = (10).to_bytes(4, "little")
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with pytest.raises(SourceError, match=r"(past the 1000-byte limit|corrupt|truncated)"):
        archive.read_members(path)


def test_a_lone_workbook_is_its_own_member(tmp_path):
    path = write(tmp_path, "national_1997_dl.xls", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100)
    assert [m.name for m in archive.read_members(path)] == ["national_1997_dl.xls"]


def test_empty_and_unknown_files(tmp_path):
    with pytest.raises(SourceError, match="empty"):
        archive.read_members(write(tmp_path, "x.zip", b""))
    with pytest.raises(SourceError, match="not a zip or an Excel workbook"):
        archive.read_members(write(tmp_path, "x.xlsx", b"occ_code,occ_title\n"))
