"""`occstats publish`: numbered, immutable data releases any tool can read without occstats."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import types
from pathlib import Path

import duckdb
import pytest
from builders import oes_2021_workbook
from publish_builders import MEDIANS, _oes_occupations, _run, build_data_dir, import_ep

from occstats.cli import main
from occstats.errors import ConfigError
from occstats.publishing.release import publish, release_dir
from occstats.schema import TABLES
from occstats.settings import Settings
from occstats.store import Store


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Built once through the pipeline; each test gets its own copy (curated tables, raw files, ledger)."""
    root = tmp_path_factory.mktemp("template")
    build_data_dir(Settings(data_dir=root / "data", http_retries=0, task_retries=0), root / "files")
    return root


@pytest.fixture
def curated(template, settings, tmp_path):
    shutil.copytree(template / "data", settings.data_dir)
    shutil.copytree(template / "files", tmp_path / "files")
    return settings, tmp_path / "files", settings.data_dir / "published"


def snapshot(folder: Path) -> dict[str, tuple[str, float]]:
    return {str(p.relative_to(folder)): (sha256(p), p.stat().st_mtime) for p in folder.rglob("*") if p.is_file()}


def test_release_1_is_plain_parquet_that_duckdb_reads_directly(curated):
    settings, _, out = curated
    assert main(["publish", "--data-dir", str(settings.data_dir), "-q"]) == 0
    assert (out / "latest").read_text().strip() == "1"
    folder = out / "releases" / "1"
    package = json.loads((folder / "datapackage.json").read_text())

    # plain duckdb, no occstats code: the figure we wrote into the 2021 workbook comes back
    con = duckdb.connect()
    wages = (folder / "tables" / "oes_wages.parquet").as_posix()
    got = con.sql(
        f"SELECT ref_year, value FROM read_parquet('{wages}') WHERE soc_code = '29-2072' AND basis = 'annual' "
        "AND statistic = 'median' ORDER BY ref_year"
    ).fetchall()
    assert [(y, int(v)) for y, v in got] == [(2021, MEDIANS[2021]), (2022, MEDIANS[2022])]
    for res in package["resources"]:
        path = folder / res["path"]
        (count,) = con.sql(f"SELECT count(*) FROM read_parquet('{path.as_posix()}')").fetchall()[0]
        assert count == res["rows"] > 0, res["name"]
        assert res["hash"] == "sha256:" + sha256(path) and res["bytes"] == path.stat().st_size
        # sorted by the primary key, for range reads
        keys = ", ".join(res["schema"]["primaryKey"])
        (unsorted,) = con.sql(
            f"SELECT count(*) FROM (SELECT row_number() OVER () AS pos, row_number() OVER (ORDER BY {keys}) AS "
            f"by_key FROM read_parquet('{path.as_posix()}')) WHERE pos <> by_key"
        ).fetchall()[0]
        assert unsorted == 0, res["name"]
    # pandas and polars read the same files
    import pandas as pd
    import polars as pl

    assert len(pd.read_parquet(folder / "tables" / "ep_projections.parquet")) == 7
    assert pl.read_parquet(folder / "tables" / "oes_estimates.parquet").height == 24


