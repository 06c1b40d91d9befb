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


def test_sheet_extent_finds_the_row_and_column_the_per_reference_scan_finds():
    """_Extent (row tags, then one search for anything past the extent) against every reference read one by
    one (_REF_ROW / _REF_COLUMN over the whole part), on sheets written in order and out of order, cut into
    windows as _scan_part cuts them."""
    import random

    from occstats.archive import _REF_COLUMN, _REF_OVERLAP, _REF_ROW, _column_number, _Extent

    rng = random.Random(8)

    def letters(n: int) -> str:
        out = ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        return out

    for case in range(60):
        rows = []
        for r in range(1, rng.randrange(2, 400)):
            cells = "".join(f'<c r="{letters(c)}{r}" t="n"><v>{c}</v></c>' for c in range(1, rng.randrange(2, 40)))
            rows.append(f'<row r="{r}" spans="1:9">{cells}</row>')
        if case % 3 == 1:  # a far cell inside an early row, or a wide one late, or a row written out of order
            at = rng.randrange(len(rows))
            far = f'<c r="{letters(rng.randrange(1, 18000))}{rng.randrange(1, 10**6)}"><v>1</v></c>'
            rows[at] = rows[at].replace("</row>", far + "</row>")
        if case % 3 == 2:
            rows.insert(rng.randrange(len(rows)), f'<row spans="1:2" r="{rng.randrange(1, 10**5)}"><c r="B7"/></row>')
        data = f"<worksheet><sheetData>{''.join(rows)}</sheetData></worksheet>".encode()
        extent, tail, size = _Extent(), b"", rng.choice([97, 1000, 1 << 20])
        for start in range(0, len(data), size):
            window = tail + data[start : start + size]
            extent.scan(window)
            tail = window[-_REF_OVERLAP:]
        assert extent.max_row == max(map(int, _REF_ROW.findall(data))), case
        assert extent.max_col == max(map(_column_number, _REF_COLUMN.findall(data))), case
