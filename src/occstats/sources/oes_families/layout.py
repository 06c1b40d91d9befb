"""How the OES Excel families beyond the national file are laid out: declarations only, no logic.

The industry (`oesm{YY}in4.zip`), state (`oesm{YY}st.zip`), metropolitan/nonmetropolitan
(`oesm{YY}ma.zip`) and all-data (`oesm{YY}all.zip`) releases share one column family (AREA,
AREA_TITLE/AREA_NAME, AREA_TYPE, ST/PRIM_STATE, NAICS, NAICS_TITLE, I_GROUP, OWN_CODE, OCC_CODE ...
PCT_RPT, wages, ANNUAL, HOURLY); the parser (parser.py) reads them all. What differs between
families, members and years is here, as data:

- column aliases (any case), and which columns are required;
- member name -> role (ROLES): a pattern with the evidence it rests on, and what a role's rows are
  when the workbook does not say (area type, industry level, ownership);
- the ownership labels the pre-2019 industry workbooks write instead of OWN_CODE;
- the members BLS shipped in each release (to name those a zip lacks), where the release carries
  no file_descriptions workbook saying so itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from occstats.markers import Status
from occstats.sources.base import by_year
from occstats.sources.oes import layout as national

# canonical name -> header texts seen across releases (compared after normalize_header)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    **national.COLUMN_ALIASES,
    "area_title": ("area_title", "area_name", "state"),  # pre-2019 state files: ST (postal) + STATE (name)
    "state": ("st", "prim_state"),
    "naics_title": ("naics_title",),
    "i_group": ("i_group", "naics_level"),  # 2012's nat5d_6d writes NAICS_LEVEL
    "own_code": ("own_code",),
    "ownership": ("ownership",),  # 2009-2018 industry workbooks: a label, see OWNERSHIP_LABELS
    "jobs_1000": ("jobs_1000",),
    "loc_quotient": ("loc_quotient", "loc_quotiont"),
    "pct_total": ("pct_total",),
    "pct_rpt": ("pct_rpt",),
}
ANCHORS = ("occ_code", "occ_title")
REQUIRED = national.REQUIRED
IGNORED = ("year",)

# Estimate-level figures: column -> (schema column, status column, scale, markers). Sources: the
# field descriptions of every release ('**' employment not available, '~' under 0.5% reporting).
EMPLOYMENT_MARKERS = {"**": Status.NOT_AVAILABLE}
ESTIMATE_FIGURES: dict[str, tuple[str, str, int, dict[str, Status]]] = {
    "tot_emp": ("employment", "employment_status", 0, EMPLOYMENT_MARKERS),
    "emp_prse": ("employment_rse_pct", "employment_rse_status", 1, EMPLOYMENT_MARKERS),
    "mean_prse": ("wage_mean_rse_pct", "wage_mean_rse_status", 1, national.MEAN_RSE_MARKERS),
    "jobs_1000": ("jobs_per_1000", "jobs_per_1000_status", 3, EMPLOYMENT_MARKERS),
    "loc_quotient": ("location_quotient", "location_quotient_status", 2, EMPLOYMENT_MARKERS),
    "pct_total": ("pct_of_industry_employment", "pct_of_industry_employment_status", 2, EMPLOYMENT_MARKERS),
    "pct_rpt": (
        "pct_establishments_reporting",
        "pct_establishments_reporting_status",
        2,
        {**EMPLOYMENT_MARKERS, "~": Status.BELOW_REPORTING_THRESHOLD},
    ),
}
WAGE_COLUMNS = national.WAGE_COLUMNS
WAGE_SCALE = national.WAGE_SCALE
WAGE_MARKERS = national.WAGE_MARKERS
GROUP_LEVELS = {**national.GROUP_LEVELS, "detail": "detailed"}  # 2012-2014 owner files write 'detail'
AREA_TYPES = {"1": "national", "2": "state", "3": "state", "4": "metropolitan", "6": "nonmetropolitan"}
NATIONAL_AREA = "99"
OWNERSHIP_NOT_STATED = ""  # as the time series: the workbook states no ownership for the row

# I_GROUP words -> naics_level (schema.NAICS_LEVELS). 2019 field descriptions: "cross-industry or NAICS
# sector, 3-digit, 4-digit, 5-digit, or 6-digit"; the owner files write '3-digit, ownership'.
NAICS_LEVEL_WORDS: dict[str, str] = {
    w: w
    for w in (
        "cross-industry",
        "cross-industry, ownership",
        "sector",
        "3-digit",
        "4-digit",
        "5-digit",
        "6-digit",
        "3-digit, ownership",
        "4-digit, ownership",
    )
}

# Ownership labels of the 2009-2018 industry workbooks -> OWN_CODE. Evidence: the 2019 files write
# OWN_CODE for the same industries (sector 48-49 '59', 61 '235', 62 '58', 99 '123'; cross-industry
# 999001 '123', 000001 '5'), and the 2019 field descriptions define every code. Compared trimmed,
# case-folded (2011's natsector writes 'Private ' with a trailing space).
OWNERSHIP_LABELS: dict[str, str] = {
    "private": "5",
    "federal government": "1",
    "federal government, including usps": "1",
    "state government": "2",
    "state government, including schools and hospitals": "2",
    "local government": "3",
    "local government, including schools and hospitals": "3",
    "federal, state, and local government": "123",
    "local, state, and federal government": "123",
    "public sector -- federal, state, and local government, including government owned schools and hospitals": "123",
    "private, state, and local government": "235",
    "private, and state and local hospitals": "58",
    "private and u.s. postal service": "59",
}
# national_owner files before 2019 write no NAICS: the 2019 file's codes for the same ownerships.
CROSS_INDUSTRY_BY_OWNERSHIP: dict[str, str] = {
    "5": "000001",
    "123": "999001",
    "1": "999101",
    "2": "999201",
    "3": "999301",
}
CROSS_INDUSTRY_TITLE = "Cross-industry"


@dataclass(frozen=True)
class Defaults:
    """What a role's rows are where its workbook has no column saying so."""

    area_type: str = "1"  # AREA_TYPE code
    area: str = NATIONAL_AREA
    area_title: str | None = None
    naics: str | None = None  # None: the workbook must carry NAICS (or the ownership gives it)
    naics_title: str | None = None
    naics_level: str | None = None  # None: from I_GROUP, or null where the workbook does not say
    ownership: str | None = OWNERSHIP_NOT_STATED  # None: the workbook must state it


