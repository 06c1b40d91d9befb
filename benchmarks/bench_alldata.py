"""Time the normalization of a generated 400,000-row OES all-data workbook against its bare calamine read.

BLS's all-data workbooks (`oesm{YY}all.zip`: every area type, industry and ownership in one sheet) are too
large for the mirror, so this benchmark writes one in BLS's all-data layout (AREA, AREA_TITLE, AREA_TYPE,
PRIM_STATE, NAICS, NAICS_TITLE, I_GROUP, OWN_CODE, OCC_CODE, OCC_TITLE, O_GROUP, TOT_EMP, EMP_PRSE,
JOBS_1000, LOC_QUOTIENT, PCT_TOTAL, PCT_RPT, H_MEAN, A_MEAN, MEAN_PRSE, H_PCT10..H_PCT90,
A_PCT10..A_PCT90, ANNUAL, HOURLY), with BLS's markers (`*`, `**`, `#`) in a share of the cells, and times:

- `bare_read`: python-calamine reading the sheet into Python rows, the floor any parser pays;
- `normalize`: the parser named by `--parser` (module:function, called as `f(path, sha256=...,
  display_name=..., expected_year=...)` returning a ParsedRelease) turning it into the curated tables.

THE HOOK: `DEFAULT_PARSER` is the existing OES national parser (`occstats.sources.oes.parser:parse`),
which reads the national columns of the all-data layout. Once the OES Excel-family parser lands
(sources/oes*, the industry helper's branch), point `DEFAULT_PARSER` (or `--parser`) at it.

The workbook is written once (raw SpreadsheetML, inline strings: openpyxl takes minutes for 12 M cells)
and cached under ~/.cache/occstats-bench/. Each scenario runs in a fresh process. Usage:

    .venv/bin/python benchmarks/bench_alldata.py [--rows 400000] [--repeat 1] [--parser module:function]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("OCCSTATS_BENCH_CACHE") or Path.home() / ".cache" / "occstats-bench")
DEFAULT_PARSER = "occstats.sources.oes.parser:parse"  # the hook: the OES family parser once merged
YEAR = 2024
TIME_TARGET = 2.0

COLUMNS = [
    "AREA", "AREA_TITLE", "AREA_TYPE", "PRIM_STATE", "NAICS", "NAICS_TITLE", "I_GROUP", "OWN_CODE",
    "OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE", "JOBS_1000", "LOC_QUOTIENT", "PCT_TOTAL",
    "PCT_RPT", "H_MEAN", "A_MEAN", "MEAN_PRSE",
    "H_PCT10", "H_PCT25", "H_MEDIAN", "H_PCT75", "H_PCT90",
    "A_PCT10", "A_PCT25", "A_MEDIAN", "A_PCT75", "A_PCT90", "ANNUAL", "HOURLY",
]  # fmt: skip


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _rows(n: int, seed: int = 2024):
    """n data rows: national industries x occupations, hourly x 2080 = annual, some markers.

    Every row is national (AREA_TYPE 1) so that the national parser behind DEFAULT_PARSER accepts them;
    the columns and their order are the all-data layout's.
    """
    rng = random.Random(seed)
    occupations = [(f"{11 + (i // 100) % 40:02d}-{1000 + i:04d}", f"Occupation {i}") for i in range(800)]
    i = 0
    industry = 0
    while True:
        industry += 1
        naics = f"{100000 + industry * 7:06d}"
        for occ, title in occupations:
            if i >= n:
                return
            i += 1
            base = rng.uniform(12, 80)
            hourly = sorted(round(base * f, 2) for f in (0.6, 0.8, 1.0, 1.25, 1.6))
            mean = round(base * 1.05, 2)
            marked = rng.random()
            wages_h: list[object] = [mean, *hourly]
            wages_a: list[object] = [round(h * 2080) for h in wages_h]
            if marked < 0.05:
                wages_h, wages_a = ["*"] * 6, ["*"] * 6
            elif marked < 0.08:
                wages_h[-1], wages_a[-1] = "#", "#"
            emp: object = "**" if marked < 0.02 else rng.randrange(30, 200_000)
            yield [
                "99", "U.S.", 1, "US", naics, f"Industry {industry}", "6-digit", 5, occ, title, "detailed", emp,
                round(rng.uniform(0.5, 30), 1), round(rng.uniform(0, 40), 3),
                round(rng.uniform(0.1, 5), 2), "", "", wages_h[0], wages_a[0], round(rng.uniform(0.3, 9), 1),
                *wages_h[1:], *wages_a[1:], "", "",
            ]  # fmt: skip


def _cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if value == "":
        return ""
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def generate(path: Path, rows: int) -> Path:
    """An .xlsx in the all-data layout (one sheet), written as raw SpreadsheetML."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    letters = [_letters(i) for i in range(len(COLUMNS))]
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            f'<sheet name="All May {YEAR}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            header = "".join(_cell(f"{c}1", name) for c, name in zip(letters, COLUMNS, strict=True))
            sheet.write(f'<row r="1">{header}</row>'.encode())
            chunk: list[str] = []
            for r, row in enumerate(_rows(rows), start=2):
                cells = "".join(_cell(f"{c}{r}", v) for c, v in zip(letters, row, strict=True))
                chunk.append(f'<row r="{r}">{cells}</row>')
                if len(chunk) == 5000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write("".join(chunk).encode())
            sheet.write(b"</sheetData></worksheet>")
    tmp.rename(path)
    return path


