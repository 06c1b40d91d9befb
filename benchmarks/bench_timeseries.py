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
        f"median of {args.repeat} runs each, every run in a fresh process, the scenarios interleaved",
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
        "Where the time and memory go (measured step by step, 2026-11-23, branch tsperf, load ~1-2.5 from one "
        "other benchmark on the 2 cores). **Before** (main at 4444741, one run, load ~2): ingest 35.31 s vs a "
        "7.87 s floor (4.48x), peak 4654 MiB; parse 8.47 / validate 5.31 / write 20.35 s. The write was "
        "mostly the store's cluster sort: `_clustered` sorted the 4.4 M wage rows and took every one of their "
        "20 columns (8.5 s, +1.1 GiB of decoded strings), then delta-rs wrote them (~4 s, +0.8 GiB). "
        "**What changed**: (1) the parser numbers the 370 k estimates in the tables' cluster order (a sort of "
        "the distinct keys, 0.2 s) and lays an estimate's 12 wage rows side by side, so the rows arrive "
        "ordered; the store checks the order in one pass (`_ordered`) and sorts only rows that are not. "
        "(2) Every string column of oes_wages and oes_estimates is dictionary-encoded (int8/int16 indices): "
        "the wage table is 244 MiB instead of ~1.1 GiB decoded; `Store.write` keeps a dictionary of the "
        "declared type (`store.conformed`), delta-rs writes it as a plain string column (readers get strings "
        "back; the Delta schema is unchanged). (3) Statuses and markers are scattered as small integers, "
        "not strings; series ids are sliced as a byte matrix (datatype codes through a 2-byte lookup, keys "
        "as fixed-width strings dictionary-encoded block by block) instead of 6 M-string kernels. "
        "(4) The gate: dictionary columns are encoded without decoding (`_dictionary_codes`), a plain sort "
        "says whether a key repeats (stable argsort only when one does), and dense group numbers for the "
        "per-estimate wage checks come from codes packed with their row positions and sorted plainly "
        "(`unique_groups`, exactly what np.unique gives, ~4x faster). **Where the time goes now** (table "
        "below): `parse` ~5 s (sha256 of the file ~0.4, the pyarrow.csv read ~1.4, the number regex ~0.4, "
        "key encoding ~0.3, "
        "the 17 datatypes' scatters with their string->decimal casts ~1.3 s of CPU, run two at a time, the "
        "wage table ~0.6); the scenario's imports ~0.9 s (`occstats.products` imports every product); "
        "`validate` ~1.7-2 s (the key "
        "check and the two per-estimate wage checks, each a pass over 4.4 M int64 codes); `write` ~3.5-4 s, "
        "all inside delta-rs (`write_to_deltalake`, single-threaded; writer options measured: compression "
        "none/snappy/zstd/lz4 and chunk-level statistics change it by < 0.5 s, turning statistics off saves "
        "~0.8 s but loses the row-group skipping the clustered layout exists for). The floor writes 6 M rows "
        "x 5 columns as read; the ingest checks and writes the curated schema: 4.4 M wage rows x 20 columns "
        "and 370 k estimate rows x 37. Sys time is a large share on these VMs (~4-5 s of page faults for the "
        "ingest): allocator choices (mimalloc purge delay, jemalloc, system) were measured and did not help.\n\n"
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
