"""The README's "Use the data" recipes, run as written, and the Python API they document.

Each recipe is a ```python block after a `<!-- recipe: NAME -->` marker in README.md; the test
runs the block as it stands, in a fresh interpreter, from a directory holding a curated `data/`,
so a README edit that breaks a recipe fails here. Expected figures come from the generated input
(builders.OCCUPATIONS), not from the code under test.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from builders import OCCUPATIONS
from datadir import OES_YEARS

import occstats
from occstats.store import Store

ROOT = Path(__file__).resolve().parents[1]
RECIPE = re.compile(r"<!-- recipe: (\w+) -->\s*```python\n(.*?)```", re.DOTALL)
CODE = "29-2072"
OCC = next(o for o in OCCUPATIONS if o[0] == CODE)
TITLE, EMPLOYMENT, ANNUAL_MEDIAN = OCC[1], OCC[3], OCC[15]  # the workbook's own cells


def recipes() -> dict[str, str]:
    return dict(RECIPE.findall((ROOT / "README.md").read_text()))


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", code]
    return subprocess.run(command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)


def test_the_readme_has_a_recipe_for_each_reader():
    assert set(recipes()) == {"occstats", "pandas", "polars", "duckdb", "pyarrow"}


@pytest.mark.parametrize("name", ["occstats", "pandas", "polars", "duckdb", "pyarrow"])
def test_recipe_runs_as_written(name, curated_data):
    if name in ("polars", "occstats") and importlib.util.find_spec("polars") is None:
        pytest.skip("polars is not installed (it is in the dev extras)")
    done = run_python(recipes()[name], cwd=curated_data.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    if name == "pyarrow":
        assert str(EMPLOYMENT) in done.stdout and TITLE in done.stdout
    else:
        assert str(ANNUAL_MEDIAN) in done.stdout, done.stdout
    for year in OES_YEARS:
        assert str(year) in done.stdout


def test_twenty_reads_through_the_api_never_abort_the_process(curated_data):
    """The known delta-rs crash is an abort at interpreter exit (134); the API's reads must never hit it."""
    code = (
        "import occstats\n"
        f"db = occstats.open({str(curated_data)!r})\n"
        "assert db['oes_wages'].to_arrow().num_rows\n"
        "assert len(db['oes_estimates'].to_pandas(floats=True))\n"
        "assert len(db.sql('select * from oes_wages_titled'))\n"
    )
    codes: list[int] = []
    for _ in range(5):  # four at a time: the abort is per process, so running them side by side hides nothing
        batch = [
            subprocess.Popen([sys.executable, "-c", code], env=_env(), stderr=subprocess.PIPE, text=True)
            for _ in range(4)
        ]
        for process in batch:
            _, stderr = process.communicate(timeout=120)
            codes.append(process.returncode)
            assert "terminate called" not in stderr and "Traceback" not in stderr, stderr[-2000:]
    assert codes == [0] * 20


# -- the API itself -------------------------------------------------------------------------------
def test_open_takes_str_or_path_to_the_data_dir_or_its_curated_folder(curated_data):
    for where in (str(curated_data), curated_data, curated_data / "curated", str(curated_data / "curated")):
        db = occstats.open(where)
        assert db.tables[:2] == ["oes_estimates", "oes_wages"] and "oes_wages_titled" in db.views


def test_values_stay_exact_decimals_and_floats_are_asked_for(curated_data):
    wages = occstats.open(curated_data)["oes_wages"]
    where = {"soc_code": CODE, "basis": "annual", "statistic": "median", "ref_year": OES_YEARS[0]}
    exact = wages.to_arrow(where=where)
    assert pa.types.is_decimal(exact.schema.field("value").type)
    assert exact.column("value").to_pylist() == [decimal.Decimal(ANNUAL_MEDIAN)]
    assert wages.to_pandas(where=where)["value"].tolist() == [decimal.Decimal(ANNUAL_MEDIAN)]
    frame = wages.to_pandas(where=where, floats=True)
    assert str(frame["value"].dtype) == "float64" and frame["value"].tolist() == [float(ANNUAL_MEDIAN)]
    assert frame["status"].tolist() == ["estimate"], "non-decimal columns untouched"


def test_a_top_coded_figure_is_null_with_its_status_also_as_float(curated_data):
    top = next(o for o in OCCUPATIONS if o[15] == "#")  # the annual median the workbook marks '#'
    wages = occstats.open(curated_data)["oes_wages"]
    where = {"soc_code": top[0], "basis": "annual", "statistic": "median"}
    frame = wages.to_pandas(where=where, floats=True)
    assert frame["value"].isna().all() and set(frame["status"]) == {"top_coded"}


def test_polars_frames_keep_decimals_unless_floats(curated_data):
    pl = pytest.importorskip("polars")
    wages = occstats.open(curated_data)["oes_wages"]
    assert isinstance(wages.to_polars().schema["value"], pl.Decimal)
    assert wages.to_polars(floats=True).schema["value"] == pl.Float64


def test_versions_and_as_of(curated_data):
    db = occstats.open(curated_data)
    history = Store(curated_data / "curated").history("soc_codes")
    assert [e["version"] for e in history] == [0, 1], "the fixture writes soc_codes twice (OES, then EP)"
    assert db["soc_codes"].version == 1
    assert db.table("soc_codes", version=0).version == 0
    first = dt.datetime.fromisoformat(history[0]["timestamp"])
    assert db.table("soc_codes", as_of=first).version in (0, 1)  # both may share the second
    assert db.table("soc_codes", as_of=dt.datetime.now(dt.UTC)).version == 1
    assert db.sql("select count(*) as n from soc_codes", as_of={"soc_codes": 0}).to_arrow().num_rows == 1
    with pytest.raises(ValueError, match="versions 0 to 1; no version 7"):
        db.table("soc_codes", version=7)
    with pytest.raises(ValueError, match="did not exist yet"):
        db.table("soc_codes", as_of="2000-01-01")


def test_unknown_names_and_empty_directories_say_what_there_is(curated_data, tmp_path):
    db = occstats.open(curated_data)
    with pytest.raises(KeyError, match="tables: oes_estimates, oes_wages"):
        db["oes_wage"]
    with pytest.raises(KeyError, match=r"is a view: use \.sql"):
        db["oes_wages_titled"]
    with pytest.raises(FileNotFoundError, match="does not exist: run `occstats refresh all"):
        occstats.open(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="holds no curated tables"):
        occstats.open(tmp_path)


def test_store_takes_a_str_path(curated_data, monkeypatch):
    monkeypatch.chdir(curated_data.parent)
    expected = Store(curated_data / "curated").read("oes_wages").num_rows
    assert Store("data/curated").read("oes_wages").num_rows == expected


def test_titled_wages_carry_each_estimates_title(curated_data):
    db = occstats.open(curated_data)
    titled = db.sql("select * from oes_wages_titled").to_arrow()
    assert titled.num_rows == len(db["oes_wages"])
    names = titled.column_names
    assert names[names.index("soc_code") + 1] == "occ_title"
    titles = {o[0]: o[1] for o in OCCUPATIONS}
    pairs = set(zip(titled.column("soc_code").to_pylist(), titled.column("occ_title").to_pylist(), strict=True))
    assert pairs == set(titles.items())
