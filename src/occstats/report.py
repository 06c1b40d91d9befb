"""Human-readable summaries of a run: the Prefect artifact and the CLI's closing lines."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from occstats.objectstore import DataPath
from occstats.pipeline import RunReport, State

# a product of many files (the matrix: one workbook per industry) must not bury a failure in its list
MAX_UNAVAILABLE_LINES = 12
MAX_WARNING_LINES = 5

_ORDER = [State.FAILED, State.UNAVAILABLE, State.CURATED, State.UNCHANGED, State.NOT_YET]


def markdown(reports: Sequence[RunReport]) -> str:
    """A summary per product: what was fetched, skipped, failed and why; rows and versions written."""
    lines = ["# occstats refresh", ""]
    for report in reports:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items()))
        lines += [f"## {report.product}", "", f"Run `{report.run_id}` started {report.started_at}: {counts}.", ""]
        if report.versions:
            written = ", ".join(f"`{t}` v{v}" for t, v in sorted(report.versions.items()))
            lines += [f"Versions written: {written}.", ""]
        else:
            lines += ["No table changed; no version written.", ""]
        lines += ["| release | outcome | rows | detail |", "|---|---|---|---|"]
        ordered = sorted(report.outcomes, key=lambda o: (_ORDER.index(o.state), o.release))
        for o in ordered:
            rows = ", ".join(f"{n:,} {t}" for t, n in o.rows.items())
            detail = o.detail.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {o.label} | {o.state.value} | {rows} | {detail} |")
        failed_checks = [
            f"{o.label}: {c['table']} check '{c['check']}': {'; '.join(c['failures'])}"
            for o in report.outcomes
            for c in o.checks
            if not c["passed"]
        ]
        passed = sum(1 for o in report.outcomes for c in o.checks if c["passed"])
        if passed or failed_checks:
            lines += ["", f"Checks: {passed} passed, {len(failed_checks)} not passed.", ""]
            lines += [f"- {line}" for line in failed_checks]
        warnings = [w for o in report.outcomes for w in o.warnings]
        if warnings:
            lines += ["", "Warnings:", ""] + [f"- {w}" for w in warnings]
        lines.append("")
    return "\n".join(lines)


def text_summary(report: RunReport) -> str:
    counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items()))
    lines = [f"{report.product}: {counts}"]
    if report.versions:
        lines.append("  versions written: " + ", ".join(f"{t} v{v}" for t, v in sorted(report.versions.items())))
    else:
        lines.append("  no table changed; no version written")
    unavailable = 0
    for o in sorted(report.outcomes, key=lambda o: (_ORDER.index(o.state), o.release)):
        if o.state is State.UNAVAILABLE:
            unavailable += 1
            if unavailable > MAX_UNAVAILABLE_LINES:
                continue
        if o.state in (State.FAILED, State.UNAVAILABLE):
            lines.append(f"  {o.state.value.upper()}: {o.label}: {o.detail}")
    if unavailable > MAX_UNAVAILABLE_LINES:
        more = unavailable - MAX_UNAVAILABLE_LINES
        lines.append(f"  … and {more} more unavailable (the Prefect artifact and the progress lines list each)")
    # e.g. codes not checked because no SOC crosswalk is curated yet: said once, not once per release
    warnings = list(dict.fromkeys(w for o in report.outcomes for w in o.warnings))
    lines += [f"  warning: {w}" for w in warnings[:MAX_WARNING_LINES]]
    if len(warnings) > MAX_WARNING_LINES:
        lines.append(f"  … and {len(warnings) - MAX_WARNING_LINES} more warnings (the Prefect artifact lists each)")
    return "\n".join(lines)


# What each exit status means, said where the run ends (the CLI's docstring and the README give the same).
EXIT_MEANINGS = {
    0: "exit 0: every release is curated or unchanged",
    1: (
        "exit 1: {failed} failed (FAILED above, with the file and the problem); the other releases finished, "
        "every table stays at its last good version and the raw files stay in {raw} for inspection"
    ),
    3: (
        "exit 3: only releases the source does not have are missing (UNAVAILABLE above); everything it has is "
        "curated and nothing failed{why}"
    ),
}
_SAID_ORDER = [State.CURATED, State.UNCHANGED, State.NOT_YET, State.UNAVAILABLE, State.FAILED]
_SAID = {State.CURATED: "new or changed"}
# a mirror holds what was copied into it: the shared one lacks OES 2006, 2009, the 1990s files and more
_MIRROR_NOTE = "; expected from a mirror, which holds only what was copied into it"


def closing_summary(
    reports: Sequence[RunReport], data_dir: DataPath, *, mirror: bool = False, default_dir: Path | None = None
) -> str:
    """The run's last lines: where the data is, what changed, what to run next and what the exit code means.

    `default_dir` is the data directory the CLI uses with no --data-dir: the commands suggested name
    the directory only when it is another one, so they can be pasted as they are.
    """
    data_dir = data_dir.resolve() if isinstance(data_dir, Path) else data_dir  # an s3:// URL stays as it is
    outcomes = [o for r in reports for o in r.outcomes]
    counts = {s: sum(o.state is s for o in outcomes) for s in _ORDER}
    latest: dict[str, int] = {}  # a table two products write (soc_codes) ends at the later version
    for report in reports:
        for table, version in report.versions.items():
            latest[table] = max(version, latest.get(table, version))
    versions = sorted(latest.items())
    exit_code = max((r.exit_code for r in reports), default=0)

    lines = [f"data directory: {data_dir} (tables in curated/, landed files in raw/)"]
    changed = ", ".join(f"{t} v{v}" for t, v in versions) if versions else "nothing (no table changed)"
    lines.append(f"changed: {changed}")
    said = ", ".join(f"{counts[s]} {_SAID.get(s, s.value)}" for s in _SAID_ORDER if counts[s])
    lines.append(f"releases: {said or 'none'}")
    is_default = isinstance(data_dir, Path) and default_dir is not None and data_dir == Path(default_dir).resolve()
    flag = "" if is_default else f" --data-dir {shlex.quote(str(data_dir))}"
    nexts = [f"occstats tables{flag}"]
    if (data_dir / "curated" / "oes_wages").is_dir():
        nexts.append(f"occstats series 29-1141 --measure annual_median{flag}")
    lines.append("next: " + "   ".join(nexts))
    failed = f"{counts[State.FAILED]} release" + ("s" if counts[State.FAILED] != 1 else "")
    meaning = EXIT_MEANINGS.get(exit_code, f"exit {exit_code}")
    lines.append(meaning.format(failed=failed, raw=data_dir / "raw", why=_MIRROR_NOTE if mirror else ""))
    return "\n".join(lines)
