"""The OES parser on small generated workbooks shaped like each era."""

from __future__ import annotations

from decimal import Decimal

import pytest
from builders import (
    HEADER_2004,
    HEADER_2021,
    LEGEND_2017,
    OCCUPATIONS,
    field_descriptions_workbook,
    oes_2004_workbook,
    oes_2021_rows,
    oes_2021_workbook,
    oes_zip,
    with_cached_values,
    workbook_bytes,
    zip_bytes,
)

from occstats.errors import SourceError
from occstats.sources.oes import parser as oes


def parse(tmp_path, name, data, expected_year=None):
    path = tmp_path / name
    path.write_bytes(data)
    return oes.parse(path, sha256="a" * 64, display_name=name, expected_year=expected_year)


def wage(parsed, code, basis, stat, level="detailed"):
    rows = parsed.tables["oes_wages"].to_pylist()
    return next(
        r for r in rows if (r["soc_code"], r["basis"], r["statistic"], r["occ_level"]) == (code, basis, stat, level)
    )


def estimate(parsed, code):
    return next(r for r in parsed.tables["oes_estimates"].to_pylist() if r["soc_code"] == code)


def test_oews_2021_layout(tmp_path):
    parsed = parse(tmp_path, "oesm21nat.zip", oes_zip(2021))
    assert parsed.release_id == "2021" and parsed.facts["ref_month"] == 5
    assert parsed.rows() == {"oes_estimates": len(OCCUPATIONS), "oes_wages": 12 * len(OCCUPATIONS)}
    ceo = estimate(parsed, "11-1011")
    assert (ceo["soc_system"], ceo["occ_level"], ceo["employment"], ceo["area_code"], ceo["naics_code"]) == (
        "soc-2018",
        "detailed",
        2000,
        "99",
        "000000",
    )
    assert ceo["employment_rse_pct"] == Decimal("0.7")
    mean = wage(parsed, "11-1011", "hourly", "mean")
    assert (mean["value"], mean["status"]) == (Decimal("90.50"), "estimate")


def test_top_coded_is_never_a_value_and_carries_the_release_threshold(tmp_path):
    parsed = parse(tmp_path, "oesm21nat.zip", oes_zip(2021))
    for basis, bound in (("hourly", Decimal("100.00")), ("annual", Decimal("208000"))):
        median = wage(parsed, "11-1011", basis, "median")
        assert (median["value"], median["status"], median["marker"]) == (None, "top_coded", "#")
        assert (median["bound"], median["bound_comparison"]) == (bound, ">=")
        assert "release" in median["bound_source"]


def test_annual_only_and_hourly_only_are_not_released_not_missing(tmp_path):
    parsed = parse(tmp_path, "oesm21nat.zip", oes_zip(2021))
    teacher, actor = estimate(parsed, "25-1011"), estimate(parsed, "27-2011")
    assert (teacher["annual_only"], teacher["hourly_only"]) == (True, False)
    assert wage(parsed, "25-1011", "hourly", "median")["status"] == "not_released"
    assert wage(parsed, "25-1011", "annual", "median")["value"] == Decimal("80000")
    assert wage(parsed, "27-2011", "annual", "mean")["status"] == "not_released"
    assert (actor["employment"], actor["employment_status"], actor["employment_marker"]) == (
        None,
        "not_available",
        "**",
    )


def test_2004_era_padded_text_lowercase_headers_and_group_labels(tmp_path):
    members = {
        "national_may2004_dl.xls": oes_2004_workbook(),
        "field_descriptions.xls": field_descriptions_workbook(
            2004, "# = indicates a wage greater than $70.00 per hour or $145,600 per year "
        ),
    }
    parsed = parse(tmp_path, "oesm04nat.zip", zip_bytes(members))
    assert parsed.release_id == "2004" and parsed.facts["soc_system"] == "soc-2000"
    levels = {r["soc_code"]: r["occ_level"] for r in parsed.tables["oes_estimates"].to_pylist()}
    assert levels == {
        "00-0000": "total",
        "11-0000": "major",
        "11-1011": "detailed",
        "25-1011": "detailed",
        "27-2011": "detailed",
        "29-2072": "detailed",
    }
    assert estimate(parsed, "00-0000")["employment"] == 1000000
    assert wage(parsed, "29-2072", "hourly", "median")["value"] == Decimal("22.43")
    top = wage(parsed, "11-1011", "annual", "p90")
    assert (top["bound"], top["bound_comparison"]) == (Decimal("145600"), ">")


def test_threshold_falls_back_to_the_declared_table_when_the_release_has_none(tmp_path):
    parsed = parse(tmp_path, "oesm13nat.zip", zip_bytes({"national_M2013_dl.xls": oes_2004_workbook()}))
    top = wage(parsed, "11-1011", "hourly", "p90")
    assert top["bound"] == Decimal("90.00") and top["bound_source"].startswith("declared")


def test_extra_sheets_and_appended_columns_warn_but_parse(tmp_path):
    rows = [[*HEADER_2004, "2015 Robot_Cost", "pWratio"]] + [[*o[:2], "", *o[3:], 1.5, 2] for o in OCCUPATIONS]
    data = workbook_bytes({"Sheet1": [["occ_title", "a_median"]], "national_dl": rows})
    parsed = parse(tmp_path, "national_M2010_dl.xls", data)
    assert parsed.release_id == "2010"
    assert any("2015 Robot_Cost" in w and "pWratio" in w for w in parsed.warnings)


