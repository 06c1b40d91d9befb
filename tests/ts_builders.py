"""Small OEWS time-series releases in BLS's LABSTAT layout (tab-separated, CRLF, padded columns).

The code lists carry BLS's own wording for datatypes and footnotes (the layout checks it); the data
file holds a handful of estimates whose figures the tests know independently of the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

EOL = "\r\n"

DATATYPE_NAMES = {
    "01": "Employment",
    "02": "Employment percent relative standard error",
    "03": "Hourly mean wage",
    "04": "Annual mean wage",
    "05": "Wage percent relative standard error",
    "06": "Hourly 10th percentile wage",
    "07": "Hourly 25th percentile wage",
    "08": "Hourly median wage",
    "09": "Hourly 75th percentile wage",
    "10": "Hourly 90th percentile wage",
    "11": "Annual 10th percentile wage",
    "12": "Annual 25th percentile wage",
    "13": "Annual median wage",
    "14": "Annual 75th percentile wage",
    "15": "Annual 90th percentile wage",
    "16": "Employment per 1,000 jobs",
    "17": "Location Quotient",
}
FOOTNOTES = {
    "1": "Estimates for detailed occupations do not sum to the totals because the totals include occupations "
    "not shown separately. Estimates do not include self-employed workers.",
    "2": "Annual wages have been calculated by multiplying the hourly wages by 2,080 hours; for occupations where "
    "hourly wages are not published, annual wages were taken directly from the reported survey data.",
    "3": "The relative standard error (RSE) is a measure of the reliability of a survey statistic. The smaller the "
    "relative standard error, the more precise the estimate.",
    "4": "Wages for some occupations that do not generally work year-round, full time, are reported either as "
    "hourly wages or annual salaries depending on how they are typically paid.",
    "5": "This wage is equal to or greater than $115.00 per hour or $239,200 per year.",
    "8": "Estimate not released.",
}
AREAS = [  # state_code, area_code, areatype_code, area_name
    ("00", "0000000", "N", "National"),
    ("06", "0031080", "M", "Los Angeles-Long Beach-Anaheim, CA"),
    ("06", "0600000", "S", "California"),
    ("06", "0600001", "M", "North Coast Region of California nonmetropolitan area"),
]
INDUSTRIES = [  # code, name, display_level
    ("000000", "Cross-Industry, Private, Federal, State, and Local", "0"),
    ("000001", "Cross-industry, Private Ownership only", "1"),
    ("62--63", "Sector 62 - Health Care and Social Assistance", "2"),
    ("622100", "General Medical and Surgical Hospitals", "4"),
]
OCCUPATIONS = [  # code, name, display_level
    ("000000", "All Occupations", "0"),
    ("290000", "Healthcare Practitioners and Technical Occupations", "0"),
    ("291141", "Registered Nurses", "3"),
    ("252021", "Elementary School Teachers, Except Special Education", "3"),
    ("291211", "Anesthesiologists", "3"),
]

# One estimate's 17 figures: datatype -> (value text, footnote code)
NURSES = {
    "01": ("3282010", ""),
    "02": ("0.4", ""),
    "03": ("47.32", ""),
    "04": ("98430", ""),
    "05": ("0.2", ""),
    "06": ("31.28", ""),
    "07": ("37.67", ""),
    "08": ("45.71", ""),
    "09": ("53.99", ""),
    "10": ("65.67", ""),
    "11": ("65060", ""),
    "12": ("78350", ""),
    "13": ("95070", ""),
    "14": ("112300", ""),
    "15": ("136590", ""),
    "16": ("21.107", ""),
    "17": ("1.00", ""),
}
# Annual-only (teachers): hourly figures are '-' with footnote 4; one metro's employment not released (8).
TEACHERS = {**NURSES, **{code: ("-", "4") for code in ("03", "06", "07", "08", "09", "10")}}
# Their annual figures in order (p10 <= p25 <= median <= p75 <= p90), as the wage checks require.
TEACHERS.update({"01": ("1417380", ""), "04": ("67920", ""), "11": ("46380", ""), "12": ("52300", "")})
TEACHERS.update({"13": ("63680", ""), "14": ("80160", ""), "15": ("101310", "")})
# Top-coded: the upper percentiles are '-' with footnote 5.
ANESTHESIOLOGISTS = {**NURSES, **{code: ("-", "5") for code in ("08", "09", "10", "13", "14", "15")}}
NOT_RELEASED = {**NURSES, **{code: ("-", "8") for code in ("01", "02", "16", "17")}}


@dataclass
class Release:
    """A release folder's contents; tests edit the lists, then write()."""

    datatypes: dict[str, str] = field(default_factory=lambda: dict(DATATYPE_NAMES))
    footnotes: dict[str, str] = field(default_factory=lambda: dict(FOOTNOTES))
    release: tuple[str, str] = ("2025A01", "May 2025")
    lines: list[str] = field(default_factory=list)

    def add(self, area_type: str, area: str, industry: str, occupation: str, figures: dict[str, tuple[str, str]]):
        for datatype, (value, footnote) in figures.items():
            self.lines.append(line(f"OEU{area_type}{area}{industry}{occupation}{datatype}", value, footnote))
        return self

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        table(folder / "oe.area", ["state_code", "area_code", "areatype_code", "area_name"], AREAS)
        table(
            folder / "oe.industry",
            ["industry_code", "industry_name", "display_level", "selectable", "sort_sequence"],
            [(*row, "T", str(i)) for i, row in enumerate(INDUSTRIES)],
        )
        table(
            folder / "oe.occupation",
            ["occupation_code", "occupation_name", "occupation_description", "display_level", "selectable"],
            [(code, name, "", level, "T") for code, name, level in OCCUPATIONS],
        )
        table(folder / "oe.datatype", ["datatype_code", "datatype_name"], list(self.datatypes.items()))
        table(folder / "oe.footnote", ["footnote_code", "footnote_text"], list(self.footnotes.items()))
        table(folder / "oe.release", ["release_date", "description"], [self.release])
        header = "series_id                     \tyear\tperiod\t       value\tfootnote_codes" + EOL
        path = folder / "oe.data.0.Current"
        path.write_bytes((header + "".join(self.lines)).encode())
        return path


def line(series_id: str, value: str, footnote: str = "", year: str = "2025") -> str:
    return f"{series_id:<30}\t{year}\tA01\t{value:>12}\t{footnote}{EOL}"


def table(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> None:
    text = "\t".join(header) + EOL + "".join("\t".join(row) + EOL for row in rows)
    path.write_bytes(text.encode())


def standard() -> Release:
    """National, state, metro and nonmetro rows; an industry; markers of every kind."""
    release = Release()
    release.add("N", "0000000", "000000", "291141", NURSES)
    release.add("N", "0000000", "000000", "252021", TEACHERS)
    release.add("N", "0000000", "000000", "291211", ANESTHESIOLOGISTS)
    release.add("N", "0000000", "622100", "291141", NURSES)
    release.add("N", "0000000", "000001", "291141", NURSES)
    release.add("S", "0600000", "000000", "291141", NURSES)
    release.add("M", "0031080", "000000", "291141", NOT_RELEASED)
    release.add("M", "0600001", "000000", "291141", NURSES)
    return release
