"""acquire -> prepare -> publish on a generated mirror, without Prefect (the flows run the same steps)."""

from __future__ import annotations

import dataclasses

import pytest
from builders import OCCUPATIONS, oes_2021_rows, oes_2021_workbook, oes_zip, put_release, workbook_bytes, zip_bytes

from occstats.pipeline import State, import_files
from occstats.pipeline import refresh as refresh_product
from occstats.raw import RawStore
from occstats.store import Store


def refresh(settings, years):
    return refresh_product(settings, "oes", years)


@pytest.fixture
def mirrored(settings, tmp_path):
    mirror = tmp_path / "mirror"
    put_release(mirror, 2021, oes_zip(2021))
    put_release(mirror, 2022, oes_zip(2022))
    return dataclasses.replace(settings, mirror=str(mirror)), mirror


def states(report):
    return {o.release: o.state for o in report.outcomes}


def versions(settings):
    store = Store(settings.curated_dir)
    return {name: store.version(name) for name in ("oes_estimates", "oes_wages")}


def test_refresh_then_rerun_changes_nothing(mirrored):
    settings, _ = mirrored
    first = refresh(settings, [2021, 2022, 2023])
    assert states(first) == {"2021": State.CURATED, "2022": State.CURATED, "2023": State.UNAVAILABLE}
    assert first.exit_code == 3
    assert first.versions == {"oes_estimates": 0, "oes_wages": 0, "soc_codes": 0}, "soc_codes is derived from them"
    landed = sorted(p for p in settings.raw_dir.rglob("*.zip"))

    second = refresh(settings, [2021, 2022])
    assert states(second) == {"2021": State.UNCHANGED, "2022": State.UNCHANGED}
    assert "not modified (304)" in second.outcomes[0].detail
    assert second.versions == {} and versions(settings) == {"oes_estimates": 0, "oes_wages": 0}
    assert sorted(p for p in settings.raw_dir.rglob("*.zip")) == landed, "nothing new landed"


def test_file_replaced_in_place_lands_beside_the_old_one_and_writes_a_version(mirrored):
    settings, mirror = mirrored
    refresh(settings, [2021])
    revised = [list(o) for o in OCCUPATIONS]
    revised[5][3] = 180600  # BLS revised an employment figure
    put_release(mirror, 2021, oes_zip(2021, oes_2021_workbook(2021, revised)))
    report = refresh(settings, [2021])
    assert states(report) == {"2021": State.CURATED}
    assert len(list((settings.raw_dir / "oes" / "2021").iterdir())) == 2
    assert versions(settings) == {"oes_estimates": 1, "oes_wages": 0}, "wages did not change: no new version"
    emp = Store(settings.curated_dir).read("oes_estimates").to_pylist()
    assert {r["employment"] for r in emp if r["soc_code"] == "29-2072"} == {180600}


def test_resaved_file_with_the_same_figures_writes_no_version(mirrored):
    settings, mirror = mirrored
    refresh(settings, [2021])
    put_release(mirror, 2021, oes_zip(2021, folder=False))  # different bytes, same figures
    report = refresh(settings, [2021])
    assert states(report) == {"2021": State.UNCHANGED}
    assert "same figures" in report.outcomes[0].detail
    assert versions(settings) == {"oes_estimates": 0, "oes_wages": 0}


BAD_INPUTS = {
    "html page": (b"<!DOCTYPE html><html><title>Service Unavailable</title></html>", "HTML page"),
    "truncated zip": (oes_zip(2021)[:3000], "truncated or corrupt"),
    "missing column": (None, "missing required column 'tot_emp'"),
    "non-numeric cell": (None, "'lots'"),
    "duplicate rows": (None, "share a key"),
}


def bad_file(kind):
    data, message = BAD_INPUTS[kind]
    occupations = [list(o) for o in OCCUPATIONS]
    if kind == "missing column":
        rows = oes_2021_rows(2021)
        rows[0] = ["EMPLOYMENT" if h == "TOT_EMP" else h for h in rows[0]]
        workbook = workbook_bytes({"national_M2021_dl": rows})
        data = oes_zip(2021, workbook)
    elif kind == "non-numeric cell":
        occupations[3][3] = "lots"
        data = oes_zip(2021, oes_2021_workbook(2021, occupations))
    elif kind == "duplicate rows":
        data = oes_zip(2021, oes_2021_workbook(2021, [*occupations, occupations[1]]))
    return data, message


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_bad_upstream_file_fails_alone_and_leaves_the_last_good_version(mirrored, kind):
    settings, mirror = mirrored
    refresh(settings, [2021, 2022])
    store = Store(settings.curated_dir)
    before = store.read("oes_wages").sort_by([("ref_year", "ascending"), ("soc_code", "ascending")])

    data, message = bad_file(kind)
    put_release(mirror, 2021, data)
    put_release(mirror, 2022, oes_zip(2022, folder=False))  # a good change in the same run still lands
    report = refresh(settings, [2021, 2022])

    failed = report.outcomes[[o.release for o in report.outcomes].index("2021")]
    assert failed.state is State.FAILED and message in failed.detail
    assert "oesm21nat.zip" in failed.detail, "the error names the file"
    assert report.exit_code == 1
    after = store.read("oes_wages").sort_by([("ref_year", "ascending"), ("soc_code", "ascending")])
    assert after.equals(before), "the last good 2021 rows are intact"
    landed = sorted((settings.raw_dir / "oes" / "2021").rglob("oesm21nat.zip"))
    assert len(landed) == 2 and landed[-1].read_bytes() == data, "the bad file is kept for inspection"


