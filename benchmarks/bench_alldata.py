"""Time the normalization of a generated 400,000-row OES all-data workbook against its bare calamine read.

BLS's all-data workbooks (`oesm{YY}all.zip`: every area type, industry and ownership in one sheet) are too
large for the mirror, so this benchmark writes one as BLS ships it: `oesm24all.zip` holding
`oesm24all/all_data_M_2024.xlsx`, in the all-data layout (AREA, AREA_TITLE, AREA_TYPE, PRIM_STATE, NAICS,
NAICS_TITLE, I_GROUP, OWN_CODE, OCC_CODE, OCC_TITLE, O_GROUP, TOT_EMP, EMP_PRSE, JOBS_1000, LOC_QUOTIENT,
PCT_TOTAL, PCT_RPT, H_MEAN, A_MEAN, MEAN_PRSE, H_PCT10..H_PCT90, A_PCT10..A_PCT90, ANNUAL, HOURLY): the
U.S. (area type 1) by industry at every NAICS level and ownership, states and territories (2, 3),
metropolitan (4) and nonmetropolitan (6) areas; codes as text and figures as numbers, as calamine reads
BLS's 2019+ workbooks; BLS's markers (`*`, `**`, `#`, `~`) and ANNUAL/HOURLY flags in a share of the
rows. It times:

- `bare_read`: the workbook out of the zip and python-calamine reading the sheet into Python rows, the
  floor any parser pays;
- `normalize`: the all-data family's parser (`--product`, default `oes-all`: the registry product's
  `Source.parse`, called as the pipeline calls it on a landed zip) turning it into the curated tables.

The generator tallies what it wrote (rows by area type, each marker, flags, figures: counted from the
cells by column name) and the normalize scenario counts the same things in the parsed tables; the
outcome says whether they match, and the process exits 1 when they do not.

The zip is written once (raw SpreadsheetML, inline strings: openpyxl takes minutes for 12 M cells) and
cached with its tally under ~/.cache/occstats-bench/alldata-v3/. Each scenario runs in a fresh process:

    .venv/bin/python benchmarks/bench_alldata.py [--rows 400000] [--repeat 1] [--product oes-all]
"""

from __future__ import annotations

import argparse
import io
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
DEFAULT_PRODUCT = "oes-all"  # the all-data family: its Source.parse, as the pipeline calls it
YEAR = 2024
MEMBER = f"oesm{YEAR % 100:02d}all/all_data_M_{YEAR}.xlsx"  # as BLS names it (layout role 'all_data')
TIME_TARGET = 2.0

COLUMNS = [
    "AREA", "AREA_TITLE", "AREA_TYPE", "PRIM_STATE", "NAICS", "NAICS_TITLE", "I_GROUP", "OWN_CODE",
    "OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE", "JOBS_1000", "LOC_QUOTIENT", "PCT_TOTAL",
    "PCT_RPT", "H_MEAN", "A_MEAN", "MEAN_PRSE",
    "H_PCT10", "H_PCT25", "H_MEDIAN", "H_PCT75", "H_PCT90",
    "A_PCT10", "A_PCT25", "A_MEDIAN", "A_PCT75", "A_PCT90", "ANNUAL", "HOURLY",
]  # fmt: skip


# -- what the generated workbook holds: BLS's all-data shape, as data --------------------------------------
# Row shares by kind, near a real all-data file (national industries ~45%, metropolitan areas ~35%, states
# and territories ~10%, nonmetropolitan areas ~10%). AREA_TYPE codes: the 2019+ field descriptions (1 U.S.,
# 2 state, 3 U.S. territory, 4 metropolitan, 6 nonmetropolitan; occstats.sources.oes_families.layout).
AREA_TYPES = {"1": "national", "2": "state", "3": "state", "4": "metropolitan", "6": "nonmetropolitan"}
SHARES = (("national", 0.45), ("state", 0.10), ("metropolitan", 0.35), ("nonmetropolitan", 0.10))
# National industry blocks, in BLS's order: cross-industry, by ownership, sectors, then 3- to 6-digit NAICS.
NATIONAL_INDUSTRIES = (
    ("000000", "Cross-industry", "cross-industry", "1235"),
    ("000001", "Cross-industry, private ownership only", "cross-industry, ownership", "5"),
    ("999001", "Cross-industry, federal, state, and local government", "cross-industry, ownership", "123"),
    ("11", "Agriculture, Forestry, Fishing and Hunting", "sector", "5"),
    ("31-33", "Manufacturing", "sector", "5"),
    ("48-49", "Transportation and Warehousing", "sector", "59"),
    ("61", "Educational Services", "sector", "235"),
    ("62", "Health Care and Social Assistance", "sector", "58"),
    ("99", "Federal, State, and Local Government", "sector", "123"),
)
NAICS_LEVELS = ("3-digit", "4-digit", "5-digit", "6-digit", "3-digit, ownership", "4-digit, ownership")
OWNERSHIPS = ("5", "1", "2", "3", "57", "235")
# Occupations per (area, industry) block, by kind: states publish nearly every occupation, small areas fewer.
BLOCK_SIZES = {"national": (150, 881), "state": (700, 881), "metropolitan": (150, 881), "nonmetropolitan": (100, 600)}
TOP_HOURLY = 115.00  # May 2022-2025: '#' is a wage >= $115.00 an hour or $239,200 a year
MARKER_SHARES = {"no_employment": 0.07, "no_wages": 0.02, "annual_only": 0.05, "hourly_only": 0.005, "pct_rpt": 0.03}
WAGES = ["H_MEAN", "A_MEAN", *(f"{b}_{s}" for b in "HA" for s in ("PCT10", "PCT25", "MEDIAN", "PCT75", "PCT90"))]
EMPLOYMENT_FIGURES = ["TOT_EMP", "EMP_PRSE", "JOBS_1000", "LOC_QUOTIENT", "PCT_TOTAL"]


