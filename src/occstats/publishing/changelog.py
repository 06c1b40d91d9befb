"""What changed between two data releases: BLS releases added or replaced, figures changed.

Both sides are the releases' own Parquet files (the previous release is immutable, so it is the
baseline a publisher actually holds). The comparison is columnar, in DuckDB: one full outer join
per table on its primary key, the changed cells unpivoted with one UNION ALL over the figure
columns, counted and ranked in SQL (the largest numeric changes, relative first; other columns,
such as a status or a list of releases, are counted per column). Python only sees the per-release
summaries and the top-N rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from occstats.schema import Table

LARGEST = 10  # changes listed per table

# How a table's release key reads for people, by the key's columns (declared, not branched on).
RELEASE_LABELS: dict[tuple[str, ...], str] = {
    ("dataset", "ref_year"): "OES {ref_year}",
    ("base_year", "target_year"): "EP {base_year}-{target_yy}",
    ("soc_system",): "SOC codes {soc_system}",
    ("from_system", "to_system"): "SOC crosswalk {from_system} to {to_system}",
}


def release_label(tbl: Table, values: tuple[Any, ...] | list[Any]) -> str:
    fields = dict(zip(tbl.release_key, values, strict=True))
    if "target_year" in fields:
        fields["target_yy"] = f"{int(fields['target_year']) % 100:02d}"
    template = RELEASE_LABELS.get(tbl.release_key)
    return template.format(**fields) if template else "/".join(str(v) for v in values)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source_columns(tbl: Table) -> list[str]:
    return [c.name for c in tbl.columns if c.provenance and c.name.endswith("source_sha256")]


def _figure_columns(tbl: Table) -> list[str]:
    return [c for c in tbl.content_columns if c not in tbl.key]


def _numeric(tbl: Table, name: str) -> bool:
    t = tbl.column(name).type
    return pa.types.is_integer(t) or pa.types.is_decimal(t) or pa.types.is_floating(t)


def _source(path: Path | None) -> str | None:
    return None if path is None else f"read_parquet('{path.as_posix()}')"


def release_summary(con: duckdb.DuckDBPyConnection, tbl: Table, path: Path | None) -> dict[tuple[Any, ...], dict]:
    """Per release key: rows and the raw files (sha256) they came from, one grouped query."""
    if path is None:
        return {}
    keys = ", ".join(_q(k) for k in tbl.release_key)
    shas = _source_columns(tbl)
    sources = (
        "list_sort(list_distinct(flatten([" + ", ".join(f"list({_q(c)})" for c in shas) + "])))"
        if shas
        else "[]::VARCHAR[]"
    )
    sql = f"SELECT {keys}, count(*) AS n, {sources} AS sources FROM {_source(path)} GROUP BY ALL ORDER BY ALL"
    out = {}
    width = len(tbl.release_key)
    for row in con.sql(sql).fetchall():
        out[tuple(row[:width])] = {"rows": row[width], "sources": [s for s in row[width + 1] if s]}
    return out


def compare_table(con: duckdb.DuckDBPyConnection, tbl: Table, old: Path | None, new: Path | None) -> dict[str, Any]:
    """Rows added, removed and changed, figures (cells) changed, per release and the largest changes."""
    before, after = release_summary(con, tbl, old), release_summary(con, tbl, new)
    result: dict[str, Any] = {
        "rows": sum(r["rows"] for r in after.values()),
        "previous_rows": sum(r["rows"] for r in before.values()) if old is not None else None,
        "rows_added": 0,
        "rows_removed": 0,
        "rows_changed": 0,
        "figures_changed": 0,
        "fields_changed": {},
        "releases": [],
        "largest_changes": [],
    }
    per_release: dict[tuple[Any, ...], dict[str, int]] = {}
    if old is not None and new is not None:
        per_release = _diff(con, tbl, old, new, result)
    elif new is not None:
        result["rows_added"] = result["rows"]
        per_release = {k: {"added": v["rows"], "removed": 0, "changed": 0, "figures": 0} for k, v in after.items()}
    elif old is not None:
        result["rows_removed"] = result["previous_rows"]
        per_release = {k: {"added": 0, "removed": v["rows"], "changed": 0, "figures": 0} for k, v in before.items()}
    for key in sorted(set(before) | set(after), key=lambda k: tuple(str(v) for v in k)):
        counts = per_release.get(key, {"added": 0, "removed": 0, "changed": 0, "figures": 0})
        was, now = before.get(key), after.get(key)
        if was is None:
            change = "added"
        elif now is None:
            change = "removed"
        elif set(was["sources"]) != set(now["sources"]) and (counts["figures"] or counts["added"] or counts["removed"]):
            change = "replaced"  # a new raw file with different figures
        elif counts["figures"] or counts["added"] or counts["removed"]:
            change = "revised"  # same raw files, figures re-derived (a code or crosswalk change)
        elif set(was["sources"]) != set(now["sources"]):
            change = "re-sourced"  # a new raw file, the same figures
        else:
            continue
        result["releases"].append(
            {
                "release": release_label(tbl, key),
                "key": dict(zip(tbl.release_key, key, strict=True)),
                "change": change,
                "rows": now["rows"] if now else 0,
                "previous_rows": was["rows"] if was else None,
                "rows_added": counts["added"],
                "rows_removed": counts["removed"],
                "rows_changed": counts["changed"],
                "figures_changed": counts["figures"],
                "sources": now["sources"] if now else [],
                "previous_sources": was["sources"] if was else [],
            }
        )
    return result


def _diff(con: duckdb.DuckDBPyConnection, tbl: Table, old: Path, new: Path, result: dict[str, Any]) -> dict:
    keys = list(tbl.key)
    key_list = ", ".join(_q(k) for k in keys)
    figures = _figure_columns(tbl)
    cols = ", ".join(f"o.{_q(c)} AS {_q('o:' + c)}, n.{_q(c)} AS {_q('n:' + c)}" for c in figures)
    con.execute("DROP TABLE IF EXISTS j; DROP TABLE IF EXISTS cells")
    con.execute(
        f"CREATE TEMP TABLE j AS SELECT {key_list}, o.__o IS NOT NULL AS in_old, n.__n IS NOT NULL AS in_new, {cols} "
        f"FROM (SELECT *, true AS __o FROM {_source(old)}) o "
        f"FULL OUTER JOIN (SELECT *, true AS __n FROM {_source(new)}) n USING ({key_list})"
    )
    parts = []
    for c in figures:
        o, n = _q("o:" + c), _q("n:" + c)
        delta = f"CAST({n} AS DOUBLE) - CAST({o} AS DOUBLE)" if _numeric(tbl, c) else "NULL::DOUBLE"
        old_num = f"CAST({o} AS DOUBLE)" if _numeric(tbl, c) else "NULL::DOUBLE"
        parts.append(
            f"SELECT {key_list}, '{c}' AS field, CAST({o} AS VARCHAR) AS old, CAST({n} AS VARCHAR) AS new, "
            f"{delta} AS delta, {old_num} AS old_num FROM j WHERE in_old AND in_new AND {o} IS DISTINCT FROM {n}"
        )
    con.execute("CREATE TEMP TABLE cells AS " + " UNION ALL ".join(parts))
    rk = ", ".join(_q(k) for k in tbl.release_key)
    rows = con.sql(
        f"""
        WITH changed_rows AS (SELECT DISTINCT {key_list} FROM cells),
        r AS (
            SELECT {rk}, count(*) FILTER (WHERE in_new AND NOT in_old) AS added,
                   count(*) FILTER (WHERE in_old AND NOT in_new) AS removed, 0 AS changed, 0 AS figures
            FROM j GROUP BY ALL
            UNION ALL SELECT {rk}, 0, 0, count(*), 0 FROM changed_rows GROUP BY ALL
            UNION ALL SELECT {rk}, 0, 0, 0, count(*) FROM cells GROUP BY ALL
        )
        SELECT {rk}, sum(added)::BIGINT, sum(removed)::BIGINT, sum(changed)::BIGINT, sum(figures)::BIGINT
        FROM r GROUP BY ALL
        """
    ).fetchall()
    width = len(tbl.release_key)
    per_release = {
        tuple(r[:width]): dict(zip(("added", "removed", "changed", "figures"), r[width:], strict=True)) for r in rows
    }
    for counts in per_release.values():
        result["rows_added"] += counts["added"]
        result["rows_removed"] += counts["removed"]
        result["rows_changed"] += counts["changed"]
        result["figures_changed"] += counts["figures"]
    fields = con.sql("SELECT field, count(*) AS n FROM cells GROUP BY field ORDER BY n DESC, field").fetchall()
    result["fields_changed"] = {name: count for name, count in fields}
    largest = con.sql(
        f"""
        SELECT {key_list}, field, old, new, delta,
               CASE WHEN old_num <> 0 THEN round(100 * delta / abs(old_num), 2) END AS pct
        FROM cells WHERE delta IS NOT NULL
        ORDER BY abs(delta) / nullif(abs(old_num), 0) DESC NULLS LAST, abs(delta) DESC, {key_list}, field
        LIMIT {LARGEST}
        """
    )
    names = largest.columns
    for row in largest.fetchall():
        rec = dict(zip(names, row, strict=True))
        key = {k: rec.pop(k) for k in keys}
        result["largest_changes"].append(
            {
                "release": release_label(tbl, tuple(key[k] for k in tbl.release_key)),
                "key": key,
                **rec,
            }
        )
    con.execute("DROP TABLE j; DROP TABLE cells")
    return per_release


def build(
    tables: dict[str, Table],
    old_files: dict[str, Path],
    new_files: dict[str, Path],
    *,
    number: int,
    previous: int | None,
    created: str,
    table_versions: dict[str, int],
) -> dict[str, Any]:
    """The changelog document (changelog.json) of release `number` against release `previous`."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        per_table = {}
        for name in sorted(set(old_files) | set(new_files), key=lambda n: list(tables).index(n)):
            entry = compare_table(con, tables[name], old_files.get(name), new_files.get(name))
            entry["table_version"] = table_versions.get(name)
            per_table[name] = entry
    finally:
        con.close()
    bls: dict[tuple[str, str], list[str]] = {}
    for name, entry in per_table.items():
        for rel in entry["releases"]:
            bls.setdefault((rel["release"], rel["change"]), []).append(name)
    return {
        "release": number,
        "previous_release": previous,
        "created": created,
        "bls_releases": [{"release": r, "change": c, "tables": t} for (r, c), t in sorted(bls.items())],
        "tables": per_table,
    }


