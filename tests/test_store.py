from decimal import Decimal

import pyarrow as pa

from occstats import schema
from occstats.store import Store


def rows(year, value="21.35", sha="a" * 64):
    base = {
        "dataset": "oes_national",
        "ref_year": year,
        "ref_month": 5,
        "area_type": "national",
        "area_code": "99",
        "naics_code": "000000",
        "ownership_code": "1235",
        "soc_code": "29-2071",
        "soc_system": "soc-2010",
        "occ_level": "detailed",
        "basis": "hourly",
        "statistic": "median",
        "value": Decimal(value),
        "status": "estimate",
        "marker": None,
        "bound": None,
        "bound_comparison": None,
        "bound_source": None,
        "source_sha256": sha,
        "source_file": "f.xlsx",
    }
    return schema.to_arrow([base], schema.OES_WAGES)


def test_write_compares_content_and_replaces_only_changed_releases(tmp_path):
    store = Store(tmp_path)
    tbl = schema.OES_WAGES
    version, changes = store.write(tbl, [pa.concat_tables([rows(2012), rows(2013)])], {"run_id": "one"})
    assert version == 0 and [c.release for c in changes] == [("oes_national", 2012), ("oes_national", 2013)]

    # Same figures from a different raw file (provenance differs): no new version.
    assert store.write(tbl, [rows(2012, sha="b" * 64)], {"run_id": "two"}) == (None, [])

    # A revised 2013 figure: one new version, 2012 untouched.
    version, changes = store.write(tbl, [rows(2013, value="21.36")], {"run_id": "three"})
    assert version == 1 and changes[0].previous_rows == 1
    current = {r["ref_year"]: r["value"] for r in store.read(tbl.name).to_pylist()}
    assert current == {2012: Decimal("21.35"), 2013: Decimal("21.36")}
    assert {r["ref_year"]: r["value"] for r in store.read(tbl.name, version=0).to_pylist()}[2013] == Decimal("21.35")

    history = store.history(tbl.name)
    assert [h["version"] for h in history] == [0, 1]
    assert history[1]["run_id"] == "three" and history[1]["releases"] == [{"dataset": "oes_national", "ref_year": 2013}]
    assert store.release_counts(tbl) == {("oes_national", 2012): 1, ("oes_national", 2013): 1}


def test_write_tables_writes_each_table_as_write_does_and_raises_the_first_error(tmp_path):
    """Tables written two at a time: each its own commit with the same versions and changes as one by one;
    an error is raised (naming its table) and the other table's write still lands."""
    import pytest

    areas = schema.to_arrow(
        [
            {
                "dataset": "oes_timeseries",
                "ref_year": 2025,
                "area_code": "0000001",
                "area_type": "state",
                "area_type_published": "S",
                "area_title": "Alabama",
                "state_code": "01",
                "source_sha256": "c" * 64,
                "source_file": "oe.area",
            }
        ],
        schema.OES_AREAS,
    )
    store = Store(tmp_path)
    got = store.write_tables(
        [(schema.OES_WAGES, [rows(2012), rows(2013)]), (schema.OES_AREAS, [areas])], {"run_id": "one"}
    )
    assert list(got) == ["oes_wages", "oes_areas"]  # in the order asked, whatever order they ran in
    assert got["oes_wages"][0] == 0 and [c.release for c in got["oes_wages"][1]] == [
        ("oes_national", 2012),
        ("oes_national", 2013),
    ]
    assert got["oes_areas"][0] == 0 and store.read("oes_areas").to_pylist() == areas.to_pylist()
    # unchanged content: no version, as write says
    assert store.write_tables([(schema.OES_WAGES, [rows(2012)]), (schema.OES_AREAS, [areas])], {}) == {
        "oes_wages": (None, []),
        "oes_areas": (None, []),
    }
    broken = areas.drop_columns(["area_title"])  # a part without a declared column fails in write
    with pytest.raises(ValueError, match="field names"):
        store.write_tables([(schema.OES_AREAS, [broken]), (schema.OES_WAGES, [rows(2014)])], {"run_id": "two"})
    assert store.release_counts(schema.OES_WAGES)[("oes_national", 2014)] == 1  # the other write landed
    assert store.latest_version("oes_areas") == 0
