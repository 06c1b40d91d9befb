"""Time a full refresh of the mirror's OES releases against the bare calamine read of the same
workbooks, and a no-op refresh; print the ratios and each scenario's peak memory.

Each scenario runs in a fresh subprocess (so peak RSS is its own), `--repeat` times; the median is
reported. Usage:

    .venv/bin/python benchmarks/bench_refresh.py [--mirror ../shared/bls-mirror] [--repeat 3] [--write]

`--write` rewrites benchmarks/RESULTS.md with the figures measured.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MIRROR = ROOT.parent / "shared" / "bls-mirror"
OES_DIR = Path("www.bls.gov/oes/special-requests")


def mirror_years(mirror: Path) -> list[int]:
    return sorted(
        2000 + int(re.search(r"oesm(\d\d)nat", p.name).group(1)) for p in (mirror / OES_DIR).glob("oesm*nat.zip")
    )


# -- scenarios (each runs in its own process) ----------------------------------------------------
def scenario_bare_read(mirror: Path, data_dir: Path) -> dict:
    """Open every zip and read every sheet of its national workbook with calamine: the floor."""
    import python_calamine

    rows = 0
    for path in sorted((mirror / OES_DIR).glob("oesm*nat.zip")):
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if re.search(r"national[^/]*\.xlsx?$", n, re.I))
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(zf.read(name)))
        for sheet in book.sheet_names:
            rows += len(book.get_sheet_by_name(sheet).to_python())
    return {"rows_read": rows}


def _direct_refresh(mirror: Path, data_dir: Path) -> dict:
    from occstats.pipeline import refresh
    from occstats.settings import Settings

    settings = Settings(data_dir=data_dir, mirror=str(mirror), http_retries=0)
    report = refresh(settings, "oes", mirror_years(mirror))
    return {"outcomes": report.counts(), "versions": report.versions}


def scenario_full_refresh(mirror: Path, data_dir: Path) -> dict:
    return _direct_refresh(mirror, data_dir)


def scenario_noop_refresh(mirror: Path, data_dir: Path) -> dict:
    return _direct_refresh(mirror, data_dir)  # data_dir already holds a full refresh


def scenario_cli_refresh(mirror: Path, data_dir: Path) -> dict:
    """The command a data engineer runs: Prefect flow on the embedded server, whole catalog."""
    from occstats.cli import main

    return {"exit_code": main(["refresh", "oes", "--mirror", str(mirror), "--data-dir", str(data_dir), "-q"])}


SCENARIOS = {
    "bare_read": scenario_bare_read,
    "full_refresh": scenario_full_refresh,
    "noop_refresh": scenario_noop_refresh,
    "cli_full_refresh": scenario_cli_refresh,
    "cli_noop_refresh": scenario_cli_refresh,
}


def run_one(name: str, mirror: Path, data_dir: Path) -> None:
    import contextlib

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        detail = SCENARIOS[name](mirror, data_dir)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024, "detail": detail}))


def measure(name: str, mirror: Path, data_dir: Path) -> dict:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    out = subprocess.run(
        [sys.executable, __file__, "--scenario", name, "--mirror", str(mirror), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/RESULTS.md")
    parser.add_argument("--scenario", choices=SCENARIOS, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scenario:
        run_one(args.scenario, args.mirror, args.data_dir)
        return 0
    if not (args.mirror / OES_DIR).is_dir():
        print(f"no OES releases under {args.mirror / OES_DIR}", file=sys.stderr)
        return 2

    results: dict[str, list[dict]] = {name: [] for name in SCENARIOS}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as direct, tempfile.TemporaryDirectory() as cli:
            for name in ("bare_read", "full_refresh", "noop_refresh"):
                results[name].append(measure(name, args.mirror, Path(direct) / "data"))
            for name in ("cli_full_refresh", "cli_noop_refresh"):
                results[name].append(measure(name, args.mirror, Path(cli) / "data"))

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    bare = median("bare_read", "seconds")
    lines = [
        f"releases: {len(mirror_years(args.mirror))} OES national zips from {args.mirror}",
        f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs",
        f"median of {args.repeat} runs, each in a fresh process",
        "",
        "| scenario | seconds | x bare read | peak RSS (MiB) |",
        "|---|---:|---:|---:|",
    ]
    for name in SCENARIOS:
        seconds = median(name, "seconds")
        lines.append(f"| {name} | {seconds:.2f} | {seconds / bare:.1f} | {median(name, 'peak_mib'):.0f} |")
    details = {name: results[name][-1]["detail"] for name in SCENARIOS}
    lines += ["", "last run's outcomes: " + json.dumps(details, sort_keys=True)]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_results(text)
    return 0


def write_results(table: str) -> None:
    path = Path(__file__).with_name("RESULTS.md")
    text = path.read_text() if path.exists() else "# Benchmark results\n\n"
    head = text.split("<!-- results -->")[0]
    # Other benchmarks' sections (bench_timeseries.py's) follow this one's table: keep them.
    tail = "\n" + text[text.index("<!-- timeseries -->") :] if "<!-- timeseries -->" in text else ""
    path.write_text(f"{head}<!-- results -->\n\n{table}\n{tail}")


if __name__ == "__main__":
    sys.exit(main())
