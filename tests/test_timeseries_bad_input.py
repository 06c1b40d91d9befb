"""Bad time-series input through `occstats import`: one clear error naming the file and line, nothing curated lost.

The parser's own tests (test_timeseries_parser.py) pin each message; here each bad release comes in
on top of a curated good one, through the CLI, and the tables must keep every row and version they had.
"""

from __future__ import annotations

import pytest
import ts_builders as tb

from occstats.cli import main
from occstats.store import Store

TABLES = ("oes_estimates", "oes_wages", "oes_areas", "oes_industries")


def sid(occupation: str, datatype: str) -> str:
    return f"OEU N0000000000000{occupation}{datatype}".replace(" ", "")


def cut_short(r: tb.Release) -> None:
    r.lines[5] = r.lines[5][:20] + tb.EOL


def wrong_length(r: tb.Release) -> None:
    r.lines[3] = tb.line(sid("291141", "04")[:-3] + "04", "1")


def unknown_datatype(r: tb.Release) -> None:
    r.lines.append(tb.line(sid("291141", "18"), "1.0"))


def unknown_footnote(r: tb.Release) -> None:
    r.lines[12] = tb.line(sid("252021", "03"), "-", "7")


def duplicated(r: tb.Release) -> None:
    r.lines.append(r.lines[2])


def not_a_number(r: tb.Release) -> None:
    r.lines[20] = tb.line(sid("252021", "13"), "1,234")


def renumbered_datatype(r: tb.Release) -> None:
    r.datatypes["04"] = "Annual median wage"


CASES = [
    (cut_short, "oe.data.0.Current: line 7: 1 tab-separated field(s) where 5 are expected"),
    (wrong_length, "oe.data.0.Current: line 5: a series id must be 25 characters"),
    (unknown_datatype, "oe.data.0.Current: line 138: unknown datatype code"),
    (unknown_footnote, "oe.data.0.Current: line 14: unknown footnote code '7'"),
    (duplicated, "oe.data.0.Current: line 138: a duplicated series (first on line 4)"),
    (not_a_number, "oe.data.0.Current: line 22: the value is neither a number nor '-'"),
    (renumbered_datatype, "oe.datatype: line 5: datatype 04 is 'Annual median wage'"),
]


def state(data_dir) -> dict[str, tuple[int | None, list[dict]]]:
    store = Store(data_dir / "curated")
    return {t: (store.version(t), sorted(map(str, store.read(t).to_pylist()))) for t in TABLES}


@pytest.mark.parametrize(("spoil", "message"), CASES, ids=[c[0].__name__ for c in CASES])
def test_a_bad_release_is_refused_naming_the_file_and_nothing_curated_is_lost(capsys, tmp_path, spoil, message):
    data_dir = tmp_path / "data"
    good = tb.standard().write(tmp_path / "good")
    assert main(["import", "oes_timeseries", str(good), "--data-dir", str(data_dir), "-q"]) == 0
    before = state(data_dir)
    assert before["oes_estimates"][0] == 0 and len(before["oes_estimates"][1]) == 8
    capsys.readouterr()

    release = tb.standard()
    spoil(release)
    bad = release.write(tmp_path / "bad")
    code = main(["import", "oes_timeseries", str(bad), "--data-dir", str(data_dir), "-q"])
    out, err = capsys.readouterr()
    assert code == 1
    assert message in out + err, out + err
    assert "Traceback" not in out + err, out + err
    assert state(data_dir) == before, "the curated tables keep every row and version"
