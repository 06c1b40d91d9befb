"""Classifications against the real BLS files: crosswalks, declared hybrids, lineage, series."""

from __future__ import annotations

import glob
import re
from pathlib import Path

import pytest
import python_calamine
from conftest import SHARED

from occstats import query
from occstats.lineage import from_store, lineage, series
from occstats.pipeline import State, import_files, refresh
from occstats.settings import Settings
from occstats.sources.soc import layout as soc_layout
from occstats.store import Store

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def curated(tmp_path_factory, shared):
    """SOC crosswalks, every OES release in the mirror and the 1997 file, curated once."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("soc") / "data", mirror=str(shared / "bls-mirror"), http_retries=0
    )
    report = refresh(settings, "soc")
    assert {o.state for o in report.outcomes} == {State.CURATED}, report.outcomes
    years = [
        2000 + int(re.search(r"oesm(\d\d)nat\.zip$", p).group(1))
        for p in glob.glob(str(shared / "bls-mirror/www.bls.gov/oes/special-requests/oesm*nat.zip"))
    ]
    oes_report = refresh(settings, "oes", years)
    import_files(settings, "oes", [shared / "bls/oes/1997/national_1997_dl.xls"])
    ep_report = import_files(settings, "ep", sorted((shared / "bls/ep").glob("occupation_*.xlsx")))
    store = Store(settings.curated_dir)
    return store, from_store(store), [*oes_report.outcomes, *ep_report.outcomes]


def published_codes(year: int) -> set[str]:
    path = next(Path(p) for p in glob.glob(str(SHARED / f"bls/oes/{year}/national*")))
    rows = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    at = next(i for i, r in enumerate(rows) if "occ_code" in [str(c).strip().lower() for c in r])
    col = [str(c).strip().lower() for c in rows[at]].index("occ_code")
    return {str(r[col]).strip() for r in rows[at + 1 :] if str(r[col]).strip()}


def test_both_crosswalks_curated_with_bls_structure(curated):
    store, *_ = curated
    _, rows = query.run(
        store,
        "select from_system, to_system, relationship, count(*) from soc_crosswalk "
        "where mapping_source like 'BLS%' group by 1, 2, 3 order by 1, 2, 3",
    )
    counts = {(a, b, rel): n for a, b, rel, n in rows}
    assert sum(n for (a, b, _), n in counts.items() if a == "soc-2000") == 860
    assert sum(n for (a, b, _), n in counts.items() if a == "soc-2010") == 900
    assert counts[("soc-2010", "soc-2018", "split")] == 70 and counts[("soc-2000", "soc-2010", "merge")] == 12


def test_relationships_agree_with_the_marks_bls_put_in_the_titles(shared, curated):
    """BLS flags a code that splits ('*' / '(#)') and one that receives several ('**' / '(##)')."""
    store, *_ = curated
    _, pairs = query.run(
        store,
        "select from_code, to_code, relationship from soc_crosswalk "
        "where from_system = 'soc-2010' and to_system = 'soc-2018'",
    )
    computed = {(a, b): rel for a, b, rel in pairs}
    book = python_calamine.CalamineWorkbook.from_path(shared / "bls/soc/soc_2010_to_2018_crosswalk.xlsx")
    rows = book.get_sheet_by_index(0).to_python()
    at = next(i for i, r in enumerate(rows) if str(r[0]).strip() == "2010 SOC Code")
    for old, old_title, new, new_title in (r[:4] for r in rows[at + 1 :] if str(r[0]).strip()):
        splits = str(old_title).rstrip().endswith("(#)")
        receives = str(new_title).rstrip().endswith("(##)")
        expected = {
            (False, False): "one-to-one",
            (True, False): "split",
            (False, True): "merge",
            (True, True): "many-to-many",
        }[(splits, receives)]
        assert computed[(str(old).strip(), str(new).strip())] == expected, (old, new)


@pytest.mark.parametrize(
    "system,years",
    [
        ("soc-2000-2010-hybrid", (2010, 2011)),
        ("soc-2010-2018-hybrid", (2019, 2020)),
        ("soc-2018", (2021, 2022, 2023, 2024, 2025)),
    ],
)
def test_declared_codes_are_published_and_their_components_are_not(curated, system, years):
    _, cls, _ = curated
    spec = soc_layout.BY_NAME[system]
    for year in years:
        codes = published_codes(year)
        for declared in spec.declared:
            assert declared.code in codes, (year, declared.code)
            leaked = set(declared.components) & codes - {declared.code}
            assert not leaked, (year, declared.code, leaked)
            assert all(c in cls.reference[spec.reference] for c in declared.components), declared.code


def test_2017_combined_codes(curated):
    codes = published_codes(2017)
    for declared in soc_layout.BY_NAME["soc-2010"].declared:
        if "2017" in declared.note:
            assert declared.code in codes and not set(declared.components) & codes, declared.code


def test_hybrid_components_partition(curated):
    """Within one system, no reference code belongs to two declared hybrids."""
    for system in ("soc-2000-2010-hybrid", "soc-2010-2018-hybrid"):
        seen: dict[str, str] = {}
        for declared in soc_layout.BY_NAME[system].declared:
            for component in declared.components:
                assert component not in seen, (system, component, seen.get(component), declared.code)
                seen[component] = declared.code


def test_every_detailed_code_resolves_in_its_declared_system(curated):
    """Every OES release and EP cycle: the refresh reports 100%, and an independent recount agrees."""
    store, cls, outcomes = curated
    assert len(outcomes) == 20 + 12
    for outcome in outcomes:
        assert "(100%)" in outcome.detail, outcome
    _, rows = query.run(
        store,
        "select distinct 'OES ' || ref_year, soc_system, soc_code from oes_estimates where occ_level = 'detailed' "
        "union all select distinct 'EP ' || base_year, soc_system, soc_code from ep_projections "
        "where occ_type = 'line_item'",
    )
    unresolved = [(r, s, c) for r, s, c in rows if cls.members(s, c) is None]
    assert unresolved == []
    assert {s for _, s, _ in rows} == set(soc_layout.SYSTEM_ORDER), "every system is used by some release"
    assert len({r for r, _, _ in rows if r.startswith("EP ")}) == 12


def test_lineage_of_medical_records_technicians(curated):
    _, cls, _ = curated
    steps = lineage(cls, "29-2071")
    chain = [(s["system"], s["code"], [(f["from_code"], f["relationship"]) for f in s["from"]]) for s in steps]
    assert chain == [
        ("soc-2000", "29-2071", []),
        ("soc-2000-2010-hybrid", "29-2071", [("29-2071", "one-to-one")]),
        ("soc-2010", "29-2071", [("29-2071", "one-to-one")]),
        # BLS's 2019 structure: 29-2098 was built from 2010's 29-2071 (among others); 29-9098 from
        # 29-9099 only, so 29-9021 is reached from 29-2071 through the BLS crosswalk
        ("soc-2010-2018-hybrid", "29-2098", [("29-2071", "merge")]),
        ("soc-2018", "29-2072", [("29-2098", "split")]),
        ("soc-2018", "29-9021", [("29-2071", "many-to-many")]),
    ]
    sources = {(s["code"], f["from_code"]): f["source"] for s in steps for f in s["from"]}
    assert sources[("29-2098", "29-2071")] == "oes_2019_hybrid_structure.xlsx"
    assert sources[("29-2072", "29-2098")] == "oes_2019_hybrid_structure.xlsx"
    assert sources[("29-9021", "29-2071")] == "soc_2010_to_2018_crosswalk.xlsx"
    hybrid = next(s for s in steps if s["code"] == "29-2098")
    assert hybrid["releases"].startswith("OES May 2019-2020")


def test_series_from_2004_names_code_and_system_and_flags_comparability(curated):
    store, cls, _ = curated
    every = series(store, cls, "29-2071", "annual_median", first=2004)
    gaps = [r["ref_year"] for r in every if r["soc_system"] is None]
    assert gaps == [2006, 2009] and all("no OES release" in r["note"] for r in every if r["soc_system"] is None)
    rows = [r for r in every if r["soc_system"] is not None]
    years = [r["ref_year"] for r in rows]
    _, curated_years = query.run(store, "select distinct ref_year from oes_estimates where ref_year >= 2004 order by 1")
    assert years == [y for (y,) in curated_years] and len(years) == 20
    for r in rows:
        assert r["soc_code"] and r["soc_system"]
        assert r["comparable"] == (r["ref_year"] <= 2018), r
    first = rows[0]
    assert (first["soc_code"], first["soc_system"], int(first["value"])) == ("29-2071", "soc-2000", 25590)
    hybrid = next(r for r in rows if r["ref_year"] == 2019)
    # BLS's 2019 structure built 29-2098 from 29-2071 (and others), 29-9098 not from it: one code, not comparable
    assert (hybrid["soc_code"], int(hybrid["value"]), hybrid["relationship"]) == ("29-2098", 42630, "merge")


def test_summed_employment_only_where_the_parts_are_exactly_the_old_definition(curated):
    store, cls, _ = curated
    rn = {r["ref_year"]: r for r in series(store, cls, "29-1111", "employment", system="soc-2000")}
    # 2000's registered nurses became four SOC 2010 codes, all published from 2012 and nothing else
    # feeding them: their sum is offered, labelled; the 2010 hybrid kept the old code itself.
    assert rn[2010]["comparable"] and rn[2010]["soc_code"] == "29-1111"
    assert rn[2013]["summed_value"] is not None and "together exactly 29-1111" in rn[2013]["summed_label"]
    records = {r["ref_year"]: r for r in series(store, cls, "29-2071", "employment")}
    assert records[2021]["summed_value"] is None, "29-9021 also takes part of 29-9099: no honest sum"


def test_bls_structures_against_the_previous_inference(curated):
    """Every place BLS's published structure and the old inference (declared components, and the
    other side inferred through the crosswalks) disagree, read independently from the workbooks."""
    _, cls, _ = curated
    declared_diff = {}
    for system in ("soc-2000-2010-hybrid", "soc-2010-2018-hybrid"):
        spec = soc_layout.BY_NAME[system]
        for d in spec.declared:
            bls = cls.sides(system, d.code).get(spec.reference)
            if bls != frozenset(d.components):
                declared_diff[d.code] = sorted(bls or ())
    # may_2010_occs.xls rows 608-609: solar photovoltaic installers went into 47-4799
    assert declared_diff == {"47-4799": ["47-2231", "47-4099"]}
    side_diff = {}
    for system, other in (("soc-2000-2010-hybrid", "soc-2000"), ("soc-2010-2018-hybrid", "soc-2010")):
        ref = soc_layout.BY_NAME[system].reference
        for code in cls.structure[system]:
            sides = cls.sides(system, code)
            if ref in sides and cls.translate(sides[ref], ref, other) != sides.get(other, frozenset()):
                side_diff[(system, code)] = sorted(sides.get(other, ()))
    assert side_diff[("soc-2010-2018-hybrid", "29-9098")] == ["29-9099"]  # structure rows 395-397
    assert side_diff[("soc-2000-2010-hybrid", "47-4799")] == ["47-4099"]  # carpenters etc. kept apart
    assert len(side_diff) == 21, sorted(side_diff)
    # BLS lists two components no SOC code stands for: 2000's 21-1098 and 2010's 41-3098
    assert cls.unresolved_components() == [
        ("soc-2000-2010-hybrid", "21-1798", "soc-2000", "21-1098"),
        ("soc-2000-2010-hybrid", "41-3099", "soc-2010", "41-3098"),
    ]


COMBINED_ONLY = [
    "21-1011",
    "21-1014",
    "25-2055",
    "25-2056",
    "25-9042",
    "25-9043",
    "25-9049",
    "51-2022",
    "51-2023",
    "53-1042",
    "53-1043",
    "53-1044",
    "53-1049",
]


def test_every_soc_2018_code_including_those_published_only_combined(curated):
    store, cls, _ = curated
    _, rows = query.run(store, "select soc_code from soc_codes where soc_system = 'soc-2018'")
    held = {c for (c,) in rows}
    book = python_calamine.CalamineWorkbook.from_path(SHARED / "bls/soc/soc_2010_to_2018_crosswalk.xlsx")
    sheet = book.get_sheet_by_index(0).to_python()
    at = next(i for i, r in enumerate(sheet) if str(r[0]).strip() == "2010 SOC Code")
    assert {str(r[2]).strip() for r in sheet[at + 1 :] if str(r[2]).strip()} <= held
    published = published_codes(2025)
    for code in COMBINED_ONLY:
        assert code in held and code not in published, code
        steps = lineage(cls, code, "soc-2018")
        assert any(s["anchor"] for s in steps)
        row = series(store, cls, code, "employment", first=2025)[0]
        assert row["value"] is not None and "published only combined" in row["note"], row
        assert row["soc_code"] in published


def test_totals_are_the_published_figures_and_gaps_are_rows(curated):
    store, cls, _ = curated
    rows = {r["ref_year"]: r for r in series(store, cls, "00-0000", "employment")}
    for year in range(1998, 2004):
        assert rows[year]["value"] is None and "no OES release" in rows[year]["note"]
    assert "no OES release" in rows[2006]["note"] and "no OES release" in rows[2009]["note"]
    _, published = query.run(
        store, "select ref_year, employment from oes_estimates where soc_code = '00-0000' and dataset = 'oes_national'"
    )
    for year, value in published:
        assert rows[year]["value"] == value and rows[year]["soc_code"] == "00-0000", year
    group = {r["ref_year"]: r for r in series(store, cls, "29-0000", "employment", first=2004)}
    assert group[2025]["comparable"] and not group[2004]["comparable"] and group[2004]["value"] is not None
