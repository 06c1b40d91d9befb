"""Small workbooks in the layouts of BLS's OES Excel families (industry, state, metro, all-data).

Generated in tests, never copies of the real files. The columns follow BLS's own descriptions: the
industry workbooks in ../shared/bls/oes-industry (2009-2018: NAICS, NAICS_TITLE, OWNERSHIP as a label;
2019 on the AREA ... HOURLY family), the 2018 metro file_descriptions (MSA_ / BOS_ members; PRIM_STATE,
AREA, AREA_NAME), the 2019+ field descriptions (area_type 1/2/3/4/6, own_code, i_group, pct_rpt).
"""

from __future__ import annotations

from typing import Any

from builders import HEADER_2021, workbook_bytes, zip_bytes

WAGE_HEADER = HEADER_2021[HEADER_2021.index("H_MEAN") :]  # the wage columns, as the national layout has them
# (hourly mean, annual mean, mean prse, 5 hourly percentiles, 5 annual percentiles, annual, hourly)
WAGES_PLAIN = [
    30.5,
    63440.0,
    0.4,
    12.1,
    18.25,
    26.54,
    38.69,
    57.69,
    25170.0,
    37960.0,
    55200.0,
    80480.0,
    120000.0,
    "",
    "",
]
WAGES_TOP = [110.0, 228800.0, 1.1, 45.0, 80.0, "#", "#", "#", 93600.0, 166400.0, "#", "#", "#", "", ""]
WAGES_ANNUAL_ONLY = [
    "*",
    70000.0,
    0.9,
    "*",
    "*",
    "*",
    "*",
    "*",
    40000.0,
    50000.0,
    60000.0,
    80000.0,
    90000.0,
    "TRUE",
    "",
]

LEGEND_2012 = "#  = indicates a wage greater than $90.00 per hour or $187,200 per year"
FIELDS_2012 = [
    ["May 2012 OES Estimates"],
    ["Notes:"],
    ["*  = indicates that a wage estimate is not available"],
    [LEGEND_2012],
]


def natsector_2012(year: int = 2012, sheet: str = "natsector_dl") -> bytes:
    header = [
        "NAICS",
        "NAICS_TITLE",
        "OCC_CODE",
        "OCC_TITLE",
        "OCC_GROUP",
        "TOT_EMP",
        "EMP_PRSE",
        "PCT_TOTAL",
        "PCT_RPT",
    ]
    rows: list[list[Any]] = [header + WAGE_HEADER]
    rows.append(["11", "Agriculture", "00-0000", "All Occupations", "total", 430720.0, 1.0, 100.0, "", *WAGES_PLAIN])
    rows.append(["11", "Agriculture", "11-1011", "Chief Executives", "detailed", 1230.0, 9.9, 0.29, 1.05, *WAGES_TOP])
    rows.append(["11", "Agriculture", "25-2021", "Teachers", "detailed", "**", "**", "**", "~", *WAGES_ANNUAL_ONLY])
    rows.append(
        ["31-33", "Manufacturing", "00-0000", "All Occupations", "total", 1200000.0, 0.5, 100.0, "", *WAGES_PLAIN]
    )
    return workbook_bytes({sheet: rows})


def national_owner_2012() -> bytes:
    header = ["OWNERSHIP", "OCC_CODE", "OCC_TITLE", "OCC_GROUP", "TOT_EMP", "EMP_PRSE"]
    rows: list[list[Any]] = [header + WAGE_HEADER]
    rows.append(["Private", "00-0000", "All Occupations", "total", 110000000.0, 0.1, *WAGES_PLAIN])
    rows.append(
        ["Federal, State, and Local government", "00-0000", "All Occupations", "total", 21000000.0, 0.2, *WAGES_PLAIN]
    )
    rows.append(["Local government", "25-2021", "Teachers", "detail", 1200000.0, 0.8, *WAGES_ANNUAL_ONLY])
    return workbook_bytes({"national_owner_dl": rows})


