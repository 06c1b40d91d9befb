"""The code version recorded with every table version.

A hash of the installed package's own sources (and declared layout data), so a rerun under the
same code is recognisably the same computation, whether occstats runs from a checkout or a wheel.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from occstats import __version__

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in {".py", ".csv", ".json"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
