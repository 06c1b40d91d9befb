"""Source modules: one per BLS product, each turning landed files into curated rows."""

from __future__ import annotations

from occstats.errors import ConfigError
from occstats.sources.base import Source


def source(product: str) -> Source:
    """The parser for a product (imported lazily: each pulls in its own layout tables)."""
    if product == "oes":
        from occstats.sources.oes import OesSource

        return OesSource()
    if product == "ep":
        from occstats.sources.ep import EpSource

        return EpSource()
    if product == "soc":
        from occstats.sources.soc import SocSource

        return SocSource()
    raise ConfigError(f"no source module for product {product!r}")
