"""Every curated table and column, declared once.

Writing (Arrow schemas), validation (keys, enums, patterns, nullability) and the data dictionary
(`occstats dictionary`, docs/data_dictionary.md) are all generated from these declarations, so a
column cannot mean one thing on disk and another in the docs. Columns are declared in FIELDS and
referenced by name from tables; a column shared by two tables is the same declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from occstats.markers import STATUS_VALUES

WAGE = pa.decimal128(12, 2)
PERCENT_1DP = pa.decimal128(7, 1)
PERCENT_2DP = pa.decimal128(7, 2)


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    unit: str | None = None
    nullable: bool = True
    values: tuple[str, ...] | None = None  # the allowed values of a categorical column
    pattern: str | None = None  # a regex every non-null value matches
    provenance: bool = False  # says where a row came from; not part of its content

    def arrow_field(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=self.nullable)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # unique per row
    release_key: tuple[str, ...]  # the rows one release replaces as a unit
    partition_by: tuple[str, ...] = ()
    usage: str = ""

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([c.arrow_field() for c in self.columns])

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def content_columns(self) -> list[str]:
        return [c.name for c in self.columns if not c.provenance]


SOC_SYSTEMS = (
    "oes-1990s",
    "soc-2000",
    "soc-2000-2010-hybrid",
    "soc-2010",
    "soc-2010-2018-hybrid",
    "soc-2018",
)
OCC_LEVELS = ("total", "major", "minor", "broad", "detailed")

_FIELDS: list[Column] = [
    # --- release and place -------------------------------------------------------------------
    Column("dataset", pa.string(), "BLS file family the row came from.", nullable=False, values=("oes_national",)),
    Column("ref_year", pa.int16(), "Reference year of the OES/OEWS survey release.", nullable=False),
    Column(
        "ref_month",
        pa.int8(),
        "Reference month of the release (5 = May, from 2003); null where BLS "
        "labels the release by year only (1997-2001).",
        nullable=True,
    ),
    Column(
        "area_type",
        pa.string(),
        "Geography level of the estimate.",
        nullable=False,
        values=("national", "state", "metropolitan", "nonmetropolitan"),
    ),
    Column("area_code", pa.string(), "BLS area code ('99' = United States).", nullable=False),
    Column("naics_code", pa.string(), "Industry (NAICS) code; '000000' = cross-industry.", nullable=False),
    Column(
        "ownership_code",
        pa.string(),
        "BLS ownership code; '1235' = all ownerships (private, state and local government, federal).",
        nullable=False,
    ),
    # --- occupation --------------------------------------------------------------------------
    Column(
        "soc_code",
        pa.string(),
        "Occupation code exactly as published: SOC 'NN-NNNN' (hybrid and "
        "BLS-combined codes included), or the five-digit OES code of the 1990s files.",
        nullable=False,
        pattern=r"^(\d{2}-\d{4}|\d{5})$",
    ),
    Column(
        "soc_system",
        pa.string(),
        "Classification the release's codes belong to, transition hybrids named as such.",
        nullable=False,
        values=SOC_SYSTEMS,
    ),
    Column("occ_title", pa.string(), "Occupation title as published (padding removed).", nullable=False),
    Column(
        "occ_level",
        pa.string(),
        "Level in the classification. 1990s OES files: 'div' rows are "
        "'major', 'maj' rows 'minor'. Releases before 2012 mark only total/major groups; their "
        "other rows are 'detailed'.",
        nullable=False,
        values=OCC_LEVELS,
    ),
    Column(
        "occ_group_published",
        pa.string(),
        "The group/level label exactly as the release wrote it ('' where blank).",
        nullable=False,
    ),
    # --- employment --------------------------------------------------------------------------
    Column(
        "employment",
        pa.int64(),
        "Estimated employment (wage and salary workers, excluding the "
        "self-employed); null unless employment_status is 'estimate'.",
        unit="persons",
    ),
    Column("employment_status", pa.string(), "What the employment cell says.", nullable=False, values=STATUS_VALUES),
    Column("employment_marker", pa.string(), "The marker as published in the employment cell, if any."),
    Column("employment_rse_pct", PERCENT_1DP, "Relative standard error of the employment estimate.", unit="percent"),
    Column(
        "employment_rse_status", pa.string(), "What the employment RSE cell says.", nullable=False, values=STATUS_VALUES
    ),
    Column("wage_mean_rse_pct", PERCENT_1DP, "Relative standard error of the mean wage.", unit="percent"),
    Column(
        "wage_mean_rse_status", pa.string(), "What the mean wage RSE cell says.", nullable=False, values=STATUS_VALUES
    ),
    Column(
        "annual_only",
        pa.bool_(),
        "BLS releases only annual wages for this occupation (teachers, "
        "pilots…); null where the release has no such flag.",
    ),
    Column(
        "hourly_only",
        pa.bool_(),
        "BLS releases only hourly wages for this occupation (actors, "
        "dancers…); null where the release has no such flag.",
    ),
    # --- wages (long form) -------------------------------------------------------------------
    Column("basis", pa.string(), "Pay basis of the figure.", nullable=False, values=("hourly", "annual")),
    Column(
        "statistic",
        pa.string(),
        "Wage statistic.",
        nullable=False,
        values=("mean", "p10", "p25", "median", "p75", "p90"),
    ),
    Column(
        "value",
        WAGE,
        "The wage exactly as published (cents for hourly, dollars for annual); null unless status is 'estimate'.",
        unit="USD per hour (hourly) / USD per year (annual)",
    ),
    Column(
        "status",
        pa.string(),
        "What the published cell says; see the status vocabulary.",
        nullable=False,
        values=STATUS_VALUES,
    ),
    Column("marker", pa.string(), "The marker as published (`*`, `#`, `***`…), if any."),
    Column(
        "bound",
        WAGE,
        "For top-coded figures: the release's top-coding threshold for this pay basis. The true figure is beyond it.",
        unit="USD per hour (hourly) / USD per year (annual)",
    ),
    Column(
        "bound_comparison",
        pa.string(),
        "How the true figure relates to `bound`: '>=' (2017 on: "
        "'equal to or greater than') or '>' (earlier releases: 'greater than').",
        values=(">=", ">"),
    ),
    Column(
        "bound_source",
        pa.string(),
        "Where the threshold comes from: the release's own field "
        "descriptions, or the declared table (src/occstats/sources/oes_layout.py).",
    ),
    # --- provenance ---------------------------------------------------------------------------
    Column(
        "source_sha256",
        pa.string(),
        "sha256 of the raw file (as landed in data/raw) the row was parsed from.",
        nullable=False,
        pattern=r"^[0-9a-f]{64}$",
        provenance=True,
    ),
    Column(
        "source_file",
        pa.string(),
        "The workbook the row was read from (zip member path where the raw file is a zip).",
        nullable=False,
        provenance=True,
    ),
]

FIELDS: dict[str, Column] = {c.name: c for c in _FIELDS}


def _cols(*names: str) -> tuple[Column, ...]:
    return tuple(FIELDS[n] for n in names)


_OES_KEY = (
    "dataset",
    "ref_year",
    "area_type",
    "area_code",
    "naics_code",
    "ownership_code",
    "soc_code",
    "occ_level",
)

OES_ESTIMATES = Table(
    name="oes_estimates",
    description="OES/OEWS employment estimates: one row per release x area x industry x ownership x "
    "occupation (x level: from 2017 BLS lists some combined codes both as broad and as detailed).",
    columns=_cols(
        *_OES_KEY[:-1],
        "ref_month",
        "soc_system",
        "occ_title",
        "occ_level",
        "occ_group_published",
        "employment",
        "employment_status",
        "employment_marker",
        "employment_rse_pct",
        "employment_rse_status",
        "wage_mean_rse_pct",
        "wage_mean_rse_status",
        "annual_only",
        "hourly_only",
        "source_sha256",
        "source_file",
    ),
    key=_OES_KEY,
    release_key=("dataset", "ref_year"),
    partition_by=("ref_year",),
    usage="Filter occ_level = 'detailed' before summing: totals, groups and detailed rows share the table.",
)

OES_WAGES = Table(
    name="oes_wages",
    description="OES/OEWS wage estimates in long form: one row per oes_estimates row x basis x statistic.",
    columns=_cols(
        *_OES_KEY[:-1],
        "ref_month",
        "soc_system",
        "occ_level",
        "basis",
        "statistic",
        "value",
        "status",
        "marker",
        "bound",
        "bound_comparison",
        "bound_source",
        "source_sha256",
        "source_file",
    ),
    key=(*_OES_KEY, "basis", "statistic"),
    release_key=("dataset", "ref_year"),
    partition_by=("ref_year",),
    usage="`value` is null unless status = 'estimate'; a top-coded figure is never a value: see `bound`.",
)

TABLES: dict[str, Table] = {t.name: t for t in (OES_ESTIMATES, OES_WAGES)}


def table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no curated table {name!r}; tables: {', '.join(TABLES)}") from None


def to_arrow(records: list[dict[str, Any]], tbl: Table) -> pa.Table:
    """Rows -> an Arrow table with exactly the declared columns and types (extra keys refused)."""
    names = set(tbl.names)
    for rec in records[:1]:
        extra = set(rec) - names
        if extra:
            raise ValueError(f"{tbl.name}: undeclared columns {sorted(extra)}")
    return pa.Table.from_pylist(records, schema=tbl.arrow_schema())
