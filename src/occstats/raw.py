"""The landing zone: every file ever fetched or imported, untouched, with its provenance.

`data/raw/<product>/<release>/<landed-at>-<sha12>/<file>` plus `manifest.json` beside it. Nothing
here is ever overwritten or deleted: a file BLS replaced in place lands beside the old one, so
past Employment Projections cycles (which BLS no longer serves) stay available to rebuild from.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from occstats import __version__
from occstats.fetch import Validators, sha256_file
from occstats.objectstore import DataPath, ObjectPath, keep_local_copy, local_copy, write_atomic

MANIFEST = "manifest.json"
UNIDENTIFIED = "_unidentified"


@dataclass(frozen=True)
class Landing:
    """One file in the raw store, with the manifest written when it landed."""

    product: str
    release_id: str
    path: DataPath  # an ObjectPath when the data directory is on object storage: read it via RawStore.local_file
    manifest: dict[str, Any]

    @property
    def sha256(self) -> str:
        return self.manifest["sha256"]

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def companion_of(self) -> str | None:
        """The release file this landing was landed with (a code list beside a data file), if any."""
        return self.manifest.get("companion_of")

    def validators(self) -> Validators:
        return Validators(
            etag=self.manifest.get("etag"),
            last_modified=self.manifest.get("last_modified"),
            sha256=self.sha256,
        )


class RawStore:
    """Append-only store of landed files.

    On object storage (`root` an ObjectPath) downloads stage in the local `cache`, land as new keys
    (an upload; the manifest last, as locally), and parsers read a local copy kept by content.
    """

    def __init__(self, root: DataPath, cache: Path | None = None) -> None:
        self.root = root
        self.remote = isinstance(root, ObjectPath)
        self.cache = cache if cache is not None else root.cache_dir() if isinstance(root, ObjectPath) else None
        self._manifests: dict[DataPath, dict[str, Any]] = {}  # remote manifests never change: read each once

    def staging_dir(self) -> Path:
        """Where downloads stream before they land (same filesystem, so landing is a rename)."""
        path = (self.cache if self.remote else self.root) / ".staging"  # type: ignore[operator]
        path.mkdir(parents=True, exist_ok=True)
        return path

    def local_file(self, landing: Landing) -> Path:
        """A local path with the landing's bytes, for parsers (the file itself when the store is local)."""
        if not self.remote:
            return landing.path  # type: ignore[return-value]
        assert self.cache is not None
        return local_copy(landing.path, self.cache / "files", landing.sha256)

    def land(
        self,
        product: str,
        release_id: str,
        source: Path,
        *,
        file_name: str,
        provenance: dict[str, Any],
        move: bool = False,
        sha256: str | None = None,
        companion_of: str | None = None,
    ) -> tuple[Landing, bool]:
        """Land `source` unless the release's latest landing already holds the same bytes.

        Returns the landing and whether it is new. `move=True` renames a staged download into
        place (atomic on one filesystem); otherwise the file is copied, leaving `source` alone.
        `companion_of` names the release file this one belongs with (a code list beside a data
        file): a companion is its own landing, compared with the latest landing of the same name.
        """
        digest = sha256 or sha256_file(source)
        latest = self.latest(product, release_id, companion=_safe_name(file_name) if companion_of else None)
        if latest is not None and latest.sha256 == digest:
            if move:
                source.unlink(missing_ok=True)
            return latest, False
        landed_at = dt.datetime.now(dt.UTC)
        folder = self.root / product / release_id / f"{landed_at:%Y%m%dT%H%M%S%fZ}-{digest[:12]}"
        target = folder / _safe_name(file_name)
        if isinstance(target, ObjectPath):
            # a new key, never an overwrite; the upload is visible only once complete (no .part needed)
            size = source.stat().st_size
            target.upload(source)
            if move:
                assert self.cache is not None
                keep_local_copy(source, self.cache / "files", digest, target.name)
        else:
            folder.mkdir(parents=True, exist_ok=False)
            tmp = folder / f".{target.name}.part"
            if move:
                os.replace(source, tmp)
            else:
                shutil.copyfile(source, tmp)
            os.replace(tmp, target)
            size = target.stat().st_size
        manifest = {
            "product": product,
            "release_id": release_id,
            "file": target.name,
            "path": str(target.relative_to(self.root)),
            "size": size,
            "sha256": digest,
            "landed_at": landed_at.isoformat(timespec="microseconds"),
            "occstats_version": __version__,
            **provenance,
            **({"companion_of": companion_of} if companion_of else {}),
        }
        manifest_path = folder / MANIFEST
        # a landing without its manifest is no landing: never a torn one
        write_atomic(manifest_path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n"))
        if not isinstance(target, ObjectPath):
            for path in (target, manifest_path):
                path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        else:
            self._manifests[manifest_path] = manifest
        return Landing(product, release_id, target, manifest), True

    def landings(self, product: str | None = None, release_id: str | None = None) -> list[Landing]:
        """All landings, oldest first."""
        found: list[Landing] = []
        products = [product] if product else sorted(p.name for p in self._dirs(self.root))
        if isinstance(self.root, ObjectPath):
            return self._remote_landings(products, release_id)
        for prod in products:
            releases = [release_id] if release_id else sorted(p.name for p in self._dirs(self.root / prod))
            for rel in releases:
                for folder in sorted(self._dirs(self.root / prod / rel)):
                    manifest = self._manifest(folder / MANIFEST)
                    if manifest is None:
                        continue  # a landing interrupted before its manifest: not a landing
                    found.append(Landing(prod, rel, folder / manifest["file"], manifest))
        return sorted(found, key=lambda landing: landing.manifest["landed_at"])

    def latest(self, product: str, release_id: str, companion: str | None = None) -> Landing | None:
        """The release's newest landing of its own file, or of its companion file named `companion`."""
        landings = [
            la
            for la in self.landings(product, release_id)
            if (la.companion_of is None if companion is None else la.companion_of and la.file_name == companion)
        ]
        return landings[-1] if landings else None

    def with_sha256(self, product: str, sha256: str) -> Landing | None:
        """The newest landing of exactly these bytes (what a URL answered when last curated)."""
        matching = [la for la in self.landings(product) if la.sha256 == sha256 and la.release_id != UNIDENTIFIED]
        return matching[-1] if matching else None

    def _remote_landings(self, products: list[str], release_id: str | None) -> list[Landing]:
        """As `landings`, with one listing per product instead of one per folder (each costs a round trip)."""
        assert isinstance(self.root, ObjectPath)
        found: list[Landing] = []
        for prod in products:
            base = self.root / prod
            for path in (base / release_id if release_id else base).files():
                parts = path.relative_to(base).parts
                if len(parts) != 3 or parts[2] != MANIFEST or any(p.startswith(".") for p in parts[:2]):
                    continue
                manifest = self._manifest(path)
                if manifest is not None:
                    found.append(Landing(prod, parts[0], path.parent / manifest["file"], manifest))
        return sorted(found, key=lambda landing: landing.manifest["landed_at"])

    def _manifest(self, path: DataPath) -> dict[str, Any] | None:
        if not self.remote:
            return json.loads(path.read_text()) if path.is_file() else None
        if path not in self._manifests:
            try:
                self._manifests[path] = json.loads(path.read_text())
            except FileNotFoundError:
                return None
        return self._manifests[path]

    @staticmethod
    def _dirs(path: DataPath) -> list[DataPath]:
        if not path.is_dir():
            return []
        return [p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")]


def _safe_name(name: str) -> str:
    """A file name without directories, so a crafted name cannot escape its landing folder."""
    base = Path(name.replace("\\", "/")).name
    return base if base not in ("", ".", "..") else "file"