def test_year_comes_from_the_file_and_must_agree_with_the_catalog(tmp_path):
    with pytest.raises(SourceError, match=r"is the 2021 release.*not 2024"):
        parse(tmp_path, "oesm24nat.zip", oes_zip(2021), expected_year=2024)


def test_missing_required_column_names_the_file_sheet_and_column(tmp_path):
    rows = oes_2021_rows(2021)
    rows[0] = ["TOTAL_EMPLOYMENT" if h == "TOT_EMP" else h for h in rows[0]]  # a renamed column
    data = workbook_bytes({"national_M2021_dl": rows})
    with pytest.raises(SourceError) as err:
        parse(tmp_path, "oesm21nat.zip", oes_zip(2021, data))
    message = str(err.value)
    assert "oesm21nat.zip:oesm21nat/national_M2021_dl.xlsx" in message
    assert "'national_M2021_dl'" in message and "missing required column 'tot_emp'" in message


def test_non_numeric_cell_names_row_column_and_value(tmp_path):
    bad = [list(o) for o in OCCUPATIONS]
    bad[2][5] = "ninety"  # h_mean of Chief Executives
    with pytest.raises(SourceError) as err:
        parse(tmp_path, "oesm21nat.zip", oes_zip(2021, oes_2021_workbook(2021, bad)))
    message = str(err.value)
    assert "row 4" in message and "'H_MEAN'" in message and "'ninety'" in message


def test_unknown_group_label_and_bad_code_are_errors(tmp_path):
    bad = [list(o) for o in OCCUPATIONS]
    bad[2][2] = "sub-detailed"
    with pytest.raises(SourceError, match="group label 'sub-detailed'"):
        parse(tmp_path, "oesm21nat.zip", oes_zip(2021, oes_2021_workbook(2021, bad)))
    bad = [list(o) for o in OCCUPATIONS]
    bad[2][0] = "11-101"
    with pytest.raises(SourceError, match="'11-101' is not a soc code"):
        parse(tmp_path, "oesm21nat.zip", oes_zip(2021, oes_2021_workbook(2021, bad)))


def test_zip_without_a_national_workbook(tmp_path):
    with pytest.raises(SourceError, match="holds no OES national workbook"):
        parse(tmp_path, "oesm21nat.zip", zip_bytes({"readme.txt": b"hi"}))


def test_a_cell_storing_a_formula_is_withheld_whatever_value_it_cached(tmp_path):
    """A re-saved copy summing a row (=SUM(...)) caches the sum: that is arithmetic, not a BLS figure."""
    notes = [["May 2021 OEWS Estimates"], [LEGEND_2017]]
    plain = parse(
        tmp_path,
        "national_M2021_dl.xlsx",
        workbook_bytes({"national_M2021_dl": oes_2021_rows(2021)} | {"Field Descriptions": notes}),
    )
    rows = oes_2021_rows(2021)
    emp, median = HEADER_2021.index("TOT_EMP"), HEADER_2021.index("A_MEDIAN")
    at = next(i for i, r in enumerate(rows) if r[HEADER_2021.index("OCC_CODE")] == "11-1011")
    rows[at][emp] = "=SUM(L2:L3)"  # openpyxl writes a formula (and no cached value)
    rows[at][median] = "=AB2"
    sheets = {"national_M2021_dl": rows, "Field Descriptions": notes}
    data = with_cached_values(
        workbook_bytes(sheets), "xl/worksheets/sheet1.xml", {f"L{at + 1}": 123456, f"AB{at + 1}": 77600}
    )
    parsed = parse(tmp_path, "national_M2021_dl.xlsx", data)
    row = estimate(parsed, "11-1011")
    assert (row["employment"], row["employment_status"]) == (None, "not_published")
    annual = wage(parsed, "11-1011", "annual", "median")
    assert (annual["value"], annual["status"]) == (None, "not_published")

    # Nothing else changed: every other cell reads as it does in the same workbook without formulas.
    def others(release):
        wages = release.tables["oes_wages"].to_pylist()
        return [
            (r["soc_code"], r["basis"], r["statistic"], r["value"], r["status"])
            for r in wages
            if (r["soc_code"], r["basis"], r["statistic"]) != ("11-1011", "annual", "median")
        ] + [
            (r["soc_code"], r["employment"])
            for r in release.tables["oes_estimates"].to_pylist()
            if r["soc_code"] != "11-1011"
        ]

    assert others(parsed) == others(plain)
    formula_warnings = [w for w in parsed.warnings if "holds a formula" in w]
    assert len(formula_warnings) == 2
    assert f"row {at + 1}, column 'tot_emp': holds a formula (cached value 123456" in formula_warnings[0]


@pytest.mark.shared
def test_the_1997_division_total_formula_is_not_curated(shared):
    """Division 80000's employment (31,019,100) is the re-saver's =SUM(...): withheld, said in a warning."""
    path = shared / "bls/oes/1997/national_1997_dl.xls"
    parsed = oes.parse(path, sha256="a" * 64, display_name=path.name)
    row = estimate(parsed, "80000")
    assert (row["employment"], row["employment_status"]) == (None, "not_published")
    assert wage(parsed, "80000", "annual", "mean", level="major")["status"] == "not_published"
    assert sum("holds a formula" in w for w in parsed.warnings) == 2
    assert any("column 'tot_emp': holds a formula (cached value 31019100.0)" in w for w in parsed.warnings)
    # Every other 1997 employment figure is a constant and still curated.
    statuses = [r["employment_status"] for r in parsed.tables["oes_estimates"].to_pylist() if r["soc_code"] != "80000"]
    assert statuses.count("estimate") > 700
