"""`occstats chart`: one occupation's figure over time, with the SOC definition changes marked.

The points come from `occstats.lineage.series`, the rows `occstats series` prints. Where the
release's code is the anchor's own definition (`comparable`), points are filled and joined; where
the occupation became another code (split, merged) or maps to several codes, each code's own
figure is drawn hollow, dashed, in its own colour, and labelled with its relationship: never summed,
never joined to the anchor's line. A dotted red line marks every definition change and says what
changed ("SOC 2010 -> SOC 2018: 29-2072 (split), 29-9021 (many-to-many)"); a thin grey line marks a
change of classification that kept the definition (SOC 2000 -> 2010 for a one-to-one code). The x
axis is time (missing survey years leave gaps); ticks are the releases' own labels.
"""

from __future__ import annotations

import itertools
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from occstats.errors import ConfigError
from occstats.sources.soc.layout import BY_NAME

FORMATS = (".png", ".svg")
UNITS = {"employment": "persons", "annual": "USD per year", "hourly": "USD per hour"}


def _state(row: dict[str, Any]) -> tuple[Any, ...]:
    """What a release's figure stands for: a change of it is a definition break."""
    return (row["soc_code"], row["comparable"])


def _system_label(system: str) -> str:
    entry = BY_NAME.get(system)
    return entry.label.split(" (")[0] if entry is not None else system


def _points(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One point per code with a figure in each release: the row's own, or each part's."""
    points = []
    for i, row in enumerate(rows):
        base = {"i": i, "x": row["ref_year"], "system": row["soc_system"]}
        if row["value"] is not None:
            own = bool(row["comparable"])
            points.append(
                {**base, "code": row["soc_code"], "value": row["value"], "own": own, "rel": row["relationship"]}
            )
        for part in row.get("parts") or []:
            if part["value"] is not None:
                rel = part["relationship"]
                points.append({**base, "code": part["soc_code"], "value": part["value"], "own": False, "rel": rel})
    return points


def _runs(points: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Points of one code and kind in consecutive releases: one drawn line each."""
    runs: dict[tuple[Any, ...], list[list[dict[str, Any]]]] = {}
    for p in points:
        key = (p["code"], p["own"], p["rel"])
        lines = runs.setdefault(key, [])
        if lines and lines[-1][-1]["i"] == p["i"] - 1:
            lines[-1].append(p)
        else:
            lines.append([p])
    return [line for lines in runs.values() for line in lines]


def _break_text(before: dict[str, Any], after: dict[str, Any]) -> str:
    old, new = _system_label(before["soc_system"]), _system_label(after["soc_system"])
    head = f"{old} -> {new}" if old != new else "code change"
    if after.get("parts"):
        return head + ": " + ", ".join(f"{p['soc_code']} ({p['relationship']})" for p in after["parts"])
    if after["soc_code"] is None:
        return f"{head}: no code maps here"
    return f"{head}: {after['soc_code']} ({after['relationship']})"


def _mark(ax: Any, x: float, text: str, *, strong: bool) -> None:
    color = "crimson" if strong else "gray"
    ax.axvline(x, color=color, linestyle=":" if strong else "--", linewidth=1.6 if strong else 0.8)
    ax.annotate(
        textwrap.fill(text, 52),  # two short columns rather than one that runs off the axes
        xy=(x, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -4),
        textcoords="offset points",
        rotation=90,
        va="top",
        ha="left",
        fontsize=7,
        color=color,
    )


def held_releases(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The series rows of releases held (a gap year's row says no release is held: nothing to draw)."""
    return [r for r in rows if r.get("soc_system")]


def plot_series(rows: list[dict[str, Any]], *, code: str, measure: str, out: Path, title: str | None = None) -> Path:
    """Draw `rows` (from lineage.series) to `out` (.png or .svg); return the path written."""
    if out.suffix.lower() not in FORMATS:
        raise ConfigError(f"{out}: the chart is written as PNG or SVG; name the file .png or .svg")
    rows = held_releases(rows)
    if not rows:
        raise ConfigError(f"no OES releases hold {measure} for {code}: nothing to draw")
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=100)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    color_of: dict[str, str] = {}
    labelled: set[tuple[Any, ...]] = set()
    for line in _runs(_points(rows)):
        first = line[0]
        color = color_of.setdefault(first["code"], colors[len(color_of) % len(colors)])
        key = (first["code"], first["own"], first["rel"])
        label = None
        if key not in labelled:
            labelled.add(key)
            label = first["code"] if first["own"] else f"{first['code']} ({first['rel']} of {code})"
        ax.plot(
            [p["x"] for p in line],
            [float(Decimal(p["value"])) for p in line],
            marker="o",
            color=color,
            linestyle="-" if first["own"] else "--",
            markerfacecolor=color if first["own"] else "white",
            label=label,
        )
    for before, after in itertools.pairwise(rows):
        x = (before["ref_year"] + after["ref_year"]) / 2
        if _state(before) != _state(after):
            _mark(ax, x, _break_text(before, after), strong=True)
        elif before["soc_system"] != after["soc_system"]:
            old, new = _system_label(before["soc_system"]), _system_label(after["soc_system"])
            _mark(ax, x, f"{old} -> {new}: same definition", strong=False)
    years = [r["ref_year"] for r in rows]
    ax.set_xticks(years, [r["release"] for r in rows], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(years[0] - 0.7, years[-1] + 0.7)
    decimals = 2 if measure.startswith("hourly") else 0
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.{decimals}f}"))
    unit = UNITS.get(measure.split("_")[0], "")
    ax.set_ylabel(f"{measure} ({unit})" if unit else measure)
    ax.grid(axis="y", alpha=0.3)
    if labelled:
        ax.legend(loc="best", fontsize=8)
    anchor_title = next((r["title"] for r in rows if r["comparable"] and r["title"]), None)
    ax.set_title(title or f"{code} {anchor_title or ''}: {measure}, OES releases".replace("  ", " "), fontsize=11)
    fig.text(
        0.01,
        0.01,
        "Source: U.S. Bureau of Labor Statistics, OES/OEWS. Red dotted lines: the occupation's definition changes; "
        f"hollow points are other codes' own figures, not {code}'s definition.",
        fontsize=7,
        color="gray",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
