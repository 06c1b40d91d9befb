"""Refresh flows: one per product, and one that runs them all.

Each is wiring only: plan the releases, fetch each as a task with retries (the only steps that
touch the network), parse and validate each as a task, publish once, and leave a markdown artifact
saying what happened to every release. Run locally they need no configuration: Prefect starts
its embedded server (settings from occstats.settings.prefect_environment).
"""

from __future__ import annotations

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from occstats import report
from occstats.catalog import Release, parse_years
from occstats.pipeline import Acquired, Job, RunReport
from occstats.products import names as product_names
from occstats.settings import Settings


@task(name="fetch-and-land", cache_policy=NO_CACHE, task_run_name="fetch {release.product} {release.release_id}")
def fetch_release(job: Job, release: Release) -> Acquired | None:
    return job.acquire(release)


@task(name="parse-and-validate", cache_policy=NO_CACHE, task_run_name="curate {acquired.release}")
def prepare_release(job: Job, acquired: Acquired) -> None:
    job.prepare(acquired)


@task(name="publish", cache_policy=NO_CACHE)
def publish(job: Job) -> dict[str, int]:
    return job.publish()


@task(name="derive", cache_policy=NO_CACHE)
def derive(job: Job) -> dict[str, int]:
    return job.derive()


def _refresh(product: str, years: str | None, settings: Settings) -> RunReport:
    job = Job(settings, product)
    fetch = fetch_release.with_options(retries=settings.task_retries, retry_delay_seconds=settings.task_retry_delay)
    for release in job.plan(parse_years(years)):
        state = fetch(job, release, return_state=True)
        if state.is_failed():
            job.fail(release.release_id, _exception(state))
            continue
        acquired = state.result()
        if acquired is None:
            continue
        state = prepare_release(job, acquired, return_state=True)
        if state.is_failed():
            job.fail(acquired.release, _exception(state))
    state = publish(job, return_state=True)
    if state.is_failed():
        for prepared in job.prepared:
            job.fail(prepared.acquired.release, _exception(state))
    derive(job)
    result = job.report()
    create_markdown_artifact(
        key=f"{product}-refresh", markdown=report.markdown([result]), description=f"occstats {product} refresh"
    )
    return result


def _exception(state) -> BaseException:
    try:
        state.result()
    except BaseException as exc:  # noqa: BLE001 - the task's own exception, re-raised by result()
        return exc
    return RuntimeError(f"task ended in state {state.type}")


def _settings(data_dir: str | None, mirror: str | None, user_agent: str | None) -> Settings:
    return Settings.resolve(data_dir=data_dir, mirror=mirror, user_agent=user_agent)


@flow(name="refresh-oes", log_prints=True)
def refresh_oes(
    years: str | None = None, data_dir: str | None = None, mirror: str | None = None, user_agent: str | None = None
) -> dict:
    """OES/OEWS national releases: every year in the catalog, or `years` ("2008,2010-2025")."""
    return _refresh("oes", years, _settings(data_dir, mirror, user_agent)).to_dict()


@flow(name="refresh-ep", log_prints=True)
def refresh_ep(data_dir: str | None = None, mirror: str | None = None, user_agent: str | None = None) -> dict:
    """The current Employment Projections cycle (BLS replaces it every September)."""
    return _refresh("ep", None, _settings(data_dir, mirror, user_agent)).to_dict()


@flow(name="refresh-soc", log_prints=True)
def refresh_soc(data_dir: str | None = None, mirror: str | None = None, user_agent: str | None = None) -> dict:
    """The BLS SOC crosswalks (2000 -> 2010, 2010 -> 2018), then the classification tables."""
    return _refresh("soc", None, _settings(data_dir, mirror, user_agent)).to_dict()


# In the registry's dependency order: the crosswalks first, so OES and EP codes are checked against them.
# A product without a flow yet (oes_timeseries: the pipeline must land its code lists too) is left out.
_FLOWS = {"soc": refresh_soc, "oes": refresh_oes, "ep": refresh_ep}
PRODUCT_FLOWS = {name: _FLOWS[name] for name in product_names() if name in _FLOWS}


@flow(name="refresh-all", log_prints=True)
def refresh_all(data_dir: str | None = None, mirror: str | None = None, user_agent: str | None = None) -> dict:
    """Every product, in dependency order."""
    return {name: run(data_dir=data_dir, mirror=mirror, user_agent=user_agent) for name, run in PRODUCT_FLOWS.items()}
