from decimal import Decimal

import pyarrow as pa
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


def _brute_force_repeats(rows: list[tuple]) -> list[int]:
    """Independent reference: the positions whose key tuple occurs more than once (Python tuples)."""
    seen: dict[tuple, int] = {}
    for row in rows:
        seen[row] = seen.get(row, 0) + 1
    return [i for i, row in enumerate(rows) if seen[row] > 1]


@pytest.mark.parametrize("seed", range(6))
def test_columnar_key_check_agrees_with_python_tuples(seed):
    import random

    import pyarrow as pa

    from occstats.validate import key_repeats

    rng = random.Random(seed)
    n = 400
    # Eight columns of up to 400 distinct values each: their radix (~401^8) overflows an int64, so the
    # renumbering path runs; a few nulls, ints and decimals beside strings; near-duplicates differ in one column.
    cols = {
        f"s{i}": [rng.choice([None, *[f"v{j}" for j in range(rng.choice([2, 400]))]]) for _ in range(n)]
        for i in range(6)
    }
    cols["n"] = [rng.randrange(3) for _ in range(n)]
    cols["d"] = [Decimal(rng.randrange(2)) / 10 for _ in range(n)]
    rows = list(zip(*cols.values(), strict=True))
    for _ in range(5):  # exact copies of random rows, and copies changed in one column (not repeats)
        src = rng.randrange(n)
        rows.append(rows[src])
        changed = list(rows[src])
        changed[0] = "only-here"
        rows.append(tuple(changed))
    table = pa.table({name: [r[i] for r in rows] for i, name in enumerate(cols)})
    table = pa.concat_tables([table.slice(0, 100), table.slice(100)])  # several chunks
    found = key_repeats(table, list(cols))
    expected = _brute_force_repeats(rows)
    assert expected  # the copies made above
    assert found is not None and found.tolist() == expected


def test_columnar_key_check_unique_keys_and_dictionary_columns():
    import pyarrow as pa

    from occstats.validate import key_repeats

    assert key_repeats(pa.table({"a": ["x", "y", None], "b": [1, 1, 1]}), ["a", "b"]) is None
    assert key_repeats(pa.table({"a": [None, None], "b": [1, 1]}), ["a", "b"]).tolist() == [0, 1]  # null == null
    # two chunks with different dictionaries: "y" is index 0 in one and 1 in the other
    chunked = pa.chunked_array(
        [
            pa.array(["x", "y"]).dictionary_encode(),
            pa.DictionaryArray.from_arrays(pa.array([0], pa.int32()), pa.array(["y"])),
        ]
    )
    assert key_repeats(pa.table({"a": chunked}), ["a"]).tolist() == [1, 2]


def test_duplicate_count_names_every_row_sharing_a_key(tmp_path):
    tables = parsed_tables(tmp_path, [*OCCUPATIONS, OCCUPATIONS[2], OCCUPATIONS[2]])
    with pytest.raises(ValidationError, match=r"3 rows share a key"):
        validate(schema.OES_ESTIMATES, tables["oes_estimates"], release="OES May 2021", file="x.zip")


def test_malformed_codes_are_counted_row_by_row(tmp_path):
    data = parsed_tables(tmp_path)["oes_estimates"].to_pylist()
    for row in data[:3]:  # the same bad code on three rows: one distinct value, three rows named
        row["soc_code"] = "29-207"
    with pytest.raises(ValidationError, match=r"3 rows have a malformed soc_code: 29-207"):
        validate(schema.OES_ESTIMATES, schema.to_arrow(data, schema.OES_ESTIMATES), release="t")


def test_vocabulary_failures_count_rows_not_values(tmp_path):
    data = parsed_tables(tmp_path)["oes_estimates"].to_pylist()
    data[0]["soc_system"] = data[1]["soc_system"] = "soc-1999"
    data[2]["soc_system"] = "soc-1998"
    with pytest.raises(ValidationError, match=r"3 rows have soc_system outside"):
        validate(schema.OES_ESTIMATES, schema.to_arrow(data, schema.OES_ESTIMATES), release="t")


