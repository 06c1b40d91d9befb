"""Open a landed file safely: know what it really is, and unpack zips without trusting them.

BLS (or a proxy in front of it) sometimes answers with an HTML error page that gets saved under
the requested `.zip`/`.xlsx` name; downloads get truncated; zips come with and without a folder.
Everything here works on bytes in memory (BLS files are a few MB), never extracting to disk, so a
hostile member name cannot write outside the landing folder even in principle.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pyarrow as pa
import pyarrow.compute as pc

from occstats.errors import SourceError
from occstats.settings import DEFAULT_MAX_INFLATED_BYTES, InputLimits

# No BLS workbook we read is anywhere near this; a member that inflates past it is refused.
# The limit in force is OCCSTATS_MAX_INFLATED_BYTES (InputLimits); this is its default.
MAX_MEMBER_BYTES = DEFAULT_MAX_INFLATED_BYTES
MAX_MEMBERS = 500
CHUNK = 1 << 20

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # legacy .xls (and other OLE2 files)


@dataclass(frozen=True)
class Member:
    """A file from inside a landed archive (or the landed file itself)."""

    name: str  # path inside the archive, or the file name
    data: bytes

    @property
    def base_name(self) -> str:
        return PurePosixPath(self.name).name


def sniff(head: bytes) -> str:
    """Say what a file is from its first bytes: zip, xlsx, xls, html, text or unknown."""
    if head.startswith(OLE_MAGIC):
        return "xls"
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "zip"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in stripped[:512]:
        return "html"
    if stripped.startswith(b"<?xml"):
        return "xml"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unknown"
    return "text"


def _html_title(data: bytes) -> str:
    match = re.search(rb"<title[^>]*>(.*?)</title>", data[:8192], re.IGNORECASE | re.DOTALL)
    if not match:
        return ""
    return " ".join(match.group(1).decode("utf-8", "replace").split())[:120]


def read_members(path: Path, *, display_name: str | None = None, limits: InputLimits | None = None) -> list[Member]:
    """The files a landed file holds: a zip's members, or the file itself.

    Raises SourceError naming the file for HTML pages, truncated or corrupt zips, unsafe member
    names, symbolic links, encrypted and oversized members.
    """
    limit = (limits or InputLimits.from_env()).max_inflated_bytes
    name = display_name or path.name
    data = path.read_bytes()
    kind = sniff(data[:1024])
    if kind == "html":
        title = _html_title(data)
        hint = f" (page title: {title!r})" if title else ""
        raise SourceError(
            name,
            f"is an HTML page, not a workbook or zip{hint}; upstream probably served an error page",
        )
    if kind == "zip" and not _is_xlsx(data):
        return _zip_members(data, name, limit)
    if kind in ("xls", "zip"):
        return [Member(name=Path(name).name, data=data)]
    if len(data) == 0:
        raise SourceError(name, "is empty (0 bytes)")
    raise SourceError(name, f"is not a zip or an Excel workbook (looks like {kind})")


def _is_xlsx(data: bytes) -> bool:
    """An .xlsx is itself a zip; tell it apart from a zip of workbooks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _zip_members(data: bytes, name: str, limit: int = MAX_MEMBER_BYTES) -> list[Member]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SourceError(name, f"is a truncated or corrupt zip ({exc})") from exc
    members: list[Member] = []
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise SourceError(name, f"has {len(infos)} members; more than the {MAX_MEMBERS} allowed")
        for info in infos:
            _check_member_name(info.filename, name)
            if _is_junk(info.filename):
                continue
            _check_member_kind(info, name)
            if info.file_size > limit:
                raise SourceError(
                    name,
                    f"member {info.filename!r} would decompress to {info.file_size} bytes, "
                    f"over the {limit}-byte limit (OCCSTATS_MAX_INFLATED_BYTES)",
                )
            members.append(Member(name=info.filename, data=_read_bounded(zf, info, name, limit)))
    return members


def _check_member_kind(info: zipfile.ZipInfo, archive: str) -> None:
    """Symbolic links and encrypted members are never BLS content; say which one it is."""
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):  # made on Unix, with a symlink's mode bits
        raise SourceError(archive, f"member {info.filename!r} is a symbolic link, not a file; refused")
    if info.flag_bits & 0x1:
        raise SourceError(
            archive, f"member {info.filename!r} is encrypted (password-protected); BLS publishes no encrypted files"
        )