def _occupations() -> list[tuple[str, str, str]]:
    """881 SOC codes (code, title, O_GROUP): the total, 22 major groups, each with minor, broad, detailed."""
    out = [("00-0000", "All Occupations", "total")]
    for major in range(11, 55, 2):
        out.append((f"{major}-0000", f"Major group {major}", "major"))
        for minor in range(1, 4):
            out.append((f"{major}-{minor}000", f"Minor group {major}-{minor}", "minor"))
            for broad in range(1, 4):
                out.append((f"{major}-{minor}0{broad}0", f"Broad group {major}-{minor}0{broad}0", "broad"))
                for detail in range(1, 4):
                    code = f"{major}-{minor}0{broad}{detail}"
                    out.append((code, f"Occupation {code}", "detailed"))
    return out


def _areas() -> dict[str, list[tuple[str, str, str, str]]]:
    """(AREA, AREA_TITLE, AREA_TYPE, PRIM_STATE) by kind, in BLS's code shapes: 2-digit FIPS (51 states and DC,
    three territories of area type 3), 5-digit CBSA codes, 7-digit nonmetropolitan codes."""
    states = [(f"{i:02d}", f"State {i:02d}", "2", f"S{chr(65 + i % 26)}") for i in range(1, 52)]
    states += [("66", "Guam", "3", "GU"), ("72", "Puerto Rico", "3", "PR"), ("78", "Virgin Islands", "3", "VI")]
    metros = [(f"{10180 + 80 * i}", f"Metro area {i}, {states[i % 51][3]}", "4", states[i % 51][3]) for i in range(400)]
    nonmetros = [
        (f"{states[i % 51][0]}000{i // 51 + 1:02d}", f"Nonmetropolitan area {i}", "6", states[i % 51][3])
        for i in range(170)
    ]
    return {
        "national": [("99", "U.S.", "1", "US")],
        "state": states,
        "metropolitan": metros,
        "nonmetropolitan": nonmetros,
    }


def _national_industries() -> list[tuple[str, str, str, str]]:
    """(NAICS, NAICS_TITLE, I_GROUP, OWN_CODE): cross-industry, ownerships, sectors, then 3- to 6-digit codes."""
    out, seen = list(NATIONAL_INDUSTRIES), {(i[0], i[3]) for i in NATIONAL_INDUSTRIES}
    k = 0
    while len(out) < 3000:
        k += 1
        level = NAICS_LEVELS[k % len(NAICS_LEVELS)]
        code = f"{110000 + (k * 3733) % 880000:06d}"[: int(level[0])].ljust(6, "0")
        own = OWNERSHIPS[k % len(OWNERSHIPS)] if "ownership" in level else "5"
        if (code, own) not in seen:
            seen.add((code, own))
            out.append((code, f"Industry {code}", level, own))
    return out


