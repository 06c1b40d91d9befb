"""Deployments on BLS's calendar: one per product plus refresh-all, with parameters and schedules as data.

The calendar below is the one place that says when each product is worth asking BLS about. A
scheduled run costs little when nothing is new: the pipeline sends If-None-Match /
If-Modified-Since from the holdings, gets 304 (or the same sha256) and skips parsing, so the
schedules can be generous (weekly through a release window) without re-curating anything.

Declarations (`CALENDAR`, `deployment_specs`) need no Prefect; only `build`, `apply`, `serve` and
`create_failure_automation` import it, after the CLI has set the PREFECT_* defaults.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from occstats.errors import ConfigError
from occstats.products import REGISTRY
from occstats.settings import redact

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

# BLS announces its releases in Eastern time (the news releases go out at 8:30 or 10:00 ET).
TIMEZONE = "America/New_York"
DEFAULT_NAME = "occstats"  # deployments are "<flow>/<name>", e.g. refresh-oes/occstats
ALL = "all"  # the refresh-all deployment's key in CALENDAR
AUTOMATION_NAME = "occstats: refresh failed"
WEBHOOK_BLOCK = "occstats-failure-webhook"
FAILED_EVENTS = ("prefect.flow-run.Failed", "prefect.flow-run.Crashed")


@dataclass(frozen=True)
class When:
    """One recurring time a product is checked: a cron in TIMEZONE, and why then."""

    cron: str
    reason: str
    day_or: bool = True  # False: day-of-month AND day-of-week (cron's default is OR)


# OES/OEWS: the May estimates come out the following spring. BLS published May 2023 on 2024-04-03
# and May 2024 on 2025-04-02; earlier years fell between late March and May. Wednesday mornings,
# after the 10:00 ET release, through the window. The time-series database at download.bls.gov is
# replaced with the same release, so it shares the calendar.
_OES = (
    When("0 11 22-31 3 3", "OES spring release window opens (late March)", day_or=False),
    When("0 11 * 4-5 3", "OES spring release window (April and May)"),
)
# Employment Projections: one cycle a year, released in late summer (early September most years,
# late August in some), replacing occupation.xlsx and the industry matrix in place. The OOH's
# projections, pay and education tables (occstats.ooh) are built from EP and OES, so this covers
# the OOH refresh too. Thursday mornings from late August to the end of September.
_EP = (
    When("0 11 22-31 8 4", "EP release window opens (late August)", day_or=False),
    When("0 11 * 9 4", "EP release window (September)"),
)
# SOC: revised about once a decade (2000, 2010, 2018) with occasional crosswalk corrections; the
# OES hybrid structures appear with an OES release. One cheap conditional check a month is plenty.
_SOC = (When("0 11 1 * *", "SOC files change rarely: once a month"),)

CALENDAR: dict[str, tuple[When, ...]] = {
    "soc": _SOC,
    "oes": _OES,
    "oes_timeseries": _OES,
    # The industry, state, metro and all-data files come out with the national release.
    "oes-industry": _OES,
    "oes-state": _OES,
    "oes-metro": _OES,
    "oes-all": _OES,
    "ep": _EP,
    "ep-matrix": _EP,
    # No schedule: the product deployments cover the calendar; refresh-all is for a manual catch-up
    # (`prefect deployment run refresh-all/occstats`), e.g. after a code change.
    ALL: (),
}


def calendar(product: str) -> tuple[When, ...]:
    """A product's schedule; a product added to the registry without one is a clear error."""
    try:
        return CALENDAR[product]
    except KeyError:
        raise ConfigError(f"no schedule is declared for product {product!r} in occstats.deployments.CALENDAR") from None


