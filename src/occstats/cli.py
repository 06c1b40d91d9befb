"""`occstats`: refresh, import, query and inspect the curated tables.

Exit codes: 0 all good; 1 a release failed (others still finished); 2 a usage or configuration
error; 3 only releases that upstream does not have (e.g. the mirror lacks 2006 and 2009); 4 (`audit`)
a page quotes a figure that is stale, mislabeled or matches nothing; 5 (`check`) a release is new upstream;
130 / 143 a refresh stopped by Ctrl-C / SIGTERM (every table left at its last good version). After 0 or 3,
`refresh` and `import` say "new: N release(s) curated" or "nothing new: no release curated, no table changed"
just before their closing lines (where the data is, what changed, what next, what the exit code means).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from occstats import __version__
from occstats.errors import ConfigError, OccstatsError
from occstats.products import REGISTRY
from occstats.render import FORMATS, jsonable, render, render_wide
from occstats.settings import ENV_DATA_DIR, ENV_MIRROR, ENV_USER_AGENT, Settings, apply_prefect_environment, redact

if TYPE_CHECKING:
    from occstats.store import Store

PRODUCTS = tuple(REGISTRY)


WRITING_COMMANDS = ("refresh", "import", "restore")


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.resolve(
        data_dir=args.data_dir,
        mirror=getattr(args, "mirror", None),
        user_agent=getattr(args, "user_agent", None),
        writable=args.command in WRITING_COMMANDS,
    )


# -- refresh and import --------------------------------------------------------------------------
def _check_refresh_args(args: argparse.Namespace) -> Settings:
    """Everything a refresh can get wrong, checked before Prefect is imported or started (a second, not 15)."""
    from occstats.catalog import parse_years
    from occstats.orchestrator import check_api_url

    settings = _settings(args)  # data dir, mirror scheme, OCCSTATS_* numbers
    if args.years and not (args.product in REGISTRY and REGISTRY[args.product].takes_years):
        takes = ", ".join(f"`refresh {n}`" for n, p in REGISTRY.items() if p.takes_years)
        raise ConfigError(f"--years applies to {takes} only")
    if args.years:
        REGISTRY[args.product].catalog.releases(parse_years(args.years))  # the catalog refuses years it cannot plan
    check_api_url()
    return settings


def _curated_line(reports: Sequence[Any]) -> str:
    """Whether this run brought anything new: the last line after exit 0 or 3, for schedulers to read."""
    from occstats.pipeline import State

    new = sum(1 for r in reports for o in r.outcomes if o.state is State.CURATED)
    if new:
        return f"new: {new} release{'s' if new != 1 else ''} curated"
    if any(r.versions for r in reports):
        return "new: no release curated, derived tables rebuilt"
    return "nothing new: no release curated, no table changed"


def cmd_refresh(args: argparse.Namespace) -> int:
    from occstats.fetch import sweep_staging
    from occstats.raw import RawStore

    settings = _check_refresh_args(args)
    sweep_staging(RawStore(settings.raw_dir).staging_dir(), settings.fetch_deadline)  # what a kill -9 left behind
    apply_prefect_environment(settings.local_dir)  # Prefect's home is local, even for an s3:// data dir
    from occstats.orchestrator import Interrupted, Orchestrator, signals_interrupt

    orchestrator = Orchestrator()
    try:
        with signals_interrupt():
            offline = _unreachable_upstream(args, settings)
            if offline is not None:  # every release would fail at once: not worth the orchestrator's start-up
                return _summarise(offline, settings)
            orchestrator.start()  # says so first: the embedded server takes 10-20 s to start
            from flows.refresh import PRODUCT_FLOWS, refresh_all, report_of  # after PREFECT_* defaults are set

            common = flow_parameters(settings)  # never a secret: Prefect records parameters
            if args.product == "all":  # one parent run, a subflow per product
                results = list(report_of(refresh_all(**common, return_state=True)).values())
            else:
                results = [report_of(PRODUCT_FLOWS[args.product](years=args.years, **common, return_state=True))]
    except Interrupted as stop:
        orchestrator.exit_code = stop.exit_code  # the process ends right after the server stopped (atexit)
        print(
            f"occstats: stopped by {signal_name(stop)}: every table is at its last good version and no partial "
            "raw file was kept; run the refresh again to finish",
            file=sys.stderr,
        )
        return stop.exit_code
    # the embedded server stops at exit, after Prefect has flushed its logs to it (atexit, in that order)
    return _summarise(results, settings)


def _unreachable_upstream(args: argparse.Namespace, settings: Settings) -> list[dict] | None:
    """Offline and no running Prefect server: the refresh without the orchestrator (occstats.reachability).

    None when the refresh takes its normal path: PREFECT_API_URL names a server (its automations should
    see the Failed run), a mirror directory or proxy is used, or one upstream host answers.
    """
    from occstats.catalog import parse_years
    from occstats.orchestrator import ENV_API_URL
    from occstats.pipeline import refresh
    from occstats.reachability import all_unreachable

    if os.environ.get(ENV_API_URL):
        return None
    names = list(REGISTRY) if args.product == "all" else [args.product]
    years = parse_years(args.years)
    hosts = all_unreachable(settings, names, years)
    if hosts is None:
        return None
    where = ", ".join(f"{host} ({reason})" for host, reason in hosts.items())
    logging.getLogger("occstats.progress").info(
        "occstats: cannot reach %s: every release fails without starting the orchestrator "
        "(a run against a Prefect server, PREFECT_API_URL=…, is recorded there)",
        where,
    )
    return [refresh(settings, name, years).to_dict() for name in names]


def signal_name(stop: Any) -> str:
    return "Ctrl-C (SIGINT)" if stop.exit_code == 130 else "SIGTERM" if stop.exit_code == 143 else str(stop)


def _summarise(results: Sequence[dict], settings: Settings) -> int:
    from occstats.pipeline import RunReport
    from occstats.report import text_summary

    reports = [RunReport.from_dict(r) for r in results]
    for report in reports:
        print(text_summary(report))
    code = max(r.exit_code for r in reports)
    if code in (0, 3):
        print(_curated_line(reports))
    print(_closing(reports, settings))
    return code


def flow_parameters(settings: Settings) -> dict[str, Any]:
    """What a flow run is given: Prefect records parameters in its database and logs, so never a secret.

    The mirror goes as its redacted URL; a password in it reaches the flow through OCCSTATS_MIRROR
    (this process's environment, which the in-process flow reads), where Settings.resolve finds it again.
    """
    mirror = settings.mirror
    if mirror is not None and redact(mirror) != mirror:
        os.environ[ENV_MIRROR] = mirror
    return {"data_dir": str(settings.data_dir), "mirror": redact(mirror), "user_agent": settings.user_agent}


def cmd_import(args: argparse.Namespace) -> int:
    from occstats.pipeline import import_files
    from occstats.report import text_summary

    settings = _settings(args)
    if args.year and len(args.files) > 1:
        raise ConfigError("--year applies to a single file")
    # a directory stands for the files in it (the matrix comes as one workbook per industry)
    files = [
        f
        for arg in map(Path, args.files)
        for f in (sorted(p for p in arg.iterdir() if p.is_file()) if arg.is_dir() else [arg])
    ]
    report = import_files(settings, args.product, files, str(args.year) if args.year else None)
    print(text_summary(report))
    if report.exit_code in (0, 3):
        print(_curated_line([report]))
    print(_closing([report], settings))
    return report.exit_code


def _closing(reports: Sequence[Any], settings: Settings) -> str:
    """Where the data went, what changed, what next, what the exit code means (report.closing_summary)."""
    from occstats.report import closing_summary

    default_dir = Path(os.environ.get(ENV_DATA_DIR) or "data")  # what the next command finds without --data-dir
    return closing_summary(reports, settings.data_dir, mirror=settings.mirror is not None, default_dir=default_dir)


# -- scheduling ----------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 nothing new upstream, 5 something new, 1 a release could not be checked (occstats.check)."""
    from occstats.check import check, exit_code, text_report

    settings = _settings(args)
    findings = check(settings, PRODUCTS if args.product == "all" else (args.product,))
    if args.format == "json":
        print(json.dumps([f.to_dict() for f in findings], indent=2))
    else:
        print(text_report(findings))
    return exit_code(findings)


def cmd_deploy(args: argparse.Namespace) -> int:
    from occstats import deployments

    settings = _settings(args)
    if args.notify_webhook:
        deployments.check_webhook(args.notify_webhook)
    specs = deployments.deployment_specs(
        settings.data_dir, settings.mirror, args.user_agent or os.environ.get(ENV_USER_AGENT), args.name
    )
    apply_prefect_environment(settings.local_dir)
    print(deployments.describe(specs))
    if args.notify_webhook:
        automation = deployments.create_failure_automation(args.notify_webhook, [s.flow_name for s in specs])
        print(f"automation {deployments.AUTOMATION_NAME!r} ({automation}): Failed or Crashed runs call the webhook")
    if args.serve:
        deployments.serve(specs)  # creates the deployments, then runs their schedules until stopped
        return 0
    ids = deployments.apply(specs, args.work_pool)
    from prefect.settings import get_current_settings

    current = get_current_settings()
    where = current.api.url or f"the embedded server's database in {current.home}"
    print(f"{len(ids)} deployments created or updated on {where}")
    if args.work_pool:
        print(f"run them with a worker: prefect worker start --pool {args.work_pool}")
    else:
        print("run their schedules with `occstats deploy --serve` (the same options), left running")
    return 0


# -- reading -------------------------------------------------------------------------------------
def _curated(args: argparse.Namespace) -> Store:
    """The data directory's tables; a directory with none is named, with what to run."""
    from occstats.store import Store

    settings = _settings(args)
    store = Store(settings.curated_dir)
    if not store.names():
        state = "does not exist" if not settings.data_dir.exists() else "holds no curated tables"
        raise ConfigError(
            f"data directory {settings.data_dir} {state}: run `occstats refresh all` to curate the BLS releases "
            f"into it, or point --data-dir (or {ENV_DATA_DIR}) at one that has them"
        )
    return store


def cmd_query(args: argparse.Namespace) -> int:
    from occstats.query import check_sql, parse_as_of, run

    check_sql(args.sql)
    as_of = parse_as_of(args.as_of)
    columns, rows = run(_curated(args), args.sql, as_of)
    print(render(columns, rows, args.format))
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    from occstats.inventory import release_inventory, table_inventory

    if args.releases:
        rows = release_inventory(_curated(args))
        columns = ["table", "release", "family", "rows", "files"]
    else:
        rows = table_inventory(_curated(args))
        columns = ["table", "version", "rows", "last_write", "releases", "by_family"]
    if args.format == "json":
        print(json.dumps(jsonable(rows), indent=2))
    else:
        print(render(columns, [tuple(r[c] for c in columns) for r in rows], args.format))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    store = _curated(args)
    if not store.exists(args.table):
        raise ConfigError(f"no table {args.table!r} in {store.root}; tables: {', '.join(store.names()) or 'none'}")
    entries = store.history(args.table)
    if args.format == "json":
        print(json.dumps(jsonable(entries), indent=2))
        return 0
    from occstats.inventory import describe_releases

    columns = ["version", "timestamp", "operation", "rows_added", "releases", "raw_files", "code_version"]
    rows = []
    for e in entries:
        keys = e.get("releases", [])
        releases = describe_releases(list(keys[0]) if keys else [], [tuple(r.values()) for r in keys])
        sources = e.get("sources", [])
        raw = f"{sources[0]['sha256'][:12]}" if len(sources) == 1 else f"{len(sources)} files" if sources else ""
        operation = e.get("reason") if e.get("restored_to") is not None else e["operation"]
        rows.append(
            (e["version"], e["timestamp"], operation, e.get("rows_added"), releases, raw, e.get("code_version"))
        )
    print(render(columns, rows, args.format))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from occstats.fingerprint import code_version
    from occstats.store import Store

    store = Store(_settings(args).curated_dir)
    if not store.exists(args.table):
        raise ConfigError(f"no table {args.table!r} in {store.root}; tables: {', '.join(store.names()) or 'none'}")
    metadata: dict[str, Any] = {"code_version": code_version()}
    if args.reason:
        metadata["reason"] = f"restore of v{args.version}: {args.reason}"
    try:
        version = store.restore(args.table, args.version, metadata)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    if version is None:
        print(f"{args.table} is at version {args.version} already; nothing written")
    else:
        print(f"{args.table}: restored version {args.version} as version {version}")
    return 0


def cmd_lineage(args: argparse.Namespace) -> int:
    from occstats.lineage import from_store, lineage

    store = _curated(args)
    steps = lineage(from_store(store), args.code, args.system)
    if args.format == "json":
        print(json.dumps(steps, indent=2))
        return 0
    columns = ["step", "system", "code", "title", "releases", "from", "relationship", "source"]
    rows = []
    for s in steps:
        links = s["from"] or [{"from_code": "", "relationship": "(start)" if s["step"] == 1 else "", "source": ""}]
        for n, link in enumerate(links):
            first = n == 0
            rows.append(
                (
                    s["step"] if first else "",
                    s["system"] if first else "",
                    s["code"] if first else "",
                    s["title"] if first else "",
                    s["releases"] if first else "",
                    link["from_code"],
                    link["relationship"] + (" (anchor)" if s["anchor"] and first else ""),
                    link["source"],
                )
            )
    print(render(columns, rows, args.format) if args.format == "csv" else render_wide(columns, rows))
    return 0


def cmd_series(args: argparse.Namespace) -> int:
    from occstats import places
    from occstats.lineage import from_store, series

    if args.first is not None and args.last is not None and args.first > args.last:
        raise ConfigError(f"--from {args.first} is after --to {args.last}: the range holds no year")
    place, industry = places.area(args.area), places.industry(args.industry)
    store = _curated(args)
    rows = series(
        store,
        from_store(store),
        args.code,
        args.measure,
        first=args.first,
        last=args.last,
        system=args.system,
        place=place,
        industry=industry,
    )
    if args.format == "json":
        print(json.dumps(jsonable(rows), indent=2))
        return 0
    columns = [
        "release",
        "dataset",
        "soc_system",
        "soc_code",
        "value",
        "status",
        "comparable",
        "relationship",
        "components",
        "summed_value",
        "note",
    ]
    table = [tuple(r[c] for c in columns) for r in rows]
    print(render(columns, table, args.format) if args.format == "csv" else render_wide(columns, table))
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    from occstats.cards import build_card, card_rows
    from occstats.store import Store

    card = build_card(Store(_settings(args).curated_dir), args.code)
    if args.format == "json":
        print(json.dumps(card, indent=2))
        return 0
    print(f"{card['soc_code']} {card['title']} ({card['kind']})")
    columns = ["figure", "value", "release", "sha256", "note"]
    print(render_wide(columns, card_rows(card)))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from occstats.audit import EXIT_CODES, audit_file, render_audit
    from occstats.store import Store

    result = audit_file(Store(_settings(args).curated_dir), Path(args.file), args.soc)
    print(render_audit(result, args.format))
    return EXIT_CODES[result["outcome"]]


def cmd_dictionary(args: argparse.Namespace) -> int:
    from occstats.dictionary import markdown

    text = markdown()
    if args.output:
        Path(args.output).write_text(text)
    else:
        print(text, end="")
    return 0


# -- publishing ----------------------------------------------------------------------------------
def _published_dir(args: argparse.Namespace) -> Path:
    if args.out:
        return Path(args.out).expanduser().resolve()
    data_dir = _settings(args).data_dir
    if not isinstance(data_dir, Path):  # releases are written locally (served from a folder)
        raise ConfigError(f"data directory {data_dir} is on object storage: give --out DIR for the published releases")
    return data_dir / "published"


def cmd_publish(args: argparse.Namespace) -> int:
    from occstats.publishing.release import publish
    from occstats.store import Store

    result = publish(Store(_settings(args).curated_dir), _published_dir(args))
    print(result.message)
    if result.changelog is not None:
        for item in result.changelog["bls_releases"]:
            print(f"  {item['change']}: {item['release']} ({', '.join(item['tables'])})")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from occstats.publishing.api import create_app
    from occstats.publishing.release import release_dir

    folder = release_dir(_published_dir(args), args.release)
    print(f"serving {folder} on http://{args.host}:{args.port} (read-only; OpenAPI at /docs)", file=sys.stderr)
    uvicorn.run(create_app(folder), host=args.host, port=args.port, log_level="warning" if args.quiet else "info")
    return 0


def cmd_chart(args: argparse.Namespace) -> int:
    from occstats.chart import held_releases, plot_series
    from occstats.lineage import from_store, series
    from occstats.store import Store

    if args.area not in (None, "99", "national"):
        raise ConfigError(f"--area {args.area}: only national figures (area 99) are curated so far")
    store = Store(_settings(args).curated_dir)
    rows = series(
        store, from_store(store), args.code, args.measure, first=args.first, last=args.last, system=args.system
    )
    path = plot_series(rows, code=args.code, measure=args.measure, out=Path(args.out))
    print(f"wrote {path} ({len(held_releases(rows))} releases)")
    return 0


# -- wiring --------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", help=f"data directory holding raw/ and curated/ (env {ENV_DATA_DIR}; default ./data)"
    )
    common.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    parser = argparse.ArgumentParser(prog="occstats", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"occstats {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "refresh",
        parents=[common],
        help="fetch, land, curate (runs the Prefect flow)",
        description=(
            "Fetch, land and curate through the Prefect flow. With no PREFECT_API_URL it starts Prefect's embedded "
            "server for the run (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, default 120) and stops it at "
            "the end, however the run ends (not at all when no upstream host can be reached: every release then fails "
            "at once, without it); with PREFECT_API_URL=http://HOST:4200/api it runs against that server. "
            "Exit 0 all good, 1 a release failed (the flow run ends Failed), 2 a usage error, 3 only releases "
            "upstream does not have, 130/143 stopped by Ctrl-C/SIGTERM; after 0 or 3 the last line is "
            "'new: N releases curated' or 'nothing new: …'."
        ),
    )
    p.add_argument("product", choices=[*PRODUCTS, "all"])
    p.add_argument("--years", help="OES survey years, e.g. 2008,2010-2025 (default: every year in the catalog)")
    p.add_argument("--mirror", help=f"directory or http(s) prefix mirroring https://HOST/PATH (env {ENV_MIRROR})")
    p.add_argument("--user-agent", help=f"contact User-Agent BLS requires (env {ENV_USER_AGENT})")
    p.set_defaults(handler=cmd_refresh)

    p = sub.add_parser(
        "check",
        parents=[common],
        help="dry run: which releases are new upstream (exit 0 nothing new, 5 something new, 1 a check failed)",
    )
    p.add_argument("product", nargs="?", choices=[*PRODUCTS, "all"], default="all")
    p.add_argument("--mirror", help=f"directory or http(s) prefix mirroring https://HOST/PATH (env {ENV_MIRROR})")
    p.add_argument("--user-agent", help=f"contact User-Agent BLS requires (env {ENV_USER_AGENT})")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser(
        "deploy", parents=[common], help="Prefect deployments on BLS's calendar, one per product plus refresh-all"
    )
    p.add_argument("--mirror", help=f"mirror the scheduled runs read (env {ENV_MIRROR})")
    p.add_argument("--user-agent", help=f"contact User-Agent BLS requires (env {ENV_USER_AGENT})")
    p.add_argument("--name", default="occstats", help="deployment name (each is FLOW/NAME; default occstats)")
    p.add_argument("--notify-webhook", metavar="URL", help="also create an automation that POSTs here on failed runs")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--work-pool", metavar="POOL", help="attach to this work pool (created as type process if new)")
    how.add_argument("--serve", action="store_true", help="create them and run their schedules here until stopped")
    p.set_defaults(handler=cmd_deploy)

    p = sub.add_parser("import", parents=[common], help="land local files (old releases) and curate them")
    p.add_argument("product", choices=PRODUCTS)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--year", type=int, help="survey year, where the file does not say")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("query", parents=[common], help="SQL (DuckDB) over the latest version of every table")
    p.add_argument("sql")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.add_argument("--as-of", action="append", metavar="TABLE=VERSION", help="read TABLE at VERSION (repeatable)")
    p.set_defaults(handler=cmd_query)

    p = sub.add_parser("tables", parents=[common], help="each table: version, rows, last write, releases")
    p.add_argument(
        "--releases", action="store_true", help="one line per table x release and family (dataset): rows, files"
    )
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_tables)

    p = sub.add_parser("history", parents=[common], help="a table's versions with time, operation, provenance")
    p.add_argument("table")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("restore", parents=[common], help="bring a table back to an earlier version, as a new version")
    p.add_argument("table")
    p.add_argument("version", type=int, help="the version to bring back (see `occstats history TABLE`)")
    p.add_argument("--reason", help="why, recorded in the new version's provenance")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("lineage", parents=[common], help="the codes an occupation maps through, release by release")
    p.add_argument("code", help="an occupation code, e.g. 29-2071")
    p.add_argument("--system", help="the classification CODE belongs to (default: the latest that has it)")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_lineage)

    p = sub.add_parser("series", parents=[common], help="one occupation's figure in every OES release")
    p.add_argument("code", help="an occupation code, e.g. 29-2071")
    p.add_argument(
        "--measure",
        required=True,
        help="employment, annual_median, hourly_median, annual_mean, annual_p10 … hourly_p90",
    )
    p.add_argument("--from", dest="first", type=int, help="first reference year")
    p.add_argument("--to", dest="last", type=int, help="last reference year")
    p.add_argument("--system", help="the classification CODE belongs to (default: the latest that has it)")
    p.add_argument(
        "--area",
        help="a state (postal code CA or FIPS 06), a metropolitan CBSA code (31080) or a time-series area code "
        "(0600000); default the nation, from the national workbooks where a release has both families",
    )
    p.add_argument("--industry", help="an industry code as BLS publishes it (622100, 31--33); default cross-industry")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_series)

    p = sub.add_parser("card", parents=[common], help="an occupation's fact card: every figure with its release")
    p.add_argument("code", help="an occupation code, e.g. 29-2072")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_card)

    p = sub.add_parser(
        "audit",
        parents=[common],
        help="check the BLS figures a page quotes (exit 0 all match, 4 something stale, mislabeled or inconsistent)",
    )
    p.add_argument("file", help="the page: plain text or HTML")
    p.add_argument("--soc", help="the occupation code (default: found from the page's title words)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_audit)

    p = sub.add_parser("dictionary", parents=[common], help="print (or write) the data dictionary")
    p.add_argument("--output", help="write to this file instead of stdout")
    p.set_defaults(handler=cmd_dictionary)

    p = sub.add_parser("publish", parents=[common], help="write a numbered data release (Parquet, datapackage.json)")
    p.add_argument("--out", help="folder of the data releases (default DATA_DIR/published)")
    p.set_defaults(handler=cmd_publish)

    p = sub.add_parser("serve", parents=[common], help="read-only HTTP API over a data release")
    p.add_argument("--out", help="folder of the data releases (default DATA_DIR/published)")
    p.add_argument("--release", default="latest", help="'latest' or a release number")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("chart", parents=[common], help="chart one occupation's series, SOC changes marked")
    p.add_argument("code", help="an occupation code, e.g. 29-2071")
    p.add_argument("--measure", required=True, help="employment, annual_median, hourly_median, annual_p90 …")
    p.add_argument("--area", help="area code; only 99 (national) is curated so far")
    p.add_argument("--from", dest="first", type=int, help="first reference year")
    p.add_argument("--to", dest="last", type=int, help="last reference year")
    p.add_argument("--system", help="the classification CODE belongs to (default: the latest that has it)")
    p.add_argument("--out", required=True, help="FILE.png or FILE.svg")
    p.set_defaults(handler=cmd_chart)
    return parser


def _configure_logging(quiet: bool) -> None:
    progress = logging.getLogger("occstats.progress")
    progress.setLevel(logging.WARNING if quiet else logging.INFO)
    if not any(getattr(h, "_occstats", False) for h in progress.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._occstats = True  # type: ignore[attr-defined]
        progress.addHandler(handler)
        progress.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging(args.quiet)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # a reader that left (`| head`) is noticed here, not at interpreter exit
        return code
    except BrokenPipeError:
        # The reader has what it wanted: stop quietly, as `cat` does (128 + SIGPIPE), with
        # stdout sent nowhere so that the interpreter's own flush at exit finds no broken pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except ConfigError as exc:
        print(f"occstats: {exc}", file=sys.stderr)
        return 2
    except OccstatsError as exc:
        print(f"occstats: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
