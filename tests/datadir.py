"""A small curated data directory made by the pipeline from generated files (the readers' tests use it).

The only place the reading tests touch the pipeline's API: OES May 2021 and 2022 from a generated
mirror, then one EP cycle (2024-34) imported from a generated workbook, which also derives
ooh_quickfacts and rewrites soc_codes (so soc_codes has two versions).
"""

from __future__ import annotations

from pathlib import Path

from builders import oes_zip, put_release
from ep_builders import named_workbook

OES_YEARS = (2021, 2022)
EP_CYCLE = (2024, 2034)


def build_data_dir(root: Path) -> Path:
    """Curate the generated releases into root/data and return that data directory."""
    from occstats.pipeline import State, import_files, refresh
    from occstats.settings import Settings

    mirror = root / "mirror"
    for year in OES_YEARS:
        put_release(mirror, year, oes_zip(year))
    settings = Settings(
        data_dir=root / "data", mirror=str(mirror), http_retries=0, http_backoff=0, task_retries=0, task_retry_delay=0
    )
    reports = [refresh(settings, "oes", list(OES_YEARS))]
    workbook = root / "occupation.xlsx"
    workbook.write_bytes(named_workbook(*EP_CYCLE))
    reports.append(import_files(settings, "ep", [workbook]))
    states = [o.state for report in reports for o in report.outcomes]
    assert states == [State.CURATED] * 3, [o.detail for report in reports for o in report.outcomes]
    return settings.data_dir