@dataclass(frozen=True)
class DeploymentSpec:
    """What one deployment is, as data: the flow it runs, its name, parameters and schedules."""

    flow_name: str  # e.g. "refresh-oes"
    attribute: str  # the flow's name in flows.refresh, e.g. "refresh_oes" (the deployment's entrypoint)
    name: str
    parameters: dict[str, Any]
    schedules: tuple[When, ...]
    tags: tuple[str, ...] = field(default=("occstats",))

    @property
    def full_name(self) -> str:
        return f"{self.flow_name}/{self.name}"

    @property
    def entrypoint(self) -> str:
        return f"flows.refresh.{self.attribute}"


def deployment_parameters(data_dir: str | Path, mirror: str | None, user_agent: str | None) -> dict[str, Any]:
    """The flow parameters a scheduled run needs: the data dir and a mirror directory absolute (or
    URLs), never `./data` of whatever directory serves them; user_agent None means the serving
    process's OCCSTATS_USER_AGENT or the default.

    The mirror is recorded without credentials: a run given the redacted URL takes them from
    OCCSTATS_MIRROR in the serving process's environment (Settings.resolve).
    """
    return {
        "data_dir": _absolute(str(data_dir)),
        "mirror": redact(_absolute(mirror)) if mirror else None,
        "user_agent": user_agent,
    }


def _absolute(location: str) -> str:
    """A URL as given; a path made absolute, so a run started from any directory finds it."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", location):
        return location
    return str(Path(location).expanduser().resolve())


def deployment_specs(
    data_dir: str | Path, mirror: str | None = None, user_agent: str | None = None, name: str = DEFAULT_NAME
) -> list[DeploymentSpec]:
    """One deployment per product of the registry, in its order, then refresh-all."""
    parameters = deployment_parameters(data_dir, mirror, user_agent)
    specs = [
        DeploymentSpec(f"refresh-{p}", f"refresh_{p.replace('-', '_')}", name, parameters, calendar(p))
        for p in REGISTRY
    ]
    return [*specs, DeploymentSpec("refresh-all", "refresh_all", name, parameters, calendar(ALL))]


def describe(specs: Sequence[DeploymentSpec]) -> str:
    """What `occstats deploy` creates, for people: each deployment with its schedules, then the parameters."""
    lines = []
    for spec in specs:
        when = "; ".join(f"{w.cron}{'' if w.day_or else ' (day AND weekday)'}" for w in spec.schedules)
        lines.append(f"{spec.full_name:<34} {when + ' ' + TIMEZONE if when else 'no schedule (run on demand)'}")
    parameters = specs[0].parameters if specs else {}
    lines.append("parameters: " + ", ".join(f"{k}={v}" for k, v in parameters.items()))
    return "\n".join(lines)


# -- Prefect ---------------------------------------------------------------------------------------
def build(specs: Sequence[DeploymentSpec]) -> list[RunnerDeployment]:
    """Prefect deployments for the specs (imports the flows: call after the PREFECT_* defaults are set)."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    import flows.refresh as module

    deployments = []
    for spec in specs:
        flow = getattr(module, spec.attribute)
        if flow.name != spec.flow_name:
            raise ConfigError(f"flows.refresh.{spec.attribute} is flow {flow.name!r}, not {spec.flow_name!r}")
        deployment = flow.to_deployment(
            name=spec.name,
            parameters=spec.parameters,
            schedules=[Cron(w.cron, timezone=TIMEZONE, day_or=w.day_or) for w in spec.schedules],
            tags=list(spec.tags),
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        # The product flows are made by one factory, so the function's own name ("refresh") does not
        # find them: point the entrypoint at the module attribute that holds each one.
        deployment.entrypoint = spec.entrypoint
        deployments.append(deployment)
    return deployments


def apply(specs: Sequence[DeploymentSpec], work_pool: str | None = None) -> dict[str, str]:
    """Create or update the deployments on the Prefect API; returns full name -> deployment id.

    With a work pool the runs go to a worker (`prefect worker start --pool P`, started where the
    occstats package is importable); the pool is created (type process) when it does not exist.
    Without one they are run by `occstats deploy --serve`.
    """
    if work_pool:
        _ensure_work_pool(work_pool)
    return {spec.full_name: str(d.apply(work_pool_name=work_pool)) for spec, d in zip(specs, build(specs), strict=True)}


def _ensure_work_pool(name: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))


