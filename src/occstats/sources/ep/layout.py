"""How the Employment Projections occupation workbook is laid out, cycle by cycle: declarations only.

BLS reuses one URL (occupation.xlsx) for every projection cycle and reshapes the workbook every few
cycles. Everything that drifts is declared here, so a new cycle's quirk is a new entry rather than
a new `if base_year == …` in the parser:

- how a title states the cycle ("2010 and projected 2020", "2023–33");
- the eras of Table 1.2 and, for each, the header text that identifies every column (regexes over
  the column's header rows joined into one text, with `{base}`/`{target}`/`{yy}` filled in from the
  title's cycle). Columns are never found by position: BLS inserts columns between cycles;
- which sheet publishes the median wage, the self-employed share and the education and training
  categories in each cycle, and under which category system;
- the markers those sheets use, and the category vocabularies (an unknown category warns);
- (the SOC system of each cycle is declared once, for OES and EP, in sources/soc/layout.py (SYSTEM_BY_YEAR));
- what Table 1.2's code structure does not say: the BLS-only cross-group summary rows of 2008 and
  2010, combined codes filed under a group their code does not name, and summaries whose detail
  Table 1.2 leaves out.

Each entry was measured on the real workbooks (2008-18 to 2024-34); `tests/test_real_ep.py`
checks the parser against every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from occstats.markers import Status
from occstats.sources.base import all_by_year, by_year

# The sheet that holds the projections in every cycle (the same name 2008-18 to 2024-34).
TABLE_SHEET = "Table 1.2"

# National Employment Matrix codes as published: SOC-shaped, BLS combined codes included.
CODE_PATTERN = r"^\d{2}-\d{4}$"
TOTAL_CODE = "00-0000"

# The cycle as a title states it, tried in order on the text above the header. 2-digit targets
# ("2023–33") are completed from the base year's century.
TITLE_CYCLE_PATTERNS: tuple[str, ...] = (
    r"(?P<base>(?:19|20)\d\d)\s+and\s+projected\s+(?P<target>(?:19|20)\d\d)",
    r"projections,\s*(?P<base>(?:19|20)\d\d)\s*[-–—]\s*(?P<target>(?:19|20)?\d\d)\b",
)
# Any year range written in a Table 1.2 header ("Change, 2008-18", "Occupational openings,
# 2023–33 annual average") must be the title's cycle.
HEADER_RANGE_PATTERN = r"(?P<base>(?:19|20)\d\d)\s*[-–—]\s*(?P<target>(?:19|20)?\d\d)\b"
# Every cycle says its figures are in thousands; the parser multiplies by 1000 only on this word.
THOUSANDS_PATTERN = r"\((?:numbers|employment)\s+in\s+thousands\)"

# Rows below the data that are not occupations (skipped without a warning).
FOOTER_PATTERNS: tuple[str, ...] = (
    r"^(?:sources?|notes?|footnotes?)\s*:",
    r"^\[\d+\]",  # '[1] Data are from the Occupational Employment and Wage Statistics program…'
    r"^\(\d+\)",
)

# Persons columns: BLS publishes thousands with one decimal (172.5 = 172,500 persons).
THOUSANDS_DECIMALS = 1
PERSONS_PER_UNIT = 1000
PERSONS_COLUMNS: tuple[str, ...] = (
    "employment_base",
    "employment_target",
    "change_number",
    "openings_growth_replacement_total",
    "openings_annual_avg",
)
PERCENT_COLUMNS: tuple[str, ...] = ("employment_base_dist_pct", "employment_target_dist_pct", "change_pct")

# Decimals BLS publishes percents with: two in the 2008-18 cycle, one from 2010-20 on.
PERCENT_DECIMALS: tuple[tuple[int, int | None, int], ...] = ((2008, 2008, 2), (2010, None, 1))
SELF_EMPLOYED_DECIMALS = 2  # published with one decimal; the column holds two
WAGE_DECIMALS = 0  # annual wages, whole dollars

OCC_TYPES: dict[str, str] = {"line item": "line_item", "summary": "summary"}

# What a wage, self-employed or education cell may say besides a figure (compared stripped:
# 2010 and 2012 write '— ' with a trailing space).
NOT_AVAILABLE_MARKERS: dict[str, Status] = {
    "—": Status.NOT_AVAILABLE,
    "-": Status.NOT_AVAILABLE,
    "N/A": Status.NOT_AVAILABLE,
}
# Top-coded medians: '> $ 166,400' (2008), '≥$166,400' (2010), '>=$187,200' (2012),
# '>=$208,000' (2014-2021), '>=$239,200' (2022 on). The bound is the marker's own figure.
TOP_CODED_PATTERN = r"^(?P<comparison>>=|≥|>)\s*\$\s*(?P<bound>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)$"


@dataclass(frozen=True)
class Concept:
    """A column found by what its header says, never by where it sits.

    `pattern` is searched (case-insensitive) in the column's header text: its header rows, merged
    cells filled, joined with ' | ' (so 2008's three rows read 'Employment | Number | 2008'), with
    runs of whitespace made one space. `{base}`, `{target}` and `{yy}` (the target's last two
    digits) are filled in from the title's cycle. `nth` picks among several matching columns: the
    title and the code share one merged header ('… Matrix title and code') until 2019.
    """

    name: str
    pattern: str
    required: bool = True
    nth: int = 0


@dataclass(frozen=True)
class SheetLayout:
    """The columns one sheet contributes, by header text."""

    sheet: str
    concepts: tuple[Concept, ...]
    ignored: tuple[str, ...] = ()  # header patterns known and deliberately not curated


@dataclass(frozen=True)
class Era:
    """A run of cycles whose Table 1.2 has one shape."""

    name: str
    first_base: int
    last_base: int | None
    description: str
    table: SheetLayout
    # Headers stating the employment years: the years found must be exactly {base, target}.
    header_years: str
    # 'published' (an Occupation type column) or 'derived' (from code structure).
    occ_type_source: str
    # The openings concepts the era may publish: exactly one must be found, by header text.
    openings: tuple[str, ...]


@dataclass(frozen=True)
class WageSource:
    """Where a cycle publishes the median annual wage (and the self-employed share)."""

    first_base: int
    last_base: int | None
    layout: SheetLayout


@dataclass(frozen=True)
class EducationSource:
    """Where a cycle publishes education and training categories, and under which system."""

    first_base: int
    last_base: int | None
    system: str  # 'bls-11-category' or 'bls-3-part'
    layout: SheetLayout


T = TypeVar("T", Era, WageSource, EducationSource)
V = TypeVar("V")

# --- header patterns shared by several eras -----------------------------------------------------
_RANGE = r"{base}\s*[-–—]\s*(?:{target}|{yy})"
_GROUPED_TITLE = Concept("occ_title", r"matrix title and code", nth=0)
_GROUPED_CODE = Concept("soc_code", r"matrix title and code", nth=1)
_NAMED_TITLE = Concept("occ_title", r"matrix title$")
_NAMED_CODE = Concept("soc_code", r"matrix code$")
_OCC_TYPE = Concept("occ_type", r"^occupation type$")
_GROWTH_REPLACEMENT = Concept("openings_growth_replacement_total", r"job openings due to growth and replacement")
_ANNUAL_AVG = Concept("openings_annual_avg", rf"occupational openings, {_RANGE},? annual average")

_GROUPED_FIGURES: tuple[Concept, ...] = (
    Concept("employment_base", r"^employment \| number \| {base}$"),
    Concept("employment_target", r"^employment \| number \| {target}$"),
    Concept("employment_base_dist_pct", r"^employment \| percent distribution \| {base}$"),
    Concept("employment_target_dist_pct", r"^employment \| percent distribution \| {target}$"),
    Concept("change_number", rf"^change, {_RANGE} \| number$"),
    Concept("change_pct", rf"^change, {_RANGE} \| percent$"),
)
_NAMED_FIGURES: tuple[Concept, ...] = (
    Concept("employment_base", r"^employment, {base}$"),
    Concept("employment_target", r"^employment, {target}$"),
    Concept("employment_base_dist_pct", r"^employment distribution, percent, {base}$"),
    Concept("employment_target_dist_pct", r"^employment distribution, percent, {target}$"),
    # 2020-2021 'Employment change, 2020-30'; 2022 on 'Employment change, numeric, 2022-32'
    Concept("change_number", rf"^employment change, (?:numeric, )?{_RANGE}$"),
    # 2020-2021 'Percent employment change, 2020-30'; 2022 on 'Employment change, percent, 2022-32'
    Concept("change_pct", rf"^(?:percent employment change|employment change, percent), {_RANGE}$"),
)
_GROUPED_YEARS = r"^employment \| number \| (?P<year>\d{4})$"
_NAMED_YEARS = r"^employment, (?P<year>\d{4})$"

ERAS: tuple[Era, ...] = (
    Era(
        name="grouped-header",
        first_base=2008,
        last_base=2013,
        description="three header rows of merged groups (Employment > Number > year); title and code "
        "share one merged header; no occupation type column. 2008 merges 'Change' over one row, "
        "2010 and 2012 over two.",
        table=SheetLayout(
            TABLE_SHEET,
            (_GROUPED_TITLE, _GROUPED_CODE, *_GROUPED_FIGURES, _GROWTH_REPLACEMENT),
        ),
        header_years=_GROUPED_YEARS,
        occ_type_source="derived",
        openings=("openings_growth_replacement_total",),
    ),
    Era(
        name="occupation-type",
        first_base=2014,
        last_base=2019,
        description="the grouped header with an 'Occupation type' column (merged over three rows). "
        "2014 publishes decade-total openings due to growth and replacements; 2016 on, annual "
        "average occupational openings.",
        table=SheetLayout(
            TABLE_SHEET,
            (
                _GROUPED_TITLE,
                _GROUPED_CODE,
                _OCC_TYPE,
                *_GROUPED_FIGURES,
                Concept(_GROWTH_REPLACEMENT.name, _GROWTH_REPLACEMENT.pattern, required=False),
                Concept(_ANNUAL_AVG.name, _ANNUAL_AVG.pattern, required=False),
            ),
        ),
        header_years=_GROUPED_YEARS,
        occ_type_source="published",
        openings=("openings_growth_replacement_total", "openings_annual_avg"),
    ),
    Era(
        name="named-header",
        first_base=2020,
        last_base=2022,
        description="one header row naming every column ('Employment, 2020'); from 2022 titles are "
        "indented with leading spaces. 2021's title header says '2020 National Employment Matrix "
        "title' (a BLS slip; the code header says 2021).",
        table=SheetLayout(TABLE_SHEET, (_NAMED_TITLE, _NAMED_CODE, _OCC_TYPE, *_NAMED_FIGURES, _ANNUAL_AVG)),
        header_years=_NAMED_YEARS,
        occ_type_source="published",
        openings=("openings_annual_avg",),
    ),
    Era(
        name="worker-characteristics",
        first_base=2023,
        last_base=None,
        description="the named header plus the former Table 1.7 columns: percent self-employed, "
        "median annual wage ('[1]' footnote mark), the three education and training categories "
        "('—' on summary rows) and a link to the Occupational Outlook Handbook; en dashes in ranges.",
        table=SheetLayout(
            TABLE_SHEET,
            (_NAMED_TITLE, _NAMED_CODE, _OCC_TYPE, *_NAMED_FIGURES, _ANNUAL_AVG),
            ignored=(r"occupational outlook handbook",),
        ),
        header_years=_NAMED_YEARS,
        occ_type_source="published",
        openings=("openings_annual_avg",),
    ),
)

# --- wage and self-employed sources ----------------------------------------------------------------
# 'Median annual wages, 2008 (2)', 'Median annual wage, 2016(1)', 'Median annual wage, dollars, 2023[1]'.
# The year is read from the header as published: the 2014 workbook's says 2016, the 2016 one's 2018.
_MEDIAN_WAGE = Concept("median_wage_annual", r"median annual wages?,\s*(?:dollars,\s*)?(?P<year>(?:19|20)\d\d)\b")
# 'Percent self-employed, 2008 (1)' (2008), 'Percent self employed, 2010 ' (on)
_SELF_EMPLOYED = Concept("self_employed_pct", r"percent self[- ]employed", required=False)

WAGE_SOURCES: tuple[WageSource, ...] = (
    WageSource(2008, 2009, SheetLayout("Table 1.6", (_GROUPED_CODE, _MEDIAN_WAGE, _SELF_EMPLOYED))),
    WageSource(2010, 2019, SheetLayout("Table 1.7", (_GROUPED_CODE, _MEDIAN_WAGE, _SELF_EMPLOYED))),
    WageSource(2020, 2022, SheetLayout("Table 1.7", (_NAMED_CODE, _MEDIAN_WAGE, _SELF_EMPLOYED))),
    WageSource(2023, None, SheetLayout(TABLE_SHEET, (_NAMED_CODE, _MEDIAN_WAGE, _SELF_EMPLOYED))),
)

# --- education and training sources ----------------------------------------------------------------
_ENTRY = Concept("typical_entry_education", r"typical education needed for entry")
_EXPERIENCE = Concept("work_experience", r"work experience in a related occupation")
_TRAINING = Concept("on_the_job_training", r"typical on-the-job training needed")
THREE_PART = ("typical_entry_education", "work_experience", "on_the_job_training")
ELEVEN_CATEGORY = ("education_training_category",)

EDUCATION_SOURCES: tuple[EducationSource, ...] = (
    # 'Table1.11' (no space): code in column A and title in B, the reverse of every other sheet.
    EducationSource(
        2008,
        2009,
        "bls-11-category",
        SheetLayout(
            "Table1.11",
            (
                Concept("soc_code", r"^matrix code$"),
                Concept("education_training_category", r"most significant source of education or training"),
            ),
        ),
    ),
    # 2010's Table 1.12 has an errata note between its title and its header.
    EducationSource(
        2010, 2015, "bls-3-part", SheetLayout("Table 1.12", (_GROUPED_CODE, _ENTRY, _EXPERIENCE, _TRAINING))
    ),
    EducationSource(
        2016, 2019, "bls-3-part", SheetLayout("Table 5.4", (_GROUPED_CODE, _ENTRY, _EXPERIENCE, _TRAINING))
    ),
    EducationSource(2020, 2022, "bls-3-part", SheetLayout("Table 5.4", (_NAMED_CODE, _ENTRY, _EXPERIENCE, _TRAINING))),
    EducationSource(2023, None, "bls-3-part", SheetLayout(TABLE_SHEET, (_NAMED_CODE, _ENTRY, _EXPERIENCE, _TRAINING))),
)

# The categories each system uses, as published (stripped). A value outside these warns.
VOCABULARIES: dict[str, dict[str, frozenset[str]]] = {
    "bls-11-category": {
        "education_training_category": frozenset(
            {
                "Doctoral degree",
                "First professional degree",
                "Master's degree",
                "Bachelor's or higher degree, plus work experience",
                "Bachelor's degree",
                "Associate degree",
                "Postsecondary vocational award",
                "Work experience in a related occupation",
                "Long-term on-the-job training",
                "Moderate-term on-the-job training",
                "Short-term on-the-job training",
            }
        ),
    },
    "bls-3-part": {
        "typical_entry_education": frozenset(
            {
                "Doctoral or professional degree",
                "Master's degree",
                "Bachelor's degree",
                "Associate's degree",
                "Postsecondary non-degree award",  # 2010, 2012
                "Postsecondary nondegree award",  # 2014 on
                "Some college, no degree",
                "High school diploma or equivalent",
                "Less than high school",  # 2010, 2012
                "No formal educational credential",  # 2014 on
            }
        ),
        "work_experience": frozenset(
            {
                "More than 5 years",  # 2010
                "1 to 5 years",  # 2010
                "Less than 1 year",  # 2010
                "5 years or more",  # 2012 on
                "Less than 5 years",  # 2012 on
                "None",
            }
        ),
        "on_the_job_training": frozenset(
            {
                "None",
                "Short-term on-the-job training",
                "Moderate-term on-the-job training",
                "Long-term on-the-job training",
                "Apprenticeship",
                "Internship/residency",
            }
        ),
    },
}

# Summary rows that group whole major groups, with codes that name no children (so code structure
# cannot find them): base year -> code -> the major groups they total. Sums checked in validation.
CROSS_GROUP_SUMMARIES: dict[int, dict[str, tuple[str, ...]]] = {
    2008: {
        "11-1300": ("11", "13"),  # Management, business, and financial occupations
        "15-2900": ("15", "17", "19", "21", "23", "25", "27", "29"),  # Professional and related
        "31-3900": ("31", "33", "35", "37", "39"),  # Service occupations
    },
    2010: {
        "11-1300": ("11", "13"),  # Management, Business, and Financial Occupations
        "15-1900": ("15", "17", "19"),  # Computer, Engineering, and Science Occupations
        "21-2700": ("21", "23", "25", "27"),  # Education, Legal, Community Service, Arts, and Media
        "31-3900": ("31", "33", "35", "37", "39"),  # Service Occupations
    },
}

# Line items filed under a group their code does not name: (first base, last base, code -> group).
# 2010's hybrid BLS codes ('…-x799' "all other" residuals, 25-2041) sit in Table 1.2 under the
# group listed here, and only so do the group's line items add up. SOC 2018's broad group 29-1210
# Physicians runs on into 29-1221…29-1229.
DECLARED_PARENTS: tuple[tuple[int, int | None, dict[str, str]], ...] = (
    (
        2010,
        2011,
        {
            "15-1799": "15-1100",
            "21-1798": "21-1090",
            "25-2041": "25-2050",
            "29-9799": "29-9090",
            "31-9799": "31-9090",
        },
    ),
    (2021, None, {c: "29-1210" for c in ("29-1221", "29-1222", "29-1223", "29-1224", "29-1229")}),
)

# Summaries Table 1.2 does not break down completely: validation sums them as line items.
INCOMPLETE_SUMMARIES: dict[int, dict[str, str]] = {
    2008: {"45-3000": "Table 1.2 lists 45-3011 Fishers but not 45-3021 Hunters and trappers"},
    2010: {"45-3000": "Table 1.2 lists 45-3011 Fishers but not 45-3021 Hunters and trappers (in Table 1.12)"},
}


# Line items whose definition OES publishes under another code in the cycle's base year:
# (first base, last base, EP code -> OES code). EP 2012-22 to 2016-26 keep SOC 2010's 25-3099
# "Teachers and instructors, all other" whole (substitute teachers included: 981.6 thousand jobs in
# 2012); OES May 2012-2018 split it into 25-3098 Substitute teachers and 25-3099 (2012-2013) or
# 25-3097 (2014-2018) "..., except substitute teachers" (declared in sources/soc/layout.py), and
# publish the whole only as the broad group 25-3090, whose one SOC 2010 detailed code is 25-3099.
# Evidence, the workbooks' own wages: EP 2012-22 publishes $28,540 for 2012 = OES May 2012 25-3090
# (its 25-3099 is $43,400); EP 2014-24 $30,110 for 2016 = OES May 2016 25-3090; EP 2016-26 $30,850
# for 2018 = OES May 2018 25-3090. tests/test_real_ooh.py checks every cycle against its workbook.
OES_EQUIVALENTS: tuple[tuple[int, int | None, dict[str, str]], ...] = ((2012, 2016, {"25-3099": "25-3090"}),)


def _by_base(entries: tuple[T, ...], base: int, what: str) -> T:
    found = by_year(tuple((e.first_base, e.last_base, e) for e in entries), base)
    if found is not None:
        return found
    raise KeyError(f"no {what} declared for the EP cycle based in {base}")


def era_for(base: int) -> Era:
    return _by_base(ERAS, base, "Table 1.2 era")


def wage_source_for(base: int) -> WageSource:
    return _by_base(WAGE_SOURCES, base, "median wage source")


def education_source_for(base: int) -> EducationSource:
    return _by_base(EDUCATION_SOURCES, base, "education source")


def _ranged(entries: tuple[tuple[int, int | None, V], ...], base: int, what: str) -> V:
    value = by_year(entries, base)
    if value is None:
        raise KeyError(f"no {what} declared for the EP cycle based in {base}")
    return value


def percent_decimals_for(base: int) -> int:
    return _ranged(PERCENT_DECIMALS, base, "percent precision")


def declared_parents_for(base: int) -> dict[str, str]:
    found: dict[str, str] = {}
    for parents in all_by_year(DECLARED_PARENTS, base):
        found.update(parents)
    return found


def oes_equivalents_for(base: int) -> dict[str, str]:
    """EP line-item code -> the OES code publishing its definition, where the two codes differ."""
    found: dict[str, str] = {}
    for equivalents in all_by_year(OES_EQUIVALENTS, base):
        found.update(equivalents)
    return found
