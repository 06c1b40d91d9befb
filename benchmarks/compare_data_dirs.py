"""Compare the curated tables of two data directories, cell for cell.

Used to show that a change of code (a redesign, a faster parser) leaves every figure as it was:
build one data directory with the old code and one with the new, then

    .venv/bin/python benchmarks/compare_data_dirs.py OLD_DATA_DIR NEW_DATA_DIR

Each table present in either directory is read at its latest version, sorted by its declared key,
and compared column by column. Content columns must be equal; provenance columns (where a row
came from, e.g. the sha256 of a declarations file) are reported separately, since moving a file
changes them without changing a figure. `--renamed OLD=NEW` (repeatable, applied in order) maps a
moved file's path in the old directory's text cells before comparing, and the output says so.
Exit status 0 when every content cell is equal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from occstats.schema import TABLES
from occstats.store import Store


def _sorted(table: pa.Table, key: list[str]) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in key]).combine_chunks()


def _differing(old: pa.ChunkedArray, new: pa.ChunkedArray) -> int:
    """Cells that differ, nulls equal to nulls."""
    if pa.types.is_nested(old.type):  # no compute kernel compares lists; these columns are small
        return sum(a != b for a, b in zip(old.to_pylist(), new.to_pylist(), strict=True))
    equal = pc.equal(old, new)
    both_null = pc.and_(pc.is_null(old), pc.is_null(new))
    same = pc.or_kleene(pc.fill_null(equal, False), both_null)
    return len(same) - pc.sum(pc.cast(same, pa.int64())).as_py()


def _renamed(table: pa.Table, renames: list[tuple[str, str]]) -> pa.Table:
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = table.column(i)
            for old, new in renames:
                column = pc.replace_substring(column, old, new)
            table = table.set_column(i, field, column)
    return table


def compare(old_dir: Path, new_dir: Path, renames: list[tuple[str, str]] | None = None) -> tuple[list[str], bool]:
    old_store, new_store = Store(old_dir / "curated"), Store(new_dir / "curated")
    names = sorted(set(old_store.names()) | set(new_store.names()))
    lines, ok = [], True
    for name in names:
        if not (old_store.exists(name) and new_store.exists(name)):
            where = "new" if new_store.exists(name) else "old"
            lines.append(f"{name}: only in the {where} directory")
            ok = False
            continue
        tbl = TABLES.get(name)
        old, new = _renamed(old_store.read(name), renames or []), new_store.read(name)
        key = list(tbl.key) if tbl else sorted(set(old.column_names) & set(new.column_names))
        if old.num_rows != new.num_rows:
            lines.append(f"{name}: {old.num_rows} rows before, {new.num_rows} after")
            ok = False
            continue
        old, new = _sorted(old, key), _sorted(new, key)
        provenance = {c.name for c in tbl.columns if c.provenance} if tbl else set()
        content_diffs, provenance_diffs = [], []
        for column in sorted(set(old.column_names) | set(new.column_names)):
            if column not in old.column_names or column not in new.column_names:
                (provenance_diffs if column in provenance else content_diffs).append(f"{column} (added or dropped)")
                continue
            n = _differing(old.column(column), new.column(column).cast(old.schema.field(column).type))
            if n:
                (provenance_diffs if column in provenance else content_diffs).append(f"{column} ({n} cells)")
        cells = old.num_rows * len(old.column_names)
        verdict = "equal" if not content_diffs else "DIFFERENT: " + ", ".join(content_diffs)
        line = f"{name}: {old.num_rows} rows, {cells} cells: content {verdict}"
        if provenance_diffs:
            line += "; provenance differs in " + ", ".join(provenance_diffs)
        lines.append(line)
        ok = ok and not content_diffs
    return lines, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--renamed", action="append", default=[], metavar="OLD=NEW", help="a moved file's path")
    args = parser.parse_args(argv)
    renames = [tuple(r.split("=", 1)) for r in args.renamed]
    for old, new in renames:
        print(f"text cells of the old directory read with {old!r} as {new!r}")
    lines, ok = compare(args.old, args.new, renames)
    print("\n".join(lines))
    print("every content cell equal" if ok else "content differs")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
