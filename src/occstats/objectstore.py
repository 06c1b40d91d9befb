"""A data directory on object storage: `s3://bucket/prefix`, behind the small part of pathlib the stores use.

The data directory is chosen once, in `Settings.resolve`: a local folder stays a `pathlib.Path` (every
local code path exactly as fast as before), an `s3://` URL becomes an `ObjectPath`, which offers the
few `Path` operations the raw store, the holdings and the Delta store need (`/`, `name`, `exists`,
`is_dir`, `is_file`, `iterdir`, `read_text`, `relative_to`, …) through pyarrow's S3 filesystem, and
hands deltalake the same URL with `storage_options`.

Atomicity. Local code writes a temporary file and renames it. S3 has no rename, but it needs none:
a PUT (single or multipart) makes an object visible whole or not at all, so `write_atomic` is one
PUT, and readers see the old holdings or the new ones, never a torn record. Landings go to new keys
(`<landed-at>-<sha12>/`) and are never overwritten; the manifest is written last, so a landing cut
short has no manifest and is no landing, as locally. Delta commits use deltalake's own protocol,
which on S3 writes each `_delta_log/<version>.json` with a conditional put (If-None-Match): of two
writers racing for a version exactly one wins and the other gets a commit error, never a lost commit.

Configuration comes from the standard AWS variables (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION or AWS_DEFAULT_REGION), read
when the data directory is opened and never written anywhere: `repr` and `str` show only the URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pyarrow.fs as pafs

from occstats.errors import ConfigError

SCHEMES = ("s3",)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
ENV_CACHE_DIR = "OCCSTATS_CACHE_DIR"


def is_url(value: object) -> bool:
    """A string naming a location by URL (`s3://…`), as opposed to a local path."""
    return isinstance(value, str) and bool(_URL.match(value))


@dataclass(frozen=True)
class S3Config:
    """How to reach the object store; from the standard AWS environment variables. Never printed."""

    endpoint: str | None = None
    region: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> S3Config:
        env = os.environ
        return cls(
            endpoint=env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            access_key=env.get("AWS_ACCESS_KEY_ID") or None,
            secret_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
            session_token=env.get("AWS_SESSION_TOKEN") or None,
        )

    def filesystem(self) -> pafs.S3FileSystem:
        # pyarrow's defaults give up on a request silent for 3 s: too short for a busy machine or a slow store
        kwargs: dict[str, Any] = {"connect_timeout": 10.0, "request_timeout": 60.0}
        if self.endpoint:
            parts = urlsplit(self.endpoint)
            kwargs["endpoint_override"] = parts.netloc or parts.path
            kwargs["scheme"] = parts.scheme or "https"
        if self.region:
            kwargs["region"] = self.region
        if self.access_key and self.secret_key:
            kwargs.update(access_key=self.access_key, secret_key=self.secret_key, session_token=self.session_token)
        return pafs.S3FileSystem(**kwargs)

    def storage_options(self) -> dict[str, str]:
        """The same settings in deltalake's (object_store's) words."""
        options = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": self.region,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }
        if self.endpoint and self.endpoint.lower().startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"  # a local S3-compatible server (moto, MinIO) speaks plain HTTP
        return {k: v for k, v in options.items() if v}


class _Connection:
    """One filesystem client per data directory, shared by every path under it."""

    def __init__(self, config: S3Config) -> None:
        self.config = config
        self._fs: pafs.S3FileSystem | None = None

    @property
    def fs(self) -> pafs.S3FileSystem:
        if self._fs is None:
            self._fs = self.config.filesystem()
        return self._fs


class ObjectPath:
    """A key prefix in a bucket, behaving like the `pathlib.Path` subset the stores use."""

    def __init__(self, bucket: str, key: str, connection: _Connection, kind: pafs.FileType | None = None) -> None:
        self.bucket = bucket
        self.key = key.strip("/")
        self._conn = connection
        self._kind = kind  # known from a listing: saves a request per child

    @classmethod
    def from_url(cls, url: str, config: S3Config | None = None) -> ObjectPath:
        parts = urlsplit(url)
        if parts.scheme.lower() not in SCHEMES:
            raise ConfigError(f"data directory {url!r}: only s3:// URLs or a local directory are supported")
        if not parts.netloc:
            raise ConfigError(f"data directory {url!r} names no bucket")
        if parts.query or parts.fragment or "@" in parts.netloc:
            raise ConfigError(
                f"data directory {url.split('@')[-1]!r}: put credentials in AWS_* variables, not in the URL"
            )
        return cls(parts.netloc, parts.path, _Connection(config or S3Config.from_env()))

    # -- names ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}" if self.key else f"s3://{self.bucket}"

    @property
    def fs_path(self) -> str:
        """The path as pyarrow's S3 filesystem names it (`bucket/key`)."""
        return f"{self.bucket}/{self.key}" if self.key else self.bucket

    @property
    def filesystem(self) -> pafs.S3FileSystem:
        return self._conn.fs

    @property
    def storage_options(self) -> dict[str, str]:
        return self._conn.config.storage_options()

    @property
    def name(self) -> str:
        return PurePosixPath(self.key).name

    @property
    def parent(self) -> ObjectPath:
        parent = str(PurePosixPath(self.key).parent)
        return ObjectPath(self.bucket, "" if parent == "." else parent, self._conn)

    def __truediv__(self, part: str | os.PathLike[str]) -> ObjectPath:
        key = str(PurePosixPath(self.key, os.fspath(part))) if self.key else os.fspath(part)
        return ObjectPath(self.bucket, key, self._conn)

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"ObjectPath({self.url!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectPath) and (self.bucket, self.key) == (other.bucket, other.key)

    def __lt__(self, other: ObjectPath) -> bool:
        return (self.bucket, self.key) < (other.bucket, other.key)

    def __hash__(self) -> int:
        return hash((self.bucket, self.key))

    def relative_to(self, other: ObjectPath) -> PurePosixPath:
        return PurePosixPath(self.key).relative_to(other.key)

    def expanduser(self) -> ObjectPath:
        return self

    # -- queries ----------------------------------------------------------------------------------
    def _type(self) -> pafs.FileType:
        if self._kind is None:
            return self.filesystem.get_file_info(self.fs_path).type
        return self._kind

    def exists(self) -> bool:
        return self._type() != pafs.FileType.NotFound

    def is_dir(self) -> bool:
        return self._type() == pafs.FileType.Directory

    def is_file(self) -> bool:
        return self._type() == pafs.FileType.File

    def iterdir(self) -> Iterator[ObjectPath]:
        """Children, one listing (their kind is known, so `is_dir()` on them costs nothing)."""
        selector = pafs.FileSelector(self.fs_path, allow_not_found=True, recursive=False)
        for info in self.filesystem.get_file_info(selector):
            name = info.path.rstrip("/").rsplit("/", 1)[-1]
            yield ObjectPath(self.bucket, f"{self.key}/{name}" if self.key else name, self._conn, info.type)

    def files(self) -> list[ObjectPath]:
        """Every object under this prefix, at any depth: one paged listing, however many folders."""
        selector = pafs.FileSelector(self.fs_path, allow_not_found=True, recursive=True)
        prefix = len(self.bucket) + 1
        return [
            ObjectPath(self.bucket, info.path[prefix:], self._conn, info.type)
            for info in self.filesystem.get_file_info(selector)
            if info.type == pafs.FileType.File
        ]

    def size(self) -> int:
        return self.filesystem.get_file_info(self.fs_path).size

    # -- reading and writing ----------------------------------------------------------------------
    def read_bytes(self) -> bytes:
        try:
            with self.filesystem.open_input_stream(self.fs_path) as stream:
                return stream.read()
        except FileNotFoundError:
            raise FileNotFoundError(f"{self.url}: no such object") from None

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def write_bytes(self, data: bytes) -> None:
        """One PUT: the object appears whole or not at all (S3 has no partial objects)."""
        with self.filesystem.open_output_stream(self.fs_path) as stream:
            stream.write(data)

    def write_text(self, text: str, encoding: str = "utf-8") -> None:
        self.write_bytes(text.encode(encoding))

    def upload(self, source: Path) -> None:
        """Stream a local file to this key (multipart for large files; visible only once complete)."""
        pafs.copy_files(str(source), self.fs_path, pafs.LocalFileSystem(), self.filesystem)

    def download(self, dest: Path) -> None:
        pafs.copy_files(self.fs_path, str(dest), self.filesystem, pafs.LocalFileSystem())

    def mkdir(self, parents: bool = False, exist_ok: bool = False) -> None:
        """Nothing to do: a prefix exists once a key is written under it."""

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self.filesystem.delete_file(self.fs_path)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def cache_dir(self) -> Path:
        """A local folder for this location's working files (Prefect's home, downloaded raw files, the lock).

        `$OCCSTATS_CACHE_DIR` or `~/.cache/occstats`, then `s3/<bucket>/<prefix>`: one per data directory.
        """
        base = Path(os.environ.get(ENV_CACHE_DIR) or Path.home() / ".cache" / "occstats").expanduser()
        return base / "s3" / self.bucket / (self.key or "_")


