"""Quote audit on pages the tests write: each verdict, the release that matched, the exit status."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from card_builders import MEDIANS, build, sha

from occstats import cli
from occstats.audit import audit_text, find_claims, page_text
from occstats.errors import ConfigError


@pytest.fixture
def store(tmp_path):
    return build(tmp_path / "data" / "curated")


NEW_ANNUAL, NEW_HOURLY = MEDIANS[2025]
OLD_ANNUAL, _ = MEDIANS[2024]

PAGE = f"""<!DOCTYPE html>
<html><head><title>Medical Records Specialists: Salary, Jobs and Outlook</title>
<style>.x{{content:"$99,999"}}</style><script>var median = "$12,345";</script></head>
<body><h1>Medical Records Specialists</h1>
<p>The median annual wage for medical records specialists was ${NEW_ANNUAL:,} in May 2025.</p>
<p>The average salary is ${OLD_ANNUAL:,} a year.</p>
<p>Back in May 2024, the median pay was ${OLD_ANNUAL:,}.</p>
<p>The lowest 10 percent earned less than ${NEW_ANNUAL - 14000:,}.</p>
<p>The median hourly wage was $21.00 per hour.</p>
<p>Employment is projected to grow 7 percent from 2024 to 2034, adding about 13,800 new jobs.</p>
<p>Our certificate course costs $1,995 and takes 9 months.</p>
</body></html>
"""


def by_figure(result):
    return {r["figure"]: r for r in result["figures"]}


def test_each_verdict_with_the_release_that_matched(store):
    result = audit_text(store, PAGE)
    assert result["occupation"]["soc_code"] == "29-2072", "found from the page title words"
    found = by_figure(result)
    assert "$99,999" not in found and "$12,345" not in found, "script and style text is not page text"

    match = found[f"${NEW_ANNUAL:,}"]
    assert (match["verdict"], match["matched_release"], match["matched_statistic"]) == (
        "matches",
        "OES May 2025",
        "median",
    )
    assert match["source_sha256"] == sha("oes2025")

    average, stale = [r for r in result["figures"] if r["figure"] == f"${OLD_ANNUAL:,}"]
    assert average["verdict"] == "mislabeled" and average["claimed"] == "mean", "an 'average' that is a median"
    assert average["matched_statistic"] == "median" and "median" in average["detail"]

    assert stale["verdict"] == "stale" and stale["matched_release"] == "OES May 2024"
    assert stale["newest_release"] == "OES May 2025" and f"{NEW_ANNUAL:,}" in stale["detail"]

    p10 = found[f"${NEW_ANNUAL - 14000:,}"]
    assert p10["verdict"] == "matches" and p10["matched_statistic"] == "p10"

    wrong = found["$21.00"]
    assert wrong["verdict"] == "inconsistent" and wrong["claimed"] == "median" and wrong["basis"] == "hourly"
    assert NEW_HOURLY in wrong["detail"], "says what the newest release says"

    growth = found["7 percent"]
    assert growth["verdict"] == "matches" and growth["matched_release"] == "EP 2024-34"
    change = found["13,800"]
    assert change["verdict"] == "matches" and change["matched_statistic"] == "employment_change"

    course = found["$1,995"]
    assert course["verdict"] == "not_a_bls_figure"
    assert result["outcome"] == "problems"
    assert result["counts"] == {"matches": 4, "stale": 1, "mislabeled": 1, "inconsistent": 1, "not_a_bls_figure": 1}


def test_rounding_the_text_uses_is_allowed_and_no_more(store):
    text = (
        f"Medical records specialists\nThe median wage is ${round(NEW_ANNUAL, -3) // 1000}K a year.\n"
        f"The median wage is ${NEW_ANNUAL + 10:,} a year.\n"
        "Employment is projected to grow 7.0 percent over the decade.\n"
    )
    found = audit_text(store, text, "29-2072")["figures"]
    assert [r["verdict"] for r in found] == ["matches", "inconsistent", "matches"]
    assert found[0]["matched_value"] == NEW_ANNUAL


def test_a_page_where_everything_matches_exits_0_and_problems_exit_4(store, tmp_path, capsys):
    data_dir = str(store.root.parent)
    good = tmp_path / "good.txt"
    good.write_text(
        f"Medical Records Specialists\nThey earned a median of ${NEW_ANNUAL:,} per year in May 2025. "
        "Our course costs $1,995.\n"
    )
    assert cli.main(["audit", str(good), "--data-dir", data_dir]) == 0
    assert "matches" in capsys.readouterr().out
    bad = tmp_path / "bad.html"
    bad.write_text(PAGE)
    assert cli.main(["audit", str(bad), "--data-dir", data_dir, "--format", "json"]) == 4
    result = json.loads(capsys.readouterr().out)
    assert result["outcome"] == "problems" and len(result["figures"]) == 8
    assert cli.main(["audit", str(tmp_path / "missing.html"), "--data-dir", data_dir]) == 2


def test_soc_option_overrides_the_title_and_an_unknown_title_asks_for_it(store):
    result = audit_text(store, "Cooks\nThe median wage of cooks was $36,640 a year.", "35-2010")
    assert result["occupation"]["found_by"] == "--soc" and result["figures"][0]["verdict"] == "matches"
    with pytest.raises(ConfigError, match="--soc"):
        audit_text(store, "Astronaut salaries\nThey earn $150,000.")


def test_claims_read_statistic_basis_sign_and_year():
    text = (
        "The lowest 10 percent earned less than $31,710, and the highest 10 percent earned more than $75,460. "
        "Pay was $22.69 per hour in May 2022. Employment is projected to decline 13.7 percent from 2022 to 2032."
    )
    claims = find_claims(text)
    assert [(c.text, c.statistic, c.basis) for c in claims if c.kind == "dollar"] == [
        ("$31,710", "p10", "annual"),
        ("$75,460", "p90", "annual"),
        ("$22.69", None, "hourly"),
    ]
    percents = [c for c in claims if c.kind == "percent"]
    assert len(percents) == 1, "'lowest 10 percent' names a statistic; it is not a figure"
    assert percents[0].value == Decimal("-13.7") and percents[0].tolerance == Decimal("0.05")
    assert percents[0].year == 2022 and claims[2].year == 2022


def test_plain_text_title_is_its_first_line_and_html_title_its_title():
    assert page_text("Cooks\n\nThey cook.")[0] == "Cooks"
    assert page_text("<html><title>Chefs &amp; Cooks</title><p>x</p></html>")[0] == "Chefs & Cooks"
