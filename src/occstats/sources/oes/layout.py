"""How OES/OEWS national files are laid out, year by year: declarations only, no logic.

Everything that drifts across releases is here, so a new BLS quirk is a new entry rather than a
new `if year == …` in the parser:

- column aliases (`group`/`occ_group`/`o_group`, `h_wpct10`/`h_pct10`, any case);
- which columns are known but not curated from national files, and which must be present;
- what each marker means in each kind of column, with the 1997 file's own exceptions;
- the group labels each era uses, and statistics a release states it does not publish;
- (the SOC system of each survey year is declared once, for OES and EP, in sources/soc/layout.py (SYSTEM_BY_YEAR));
- the top-coding threshold of each year, for releases whose zip carries no field descriptions.
  A threshold written in the release itself (field descriptions, or the notes above the 1997
  header) always wins; `tests/test_real_oes.py` checks this table against every one found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from occstats.markers import Status
from occstats.schema import PAY_BASES, WAGE_STATISTICS
from occstats.sources.base import by_year

# canonical name -> header texts seen across releases (compared after normalize_header)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "occ_code": ("occ_code",),
    "occ_title": ("occ_title",),
    "group": ("group", "occ_group", "o_group"),
    "area": ("area",),
    "area_type": ("area_type",),
    "naics": ("naics",),
    "own_code": ("own_code",),
    "tot_emp": ("tot_emp",),
    "emp_prse": ("emp_prse",),
    "mean_prse": ("mean_prse",),
    "h_mean": ("h_mean",),
    "a_mean": ("a_mean",),
    "h_p10": ("h_pct10", "h_wpct10"),
    "h_p25": ("h_pct25", "h_wpct25"),
    "h_median": ("h_median",),
    "h_p75": ("h_pct75", "h_wpct75"),
    "h_p90": ("h_pct90", "h_wpct90"),
    "a_p10": ("a_pct10", "a_wpct10"),
    "a_p25": ("a_pct25", "a_wpct25"),
    "a_median": ("a_median",),
    "a_p75": ("a_pct75", "a_wpct75"),
    "a_p90": ("a_pct90", "a_wpct90"),
    "annual": ("annual",),
    "hourly": ("hourly",),
}

ANCHORS = ("occ_code", "occ_title")
REQUIRED = (
    "occ_code",
    "occ_title",
    "tot_emp",
    "emp_prse",
    "mean_prse",
    "h_mean",
    "a_mean",
    "h_p10",
    "h_p25",
    "h_median",
    "h_p75",
    "h_p90",
    "a_p10",
    "a_p25",
    "a_median",
    "a_p75",
    "a_p90",
    "annual",
)
# BLS columns we know and deliberately leave out of the national tables (blank, or constant, in
# national cross-industry files). Anything else unrecognised is reported as a warning.
IGNORED = (
    "area_title",
    "naics_title",
    "i_group",
    "prim_state",
    "jobs_1000",
    "loc_quotient",
    "pct_total",
    "pct_rpt",
    "year",
)

STATISTICS = WAGE_STATISTICS  # declared once, in schema.py
BASES = PAY_BASES
WAGE_COLUMNS: dict[tuple[str, str], str] = {
    (basis, stat): f"{basis[0]}_{stat}" for basis in BASES for stat in STATISTICS
}
# Published precision: hourly wages to the cent, annual wages to the dollar.
WAGE_SCALE = {"hourly": 2, "annual": 0}

WAGE_MARKERS: dict[str, Status] = {
    "*": Status.NOT_AVAILABLE,
    "#": Status.TOP_CODED,
    "***": Status.WITHDRAWN,
}
EMPLOYMENT_MARKERS: dict[str, Status] = {"**": Status.NOT_AVAILABLE}
EMPLOYMENT_RSE_MARKERS: dict[str, Status] = {"**": Status.NOT_AVAILABLE}
MEAN_RSE_MARKERS: dict[str, Status] = {"*": Status.NOT_AVAILABLE, "***": Status.WITHDRAWN}

GROUP_LEVELS: dict[str, str] = {
    "total": "total",
    "major": "major",
    "minor": "minor",
    "broad": "broad",
    "detailed": "detailed",
}

AREA_TYPES = {"1": "national", "2": "state", "4": "metropolitan", "6": "nonmetropolitan"}
NATIONAL_DEFAULTS = {"area": "99", "area_type": "national", "naics": "000000", "own_code": "1235"}

WORKBOOK_MEMBER = r"^national.*\.xlsx?$"
FIELD_DESCRIPTIONS_MEMBER = r"^field_descriptions.*\.xlsx?$"


@dataclass(frozen=True)
class Era:
    """A run of survey years sharing conventions the parser must know."""

    name: str
    first_year: int
    last_year: int | None
    code_pattern: str
    group_levels: dict[str, str] = field(default_factory=lambda: dict(GROUP_LEVELS))
    unpublished: frozenset[tuple[str, str]] = frozenset()  # (basis, statistic) the release omits
    unpublished_note: str = ""
    employment_markers: dict[str, Status] = field(default_factory=lambda: dict(EMPLOYMENT_MARKERS))
    employment_rse_markers: dict[str, Status] = field(default_factory=lambda: dict(EMPLOYMENT_RSE_MARKERS))


ERAS: tuple[Era, ...] = (
    Era(
        name="oes-codes",
        first_year=1988,
        last_year=1998,
        code_pattern=r"^\d{5}$",
        # 'div' (occupational division) and 'maj' (major group) are the 1990s hierarchy's top two
        # levels; they sit where SOC's major and minor groups sit.
        group_levels={**GROUP_LEVELS, "div": "major", "maj": "minor"},
        unpublished=frozenset(("annual", s) for s in ("p10", "p25", "median", "p75", "p90")),
        unpublished_note="the release's notes say 'Annual percentile wages are not available'",
        # The 1997 file writes '#' in the employment and employment-RSE cells of its 'maj'
        # rows; its notes define '#' only for wages, so these are read as not available.
        employment_markers={**EMPLOYMENT_MARKERS, "#": Status.NOT_AVAILABLE},
        employment_rse_markers={**EMPLOYMENT_RSE_MARKERS, "#": Status.NOT_AVAILABLE},
    ),
    Era(name="soc", first_year=1999, last_year=None, code_pattern=r"^\d{2}-\d{4}$"),
)


def era_for(year: int) -> Era:
    era = by_year(tuple((e.first_year, e.last_year, e) for e in ERAS), year)
    if era is not None:
        return era
    raise KeyError(f"no OES layout era declared for {year}")


@dataclass(frozen=True)
class TopCode:
    """`#` means the figure is beyond these thresholds."""

    hourly: Decimal
    annual: Decimal
    comparison: str  # '>=' or '>'
    source: str

    def bound(self, basis: str) -> Decimal:
        return self.hourly if basis == "hourly" else self.annual


# Fallback for releases that carry no legend. Sources: the field descriptions of May 2004, 2005,
# 2007 ($70, "greater than"), 2008, 2010 ($80), 2014 ($90), 2017-2021 ($100, "equal to or
# greater than"), 2022-2025 ($115), and the 1997 notes ($60). Years without a field-descriptions
# file are inferred from their neighbours and from the largest figure each publishes: May 2011
# publishes $89.73/hour (so its threshold is not $80) and May 2016 $99.71 (so not $90).
TOP_CODES: tuple[tuple[int, int | None, TopCode], ...] = (
    (1997, 1997, TopCode(Decimal("60.00"), Decimal("124820"), ">", "declared: May 1997 release notes")),
    (2004, 2007, TopCode(Decimal("70.00"), Decimal("145600"), ">", "declared: May 2004-2007 field descriptions")),
    (2008, 2010, TopCode(Decimal("80.00"), Decimal("166400"), ">", "declared: May 2008/2010 field descriptions")),
    (
        2011,
        2015,
        TopCode(
            Decimal("90.00"),
            Decimal("187200"),
            ">",
            "declared: May 2014 field descriptions; 2011-2013 and 2015 inferred (2011 publishes $89.73)",
        ),
    ),
    (
        2016,
        2021,
        TopCode(
            Decimal("100.00"),
            Decimal("208000"),
            ">=",
            "declared: May 2017-2021 field descriptions; 2016 inferred (it publishes $99.71)",
        ),
    ),
    (2022, 2025, TopCode(Decimal("115.00"), Decimal("239200"), ">=", "declared: May 2022-2025 field descriptions")),
)


def declared_top_code(year: int) -> TopCode | None:
    return by_year(TOP_CODES, year)


@dataclass(frozen=True)
class KnownDefect:
    """A published cell that cannot be right, withheld (status `rejected`) instead of curated.

    Matched on the exact text published, so a corrected copy of the file is curated normally and
    a stale entry is caught by tests/test_real_oes.py.
    """

    year: int
    code: str
    column: str  # canonical column name, e.g. "h_p90"
    published: str
    reason: str


KNOWN_DEFECTS: tuple[KnownDefect, ...] = (
    KnownDefect(
        1997,
        "43005",
        "h_p90",
        "9.99",
        "hourly p90 of $9.99 is below the p25 ($13.34) in the only copy found (a 2020 re-save)",
    ),
    KnownDefect(
        1997,
        "43014",
        "h_p90",
        "9.99",
        "hourly p90 of $9.99 is below the p25 ($13.99) in the only copy found (a 2020 re-save)",
    ),
)


def known_defect(year: int, code: str, column: str, published: str) -> KnownDefect | None:
    for defect in KNOWN_DEFECTS:
        if (defect.year, defect.code, defect.column, defect.published) == (year, code, column, published):
            return defect
    return None