def test_negative_wages_and_stray_bounds_are_named(tmp_path):
    data = parsed_tables(tmp_path)["oes_wages"].to_pylist()
    estimate = next(r for r in data if r["status"] == "estimate")
    estimate["value"] = Decimal("-1.00")
    with pytest.raises(ValidationError, match="1 negative wages"):
        validate(schema.OES_WAGES, schema.to_arrow(data, schema.OES_WAGES), release="t")
    data = parsed_tables(tmp_path)["oes_wages"].to_pylist()
    next(r for r in data if r["status"] == "estimate")["bound"] = Decimal("100.00")
    with pytest.raises(ValidationError, match="bound without being top-coded"):
        validate(schema.OES_WAGES, schema.to_arrow(data, schema.OES_WAGES), release="t")


def _wage_rows_with_areas(tmp_path, copies: int) -> list[dict]:
    """The generated release's wage rows repeated as `copies` areas: several estimates per occupation."""
    rows = parsed_tables(tmp_path)["oes_wages"].to_pylist()
    return [{**r, "area_type": "state", "area_code": f"{i:07d}"} for i in range(copies) for r in rows]


def _pandas_reference(rows: list[dict]) -> tuple[int, int]:
    """An independent count of (percentile groups out of order, hourly/annual pairs off by > $16), in plain pandas."""
    import pandas as pd

    from occstats.sources.oes.checks import _ESTIMATE

    frame = pd.DataFrame(rows)
    est = frame[(frame["status"] == "estimate") & frame["value"].notna()].copy()
    est["value"] = est["value"].astype(float)
    wide = est.pivot_table(index=[*_ESTIMATE, "basis"], columns="statistic", values="value", aggfunc="first")
    wide = wide[list(schema.PERCENTILES)].dropna()
    ordered = (wide.diff(axis=1).iloc[:, 1:] >= 0).all(axis=1)
    by = est.pivot_table(index=[*_ESTIMATE, "statistic"], columns="basis", values="value", aggfunc="first").dropna()
    off = ((by["hourly"] * 2080 - by["annual"]).abs() > 16).sum()
    return int((~ordered).sum()), int(off)


@pytest.mark.parametrize("layout", ["estimates together", "estimates together, dictionary strings", "shuffled"])
def test_columnar_wage_checks_agree_with_a_pandas_reference(tmp_path, layout):
    """Both ways of grouping the estimates (one pass over runs where an estimate's rows lie together, as the
    time-series parser lays them out; a sort where they do not), and dictionary-encoded strings as the
    parsers hand them over, count what an independent pandas pivot counts."""
    import random

    import pyarrow.compute as pc

    from occstats.sources.oes.checks import _ESTIMATE, _hourly_matches_annual, _percentiles_ordered
    from occstats.validate import key_codes, run_groups

    rows = _wage_rows_with_areas(tmp_path, 3)
    for r in rows:  # area 1: every hourly median $1000 higher (out of order, and $2080 off the annual)
        if r["area_code"] == "0000001" and r["basis"] == "hourly" and r["statistic"] == "median" and r["value"]:
            r["value"] += 1000
    if layout == "shuffled":
        random.Random(2).shuffle(rows)
    else:
        rows.sort(key=lambda r: tuple(str(r[c]) for c in _ESTIMATE))
    bad_order, bad_pairs = _pandas_reference(rows)
    assert bad_order and bad_pairs  # the reference sees the damage
    table = schema.to_arrow(rows, schema.OES_WAGES)
    if "dictionary" in layout:
        table = pa.table(
            [pc.dictionary_encode(c) if pa.types.is_string(c.type) else c for c in table.columns],
            names=table.column_names,
        )
    assert (run_groups(key_codes(table, _ESTIMATE)) is None) == (layout == "shuffled")  # the path under test
    [order] = _percentiles_ordered(table)
    [pairs] = _hourly_matches_annual(table)
    assert order.startswith(f"{bad_order} rows have percentiles out of order")
    assert pairs.startswith(f"{bad_pairs} figures where hourly x 2080")
    assert _percentiles_ordered(schema.to_arrow(_wage_rows_with_areas(tmp_path, 3), schema.OES_WAGES)) == []


