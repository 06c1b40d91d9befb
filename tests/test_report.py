"""The CLI's closing lines: a failure is never buried under a product's many unavailable files."""

from __future__ import annotations

from occstats.pipeline import Outcome, RunReport, State
from occstats.report import MAX_UNAVAILABLE_LINES, closing_summary, text_summary


def test_many_unavailable_files_are_summarized_and_the_failure_comes_first():
    outcomes = [Outcome("ep-matrix", f"2024-2034-{i:06d}", State.UNAVAILABLE, "not in the mirror") for i in range(40)]
    outcomes.append(Outcome("ep-matrix", "2024-2034-622000", State.FAILED, "ind_622000.xlsx: broken"))
    lines = text_summary(RunReport("ep-matrix", "run", "now", outcomes, {})).splitlines()
    assert lines[2] == "  FAILED: EP-MATRIX 2024-2034-622000: ind_622000.xlsx: broken"
    assert sum(line.startswith("  UNAVAILABLE") for line in lines) == MAX_UNAVAILABLE_LINES
    assert lines[-1].startswith(f"  … and {40 - MAX_UNAVAILABLE_LINES} more unavailable")


# -- the closing lines: where the data is, what changed, what next, what the exit code means ------------------
def _report(product: str, states: dict[str, State], versions: dict[str, int]) -> RunReport:
    outcomes = [Outcome(product, release, state, "not in the mirror") for release, state in states.items()]
    return RunReport(product, "run", "now", outcomes, versions)


def test_closing_names_the_directory_changes_next_commands_and_exit_3(tmp_path):
    (tmp_path / "data" / "curated" / "oes_wages").mkdir(parents=True)
    reports = [
        _report("soc", {"2010-to-2018": State.CURATED}, {"soc_crosswalk": 0}),
        _report(
            "oes",
            {"2019": State.CURATED, "2020": State.UNCHANGED, "2006": State.UNAVAILABLE, "2009": State.UNAVAILABLE},
            {"oes_wages": 2, "oes_estimates": 2, "soc_codes": 0},
        ),
        _report("ep", {"2024-2034": State.CURATED}, {"ep_projections": 0, "soc_codes": 1}),
    ]
    lines = closing_summary(reports, tmp_path / "data", mirror=True).splitlines()
    data = tmp_path / "data"
    assert lines[0] == f"data directory: {data} (tables in curated/, landed files in raw/)"
    assert lines[1] == "changed: ep_projections v0, oes_estimates v2, oes_wages v2, soc_codes v1, soc_crosswalk v0"
    assert lines[2] == "releases: 3 new or changed, 1 unchanged, 2 unavailable"
    assert lines[3] == (
        f"next: occstats tables --data-dir {data}   occstats series 29-1141 --measure annual_median --data-dir {data}"
    )
    assert lines[4].startswith("exit 3: only releases the source does not have are missing (UNAVAILABLE above)")
    assert lines[4].endswith("expected from a mirror, which holds only what was copied into it")


def test_closing_leaves_out_the_default_directory_and_explains_exit_1_and_0(tmp_path):
    failed = _report("ep", {"2024-2034": State.FAILED, "2022-2032": State.UNAVAILABLE}, {})
    lines = closing_summary([failed], tmp_path / "d", default_dir=tmp_path / "d").splitlines()
    assert lines[1:4] == [
        "changed: nothing (no table changed)",
        "releases: 1 unavailable, 1 failed",
        "next: occstats tables",
    ]
    assert lines[4] == (
        "exit 1: 1 release failed (FAILED above, with the file and the problem); the other releases finished, "
        f"every table stays at its last good version and the raw files stay in {tmp_path / 'd' / 'raw'} for inspection"
    )
    quiet = _report("ep", {"2024-2034": State.UNCHANGED}, {})
    assert closing_summary([quiet], tmp_path / "d").splitlines()[-1] == "exit 0: every release is curated or unchanged"


def test_import_ends_with_the_closing_lines_and_its_exit_code(tmp_path):
    """The CLI as a user runs it: a good import (exit 0) then a broken file (exit 1), each saying so last."""
    import os
    import subprocess
    import sys

    from ep_builders import named_workbook

    good, bad = tmp_path / "occupation.xlsx", tmp_path / "broken.xlsx"
    good.write_bytes(named_workbook(2024, 2034))
    bad.write_bytes(b"not a workbook")
    env = {k: v for k, v in os.environ.items() if k != "OCCSTATS_DATA_DIR"}

    def occstats(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "occstats.cli", *args, "--data-dir", str(tmp_path / "data"), "-q"]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)

    done = occstats("import", "ep", str(good))
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    data = tmp_path / "data"
    assert lines[-5] == f"data directory: {data} (tables in curated/, landed files in raw/)"
    assert lines[-4].startswith("changed: ep_projections v0, ooh_quickfacts v0")
    assert lines[-3:] == [
        "releases: 1 new or changed",
        "next: occstats tables",
        "exit 0: every release is curated or unchanged",
    ]

    broken = occstats("import", "ep", str(bad))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "FAILED" in broken.stdout and "broken.xlsx" in broken.stdout
    assert broken.stdout.splitlines()[-1].startswith(
        "exit 1: 1 release failed (FAILED above, with the file and the problem)"
    )


def test_warnings_are_said_once_and_at_most_a_few():
    outcomes = [
        Outcome("oes", str(year), State.CURATED, warnings=[f"OES May {year}: codes not checked", "same for all"])
        for year in range(2010, 2016)
    ]
    lines = text_summary(RunReport("oes", "run", "now", outcomes, {"oes_wages": 0})).splitlines()
    warned = [line for line in lines if line.startswith("  warning: ")]
    assert warned[0] == "  warning: OES May 2010: codes not checked" and warned[1] == "  warning: same for all"
    assert len(warned) == 5 and lines[-1] == "  … and 2 more warnings (the Prefect artifact lists each)"


def test_refresh_oes_on_a_fresh_data_directory_warns_that_codes_were_not_checked(settings, tmp_path):
    """README: with no SOC crosswalks curated yet the codes are not checked, and the closing lines say so."""
    import dataclasses

    from builders import oes_zip, put_release

    from occstats.pipeline import refresh

    put_release(tmp_path / "mirror", 2021, oes_zip(2021))
    report = refresh(dataclasses.replace(settings, mirror=str(tmp_path / "mirror")), "oes", [2021])
    assert report.exit_code == 0, [o.detail for o in report.outcomes]
    assert (
        "  warning: OES May 2021: codes not checked against soc-2018: run `occstats refresh soc` first"
        in text_summary(report).splitlines()
    )