def test_a_release_with_an_unexpected_year_fails_with_both_years_named(mirrored):
    settings, mirror = mirrored
    put_release(mirror, 2023, oes_zip(2021))  # BLS (or a proxy) served the wrong file
    report = refresh(settings, [2023])
    assert report.outcomes[0].state is State.FAILED
    assert "is the 2021 release" in report.outcomes[0].detail and "not 2023" in report.outcomes[0].detail


def test_import_lands_with_provenance_and_twice_changes_nothing(settings, tmp_path):
    source = tmp_path / "national_M2021_dl.xlsx"
    source.write_bytes(oes_2021_workbook(2021))
    report = import_files(settings, "oes", [source])
    assert states(report) == {"2021": State.CURATED}
    manifest = RawStore(settings.raw_dir).latest("oes", "2021").manifest
    assert manifest["origin"] == "import" and manifest["imported_from"] == str(source)

    report = import_files(settings, "oes", [source])
    assert states(report) == {"2021": State.UNCHANGED}
    assert versions(settings) == {"oes_estimates": 0, "oes_wages": 0}


def test_import_of_a_file_that_cannot_say_its_year_asks_for_one(settings, tmp_path):
    source = tmp_path / "wages.zip"
    no_year = workbook_bytes({"data": oes_2021_rows(2021)})  # no title, no field descriptions, no year in names
    source.write_bytes(zip_bytes({"national_dl.xlsx": no_year}))
    outcome = import_files(settings, "oes", [source]).outcomes[0]
    assert outcome.state is State.FAILED and "--year" in outcome.detail
    assert "_unidentified" in outcome.raw_path


def test_a_failure_does_not_stick_after_a_rejected_import(mirrored, tmp_path):
    """Issue 12.1: a rejected import is the newest landing of 2021; upstream's 304 must not send the refresh to it."""
    settings, _ = mirrored
    assert states(refresh(settings, [2021])) == {"2021": State.CURATED}
    occupations = [list(o) for o in OCCUPATIONS]
    occupations[3][3] = "lots"  # not a number: the import is rejected
    bad = tmp_path / "oesm21nat.zip"
    bad.write_bytes(oes_zip(2021, oes_2021_workbook(2021, occupations)))
    assert states(import_files(settings, "oes", [bad])) == {"2021": State.FAILED}

    again = refresh(settings, [2021])  # upstream answers 304: the landing it served is the one held, not the import
    assert states(again) == {"2021": State.UNCHANGED}, again.outcomes[0].detail
    assert "not modified (304)" in again.outcomes[0].detail


def test_a_failure_does_not_stick_a_cut_short_download(mirrored):
    """A landing that failed is not what the URL is remembered by: once upstream is fine, the release is curated."""
    settings, mirror = mirrored
    put_release(mirror, 2021, oes_zip(2021)[:3000])  # cut short
    assert states(refresh(settings, [2021])) == {"2021": State.FAILED}
    put_release(mirror, 2021, oes_zip(2021))  # upstream is fine again
    again = refresh(settings, [2021])
    assert states(again) == {"2021": State.CURATED}, again.outcomes[0].detail


def test_releases_past_the_publish_budget_are_published_in_batches_with_the_same_tables(mirrored, tmp_path):
    """Parsed releases are held until published: past `publish_batch_mb` of landed files a run publishes what
    it holds and goes on. Each batch is a commit per table; the tables end as one publish leaves them."""
    from occstats.pipeline import publish_batches

    settings, _ = mirrored
    one_batch = refresh(settings, [2021, 2022])
    assert Store(settings.curated_dir).version("oes_estimates") == 0  # both releases in one commit

    apart = dataclasses.replace(settings, data_dir=tmp_path / "apart", publish_batch_mb=0.001)  # 1 kB: each alone
    report = refresh(apart, [2021, 2022])
    assert states(report) == states(one_batch) == {"2021": State.CURATED, "2022": State.CURATED}
    store, whole = Store(apart.curated_dir), Store(settings.curated_dir)
    assert [h["releases"] for h in store.history("oes_estimates")] == [
        [{"dataset": "oes_national", "ref_year": 2021}],
        [{"dataset": "oes_national", "ref_year": 2022}],
    ]
    for name in ("oes_estimates", "oes_wages"):
        columns = [c for c in store.read(name).column_names if c not in ("source_sha256",)]
        key = [(c, "ascending") for c in columns if c in ("ref_year", "soc_code", "basis", "statistic")]
        assert store.read(name).select(columns).sort_by(key).equals(whole.read(name).select(columns).sort_by(key))
    assert refresh(apart, [2021, 2022]).versions == {}  # a rerun still changes nothing

    class Landed:  # publish_batches reads the landed size from the manifest, nothing else
        def __init__(self, size):
            self.landing = type("L", (), {"manifest": {"size": size}})()

    sizes = [Landed(s) for s in (10, 10, 25, 40, 5, 5)]
    assert [[a.landing.manifest["size"] for a in b] for b in publish_batches(sizes, 30)] == [
        [10, 10],
        [25],
        [40],  # larger than the budget: alone
        [5, 5],
    ]
    assert publish_batches([], 30) == []
