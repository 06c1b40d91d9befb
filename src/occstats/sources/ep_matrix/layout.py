"""How a National Employment Matrix industry workbook (`ind_<code>.xlsx`) is laid out: declarations only.

BLS's Employment Projections publish the matrix one workbook per industry. Measured on all 474
workbooks of the 2014-24 cycle (`../shared/bls/ep-matrix/2014-24/ind_xlsx/`, served by BLS in 2017):

- one sheet, '2014-2024 Matrix';
- row 1: 'Employment by industry, occupation, and percent distribution, 2014 and projected 2024'
  (merged over A:L) -- the cycle;
- row 2: '622000 Hospitals; state, local, and private' -- the industry code and title;
- row 3: '(Employment in thousands)\\nOccupations with fewer than 50 jobs, confidential data, or poor
  quality data are not displayed' -- the unit, and why an occupation can be absent (BLS leaves the
  row out; no cell carries a marker);
- rows 4-5, the header: row 4 holds 'Occupation' (merged B:C) and the years 2014 (D:F) and 2024
  (G:I); row 5 'Sort Order', 'Code', 'Title', 'Employment', 'Percent of industry', 'Percent of
  occupation' (twice), 'Percent change', 'Employment change', 'Occupation type';
- data from row 6: '00-0000 Total, all occupations' first, then every displayed summary and line
  item; every figure a number with one decimal (114,132 rows, no text, no marker, no blank);
- two footer rows: 'Note: Red indicates a decline in employment between 2014 and 2024' (a font
  colour; the sign of the change says the same) and 'Source: Employment Projections program, …'.

Columns are found by header text (each column's header rows joined with ' | ', merged cells
filled, `{base}`/`{target}` filled in from the title's cycle), never by position.
"""

from __future__ import annotations

from dataclasses import dataclass

from occstats.markers import Status

# The sheet's name states the cycle too ('2014-2024 Matrix'); the parser cross-checks it with the title.
SHEET_PATTERN = r"^(?P<base>(?:19|20)\d\d)\s*-\s*(?P<target>(?:19|20)\d\d)\s+Matrix$"
# Row 1 (the title): the cycle.
TITLE_PATTERN = (
    r"^Employment by industry, occupation, and percent distribution,\s*"
    r"(?P<base>(?:19|20)\d\d)\s+and\s+projected\s+(?P<target>(?:19|20)\d\d)$"
)
# Row 2: the industry. BLS's matrix codes are six characters: NAICS-based ('622000', '611102' =
# state-owned elementary schools), ranges ('1131-2', '31-330', '3274,9') and BLS aggregates ('4445R0').
INDUSTRY_CODE_PATTERN = r"^[0-9][0-9A-Z,-]{5}$"
INDUSTRY_PATTERN = r"^(?P<code>[0-9][0-9A-Z,-]{5})\s+(?P<title>\S.*)$"
# Row 3 must say the figures are in thousands; the parser multiplies by 1000 only on this text.
THOUSANDS_PATTERN = r"\(Employment in thousands\)"

# Occupation codes as the matrix publishes them (SOC-shaped, BLS combined codes included).
CODE_PATTERN = r"^\d{2}-\d{4}$"
TOTAL_CODE = "00-0000"  # 'Total, all occupations': the industry's total, first row of every workbook

# Rows below the data that are not occupations (skipped).
FOOTER_PATTERNS: tuple[str, ...] = (r"^notes?\s*:", r"^sources?\s*:")

# Figures: thousands with one decimal (172.5 = 172,500 persons); percents with one decimal.
THOUSANDS_DECIMALS = 1
PERSONS_PER_UNIT = 1000
PERCENT_DECIMALS = 1
SORT_ORDER_DECIMALS = 0

# What a figure cell may say besides a number. None in 2014-24: BLS leaves undisplayed occupations
# out as rows (see the note in row 3). Anything else in a figure cell is refused, naming the cell.
MARKERS: dict[str, Status] = {}

OCC_TYPES: dict[str, str] = {"line item": "line_item", "summary": "summary"}


@dataclass(frozen=True)
class Concept:
    name: str  # the ep_matrix column it fills
    pattern: str  # regex over the column's joined header text (case-insensitive, anchored)
    kind: str  # "code", "text", "persons", "percent", "count", "occ_type"


CONCEPTS: tuple[Concept, ...] = (
    Concept("matrix_sort_order", r"^Sort Order$", "count"),
    Concept("soc_code", r"^Occupation \| Code$", "code"),
    Concept("occ_title", r"^Occupation \| Title$", "text"),
    Concept("employment_base", r"^{base} \| Employment$", "persons"),
    Concept("share_of_industry_pct", r"^{base} \| Percent of industry$", "percent"),
    Concept("share_of_occupation_pct", r"^{base} \| Percent of occupation$", "percent"),
    Concept("employment_target", r"^{target} \| Employment$", "persons"),
    Concept("share_of_industry_target_pct", r"^{target} \| Percent of industry$", "percent"),
    Concept("share_of_occupation_target_pct", r"^{target} \| Percent of occupation$", "percent"),
    Concept("change_pct", r"^Percent change$", "percent"),
    Concept("change_number", r"^Employment change$", "persons"),
    Concept("occ_type", r"^Occupation type$", "occ_type"),
)

# The industries that partition wage and salary employment: BLS's 20 sectors. Evidence (2014-24):
# their '00-0000' rows sum to 141,195.5 thousand in 2014 (150,438.8 in 2024), and their 'Percent of
# occupation' to 93.8% of all employment -- the rest being self-employed and unpaid family workers,
# whom the ind_xlsx workbooks do not cover. Government education and hospitals are counted in 61 and
# 62 ('; state, local, and private'), so 900000 Government holds the rest of government only.
SECTORS: tuple[str, ...] = (
    "110000",  # Agriculture, forestry, fishing, and hunting
    "210000",  # Mining, quarrying, and oil and gas extraction
    "220000",  # Utilities
    "230000",  # Construction
    "31-330",  # Manufacturing
    "420000",  # Wholesale trade
    "44-450",  # Retail trade
    "48-490",  # Transportation and warehousing
    "510000",  # Information
    "520000",  # Finance and insurance
    "530000",  # Real estate and rental and leasing
    "540000",  # Professional, scientific, and technical services
    "550000",  # Management of companies and enterprises
    "560000",  # Administrative and support and waste management and remediation services
    "610000",  # Educational services; state, local, and private
    "620000",  # Healthcare and social assistance
    "710000",  # Arts, entertainment, and recreation
    "720000",  # Accommodation and food services
    "810000",  # Other services (except public administration)
    "900000",  # Government (except education and hospitals)
)