def _check_member_name(member: str, archive: str) -> None:
    posix = member.replace("\\", "/")
    parts = PurePosixPath(posix).parts
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix) or ".." in parts:
        raise SourceError(archive, f"member {member!r} has an absolute or parent-relative path; refused")


def _is_junk(member: str) -> bool:
    """macOS resource forks and dot files that zip tools add; never BLS content."""
    parts = PurePosixPath(member.replace("\\", "/")).parts
    return any(p == "__MACOSX" or p.startswith(".") for p in parts)


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive: str, limit: int = MAX_MEMBER_BYTES) -> bytes:
    """Decompress while counting: a zip's declared size can lie (a zip bomb)."""
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                out += chunk
                if len(out) > limit:
                    raise SourceError(
                        archive,
                        f"member {info.filename!r} decompresses past the {limit}-byte limit "
                        f"(OCCSTATS_MAX_INFLATED_BYTES); refused",
                    )
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
        raise SourceError(archive, f"member {info.filename!r} is truncated or corrupt ({exc})") from exc
    except (OSError, zlib.error) as exc:
        raise SourceError(archive, f"member {info.filename!r} cannot be decompressed ({exc})") from exc
    return bytes(out)


def pick_member(members: list[Member], pattern: str, archive: str, what: str) -> Member:
    """The one member whose base name matches `pattern` (case-insensitive)."""
    regex = re.compile(pattern, re.IGNORECASE)
    found = [m for m in members if regex.search(m.base_name)]
    if not found:
        names = ", ".join(m.name for m in members) or "nothing"
        raise SourceError(archive, f"holds no {what} (looked for /{pattern}/ among: {names})")
    if len(found) > 1:
        names = ", ".join(m.name for m in found)
        raise SourceError(archive, f"holds more than one {what}: {names}")
    return found[0]


def find_member(members: list[Member], pattern: str) -> Member | None:
    regex = re.compile(pattern, re.IGNORECASE)
    return next((m for m in members if regex.search(m.base_name)), None)


# -- inside a workbook ---------------------------------------------------------------------------
# An .xlsx is a zip of XML parts; calamine inflates them all and then allocates a sheet's whole
# used range (rows x columns) at once, so both are bounded here, before it is handed the bytes.
# Row and cell references (`<row r="12"`, `<c s="3" r="AB12"`), matched as attributes in any order
# and with any whitespace before them (no other attribute of a sheet ends in `r` and holds a cell
# reference; one that did would only make the estimate larger). Two plain patterns starting with a
# literal, collected into sets, keep the scan in C: a sheet has few distinct rows and columns,
# however many cells (~1 s for the largest real BLS sheet, 17 MB of XML).
_REF_COLUMN = re.compile(rb'r="([A-Z]{1,3})[0-9]')
_REF_ROW = re.compile(rb'r="[A-Z]{0,3}([0-9]{1,9})"')
_REF_OVERLAP = 512  # a tag cut between two chunks is searched again with the next one
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def check_workbook(member: Member, label: str, limits: InputLimits | None = None) -> None:
    """Refuse, naming the file, a workbook a reader should not be handed.

    Nested zips, encrypted workbooks, parts that inflate (declared or really) past the limit, and
    sheets whose cell references reach past the row or cell limit.
    """
    limits = limits or InputLimits.from_env()
    kind = sniff(member.data[:1024])
    if kind == "xls" and ENCRYPTED_PACKAGE in member.data[: 1 << 20]:
        raise SourceError(label, "is an encrypted (password-protected) workbook; BLS publishes no encrypted files")
    if kind != "zip":
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(member.data))
    except zipfile.BadZipFile:
        return  # the reader says it cannot read it, naming the file
    if not _is_xlsx(member.data):
        zf.close()
        raise SourceError(label, "is a zip archive inside the archive (a nested zip), not a workbook; refused")
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise SourceError(label, f"has {len(infos)} parts; more than the {MAX_MEMBERS} allowed")
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_inflated_bytes:
            raise SourceError(
                label,
                f"would decompress to {declared} bytes (its XML parts), over the {limits.max_inflated_bytes}-byte "
                f"limit (OCCSTATS_MAX_INFLATED_BYTES); refused",
            )
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise SourceError(label, f"part {info.filename!r} is encrypted; refused")
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            total = _scan_part(zf, info, label, limits, total, sheet)


