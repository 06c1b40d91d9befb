"""The registry: every product occstats curates, one line each, in dependency order.

Adding a product is one package under `sources/` (catalog entry, layout, parser, checks) and one
line here. The CLI's choices, the Prefect flows and the docs are generated from this list.
"""

from __future__ import annotations

from occstats.errors import ConfigError
from occstats.sources import ep, oes, oes_timeseries, soc
from occstats.sources.base import Product

REGISTRY: dict[str, Product] = {
    p.name: p
    for p in (
        soc.PRODUCT,  # first: OES and EP codes are checked against the crosswalks
        oes.PRODUCT,
        oes_timeseries.PRODUCT,  # the OEWS time-series database (every area and industry)
        ep.PRODUCT,
    )
}


def product(name: str) -> Product:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown product {name!r}; known: {', '.join(REGISTRY)}") from None


def names() -> list[str]:
    return list(REGISTRY)
