"""Which rows `series --area/--industry` means: an area or industry as a person writes it, as the tables key it.

The families write areas their own way (the national workbooks '99', the time series seven digits:
'0000000' the nation, state FIPS + '00000' a state, '00' + CBSA code a metropolitan area), so an
area a user names (a postal code 'CA', a FIPS code '06', a CBSA code '31080', or a code as published)
becomes the set of codes it is published under, with the area type it must have. Declarations only;
the postal codes and names are checked against BLS's own oe.area in tests/test_real_timeseries_pipeline.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from occstats.errors import ConfigError

# postal code -> (state FIPS code, name as oe.area writes it)
STATES: dict[str, tuple[str, str]] = {
    "AL": ("01", "Alabama"),
    "AK": ("02", "Alaska"),
    "AZ": ("04", "Arizona"),
    "AR": ("05", "Arkansas"),
    "CA": ("06", "California"),
    "CO": ("08", "Colorado"),
    "CT": ("09", "Connecticut"),
    "DE": ("10", "Delaware"),
    "DC": ("11", "District of Columbia"),
    "FL": ("12", "Florida"),
    "GA": ("13", "Georgia"),
    "HI": ("15", "Hawaii"),
    "ID": ("16", "Idaho"),
    "IL": ("17", "Illinois"),
    "IN": ("18", "Indiana"),
    "IA": ("19", "Iowa"),
    "KS": ("20", "Kansas"),
    "KY": ("21", "Kentucky"),
    "LA": ("22", "Louisiana"),
    "ME": ("23", "Maine"),
    "MD": ("24", "Maryland"),
    "MA": ("25", "Massachusetts"),
    "MI": ("26", "Michigan"),
    "MN": ("27", "Minnesota"),
    "MS": ("28", "Mississippi"),
    "MO": ("29", "Missouri"),
    "MT": ("30", "Montana"),
    "NE": ("31", "Nebraska"),
    "NV": ("32", "Nevada"),
    "NH": ("33", "New Hampshire"),
    "NJ": ("34", "New Jersey"),
    "NM": ("35", "New Mexico"),
    "NY": ("36", "New York"),
    "NC": ("37", "North Carolina"),
    "ND": ("38", "North Dakota"),
    "OH": ("39", "Ohio"),
    "OK": ("40", "Oklahoma"),
    "OR": ("41", "Oregon"),
    "PA": ("42", "Pennsylvania"),
    "RI": ("44", "Rhode Island"),
    "SC": ("45", "South Carolina"),
    "SD": ("46", "South Dakota"),
    "TN": ("47", "Tennessee"),
    "TX": ("48", "Texas"),
    "UT": ("49", "Utah"),
    "VT": ("50", "Vermont"),
    "VA": ("51", "Virginia"),
    "WA": ("53", "Washington"),
    "WV": ("54", "West Virginia"),
    "WI": ("55", "Wisconsin"),
    "WY": ("56", "Wyoming"),
    "GU": ("66", "Guam"),
    "PR": ("72", "Puerto Rico"),
    "VI": ("78", "Virgin Islands"),
}
NATIONAL_WORDS = ("us", "usa", "national", "nation", "united states")
NATIONAL_CODES = ("99", "0000000")  # the workbooks' and the time series' code for the United States
CROSS_INDUSTRY = "000000"
INDUSTRY_CODE = r"^[0-9]{2}[0-9-]{4}$"  # as published: '622100', '31--33', '99-100' is '99-100'


@dataclass(frozen=True)
class Place:
    """The rows an area means: its codes in every family, and the area type they carry."""

    area_type: str
    codes: tuple[str, ...]
    label: str

    @property
    def national(self) -> bool:
        return self.area_type == "national"


NATIONAL = Place("national", NATIONAL_CODES, "United States")


def area(text: str | None) -> Place:
    """'CA', 'ca', '06', '0600000' -> California; '31080' / '0031080' -> that metropolitan area; None -> the nation."""
    if text is None:
        return NATIONAL
    given = text.strip()
    if given.lower() in NATIONAL_WORDS or given in NATIONAL_CODES:
        return NATIONAL
    if given.upper() in STATES:
        fips, name = STATES[given.upper()]
        return Place("state", (f"{fips}00000", fips), name)
    if re.fullmatch(r"\d{2}", given):
        name = next((n for f, n in STATES.values() if f == given), None)
        if name is None:
            raise ConfigError(f"--area {text}: {given} is not a state FIPS code occstats knows")
        return Place("state", (f"{given}00000", given), name)
    if re.fullmatch(r"\d{2}00000", given):
        return area(given[:2])
    if re.fullmatch(r"\d{5}", given):
        return Place("metropolitan", (f"00{given}", given), f"CBSA {given}")
    if re.fullmatch(r"00\d{5}", given):
        return Place("metropolitan", (given, given[2:]), f"CBSA {given[2:]}")
    if re.fullmatch(r"\d{7}", given):  # a state FIPS + '000NN': a nonmetropolitan area
        return Place("nonmetropolitan", (given,), f"area {given}")
    raise ConfigError(
        f"--area {text!r}: give a state postal code (CA), a state FIPS code (06), a seven-digit area code "
        "as the time series publishes it (0600000, 0031080) or a metropolitan CBSA code (31080)"
    )


def industry(text: str | None) -> str:
    """An industry code as published ('622100', '31--33', '000001'); None -> cross-industry."""
    if text is None:
        return CROSS_INDUSTRY
    given = text.strip()
    if not re.fullmatch(INDUSTRY_CODE, given):
        raise ConfigError(
            f"--industry {text!r}: give an industry code as BLS publishes it, six characters: a NAICS code "
            "padded with zeros (622100, 621000), a sector (31--33) or an ownership aggregate (000001)"
        )
    return given