def _cell(value: Any) -> str:
    return "" if value is None else str(value).replace("|", "\\|")


def markdown(doc: dict[str, Any]) -> str:
    """CHANGELOG.md: the same facts as changelog.json, for people."""
    prev = doc["previous_release"]
    lines = [
        f"# occstats data release {doc['release']}",
        "",
        f"Published {doc['created']}. "
        + (f"Changes since release {prev}." if prev is not None else "First release: everything is new."),
        "",
        "## BLS releases",
        "",
    ]
    if doc["bls_releases"]:
        for change in ("added", "replaced", "revised", "re-sourced", "removed"):
            for item in (r for r in doc["bls_releases"] if r["change"] == change):
                lines.append(f"- {change.capitalize()}: **{item['release']}** ({', '.join(item['tables'])})")
    else:
        lines.append("- No BLS release added, replaced or removed.")
    lines += [
        "",
        "## Tables",
        "",
        "| table | version | rows | rows added | rows removed | rows changed | figures changed |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, t in doc["tables"].items():
        lines.append(
            f"| {name} | {_cell(t['table_version'])} | {t['rows']} | {t['rows_added']} | {t['rows_removed']} "
            f"| {t['rows_changed']} | {t['figures_changed']} |"
        )
    changed_fields = {n: t["fields_changed"] for n, t in doc["tables"].items() if t["fields_changed"]}
    if changed_fields:
        lines += ["", "Figures changed, by column:", ""]
        for name, fields in changed_fields.items():
            lines.append(f"- {name}: " + ", ".join(f"{f} ({n})" for f, n in fields.items()))
    for name, t in doc["tables"].items():
        if not t["largest_changes"]:
            continue
        lines += [
            "",
            f"### Largest changes in {name}",
            "",
            "| release | row | field | was | now | change | % |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        for c in t["largest_changes"]:
            row = ", ".join(f"{k}={v}" for k, v in c["key"].items() if k not in ("dataset",))
            lines.append(
                f"| {c['release']} | {_cell(row)} | {c['field']} | {_cell(c['old'])} | {_cell(c['new'])} "
                f"| {_cell(c['delta'])} | {_cell(c['pct'])} |"
            )
    return "\n".join(lines) + "\n"


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=False, default=str) + "\n"
