"""The Frictionless Data Package description of a data release, generated from schema.py.

A reader who has never heard of occstats gets, from datapackage.json alone: each table's fields
(name, type, description, unit, allowed values, pattern, required), primary key and sort order,
row count, the file's size and sha256, the curated table version it was exported from, and the
BLS releases and raw files (sha256) its rows were parsed from. Frictionless types are coarse
(decimals are 'number'), so each field also names its exact Arrow type.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from occstats.schema import Column, Table

PROFILE = "tabular-data-package"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
BLS_SOURCE = {"title": "U.S. Bureau of Labor Statistics", "path": "https://www.bls.gov/"}
LICENSE = {
    "name": "other-pd",
    "title": "U.S. Government Work (BLS data are in the public domain)",
    "path": "https://www.bls.gov/opub/copyright-information.htm",
}


def field_type(arrow: pa.DataType) -> str:
    """Frictionless Table Schema type of an Arrow type."""
    if pa.types.is_boolean(arrow):
        return "boolean"
    if pa.types.is_integer(arrow):
        return "integer"
    if pa.types.is_decimal(arrow) or pa.types.is_floating(arrow):
        return "number"
    if pa.types.is_list(arrow):
        return "array"
    return "string"


def field(column: Column, key: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": column.name,
        "type": field_type(column.type),
        "description": column.description,
        "arrowType": str(column.type),
    }
    if column.unit:
        out["unit"] = column.unit
    constraints: dict[str, Any] = {}
    if not column.nullable or column.name in key:
        constraints["required"] = True
    if column.values:
        constraints["enum"] = list(column.values)
    if column.pattern:
        constraints["pattern"] = column.pattern
    if constraints:
        out["constraints"] = constraints
    if column.provenance:
        out["provenance"] = True
    return out


def table_schema(tbl: Table) -> dict[str, Any]:
    return {
        "fields": [field(c, tbl.key) for c in tbl.columns],
        "primaryKey": list(tbl.key),
        "missingValues": [],  # nulls are Parquet nulls; markers live in *_status / *_marker columns
    }


def resource(
    tbl: Table,
    *,
    path: str,
    rows: int,
    size: int,
    sha256: str,
    table_version: int,
    releases: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "name": tbl.name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "parquet",
        "mediatype": PARQUET_MEDIATYPE,
        "description": tbl.description,
        "usage": tbl.usage,
        "bytes": size,
        "hash": f"sha256:{sha256}",
        "rows": rows,
        "sortedBy": list(tbl.key),
        "tableVersion": table_version,
        "releaseKey": list(tbl.release_key),
        "releases": releases,
        "schema": table_schema(tbl),
    }


def package(
    *,
    number: int,
    created: str,
    previous: int | None,
    code_version: str,
    resources: list[dict[str, Any]],
    raw_files: list[dict[str, Any]],
    files: list[dict[str, Any]],
    cards: int | None,
) -> dict[str, Any]:
    return {
        "profile": PROFILE,
        "name": "occstats",
        "title": "occstats: BLS occupational employment, wages and projections, curated",
        "version": str(number),
        "created": created,
        "licenses": [LICENSE],
        "sources": [BLS_SOURCE],
        "resources": resources,
        "occstats": {
            "release": number,
            "previous_release": previous,
            "code_version": code_version,
            "table_versions": {r["name"]: r["tableVersion"] for r in resources},
            "raw_files": raw_files,
            "files": files,
            "cards": cards,
        },
    }
