"""Every performance figure of issue 8 and the parallel speed-up of issue 11, measured in one go, side by side.

    .venv/bin/python benchmarks/bench_all.py [--repeat 1] [--write]

Scenarios (each in a fresh process, so its peak RSS is its own; medians of `--repeat` runs):

- time-series ingest of oe.data.0.Current vs its floor (bench_timeseries.py's two scenarios: the
  ingest's parse, validate and write against the floor's read and write; the whole processes' ratio beside it);
- a generated 400,000-row all-data workbook normalized vs its bare calamine read (bench_alldata.py;
  its DEFAULT_PARSER is the hook to point at the OES family parser);
- the 20 national releases (the mirror's oesm{YY}nat.zip): full refresh, direct steps, with
  `concurrency` 1 (one release after another) and the default 2 (parse+validate of two releases at
  once), vs their bare calamine read;
- a refresh of everything (every product of the registry from the full mirror: soc, oes, the time
  series, ep, ep_matrix) and the no-op refresh that follows it;
- warm in-process query latency through `occstats.open()` on that data directory: one occupation in
  every state of the time-series release, and one occupation's national series over all releases
  (`ts_direct` writes the time-series release there first when the refresh could not curate it).

`--write` replaces the section between the `<!-- all -->` markers of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_alldata  # noqa: E402
import bench_refresh  # noqa: E402
import bench_timeseries  # noqa: E402

START, END = "<!-- all -->", "<!-- /all -->"
SOC = "29-1141"  # Registered Nurses: in every release since 2000 and every state
QUERY_TARGET_MS = 100.0


# -- child scenarios -----------------------------------------------------------------------------
def _refresh(data_dir: Path, mirror: Path, products: list[str], concurrency: int | None = None) -> dict:
    import dataclasses

    from occstats.pipeline import refresh
    from occstats.settings import Settings

    settings = Settings(data_dir=data_dir, mirror=str(mirror), http_retries=0)
    if concurrency is not None:
        settings = dataclasses.replace(settings, concurrency=concurrency)
    counts: dict[str, dict[str, int]] = {}
    for product in products:
        years = bench_refresh.mirror_years(mirror) if product == "oes" else None
        counts[product] = refresh(settings, product, years).counts()
    return counts


def scenario(name: str, data_dir: Path, mirror: Path, full_mirror: Path) -> dict:
    from occstats.products import names

    if name == "national_bare":
        return bench_refresh.scenario_bare_read(mirror, data_dir)
    if name.startswith("national_c"):
        return _refresh(data_dir, mirror, ["oes"], concurrency=int(name.removeprefix("national_c")))
    if name in ("all_full", "all_noop"):
        return _refresh(data_dir, full_mirror, names())
    if name == "ts_direct":
        # Until the pipeline lands the time series with its code lists (the ts branch), the release is
        # written the way bench_timeseries' ingest writes it, so that the queries have its states.
        from occstats.store import Store

        if "oes_timeseries" in _datasets(Store(data_dir / "curated")):
            return {"skipped": "the refresh curated the time series"}
        return bench_timeseries.scenario_ingest(full_mirror / bench_timeseries.DATA, data_dir)
    if name == "query":
        return query_latency(data_dir)
    raise SystemExit(f"unknown scenario {name}")


def _datasets(store) -> set[str]:
    if not store.exists("oes_wages"):
        return set()
    return set(store.read("oes_wages", columns=["dataset"]).column("dataset").unique().to_pylist())


def query_latency(data_dir: Path) -> dict:
    """Warm (one untimed call first), median of 7, through occstats.open()."""
    import pyarrow.compute as pc

    import occstats

    db = occstats.open(data_dir)
    queries = {
        "one occupation, every state of the time-series release": (
            (pc.field("dataset") == "oes_timeseries")
            & (pc.field("area_type") == "state")
            & (pc.field("naics_code") == "000000")
            & (pc.field("soc_code") == SOC)
        ),
        "one occupation's national series, every release": (
            (pc.field("area_type") == "national") & (pc.field("naics_code") == "000000") & (pc.field("soc_code") == SOC)
        ),
    }
    out = {}
    for title, where in queries.items():
        rows = db.read("oes_wages", where=where).num_rows
        times = []
        for _ in range(7):
            start = time.perf_counter()
            db.read("oes_wages", where=where)
            times.append((time.perf_counter() - start) * 1000)
        out[title] = {"ms": statistics.median(times), "rows": rows}
    return out


# -- parent --------------------------------------------------------------------------------------
def measure(name: str, data_dir: Path, mirror: Path, full_mirror: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    args = ["--child", name, "--data-dir", str(data_dir), "--mirror", str(mirror), "--full-mirror", str(full_mirror)]
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", type=Path, default=bench_refresh.DEFAULT_MIRROR)
    parser.add_argument("--full-mirror", type=Path, help="default: ../shared/tools/build-full-mirror's")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--rows", type=int, default=400_000, help="rows of the generated all-data workbook")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import contextlib

        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            outcome = scenario(args.child, args.data_dir, args.mirror, args.full_mirror)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "peak_mib": peak, "outcome": outcome}))
        return 0

    full_mirror = args.full_mirror or bench_timeseries.full_mirror(None)
    ts_file = full_mirror / bench_timeseries.DATA
    runs: dict[str, list[dict]] = {}

    def record(name: str, result: dict) -> None:
        runs.setdefault(name, []).append(result)
        print(f"{name}: {result['seconds']:.2f} s, {result['peak_mib']:.0f} MiB", flush=True)

    alldata = None
    bench_timeseries.warm_up(ts_file)  # the first process to load pyarrow and read the file pays for cold caches
    for _ in range(args.repeat):
        for name in ("floor", "ingest"):
            record(f"ts_{name}", bench_timeseries.measure(name, ts_file))
        with tempfile.TemporaryDirectory(prefix="bench-all-") as work:
            for name in ("national_bare", "national_c1", "national_c2"):
                record(name, measure(name, Path(work) / name, args.mirror, full_mirror))
            data = Path(work) / "all"
            for name in ("all_full", "all_noop", "ts_direct", "query"):
                record(name, measure(name, data, args.mirror, full_mirror))
    alldata = bench_alldata.run(args.rows, args.repeat)
    print(f"all-data: {json.dumps({k: alldata[k] for k in ('bare_read', 'normalize', 'ratio')}, default=str)}")
    print(f"all-data counts vs the generator: {json.dumps(alldata['counts'], default=str)}")

    def sec(name: str) -> float:
        return statistics.median(r["seconds"] for r in runs[name])

    def mib(name: str) -> float:
        return max(r["peak_mib"] for r in runs[name])

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    ts = sec("ts_ingest") / sec("ts_floor")
    ts_process = statistics.median(r["process_seconds"] for r in runs["ts_ingest"]) / statistics.median(
        r["process_seconds"] for r in runs["ts_floor"]
    )
    ad_norm, ad_bare = alldata["normalize"], alldata["bare_read"]
    nat1, nat2 = sec("national_c1") / sec("national_bare"), sec("national_c2") / sec("national_bare")
    noop = sec("all_noop") / sec("all_full")
    queries = runs["query"][-1]["outcome"]
    load = os.getloadavg()
    lines = [
        f"date: {dt.date.today().isoformat()}; machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"(the machine is shared: absolute seconds move with the load, ratios of interleaved runs less)",
        f"median of {args.repeat} run(s) per scenario, each in a fresh process "
        "(the time series after one unrecorded run of each)",
        "",
        "| measure | scenario | seconds | floor (s) | ratio | peak RSS (MiB) | target | |",
        "|---|---|---:|---:|---:|---:|---|---|",
        f"| time-series ingest | parse, markers, the validation gate, Delta write of oe.data.0.Current "
        f"| {sec('ts_ingest'):.2f} | {sec('ts_floor'):.2f} | {ts:.2f}x | {mib('ts_ingest'):.0f} "
        f"| <= 2x, <= 1536 MiB | time {verdict(ts <= 2)}, memory {verdict(mib('ts_ingest') <= 1536)}; "
        f"the whole processes (imports, and the ingest's sha256 of the file) {ts_process:.2f}x |",
        f"| all-data workbook | {args.rows:,} rows normalized by `{alldata['parser']}` "
        f"| {ad_norm['seconds']:.2f} | {ad_bare['seconds']:.2f} | {alldata['ratio']:.2f}x | {ad_norm['peak_mib']:.0f} "
        f"| <= 2x | {verdict(alldata['ratio'] <= 2)}; counts and sums "
        f"{'match the generator' if alldata['counts']['match'] else 'DIFFER from the generator'} |",
        f"| 20 national releases | full refresh, one release at a time (concurrency 1) | {sec('national_c1'):.2f} "
        f"| {sec('national_bare'):.2f} | {nat1:.1f}x | {mib('national_c1'):.0f} | down from 17.4x | |",
        f"| 20 national releases | full refresh, concurrency 2 (default) | {sec('national_c2'):.2f} "
        f"| {sec('national_bare'):.2f} | {nat2:.1f}x | {mib('national_c2'):.0f} | | "
        f"speed-up {sec('national_c1') / sec('national_c2'):.2f}x |",
        f"| no-op refresh of everything | vs the full refresh of every product from the full mirror "
        f"| {sec('all_noop'):.2f} | {sec('all_full'):.2f} | {noop:.1%} | {mib('all_noop'):.0f} "
        f"| <= 10% | {verdict(noop <= 0.10)} |",
        *(
            f"| query, warm | {title} ({q['rows']} rows) through occstats.open() | {q['ms'] / 1000:.3f} | | "
            f"| | <= 100 ms | {verdict(q['ms'] <= QUERY_TARGET_MS)} ({q['ms']:.0f} ms) |"
            for title, q in queries.items()
        ),
        "",
        "outcomes: "
        + json.dumps(
            {
                "all_full": runs["all_full"][-1]["outcome"],
                "all_noop": runs["all_noop"][-1]["outcome"],
                "national_c2": runs["national_c2"][-1]["outcome"],
                "all_data_rows": ad_norm["last"].get("outcome") or ad_norm["last"].get("error"),
            },
            sort_keys=True,
        ),
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        path = HERE / "RESULTS.md"
        text = path.read_text()
        section = f"{START}\n## All figures side by side (benchmarks/bench_all.py)\n\n{report}\n{END}"
        if START in text:
            head, rest = text.split(START, 1)
            text = head + section + rest.split(END, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + section + "\n"
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
