"""The reading commands' errors: one clean line each, the valid choices named, the right exit code.

Run in-process through `main()` (an uncaught exception would fail the test, so "no traceback" is
checked by construction), except the broken pipe, which only a real pipe shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from builders import OCCUPATIONS
from datadir import EP_CYCLE, OES_YEARS

from occstats.cli import main
from occstats.labels import ep_label, oes_label
from occstats.store import Store

ROOT = Path(__file__).resolve().parents[1]


def occstats(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("occstats: "), err
    return lines[0]


def test_query_piped_to_head_ends_quietly(curated_data):
    command = [sys.executable, "-m", "occstats.cli", "query", "select * from range(300000)", "--format", "csv"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env["OCCSTATS_DATA_DIR"] = str(curated_data)
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    head = subprocess.run(["head", "-1"], stdin=writer.stdout, capture_output=True, timeout=120)
    writer.stdout.close()
    stderr = writer.stderr.read().decode()
    assert writer.wait(timeout=120) == 141, stderr  # 128 + SIGPIPE, as `cat` ends
    assert head.stdout == b"range\n"
    assert stderr == "", "no BrokenPipeError traceback, no 'Exception ignored' at exit"


def test_empty_query_is_a_usage_error(capsys, curated_data):
    code, out, err = occstats(capsys, "query", "  ", "--data-dir", str(curated_data))
    assert code == 2 and out == ""
    assert "the query is empty" in one_error_line(err)


@pytest.mark.parametrize("made", [False, True], ids=["nonexistent", "empty"])
def test_a_data_dir_without_tables_is_named_with_what_to_run(capsys, tmp_path, made):
    data_dir = tmp_path / "data"
    if made:
        (data_dir / "curated").mkdir(parents=True)
    for command in (
        ["tables"],
        ["query", "select 1"],
        ["history", "oes_wages"],
        ["series", "29-2072", "--measure", "employment"],
    ):
        code, out, err = occstats(capsys, *command, "--data-dir", str(data_dir))
        line = one_error_line(err)
        assert code == 2 and out == ""
        assert str(data_dir) in line and "run `occstats refresh all`" in line
        assert ("holds no curated tables" if made else "does not exist") in line


def test_as_of_beyond_the_versions_names_the_valid_range(capsys, curated_data):
    latest = Store(curated_data / "curated").version("soc_codes")
    assert latest >= 1, "the fixture writes soc_codes more than once"
    code, _, err = occstats(capsys, "query", "select 1", "--as-of", "soc_codes=99", "--data-dir", str(curated_data))
    line = one_error_line(err)
    assert code == 2 and f"soc_codes has versions 0 to {latest}" in line
    assert "kernel" not in line.lower()
    code, _, err = occstats(capsys, "query", "select 1", "--as-of", "nope=0", "--data-dir", str(curated_data))
    assert code == 2 and "no table 'nope'" in one_error_line(err) and "oes_wages" in err


def test_two_as_of_for_one_table_is_an_error(capsys, curated_data):
    args = ["query", "select 1", "--as-of", "oes_wages=0", "--as-of", "oes_wages=1", "--data-dir", str(curated_data)]
    code, out, err = occstats(capsys, *args)
    assert code == 2 and out == ""
    assert "--as-of names oes_wages twice (oes_wages=0 and oes_wages=1)" in one_error_line(err)


def test_as_of_reads_the_version_asked_for(capsys, curated_data):
    sql = "select count(*) as n from soc_codes"
    store = Store(curated_data / "curated")
    code, out, _ = occstats(
        capsys, "query", sql, "--as-of", "soc_codes=0", "--format", "csv", "--data-dir", str(curated_data)
    )
    assert code == 0 and out.split() == ["n", str(store.read("soc_codes", version=0).num_rows)]


def test_series_range_running_backwards_is_an_error(capsys, curated_data):
    args = ["series", "29-2072", "--measure", "annual_median", "--from", "2022", "--to", "2020"]
    code, out, err = occstats(capsys, *args, "--data-dir", str(curated_data))
    assert code == 2 and out == ""
    assert "--from 2022 is after --to 2020" in one_error_line(err)


def test_unknown_table_lists_ours_not_duckdbs(capsys, curated_data):
    code, out, err = occstats(capsys, "query", "select * from oes_wage", "--data-dir", str(curated_data))
    line = one_error_line(err)
    assert code == 2 and out == ""
    assert "no table 'oes_wage'" in line and "pg_" not in line
    for name in ("oes_estimates", "oes_wages", "ep_projections", "oes_wages_titled"):
        assert name in line
    code, _, err = occstats(capsys, "query", "select * from soc_crosswalk", "--data-dir", str(curated_data))
    assert code == 2 and "soc_crosswalk is not curated in" in one_error_line(err)


def test_every_command_names_releases_the_same_way(capsys, curated_data):
    """`tables`, `history`, `series` and the OOH quick facts all use labels.py's words."""
    data = ["--data-dir", str(curated_data), "--format", "csv"]
    first, last = OES_YEARS
    oes_span = f"{oes_label(first)}-{last}"  # 'OES May 2021-2022'
    _, tables, _ = occstats(capsys, "tables", *data)
    assert "oes_wages,0," in tables and oes_span in tables and ep_label(*EP_CYCLE) in tables
    _, history, _ = occstats(capsys, "history", "oes_wages", "--data-dir", str(curated_data))
    assert oes_span in history
    _, series, _ = occstats(capsys, "series", "29-2072", "--measure", "employment", *data)
    assert [line.split(",")[0] for line in series.splitlines()[1:]] == [oes_label(y) for y in OES_YEARS]
    sql = "select distinct median_pay_release, projections_release from ooh_quickfacts where median_pay_year = 2024"
    _, quick, _ = occstats(capsys, "query", sql, *data)
    assert ep_label(*EP_CYCLE) in quick


def test_titled_wage_view_answers_the_common_query_without_a_join(capsys, curated_data):
    sql = (
        "select ref_year, occ_title, value from oes_wages_titled "
        "where soc_code = '29-2072' and basis = 'annual' and statistic = 'median' order by 1"
    )
    code, out, _ = occstats(capsys, "query", sql, "--format", "csv", "--data-dir", str(curated_data))
    assert code == 0
    _, title, *figures = next(o for o in OCCUPATIONS if o[0] == "29-2072")  # the workbook's own cells
    median = figures[13]  # a_median
    assert out.splitlines() == ["ref_year,occ_title,value", *(f"{y},{title},{median}.00" for y in OES_YEARS)]