def test_datapackage_describes_schemas_versions_and_raw_files(curated):
    settings, files, out = curated
    publish(Store(settings.curated_dir), out)
    package = json.loads((out / "releases" / "1" / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package" and package["version"] == "1"
    wages = next(r for r in package["resources"] if r["name"] == "oes_wages")
    assert [f["name"] for f in wages["schema"]["fields"]] == TABLES["oes_wages"].names
    assert wages["schema"]["primaryKey"] == list(TABLES["oes_wages"].key)
    value = next(f for f in wages["schema"]["fields"] if f["name"] == "value")
    assert value["type"] == "number" and value["arrowType"] == "decimal128(12, 2)" and "USD" in value["unit"]
    basis = next(f for f in wages["schema"]["fields"] if f["name"] == "basis")
    assert basis["constraints"] == {"required": True, "enum": ["hourly", "annual"]}
    store = Store(settings.curated_dir)
    assert package["occstats"]["table_versions"] == {n: store.version(n) for n in store.names()}
    # the raw files it was built from: the sha256 of the very files we imported
    raw = {r["sha256"]: r for r in package["occstats"]["raw_files"]}
    for year in MEDIANS:
        digest = sha256(files / f"national_M{year}_dl.xlsx")
        assert raw[digest]["releases"] == [f"OES {year}"] and raw[digest]["tables"] == ["oes_estimates", "oes_wages"]
    ep = raw[sha256(files / "ep-2023" / "occupation.xlsx")]
    assert ep["releases"] == ["EP 2023-33"] and set(ep["tables"]) == {"ep_projections", "ooh_quickfacts"}
    listed = {f["path"]: f["sha256"] for f in package["occstats"]["files"]}
    assert listed["tables/oes_wages.parquet"] == sha256(out / "releases" / "1" / "tables" / "oes_wages.parquet")
    written = sorted((out / "releases" / "1" / "cards").glob("*.json"))
    assert written and package["occstats"]["cards"] == len(written), "a fact card per occupation the OOH covers"


def test_nothing_new_writes_nothing(curated):
    settings, _, out = curated
    store = Store(settings.curated_dir)
    assert publish(store, out).number == 1
    before = snapshot(out)
    again = publish(store, out)
    assert again.number is None and "nothing changed since release 1" in again.message
    assert snapshot(out) == before, "not one file written or touched"
    assert sorted(p.name for p in (out / "releases").iterdir()) == ["1"]


def test_a_new_ep_cycle_makes_release_2_naming_it_and_release_1_stays(curated):
    settings, files, out = curated
    store = Store(settings.curated_dir)
    publish(store, out)
    first = snapshot(out / "releases" / "1")
    import_ep(settings, files, 2024, 2034)
    result = publish(store, out)
    assert result.number == 2 and (out / "latest").read_text().strip() == "2"
    log = json.loads((out / "releases" / "2" / "changelog.json").read_text())
    assert log["previous_release"] == 1
    assert {"release": "EP 2024-34", "change": "added", "tables": ["ep_projections", "ooh_quickfacts"]} in log[
        "bls_releases"
    ]
    assert log["tables"]["ep_projections"]["rows_added"] == 7 and log["tables"]["oes_wages"]["figures_changed"] == 0
    assert "Added: **EP 2024-34**" in (out / "releases" / "2" / "CHANGELOG.md").read_text()
    assert snapshot(out / "releases" / "1") == first, "release 1 is never modified"
    assert release_dir(out) == out / "releases" / "2" and release_dir(out, 1) == out / "releases" / "1"
    with pytest.raises(ConfigError, match="no release 9"):
        release_dir(out, 9)


def test_a_replaced_oes_file_lists_the_changed_figures_largest_first(curated):
    settings, files, out = curated
    store = Store(settings.curated_dir)
    publish(store, out)
    occs = _oes_occupations(2022)
    medical = next(o for o in occs if o[0] == "29-2072")
    medical[15], medical[10], medical[3] = 52000, 25.00, 181000  # BLS revised both medians and employment
    revised = files / "revised" / "national_M2022_dl.xlsx"
    revised.parent.mkdir()
    revised.write_bytes(oes_2021_workbook(2022, occs))
    _run(settings, "oes", [revised])
    result = publish(store, out)
    assert result.number == 2
    log = result.changelog
    assert {"release": "OES 2022", "change": "replaced", "tables": ["oes_estimates", "oes_wages"]} in log[
        "bls_releases"
    ]
    wages = log["tables"]["oes_wages"]
    assert (wages["rows_changed"], wages["figures_changed"], wages["rows_added"]) == (2, 2, 0)
    assert wages["fields_changed"] == {"value": 2}
    changes = {(c["key"]["basis"], c["key"]["statistic"]): c for c in wages["largest_changes"]}
    assert set(changes) == {("annual", "median"), ("hourly", "median")}
    annual = changes[("annual", "median")]
    assert (annual["field"], annual["old"], annual["new"], annual["delta"]) == ("value", "48780.00", "52000.00", 3220.0)
    assert annual["pct"] == round(100 * 3220 / 48780, 2) and annual["release"] == "OES 2022"
    pcts = [c["pct"] for c in wages["largest_changes"]]
    assert pcts == sorted(pcts, reverse=True), "largest relative change first"
    estimates = log["tables"]["oes_estimates"]
    assert estimates["figures_changed"] == 1 and estimates["largest_changes"][0]["new"] == "181000"
    replaced = next(r for r in wages["releases"] if r["release"] == "OES 2022")
    assert replaced["sources"] == [sha256(revised)] and replaced["previous_sources"] == [
        sha256(files / "national_M2022_dl.xlsx")
    ]


def test_fact_cards_are_written_into_the_release_when_the_module_exists(curated, monkeypatch):
    settings, _, out = curated
    seen = {}

    def write_cards(store, folder):
        seen["store"] = store
        (folder / "cards").mkdir()
        (folder / "cards" / "29-2072.json").write_text("{}")
        return 1

    monkeypatch.setitem(sys.modules, "occstats.cards", types.SimpleNamespace(write_cards=write_cards))
    result = publish(Store(settings.curated_dir), out)
    package = json.loads((result.path / "datapackage.json").read_text())
    assert package["occstats"]["cards"] == 1 and (result.path / "cards" / "29-2072.json").is_file()
    assert "cards/29-2072.json" in {f["path"] for f in package["occstats"]["files"]}
    assert isinstance(seen["store"], Store)


def test_publish_without_curated_tables_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="no curated tables"):
        publish(Store(tmp_path / "curated"), tmp_path / "published")


def test_a_failure_half_way_leaves_no_release_behind(curated, monkeypatch):
    settings, _, out = curated

    def broken(store, folder):
        (folder / "cards").mkdir()
        (folder / "cards" / "29-2072.json").write_text("{")
        raise RuntimeError("card writer crashed")

    monkeypatch.setitem(sys.modules, "occstats.cards", types.SimpleNamespace(write_cards=broken))
    with pytest.raises(RuntimeError, match="card writer crashed"):
        publish(Store(settings.curated_dir), out)
    assert list((out / "releases").iterdir()) == [] and not (out / "latest").exists()
