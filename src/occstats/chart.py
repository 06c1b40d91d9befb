"""`occstats chart`: one occupation's figure over time, with the SOC definition changes marked.

The points come from `occstats.lineage.series`, the rows `occstats series` prints. A run of points
with the same code and system (and the same comparability with the anchor) is one line segment;
lines never join across a change of code or classification. At every such change a dashed
vertical line marks the break and says what changed ("SOC 2010 -> SOC 2018: 29-2071 split,
now 29-2072"); points that are not the anchor's own definition are drawn hollow. Releases where
the occupation maps to several codes (no single figure) are marked on the axis, never plotted as
a value. x ticks are the releases' own labels.
"""

from __future__ import annotations

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


def _segment_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["soc_system"], row["soc_code"], row["comparable"])


def _system_label(system: str) -> str:
    entry = BY_NAME.get(system)
    return entry.label.split(" (")[0] if entry is not None else system


def _break_text(before: dict[str, Any], after: dict[str, Any]) -> str:
    old, new = _system_label(before["soc_system"]), _system_label(after["soc_system"])
    head = f"{old} -> {new}" if old != new else "code change"
    if after["soc_code"] and "," in after["soc_code"]:
        return f"{head}: {after['soc_code']} (no single figure)"
    rel = after.get("relationship") or "changed"
    if after["soc_code"] == before["soc_code"] and rel == "one-to-one":
        return f"{head}: {after['soc_code']}, same definition"
    return f"{head}: {rel}, now {after['soc_code'] or 'no code'}"


def plot_series(rows: list[dict[str, Any]], *, code: str, measure: str, out: Path, title: str | None = None) -> Path:
    """Draw `rows` (from lineage.series) to `out` (.png or .svg); return the path written."""
    if out.suffix.lower() not in FORMATS:
        raise ConfigError(f"{out}: the chart is written as PNG or SVG; name the file .png or .svg")
    if not rows:
        raise ConfigError(f"no OES releases hold {measure} for {code}: nothing to draw")
    x_of = {row["release"]: row["ref_year"] for row in rows}  # real time: missing years show as gaps
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=100)
    segments: list[list[dict[str, Any]]] = []
    for row in rows:
        if row["value"] is None:
            segments.append([])  # a gap: no single figure (or no code) in this release
            continue
        if segments and segments[-1] and _segment_key(segments[-1][-1]) == _segment_key(row):
            segments[-1].append(row)
        else:
            segments.append([row])
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for drawn, seg in enumerate(s for s in segments if s):
        first = seg[0]
        color = colors[drawn % len(colors)]
        xs = [x_of[r["release"]] for r in seg]
        ys = [float(Decimal(r["value"])) for r in seg]
        own = first["comparable"]
        label = f"{first['soc_code']} ({_system_label(first['soc_system'])})" + (
            "" if own else f", {first['relationship']}"
        )
        ax.plot(
            xs,
            ys,
            marker="o",
            color=color,
            linestyle="-" if own else "--",
            markerfacecolor=color if own else "white",
            label=label,
        )
    previous = None
    for row in rows:
        if previous is not None and _segment_key(previous) != _segment_key(row):
            x = (x_of[previous["release"]] + x_of[row["release"]]) / 2
            ax.axvline(x, color="crimson", linestyle=":", linewidth=1.6)
            ax.annotate(
                _break_text(previous, row),
                xy=(x, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(4, -6),
                textcoords="offset points",
                rotation=90,
                va="top",
                ha="left",
                fontsize=8,
                color="crimson",
            )
        if row["value"] is None:
            ax.annotate(
                "several codes" if row["soc_code"] else "no code",
                xy=(x_of[row["release"]], 0.02),
                xycoords=("data", "axes fraction"),
                ha="center",
                fontsize=7,
                color="gray",
            )
        previous = row
    ax.set_xticks([x_of[r["release"]] for r in rows], [r["release"] for r in rows], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(rows[0]["ref_year"] - 0.7, rows[-1]["ref_year"] + 0.7)
    decimals = 2 if measure.startswith("hourly") else 0
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.{decimals}f}"))
    unit = UNITS.get(measure.split("_")[0], "")
    ax.set_ylabel(f"{measure} ({unit})" if unit else measure)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8, title="code (classification)", title_fontsize=8)
    anchor_title = next((r["title"] for r in rows if r["comparable"] and r["title"]), None)
    ax.set_title(title or f"{code} {anchor_title or ''}: {measure}, OES releases".replace("  ", " "), fontsize=11)
    fig.text(
        0.01,
        0.01,
        "Source: U.S. Bureau of Labor Statistics, OES/OEWS. Dotted red lines: the occupation's SOC code or "
        "definition changes; hollow points are not the same definition as " + code + ".",
        fontsize=7,
        color="gray",
    )
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out
