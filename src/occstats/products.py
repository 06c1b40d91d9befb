"""The registry: every product occstats curates, one line each, in dependency order.

Adding a product is one package under `sources/` (catalog entry, layout, parser, checks) and one
line here. The CLI's choices, the Prefect flows and the docs are generated from this list.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from occstats.drift import DriftCheck
from occstats.errors import ConfigError
from occstats.schema import Table
from occstats.sources import ep, ep_matrix, oes, oes_families, oes_timeseries, soc
from occstats.sources.base import Product
from occstats.validate import Check, CheckResult
from occstats.validate import validate as gate

REGISTRY: dict[str, Product] = {
    p.name: p
    for p in (
        soc.PRODUCT,  # first: OES and EP codes are checked against the crosswalks
        oes.PRODUCT,
        oes_timeseries.PRODUCT,  # the OEWS time-series database (every area and industry)
        *oes_families.PRODUCTS,  # the Excel families: industry, state, metro, all-data (one parser)
        ep.PRODUCT,
        ep_matrix.PRODUCT,
    )
}


def product(name: str) -> Product:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown product {name!r}; known: {', '.join(REGISTRY)}") from None


def names() -> list[str]:
    return list(REGISTRY)


def checks(table: str) -> tuple[Check | DriftCheck, ...]:
    """A table's own checks, as declared by the product that feeds it."""
    return tuple(c for p in REGISTRY.values() for c in p.checks.get(table, ()))


def validate(tbl: Table, data: pa.Table, **options: Any) -> list[CheckResult]:
    """The gate with the table's own checks: what every release passes before anything is written.

    Drift checks are declared only where a product needs them; reading a baseline costs a read.
    """
    return gate(tbl, data, checks=checks(tbl.name), **options)


def has_drift_checks(table: str) -> bool:
    """Whether a table declares checks against the release held before (so a baseline is worth reading)."""
    return any(isinstance(c, DriftCheck) for c in checks(table))
