"""The CLI's closing lines: a failure is never buried under a product's many unavailable files."""

from __future__ import annotations

from occstats.pipeline import Outcome, RunReport, State
from occstats.report import MAX_UNAVAILABLE_LINES, text_summary


def test_many_unavailable_files_are_summarized_and_the_failure_comes_first():
    outcomes = [Outcome("ep-matrix", f"2024-2034-{i:06d}", State.UNAVAILABLE, "not in the mirror") for i in range(40)]
    outcomes.append(Outcome("ep-matrix", "2024-2034-622000", State.FAILED, "ind_622000.xlsx: broken"))
    lines = text_summary(RunReport("ep-matrix", "run", "now", outcomes, {})).splitlines()
    assert lines[2] == "  FAILED: EP-MATRIX 2024-2034-622000: ind_622000.xlsx: broken"
    assert sum(line.startswith("  UNAVAILABLE") for line in lines) == MAX_UNAVAILABLE_LINES
    assert lines[-1].startswith(f"  … and {40 - MAX_UNAVAILABLE_LINES} more unavailable")