def _rows(n: int, seed: int = 2024):
    """(row, tally) pairs: n data rows of an all-data workbook, and what each row holds (for the count check).

    Codes are text and figures numbers, as calamine reads BLS's 2019+ workbooks; markers as BLS writes them:
    `**` employment not available (its RSE, jobs per 1000, location quotient or % of industry too), `*` wage
    not available (a whole row, or the hourly side of an annual-only occupation with ANNUAL TRUE, the annual
    side of an hourly-only one with HOURLY TRUE), `#` a percentile at or above the top-coding threshold, `~`
    fewer than 0.5% of establishments reporting (national industry rows only). Annual = hourly x 2080, to $10.
    """
    rng = random.Random(seed)
    occupations = _occupations()
    areas = _areas()
    budgets = {kind: round(n * share) for kind, share in SHARES}
    budgets[SHARES[-1][0]] = n - sum(budgets[k] for k, _ in SHARES[:-1])
    for kind, _share in SHARES:
        if kind == "national":
            blocks = [(areas["national"][0], industry) for industry in _national_industries()]
        else:
            blocks = [(area, NATIONAL_INDUSTRIES[0]) for area in areas[kind]]
        spent = 0
        low, high = BLOCK_SIZES[kind]
        for area, industry in blocks:
            if spent >= budgets[kind]:
                break
            size = min(rng.randrange(low, high), budgets[kind] - spent)
            for o in sorted([0, *rng.sample(range(1, len(occupations)), size - 1)]):
                yield _row(rng, kind == "national", area, industry, occupations[o])
            spent += size
        if spent < budgets[kind]:
            raise ValueError(f"{kind}: {spent} rows, short of {budgets[kind]}: more areas or industries needed")


def _row(rng: random.Random, national: bool, area, industry, occupation) -> tuple[list[object], dict[str, int]]:
    no_emp = rng.random() < MARKER_SHARES["no_employment"]
    draw = rng.random()
    cuts = [MARKER_SHARES["no_wages"], MARKER_SHARES["annual_only"], MARKER_SHARES["hourly_only"]]
    no_wages = draw < cuts[0]
    annual_only = cuts[0] <= draw < cuts[0] + cuts[1]
    hourly_only = cuts[0] + cuts[1] <= draw < sum(cuts)
    base = rng.lognormvariate(3.2, 0.5)
    hourly: list[object] = [round(base * f, 2) for f in (1.05, 0.6, 0.8, 1.0, 1.25, 1.6)]  # mean, p10 .. p90
    annual: list[object] = [float(round(h * 2080, -1)) for h in hourly]
    for i in range(1, 6):  # percentiles only: BLS top-codes no mean
        if hourly[i] >= TOP_HOURLY:
            hourly[i], annual[i] = "#", "#"
    mean_prse: object = round(rng.uniform(0.3, 9), 1)
    if no_wages:
        hourly, annual, mean_prse = ["*"] * 6, ["*"] * 6, "*"
    elif annual_only:
        hourly = ["*"] * 6
    elif hourly_only:
        annual = ["*"] * 6
    emp: object = "**" if no_emp else float(rng.randrange(30, 200_000))
    emp_prse: object = "**" if no_emp else round(rng.uniform(0.5, 30), 1)
    jobs: object = "" if national else "**" if no_emp else round(rng.uniform(0.01, 40), 3)
    lq: object = "" if national else "**" if no_emp else round(rng.uniform(0.1, 5), 2)
    pct_total: object = "" if not national else "**" if no_emp else round(rng.uniform(0, 100), 2)
    pct_rpt: object = (
        "" if not national else "~" if rng.random() < MARKER_SHARES["pct_rpt"] else round(rng.uniform(0.5, 100), 2)
    )
    row = [
        *area, *industry, *occupation, emp, emp_prse, jobs, lq, pct_total, pct_rpt,
        hourly[0], annual[0], mean_prse, *hourly[1:], *annual[1:],
        "TRUE" if annual_only else "", "TRUE" if hourly_only else "",
    ]  # fmt: skip
    return row, _tally(row)


def _is_figure(value: object) -> bool:
    return isinstance(value, float)


def _tally(row: list[object]) -> dict[str, int]:
    """What one written row must normalize to, counted from its cells by column name (not by the parser)."""
    cell = dict(zip(COLUMNS, row, strict=True))
    wages = [cell[c] for c in WAGES]
    other_only = {"H": cell["ANNUAL"] == "TRUE", "A": cell["HOURLY"] == "TRUE"}
    return {
        f"estimates {AREA_TYPES[cell['AREA_TYPE']]}": 1,
        "employment '**'": sum(cell[c] == "**" for c in EMPLOYMENT_FIGURES),
        "wage '*'": wages.count("*"),
        "wage '*' of the basis not released": sum(cell[c] == "*" and other_only[c[0]] for c in WAGES),
        "wage '#'": wages.count("#"),
        "wage figures": sum(isinstance(v, float) for v in wages),
        "mean_prse '*'": int(cell["MEAN_PRSE"] == "*"),
        "pct_rpt '~'": int(cell["PCT_RPT"] == "~"),
        "annual TRUE": int(cell["ANNUAL"] == "TRUE"),
        "hourly TRUE": int(cell["HOURLY"] == "TRUE"),
        # the figures themselves, exactly: integer sums of the published digits
        "sum TOT_EMP": int(cell["TOT_EMP"]) if isinstance(cell["TOT_EMP"], float) else 0,
        "sum JOBS_1000 x 1000": round(cell["JOBS_1000"] * 1000) if isinstance(cell["JOBS_1000"], float) else 0,
        "sum hourly wages x 100": sum(
            round(cell[c] * 100) for c in WAGES if c[0] == "H" and isinstance(cell[c], float)
        ),
        "sum annual wages": sum(int(cell[c]) for c in WAGES if c[0] == "A" and isinstance(cell[c], float)),
    }


