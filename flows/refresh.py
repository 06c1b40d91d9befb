"""Refresh flows, generated from the product registry: wiring only.

Each flow runs `occstats.pipeline.refresh` with a runner that calls every step as a Prefect task:
the network step (acquire) with retries, the others once. The loop over releases, the outcomes and
the publish-once rule all live in the pipeline, so a flow run takes exactly the path the tests and
`occstats import` take. Each run leaves a markdown artifact saying what happened to every release.
Run locally they need no configuration: Prefect starts its embedded server (settings from
occstats.settings.prefect_environment).

A run with a failed release ends Failed (after the other releases finished and what passed was
written), so Prefect's automations and notifications can see it; the state's result is still the
run report. Releases upstream does not have are not failures.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from prefect import Flow, Task, flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.states import Failed, State

from occstats import pipeline, report
from occstats.catalog import parse_years
from occstats.products import REGISTRY
from occstats.settings import Settings
from occstats.sources.base import Product

T = TypeVar("T")

STEPS: dict[Callable[..., Any], Task] = {
    step: task(step, name=name, cache_policy=NO_CACHE)
    for step, name in (
        (pipeline.acquire, "fetch-and-land"),
        (pipeline.prepare, "parse-and-validate"),
        (pipeline.publish, "publish"),
        (pipeline.derive, "derive"),
    )
}


class TaskRunner:
    """Calls a pipeline step as its Prefect task; only the network step is retried."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __call__(self, step: Callable[..., T], *args: Any, label: str) -> T:
        retries = self.settings.task_retries if step is pipeline.acquire else 0
        options = {"task_run_name": label, "retries": retries, "retry_delay_seconds": self.settings.task_retry_delay}
        return STEPS[step].with_options(**options)(*args)

    def map(self, step: Callable[..., T], ctx: Any, items: Sequence[Any], labels: Sequence[str]) -> list[T | Exception]:
        """`step(ctx, item)` as concurrent task runs on the flow's task runner (a thread pool by default),
        at most `settings.concurrency` in flight; each result, or the exception its task raised."""
        work = STEPS[step]
        results: list[T | Exception] = []
        window: deque[PrefectFuture] = deque()

        def settle(future: PrefectFuture) -> None:
            try:
                results.append(future.result())
            except Exception as exc:  # noqa: BLE001 - one release's failure stays its own
                results.append(exc)

        for item, label in zip(items, labels, strict=True):
            if len(window) >= max(1, self.settings.concurrency):
                settle(window.popleft())
            window.append(work.with_options(task_run_name=label, retries=0).submit(ctx, item))
        while window:
            settle(window.popleft())
        return results


def _settings(data_dir: str | None, mirror: str | None, user_agent: str | None) -> Settings:
    return Settings.resolve(data_dir=data_dir, mirror=mirror, user_agent=user_agent)


def artifact_key(product: str) -> str:
    """Prefect takes lowercase letters, digits and dashes only: 'oes_timeseries' -> 'oes-timeseries-refresh'."""
    return f"{product.replace('_', '-')}-refresh"


def final_state(result: pipeline.RunReport) -> dict | State:
    """The run report, as a Failed state when a release failed (the report stays its result)."""
    failed = result.failed
    if not failed:
        return result.to_dict()
    names = ", ".join(o.label for o in failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
    return Failed(message=f"{result.product}: {len(failed)} release(s) failed: {names}", data=result.to_dict())


def _product_flow(product: Product) -> Flow:
    def refresh(
        years: str | None = None, data_dir: str | None = None, mirror: str | None = None, user_agent: str | None = None
    ) -> dict | State:
        settings = _settings(data_dir, mirror, user_agent)
        result = pipeline.refresh(settings, product.name, parse_years(years), runner=TaskRunner(settings))
        create_markdown_artifact(
            key=artifact_key(product.name),
            markdown=report.markdown([result]),
            description=f"occstats {product.name} refresh",
        )
        return final_state(result)

    refresh.__doc__ = f"{product.description} (`years`, e.g. '2008,2010-2025', where the catalog plans years)."
    return flow(refresh, name=f"refresh-{product.name}", log_prints=True)


# One flow per product, in the registry's dependency order (the crosswalks first, so OES and EP
# codes are checked against them); importable as flows.refresh.refresh_<name> for deployments.
PRODUCT_FLOWS: dict[str, Flow] = {name: _product_flow(p) for name, p in REGISTRY.items()}
globals().update({f"refresh_{name.replace('-', '_')}": f for name, f in PRODUCT_FLOWS.items()})


def report_of(state: State, product: str | None = None) -> dict:
    """A refresh flow run's report, whether it ended Completed or Failed.

    A run that crashed (no report) raises its exception, or, given the product, becomes a report
    with one failed outcome, so that `refresh all` still reports the other products.
    """
    data = state.result(raise_on_failure=False)
    if not isinstance(data, BaseException):
        return data
    if product is None or not isinstance(data, Exception):
        raise data
    failed = pipeline.Outcome(product, "run", pipeline.State.FAILED, f"{type(data).__name__}: {data}".splitlines()[0])
    return pipeline.RunReport(product, "", "", [failed], {}).to_dict()


@flow(name="refresh-all", log_prints=True)
def refresh_all(data_dir: str | None = None, mirror: str | None = None, user_agent: str | None = None) -> dict | State:
    """Every product, in dependency order, each as a subflow; Failed when any product's run failed."""
    states = {
        name: run(data_dir=data_dir, mirror=mirror, user_agent=user_agent, return_state=True)
        for name, run in PRODUCT_FLOWS.items()
    }
    results = {name: report_of(state, name) for name, state in states.items()}
    failed = [name for name, state in states.items() if not state.is_completed()]  # Failed or Crashed
    if failed:
        return Failed(message=f"failed releases in {', '.join(failed)}", data=results)
    return results
