"""`occstats`: refresh, import, query and inspect the curated tables.

Exit codes: 0 all good; 1 a release failed (others still finished); 2 a usage or configuration
error; 3 only releases that upstream does not have (e.g. the mirror lacks 2006 and 2009).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from occstats import __version__
from occstats.errors import ConfigError, OccstatsError
from occstats.products import names as product_names
from occstats.render import FORMATS, jsonable, render, render_wide
from occstats.settings import ENV_DATA_DIR, ENV_MIRROR, ENV_USER_AGENT, Settings, apply_prefect_environment

PRODUCTS = tuple(product_names())


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.resolve(
        data_dir=args.data_dir, mirror=getattr(args, "mirror", None), user_agent=getattr(args, "user_agent", None)
    )


# -- refresh and import --------------------------------------------------------------------------
def cmd_refresh(args: argparse.Namespace) -> int:
    settings = _settings(args)
    apply_prefect_environment(settings.data_dir)
    from flows.refresh import PRODUCT_FLOWS, refresh_all  # imported after PREFECT_* defaults are set
    from occstats.pipeline import RunReport
    from occstats.report import text_summary

    if args.years and args.product != "oes":
        raise ConfigError("--years applies to `refresh oes` only")
    common: dict[str, Any] = {
        "data_dir": str(settings.data_dir),
        "mirror": settings.mirror,
        "user_agent": settings.user_agent,
    }
    if args.product == "all":
        results = list(refresh_all(**common).values())  # one parent run, a subflow per product
    elif args.product == "oes":
        results = [PRODUCT_FLOWS["oes"](years=args.years, **common)]
    else:
        results = [PRODUCT_FLOWS[args.product](**common)]
    reports = [RunReport.from_dict(r) for r in results]
    for report in reports:
        print(text_summary(report))
    return max(r.exit_code for r in reports)


def cmd_import(args: argparse.Namespace) -> int:
    from occstats.pipeline import Job, run_direct
    from occstats.report import text_summary

    settings = _settings(args)
    if args.year and len(args.files) > 1:
        raise ConfigError("--year applies to a single file")
    job = Job(settings, args.product)
    job.expect(len(args.files))
    acquired = [job.acquire_file(Path(f), str(args.year) if args.year else None) for f in args.files]
    report = run_direct(job, acquired)
    print(text_summary(report))
    return report.exit_code


# -- reading -------------------------------------------------------------------------------------
def cmd_query(args: argparse.Namespace) -> int:
    from occstats.query import parse_as_of, run
    from occstats.store import Store

    store = Store(_settings(args).curated_dir)
    if not store.names():
        raise ConfigError(f"no curated tables in {store.root}; run `occstats refresh oes` first")
    columns, rows = run(store, args.sql, parse_as_of(args.as_of))
    print(render(columns, rows, args.format))
    return 0


def cmd_tables(args: argparse.Namespace) -> int:
    from occstats.inventory import table_inventory
    from occstats.store import Store

    store = Store(_settings(args).curated_dir)
    rows = table_inventory(store)
    columns = ["table", "version", "rows", "last_write", "releases"]
    if args.format == "json":
        print(json.dumps(jsonable(rows), indent=2))
    else:
        print(render(columns, [tuple(r[c] for c in columns) for r in rows], args.format))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from occstats.store import Store

    store = Store(_settings(args).curated_dir)
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
        releases = describe_releases([tuple(r.values()) for r in e.get("releases", [])])
        sources = e.get("sources", [])
        raw = f"{sources[0]['sha256'][:12]}" if len(sources) == 1 else f"{len(sources)} files" if sources else ""
        rows.append(
            (e["version"], e["timestamp"], e["operation"], e.get("rows_added"), releases, raw, e.get("code_version"))
        )
    print(render(columns, rows, args.format))
    return 0


def cmd_lineage(args: argparse.Namespace) -> int:
    from occstats.lineage import from_store, lineage
    from occstats.store import Store

    store = Store(_settings(args).curated_dir)
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
    from occstats.lineage import from_store, series
    from occstats.store import Store

    store = Store(_settings(args).curated_dir)
    rows = series(
        store, from_store(store), args.code, args.measure, first=args.first, last=args.last, system=args.system
    )
    if args.format == "json":
        print(json.dumps(jsonable(rows), indent=2))
        return 0
    columns = [
        "release",
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


def cmd_dictionary(args: argparse.Namespace) -> int:
    from occstats.dictionary import markdown

    text = markdown()
    if args.output:
        Path(args.output).write_text(text)
    else:
        print(text, end="")
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

    p = sub.add_parser("refresh", parents=[common], help="fetch, land, curate (runs the Prefect flow)")
    p.add_argument("product", choices=[*PRODUCTS, "all"])
    p.add_argument("--years", help="OES survey years, e.g. 2008,2010-2025 (default: every year in the catalog)")
    p.add_argument("--mirror", help=f"directory or http(s) prefix mirroring https://HOST/PATH (env {ENV_MIRROR})")
    p.add_argument("--user-agent", help=f"contact User-Agent BLS requires (env {ENV_USER_AGENT})")
    p.set_defaults(handler=cmd_refresh)

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
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_tables)

    p = sub.add_parser("history", parents=[common], help="a table's versions with time, operation, provenance")
    p.add_argument("table")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(handler=cmd_history)

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
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_series)

    p = sub.add_parser("dictionary", parents=[common], help="print (or write) the data dictionary")
    p.add_argument("--output", help="write to this file instead of stdout")
    p.set_defaults(handler=cmd_dictionary)
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
        return args.handler(args)
    except ConfigError as exc:
        print(f"occstats: {exc}", file=sys.stderr)
        return 2
    except OccstatsError as exc:
        print(f"occstats: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
