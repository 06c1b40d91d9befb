"""Importing Employment Projections workbooks end to end: what lands, what is written, what is kept."""

from __future__ import annotations

import pytest
from ep_builders import CHANGE, TARGET, WAGE, Sheet, edited, named_rows, named_workbook, workbook_bytes

from occstats.pipeline import State, refresh
from occstats.pipeline import import_files as import_product
from occstats.store import Store


def write(tmp_path, folder, data, name="occupation.xlsx"):
    path = tmp_path / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def import_files(settings, *paths):
    return import_product(settings, "ep", paths)


def test_a_revised_file_for_a_cycle_already_held_lands_beside_it_and_writes_a_version(settings, tmp_path):
    first = import_files(settings, write(tmp_path, "a", named_workbook(2024, 2034)))
    assert [o.state for o in first.outcomes] == [State.CURATED] and first.outcomes[0].release == "2024-2034"
    store = Store(settings.curated_dir)
    assert store.version("ep_projections") == 0

    revised = write(tmp_path, "b", named_workbook(2024, 2034, edited("29-2071", {WAGE: 33120.0})))
    second = import_files(settings, revised)
    assert [o.state for o in second.outcomes] == [State.CURATED]
    assert len(list((settings.raw_dir / "ep" / "2024-2034").iterdir())) == 2, "landed beside the old one"
    assert store.version("ep_projections") == 1

    def wage(version=None):
        rows = store.read("ep_projections", version=version).to_pylist()
        return next(int(r["median_wage_annual"]) for r in rows if r["soc_code"] == "29-2071")

    assert (wage(0), wage()) == (32350, 33120)
    again = import_files(settings, revised)
    assert [o.state for o in again.outcomes] == [State.UNCHANGED] and store.version("ep_projections") == 1


BAD = {
    "cycle cannot be read": (
        lambda: workbook_bytes({"Table 1.2": Sheet(named_rows(2024, 2034, title="Table 1.2 Occupations"))}),
        "cycle",
    ),
    "Table 1.2 missing a required column": (
        lambda: workbook_bytes(
            {"Table 1.2": Sheet([["Row kind" if c == "Occupation type" else c for c in row] for row in named_rows()])}
        ),
        "occ_type",
    ),
    "numbers do not add up": (
        lambda: named_workbook(2024, 2034, edited("29-2071", {TARGET: 208.6, CHANGE: 35.1})),
        "base + change differing from target",
    ),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_workbook_writes_nothing_and_names_file_sheet_and_problem(settings, tmp_path, kind):
    import_files(settings, write(tmp_path, "good", named_workbook(2024, 2034)))
    store = Store(settings.curated_dir)
    before = store.read("ep_projections").sort_by([("soc_code", "ascending")])

    make, problem = BAD[kind]
    bad = write(tmp_path, "bad", make(), name="occupation_revised.xlsx")
    report = import_files(settings, bad)
    outcome = report.outcomes[0]
    assert outcome.state is State.FAILED and report.exit_code == 1
    assert "occupation_revised.xlsx" in outcome.detail and problem in outcome.detail, outcome.detail
    if kind != "numbers do not add up":
        assert "Table 1.2" in outcome.detail, "the sheet is named"
    assert store.version("ep_projections") == 0
    assert store.read("ep_projections").sort_by([("soc_code", "ascending")]).equals(before)
    kept = list(settings.raw_dir.rglob("occupation_revised.xlsx"))
    assert len(kept) == 1 and kept[0].read_bytes() == bad.read_bytes(), "the raw copy stays for inspection"


def test_current_cycle_already_imported_is_downloaded_once_then_not_again(settings, tmp_path):
    """BLS's occupation.xlsx equals a cycle imported earlier: one download to learn that, then 304s."""
    import dataclasses

    data = named_workbook(2024, 2034)
    import_files(settings, write(tmp_path, "kept", data))
    mirror = tmp_path / "mirror"
    write(mirror, "www.bls.gov/emp/ind-occ-matrix", data)
    settings = dataclasses.replace(settings, mirror=str(mirror))
    details = []
    for _ in range(2):
        report = refresh(settings, "ep")
        assert [(o.release, o.state) for o in report.outcomes] == [("2024-2034", State.UNCHANGED)]
        details.append(report.outcomes[0].detail)
    assert details[0].startswith("downloaded") and details[1].startswith("not modified (304)")
    assert len(list((settings.raw_dir / "ep" / "2024-2034").iterdir())) == 1, "the same bytes never land twice"