@dataclass(frozen=True)
class Role:
    """One kind of member in a family's zip: a name pattern (case-insensitive) and its defaults."""

    name: str
    family: str
    pattern: str
    evidence: str
    defaults: Defaults = Defaults()


_Y = r"m_?\d{4}"  # BLS writes M2019 and, in all-data files, M_2019
ROLES: tuple[Role, ...] = (
    # -- industry (oesm{YY}in4.zip) -- the mirror's zips 2008-2019, and the file_descriptions of 2012-2019
    Role(
        "natsector",
        "industry",
        rf"^natsector_{_Y}_dl\.xlsx?$",
        "natsector_M2008..2019_dl",
        Defaults(naics_level="sector"),
    ),
    Role(
        "nat3d",
        "industry",
        rf"^nat3d_{_Y}_dl(?:_\d+_\d+_\d+)?\.xlsx?$",
        "file_descriptions 2012-2019 list nat3d_M{YYYY}_dl (not in the mirror)",
        Defaults(naics_level="3-digit"),
    ),
    Role(
        "nat3d_owner",
        "industry",
        rf"^nat3d_+(?:{_Y}_owner|owner_{_Y})_dl\.xlsx?$",
        "nat3d_M2009_owner_dl.xls .. nat3d_owner_M2017_dl.xlsx",
        Defaults(naics_level="3-digit, ownership", ownership=None),
    ),
    Role(
        "nat4d",
        "industry",
        rf"^nat4d_{_Y}_dl(?:_\d+_\d+_\d+)?\.xlsx?$",
        "file_descriptions list nat4d_M{YYYY}_dl; BLS split 2012's in two: nat4d_M2012_dl_1_113300_517100.xls",
        Defaults(naics_level="4-digit"),
    ),
    Role(
        "nat4d_owner",
        "industry",
        rf"^nat4d_+(?:{_Y}_owner|owner_{_Y})_dl\.xlsx?$",
        "nat4d__M2009_owner_dl.xls (two underscores), nat4d_M2010_owner_dl.xls, nat4d_owner_M2017_dl.xlsx",
        Defaults(naics_level="4-digit, ownership", ownership=None),
    ),
    Role(
        "nat5d",
        "industry",
        rf"^nat5d_{_Y}_dl\.xlsx?$",
        "nat5d_M2008_dl.xls .. nat5d_M2011_dl.xls: 5-digit industries, as BLS's name says (no I_GROUP column)",
        Defaults(naics_level="5-digit"),
    ),
    Role(
        "nat5d_6d",
        "industry",
        rf"^nat5d_6d_{_Y}_dl\.xlsx?$",
        "nat5d_6d_M2012_dl.xls .. nat5d_6d_M2019_dl.xlsx: 5- and 6-digit industries; the level from 2012's "
        "NAICS_LEVEL and 2019's I_GROUP, null in 2013-2018 (no such column; '221110' can be either level)",
    ),
    Role(
        "national_owner",
        "industry",
        rf"^national_(?:(?:{_Y}_)?owner|owner_{_Y})_dl\.xlsx?$",
        "national_M2009_owner_dl.xls, national_owner_M2010_dl.xls, 2012's national_owner_dl.xls",
        Defaults(naics_title=CROSS_INDUSTRY_TITLE, naics_level="cross-industry, ownership", ownership=None),
    ),
    # -- state (oesm{YY}st.zip): state_M2018_dl.xlsx (AREA, ST, STATE, ...); 2019 on: area_type 2 / 3
    Role(
        "state",
        "state",
        rf"^state_{_Y}_dl\.xlsx?$",
        "BLS's state file name, state_M{YYYY}_dl",
        Defaults(
            area_type="2",
            naics="000000",
            naics_title=CROSS_INDUSTRY_TITLE,
            naics_level="cross-industry",
            ownership="1235",
        ),
    ),
    # -- metropolitan and nonmetropolitan (oesm{YY}ma.zip): the 2018 file_descriptions name MSA_ and BOS_
    Role(
        "msa",
        "metro",
        rf"^a?msa_{_Y}_dl(?:_\d+)?\.xlsx?$",
        "file_descriptions 2018: MSA_M2018_dl.xlsx; earlier zips also aMSA_M{YYYY}_dl (NECTA-based areas)",
        Defaults(
            area_type="4",
            naics="000000",
            naics_title=CROSS_INDUSTRY_TITLE,
            naics_level="cross-industry",
            ownership="1235",
        ),
    ),
    Role(
        "bos",
        "metro",
        rf"^bos_{_Y}_dl\.xlsx?$",
        "file_descriptions 2018: BOS_M2018_dl.xlsx, nonmetropolitan (balance of state) areas",
        Defaults(
            area_type="6",
            naics="000000",
            naics_title=CROSS_INDUSTRY_TITLE,
            naics_level="cross-industry",
            ownership="1235",
        ),
    ),
    # -- all data (oesm{YY}all.zip): all_data_M_2019.xlsx, every column stated in the workbook
    Role(
        "all_data",
        "all",
        rf"^all_data_{_Y}\.xlsx?$",
        "BLS's all-data file name, all_data_M_{YYYY}",
        Defaults(ownership=None),
    ),
)
# Members that describe the release rather than hold estimates: read for notes, never curated.
DESCRIPTION_MEMBER = r"^(?:field|file)_descriptions.*\.xlsx?$"
YEAR_IN_NAME = r"(?:^|[_-])m_?((?:19|20)\d{2})(?=[_.-]|$)"  # M2012, M_2019


