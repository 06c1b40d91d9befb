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
RATE_3DP = pa.decimal128(9, 3)  # jobs per 1,000 (BLS publishes three decimals)
RATIO_2DP = pa.decimal128(9, 2)  # location quotient (two decimals)


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
    # Rows of a release are written in this order, in row groups of store.row_group_rows(): Parquet's per-group
    # min/max then let a reader skip every group without the value it filters on (one occupation in the
    # 4.4 million wage rows of a time-series release: 2 s -> 0.03 s, benchmarks/RESULTS.md).
    cluster_by: tuple[str, ...] = ()
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
DATASETS = ("oes_national", "oes_timeseries", "oes_industry", "oes_state", "oes_metro", "oes_all")
NAICS_LEVELS = (
    "cross-industry",
    "cross-industry, ownership",
    "sector",
    "3-digit",
    "4-digit",
    "5-digit",
    "6-digit",
    "3-digit, ownership",  # the industry files' schools and hospitals by ownership (2019 I_GROUP)
    "4-digit, ownership",
)
OCC_LEVELS = ("total", "major", "minor", "broad", "detailed")
PAY_BASES = ("hourly", "annual")
WAGE_STATISTICS = ("mean", "p10", "p25", "median", "p75", "p90")
PERCENTILES = WAGE_STATISTICS[1:]  # in order: p10 <= p25 <= median <= p75 <= p90
# SOC 'NN-NNNN' (hybrid and BLS-combined codes look the same) or a five-digit 1990s OES code
CODE_PATTERN = r"^(\d{2}-\d{4}|\d{5})$"

