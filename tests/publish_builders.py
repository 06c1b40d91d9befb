"""A small curated data directory for the publishing tests, built through the real pipeline.

SOC 2010 -> 2018 crosswalk, OES May 2017-2018 (SOC 2010: 29-2071) and May 2021-2022 (SOC 2018:
29-2072, one of the codes 29-2071 split into), and the EP 2023-33 cycle; `import_ep` adds a later
cycle. Every pipeline call goes through `_run`, the one place that knows the pipeline API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builders import OCCUPATIONS, oes_2021_workbook, workbook_bytes
from ep_builders import CODE, TITLE, named_workbook, occupations

from occstats.pipeline import State, import_files

CROSSWALK = [
    ["11-1011", "Chief Executives", "11-1011", "Chief Executives"],
    ["11-1021", "General and Operations Managers", "11-1021", "General and Operations Managers"],
    ["25-1011", "Business Teachers, Postsecondary", "25-1011", "Business Teachers, Postsecondary"],
    ["27-2011", "Actors", "27-2011", "Actors"],
    ["29-1141", "Registered Nurses", "29-1141", "Registered Nurses"],
    ["29-2071", "Medical Records and Health Information Technicians (#)", "29-2072", "Medical Records Specialists"],
    ["29-2071", "Medical Records and Health Information Technicians (#)", "29-9021", "Health Information (##)"],
    ["29-9099", "Healthcare Practitioners, All Other (#)", "29-9021", "Health Information (##)"],
    ["29-9099", "Healthcare Practitioners, All Other (#)", "29-9099", "Healthcare Practitioners, All Other"],
]

# Annual medians of 29-2071 (SOC 2010) and 29-2072 (SOC 2018) by OES year: the chart's series.
MEDIANS = {2017: 39180, 2018: 40350, 2021: 46660, 2022: 48780}


def _oes_occupations(year: int) -> list[list[Any]]:
    occs = [list(o) for o in OCCUPATIONS]
    medical = next(o for o in occs if o[0] == "29-2072")
    medical[15] = MEDIANS[year]  # A_MEDIAN (index: code, title, group, then the figures in HEADER order)
    medical[10] = round(MEDIANS[year] / 2080, 2)  # H_MEDIAN
    if year < 2019:
        medical[0], medical[1] = "29-2071", "Medical Records and Health Information Technicians"
    return occs


def _ep_occupations(base: int) -> list[list[Any]]:
    """The generated EP rows in SOC 2018 terms (29-2072 where the 2010 cycles had 29-2071)."""
    occs = occupations()
    for o in occs:
        if o[CODE] == "29-2071":
            o[CODE], o[TITLE] = "29-2072", "Medical records specialists"
    return occs


def _run(settings, product: str, paths: list[Path]):
    report = import_files(settings, product, paths)
    failed = [o for o in report.outcomes if o.state is State.FAILED]
    assert not failed, [o.detail for o in failed]
    return report


def build_data_dir(settings, folder: Path):
    """Curate the crosswalk, four OES releases and EP 2023-33 into settings.data_dir."""
    folder.mkdir(parents=True, exist_ok=True)
    xwalk = folder / "soc_2010_to_2018_crosswalk.xlsx"
    header = ["2010 SOC Code", "2010 SOC Title", "2018 SOC Code", "2018 SOC Title"]
    xwalk.write_bytes(workbook_bytes({"Sorted by 2010": [["U.S. Bureau of Labor Statistics"], [], header, *CROSSWALK]}))
    _run(settings, "soc", [xwalk])
    oes = []
    for year in MEDIANS:
        path = folder / f"national_M{year}_dl.xlsx"
        path.write_bytes(oes_2021_workbook(year, _oes_occupations(year)))
        oes.append(path)
    _run(settings, "oes", oes)
    import_ep(settings, folder, 2023, 2033)
    return settings


def import_ep(settings, folder: Path, base: int, target: int):
    path = folder / f"ep-{base}" / "occupation.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(named_workbook(base, target, _ep_occupations(base)))
    return _run(settings, "ep", [path])
