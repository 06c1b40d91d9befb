"""The OEWS time series through the pipeline: a data file and its code lists landed together, on a generated release.

What is checked: every file of a release lands (immutable, manifest with sha256, companions named as such),
the parser reads the landed code lists, a rerun is a no-op, a missing file is an error naming it, and a
data directory written in the tables' older schema takes the new rows with its old rows untouched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import ts_builders as tb
from deltalake import write_deltalake

from occstats import schema
from occstats.errors import ConfigError
from occstats.pipeline import State, import_files
from occstats.pipeline import refresh as refresh_product
from occstats.raw import RawStore
from occstats.sources.oes_timeseries import layout
from occstats.store import Store

PRODUCT = "oes_timeseries"
OE = Path("download.bls.gov/pub/time.series/oe")
CODE_LISTS = sorted(layout.LOOKUP_FILES.values())


def states(report) -> dict[str, State]:
    return {o.release: o.state for o in report.outcomes}


def manifests(settings) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((settings.raw_dir / PRODUCT).rglob("manifest.json"))]


@pytest.fixture
def mirrored(settings, tmp_path):
    mirror = tmp_path / "mirror"
    tb.standard().write(mirror / OE)
    return dataclasses.replace(settings, mirror=str(mirror)), mirror


def national_nurses(settings) -> dict:
    store = Store(settings.curated_dir)
    where = (
        (pc.field("dataset") == "oes_timeseries")
        & (pc.field("area_code") == "0000000")
        & (pc.field("naics_code") == "000000")
        & (pc.field("soc_code") == "29-1141")
    )
    [row] = store.read("oes_estimates", where=where).to_pylist()
    return row


def test_refresh_lands_the_data_file_and_each_code_list_then_a_rerun_is_a_no_op(mirrored):
    settings, mirror = mirrored
    first = refresh_product(settings, PRODUCT)
    assert states(first) == {"2025": State.CURATED}, first.outcomes[0].detail
    assert first.outcomes[0].rows == {"oes_estimates": 8, "oes_wages": 96, "oes_areas": 4, "oes_industries": 4}
    assert national_nurses(settings)["employment"] == 3282010  # ts_builders.NURSES' figure

    landed = manifests(settings)
    assert sorted(m["file"] for m in landed) == sorted(["oe.data.0.Current", *CODE_LISTS])
    for m in landed:  # each file its own landing, its bytes as the mirror served them
        assert m["release_id"] == "2025"
        assert m["sha256"] == hashlib.sha256((mirror / OE / m["file"]).read_bytes()).hexdigest()
        assert m["url"] == f"https://{OE}/{m['file']}"
        assert m.get("companion_of") == (None if m["file"] == "oe.data.0.Current" else "oe.data.0.Current")
    raw = RawStore(settings.raw_dir)
    assert raw.latest(PRODUCT, "2025").file_name == "oe.data.0.Current", "the release's own file, not a code list"
    versions = {t: Store(settings.curated_dir).version(t) for t in first.outcomes[0].rows}

    second = refresh_product(settings, PRODUCT)
    assert states(second) == {"2025": State.UNCHANGED}
    assert "not modified (304)" in second.outcomes[0].detail
    assert "already curated from this file" in second.outcomes[0].detail, "not parsed again"
    assert second.versions == {}
    assert manifests(settings) == landed, "nothing new landed"
    assert {t: Store(settings.curated_dir).version(t) for t in versions} == versions


def test_a_changed_code_list_alone_lands_beside_the_old_one_and_is_curated(mirrored):
    settings, mirror = mirrored
    refresh_product(settings, PRODUCT)
    area = mirror / OE / "oe.area"
    area.write_bytes(area.read_bytes().replace(b"\tCalifornia", b"\tState of California"))
    report = refresh_product(settings, PRODUCT)
    assert states(report) == {"2025": State.CURATED}, report.outcomes[0].detail
    names = [m["file"] for m in manifests(settings)]
    assert names.count("oe.area") == 2 and names.count("oe.data.0.Current") == 1
    areas = Store(settings.curated_dir).read("oes_areas", where=pc.field("area_code") == "0600000").to_pylist()
    assert [a["area_title"] for a in areas] == ["State of California"]


def test_a_code_list_the_mirror_lacks_fails_the_release_naming_it(mirrored):
    settings, mirror = mirrored
    (mirror / OE / "oe.footnote").unlink()
    report = refresh_product(settings, PRODUCT)
    assert states(report) == {"current": State.FAILED} and report.exit_code == 1
    assert report.outcomes[0].detail.startswith("oe.footnote: oe.data.0.Current needs it beside it")
    assert not Store(settings.curated_dir).exists("oes_estimates")


def test_a_mirror_without_the_data_file_reports_the_release_unavailable(mirrored):
    settings, mirror = mirrored
    (mirror / OE / "oe.data.0.Current").unlink()
    report = refresh_product(settings, PRODUCT)
    assert states(report) == {"current": State.UNAVAILABLE} and report.exit_code == 3
    assert "oe.data.0.Current" in report.outcomes[0].detail


def test_import_takes_the_code_lists_from_beside_the_data_file(settings, tmp_path):
    folder = tmp_path / "oe"
    data = tb.standard().write(folder)
    first = import_files(settings, PRODUCT, [data])
    assert states(first) == {"2025": State.CURATED}, first.outcomes[0].detail
    assert sorted(m["file"] for m in manifests(settings)) == sorted(["oe.data.0.Current", *CODE_LISTS])
    assert all(m["imported_from"] == str(folder / m["file"]) for m in manifests(settings))
    # The whole folder (as `occstats import oes_timeseries DIR` passes it): the same release, nothing new.
    landed = manifests(settings)
    again = import_files(settings, PRODUCT, sorted(folder.iterdir()))
    assert states(again) == {"2025": State.UNCHANGED} and "already imported" in again.outcomes[0].detail
    assert "already curated from this file" in again.outcomes[0].detail
    assert manifests(settings) == landed, "each file compared with its own latest landing: nothing new"
    with pytest.raises(ConfigError, match="import the release's data file"):
        import_files(settings, PRODUCT, [folder / "oe.area"])


def test_import_without_a_code_list_beside_it_names_the_file(settings, tmp_path):
    data = tb.standard().write(tmp_path / "oe")
    (tmp_path / "oe" / "oe.datatype").unlink()
    report = import_files(settings, PRODUCT, [data])
    assert states(report) == {"oe.data.0.Current": State.FAILED}
    assert "oe.data.0.Current: needs oe.datatype beside it" in report.outcomes[0].detail
    assert not Store(settings.curated_dir).exists("oes_estimates")


# -- a data directory written before the tables gained columns ----------------------------------
def _old_schema(tbl: schema.Table) -> pa.Schema:
    """The table as occstats wrote it before the time series: without the columns it added."""
    added = {
        "area_title",
        "naics_title",
        "naics_level",
        "jobs_per_1000",
        "jobs_per_1000_status",
        "location_quotient",
        "location_quotient_status",
        "pct_of_industry_employment",
        "pct_of_industry_employment_status",
        "pct_establishments_reporting",
        "pct_establishments_reporting_status",
    }
    return pa.schema([f for f in tbl.arrow_schema() if f.name not in added])


def _old_national_rows(tbl: schema.Table) -> pa.Table:
    """One national release (May 2024, two occupations) in the old schema, figures known independently."""
    base = {
        "dataset": "oes_national",
        "ref_year": 2024,
        "area_type": "national",
        "area_code": "99",
        "naics_code": "000000",
        "ownership_code": "1235",
        "ref_month": 5,
        "soc_system": "soc-2018",
        "occ_level": "detailed",
        "source_sha256": "b" * 64,
        "source_file": "national_M2024_dl.xlsx",
    }
    if tbl.name == "oes_estimates":
        rows = [
            {
                **base,
                "soc_code": code,
                "occ_title": title,
                "occ_group_published": "detailed",
                "employment": employment,
                "employment_status": "estimate",
                "employment_marker": None,
                "employment_rse_pct": Decimal("0.5"),
                "employment_rse_status": "estimate",
                "wage_mean_rse_pct": Decimal("0.3"),
                "wage_mean_rse_status": "estimate",
                "annual_only": False,
                "hourly_only": False,
            }
            for code, title, employment in (("29-1141", "Registered Nurses", 3282010), ("29-2072", "X", 201780))
        ]
    else:
        rows = [
            {**base, "soc_code": "29-1141", "basis": "annual", "statistic": "median", "value": Decimal("93600")}
            | {"status": "estimate", "marker": None, "bound": None, "bound_comparison": None, "bound_source": None}
        ]
    old = _old_schema(tbl)
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in old} for r in rows], schema=old)


def test_an_old_schema_data_dir_takes_the_time_series_and_keeps_its_national_rows(settings, tmp_path):
    store = Store(settings.curated_dir)
    before = {}
    for tbl in (schema.OES_ESTIMATES, schema.OES_WAGES):
        old = _old_national_rows(tbl)
        write_deltalake(str(store.path(tbl.name)), old, partition_by=list(tbl.partition_by), name=tbl.name)
        before[tbl.name] = old.to_pylist()
    # oes_estimates gained columns; oes_wages kept its own (it gained only a dataset value).
    assert store.missing_columns(schema.OES_ESTIMATES), "the table really is in the old schema"
    assert store.missing_columns(schema.OES_WAGES) == []
    # The old release parsed again by today's code (its new columns null) is the same content: no commit.
    assert _rewrite_old_release(store) == (None, [])

    report = import_files(settings, PRODUCT, [tb.standard().write(tmp_path / "oe")])
    assert states(report) == {"2025": State.CURATED}, report.outcomes[0].detail

    for tbl in (schema.OES_ESTIMATES, schema.OES_WAGES):
        assert store.missing_columns(tbl) == [], "the schema gained the declared columns"
        added_by_commit = store.history(tbl.name)[-1].get("schema_added_columns")
        assert bool(added_by_commit) == (tbl.name == "oes_estimates"), "the commit that merged the schema says so"
        national = store.read(tbl.name, where=pc.field("dataset") == "oes_national")
        old_names = _old_schema(tbl).names
        kept = sorted(national.select(old_names).to_pylist(), key=lambda r: r["soc_code"])
        assert kept == sorted(before[tbl.name], key=lambda r: r["soc_code"]), "old rows keep every value"
        added = [n for n in tbl.names if n not in old_names]
        assert all(national.column(n).null_count == national.num_rows for n in added)
        ts = store.read(tbl.name, where=pc.field("dataset") == "oes_timeseries")
        assert ts.num_rows == (8 if tbl.name == "oes_estimates" else 96)
    assert national_nurses(settings)["jobs_per_1000"] == Decimal("21.107")

    version = store.version("oes_estimates")
    assert _rewrite_old_release(store) == (None, []) and store.version("oes_estimates") == version


def _rewrite_old_release(store: Store):
    old = _old_national_rows(schema.OES_ESTIMATES)
    full = schema.OES_ESTIMATES.arrow_schema()
    rows = [{f.name: r.get(f.name) for f in full} for r in old.to_pylist()]
    return store.write(schema.OES_ESTIMATES, [pa.Table.from_pylist(rows, schema=full)], {})
