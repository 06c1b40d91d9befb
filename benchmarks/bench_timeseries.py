"""Time the ingest of the OEWS time-series data file against the floor: a bare pyarrow.csv read of the
same file plus a Parquet write of what it read. Print the ratio and each scenario's peak memory.

- `floor`: `pyarrow.csv.read_csv` of oe.data.0.Current (tab-separated, default inference) and
  `pyarrow.parquet.write_table` of the table read;
- `ingest`: occstats' time-series parser (read, split series ids, markers -> statuses, one row per
  estimate, long wages), the pipeline's validation gate (`occstats.products.validate`: the schema's
  checks and the products' own, as a refresh runs them) on every table it produces, and a Delta write
  of each through `occstats.store.Store.write`.

The ratio compares what the issue names on each side: the ingest's parse, markers, validate and write
against the floor's read and write. Each scenario's imports, and the sha256 of the data file that the
ingest is given (the pipeline computes it while fetching and hands the landing's digest to the parser),
are timed apart and shown beside it, with the ratio of the whole processes.

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
class _Clock:
    """Seconds per step, each from the end of the one before."""

    def __init__(self) -> None:
        self.steps: dict[str, float] = {}
        self._last = time.perf_counter()

    def mark(self, step: str) -> None:
        now = time.perf_counter()
        self.steps[step] = round(now - self._last, 3)
        self._last = now


# the steps each side's ratio compares; the rest (imports, the landing's hash) are shown apart
MEASURED = {"floor": ("read", "write"), "ingest": ("parse", "validate", "write")}


def scenario_floor(data: Path, work: Path) -> dict:
    clock = _Clock()
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    clock.mark("imports")
    table = pacsv.read_csv(data, parse_options=pacsv.ParseOptions(delimiter="\t"))
    clock.mark("read")
    pq.write_table(table, work / "floor.parquet")
    clock.mark("write")
    return {"rows_read": table.num_rows, "steps": clock.steps}


def scenario_ingest(data: Path, work: Path) -> dict:
    clock = _Clock()
    from occstats import products, schema
    from occstats.fetch import sha256_file
    from occstats.sources.oes_timeseries.parser import ReleaseFiles, parse_files
    from occstats.store import Store

    clock.mark("imports")
    sha256 = sha256_file(data)  # the landing's digest: in a refresh, computed while the file is fetched
    clock.mark("hash")
    parsed = parse_files(ReleaseFiles.beside(data), sha256=sha256, display_name=data.name)
    clock.mark("parse")
    for name, table in parsed.tables.items():  # the pipeline's gate: schema checks and the products' own
        products.validate(schema.table(name), table, release=parsed.label, file=parsed.source_file)
    clock.mark("validate")
    store = Store(work / "curated")
    metadata = {"run_id": "bench", "sources": [{"file": parsed.source_file}]}
    with store.lock():  # as the pipeline's publish step writes a release's tables
        store.write_tables([(schema.table(name), [table]) for name, table in parsed.tables.items()], metadata)
    clock.mark("write")
    return {"rows": parsed.rows(), "steps": clock.steps}


SCENARIOS = {"floor": scenario_floor, "ingest": scenario_ingest}


def run_one(name: str, data: Path, work: Path) -> None:
    """Child process: run one scenario, print its seconds (the measured steps' and the whole process'),
    peak RSS and outcome as JSON."""
    start = time.perf_counter()
    outcome = SCENARIOS[name](data, work)
    process = time.perf_counter() - start
    seconds = sum(outcome["steps"][step] for step in MEASURED[name])
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "process_seconds": process, "peak_mib": peak_mib, "outcome": outcome}))


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
                f"run {i + 1}/{args.repeat} {name}: {result['seconds']:.2f} s "
                f"({result['process_seconds']:.2f} s the process), {result['peak_mib']:.0f} MiB",
                flush=True,
            )

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    def step(name: str, key: str) -> float:
        return statistics.median(r["outcome"]["steps"].get(key, 0.0) for r in runs[name])

    floor, floor_process = median("floor", "seconds"), median("floor", "process_seconds")
    ingest, ingest_process = median("ingest", "seconds"), median("ingest", "process_seconds")
    ratio, process_ratio = ingest / floor, ingest_process / floor_process
    top = max(r["peak_mib"] for r in runs["ingest"])
    lines = [
        f"file: {data.name} ({data.stat().st_size:,} bytes, {runs['floor'][0]['outcome']['rows_read']:,} data rows)",
        f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end",
        f"median of {args.repeat} runs each after one unrecorded run of each, every run in a fresh process, "
        "the scenarios interleaved",
        "",
        "| scenario | seconds | x floor | steps (s) | imports (s) | hash (s) | the whole process (s) | x floor "
        "| peak RSS (MiB) |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
        f"| floor (pyarrow.csv read + Parquet write) | {floor:.2f} | 1.0 "
        f"| read {step('floor', 'read'):.2f} / write {step('floor', 'write'):.2f} | {step('floor', 'imports'):.2f} "
        f"| | {floor_process:.2f} | 1.0 | {median('floor', 'peak_mib'):.0f} |",
        f"| ingest (parse, markers, validate, Delta write) | {ingest:.2f} | {ratio:.2f} "
        f"| parse {step('ingest', 'parse'):.2f} / validate {step('ingest', 'validate'):.2f} / write "
        f"{step('ingest', 'write'):.2f} | {step('ingest', 'imports'):.2f} | {step('ingest', 'hash'):.2f} "
        f"| {ingest_process:.2f} | {process_ratio:.2f} | {median('ingest', 'peak_mib'):.0f} |",
        "",
        f"rows produced: {json.dumps(runs['ingest'][-1]['outcome']['rows'])}",
        f"ingest: time <= {TIME_TARGET:.0f}x floor {'met' if ratio <= TIME_TARGET else 'NOT met'} ({ratio:.2f}x; "
        f"the whole processes, with imports and the hash: {process_ratio:.2f}x); "
        f"peak RSS <= {RSS_TARGET_MIB:.0f} MiB {'met' if top <= RSS_TARGET_MIB else 'NOT met'} "
        f"({top:.0f} MiB, the highest of the runs)",
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
        "huge pages (no change). Where the time went then (fresh process): imports 0.6-0.9 s and the "
        "sha256 ~0.3 s; the parse 2.7-3.0 s, of which `read_csv` alone is 0.6-1.7 s (the same call, in "
        "fresh processes one after another); the gate 0.9-1.2 s; the write 1.1 s: 4.3-5.9 s, 2.30x against "
        "a 2.55 s floor, 3.38x against a 1.28 s floor in `bench_all.py` the same hour. **2026-12-08, main "
        "at 481ffca**: (1) this benchmark times what the issue names on each side: the ingest's parse, "
        "validate and write against the floor's read and write. Each side's imports, and the sha256 of the "
        "data file the ingest is given (a refresh computes it while fetching the file and hands the "
        "landing's digest to the parser), are timed apart and shown beside, with the whole processes' "
        "ratio; the same code measured 2.20x this way and 2.47x as whole processes (medians of 3). (2) the "
        "store's files keep Parquet row-group statistics only for the columns a reader can skip row groups "
        "by (the cluster order and the release key); a dictionary column's statistics cost more than its "
        "encoding (the wage table alone: 0.67-0.71 s to write instead of 1.10-1.22 s). The Delta log's "
        "statistics are computed from the Arrow rows and bound every column as before (the same JSON as "
        "delta-rs records for the same rows: `tests/test_delta_files.py`); the queries of `bench_all.py` "
        "answer as fast (alternating on data directories the code before and after built: 30-43 ms and "
        "63-68 ms before, 37-40 ms and 58 ms after). (3) the parser finds each datatype's lines by one "
        "stable sort of the datatype codes instead of 17 comparisons and scans of 6 M lines (parse CPU 3.30 -> 3.10 s, "
        "medians of 5 in one process). Measured and not used: the CSV reader dictionary-encoding the "
        "value and footnote columns as it converts them (parse 2.02 s against 1.94 s, medians of 5). A "
        "data directory built from the full mirror by this code holds the same content, cell for cell, as "
        "one built by the code before (`compare_data_dirs.py`).\n\n"
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
