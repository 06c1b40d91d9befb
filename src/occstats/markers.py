"""What a published cell can say besides a number.

BLS marks cells with `*`, `**`, `***`, `#`, `~`, dashes and `>=$239,200`-style bounds. Each gets
a status here, shared by every product, so an analyst can tell "suppressed" from "top-coded" from
"not released for this pay basis" in every table, and never has to guess what a null means.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    ESTIMATE = "estimate"
    TOP_CODED = "top_coded"
    NOT_AVAILABLE = "not_available"
    NOT_RELEASED = "not_released"
    WITHDRAWN = "withdrawn"
    BELOW_REPORTING_THRESHOLD = "below_reporting_threshold"
    NOT_PUBLISHED = "not_published"
    REJECTED = "rejected"


STATUS_MEANINGS: dict[Status, str] = {
    Status.ESTIMATE: "a figure BLS published; `value` holds it exactly",
    Status.TOP_CODED: (
        "BLS published only that the figure is at or above (`bound_comparison`) the release's "
        "top-coding threshold (`#`); `value` is null and `bound` holds the threshold"
    ),
    Status.NOT_AVAILABLE: "BLS marks the estimate as not available (`*` wages, `**` employment, a dash)",
    Status.NOT_RELEASED: (
        "BLS releases only annual (or only hourly) wages for this occupation, so the other pay basis is not released"
    ),
    Status.WITHDRAWN: "BLS removed the figure because of reporting errors (`***`)",
    Status.BELOW_REPORTING_THRESHOLD: "fewer than 0.5% of establishments report the occupation (`~`)",
    Status.NOT_PUBLISHED: (
        "the release carries no figure here: a blank cell, a cell the file computes with a formula "
        "(someone's arithmetic, not a published figure; the parser warns naming it), or a statistic that "
        "release does not publish at all (1997 annual percentiles)"
    ),
    Status.REJECTED: (
        "the file holds a figure that contradicts the release's own other figures (a p90 below its "
        "p25, say); declared as a known defect in the source's layout module and withheld, with "
        "the published text kept in `marker`"
    ),
}

STATUS_VALUES: tuple[str, ...] = tuple(s.value for s in Status)
