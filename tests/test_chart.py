"""`occstats chart`: the series over time as an image, with the SOC definition change marked."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pytest
from publish_builders import MEDIANS, build_data_dir

from occstats.chart import plot_series
from occstats.cli import main
from occstats.errors import ConfigError

RED = np.array([220, 20, 60]) / 255  # the break lines ("crimson")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    from occstats.settings import Settings

    root = tmp_path_factory.mktemp("chart")
    build_data_dir(Settings(data_dir=root / "data", http_retries=0, task_retries=0), root / "files")
    return root / "data"


def red_columns(image: np.ndarray) -> np.ndarray:
    """x positions of pixel columns holding many break-line (crimson) pixels."""
    rgb = image[..., :3]
    close = np.all(np.abs(rgb - RED) < 0.12, axis=-1)
    return np.flatnonzero(close.sum(axis=0) > image.shape[0] * 0.1)  # a dotted line: about a quarter of its length


def test_chart_writes_a_png_with_the_soc_break_marked(data_dir, tmp_path, capsys):
    out = tmp_path / "chart.png"
    code = main(["chart", "29-2071", "--measure", "annual_median", "--out", str(out), "--data-dir", str(data_dir)])
    assert code == 0 and "4 releases" in capsys.readouterr().out
    image = mpimg.imread(out)
    assert image.shape[:2] == (550, 1000), "10 x 5.5 inches at 100 dpi"
    columns = red_columns(image)
    assert columns.size, "a dotted break line crosses the plot"
    # one break (SOC 2010 -> 2018), between the May 2018 and May 2021 points: one contiguous run of columns
    assert columns.max() - columns.min() < 6
    # the break sits right of the middle of 2017..2022 (at 2019.5 on the year axis)
    assert 0.5 < columns.mean() / image.shape[1] < 0.65


def test_a_series_with_no_code_change_has_no_break(tmp_path):
    rows = [
        {
            "release": f"OES May {y}",
            "ref_year": y,
            "soc_system": "soc-2018",
            "soc_code": "29-2072",
            "title": "Medical Records Specialists",
            "value": v,
            "comparable": True,
            "relationship": "one-to-one",
        }
        for y, v in ((2021, MEDIANS[2021]), (2022, MEDIANS[2022]))
    ]
    out = plot_series(rows, code="29-2072", measure="annual_median", out=tmp_path / "flat.png")
    assert red_columns(mpimg.imread(out)).size == 0


def test_a_split_draws_each_part_as_its_own_labelled_figure(tmp_path):
    def row(year, system, code, value, comparable, relationship, parts=None):
        return {
            "release": f"OES May {year}",
            "ref_year": year,
            "soc_system": system,
            "soc_code": code,
            "title": "Medical Records and Health Information Technicians",
            "value": value,
            "comparable": comparable,
            "relationship": relationship,
            "parts": parts,
        }

    parts = [
        {"soc_code": "29-2072", "relationship": "split", "value": 46660, "status": "estimate"},
        {"soc_code": "29-9021", "relationship": "many-to-many", "value": 55560, "status": "estimate"},
    ]
    rows = [
        row(2017, "soc-2010", "29-2071", 39180, True, "one-to-one"),
        row(2018, "soc-2010", "29-2071", 40350, True, "one-to-one"),
        row(2021, "soc-2018", "29-2072, 29-9021", None, False, "29-2072: split; 29-9021: many-to-many", parts),
    ]
    svg = plot_series(rows, code="29-2071", measure="annual_median", out=tmp_path / "split.svg").read_text()
    assert "29-2072 (split of 29-2071)" in svg and "29-9021 (many-to-many of 29-2071)" in svg
    assert "SOC 2010 -&gt; SOC 2018: 29-2072 (split)," in svg, "the break says where the occupation went"


def test_svg_and_bad_names(data_dir, tmp_path):
    svg = tmp_path / "chart.svg"
    main(["chart", "29-2071", "--measure", "annual_median", "--out", str(svg), "--data-dir", str(data_dir)])
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "SOC 2010 -&gt; SOC 2018" in text
    with pytest.raises(ConfigError, match="PNG or SVG"):
        plot_series([{"release": "x"}], code="29-2071", measure="annual_median", out=tmp_path / "chart.gif")
    assert main(["chart", "29-2071", "--measure", "vibes", "--out", str(svg), "--data-dir", str(data_dir)]) == 2
    assert main(["chart", "29-2071", "--measure", "employment", "--area", "06", "--out", str(svg)]) == 2