def _cell(ref: str, value: object) -> str:
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if value == "":
        return ""
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def generate(folder: Path, rows: int) -> tuple[Path, dict[str, int]]:
    """BLS's all-data zip (`oesm{YY}all/all_data_M_{YYYY}.xlsx` inside `oesm{YY}all.zip`) and what it holds.

    Written once per row count; the tally of what was written (expected counts) is kept beside the zip.
    """
    path = folder / f"{rows}" / f"oesm{YEAR % 100:02d}all.zip"
    expected_path = path.with_suffix(".expected.json")
    if path.is_file() and expected_path.is_file():
        return path, json.loads(expected_path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = path.with_name(MEMBER.rsplit("/", 1)[-1])
    expected = _write_workbook(workbook, rows)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.write(workbook, MEMBER)
    workbook.unlink()
    expected_path.write_text(json.dumps(expected, indent=1, sort_keys=True))
    tmp.rename(path)
    return path, expected


def _write_workbook(path: Path, rows: int) -> dict[str, int]:
    """An .xlsx in the all-data layout (one sheet), written as raw SpreadsheetML; returns the tally."""
    tmp = path.with_suffix(".tmp")
    expected: dict[str, int] = {"estimates": 0}
    from occstats.excel import column_letter

    letters = [column_letter(i) for i in range(len(COLUMNS))]
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
            for r, (row, tally) in enumerate(_rows(rows), start=2):
                expected["estimates"] += 1
                for key, count in tally.items():
                    expected[key] = expected.get(key, 0) + count
                cells = "".join(_cell(f"{c}{r}", v) for c, v in zip(letters, row, strict=True))
                chunk.append(f'<row r="{r}">{cells}</row>')
                if len(chunk) == 5000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write("".join(chunk).encode())
            sheet.write(b"</sheetData></worksheet>")
    tmp.rename(path)
    expected["wages"] = 12 * expected["estimates"]
    return expected


# -- scenarios (each in its own process) ---------------------------------------------------------
def scenario_bare_read(path: Path, product: str) -> dict:
    """The floor: the workbook out of its zip, and calamine reading every sheet into Python rows."""
    import python_calamine

    with zipfile.ZipFile(path) as zf:
        data = zf.read(MEMBER)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = sum(len(book.get_sheet_by_name(s).to_python()) for s in book.sheet_names)
    return {"rows_read": rows}


def scenario_normalize(path: Path, product: str) -> dict:
    """The product's parser, called as the pipeline calls it on a landed zip (Source.parse); its counts."""
    from occstats.products import REGISTRY

    source = REGISTRY[product].source
    start = time.perf_counter()
    parsed = source.parse(path, sha256="0" * 64, display_name=path.name, release_id=str(YEAR))
    seconds = time.perf_counter() - start  # the parse alone: counting below is the benchmark's, not the parser's
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    parser = f"{product}: {type(source).__module__}.{type(source).__name__}.parse"
    outcome = {"parser": parser, "rows": parsed.rows(), "counts": counts(parsed.tables)}
    return {"_seconds": seconds, "_peak_mib": peak, **outcome}


def counts(tables: dict) -> dict[str, int]:
    """The parsed tables' counts in the generator's terms (see _tally), read from the curated columns."""
    import pyarrow.compute as pc

    est, wages = tables["oes_estimates"], tables["oes_wages"]

    def tally(column, value) -> int:
        return pc.sum(pc.equal(column, value)).as_py() or 0

    status = {s: tally(wages["status"], s) for s in ("not_available", "not_released", "top_coded", "estimate")}
    by_area_type = {f"estimates {v['values']}": v["counts"] for v in pc.value_counts(est["area_type"]).to_pylist()}
    employment = ("employment", "employment_rse", "jobs_per_1000", "location_quotient", "pct_of_industry_employment")
    return {
        "estimates": est.num_rows,
        "wages": wages.num_rows,
        **by_area_type,
        "employment '**'": sum(tally(est[f"{c}_status"], "not_available") for c in employment),
        "wage '*'": status["not_available"] + status["not_released"],
        "wage '*' of the basis not released": status["not_released"],
        "wage '#'": status["top_coded"],
        "wage figures": status["estimate"],
        "mean_prse '*'": tally(est["wage_mean_rse_status"], "not_available"),
        "pct_rpt '~'": tally(est["pct_establishments_reporting_status"], "below_reporting_threshold"),
        "annual TRUE": pc.sum(est["annual_only"]).as_py() or 0,
        "hourly TRUE": pc.sum(est["hourly_only"]).as_py() or 0,
        "sum TOT_EMP": exact_sum(est["employment"]),
        "sum JOBS_1000 x 1000": exact_sum(est["jobs_per_1000"], 1000),
        "sum hourly wages x 100": exact_sum(wages.filter(pc.equal(wages["basis"], "hourly"))["value"], 100),
        "sum annual wages": exact_sum(wages.filter(pc.equal(wages["basis"], "annual"))["value"]),
    }


def exact_sum(column, scale: int = 1) -> int:
    """The sum of a decimal (or integer) column times `scale`, as an exact integer (Arrow sums decimal128
    exactly; no float on the way)."""
    import pyarrow.compute as pc

    total = pc.sum(column).as_py()
    return 0 if total is None else int(total * scale)


SCENARIOS = {"bare_read": scenario_bare_read, "normalize": scenario_normalize}


def measure(name: str, path: Path, product: str) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    # 400,000 rows x 32 columns is ~445 MB of sheet XML, over the default input limit (256 MB) that guards
    # against zip bombs; BLS's real all-data workbooks are as large, so the family parser needs this too.
    env.setdefault("OCCSTATS_MAX_INFLATED_BYTES", str(2 << 30))
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--path", str(path), "--product", product],
        capture_output=True,
        text=True,
        env=env,
    )
    if out.returncode:
        return {"seconds": float("nan"), "peak_mib": float("nan"), "error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(rows: int = 400_000, repeat: int = 1, product: str = DEFAULT_PRODUCT) -> dict:
    """Both scenarios, interleaved; the medians, their ratio, and whether the normalized counts are the
    generator's (for bench_all.py)."""
    path, expected = generate(CACHE / "alldata-v3", rows)
    runs: dict[str, list[dict]] = {name: [] for name in SCENARIOS}
    for _ in range(repeat):
        for name in SCENARIOS:
            runs[name].append(measure(name, path, product))
    parsers = [r["outcome"]["parser"] for r in runs["normalize"] if "outcome" in r]
    out = {"file": str(path), "rows": rows, "parser": parsers[-1] if parsers else product}
    for name in SCENARIOS:
        out[name] = {
            "seconds": statistics.median(r["seconds"] for r in runs[name]),
            "peak_mib": statistics.median(r["peak_mib"] for r in runs[name]),
            "last": runs[name][-1],
        }
    out["ratio"] = out["normalize"]["seconds"] / out["bare_read"]["seconds"]
    out["target"] = f"<= {TIME_TARGET:.0f}x the bare read: {'met' if out['ratio'] <= TIME_TARGET else 'NOT met'}"
    got = [r["outcome"]["counts"] for r in runs["normalize"] if "outcome" in r]
    differ = {k: (v, c.get(k)) for c in got for k, v in expected.items() if c.get(k) != v}
    differ.update({k: (None, v) for c in got for k, v in c.items() if k not in expected and v})
    out["counts"] = {"expected (generator)": expected, "match": bool(got) and not differ, "differ": differ}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--product", default=DEFAULT_PRODUCT, help="the registry product whose parser normalizes")
    parser.add_argument("--child", choices=list(SCENARIOS), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        # Millions of Python objects at this size: cap the child's address space so that a per-cell path
        # fails with MemoryError (reported) rather than starving a shared machine.
        cap = int(os.environ.get("OCCSTATS_BENCH_MAX_GIB", "10")) << 30
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        start = time.perf_counter()
        outcome = SCENARIOS[args.child](Path(args.path), args.product)
        seconds = outcome.pop("_seconds", time.perf_counter() - start)
        peak = outcome.pop("_peak_mib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps({"seconds": seconds, "peak_mib": peak, "outcome": outcome}))
        return 0
    result = run(args.rows, args.repeat, args.product)
    print(json.dumps(result, indent=1, default=str))
    return 0 if result["counts"]["match"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