def industry_zip(year: int = 2012, members: dict[str, bytes] | None = None) -> bytes:
    members = (
        members
        if members is not None
        else {
            f"natsector_M{year}_dl.xls": natsector_2012(year),
            "national_owner_dl.xls": national_owner_2012(),
            "field_descriptions.xls": workbook_bytes({"Field Descriptions": FIELDS_2012}),
        }
    )
    return zip_bytes(members)


def state_2018() -> bytes:
    header = [
        "AREA",
        "ST",
        "STATE",
        "OCC_CODE",
        "OCC_TITLE",
        "OCC_GROUP",
        "TOT_EMP",
        "EMP_PRSE",
        "JOBS_1000",
        "LOC_QUOTIENT",
    ]
    rows: list[list[Any]] = [header + WAGE_HEADER]
    rows.append(
        ["6", "CA", "California", "00-0000", "All Occupations", "total", 17007690.0, 0.3, 1000.0, 1.0, *WAGES_PLAIN]
    )
    rows.append(
        ["6", "CA", "California", "29-2072", "Medical Records", "detailed", 20990.0, 4.1, 1.234, 0.95, *WAGES_PLAIN]
    )
    rows.append(
        ["34", "NJ", "New Jersey", "29-2072", "Medical Records", "detailed", "**", "**", "**", "**", *WAGES_TOP]
    )
    return workbook_bytes({"state_dl": rows})


def metro_2018(kind: str) -> bytes:
    header = [
        "PRIM_STATE",
        "AREA",
        "AREA_NAME",
        "OCC_CODE",
        "OCC_TITLE",
        "OCC_GROUP",
        "TOT_EMP",
        "EMP_PRSE",
        "JOBS_1000",
        "LOC_QUOTIENT",
    ]
    rows: list[list[Any]] = [header + WAGE_HEADER]
    if kind == "msa":
        rows.append(
            [
                "CA",
                "31080",
                "Los Angeles-Long Beach-Anaheim, CA",
                "29-2072",
                "Medical Records",
                "detailed",
                5120.0,
                7.0,
                0.831,
                0.87,
                *WAGES_PLAIN,
            ]
        )
    else:
        rows.append(
            [
                "CA",
                "600001",
                "North Coast Region of California nonmetropolitan area",
                "29-2072",
                "Medical Records",
                "detailed",
                90.0,
                20.1,
                0.7,
                0.73,
                *WAGES_PLAIN,
            ]
        )
    return workbook_bytes({f"{kind.upper()}_dl": rows})


def all_data_2019_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [HEADER_2021]
    figures = ["", *WAGES_PLAIN]
    for area, title, area_type, state, naics, naics_title, group, own in (
        ("99", "U.S.", "1", "US", "000000", "Cross-industry", "cross-industry", "1235"),
        ("99", "U.S.", "1", "US", "622000", "Hospitals", "3-digit, ownership", "3"),
        ("06", "California", "2", "CA", "000000", "Cross-industry", "cross-industry", "1235"),
        ("72", "Puerto Rico", "3", "PR", "000000", "Cross-industry", "cross-industry", "1235"),
        (
            "31080",
            "Los Angeles-Long Beach-Anaheim, CA",
            "4",
            "CA",
            "000000",
            "Cross-industry",
            "cross-industry",
            "1235",
        ),
        (
            "600001",
            "North Coast Region of California nonmetropolitan area",
            "6",
            "CA",
            "000000",
            "Cross-industry",
            "cross-industry",
            "1235",
        ),
    ):
        rows.append(
            [
                area,
                title,
                area_type,
                state,
                naics,
                naics_title,
                group,
                own,
                "29-2072",
                "Medical Records",
                "detailed",
                1000.0,
                2.5,
                1.5,
                0.9,
                0.5,
                *figures,
            ]
        )
    return rows