@dataclass(frozen=True)
class Family:
    """One Excel family: its product name, dataset value, and the roles its zips hold."""

    name: str
    product: str  # the registry name: dashes, as Prefect artifact keys allow no underscore
    dataset: str
    zip_stem: str  # e.g. 'oesm{yy}in4'
    first_year: int
    description: str
    # the roles BLS shipped, by year range, for releases whose zip carries no file_descriptions
    shipped: tuple[tuple[int, int | None, tuple[str, ...]], ...] = ()

    @property
    def roles(self) -> tuple[Role, ...]:
        return tuple(r for r in ROLES if r.family == self.name)

    def shipped_roles(self, year: int) -> tuple[str, ...]:
        return by_year(self.shipped, year) or ()


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family(
            "industry",
            "oes-industry",
            "oes_industry",
            "oesm{yy}in4",
            2008,
            "OES national industry-specific estimates (sector to 6-digit NAICS, and by ownership)",
            # BLS's May 2008 page lists sector, 3-, 4- and 5-digit files; the owner files start in 2009.
            # From 2012 the zip's own file_descriptions workbook lists what BLS shipped (read first).
            shipped=(
                (2008, 2008, ("natsector", "nat3d", "nat4d", "nat5d")),
                (2009, 2011, ("natsector", "nat3d", "nat3d_owner", "nat4d", "nat4d_owner", "nat5d", "national_owner")),
                (
                    2012,
                    None,
                    ("natsector", "nat3d", "nat3d_owner", "nat4d", "nat4d_owner", "nat5d_6d", "national_owner"),
                ),
            ),
        ),
        Family("state", "oes-state", "oes_state", "oesm{yy}st", 2003, "OES state cross-industry estimates"),
        Family(
            "metro",
            "oes-metro",
            "oes_metro",
            "oesm{yy}ma",
            2003,
            "OES metropolitan and nonmetropolitan area cross-industry estimates",
        ),
        Family("all", "oes-all", "oes_all", "oesm{yy}all", 2012, "OES all data: every area, industry and ownership"),
    )
}