def _scan_part(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limits: InputLimits, total: int, sheet: bool
) -> int:
    """Inflate one part counting its real size (declared sizes can lie); for a sheet, its extent."""
    extent = _Extent()
    tail = b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                total += len(chunk)
                if total > limits.max_inflated_bytes:
                    raise SourceError(
                        label,
                        f"decompresses past the {limits.max_inflated_bytes}-byte limit (OCCSTATS_MAX_INFLATED_BYTES) "
                        f"in part {info.filename!r}; refused",
                    )
                if sheet:
                    window = tail + chunk
                    extent.scan(window)
                    tail = window[-_REF_OVERLAP:]
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, RuntimeError) as exc:
        raise SourceError(label, f"part {info.filename!r} is truncated or corrupt ({exc})") from exc
    max_row, max_col = extent.max_row, extent.max_col
    if max_row > limits.max_rows:
        raise SourceError(
            label,
            f"sheet part {info.filename!r} reaches row {max_row}, over the {limits.max_rows}-row limit "
            f"(OCCSTATS_MAX_ROWS); refused",
        )
    if max_row * max(max_col, 1) > limits.max_cells:
        raise SourceError(
            label,
            f"sheet part {info.filename!r} spans {max_row} rows x {max_col} columns, over the "
            f"{limits.max_cells}-cell limit (OCCSTATS_MAX_CELLS); refused",
        )
    return total


# A row's own tag (`<row r="12" ...>`, its attributes in any order): one per row, not one per cell.
_ROW_TAG = re.compile(rb'<row\b[^>]*?\sr="([0-9]{1,9})"')


class _Extent:
    """The largest row and column any reference of a sheet reaches, window by window, exactly as
    _REF_ROW and _REF_COLUMN would find them, without making a Python object per cell.

    A window's last row tag (or, when it is cut, all its row tags) raises the row reached so far; then one
    RE2 search (Arrow's regex kernel: linear time, ~1 GB/s) looks for any reference past the extent known
    so far: a row number or column letters greater than it. Only a window holding one is read reference by
    reference, with the two patterns themselves; in a well-formed sheet that is the first window (its
    columns) and any row written out of order.
    """

    def __init__(self) -> None:
        self.max_row = 0
        self.max_col = 0
        self._letters = ""

    def scan(self, window: bytes) -> None:
        # The window's last row tag (a sheet in order: its highest); any reference past it is found below.
        last = _ROW_TAG.match(window, max(window.rfind(b"<row"), 0))
        tags = [last.group(1)] if last else _ROW_TAG.findall(window)
        if tags:
            self.max_row = max(self.max_row, max(map(int, tags)))
        if not self._beyond(window):
            return
        rows = _REF_ROW.findall(window)
        columns = set(_REF_COLUMN.findall(window))
        self.max_row = max(self.max_row, max(map(int, rows), default=0))
        widest = max(columns, key=_column_number, default=None)
        if widest is not None and _column_number(widest) > self.max_col:
            self.max_col, self._letters = _column_number(widest), widest.decode()

    def _beyond(self, window: bytes) -> bool:
        options = [f'[A-Z]{{0,3}}{_digits_above(self.max_row)}"']
        if self._letters != "ZZZ":
            options.append(f"{_letters_above(self._letters)}[0-9]")
        pattern = f'r="(?:{"|".join(options)})'
        offsets = pa.py_buffer(struct.pack("<ii", 0, len(window)))
        one = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, pa.py_buffer(window)])  # no copy
        return bool(pc.match_substring_regex(one, pattern)[0].as_py())


def _digits_above(number: int) -> str:
    """A regex matching the decimal numbers (leading zeros allowed) greater than `number`: more digits, or
    as many and greater at the first digit that differs."""
    digits = str(number) if number else ""
    options = [f"[1-9][0-9]{{{len(digits)},}}"]
    for i, char in enumerate(digits):
        if char != "9":
            options.append(f"{digits[:i]}[{int(char) + 1}-9][0-9]{{{len(digits) - i - 1}}}")
    return f"0*(?:{'|'.join(options)})"


def _letters_above(letters: str) -> str:
    """A regex matching the column letters (A..ZZZ) past `letters` (not 'ZZZ'): more letters, or as many
    and later at the first letter that differs."""
    options = [f"[A-Z]{{{len(letters) + 1},3}}"] if len(letters) < 3 else []
    for i, char in enumerate(letters):
        if char != "Z":
            options.append(f"{letters[:i]}[{chr(ord(char) + 1)}-Z][A-Z]{{{len(letters) - i - 1}}}")
    return f"(?:{'|'.join(options)})"


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number
