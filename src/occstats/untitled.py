"""A file that cannot say which release it is, checked against what is known (issue 12 item 2).

Most OES workbooks carry a title ("May 2014 OES Estimates"); May 2011-2013, 2015 and 2016 do not,
and a release is then known only by a file name, the catalog or `--year`. A May 2010 workbook
saved as national_M2011_dl.xls was curated as 2011 and replaced every 2011 figure. So before an
untitled file is curated its totals are compared with the releases held:

- the same release held: its total (00-0000) employment must agree within `SAME_RELEASE_TOTAL`;
- another release held: an identical total employment and row count say it *is* that release.

Its codes are checked against the year's declared SOC system by the pipeline's code check
(`classification.codes_in_system`), which refuses a workbook of another system (e.g. SOC 2010
codes named as a SOC 2018 year) once the crosswalks are held. Nothing held contradicts a file:
it is accepted (there is nothing to check it against), as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow.compute as pc

from occstats.errors import SourceError

if TYPE_CHECKING:
    from occstats.schema import Table
    from occstats.sources.base import ParsedRelease
    from occstats.store import Store

# The smallest move of national total employment between two releases held, May 2004-2025, is
# 0.62% (2007 -> 2008); May 2010 -> 2011 is 0.93%. An untitled file claiming a release held must
# agree with it within half the smallest: a revision moves a handful of rows, another year moves more.
SAME_RELEASE_TOTAL = 0.0031

# facts["year_evidence"] of a file that named itself in its own words (parsers say "title …")
TITLED = "title"


def _totals(data, keys: list[str]) -> dict[tuple, tuple[float, int]]:
    """Per release: (total employment, rows), from the `total` level row."""
    rows = data.group_by(keys).aggregate([([], "count_all")])
    counts = {tuple(r[k] for k in keys): r["count_all"] for r in rows.to_pylist()}
    total = data.filter(pc.equal(data["occ_level"], "total")).select([*keys, "employment"])
    return {
        key: (float(r["employment"]), counts[key])
        for r in total.to_pylist()
        if r["employment"] is not None and (key := tuple(r[k] for k in keys)) in counts
    }


def check(store: Store, tbl: Table, parsed: ParsedRelease) -> None:
    """Raise SourceError naming the file when an untitled release contradicts the releases held."""
    evidence = parsed.facts.get("year_evidence")
    data = parsed.tables.get(tbl.name)
    if (
        evidence is None
        or str(evidence).startswith(TITLED)
        or data is None
        or not {"occ_level", "employment"} <= set(data.column_names)
    ):
        return
    if not store.exists(tbl.name):
        return
    keys = list(tbl.release_key)
    new = _totals(data, keys)
    if len(new) != 1:
        return
    ((release, (total, rows)),) = new.items()
    held = _totals(
        store.read(tbl.name, store.latest_version(tbl.name), columns=[*keys, "occ_level", "employment"]), keys
    )
    problems = []
    if release in held:
        was = held[release][0]
        if was and abs(total - was) / was > SAME_RELEASE_TOTAL:
            problems.append(
                f"its total employment {total:,.0f} differs from the {was:,.0f} of the {parsed.label} held by "
                f"{abs(total - was) / was:.2%} (a re-issue moves less than {SAME_RELEASE_TOTAL:.2%})"
            )
    for other, (was, count) in sorted(held.items(), key=lambda kv: str(kv[0])):
        if other != release and was == total and count == rows:
            named = " ".join(str(v) for v in other[1:] or other)
            problems.append(
                f"its total employment {total:,.0f} and its {rows} rows are exactly those of the release "
                f"{named} held: it looks like that release under another name"
            )
    if problems:
        raise SourceError(
            parsed.source_file,
            f"has no title of its own and is taken for the {parsed.label} only by its {evidence}; "
            + "; ".join(problems)
            + "; refused, nothing written",
        )
