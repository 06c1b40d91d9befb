"""`occstats series --area/--industry` on a generated time-series release beside generated national workbooks.

Without --area/--industry the series stays national: the national workbooks' figure where a release has
both families, the time series' where only it has the release. With them, the rows of that area and
industry, named as a person writes them (CA, 06, 0600000; 622100).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal

import pyarrow.compute as pc
import pytest
import ts_builders as tb
from builders import workbook_bytes

from occstats.cli import main
from occstats.pipeline import State, import_files
from occstats.settings import Settings
from occstats.store import Store

CODE = "29-2072"
# Hourly medians the generated time series publishes for 29-2072 (each distinct, so a row says where it is from);
# the annual median is BLS's hourly x 2,080.
HOURLY = {"national_2025": "23.45", "california_2025": "29.45", "hospitals_2025": "25.20", "national_2022": "48.05"}
ANNUAL = {name: Decimal(h) * 2080 for name, h in HOURLY.items()}


def figures(hourly_median: str) -> dict[str, tuple[str, str]]:
    """A consistent set of 17 figures around this hourly median (percentiles in order, annual = hourly x 2,080)."""
    median = Decimal(hourly_median)
    hourly = {
        s: (median * Decimal(f)).quantize(Decimal("0.01"))
        for s, f in zip("mlpMqr", ("1.05", "0.6", "0.8", "1", "1.2", "1.5"), strict=True)
    }
    codes = {
        "m": ("03", "04"),
        "l": ("06", "11"),
        "p": ("07", "12"),
        "M": ("08", "13"),
        "q": ("09", "14"),
        "r": ("10", "15"),
    }
    result = dict(tb.NURSES)
    for stat, (hourly_code, annual_code) in codes.items():
        result[hourly_code] = (str(hourly[stat]), "")
        result[annual_code] = (str(int((hourly[stat] * 2080).to_integral_value())), "")
    return result


def ts_release(year: int, lines: list[tuple[str, str, str, str]]) -> tb.Release:
    release = tb.Release(release=(f"{year}A01", f"May {year}"))
    for area_type, area, industry, hourly_median, *occupation in lines:
        for datatype, (value, footnote) in figures(hourly_median).items():
            series = f"OEU{area_type}{area}{industry}{occupation[0] if occupation else '292072'}{datatype}"
            release.lines.append(tb.line(series, value, footnote, year=str(year)))
    return release


@pytest.fixture(scope="module")
def data_dir(curated_data, tmp_path_factory):
    """The shared generated data dir (OES May 2021 and 2022 workbooks) plus time-series May 2022 and 2025."""
    root = tmp_path_factory.mktemp("series")
    data = root / "data"
    shutil.copytree(curated_data, data)
    settings = Settings(data_dir=data, http_retries=0, http_backoff=0, task_retries=0, task_retry_delay=0)
    # The 2010 -> 2018 crosswalk's rows for the occupation: the series follows a code through the classification.
    crosswalk = root / "soc_2010_to_2018_crosswalk.xlsx"
    header = ["2010 SOC Code", "2010 SOC Title", "2018 SOC Code", "2018 SOC Title"]
    rows = [
        ["11-1011", "Chief Executives", "11-1011", "Chief Executives"],
        ["29-2071", "Medical Records and Health Information Technicians", "29-2072", "Medical Records Specialists"],
        ["29-2071", "Medical Records and Health Information Technicians", "29-9021", "Health Information"],
    ]
    sheet = [["U.S. Bureau of Labor Statistics"], ["November 2017"], [], header, *rows]
    crosswalk.write_bytes(workbook_bytes({"Sorted by 2010": sheet}))
    soc = import_files(settings, "soc", [crosswalk])
    assert [o.state for o in soc.outcomes] == [State.CURATED], soc.outcomes[0].detail
    added = [("292072", "Medical Records Specialists", "3"), ("111011", "Chief Executives", "3")]
    tb.OCCUPATIONS.extend(added)
    try:
        releases = {
            2025: [
                ("N", "0000000", "000000", HOURLY["national_2025"]),
                ("S", "0600000", "000000", HOURLY["california_2025"]),
                ("N", "0000000", "622100", HOURLY["hospitals_2025"]),
                ("N", "0000000", "000000", "90.05", "111011"),  # for the card (EP carries 11-1011)
            ],
            2022: [("N", "0000000", "000000", HOURLY["national_2022"])],
        }
        for year, lines in releases.items():
            path = ts_release(year, lines).write(root / f"oe{year}")
            report = import_files(settings, "oes_timeseries", [path])
            assert [o.state for o in report.outcomes] == [State.CURATED], report.outcomes[0].detail
    finally:
        del tb.OCCUPATIONS[-len(added) :]
    return data


def series(capsys, data_dir, *options: str) -> tuple[int, list[dict]]:
    code = main(
        ["series", CODE, "--measure", "annual_median", "--format", "json", "--data-dir", str(data_dir), *options]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    return code, json.loads(out)


def by_year(rows: list[dict]) -> dict[int, tuple]:
    return {r["ref_year"]: (r["dataset"], None if r["value"] is None else Decimal(str(r["value"]))) for r in rows}


def test_without_area_the_series_stays_national_and_prefers_the_national_workbooks(capsys, data_dir):
    store = Store(data_dir / "curated")
    where = (pc.field("dataset") == "oes_national") & (pc.field("soc_code") == CODE)
    where &= (pc.field("basis") == "annual") & (pc.field("statistic") == "median")
    workbook = {r["ref_year"]: r["value"] for r in store.read("oes_wages", where=where).to_pylist()}
    assert set(workbook) == {2021, 2022}

    _, rows = series(capsys, data_dir)
    got = by_year(rows)
    assert got[2021] == ("oes_national", workbook[2021])
    assert got[2022] == ("oes_national", workbook[2022]), "both families have May 2022: the workbook's figure"
    assert workbook[2022] != ANNUAL["national_2022"]
    assert got[2025] == ("oes_timeseries", ANNUAL["national_2025"]), "only the time series has May 2025"
    assert got[2023] == got[2024] == (None, None)  # no release held: a row saying so, never a figure


@pytest.mark.parametrize("area", ["CA", "ca", "06", "0600000"])
def test_area_gives_the_state_rows(capsys, data_dir, area):
    _, rows = series(capsys, data_dir, "--area", area)
    assert by_year(rows) == {2025: ("oes_timeseries", ANNUAL["california_2025"])}
    assert rows[0]["release"] == "OES May 2025" and rows[0]["status"] == "estimate"


def test_industry_gives_the_industry_rows(capsys, data_dir):
    _, rows = series(capsys, data_dir, "--industry", "622100")
    assert by_year(rows) == {2025: ("oes_timeseries", ANNUAL["hospitals_2025"])}


def test_the_table_output_names_the_family(capsys, data_dir):
    code = main(["series", CODE, "--measure", "annual_median", "--format", "csv", "--data-dir", str(data_dir)])
    out, _ = capsys.readouterr()
    header, *lines = out.splitlines()
    assert code == 0 and header.split(",")[:2] == ["release", "dataset"]
    assert [line.split(",")[1] for line in lines] == ["oes_national", "oes_national", "", "", "oes_timeseries"]


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--area", "ZZ"], "--area 'ZZ': give a state postal code (CA)"),
        (["--area", "99", "--industry", "6221"], "--industry '6221': give an industry code as BLS publishes it"),
        (["--area", "TX"], "no curated OES release publishes Texas (state area 4800000, 48)"),
        (["--industry", "611100"], "no curated OES release publishes United States, industry 611100"),
    ],
)
def test_an_area_or_industry_not_held_is_one_clear_error(capsys, data_dir, options, words):
    code = main(["series", CODE, "--measure", "annual_median", "--data-dir", str(data_dir), *options])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and words in err, err
    assert len(err.strip().splitlines()) == 1


def _shas(node) -> set[str]:
    if isinstance(node, dict):
        return set().union(*(_shas(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_shas(v) for v in node)) if node else set()
    return {node} if isinstance(node, str) and len(node) == 64 and node.isalnum() else set()


def test_cards_keep_to_the_national_workbooks(data_dir):
    """A card cites the national workbooks: the time series' rows (a newer release here) never reach it."""
    from occstats.cards import build_card

    store = Store(data_dir / "curated")
    shas = {
        family: set(store.read("oes_wages", where=pc.field("dataset") == family)["source_sha256"].to_pylist())
        for family in ("oes_national", "oes_timeseries")
    }
    card = build_card(store, "11-1011")
    cited = _shas(card)
    assert cited & shas["oes_national"], "the card cites the national workbooks"
    assert not cited & shas["oes_timeseries"]
    assert "OES May 2025" not in json.dumps(card, default=str)
