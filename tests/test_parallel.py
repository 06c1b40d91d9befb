"""Releases are parsed and validated concurrently (settings.concurrency), publishing stays one writer:
the tables come out exactly as a one-at-a-time run writes them, and one release's failure stays its own."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from builders import OCCUPATIONS, oes_2021_workbook, oes_zip, put_release

from occstats import pipeline
from occstats.pipeline import State
from occstats.store import Store

YEARS = [2019, 2020, 2021, 2022]
TABLES = ("oes_estimates", "oes_wages", "soc_codes")


@pytest.fixture
def mirror(tmp_path):
    root = tmp_path / "mirror"
    for year in YEARS:
        rows = [list(o) for o in OCCUPATIONS]
        rows[5][3] = 180000 + year  # each release its own figures
        put_release(root, year, oes_zip(year, oes_2021_workbook(year, rows)))
    bad = [list(o) for o in OCCUPATIONS]
    bad[5][10], bad[5][15] = 40.0, 83200  # percentiles out of order: fails validation
    put_release(root, 2018, oes_zip(2018, oes_2021_workbook(2018, bad)))
    return root


def contents(settings) -> dict[str, list[dict]]:
    """Every table's rows, in a fixed order, without the column that names the run."""
    store = Store(settings.curated_dir)
    out = {}
    for name in TABLES:
        table = store.read(name)
        rows = [{k: v for k, v in r.items() if k != "run_id"} for r in table.to_pylist()]
        out[name] = sorted(rows, key=repr)
    return out


def run(settings, mirror, concurrency):
    settings = dataclasses.replace(settings, mirror=str(mirror), concurrency=concurrency)
    return settings, pipeline.refresh(settings, "oes", [2018, *YEARS])


def test_concurrent_prepare_writes_the_same_tables_as_one_at_a_time(settings, mirror, tmp_path, monkeypatch):
    one, sequential = run(dataclasses.replace(settings, data_dir=tmp_path / "one"), mirror, 1)

    # Two releases must be inside prepare at once, or the barrier breaks and the releases fail.
    barrier = threading.Barrier(2, timeout=30)
    inside = pipeline.prepare

    def prepare(ctx, acquired):
        if acquired.release in ("2019", "2020"):
            barrier.wait()
        return inside(ctx, acquired)

    monkeypatch.setattr(pipeline, "prepare", prepare)
    two, concurrent = run(dataclasses.replace(settings, data_dir=tmp_path / "two"), mirror, 2)

    expected = {"2018": State.FAILED, **{str(y): State.CURATED for y in YEARS}}
    assert {o.release: o.state for o in sequential.outcomes} == expected
    assert {o.release: o.state for o in concurrent.outcomes} == expected
    assert "percentiles out of order" in next(o.detail for o in concurrent.outcomes if o.release == "2018")
    assert [o.release for o in concurrent.outcomes] == [o.release for o in sequential.outcomes]
    assert concurrent.versions == sequential.versions == {"oes_estimates": 0, "oes_wages": 0, "soc_codes": 0}
    assert contents(two) == contents(one)
    assert len(contents(one)["oes_estimates"]) == len(YEARS) * len(OCCUPATIONS)


def test_concurrency_is_a_setting(monkeypatch, tmp_path):
    from occstats.errors import ConfigError
    from occstats.settings import DEFAULT_CONCURRENCY, Settings

    assert Settings.resolve(data_dir=tmp_path).concurrency == DEFAULT_CONCURRENCY >= 1
    monkeypatch.setenv("OCCSTATS_CONCURRENCY", "3")
    assert Settings.resolve(data_dir=tmp_path).concurrency == 3
    monkeypatch.setenv("OCCSTATS_CONCURRENCY", "0")
    with pytest.raises(ConfigError, match="OCCSTATS_CONCURRENCY"):
        Settings.resolve(data_dir=tmp_path)


@pytest.mark.prefect
def test_the_flow_prepares_releases_as_concurrent_task_runs(settings, mirror, tmp_path, monkeypatch):
    """Through Prefect's task runner: two parse-and-validate task runs in flight at once (the barrier
    breaks otherwise), the failed release its own, the tables as a one-at-a-time run writes them."""
    from prefect.testing.utilities import prefect_test_harness

    one, _ = run(dataclasses.replace(settings, data_dir=tmp_path / "one"), mirror, 1)
    monkeypatch.setenv("OCCSTATS_CONCURRENCY", "2")
    monkeypatch.setenv("OCCSTATS_TASK_RETRIES", "0")
    barrier = threading.Barrier(2, timeout=60)
    inside = pipeline.prepare

    def prepare(ctx, acquired):
        if acquired.release in ("2019", "2020"):
            barrier.wait()
        return inside(ctx, acquired)

    with prefect_test_harness(server_startup_timeout=120):
        from prefect import task
        from prefect.cache_policies import NO_CACHE

        import flows.refresh as flows

        monkeypatch.setattr(pipeline, "prepare", prepare)
        monkeypatch.setitem(flows.STEPS, prepare, task(prepare, name="parse-and-validate", cache_policy=NO_CACHE))
        # a failed release ends the run Failed (issue 11): its report is the state's result
        state = flows.refresh_oes(
            years="2018-2022", data_dir=str(tmp_path / "two"), mirror=str(mirror), return_state=True
        )
        assert state.is_failed()
        result = flows.report_of(state)
    states = {o["release"]: o["state"] for o in result["outcomes"]}
    assert states == {"2018": "failed", **{str(y): "curated" for y in YEARS}}
    two = dataclasses.replace(settings, data_dir=tmp_path / "two")
    assert contents(two) == contents(one)