# -- scenarios (each in its own process) ---------------------------------------------------------
def scenario_bare_read(path: Path, parser: str) -> dict:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = sum(len(book.get_sheet_by_name(s).to_python()) for s in book.sheet_names)
    return {"rows_read": rows}


def scenario_normalize(path: Path, parser: str) -> dict:
    module, function = parser.split(":")
    parse = getattr(importlib.import_module(module), function)
    parsed = parse(path, sha256="0" * 64, display_name=path.name, expected_year=YEAR)
    return {"rows": parsed.rows()}


SCENARIOS = {"bare_read": scenario_bare_read, "normalize": scenario_normalize}


def measure(name: str, path: Path, parser: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    # 400,000 rows x 32 columns is ~445 MB of sheet XML, over the default input limit (256 MB) that guards
    # against zip bombs; BLS's real all-data workbooks are as large, so the family parser needs this too.
    env.setdefault("OCCSTATS_MAX_INFLATED_BYTES", str(2 << 30))
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--path", str(path), "--parser", parser],
        capture_output=True,
        text=True,
        env=env,
    )
    if out.returncode:
        return {"seconds": float("nan"), "peak_mib": float("nan"), "error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(rows: int = 400_000, repeat: int = 1, parser: str = DEFAULT_PARSER) -> dict:
    """Both scenarios, interleaved; the medians, their ratio and the outcome (for bench_all.py)."""
    path = generate(CACHE / f"all_data_M{YEAR}_{rows}_v2.xlsx", rows)
    runs: dict[str, list[dict]] = {name: [] for name in SCENARIOS}
    for _ in range(repeat):
        for name in SCENARIOS:
            runs[name].append(measure(name, path, parser))
    out = {"file": str(path), "rows": rows, "parser": parser}
    for name in SCENARIOS:
        out[name] = {
            "seconds": statistics.median(r["seconds"] for r in runs[name]),
            "peak_mib": statistics.median(r["peak_mib"] for r in runs[name]),
            "last": runs[name][-1],
        }
    out["ratio"] = out["normalize"]["seconds"] / out["bare_read"]["seconds"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--parser", default=DEFAULT_PARSER, help="module:function (default: %(default)s)")
    parser.add_argument("--child", choices=list(SCENARIOS), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        # The per-cell path holds millions of Python objects at this size: cap the child's address space so
        # that it fails with MemoryError (reported) rather than starving a shared machine.
        cap = int(os.environ.get("OCCSTATS_BENCH_MAX_GIB", "10")) << 30
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        start = time.perf_counter()
        outcome = SCENARIOS[args.child](Path(args.path), args.parser)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "peak_mib": peak, "outcome": outcome}))
        return 0
    print(json.dumps(run(args.rows, args.repeat, args.parser), indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
