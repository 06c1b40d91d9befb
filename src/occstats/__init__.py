"""occstats: BLS occupational statistics as versioned, validated tables.

`occstats.open("data")` reads them from Python (see `occstats.api`); it is imported on first use,
so the CLI and the pipeline do not pay for pyarrow and deltalake until they read.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Data", "Result", "Table", "__version__", "as_floats", "open"]

_API = {"Data", "Result", "Table", "as_floats", "open"}


def __getattr__(name: str) -> Any:
    if name in _API:
        from occstats import api

        return getattr(api, name)
    raise AttributeError(f"module 'occstats' has no attribute {name!r}")