@pytest.mark.parametrize("seed", range(4))
def test_key_check_on_dictionary_columns_agrees_with_python_tuples(seed):
    """Dictionary columns are encoded without decoding their rows: a dictionary that repeats a value, a null
    dictionary entry, null indices and chunks with different dictionaries must find the same repeats."""
    import random

    import pyarrow as pa

    from occstats.validate import key_repeats

    rng = random.Random(seed)
    dictionary = pa.array(["a", "b", "a", None, "c"])  # "a" twice, one null entry
    chunks, rows = [], []
    for _ in range(3):
        indices = [rng.choice([None, 0, 1, 2, 3, 4]) for _ in range(30)]
        other = [rng.randrange(4) for _ in range(30)]
        chunks.append((pa.DictionaryArray.from_arrays(pa.array(indices, pa.int8()), dictionary), other))
        rows += [(None if i is None else dictionary[i].as_py(), o) for i, o in zip(indices, other, strict=True)]
    table = pa.table(
        {
            "s": pa.chunked_array([c for c, _ in chunks]),
            "o": pa.chunked_array([pa.array(o, pa.int64()) for _, o in chunks]),
        }
    )
    found = key_repeats(table, ["s", "o"])
    assert found is not None and found.tolist() == _brute_force_repeats(rows)


def test_unique_groups_equals_numpy_unique():
    """Both paths (codes packed with their positions, and np.unique for codes too wide to pack) against np.unique."""
    import numpy as np

    from occstats.validate import unique_groups

    rng = np.random.default_rng(3)
    cases = (
        rng.integers(0, 50, 2_000),  # many repeats
        np.repeat(rng.integers(0, 2**37, 700), 3)[rng.permutation(2_100)],  # wide codes, ties out of order
        rng.integers(-(2**62), 2**62, 500),  # negative and too wide: np.unique
        np.array([2**60, 0, 2**60, 5], dtype=np.int64),  # at the packing limit for 4 entries (3 bits): np.unique
        np.array([7], dtype=np.int64),
        np.zeros(0, dtype=np.int64),
    )
    for code in cases:
        _, first, ids = np.unique(code, return_index=True, return_inverse=True)
        got_ids, got_first = unique_groups(code)
        assert got_ids.tolist() == ids.reshape(-1).tolist()
        assert got_first.tolist() == first.tolist()


def test_checks_run_two_at_a_time_report_what_they_report_one_at_a_time(tmp_path, monkeypatch):
    """Above PARALLEL_CHECK_ROWS the gate runs the schema's and the product's checks in two threads, sharing
    one call's key encodings: every failure is still reported, in the declared order, with the same text."""
    import occstats.validate as gate

    rows = _wage_rows_with_areas(tmp_path, 3)
    rows.append(dict(rows[0]))  # a repeated key: the schema's check
    for r in rows:  # out of order and $2080 off: both per-estimate checks
        if r["area_code"] == "0000001" and r["basis"] == "hourly" and r["statistic"] == "median" and r["value"]:
            r["value"] += 1000
    table = schema.to_arrow(rows, schema.OES_WAGES)
    messages = {}
    for threshold in (10**9, 0):
        monkeypatch.setattr(gate, "PARALLEL_CHECK_ROWS", threshold)
        with pytest.raises(ValidationError) as err:
            validate(schema.OES_WAGES, table, release="t")
        messages[threshold] = str(err.value)
    assert messages[0] == messages[10**9]
    text = messages[0]
    assert text.index("share a key") < text.index("percentiles out of order") < text.index("hourly x 2080")


def test_run_groups_number_runs_and_refuse_codes_that_come_back():
    import numpy as np

    from occstats.validate import run_groups, unique_groups

    ids, first = run_groups(np.array([7, 7, 3, 3, 3, 9, 1], dtype=np.int64))
    assert ids.tolist() == [0, 0, 1, 1, 1, 2, 3] and first.tolist() == [0, 2, 5, 6]
    assert run_groups(np.array([7, 3, 7], dtype=np.int64)) is None  # 7 comes back: not one run per code
    assert run_groups(np.zeros(0, dtype=np.int64)) is None
    code = np.repeat(np.random.default_rng(1).permutation(500), 4)
    ids, first = run_groups(code)
    same_ids, _ = unique_groups(code)  # the same partition as the sorting path, numbered by appearance
    assert len(set(zip(ids.tolist(), same_ids.tolist(), strict=True))) == len(set(ids.tolist())) == 500
    assert (code[first] == code[np.sort(first)]).all() and (np.diff(first) > 0).all()
