"""The data dictionary, generated from the schema so it cannot drift from the tables."""

from __future__ import annotations

from occstats.markers import STATUS_MEANINGS
from occstats.schema import TABLES


def markdown() -> str:
    lines = [
        "# occstats data dictionary",
        "",
        "Generated from `src/occstats/schema.py` by `occstats dictionary`; do not edit by hand.",
        "",
    ]
    for tbl in TABLES.values():
        lines += [f"## `{tbl.name}`", "", tbl.description, ""]
        lines += [f"- Key (unique per row): `{', '.join(tbl.key)}`"]
        lines += [f"- A release replaces the rows sharing: `{', '.join(tbl.release_key)}`"]
        if tbl.partition_by:
            lines += [f"- Partitioned by: `{', '.join(tbl.partition_by)}`"]
        if tbl.usage:
            lines += [f"- Usage: {tbl.usage}"]
        lines += ["", "| column | type | unit | required | description |", "|---|---|---|---|---|"]
        for col in tbl.columns:
            description = col.description
            if col.values:
                description += " Values: " + ", ".join(f"`{v}`" for v in col.values) + "."
            if col.pattern:
                description += f" Pattern: `{col.pattern}`."
            if col.provenance:
                description += " (provenance)"
            required = "yes" if not col.nullable else ""
            lines.append(f"| `{col.name}` | {col.type} | {col.unit or ''} | {required} | {description} |")
        lines.append("")
    lines += ["## Status vocabulary", "", "Every `*_status` and `status` column uses these values:", ""]
    lines += [f"- `{status.value}`: {meaning}" for status, meaning in STATUS_MEANINGS.items()]
    return "\n".join(lines) + "\n"
