"""SOC crosswalk parsing and the relationship rules, on generated files and hand-made sets."""

from __future__ import annotations

import pytest
from builders import workbook_bytes

from occstats.classification import Classification, group_prefix, parent_candidates, set_relationship
from occstats.errors import SourceError
from occstats.sources.soc.parser import SocSource, relationship


def crosswalk_file(tmp_path, rows, header=("2010 SOC Code", "2010 SOC Title", "2018 SOC Code", "2018 SOC Title")):
    data = workbook_bytes(
        {"Sorted by 2010": [["U.S. Bureau of Labor Statistics"], ["November 2017"], [], list(header), *rows]}
    )
    path = tmp_path / "xwalk.xlsx"
    path.write_bytes(data)
    return path


ROWS = [
    ["11-1011", "Chief Executives", "11-1011", "Chief Executives"],
    ["29-2071", "Medical Records and Health Information Technicians (#)", "29-2072", "Medical Records Specialists"],
    ["29-2071", "Medical Records and Health Information Technicians (#)", "29-9021", "Health Information (##)"],
    ["29-9099", "Healthcare Practitioners, All Other (#)", "29-9021", "Health Information (##)"],
    ["29-9099", "Healthcare Practitioners, All Other (#)", "29-9099", "Healthcare Practitioners, All Other"],
    ["35-3021", "Combined Food Preparation", "35-3023", "Fast Food and Counter Workers (##)"],
    ["35-3022", "Counter Attendants", "35-3023", "Fast Food and Counter Workers (##)"],
    [" 47-2111 ", "Electricians*  ", "47-2111", "Electricians"],
]


def test_crosswalk_parsed_with_bls_relationships_and_clean_titles(tmp_path):
    path = crosswalk_file(tmp_path, ROWS)
    source = SocSource()
    assert source.identify(path, display_name=path.name) == "2010-to-2018"
    parsed = source.parse(path, sha256="a" * 64, display_name=path.name, release_id="2010-to-2018")
    rows = {(r["from_code"], r["to_code"]): r for r in parsed.tables["soc_crosswalk"].to_pylist()}
    assert rows[("11-1011", "11-1011")]["relationship"] == "one-to-one"
    assert rows[("29-2071", "29-2072")]["relationship"] == "split"
    assert rows[("29-2071", "29-9021")]["relationship"] == "many-to-many"
    assert rows[("35-3021", "35-3023")]["relationship"] == "merge"
    assert rows[("29-2071", "29-2072")]["from_title"] == "Medical Records and Health Information Technicians"
    assert rows[("47-2111", "47-2111")]["from_title"] == "Electricians", "padding and '*' removed"
    assert {r["from_system"] for r in rows.values()} == {"soc-2010"}


def test_a_file_that_is_not_a_crosswalk(tmp_path):
    path = crosswalk_file(tmp_path, ROWS, header=("code", "title", "new code", "new title"))
    with pytest.raises(SourceError, match="not a SOC crosswalk"):
        SocSource().identify(path, display_name=path.name)
    path = crosswalk_file(tmp_path, [["29-207", "x", "29-2072", "y"]])
    with pytest.raises(SourceError, match="'29-207' is not a SOC code"):
        SocSource().parse(path, sha256="a" * 64, display_name=path.name, release_id="2010-to-2018")


def test_relationship_from_counts():
    assert [relationship(1, 1), relationship(2, 1), relationship(1, 3), relationship(2, 2)] == [
        "one-to-one",
        "split",
        "merge",
        "many-to-many",
    ]


def test_set_relationships_need_both_directions():
    a = frozenset({"x"})
    assert set_relationship(a, frozenset({"y"}), frozenset({"y"}), frozenset({"x"})) == "one-to-one"
    # x became y and z; y comes only from x: y is a split part of x
    assert set_relationship(a, frozenset({"y"}), frozenset({"y", "z"}), frozenset({"x"})) == "split"
    # y also takes part of w: many-to-many, not a clean split
    assert set_relationship(a, frozenset({"y"}), frozenset({"y", "z"}), frozenset({"x", "w"})) == "many-to-many"
    assert set_relationship(a, frozenset({"y"}), frozenset({"y"}), frozenset({"x", "w"})) == "merge"
    assert set_relationship(a, frozenset({"q"}), frozenset({"y"}), frozenset()) is None