DataPath = Path | ObjectPath


def as_data_path(value: str | os.PathLike[str] | ObjectPath) -> DataPath:
    """A local path stays a Path; an `s3://` URL becomes an ObjectPath (configured from the environment)."""
    if isinstance(value, ObjectPath):
        return value
    if is_url(value):
        return ObjectPath.from_url(str(value))
    return Path(value).expanduser()


def write_atomic(path: DataPath, text: str) -> None:
    """Readers see the old content or the new, never a torn file: temp-and-rename locally, one PUT on S3."""
    if isinstance(path, ObjectPath):
        path.write_text(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text)
    os.replace(tmp, path)


def filesystem_of(path: DataPath) -> tuple[pafs.FileSystem, str]:
    """(filesystem, path in it) for pyarrow readers."""
    if isinstance(path, ObjectPath):
        return path.filesystem, path.fs_path
    return pafs.LocalFileSystem(), str(path)


def storage_options_of(path: DataPath) -> dict[str, str] | None:
    """What deltalake needs beside the URL (None for a local table: deltalake's defaults)."""
    return path.storage_options if isinstance(path, ObjectPath) else None


def local_copy(path: DataPath, cache: Path, sha256: str) -> Path:
    """A local file with the bytes of `path`: the path itself locally, else a checked download into `cache`.

    Raw files are immutable, so the copy is kept by content (`<cache>/<sha256>/<name>`) and reused.
    """
    if not isinstance(path, ObjectPath):
        return path
    target = cache / sha256 / path.name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    path.download(tmp)
    digest = hashlib.sha256()
    with tmp.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        tmp.unlink(missing_ok=True)
        raise OSError(
            f"{path}: downloaded bytes have sha256 {digest.hexdigest()[:12]}…, the manifest says {sha256[:12]}…"
        )
    os.replace(tmp, target)
    return target


def keep_local_copy(source: Path, cache: Path, sha256: str, name: str) -> None:
    """After an upload, keep the staged file as the local copy (same filesystem: a rename, no second download)."""
    target = cache / sha256 / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.replace(source, target)
