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