def test_codes_and_groups():
    assert [group_prefix(c) for c in ("29-0000", "25-1000", "29-1060", "29-2071", "11-1300")] == [
        "29-",
        "25-1",
        "29-106",
        None,
        None,
    ]
    assert parent_candidates("29-2071") == ["29-2070", "29-2000", "29-0000"]
    assert parent_candidates("13002") == ["13000", "10000"]


def test_hybrid_codes_relate_through_their_declared_components():
    pairs = [
        {
            "from_system": "soc-2010",
            "from_code": a,
            "from_title": "",
            "to_system": "soc-2018",
            "to_code": b,
            "to_title": "",
            "source_file": "x",
        }
        for a, b in [
            ("29-2071", "29-2072"),
            ("29-2071", "29-9021"),
            ("29-9099", "29-9021"),
            ("29-9099", "29-9099"),
            ("29-2099", "29-2099"),
            ("29-2099", "29-2036"),
            ("29-9099", "29-9093"),
            ("11-1011", "11-1011"),
        ]
    ]
    cls = Classification(pairs)
    links = {link.code: link.relationship for link in cls.links("soc-2010", "29-2071", "soc-2010-2018-hybrid")}
    assert links == {"29-2098": "many-to-many", "29-9098": "many-to-many"}
    assert {link.code: link.relationship for link in cls.links("soc-2010-2018-hybrid", "29-2098", "soc-2018")} == {
        "29-2036": "split",
        "29-2072": "split",
        "29-2099": "split",
    }
    assert cls.relationship("soc-2010", "11-1011", "soc-2018", "11-1011") == "one-to-one"
    assert cls.members("soc-2018", "99-9999") is None


def structure_2010_file(tmp_path):
    header = ["OES 2010 code", "OES 2010 title ", "2010 SOCs", "", "2000 SOCs", "", "Longer 2010 titles. ", "notes"]
    rows = [
        ["The table below shows how OES data ... were combined"],
        header,
        ["47-2031", "Carpenters", "47-2031", "Carpenters", "47-2031", "Carpenters", "", ""],
        ["47-4799", "Construction and Related Workers, All Other*", "47-2231", "Solar Photovoltaic Installers*",
         "47-4099", "Construction and Related Workers, All Other*", "", "temp. code and title "],
        ["47-4799", "Construction and Related Workers, All Other*", "47-4099", "Construction and Related Workers",
         "47-4099", "Construction and Related Workers, All Other*", "", "temp. code and title "],
    ]  # fmt: skip
    path = tmp_path / "may_2010_occs.xls.xlsx"
    path.write_bytes(workbook_bytes({"OES use of combined SOC data.": rows}))
    return path


def test_hybrid_structure_parsed_and_preferred_to_the_crosswalk(tmp_path):
    source = SocSource()
    path = structure_2010_file(tmp_path)
    assert source.identify(path, display_name="may_2010_occs.xls") == "2010-hybrid"
    parsed = source.parse(path, sha256="a" * 64, display_name="may_2010_occs.xls", release_id="2010-hybrid")
    rows = parsed.tables["soc_hybrid_structure"].to_pylist()
    assert len(rows) == 6
    solar = next(r for r in rows if r["component_code"] == "47-2231")
    assert (solar["hybrid_code"], solar["hybrid_title"], solar["component_system"], solar["source_row"]) == (
        "47-4799",
        "Construction and Related Workers, All Other",
        "soc-2010",
        4,
    )
    assert solar["bls_relationship"] == "temp. code and title"
    pairs = [
        {"from_system": "soc-2000", "from_code": a, "from_title": "", "to_system": "soc-2010", "to_code": b,
         "to_title": "", "source_file": "xwalk"}
        for a, b in [("47-2031", "47-2031"), ("47-2031", "47-2231"), ("47-4099", "47-4099")]
    ]  # fmt: skip
    cls = Classification(pairs, structure=rows)
    assert cls.members("soc-2000-2010-hybrid", "47-4799") == {"47-2231", "47-4099"}
    # the crosswalk sends 2000's carpenters partly to solar installers; BLS's structure did not
    links = {link.code: link.relationship for link in cls.links("soc-2000", "47-2031", "soc-2000-2010-hybrid")}
    assert links == {"47-2031": "one-to-one"}
    assert cls.source("soc-2000", "47-2031", "soc-2000-2010-hybrid", "47-2031") == "may_2010_occs.xls"
    without = Classification(pairs)
    # inferred through the crosswalk alone, carpenters also reached the solar installers
    assert {link.code for link in without.links("soc-2000", "47-2031", "soc-2000-2010-hybrid")} == {
        "47-2031",
        "47-2231",
    }
