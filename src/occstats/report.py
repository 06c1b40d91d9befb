"""Human-readable summaries of a run: the Prefect artifact and the CLI's closing lines."""

from __future__ import annotations

from collections.abc import Sequence

from occstats.pipeline import RunReport, State

# a product of many files (the matrix: one workbook per industry) must not bury a failure in its list
MAX_UNAVAILABLE_LINES = 12

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
    return "\n".join(lines)
