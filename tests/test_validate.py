from decimal import Decimal

import pytest
from builders import OCCUPATIONS, oes_2021_workbook, oes_zip

from occstats import schema
from occstats.errors import ValidationError
from occstats.products import validate
from occstats.sources.oes import parser as oes
from occstats.validate import row_count_check


def parsed_tables(tmp_path, occupations=None):
    path = tmp_path / "oesm21nat.zip"
    path.write_bytes(oes_zip(2021, oes_2021_workbook(2021, occupations)))
    return oes.parse(path, sha256="a" * 64, display_name=path.name).tables


def test_generated_release_passes(tmp_path):
    for name, data in parsed_tables(tmp_path).items():
        validate(schema.table(name), data, release="t")


def test_duplicate_rows_are_named(tmp_path):
    tables = parsed_tables(tmp_path, [*OCCUPATIONS, OCCUPATIONS[2]])
    with pytest.raises(ValidationError) as err:
        validate(schema.OES_ESTIMATES, tables["oes_estimates"], release="OES May 2021", file="x.zip")
    assert "share a key" in str(err.value) and "11-1011" in str(err.value) and "x.zip" in str(err.value)


def test_percentiles_out_of_order_are_named(tmp_path):
    bad = [list(o) for o in OCCUPATIONS]
    bad[5][10], bad[5][15] = 40.0, 83200  # 29-2072 hourly/annual median above its p75
    with pytest.raises(ValidationError, match=r"percentiles out of order.*29-2072"):
        validate(schema.OES_WAGES, parsed_tables(tmp_path, bad)["oes_wages"], release="t")


def test_hourly_and_annual_must_agree_within_rounding(tmp_path):
    bad = [list(o) for o in OCCUPATIONS]
    bad[5][6] = 50990  # 24.50 x 2080 = 50960: $30 off
    with pytest.raises(ValidationError, match=r"hourly x 2080 differs from annual by more than \$16.*29-2072"):
        validate(schema.OES_WAGES, parsed_tables(tmp_path, bad)["oes_wages"], release="t")
    ok = [list(o) for o in OCCUPATIONS]
    ok[5][6] = 50970  # $10 off: BLS's own rounding
    validate(schema.OES_WAGES, parsed_tables(tmp_path, ok)["oes_wages"], release="t")


def test_a_value_must_match_its_status(tmp_path):
    data = parsed_tables(tmp_path)["oes_wages"].to_pylist()
    data[0]["status"] = "top_coded"
    with pytest.raises(ValidationError, match="value/status mismatch"):
        validate(schema.OES_WAGES, schema.to_arrow(data, schema.OES_WAGES), release="t")


def test_declared_vocabularies_are_enforced(tmp_path):
    data = parsed_tables(tmp_path)["oes_estimates"].to_pylist()
    data[0]["soc_system"] = "soc-1999"
    with pytest.raises(ValidationError, match="soc_system outside"):
        validate(schema.OES_ESTIMATES, schema.to_arrow(data, schema.OES_ESTIMATES), release="t")


def test_row_count_tolerance_against_the_previous_version():
    assert row_count_check(1000, None) == []
    assert row_count_check(1040, 1000) == []
    assert "differs from the current version's 1000" in row_count_check(1200, 1000)[0]


def test_exact_decimal_survives_arrow(tmp_path):
    data = parsed_tables(tmp_path)["oes_wages"].to_pylist()
    assert Decimal("22.43") in {r["value"] for r in data}
