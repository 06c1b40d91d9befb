"""Time the ingest of the OEWS time-series data file against the floor: a bare pyarrow.csv read of the
same file plus a Parquet write of what it read. Print the ratio and each scenario's peak memory.

- `floor`: `pyarrow.csv.read_csv` of oe.data.0.Current (tab-separated, default inference) and
  `pyarrow.parquet.write_table` of the table read;
- `ingest`: occstats' time-series parser (read, split series ids, markers -> statuses, one row per
  estimate, long wages), the pipeline's validation gate (`occstats.products.validate`: the schema's
  checks and the products' own, as a refresh runs them) on every table it produces, and a Delta write
  of each through `occstats.store.Store.write`.

Each scenario runs in a fresh subprocess (its peak RSS is its own), `--repeat` times; the median time is
reported. The full mirror is built with ../shared/tools/build-full-mirror when absent. Usage:

    .venv/bin/python benchmarks/bench_timeseries.py [--mirror DIR] [--repeat 3] [--write]

`--write` puts the figures into benchmarks/RESULTS.md (its own section; the rest is kept).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OCCSTATS_SHARED") or ROOT.parent / "shared")
DATA = Path("download.bls.gov/pub/time.series/oe/oe.data.0.Current")
TIME_TARGET = 2.0
RSS_TARGET_MIB = 1.5 * 1024
START, END = "<!-- timeseries -->", "<!-- /timeseries -->"


def full_mirror(given: str | None) -> Path:
    if given:
        return Path(given)
    tool = SHARED / "tools" / "build-full-mirror"
    if not tool.is_file():
        sys.exit(f"no full mirror given and {tool} is absent")
    out = subprocess.run([sys.executable, str(tool)], check=True, capture_output=True, text=True).stdout
    return Path(out.strip().splitlines()[-1])


# -- scenarios (each runs in its own process) ----------------------------------------------------
def scenario_floor(data: Path, work: Path) -> dict:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(data, parse_options=pacsv.ParseOptions(delimiter="\t"))
    pq.write_table(table, work / "floor.parquet")
    return {"rows_read": table.num_rows}


def scenario_ingest(data: Path, work: Path) -> dict:
    from occstats import products, schema
    from occstats.fetch import sha256_file
    from occstats.sources.oes_timeseries.parser import ReleaseFiles, parse_files
    from occstats.store import Store

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    parsed = parse_files(ReleaseFiles.beside(data), sha256=sha256_file(data), display_name=data.name)
    t1 = time.perf_counter()
    for name, table in parsed.tables.items():  # the pipeline's gate: schema checks and the products' own
        products.validate(schema.table(name), table, release=parsed.label, file=parsed.source_file)
    t2 = time.perf_counter()
    store = Store(work / "curated")
    metadata = {"run_id": "bench", "sources": [{"file": parsed.source_file}]}
    with store.lock():  # as the pipeline's publish step writes a release's tables
        store.write_tables([(schema.table(name), [table]) for name, table in parsed.tables.items()], metadata)
    t3 = time.perf_counter()
    timings = {"parse": round(t1 - t0, 2), "validate": round(t2 - t1, 2), "write": round(t3 - t2, 2)}
    return {"rows": parsed.rows(), "steps": timings}


SCENARIOS = {"floor": scenario_floor, "ingest": scenario_ingest}


def run_one(name: str, data: Path, work: Path) -> None:
    """Child process: run one scenario, print its seconds, peak RSS and outcome as JSON."""
    start = time.perf_counter()
    outcome = SCENARIOS[name](data, work)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib, "outcome": outcome}))


def measure(name: str, data: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-ts-{name}-") as work:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        proc = subprocess.run(
            [sys.executable, __file__, "--child", name, "--data", str(data), "--work", work],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def warm_up(data: Path) -> None:
    """Each scenario once, not recorded: the first process to load pyarrow's libraries and read the file
    pays for cold caches (the floor measured 3.02 s first, then 1.36-1.83 s), and the floor runs first."""
    for name in SCENARIOS:
        measure(name, data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--mirror", help="a full mirror (default: build/find it with ../shared/tools/build-full-mirror)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="put the figures into benchmarks/RESULTS.md")
    parser.add_argument("--child", choices=list(SCENARIOS), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child, Path(args.data), Path(args.work))
        return 0

    data = full_mirror(args.mirror) / DATA
    if not data.is_file():
        sys.exit(f"{data} is absent: build the full mirror with ../shared/tools/build-full-mirror")
    runs: dict[str, list[dict]] = {name: [] for name in SCENARIOS}
    warm_up(data)
    for i in range(args.repeat):
        for name in SCENARIOS:  # interleaved, so a change in machine load hits both alike
            result = measure(name, data)
            runs[name].append(result)
            print(
                f"run {i + 1}/{args.repeat} {name}: {result['seconds']:.2f} s, {result['peak_mib']:.0f} MiB", flush=True
            )

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    floor = median("floor", "seconds")
    rows = []
    for name, title in (("ingest", "ingest (parse, markers, validate, Delta write)"),):
        seconds = median(name, "seconds")
        steps = {
            k: statistics.median(r["outcome"]["steps"][k] for r in runs[name]) for k in ("parse", "validate", "write")
        }
        rows.append(
            (
                name,
                title,
                seconds,
                seconds / floor,
                median(name, "peak_mib"),
                max(r["peak_mib"] for r in runs[name]),
                steps,
            )
        )
    lines = [
        f"file: {data.name} ({data.stat().st_size:,} bytes, {runs['floor'][0]['outcome']['rows_read']:,} data rows)",
        f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end",
        f"median of {args.repeat} runs each after one unrecorded run of each, every run in a fresh process, "
        "the scenarios interleaved",
        "",
        "| scenario | seconds | x floor | peak RSS (MiB) | parse / validate / write (s) |",
        "|---|---:|---:|---:|---|",
        f"| floor (pyarrow.csv read + Parquet write) | {floor:.2f} | 1.0 | {median('floor', 'peak_mib'):.0f} | |",
        *(
            f"| {title} | {sec:.2f} | {ratio:.2f} | {peak:.0f} | "
            f"{st['parse']:.2f} / {st['validate']:.2f} / {st['write']:.2f} |"
            for _, title, sec, ratio, peak, _, st in rows
        ),
        "",
        f"rows produced: {json.dumps(runs['ingest'][-1]['outcome']['rows'])}",
        *(
            f"{name}: time <= {TIME_TARGET:.0f}x floor {'met' if ratio <= TIME_TARGET else 'NOT met'} ({ratio:.2f}x); "
            f"peak RSS <= {RSS_TARGET_MIB:.0f} MiB {'met' if top <= RSS_TARGET_MIB else 'NOT met'} "
            f"({top:.0f} MiB, the highest of the runs)"
            for name, _, _, ratio, _, top, _ in rows
        ),
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_results(report)
    return 0


def write_results(report: str) -> None:
    path = Path(__file__).with_name("RESULTS.md")
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    section = (
        f"{START}\n## OEWS time series: ingest of oe.data.0.Current vs the floor\n\n"
        "`benchmarks/bench_timeseries.py` (rerun with `--write`; the section between the timeseries markers is "
        "replaced, the rest of this file kept).\n\n"
        "How it got here. **2026-11-23** (measured step by step, load ~1-2.5): 35.31 s against a 7.87 s floor "
        "(4.48x), peak 4654 MiB, down to ~11.6 s (2.7x), 1279 MiB: the parser numbers the 370 k estimates in "
        "the tables' cluster order and lays an estimate's 12 wage rows side by side, so the store checks the "
        "order in one pass instead of sorting 4.4 M rows (`store._ordered`); every string column is "
        "dictionary-encoded (the wage table 244 MiB instead of ~1.1 GiB; `store.conformed` keeps the "
        "dictionaries, delta-rs writes plain strings); statuses and markers are scattered as small integers; "
        "series ids are sliced as a byte matrix; the gate encodes dictionary columns without decoding them. "
        "**2026-12-07, a new machine**: the same code measured 7.47 s against a 1.35 s floor (5.55x) and "
        "1577-1610 MiB (memory NOT met): the floor is ~3x faster here than on the machine of 2026-11-24 "
        "(4.29-4.55 s), the ingest ~1.6x, so the ratio moved with the machine, not the code. Then, each "
        "measured as medians of 5 runs in one process (parse / validate / write, s: 2.83 / 1.38 / 2.38 -> "
        "1.96 / 0.75 / 1.84): (1) the file is read by `pyarrow.csv.read_csv` across both cores (0.5 s; the "
        "streaming reader parsed one block at a time, 1.2 s) and its blocks are checked and reduced two at a "
        "time; (2) the gate groups the estimates by their runs where a parser lays an estimate's rows together "
        "(`validate.run_groups`: a pass and a sort of 370 k runs, not of 4.4 M codes), bins estimate x basis "
        "or statistic, and compares dictionary columns once per distinct value; (3) the store's order check "
        "ranks dictionary columns with numpy (0.41 s -> ~0.05 s) and a product's tables are written two at a "
        "time (`Store.write_tables`: the estimates while the wages). Measured and not used: delta-rs given "
        "the wage table in 65,536-row batches writes it in 1.56 s instead of 2.1 s and with +300 instead of "
        "+580 MiB, but does not keep the batches' order (4 M ordered rows in 65,536-row batches came back "
        "with 4-21 descents; in 1 M-row batches, in order), and the row-group pruning needs that order; "
        "writer options (compression none/snappy/zstd/lz4, chunk statistics) moved the wage write by "
        "< 0.25 s; reading decimals' low 64 bits with numpy instead of Arrow's cast was slower. "
        "**2026-12-07/08, main at 88574c0**: the store writes a changed release into Parquet files of its own "
        "with pyarrow, which keeps the dictionaries, and commits them through delta-rs' transaction API "
        "(`delta_files.py`; delta-rs' own writer decoded them and encoded on one core): the write step went "
        "from 2.54-3.34 s to 1.13-1.14 s (medians of this benchmark), the 4.4 M wage rows in three files "
        "written two at a time (1.2 s as one file against ~0.95 s as two or three, measured alone). A data "
        "directory built from the full mirror by this code and one built by the code before hold the same "
        "content, cell for cell (10,795,236 wage rows, 899,603 estimate rows; `compare_data_dirs.py`). "
        "Measured and not used: Parquet writer options (compression, page size, page version, statistics: "
        "1.14-1.46 s against 1.20 s for the default), decimals stored as INT64 (~0.1 s), glibc's transparent "
        "huge pages (no change). **Where the time goes now** (fresh process): imports 0.6-0.9 s and the "
        "sha256 ~0.3 s; the parse 2.7-3.0 s, of which `read_csv` alone is 0.6-1.7 s (the same call, in "
        "fresh processes one after another); the gate 0.9-1.2 s; the write 1.1 s. The ingest now measures "
        "4.3-5.9 s and its ratio moves with the floor: 2.30x against a 2.55 s floor in the run below, 3.38x "
        "against a 1.28 s floor in `bench_all.py` the same hour. The floor reads 6 M rows x 5 columns and "
        "writes them as read; the ingest checks and writes 4.4 M wage rows x 20 columns and 370 k estimate "
        "rows x 37: 2x is not met.\n\n"
        f"{report}\n{END}"
    )
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


if __name__ == "__main__":
    raise SystemExit(main())
