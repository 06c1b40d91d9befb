"""How the OEWS time-series database is laid out: declarations only, read and checked against BLS's files.

`download.bls.gov/pub/time.series/oe/` is BLS's LABSTAT layout: one tab-separated data file
(`series_id, year, period, value, footnote_codes`) and small code lists. Everything the parser must
know about it is declared here, and each declaration is checked against the code list it describes
(`oe.datatype`, `oe.footnote`) every time a release is parsed, so a renumbering at BLS is an error
naming the file rather than figures filed under the wrong statistic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from occstats.markers import Status

DATA_FILE = "oe.data.0.Current"
# Companion files a release needs beside its data file, by the role the parser gives them.
LOOKUP_FILES: dict[str, str] = {
    "area": "oe.area",
    "industry": "oe.industry",
    "occupation": "oe.occupation",
    "datatype": "oe.datatype",
    "footnote": "oe.footnote",
    "release": "oe.release",
}
# Header names each file must carry (read by name: the reconstructed oe.industry/oe.occupation of the
# full mirror and BLS's own differ in their other columns).
LOOKUP_COLUMNS: dict[str, tuple[str, ...]] = {
    "area": ("state_code", "area_code", "areatype_code", "area_name"),
    "industry": ("industry_code", "industry_name", "display_level"),
    "occupation": ("occupation_code", "occupation_name", "display_level"),
    "datatype": ("datatype_code", "datatype_name"),
    "footnote": ("footnote_code", "footnote_text"),
    "release": ("release_date", "description"),
}
DATA_COLUMNS = ("series_id", "year", "period", "value", "footnote_codes")

# Series id: OEU + area type (1) + area (7) + industry (6) + occupation (6) + datatype (2) = 25 characters.
SERIES_PREFIX = "OEU"
SERIES_FIELDS: tuple[tuple[str, int, int], ...] = (  # (part, start, stop) in the series id
    ("prefix", 0, 3),
    ("area_type", 3, 4),
    ("area_code", 4, 11),
    ("industry", 11, 17),
    ("occupation", 17, 23),
    ("datatype", 23, 25),
)
SERIES_ID_LENGTH = 25
ESTIMATE_KEY_STOP = 23  # the series id without its datatype: one estimate (area x industry x occupation)

# Values: a number as BLS writes it (digits, optional decimals) or '-' where a footnote says why not.
NUMBER = r"^-?\d+(\.\d+)?$"
DASH = "-"


@dataclass(frozen=True)
class Datatype:
    """Where one datatype code's figure goes: (table, column or statistic, basis) and BLS's own name for it."""

    code: str
    name: str  # oe.datatype's datatype_name, compared case-insensitively
    table: str  # "oes_estimates" or "oes_wages"
    statistic: str  # the estimates column, or the wage statistic
    basis: str | None = None  # wages only: hourly / annual
    scale: int = 0  # decimals BLS publishes (more is an error, fewer is fine)


DATATYPES: tuple[Datatype, ...] = (
    Datatype("01", "Employment", "oes_estimates", "employment", scale=0),
    Datatype("02", "Employment percent relative standard error", "oes_estimates", "employment_rse_pct", scale=1),
    Datatype("03", "Hourly mean wage", "oes_wages", "mean", "hourly", 2),
    Datatype("04", "Annual mean wage", "oes_wages", "mean", "annual", 0),
    Datatype("05", "Wage percent relative standard error", "oes_estimates", "wage_mean_rse_pct", scale=1),
    Datatype("06", "Hourly 10th percentile wage", "oes_wages", "p10", "hourly", 2),
    Datatype("07", "Hourly 25th percentile wage", "oes_wages", "p25", "hourly", 2),
    Datatype("08", "Hourly median wage", "oes_wages", "median", "hourly", 2),
    Datatype("09", "Hourly 75th percentile wage", "oes_wages", "p75", "hourly", 2),
    Datatype("10", "Hourly 90th percentile wage", "oes_wages", "p90", "hourly", 2),
    Datatype("11", "Annual 10th percentile wage", "oes_wages", "p10", "annual", 0),
    Datatype("12", "Annual 25th percentile wage", "oes_wages", "p25", "annual", 0),
    Datatype("13", "Annual median wage", "oes_wages", "median", "annual", 0),
    Datatype("14", "Annual 75th percentile wage", "oes_wages", "p75", "annual", 0),
    Datatype("15", "Annual 90th percentile wage", "oes_wages", "p90", "annual", 0),
    Datatype("16", "Employment per 1,000 jobs", "oes_estimates", "jobs_per_1000", scale=3),
    Datatype("17", "Location Quotient", "oes_estimates", "location_quotient", scale=2),
)
DATATYPE_BY_CODE: dict[str, Datatype] = {d.code: d for d in DATATYPES}


@dataclass(frozen=True)
class Footnote:
    """What a footnote code on a '-' value means, with the words oe.footnote must use for it."""

    code: str
    status: Status | None  # None: a note about the series, never a reason for a missing value
    text_pattern: str  # oe.footnote's text must match (case-insensitive), or the release is refused


FOOTNOTES: tuple[Footnote, ...] = (
    Footnote("1", None, r"do not sum to the totals"),
    Footnote("2", None, r"annual wages have been calculated by multiplying the hourly wages by 2,080"),
    Footnote("3", None, r"relative standard error"),
    # Published on the pay basis BLS does not release for occupations paid the other way (teachers,
    # actors): the Excel files' ANNUAL / HOURLY flags.
    Footnote("4", Status.NOT_RELEASED, r"reported either as hourly wages or annual salaries"),
    Footnote("5", Status.TOP_CODED, r"equal to or greater than \$[\d,.]+ per hour or \$[\d,]+ per year"),
    # The workbooks' `*` / `**`: no estimate for this cell.
    Footnote("8", Status.NOT_AVAILABLE, r"estimate not released"),
)
FOOTNOTE_BY_CODE: dict[str, Footnote] = {f.code: f for f in FOOTNOTES}

# The top-coding threshold, read from the top-code footnote's own words.
TOP_CODE_TEXT = re.compile(
    r"(equal\s+to\s+or\s+greater\s+than|greater\s+than)\s*\$\s*([\d,]+(?:\.\d+)?)\s*per\s+hour\s+or\s+"
    r"\$\s*([\d,]+)\s*per\s+year",
    re.IGNORECASE,
)

# oe.area's areatype_code -> area type. 'M' covers metropolitan and nonmetropolitan areas alike; BLS's
# nonmetropolitan area codes are a state FIPS code + '000NN' (metropolitan ones are '00' + a CBSA code).
AREA_TYPES: dict[str, str] = {"N": "national", "S": "state", "M": "metropolitan"}
NONMETROPOLITAN_CODE = r"^(?!00)\d{2}000\d{2}$"
NONMETROPOLITAN_NAME = "nonmetropolitan area"  # each nonmetropolitan code's name says so (checked)

# Industry codes -> ownership, where the time series states one (its cross-industry ownership aggregates
# and the government sector); other industries cover the ownerships BLS estimates them for and get ''.
OWNERSHIP_BY_INDUSTRY: dict[str, str] = {
    "000000": "1235",  # Cross-Industry, Private, Federal, State, and Local
    "000001": "5",  # Cross-industry, Private Ownership only
    "999001": "123",  # Federal, State, and Local Government, including ... Schools and Hospitals and USPS
    "999101": "1",  # Federal Government, including the U.S. Postal Service
    "999201": "2",  # State Government, including Schools and Hospitals
    "999301": "3",  # Local Government, including Schools and Hospitals
    "99-100": "123",  # Sector 99 - Federal, State, and Local Government, excl. ...
}
OWNERSHIP_NOT_STATED = ""
# Industry level, in the workbooks' I_GROUP words, from the code's shape (display_level is kept as published).
CROSS_INDUSTRY = "000000"
OWNERSHIP_AGGREGATES = ("000001", "999001", "999101", "999201", "999301")
SECTOR_CODE = r"^\d{2}-{1,2}\d{2,3}$"  # '11--12', '31--34', '99-100'

# oe.occupation's display_level -> occupation level (display level 0 holds the total and the major groups).
OCC_LEVELS: dict[str, str] = {"0": "major", "1": "minor", "2": "broad", "3": "detailed"}
ALL_OCCUPATIONS = "000000"
# oe.release: release_date 'YYYYA01' and a description 'May YYYY'.
RELEASE_DESCRIPTION = re.compile(
    r"^(January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\s+((?:19|20)\d{2})$"
)
PERIOD = "A01"  # annual