_FIELDS: list[Column] = [
    # --- release and place -------------------------------------------------------------------
    Column(
        "dataset",
        pa.string(),
        "BLS product and file family the row came from: 'oes_national' (the national cross-industry "
        "workbooks, oesm{YY}nat.zip), 'oes_timeseries' (the OEWS time-series database, "
        "download.bls.gov/pub/time.series/oe), 'oes_industry' (oesm{YY}in4.zip), 'oes_state' (oesm{YY}st.zip), "
        "'oes_metro' (oesm{YY}ma.zip), 'oes_all' (oesm{YY}all.zip). A figure published in two families is "
        "stored once per family.",
        nullable=False,
        values=DATASETS,
    ),
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
    Column(
        "area_code",
        pa.string(),
        "BLS area code as the family publishes it: '99' = United States in the workbooks; seven digits in "
        "the time series ('0000000' United States, state FIPS + '00000' a state, '00' + CBSA code a "
        "metropolitan area, state FIPS + '000NN' a nonmetropolitan area).",
        nullable=False,
    ),
    Column("area_title", pa.string(), "Area name as published (null where the family does not publish it)."),
    Column(
        "naics_code",
        pa.string(),
        "Industry code as published; '000000' = cross-industry, all ownerships. The time series writes "
        "sectors as e.g. '31--33'/'11--12' and the ownership aggregates as '000001' (private) and '999001' "
        "(government).",
        nullable=False,
    ),
    Column("naics_title", pa.string(), "Industry title as published (null where the family does not publish it)."),
    Column(
        "naics_level",
        pa.string(),
        "Industry level, in the workbooks' I_GROUP words (null where the family does not say).",
        values=NAICS_LEVELS,
    ),
    Column(
        "ownership_code",
        pa.string(),
        "BLS ownership code; '1235' = all ownerships (private, state and local government, federal), "
        "'5' private, '123' government. The time series states ownership only for its cross-industry "
        "codes (000000 all, 000001 private, 999001 government); its other industries cover whatever "
        "ownerships BLS estimates the industry for and get '' (not stated).",
        nullable=False,
    ),
    Column(
        "state_code",
        pa.string(),
        "State the area lies in, as published: the time series' FIPS code ('00' for the nation); the "
        "workbooks' postal abbreviation (ST / PRIM_STATE; null where the file has neither).",
    ),
    Column(
        "area_type_published",
        pa.string(),
        "The area type code exactly as the file wrote it (time series: N, S, M; workbooks: 1, 2, 4, 6).",
        nullable=False,
    ),
    Column(
        "naics_level_published",
        pa.string(),
        "The industry level exactly as the file wrote it (time series: display_level 0-5).",
        nullable=False,
    ),
    # --- occupation --------------------------------------------------------------------------
    Column(
        "soc_code",
        pa.string(),
        "Occupation code exactly as published: SOC 'NN-NNNN' (hybrid and "
        "BLS-combined codes included), or the five-digit OES code of the 1990s files.",
        nullable=False,
        pattern=CODE_PATTERN,
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
    Column(
        "jobs_per_1000",
        RATE_3DP,
        "Employment of the occupation per 1,000 jobs in the area (JOBS_1000); null unless jobs_per_1000_status "
        "is 'estimate'.",
        unit="per 1,000 jobs",
    ),
    Column(
        "jobs_per_1000_status",
        pa.string(),
        "What the jobs-per-1,000 figure says; null where the family has no such column.",
        values=STATUS_VALUES,
    ),
    Column(
        "location_quotient",
        RATIO_2DP,
        "The occupation's share of the area's employment over its share of national employment (LOC_QUOTIENT).",
        unit="ratio",
    ),
    Column(
        "location_quotient_status",
        pa.string(),
        "What the location quotient says; null where the family has no such column.",
        values=STATUS_VALUES,
    ),
    Column(
        "pct_of_industry_employment",
        PERCENT_2DP,
        "Percent of the industry's employment in this occupation (PCT_TOTAL; industry files).",
        unit="percent",
    ),
    Column(
        "pct_of_industry_employment_status",
        pa.string(),
        "What the percent-of-industry figure says ('not_published' where the family publishes no such "
        "figure; null where the row's parser predates the column).",
        values=STATUS_VALUES,
    ),
    Column(
        "pct_establishments_reporting",
        PERCENT_2DP,
        "Percent of establishments in the industry reporting the occupation (PCT_RPT; industry files).",
        unit="percent",
    ),
    Column(
        "pct_establishments_reporting_status",
        pa.string(),
        "What the percent-reporting figure says (as pct_of_industry_employment_status).",
        values=STATUS_VALUES,
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
    Column("basis", pa.string(), "Pay basis of the figure.", nullable=False, values=PAY_BASES),
    Column(
        "statistic",
        pa.string(),
        "Wage statistic.",
        nullable=False,
        values=WAGE_STATISTICS,
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
        "descriptions, or the declared table (src/occstats/sources/oes/layout.py).",
    ),
    # --- employment projections (EP) ----------------------------------------------------------
    Column(
        "base_year",
        pa.int16(),
        "Base year of the projection cycle (the year employment was estimated), read from the workbook's own titles.",
        nullable=False,
    ),
    Column("target_year", pa.int16(), "Target year of the projection cycle (ten years on).", nullable=False),
    Column(
        "occ_type",
        pa.string(),
        "Employment Matrix row type: a line item (an occupation) or a summary (a group total).",
        nullable=False,
        values=("line_item", "summary"),
    ),
    Column(
        "occ_type_source",
        pa.string(),
        "'published' (the workbook's Occupation type column, 2014 on) or 'derived' (2008-2012: a code with "
        "children in the table, or a BLS cross-group summary declared in src/occstats/sources/ep/layout.py, "
        "is a summary).",
        nullable=False,
        values=("published", "derived"),
    ),
    Column(
        "employment_base",
        pa.int64(),
        "Employment in the base year. BLS publishes thousands to "
        "one decimal; 172.5 thousand is stored as 172500, exactly.",
        unit="persons",
    ),
    Column("employment_target", pa.int64(), "Projected employment in the target year.", unit="persons"),
    Column(
        "employment_base_dist_pct",
        PERCENT_2DP,
        "Share of total employment in the base year, as published.",
        unit="percent",
    ),
    Column(
        "employment_target_dist_pct",
        PERCENT_2DP,
        "Share of total employment in the target year, as published.",
        unit="percent",
    ),
    Column(
        "change_number",
        pa.int64(),
        "Employment change over the cycle, as published (BLS computes "
        "it from unrounded figures, so base + change can differ from target by 100 persons).",
        unit="persons",
    ),
    Column(
        "change_pct",
        PERCENT_2DP,
        "Percent employment change over the cycle, as published (two decimals in "
        "the 2008-18 cycle, one from 2010-20 on).",
        unit="percent",
    ),
    Column(
        "openings_growth_replacement_total",
        pa.int64(),
        "Job openings due to growth and replacement "
        "needs, total over the decade (2008-18 to 2014-24 cycles; the old replacement-needs method). "
        "Null in later cycles: a different concept.",
        unit="persons",
    ),
    Column(
        "openings_annual_avg",
        pa.int64(),
        "Occupational openings from growth and separations, annual "
        "average over the decade (2016-26 cycle on). Null in earlier cycles: a different concept.",
        unit="persons per year",
    ),
    Column(
        "self_employed_pct",
        PERCENT_2DP,
        "Percent of base-year employment that is self-employed, where the cycle publishes it.",
        unit="percent",
    ),
    Column(
        "self_employed_status", pa.string(), "What the self-employed cell says.", nullable=False, values=STATUS_VALUES
    ),
    Column(
        "median_wage_annual",
        WAGE,
        "Median annual wage the workbook publishes for the occupation "
        "(from OES); null unless median_wage_status is 'estimate'.",
        unit="USD per year",
    ),
    Column(
        "median_wage_status",
        pa.string(),
        "What the workbook's median wage cell says.",
        nullable=False,
        values=STATUS_VALUES,
    ),
    Column("median_wage_marker", pa.string(), "The median wage cell's marker as published ('—', '>=$239,200'…)."),
    Column(
        "median_wage_bound", WAGE, "For a top-coded median wage: the threshold the marker states.", unit="USD per year"
    ),
    Column("median_wage_year", pa.int16(), "The wage year the workbook's header states."),
    Column(
        "education_system",
        pa.string(),
        "Which BLS education and training classification the "
        "categories belong to: the eleven-category 'most significant source' system (2008-18 "
        "cycle) or the three-part system (entry education, experience, training; 2010-20 on).",
        values=("bls-11-category", "bls-3-part"),
    ),
    Column(
        "education_training_category",
        pa.string(),
        "Most significant source of education or training (eleven-category system only).",
    ),
    Column("typical_entry_education", pa.string(), "Typical education needed for entry (three-part system)."),
    Column("work_experience", pa.string(), "Work experience in a related occupation (three-part system)."),
    Column(
        "on_the_job_training",
        pa.string(),
        "Typical on-the-job training needed to attain competency (three-part system).",
    ),
    Column(
        "education_status",
        pa.string(),
        "Whether the cycle publishes education and training for "
        "this row ('not_available' where BLS shows a dash, as on summary rows).",
        nullable=False,
        values=STATUS_VALUES,
    ),
    Column("education_source", pa.string(), "The sheet the education and training categories come from."),
    # --- National Employment Matrix (EP, by industry) --------------------------------------------
    Column(
        "industry_code",
        pa.string(),
        "National Employment Matrix industry code as published: NAICS-based six characters ('622000'; "
        "ownership in the last digit, '611102' = state-owned), ranges ('1131-2', '31-330') and BLS "
        "aggregates ('4445R0').",
        nullable=False,
        pattern=r"^[0-9][0-9A-Z,-]{5}$",
    ),
    Column("industry_title", pa.string(), "Industry title as the workbook's second row states it.", nullable=False),
    Column(
        "industry_level",
        pa.string(),
        "'sector' for the 20 industries that together hold all wage and salary employment (declared in "
        "src/occstats/sources/ep_matrix/layout.py; their rows are in ep_matrix_sectors); 'part_of_sector' for "
        "every other industry, each inside one sector (BLS's workbooks state no level; their rows are in "
        "ep_matrix). Sum over sectors only: the rest overlap.",
        nullable=False,
        values=("sector", "part_of_sector"),
    ),
    Column("matrix_sort_order", pa.int32(), "The workbook's 'Sort Order' of the row, as published.", nullable=False),
    Column(
        "share_of_industry_pct",
        PERCENT_1DP,
        "Percent of the industry's employment in the base year that is in this occupation, as published "
        "(share_of_industry_target_pct: the target year's).",
        unit="percent",
    ),
    Column(
        "share_of_industry_target_pct",
        PERCENT_1DP,
        "Percent of the industry's projected employment in the target year that is in this occupation.",
        unit="percent",
    ),
    Column(
        "share_of_occupation_pct",
        PERCENT_1DP,
        "Percent of the occupation's employment (all industries and the self-employed) in the base year "
        "that is in this industry, as published ('39% of these jobs were in hospitals'; "
        "share_of_occupation_target_pct: the target year's).",
        unit="percent",
    ),
    Column(
        "share_of_occupation_target_pct",
        PERCENT_1DP,
        "Percent of the occupation's projected employment in the target year that is in this industry.",
        unit="percent",
    ),
    # --- OOH quick facts ----------------------------------------------------------------------
    Column(
        "median_pay_annual",
        WAGE,
        "Median pay, annual, as OES published it for this code in the release named by median_pay_release.",
        unit="USD per year",
    ),
    Column(
        "median_pay_annual_status",
        pa.string(),
        "What OES says of the annual median (or 'not_available' where no OES figure exists for the code; see notes).",
        nullable=False,
        values=STATUS_VALUES,
    ),
    Column("median_pay_hourly", WAGE, "Median pay, hourly, as OES published it.", unit="USD per hour"),
    Column(
        "median_pay_hourly_status",
        pa.string(),
        "What OES says of the hourly median.",
        nullable=False,
        values=STATUS_VALUES,
    ),
    Column(
        "median_pay_bound_annual", WAGE, "For a top-coded annual median: the release's threshold.", unit="USD per year"
    ),
    Column("median_pay_year", pa.int16(), "Reference year of the OES release the pay figures come from."),
    Column(
        "median_pay_release",
        pa.string(),
        "The OES release the pay figures come from, e.g. 'OES May "
        "2010', or the EP workbook where OES has no figure for the code.",
    ),
    Column("number_of_jobs", pa.int64(), "Number of jobs (employment) in the cycle's base year.", unit="persons"),
    Column("number_of_jobs_year", pa.int16(), "Year of number_of_jobs (the cycle's base year)."),
    Column("job_outlook_pct", PERCENT_2DP, "Projected percent change in employment over the cycle.", unit="percent"),
    Column("employment_change", pa.int64(), "Projected change in employment over the cycle.", unit="persons"),
    Column("outlook_period", pa.string(), "The projection cycle, as OOH writes it, e.g. '2010-20'."),
    Column(
        "projections_release",
        pa.string(),
        "The Employment Projections release number_of_jobs, job_outlook_pct, employment_change and the "
        "education categories come from, e.g. 'EP 2010-20'.",
        nullable=False,
    ),
    Column(
        "notes",
        pa.string(),
        "What is not available for this occupation and cycle, and why; where a "
        "figure comes from a year other than the cycle's own, which.",
        nullable=False,
    ),
    Column(
        "ep_source_sha256",
        pa.string(),
        "sha256 of the raw EP workbook the projection figures come from.",
        nullable=False,
        pattern=r"^[0-9a-f]{64}$",
        provenance=True,
    ),
    Column(
        "oes_source_sha256",
        pa.string(),
        "sha256 of the raw OES file the pay figures come from (null where none).",
        pattern=r"^[0-9a-f]{64}$",
        provenance=True,
    ),
    # --- classification ------------------------------------------------------------------------
    Column("level", pa.string(), "Level of the code in its system.", nullable=False, values=OCC_LEVELS),
    Column("parent_code", pa.string(), "The code one level up in the same system (null at the top)."),
    Column("title", pa.string(), "Title of the code in its system (footnote marks removed).", nullable=False),
    Column(
        "appears_in",
        pa.list_(pa.string()),
        "Curated releases and cycles whose rows use the code under this system, e.g. 'OES 2019', 'EP 2019-2029'.",
    ),
    Column(
        "code_source",
        pa.string(),
        "Where the code is known from: a BLS crosswalk, the declared hybrid table, or the curated releases themselves.",
        nullable=False,
    ),
    Column("from_system", pa.string(), "Classification mapped from.", nullable=False, values=SOC_SYSTEMS),
    Column("from_code", pa.string(), "Code mapped from.", nullable=False, pattern=CODE_PATTERN),
    Column("from_title", pa.string(), "Title of the from-code (footnote marks removed)."),
    Column("to_system", pa.string(), "Classification mapped to.", nullable=False, values=SOC_SYSTEMS),
    Column("to_code", pa.string(), "Code mapped to.", nullable=False, pattern=CODE_PATTERN),
    Column("to_title", pa.string(), "Title of the to-code (footnote marks removed)."),
    Column(
        "relationship",
        pa.string(),
        "one-to-one (the code maps to one code that receives nothing "
        "else), split (one code to several), merge (several to one), many-to-many.",
        nullable=False,
        values=("one-to-one", "split", "merge", "many-to-many"),
    ),
    Column(
        "mapping_source",
        pa.string(),
        "The BLS crosswalk workbook, or the declared hybrid table (with where each entry is documented).",
        nullable=False,
    ),
    Column("mapping_note", pa.string(), "How the entry is known, for declared entries."),
    Column(
        "hybrid_system",
        pa.string(),
        "The OES transition hybrid the structure describes.",
        nullable=False,
        values=SOC_SYSTEMS,
    ),
    Column("hybrid_code", pa.string(), "OES code of the hybrid structure.", nullable=False, pattern=CODE_PATTERN),
    Column("hybrid_title", pa.string(), "OES title as the structure gives it (footnote marks removed)."),
    Column(
        "component_system",
        pa.string(),
        "Classification of the component: soc-2000, soc-2010, soc-2018, or oes-may-2018 (the codes of the OES "
        "May 2018 estimates, i.e. soc-2010 as OES published it, combined codes included).",
        nullable=False,
        values=("soc-2000", "soc-2010", "soc-2018", "oes-may-2018"),
    ),
    Column(
        "component_code",
        pa.string(),
        "Code the OES code was built from, as BLS lists it.",
        nullable=False,
        pattern=CODE_PATTERN,
    ),
    Column("component_title", pa.string(), "Title of the component as BLS lists it (footnote marks removed)."),
    Column(
        "bls_relationship",
        pa.string(),
        "BLS's own note on the row, verbatim ('temp. code and title', 'Hybrid (code & title)', "
        "'2018 SOC broad occupation', 'Code change only' ...); null where BLS wrote none.",
    ),
    Column(
        "source_row",
        pa.int32(),
        "Excel row of the structure workbook: the components of one row were published together.",
        nullable=False,
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
        "area_title",
        "naics_title",
        "naics_level",
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
        "jobs_per_1000",
        "jobs_per_1000_status",
        "location_quotient",
        "location_quotient_status",
        "pct_of_industry_employment",
        "pct_of_industry_employment_status",
        "pct_establishments_reporting",
        "pct_establishments_reporting_status",
        "source_sha256",
        "source_file",
    ),
    key=_OES_KEY,
    release_key=("dataset", "ref_year"),
    partition_by=("ref_year",),
    cluster_by=("soc_code", "area_code", "naics_code"),
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
    cluster_by=("soc_code", "area_code", "naics_code"),
    usage="`value` is null unless status = 'estimate'; a top-coded figure is never a value: see `bound`.",
)

EP_PROJECTIONS = Table(
    name="ep_projections",
    description="BLS Employment Projections, Table 1.2 with education/training and the median wage the "
    "workbook publishes: one row per projection cycle x National Employment Matrix code.",
    columns=_cols(
        "base_year",
        "target_year",
        "soc_code",
        "soc_system",
        "occ_title",
        "occ_type",
        "occ_type_source",
        "employment_base",
        "employment_target",
        "employment_base_dist_pct",
        "employment_target_dist_pct",
        "change_number",
        "change_pct",
        "openings_growth_replacement_total",
        "openings_annual_avg",
        "self_employed_pct",
        "self_employed_status",
        "median_wage_annual",
        "median_wage_status",
        "median_wage_marker",
        "median_wage_bound",
        "median_wage_year",
        "education_system",
        "education_training_category",
        "typical_entry_education",
        "work_experience",
        "on_the_job_training",
        "education_status",
        "education_source",
        "source_sha256",
        "source_file",
    ),
    key=("base_year", "target_year", "soc_code"),
    release_key=("base_year", "target_year"),
    partition_by=("base_year",),
    usage="Filter occ_type = 'line_item' before summing. Openings before and after the 2016-26 cycle are "
    "different concepts and live in different columns.",
)

EP_MATRIX = Table(
    name="ep_matrix",
    description="The National Employment Matrix (BLS Employment Projections): employment by industry for "
    "every occupation, one row per projection cycle x industry x occupation, from BLS's workbook per industry.",
    columns=_cols(
        "base_year",
        "target_year",
        "industry_code",
        "industry_title",
        "industry_level",
        "soc_code",
        "soc_system",
        "occ_title",
        "occ_type",
        "matrix_sort_order",
        "employment_base",
        "share_of_industry_pct",
        "share_of_occupation_pct",
        "employment_target",
        "share_of_industry_target_pct",
        "share_of_occupation_target_pct",
        "change_number",
        "change_pct",
        "source_sha256",
        "source_file",
    ),
    key=("base_year", "industry_code", "soc_code"),
    release_key=("base_year", "industry_code"),
    partition_by=("base_year",),
    usage="The industries inside the 20 sectors (the sectors themselves are in ep_matrix_sectors), so ranking "
    "one occupation's rows gives the industries that employ it. Filter occ_type = 'line_item' before summing "
    "occupations; never sum industries here: they nest (622000 holds 622100, which holds 622105). BLS leaves "
    "out an occupation with fewer than 50 jobs in an industry (or confidential or poor-quality data): a "
    "missing row is not a zero. The self-employed are in no industry workbook.",
)

EP_MATRIX_SECTORS = Table(
    name="ep_matrix_sectors",
    description="The National Employment Matrix's 20 sector workbooks (BLS Employment Projections): employment "
    "by sector for every occupation, one row per projection cycle x sector x occupation. The sectors partition "
    "wage and salary employment; the industries inside them are in ep_matrix.",
    columns=EP_MATRIX.columns,
    key=EP_MATRIX.key,
    release_key=EP_MATRIX.release_key,
    partition_by=EP_MATRIX.partition_by,
    usage="Sum over sectors for an occupation's wage and salary employment (the self-employed are in no "
    "workbook). Filter occ_type = 'line_item' before summing occupations.",
)

OOH_QUICKFACTS = Table(
    name="ooh_quickfacts",
    description="The Occupational Outlook Handbook 'quick facts' box for each line-item occupation and "
    "projection cycle, joined from ep_projections and the OES tables; every figure names its release.",
    columns=_cols(
        "base_year",
        "target_year",
        "soc_code",
        "soc_system",
        "occ_title",
        "median_pay_annual",
        "median_pay_annual_status",
        "median_pay_hourly",
        "median_pay_hourly_status",
        "median_pay_bound_annual",
        "median_pay_year",
        "median_pay_release",
        "typical_entry_education",
        "work_experience",
        "on_the_job_training",
        "education_system",
        "education_training_category",
        "number_of_jobs",
        "number_of_jobs_year",
        "job_outlook_pct",
        "employment_change",
        "outlook_period",
        "projections_release",
        "notes",
        "ep_source_sha256",
        "oes_source_sha256",
    ),
    key=("base_year", "target_year", "soc_code"),
    release_key=("base_year", "target_year"),
    usage="Rebuilt from the curated tables after every EP or OES refresh; never edited by hand.",
)

SOC_CODES = Table(
    name="soc_codes",
    description="Every occupation code of every classification the curated data uses (SOC 2000, 2010, "
    "2018, the 1990s OES codes, the transition hybrids), with title, level, parent and the releases that "
    "use it.",
    columns=_cols("soc_system", "soc_code", "title", "level", "parent_code", "appears_in", "code_source"),
    key=("soc_system", "soc_code"),
    release_key=("soc_system",),
)

SOC_CROSSWALK = Table(
    name="soc_crosswalk",
    description="From (system, code) to (system, code): the BLS SOC crosswalks and, where BLS published "
    "none (the transition hybrids), mappings derived from the hybrid codes declared in "
    "src/occstats/sources/soc/layout.py.",
    columns=_cols(
        "from_system",
        "from_code",
        "from_title",
        "to_system",
        "to_code",
        "to_title",
        "relationship",
        "mapping_source",
        "mapping_note",
        "source_sha256",
        "source_file",
    ),
    key=("from_system", "from_code", "to_system", "to_code"),
    release_key=("from_system", "to_system"),
)

SOC_HYBRID_STRUCTURE = Table(
    name="soc_hybrid_structure",
    description="BLS's published structures of the OES transition hybrids (May 2010-2011: SOC 2000/2010, "
    "www.bls.gov/oes/may_2010_occs.xls; May 2019-2020: SOC 2010/2018, oes_2019_hybrid_structure.xlsx): each "
    "OES code with the SOC codes, on each side, it was built from, one row per workbook row and side.",
    columns=_cols(
        "hybrid_system",
        "hybrid_code",
        "hybrid_title",
        "component_system",
        "component_code",
        "component_title",
        "bls_relationship",
        "source_row",
        "source_sha256",
        "source_file",
    ),
    key=("hybrid_system", "source_row", "component_system"),
    release_key=("hybrid_system",),
)

OES_AREAS = Table(
    name="oes_areas",
    description="The areas an OES/OEWS release publishes, by release and family: code, type, title, state.",
    columns=_cols(
        "dataset",
        "ref_year",
        "area_code",
        "area_type",
        "area_type_published",
        "area_title",
        "state_code",
        "source_sha256",
        "source_file",
    ),
    key=("dataset", "ref_year", "area_code"),
    release_key=("dataset", "ref_year"),
    usage="Join to oes_estimates on (dataset, ref_year, area_code); area codes are the family's own.",
)

OES_INDUSTRIES = Table(
    name="oes_industries",
    description="The industries an OES/OEWS release publishes, by release and family: code, title, level.",
    columns=_cols(
        "dataset",
        "ref_year",
        "naics_code",
        "naics_title",
        "naics_level",
        "naics_level_published",
        "ownership_code",
        "source_sha256",
        "source_file",
    ),
    key=("dataset", "ref_year", "naics_code", "ownership_code"),
    release_key=("dataset", "ref_year"),
    usage="Join to oes_estimates on (dataset, ref_year, naics_code, ownership_code).",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        OES_ESTIMATES,
        OES_WAGES,
        OES_AREAS,
        OES_INDUSTRIES,
        EP_PROJECTIONS,
        EP_MATRIX,
        EP_MATRIX_SECTORS,
        OOH_QUICKFACTS,
        SOC_CODES,
        SOC_CROSSWALK,
        SOC_HYBRID_STRUCTURE,
    )
}


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
