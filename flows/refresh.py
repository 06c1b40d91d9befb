"""Refresh flows, generated from the product registry: wiring only.

Each flow runs `occstats.pipeline.refresh` with a runner that calls every step as a Prefect task:
the network step (acquire) with retries, the others once. The loop over releases, the outcomes and
the publish-once rule all live in the pipeline, so a flow run takes exactly the path the tests and
`occstats import` take. Each run leaves a markdown artifact saying what happened to every release.
Run locally they need no configuration: Prefect starts its embedded server (settings from
occstats.settings.prefect_environment).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from prefect import Flow, Task, flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

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


def _settings(data_dir: str | None, mirror: str | None, user_agent: str | None) -> Settings:
    return Settings.resolve(data_dir=data_dir, mirror=mirror, user_agent=user_agent)


def _product_flow(product: Product) -> Flow:
    def refresh(
        years: str | None = None, data_dir: str | None = None, mirror: str | None = None, user_agent: str | None = None
    ) -> dict:
        settings = _settings(data_dir, mirror, user_agent)
        result = pipeline.refresh(settings, product.name, parse_years(years), runner=TaskRunner(settings))
        create_markdown_artifact(
            key=f"{product.name.replace('_', '-')}-refresh",  # Prefect keys: lowercase, digits, dashes
            markdown=report.markdown([result]),
            description=f"occstats {product.name} refresh",
        )
        return result.to_dict()

    refresh.__doc__ = f"{product.description} (`years`, e.g. '2008,2010-2025', where the catalog plans years)."
    return flow(refresh, name=f"refresh-{product.name}", log_prints=True)


# One flow per product, in the registry's dependency order (the crosswalks first, so OES and EP
# codes are checked against them); importable as flows.refresh.refresh_<name> for deployments.
PRODUCT_FLOWS: dict[str, Flow] = {name: _product_flow(p) for name, p in REGISTRY.items()}
globals().update({f"refresh_{name.replace('-', '_')}": f for name, f in PRODUCT_FLOWS.items()})


@flow(name="refresh-all", log_prints=True)
def refresh_all(data_dir: str | None = None, mirror: str | None = None, user_agent: str | None = None) -> dict:
    """Every product, in dependency order, each as a subflow."""
    return {name: run(data_dir=data_dir, mirror=mirror, user_agent=user_agent) for name, run in PRODUCT_FLOWS.items()}
