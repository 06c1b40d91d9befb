"""The declarations themselves: every field used, keys sound, the data dictionary current."""

from pathlib import Path

import pytest

from occstats import dictionary, schema

ROOT = Path(__file__).resolve().parents[1]


def test_every_declared_field_is_used_by_a_table():
    used = {c.name for t in schema.TABLES.values() for c in t.columns}
    assert set(schema.FIELDS) == used


@pytest.mark.parametrize("tbl", list(schema.TABLES.values()), ids=lambda t: t.name)
def test_keys_are_declared_required_columns(tbl):
    names = set(tbl.names)
    assert set(tbl.key) <= names and set(tbl.release_key) <= set(tbl.key) and set(tbl.partition_by) <= names
    assert all(not tbl.column(k).nullable for k in tbl.key if k != "ref_month")
    assert len(tbl.arrow_schema()) == len(tbl.columns)
    # Rows parsed from raw files carry the file's sha256; derived tables say what they derive from.
    assert any(c.provenance for c in tbl.columns) or "code_source" in names, "every row carries its provenance"


def test_undeclared_columns_are_refused():
    with pytest.raises(ValueError, match="undeclared"):
        schema.to_arrow([{"surprise": 1}], schema.OES_ESTIMATES)


def test_data_dictionary_is_generated_and_current():
    committed = (ROOT / "docs" / "data_dictionary.md").read_text()
    assert committed == dictionary.markdown(), "run: occstats dictionary --output docs/data_dictionary.md"


def test_release_descriptions_for_people():
    from occstats.inventory import describe_releases

    oes = ("dataset", "ref_year")
    assert describe_releases(oes, [("oes_national", 2004), ("oes_national", 2005), ("oes_national", 2007)]) == (
        "OES May 2004-2005, 2007"
    )
    assert describe_releases(oes, [("oes_national", 1997), ("oes_national", 2004)]) == "OES 1997, May 2004"
    assert describe_releases(oes, [("oes_national", 2024)]) == "OES May 2024"
    ep = ("base_year", "target_year")
    assert describe_releases(ep, [(2024, 2034)]) == "EP 2024-34"
    assert describe_releases(ep, [(2010, 2020), (2024, 2034)]) == "EP 2010-20, 2024-34"
    assert describe_releases(("from_system", "to_system"), [("soc-2000", "soc-2010")]) == "soc-2000 to soc-2010"
