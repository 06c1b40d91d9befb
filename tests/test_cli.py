"""The `occstats` command as a user runs it (subprocess), against the real mirror."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.shared, pytest.mark.prefect]


def occstats(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OCCSTATS_DATA_DIR": str(data_dir)}
    env.pop("PREFECT_API_URL", None)  # the embedded server, as a newcomer gets it
    return subprocess.run(
        [sys.executable, "-m", "occstats.cli", *args], capture_output=True, text=True, env=env, timeout=600
    )


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory, mirror):
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    first = occstats("refresh", "oes", "--mirror", str(mirror), "--data-dir", str(data_dir), data_dir=data_dir)
    history = occstats("history", "oes_wages", "--format", "json", data_dir=data_dir)
    second = occstats("refresh", "oes", "--mirror", str(mirror), data_dir=data_dir)
    return data_dir, first, json.loads(history.stdout), second


def test_refresh_curates_the_mirror_and_reports_what_it_lacks(refreshed):
    _, first, _, _ = refreshed
    assert first.returncode == 3, first.stderr[-2000:]
    assert "oes: 1 not yet published, 9 unavailable, 20 curated" in first.stdout.replace(
        "20 curated, 1 not yet published, 9 unavailable", "1 not yet published, 9 unavailable, 20 curated"
    )
    for year in ("2006", "2009"):
        assert f"UNAVAILABLE: OES May {year}: the mirror does not have it" in first.stdout
    assert "FAILED" not in first.stdout
    assert "[30/30]" in first.stderr, "progress is displayed"


def test_second_refresh_downloads_nothing_and_writes_no_version(refreshed):
    data_dir, _, history_before, second = refreshed
    assert second.returncode == 3
    assert "20 unchanged" in second.stdout and "no version written" in second.stdout
    after = json.loads(occstats("history", "oes_wages", "--format", "json", data_dir=data_dir).stdout)
    assert after == history_before and isinstance(after, list) and len(after) == 1
    assert len(list((data_dir / "raw" / "oes").rglob("manifest.json"))) == 20


def test_query_lists_twenty_years_in_every_format(refreshed):
    data_dir, *_ = refreshed
    sql = "select ref_year, count(*) as n from oes_estimates group by 1 order by 1"
    table = occstats("query", sql, data_dir=data_dir)
    assert table.returncode == 0 and "(20 rows)" in table.stdout
    rows = list(csv.DictReader(io.StringIO(occstats("query", sql, "--format", "csv", data_dir=data_dir).stdout)))
    assert [int(r["ref_year"]) for r in rows] == [2004, 2005, 2007, 2008, *range(2010, 2026)]
    got = json.loads(occstats("query", sql, "--format", "json", data_dir=data_dir).stdout)
    assert got[0] == {"ref_year": 2004, "n": 823}


def test_query_time_travel_and_errors(refreshed):
    data_dir, *_ = refreshed
    sql = "select (select count(*) from oes_wages) as wages, (select count(*) from oes_estimates) as estimates"
    ok = occstats(
        "query", sql, "--as-of", "oes_wages=0", "--as-of", "oes_estimates=0", "--format", "json", data_dir=data_dir
    )
    counts = json.loads(ok.stdout)[0]
    assert counts["wages"] == 12 * counts["estimates"] > 0, "one row per estimate x basis x statistic"
    bad = occstats("query", "select nope from oes_wages", data_dir=data_dir)
    assert bad.returncode == 2 and "query failed" in bad.stderr
    missing = occstats("query", "select 1", "--as-of", "oes_wages=99", data_dir=data_dir)
    assert missing.returncode == 2 and "oes_wages has only version 0" in missing.stderr, "the valid range is named"


def test_tables_and_history(refreshed):
    data_dir, *_ = refreshed
    out = occstats("tables", "--format", "json", data_dir=data_dir)
    tables = {t["table"]: t for t in json.loads(out.stdout)}
    counted = json.loads(
        occstats("query", "select count(*) as n from oes_estimates", "--format", "json", data_dir=data_dir).stdout
    )[0]["n"]
    assert tables["oes_estimates"]["rows"] == counted and tables["oes_wages"]["rows"] == 12 * counted
    assert tables["oes_wages"]["releases"] == "OES May 2004-2005, 2007-2008, 2010-2025"
    text = occstats("history", "oes_estimates", data_dir=data_dir).stdout
    assert "CREATE TABLE" in text and "2004-2005, 2007-2008, 2010-2025" in text and "20 files" in text


def test_import_an_old_release(refreshed, shared):
    data_dir, *_ = refreshed
    done = occstats("import", "oes", str(shared / "bls/oes/1997/national_1997_dl.xls"), data_dir=data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 curated" in done.stdout
    again = occstats("import", "oes", str(shared / "bls/oes/1997/national_1997_dl.xls"), data_dir=data_dir)
    assert again.returncode == 0 and "1 unchanged" in again.stdout
    years = occstats("query", "select min(ref_year) as y from oes_estimates", "--format", "json", data_dir=data_dir)
    assert json.loads(years.stdout) == [{"y": 1997}]


def test_a_missing_file_and_an_unknown_table_are_clear_errors(tmp_path):
    missing = occstats("import", "oes", str(tmp_path / "nope.xlsx"), data_dir=tmp_path)
    assert missing.returncode == 1 and "no such file" in missing.stdout
    unknown = occstats("history", "nope", data_dir=tmp_path)
    assert unknown.returncode == 2 and f"data directory {tmp_path} holds no curated tables" in unknown.stderr


@pytest.fixture(scope="module")
def with_soc(refreshed, mirror):
    data_dir, *_ = refreshed
    done = occstats("refresh", "soc", "--mirror", str(mirror), data_dir=data_dir)
    return data_dir, done


def test_refresh_soc_curates_both_crosswalks_and_both_hybrid_structures(with_soc):
    data_dir, done = with_soc
    assert done.returncode == 0, done.stdout + done.stderr
    assert "soc: 4 curated" in done.stdout and "soc_hybrid_structure v0" in done.stdout
    out = occstats(
        "query",
        "select from_system, to_system, count(*) as n from soc_crosswalk group by 1, 2 order by 1, 2",
        "--format",
        "json",
        data_dir=data_dir,
    )
    pairs = {(r["from_system"], r["to_system"]): r["n"] for r in json.loads(out.stdout)}
    assert pairs[("soc-2000", "soc-2010")] == 860 and pairs[("soc-2010", "soc-2018")] == 900
    assert ("soc-2010", "soc-2010-2018-hybrid") in pairs, "the hybrid steps are derived beside them"


def test_lineage_and_series_commands(with_soc):
    data_dir, _ = with_soc
    text = occstats("lineage", "29-2071", data_dir=data_dir)
    assert text.returncode == 0, text.stderr
    lines = [line.split() for line in text.stdout.splitlines()]
    assert lines[5][:3] == ["4", "soc-2010-2018-hybrid", "29-2098"]
    split = next(line for line in lines if line[:3] == ["5", "soc-2018", "29-2072"])
    assert "29-2098" in split and "split" in split and "oes_2019_hybrid_structure.xlsx" in split, "BLS's file cited"
    steps = json.loads(occstats("lineage", "29-2071", "--format", "json", data_dir=data_dir).stdout)
    # BLS's 2019 structure builds 29-9098 from 29-9099 alone: 29-2071 reaches 29-9021 through the crosswalk
    assert [s["code"] for s in steps] == ["29-2071", "29-2071", "29-2071", "29-2098", "29-2072", "29-9021"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                occstats(
                    "series",
                    "29-2071",
                    "--measure",
                    "annual_median",
                    "--from",
                    "2004",
                    "--format",
                    "csv",
                    data_dir=data_dir,
                ).stdout
            )
        )
    )
    held = [r for r in rows if r["soc_system"]]
    assert len(held) == 20 and all(r["soc_code"] for r in held)
    gaps = [r["release"] for r in rows if not r["soc_system"]]
    assert gaps == ["OES 2006", "OES 2009"], "a year with no release held is a row that says so"
    assert [r["comparable"] for r in held].count("True") == 13, "2004-2018: the same definition"
    bad = occstats("series", "29-2071", "--measure", "vibes", data_dir=data_dir)
    assert bad.returncode == 2 and "unknown measure" in bad.stderr


def test_import_every_ep_cycle_then_refresh_the_current_one(with_soc, shared, mirror):
    data_dir, _ = with_soc
    files = sorted(str(p) for p in (shared / "bls" / "ep").glob("occupation_*.xlsx"))
    imported = occstats("import", "ep", *files, data_dir=data_dir)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert f"ep: {len(files)} curated" in imported.stdout and f"[{len(files)}/{len(files)}]" in imported.stderr
    current = occstats("refresh", "ep", "--mirror", str(mirror), data_dir=data_dir)
    assert current.returncode == 0 and "ep: 1 unchanged" in current.stdout, current.stdout
    cycles = json.loads(
        occstats(
            "query",
            "select base_year, target_year, count(*) as n from ep_projections group by 1, 2 order by 1",
            "--format",
            "json",
            data_dir=data_dir,
        ).stdout
    )
    assert [(c["base_year"], c["target_year"]) for c in cycles] == [
        (2008, 2018),
        (2010, 2020),
        (2012, 2022),
        (2014, 2024),
        (2016, 2026),
        (2018, 2028),
        (2019, 2029),
        (2020, 2030),
        (2021, 2031),
        (2022, 2032),
        (2023, 2033),
        (2024, 2034),
    ]
    again = occstats("import", "ep", files[0], data_dir=data_dir)
    assert "ep: 1 unchanged" in again.stdout, "importing the same file twice changes nothing"
    box = json.loads(
        occstats(
            "query",
            "select median_pay_release, projections_release, number_of_jobs from "
            "ooh_quickfacts where soc_code = '29-2071' and base_year = 2010",
            "--format",
            "json",
            data_dir=data_dir,
        ).stdout
    )
    assert box == [
        {"median_pay_release": "OES May 2010", "projections_release": "EP 2010-20", "number_of_jobs": 179500}
    ]
    lineage = json.loads(occstats("lineage", "29-2071", "--format", "json", data_dir=data_dir).stdout)
    hybrid = next(s for s in lineage if s["code"] == "29-2098")
    assert hybrid["releases"] == "OES May 2019-2020; EP 2019-29, 2020-30"
