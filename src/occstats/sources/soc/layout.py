"""Occupational classifications as data: the systems, the crosswalk files, the declared codes.

BLS published crosswalks for SOC 2000 -> 2010 and 2010 -> 2018, but none for the codes OES and EP
used in transition releases (the SOC 2000/2010 hybrid of May 2010-2011, the SOC 2010/2018 hybrid
of May 2019-2020) or for the codes they combined in otherwise standard years. Those are declared
here, each with the reference codes it covers and a note of how it is known. Everything else in
`occstats.classification` (derived crosswalks, lineage, series) is computed from these and the
two BLS files. `tests/test_real_soc.py` checks every declaration against the real files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from occstats.sources.base import by_year

# Footnote marks BLS put in crosswalk titles ('*', '**' in 2000->2010; ' (#)', ' (##)' in
# 2010->2018) and in the 2010-2011 OES titles ('*'): they flag splits and merges, not titles.
TITLE_MARKS = r"\s*(\*{1,3}|\(#{1,2}\))\s*$"
CROSSWALK_HEADER = r"^((?:19|20)\d{2})\s+soc\s+(code|title)$"

MLR_2013 = (
    "BLS, 'Implementing the 2010 Standard Occupational Classification in the Occupational Employment "
    "Statistics program', Monthly Labor Review, May 2013 (the May 2010-2011 estimates used a hybrid of the "
    "2000 and 2010 SOC)"
)
OES_2018_SOC = (
    "BLS, 'Implementing the 2018 SOC in the OES program' (www.bls.gov/oes/soc_2018.htm): the May 2019 and "
    "May 2020 estimates use a hybrid of the 2010 and 2018 SOC"
)
HYBRID_2019_NOTE = (
    "code and title as published in the OEWS May 2019 and May 2020 national files (and EP 2019-29, 2020-30); "
    "components are the SOC 2018 detailed codes the title names, none of which those releases publish"
)
HYBRID_2010_NOTE = (
    "code and title as published in the OES May 2010 and May 2011 national files ('*' marks a hybrid) and "
    "EP 2010-20; components are the SOC 2010 codes the title covers, none of which those releases publish"
)
COMBINED_NOTE = (
    "a BLS combination published instead of its components (none of which the release publishes), code and "
    "title as in the release"
)


@dataclass(frozen=True)
class Declared:
    """A code BLS published that is not a detailed code of the reference classification."""

    code: str
    title: str
    components: tuple[str, ...]  # detailed codes of the system's reference classification
    note: str


@dataclass(frozen=True)
class System:
    name: str
    label: str
    reference: str | None  # the BLS classification whose detailed codes `components` are given in
    documented: str
    declared: tuple[Declared, ...] = field(default_factory=tuple)


def _d(code: str, title: str, components: str, note: str) -> Declared:
    return Declared(code, title, tuple(components.split()), note)


SYSTEMS: tuple[System, ...] = (
    System(
        name="oes-1990s",
        label="OES occupational codes of the 1990s (five digits)",
        reference=None,
        documented="the 1997 national file's own code list; BLS published no crosswalk to SOC 2000 that "
        "occstats holds, so these codes link to nothing",
    ),
    System(
        name="soc-2000",
        label="SOC 2000",
        reference="soc-2000",
        documented="BLS SOC 2000 -> 2010 crosswalk (its 2000 side); group codes used as line items by EP "
        "2008-18 cover the detailed codes under them",
    ),
    System(
        name="soc-2000-2010-hybrid",
        label="SOC 2000/2010 hybrid (OES May 2010-2011, EP 2010-20)",
        reference="soc-2010",
        documented=MLR_2013,
        declared=(
            _d(
                "13-1078",
                "Human Resources, Training, and Labor Relations Specialists, All Other",
                "13-1071 13-1075",
                HYBRID_2010_NOTE,
            ),
            _d("15-1150", "Computer Support Specialists", "15-1151 15-1152", HYBRID_2010_NOTE),
            _d(
                "15-1179",
                "Information Security Analysts, Web Developers, and Computer Network Architects",
                "15-1122 15-1134 15-1143",
                HYBRID_2010_NOTE,
            ),
            _d("15-1799", "Computer Occupations, All Other", "15-1199", HYBRID_2010_NOTE),
            _d("21-1798", "Community and Social Service Specialists, All Other", "21-1094 21-1099", HYBRID_2010_NOTE),
            _d(
                "25-2041",
                "Special Education Teachers, Preschool, Kindergarten, and Elementary School",
                "25-2051 25-2052",
                HYBRID_2010_NOTE + "; the SOC 2000 code kept",
            ),
            _d("25-3999", "Teachers and Instructors, All Other", "25-2059 25-3099", HYBRID_2010_NOTE),
            _d(
                "29-1111",
                "Registered Nurses",
                "29-1141 29-1151 29-1161 29-1171",
                HYBRID_2010_NOTE + "; the SOC 2000 code kept",
            ),
            _d(
                "29-1128",
                "Therapists, All Other",
                "29-1128 29-1129",
                HYBRID_2010_NOTE + "; a SOC 2010 code (Exercise Physiologists) standing for SOC 2000's 29-1129",
            ),
            _d("29-2037", "Radiologic Technologists and Technicians", "29-2034 29-2035", HYBRID_2010_NOTE),
            _d(
                "29-2799",
                "Health Technologists and Technicians, All Other",
                "29-2057 29-2092 29-2099",
                HYBRID_2010_NOTE,
            ),
            _d(
                "29-9799",
                "Healthcare Practitioners and Technical Workers, All Other",
                "29-9092 29-9099",
                HYBRID_2010_NOTE,
            ),
            _d(
                "31-1012",
                "Nursing Aides, Orderlies, and Attendants",
                "31-1014 31-1015",
                HYBRID_2010_NOTE + "; the SOC 2000 code kept",
            ),
            _d("31-9799", "Healthcare Support Workers, All Other", "31-9097 31-9099", HYBRID_2010_NOTE),
            _d(
                "39-4831",
                "Funeral Service Managers, Directors, Morticians, and Undertakers",
                "11-9061 39-4031",
                HYBRID_2010_NOTE,
            ),
            _d("41-9799", "Sales and Related Workers, All Other", "13-1131 41-9099", HYBRID_2010_NOTE),
            _d("43-9799", "Office and Administrative Support Workers, All Other", "43-3099 43-9199", HYBRID_2010_NOTE),
            _d(
                "47-4799",
                "Construction and Related Workers, All Other",
                "47-4099",
                HYBRID_2010_NOTE + "; where SOC 2010's new 47-2231 (solar installers) was counted is not stated",
            ),
            _d(
                "49-9799",
                "Installation, Maintenance, and Repair Workers, All Other",
                "49-9081 49-9099",
                HYBRID_2010_NOTE,
            ),
            _d("51-9399", "Production Workers, All Other", "51-3099 51-9199", HYBRID_2010_NOTE),
        ),
    ),
    System(
        name="soc-2010",
        label="SOC 2010 (OES May 2012-2018, EP 2012-22 to 2018-28)",
        reference="soc-2010",
        documented="BLS SOC 2000 -> 2010 and 2010 -> 2018 crosswalks; combined codes as published",
        declared=(
            _d(
                "21-1018",
                "Substance Abuse, Behavioral Disorder, and Mental Health Counselors",
                "21-1011 21-1014",
                COMBINED_NOTE + " (OES May 2017-2018, EP 2018-28)",
            ),
            _d(
                "25-3097",
                "Teachers and Instructors, All Other, Except Substitute Teachers",
                "25-3099",
                COMBINED_NOTE + " (OES May 2014-2018): part of 25-3099",
            ),
            _d("25-3098", "Substitute Teachers", "25-3099", COMBINED_NOTE + " (OES May 2012-2018): part of 25-3099"),
            _d(
                "51-2028",
                "Electrical, Electronic, and Electromechanical Assemblers, Except Coil Winders, Tapers, and Finishers",
                "51-2022 51-2023",
                COMBINED_NOTE + " (OES May 2017-2018, EP 2018-28)",
            ),
            _d(
                "51-2098",
                "Assemblers and Fabricators, All Other, Including Team Assemblers",
                "51-2092 51-2099",
                COMBINED_NOTE + " (OES May 2017-2018, EP 2018-28)",
            ),
            _d(
                "53-1048",
                "First-Line Supervisors of Transportation and Material Moving Workers, Except Aircraft "
                "Cargo Handling Supervisors",
                "53-1021 53-1031",
                COMBINED_NOTE + " (OES May 2017-2018, EP 2018-28)",
            ),
        ),
    ),
    System(
        name="soc-2010-2018-hybrid",
        label="SOC 2010/2018 hybrid (OEWS May 2019-2020, EP 2019-29 and 2020-30)",
        reference="soc-2018",
        documented=OES_2018_SOC,
        declared=(
            _d("11-2030", "Public Relations and Fundraising Managers", "11-2032 11-2033", HYBRID_2019_NOTE),
            _d("11-3010", "Administrative Services and Facilities Managers", "11-3012 11-3013", HYBRID_2019_NOTE),
            _d(
                "11-9198",
                "Personal Service Managers, All Other; Entertainment and Recreation Managers, Except "
                "Gambling; and Managers, All Other",
                "11-9072 11-9179 11-9199",
                HYBRID_2019_NOTE,
            ),
            _d("13-1020", "Buyers and Purchasing Agents", "13-1021 13-1022 13-1023", HYBRID_2019_NOTE),
            _d(
                "13-1198",
                "Project Management Specialists and Business Operations Specialists, All Other",
                "13-1082 13-1199",
                HYBRID_2019_NOTE,
            ),
            _d("13-2020", "Property Appraisers and Assessors", "13-2022 13-2023", HYBRID_2019_NOTE),
            _d(
                "13-2098",
                "Financial and Investment Analysts, Financial Risk Specialists, and Financial Specialists, All Other",
                "13-2051 13-2054 13-2099",
                HYBRID_2019_NOTE,
            ),
            _d("15-1245", "Database Administrators and Architects", "15-1242 15-1243", HYBRID_2019_NOTE),
            _d(
                "15-1256",
                "Software Developers and Software Quality Assurance Analysts and Testers",
                "15-1252 15-1253",
                HYBRID_2019_NOTE,
            ),
            _d("15-1257", "Web Developers and Digital Interface Designers", "15-1254 15-1255", HYBRID_2019_NOTE),
            _d(
                "15-2098",
                "Data Scientists and Mathematical Science Occupations, All Other",
                "15-2051 15-2099",
                HYBRID_2019_NOTE,
            ),
            _d(
                "17-3098",
                "Calibration Technologists and Technicians and Engineering Technologists and "
                "Technicians, Except Drafters, All Other",
                "17-3028 17-3029",
                HYBRID_2019_NOTE,
            ),
            _d(
                "19-3031",
                "Clinical, Counseling, and School Psychologists",
                "19-3033 19-3034",
                HYBRID_2019_NOTE + "; the SOC 2010 code kept",
            ),
            _d("19-4010", "Agricultural and Food Science Technicians", "19-4012 19-4013", HYBRID_2019_NOTE),
            _d("19-4045", "Geological and Hydrologic Technicians", "19-4043 19-4044", HYBRID_2019_NOTE),
            _d(
                "21-1018",
                "Substance Abuse, Behavioral Disorder, and Mental Health Counselors",
                "21-1011 21-1014",
                HYBRID_2019_NOTE,
            ),
            _d(
                "25-2052",
                "Special Education Teachers, Kindergarten and Elementary School",
                "25-2055 25-2056",
                HYBRID_2019_NOTE + "; the SOC 2010 code kept",
            ),
            _d("25-3097", "Tutors and Teachers and Instructors, All Other", "25-3041 25-3099", HYBRID_2019_NOTE),
            _d("25-9045", "Teaching Assistants, Except Postsecondary", "25-9042 25-9043 25-9049", HYBRID_2019_NOTE),
            _d(
                "27-2090",
                "Miscellaneous Entertainers and Performers, Sports and Related Workers",
                "27-2091 27-2099",
                HYBRID_2019_NOTE,
            ),
            _d(
                "27-4098",
                "Lighting Technicians and Media and Communication Equipment Workers, All Other",
                "27-4015 27-4099",
                HYBRID_2019_NOTE,
            ),
            _d(
                "29-1228",
                "Physicians, All Other; and Ophthalmologists, Except Pediatric",
                "29-1212 29-1213 29-1214 29-1217 29-1222 29-1224 29-1229 29-1241",
                HYBRID_2019_NOTE + "; the title names two of the eight SOC 2018 physician codes it covers",
            ),
            _d("29-1248", "Surgeons, Except Ophthalmologists", "29-1242 29-1243 29-1249", HYBRID_2019_NOTE),
            _d(
                "29-1298",
                "Acupuncturists and Healthcare Diagnosing or Treating Practitioners, All Other",
                "29-1291 29-1299",
                HYBRID_2019_NOTE,
            ),
            _d("29-2010", "Clinical Laboratory Technologists and Technicians", "29-2011 29-2012", HYBRID_2019_NOTE),
            _d("29-2040", "Emergency Medical Technicians and Paramedics", "29-2042 29-2043", HYBRID_2019_NOTE),
            _d(
                "29-2098",
                "Medical Dosimetrists, Medical Records Specialists, and Health Technologists and "
                "Technicians, All Other",
                "29-2036 29-2072 29-2099",
                HYBRID_2019_NOTE,
            ),
            _d(
                "29-9098",
                "Health Information Technologists, Medical Registrars, Surgical Assistants, and "
                "Healthcare Practitioners and Technical Workers, All Other",
                "29-9021 29-9093 29-9099",
                HYBRID_2019_NOTE,
            ),
            _d("31-1120", "Home Health and Personal Care Aides", "31-1121 31-1122", HYBRID_2019_NOTE),
            _d(
                "33-1090",
                "Miscellaneous First-Line Supervisors, Protective Service Workers",
                "33-1091 33-1099",
                HYBRID_2019_NOTE,
            ),
            _d(
                "33-9098",
                "School Bus Monitors and Protective Service Workers, All Other",
                "33-9094 33-9099",
                HYBRID_2019_NOTE,
            ),
            _d(
                "39-1098",
                "First-Line Supervisors of Personal Service and Entertainment and Recreation Workers, "
                "Except Gambling Services",
                "39-1014 39-1022",
                HYBRID_2019_NOTE,
            ),
            _d("39-7010", "Tour and Travel Guides", "39-7011 39-7012", HYBRID_2019_NOTE),
            _d(
                "39-9098",
                "Crematory Operators and Personal Care and Service Workers, All Other",
                "39-4012 39-9099",
                HYBRID_2019_NOTE,
            ),
            _d("47-4090", "Miscellaneous Construction and Related Workers", "47-4091 47-4099", HYBRID_2019_NOTE),
            _d(
                "47-5097",
                "Earth Drillers, Except Oil and Gas; and Explosives Workers, Ordnance Handling Experts, and Blasters",
                "47-5023 47-5032",
                HYBRID_2019_NOTE,
            ),
            _d(
                "47-5098",
                "Underground Mining Machine Operators and Extraction Workers, All Other",
                "47-5049 47-5099",
                HYBRID_2019_NOTE,
            ),
            _d(
                "51-2028",
                "Electrical, Electronic, and Electromechanical Assemblers, Except Coil Winders, Tapers, and Finishers",
                "51-2022 51-2023",
                HYBRID_2019_NOTE,
            ),
            _d("51-2090", "Miscellaneous Assemblers and Fabricators", "51-2092 51-2099", HYBRID_2019_NOTE),
            _d(
                "53-1047",
                "First-Line Supervisors of Transportation and Material Moving Workers, Except Aircraft "
                "Cargo Handling Supervisors",
                "53-1042 53-1043 53-1044 53-1049",
                HYBRID_2019_NOTE,
            ),
            _d(
                "53-3058",
                "Passenger Vehicle Drivers, Except Bus Drivers, Transit and Intercity",
                "53-3051 53-3053 53-3054",
                HYBRID_2019_NOTE,
            ),
            _d(
                "53-6098",
                "Aircraft Service Attendants and Transportation Workers, All Other",
                "53-6032 53-6099",
                HYBRID_2019_NOTE,
            ),
        ),
    ),
    System(
        name="soc-2018",
        label="SOC 2018 (OEWS May 2021 on, EP 2021-31 on)",
        reference="soc-2018",
        documented="BLS SOC 2010 -> 2018 crosswalk (its 2018 side); combined codes as published",
        declared=(
            _d(
                "21-1018",
                "Substance Abuse, Behavioral Disorder, and Mental Health Counselors",
                "21-1011 21-1014",
                COMBINED_NOTE + " (OEWS May 2021 on, EP 2021-31 on)",
            ),
            _d(
                "25-2052",
                "Special Education Teachers, Kindergarten and Elementary School",
                "25-2055 25-2056",
                COMBINED_NOTE + " (OEWS May 2021 on): a SOC 2010 code reused",
            ),
            _d(
                "25-9045",
                "Teaching Assistants, Except Postsecondary",
                "25-9042 25-9043 25-9049",
                COMBINED_NOTE + " (OEWS May 2021 on)",
            ),
            _d(
                "51-2028",
                "Electrical, Electronic, and Electromechanical Assemblers, Except Coil Winders, Tapers, and Finishers",
                "51-2022 51-2023",
                COMBINED_NOTE + " (OEWS May 2021 on)",
            ),
            _d(
                "53-1047",
                "First-Line Supervisors of Transportation and Material Moving Workers, Except Aircraft "
                "Cargo Handling Supervisors",
                "53-1042 53-1043 53-1044 53-1049",
                COMBINED_NOTE + " (OEWS May 2021 on)",
            ),
        ),
    ),
)

SYSTEM_ORDER: tuple[str, ...] = tuple(s.name for s in SYSTEMS)

# Reference year -> the classification a release's codes belong to: an OES survey year, or an EP
# cycle's base year (the National Employment Matrix follows OES). Checked against every release
# and cycle in ../shared: 2004-2008 codes are all SOC 2000; 2010-2011 (and EP 2010-20) mix SOC 2000
# and 2010 with the hybrid codes above; 2019-2020 (and EP 2019-29, 2020-30) mix SOC 2010/2018.
SYSTEM_BY_YEAR: tuple[tuple[int, int | None, str], ...] = (
    (1988, 1998, "oes-1990s"),
    (1999, 2009, "soc-2000"),
    (2010, 2011, "soc-2000-2010-hybrid"),
    (2012, 2018, "soc-2010"),
    (2019, 2020, "soc-2010-2018-hybrid"),
    (2021, None, "soc-2018"),
)


def system_for_year(year: int) -> str:
    system = by_year(SYSTEM_BY_YEAR, year)
    if system is None:
        raise KeyError(f"no classification declared for releases of {year}")
    return system


BY_NAME: dict[str, System] = {s.name: s for s in SYSTEMS}

# The BLS crosswalk files: release id -> (from system, to system). Which file is which is read from
# the header ('2010 SOC Code', '2018 SOC Code'), never from the file name.
CROSSWALKS: dict[str, tuple[str, str]] = {
    "2000-to-2010": ("soc-2000", "soc-2010"),
    "2010-to-2018": ("soc-2010", "soc-2018"),
}


# BLS's published structures of the OES transition hybrids. Each workbook lists, row by row, an OES
# code with the SOC codes on each side it was built from. The headers name the columns (matched
# case- and space-insensitively); each title is the column right of its code where the header is
# blank. `sides` maps a header to the classification its codes belong to: the reference system
# the hybrid's components are given in comes first. Which file is which is read from the header.
@dataclass(frozen=True)
class HybridStructure:
    release_id: str
    system: str  # the hybrid system the workbook describes
    label: str
    code_header: str
    title_header: str
    sides: tuple[tuple[str, str, str | None], ...]  # (component system, code header, title header or None: next col)
    note_header: str


HYBRID_STRUCTURES: tuple[HybridStructure, ...] = (
    HybridStructure(
        release_id="2010-hybrid",
        system="soc-2000-2010-hybrid",
        label="BLS 'How were the occupations in the May 2010 estimates built' (OES use of combined SOC data)",
        code_header="OES 2010 code",
        title_header="OES 2010 title",
        sides=(("soc-2010", "2010 SOCs", None), ("soc-2000", "2000 SOCs", None)),
        note_header="notes",
    ),
    HybridStructure(
        release_id="2019-hybrid",
        system="soc-2010-2018-hybrid",
        label="BLS OES 2019 hybrid SOC structure (2010 <-> 2018)",
        code_header="OES 2019 Estimates Code",
        title_header="OES 2019 Estimates Title",
        sides=(
            ("soc-2018", "2018 SOC Code", "2018 SOC Title"),
            ("oes-may-2018", "OES 2018 Estimates Code", "OES 2018 Estimates Title"),
            ("soc-2010", "2010 SOC Code", "2010 SOC Title"),
        ),
        note_header="NOTES",
    ),
)
STRUCTURE_BY_RELEASE: dict[str, HybridStructure] = {s.release_id: s for s in HYBRID_STRUCTURES}
# The codes OES published for May 2018 (soc-2010 as OES used it, combined codes included): a side
# of the 2019 structure that is not a reference classification.
COMPONENT_SYSTEMS = ("soc-2000", "soc-2010", "soc-2018", "oes-may-2018")

_MARKS = re.compile(TITLE_MARKS)


def clean_title(title: str) -> str:
    """A title without BLS's split/merge footnote marks ('Registered Nurses*' -> 'Registered Nurses')."""
    return _MARKS.sub("", str(title).strip()).strip()
