"""What is held: one record per product, beside the raw store, answering "do we already have this?".

`data/raw/<product>/holdings.json` holds, per URL, the validators of the last answer that was
curated successfully (ETag, Last-Modified, sha256), and per release the raw file it was last
curated from, under which code version, with what the parser learned about the file (its year's
evidence, its top-code threshold). The landings' own manifests stay as immutable provenance; the
Delta tables stay the truth for content. Validators are remembered only once a release was curated
(or found unchanged), so a failed or cut-short landing is never offered again on a 304.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from occstats.fetch import Validators
from occstats.objectstore import DataPath, write_atomic

HOLDINGS = "holdings.json"


@dataclass(frozen=True)
class Curated:
    """The raw file a release was last curated from, and by which code."""

    sha256: str
    code_version: str
    checked_at: str
    run_id: str
    facts: dict[str, Any]
    tables: tuple[str, ...] = ()  # the tables its rows went to (a SOC crosswalk feeds one of two)


class Holdings:
    """The record of one product; read once per run, written atomically after each publish."""

    def __init__(self, raw_root: DataPath, product: str) -> None:
        self.path = raw_root / product / HOLDINGS
        self._data: dict[str, Any] = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {"urls": {}, "releases": {}}
        except json.JSONDecodeError:
            # a torn record only costs a re-check: every release is parsed again and compared with the tables
            return {"urls": {}, "releases": {}}
        return {"urls": data.get("urls", {}), "releases": data.get("releases", {})}

    # -- per URL ----------------------------------------------------------------------------------
    def validators(self, url: str) -> Validators | None:
        entry = self._data["urls"].get(url)
        if not entry:
            return None
        return Validators(etag=entry.get("etag"), last_modified=entry.get("last_modified"), sha256=entry.get("sha256"))

    def remember(self, url: str, validators: Validators, checked_at: str) -> None:
        self._data["urls"][url] = {**validators.__dict__, "checked_at": checked_at}

    # -- per release ------------------------------------------------------------------------------
    def curated(self, release_id: str) -> Curated | None:
        entry = self._data["releases"].get(release_id)
        return Curated(**{**entry, "tables": tuple(entry.get("tables", ()))}) if entry else None

    def record(self, release_id: str, curated: Curated) -> None:
        self._data["releases"][release_id] = curated.__dict__

    def save(self) -> None:
        # temp-and-rename locally, one PUT on object storage: readers never see a torn record
        write_atomic(self.path, (json.dumps(self._data, indent=2, sort_keys=True, default=str) + "\n"))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