def serve(specs: Sequence[DeploymentSpec]) -> None:
    """Create the deployments and run their scheduled runs in this process until Ctrl-C or SIGTERM.

    What `prefect.serve` does, but stoppable: Prefect 3.8's own SIGTERM handler waits forever on a
    shutdown call it never schedules, so a `kill` (or a service manager's stop) left the process
    running. SIGTERM here ends it as Ctrl-C does; the runner then pauses the schedules it served.
    """
    import asyncio

    from prefect.runner import Runner

    runner = Runner(name=f"occstats-{specs[0].name}" if specs else "occstats", pause_on_shutdown=True)
    for deployment in build(specs):
        runner.add_deployment(deployment)
    runner.handle_sigterm = _interrupt  # type: ignore[method-assign]  # installed by Runner.start
    names = ", ".join(spec.full_name for spec in specs)
    print(f"serving {names}; Ctrl-C or SIGTERM stops", flush=True)
    try:
        asyncio.run(runner.start())
    except KeyboardInterrupt:
        print("stopped serving; the schedules stay paused until the next `occstats deploy`", flush=True)


def _interrupt(*_: Any) -> None:
    raise KeyboardInterrupt


# -- notification ----------------------------------------------------------------------------------
# Sent as the webhook's body (JSON). Prefect fills the Jinja fields from the flow run that failed.
WEBHOOK_PAYLOAD = (
    '{"text": "occstats: {{ flow.name }} run {{ flow_run.name }} ended {{ flow_run.state.name }}", '
    '"flow": "{{ flow.name }}", "flow_run": "{{ flow_run.name }}", "flow_run_id": "{{ flow_run.id }}", '
    '"state": "{{ flow_run.state.name }}", "deployment": "{{ deployment.name }}"}'
)


def failure_automation(block_document_id: Any, flow_names: Sequence[str]) -> Any:
    """A Prefect automation that calls the webhook block when a refresh flow run fails or crashes."""
    from prefect.automations import AutomationCore, CallWebhook, EventTrigger, Posture

    return AutomationCore(
        name=AUTOMATION_NAME,
        description="Calls the occstats failure webhook when a refresh flow run ends Failed or Crashed",
        trigger=EventTrigger(
            expect=set(FAILED_EVENTS),
            match={"prefect.resource.id": "prefect.flow-run.*"},
            match_related={"prefect.resource.role": "flow", "prefect.resource.name": list(flow_names)},
            posture=Posture.Reactive,
            threshold=1,
        ),
        actions=[CallWebhook(block_document_id=block_document_id, payload=WEBHOOK_PAYLOAD)],
    )


def check_webhook(url: str) -> str:
    """A webhook is an http(s) URL with a host: checked before Prefect starts."""
    if not re.match(r"^https?://[^/\s?#]+", url):
        raise ConfigError(f"--notify-webhook {redact(url)!r} is not an http(s) URL")
    return url


def create_failure_automation(url: str, flow_names: Sequence[str]) -> str:
    """Save the webhook block (the URL kept as a secret) and create or update the automation; its id."""
    from prefect.blocks.webhook import Webhook
    from prefect.client.orchestration import get_client

    check_webhook(url)
    block = Webhook(method="POST", url=url, headers={"Content-Type": "application/json"})
    block_id = block.save(WEBHOOK_BLOCK, overwrite=True)
    automation = failure_automation(block_id, flow_names)
    with get_client(sync_client=True) as client:
        existing = client.read_automations_by_name(AUTOMATION_NAME)
        if existing:
            client.update_automation(existing[0].id, automation)
            for extra in existing[1:]:
                client.delete_automation(extra.id)
            return str(existing[0].id)
        return str(client.create_automation(automation))
