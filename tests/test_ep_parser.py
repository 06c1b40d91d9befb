"""The EP occupation workbook parser on small generated workbooks shaped like each era."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ep_builders import (
    BASE,
    CHANGE,
    CODE,
    OPENINGS,
    PCT,
    SELF,
    TARGET,
    WAGE,
    Sheet,
    edited,
    education_sheet_3part,
    education_sheet_11,
    grouped_table,
    grouped_workbook,
    named_rows,
    named_workbook,
    occupations,
    wage_sheet,
    workbook_bytes,
)

from occstats import schema
from occstats.errors import SourceError, ValidationError
from occstats.products import validate
from occstats.sources.ep import parser as ep
from occstats.sources.ep.parser import EpSource

SHA = "a" * 64


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def parse(tmp_path, data, name="occupation.xlsx", release_id=None):
    return ep.parse(write(tmp_path, name, data), sha256=SHA, display_name=name, release_id=release_id)


def rows(parsed):
    return {r["soc_code"]: r for r in parsed.tables["ep_projections"].to_pylist()}


def occ(code, edits):
    return edited(code, edits)


# --- cycle --------------------------------------------------------------------------------------
def test_cycle_is_read_from_the_titles_never_the_file_name(tmp_path):
    source = EpSource()
    path = write(tmp_path, "occupation_2024.xlsx", grouped_workbook(2010, 2020))
    assert source.identify(path, display_name=path.name) == "2010-2020"
    path = write(tmp_path, "occupation.xlsx", named_workbook(2023, 2033, four_digit_range=False))
    assert source.identify(path, display_name=path.name) == "2023-2033"  # '2023–33' in the title
    parsed = source.parse(path, sha256=SHA, display_name=path.name, release_id="2023-2033")
    assert (parsed.product, parsed.release_id, parsed.label) == ("ep", "2023-2033", "EP 2023-33")
    assert (parsed.facts["base_year"], parsed.facts["target_year"]) == (2023, 2033)


def test_grouped_three_row_header_2010_shape(tmp_path):
    parsed = parse(tmp_path, grouped_workbook(2010, 2020))
    assert parsed.release_id == "2010-2020" and parsed.label == "EP 2010-20"
    assert parsed.facts["era"] == "grouped-header" and parsed.facts["soc_system"] == "soc-2000-2010-hybrid"
    got = rows(parsed)
    assert list(got) == ["00-0000", "11-0000", "11-1011", "11-1021", "29-0000", "29-1141", "29-2071"]
    mrht = got["29-2071"]
    assert (mrht["employment_base"], mrht["employment_target"], mrht["change_number"]) == (172500, 207600, 35100)
    assert mrht["change_pct"] == Decimal("20.3") and mrht["employment_base_dist_pct"] == Decimal("17.3")
    assert mrht["openings_growth_replacement_total"] == 70300 and mrht["openings_annual_avg"] is None
    assert mrht["occ_title"] == "Medical records and health information technicians"
    assert (mrht["source_sha256"], mrht["source_file"]) == (SHA, "occupation.xlsx")
    assert set(mrht) == set(schema.EP_PROJECTIONS.names)


def test_occupation_type_is_derived_from_code_structure_before_2014(tmp_path):
    got = rows(parse(tmp_path, grouped_workbook(2010, 2020)))
    assert {c for c, r in got.items() if r["occ_type"] == "summary"} == {"00-0000", "11-0000", "29-0000"}
    assert {r["occ_type_source"] for r in got.values()} == {"derived"}


def test_declared_cross_group_summary_is_a_summary(tmp_path):
    """11-1300 names no children by its code; the layout declares it (2008 and 2010)."""
    occs = occupations()
    occs.insert(1, ["11-1300", "Management, business, and financial occupations", "Summary", *occs[1][3:]])
    got = rows(parse(tmp_path, grouped_workbook(2010, 2020, occs)))
    assert got["11-1300"]["occ_type"] == "summary"
    assert ep.derive_summaries(["00-0000", "11-1300", "11-1011"], 2012) == {"00-0000"}


def test_derivation_rule(tmp_path):
    codes = ["00-0000", "15-1200", "15-1210", "15-1211", "29-1210", "29-1211", "45-3000", "47-4090"]
    assert ep.derive_summaries(codes, 2021) == {"00-0000", "15-1200", "15-1210", "29-1210"}


def test_occupation_type_is_published_from_2014(tmp_path):
    parsed = parse(tmp_path, grouped_workbook(2016, 2026))
    got = rows(parsed)
    assert parsed.facts["era"] == "occupation-type"
    assert got["29-2071"]["occ_type"] == "line_item" and got["29-0000"]["occ_type"] == "summary"
    assert {r["occ_type_source"] for r in got.values()} == {"published"}


def test_named_header_2024_shape_with_indented_titles_and_footers(tmp_path):
    parsed = parse(tmp_path, named_workbook(2024, 2034))
    got = rows(parsed)
    assert parsed.facts["era"] == "worker-characteristics" and parsed.facts["soc_system"] == "soc-2018"
    assert len(got) == 7, "footnote, note and source rows are not occupations"
    assert got["11-0000"]["occ_title"] == "Management occupations", "indentation stripped"
    assert got["29-2071"]["employment_base"] == 172500 and got["29-2071"]["openings_annual_avg"] == 70300
    assert got["29-2071"]["openings_growth_replacement_total"] is None
    assert not [w for w in parsed.warnings if "ignored column" in w], "OOH content is declared, not unknown"


# --- units ------------------------------------------------------------------------------------
def test_thousands_become_exact_persons(tmp_path):
    occs = occ("29-2071", {BASE: 150931.7, TARGET: 150932.0, CHANGE: 0.3, PCT: 0.0})
    got = rows(parse(tmp_path, named_workbook(2024, 2034, occs)))["29-2071"]
    assert (got["employment_base"], got["employment_target"], got["change_number"]) == (150931700, 150932000, 300)
    assert type(got["employment_base"]) is int


def test_a_figure_finer_than_one_decimal_of_a_thousand_is_refused(tmp_path):
    occs = occ("29-2071", {CHANGE: 0.05})
    with pytest.raises(SourceError) as err:
        parse(tmp_path, named_workbook(2024, 2034, occs))
    message = str(err.value)
    assert "occupation.xlsx [sheet 'Table 1.2']" in message
    assert "row 9" in message and "column H ('Employment change, numeric, 2024–34')" in message
    assert "0.05" in message


# --- markers ------------------------------------------------------------------------------------
def test_worker_characteristics_markers_2024(tmp_path):
    parsed = parse(tmp_path, named_workbook(2024, 2034))
    got = rows(parsed)
    ceo = got["11-1011"]
    assert (ceo["median_wage_annual"], ceo["median_wage_status"], ceo["median_wage_marker"]) == (
        None,
        "top_coded",
        ">=$239,200",
    )
    assert ceo["median_wage_bound"] == Decimal("239200") and ceo["median_wage_year"] == 2024
    healthcare = got["29-0000"]
    assert (healthcare["median_wage_status"], healthcare["median_wage_marker"]) == ("not_available", "—")
    assert healthcare["median_wage_bound"] is None
    nurses = got["29-1141"]
    assert (nurses["self_employed_pct"], nurses["self_employed_status"]) == (None, "not_available")
    assert nurses["median_wage_annual"] == Decimal("86070") and nurses["median_wage_status"] == "estimate"
    assert got["11-1021"]["self_employed_pct"] == Decimal("5.0")
    assert got["00-0000"]["education_status"] == "not_available", "'—' on summary rows"
    assert (got["29-2071"]["typical_entry_education"], got["29-2071"]["education_status"]) == (
        "Postsecondary nondegree award",
        "estimate",
    )
    assert got["29-2071"]["education_source"] == "Table 1.2"


def test_2008_markers_and_trailing_space_dashes(tmp_path):
    occs = occupations(2008)
    occs[2][WAGE] = "> $ 166,400"
    occs[3][WAGE] = "N/A"
    occs[4][WAGE] = "-"
    occs[5][SELF] = "— "  # 2010 and 2012 write a trailing space
    got = rows(parse(tmp_path, grouped_workbook(2008, 2018, occs)))
    assert (got["11-1011"]["median_wage_status"], got["11-1011"]["median_wage_bound"]) == (
        "top_coded",
        Decimal("166400"),
    )
    assert got["11-1011"]["median_wage_marker"] == "> $ 166,400"
    assert (got["11-1021"]["median_wage_status"], got["11-1021"]["median_wage_marker"]) == ("not_available", "N/A")
    assert got["29-0000"]["median_wage_status"] == "not_available"
    assert got["29-1141"]["self_employed_status"] == "not_available"
    assert got["29-2071"]["self_employed_pct"] == Decimal("0.1")


def test_unknown_wage_marker_is_refused_naming_the_cell(tmp_path):
    occs = occ("29-2071", {WAGE: "about 30k"})
    with pytest.raises(SourceError) as err:
        parse(tmp_path, grouped_workbook(2010, 2020, occs))
    message = str(err.value)
    assert "[sheet 'Table 1.7']" in message and "row 10" in message and "'about 30k'" in message
    assert "Median annual wage, 2010 (1)" in message


# --- openings -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Job openings due to growth and replacements, 2014-24", "openings_growth_replacement_total"),
        ("Occupational openings, 2014-24 annual average", "openings_annual_avg"),
    ],
)
def test_openings_are_routed_by_their_header_never_by_position(tmp_path, header, column):
    table = grouped_table(2014, 2024, occupation_type=True, openings_header=header)
    parsed = parse(tmp_path, grouped_workbook(2014, 2024, table=table))
    mrht = rows(parsed)["29-2071"]
    other = next(c for c in ("openings_growth_replacement_total", "openings_annual_avg") if c != column)
    assert (mrht[column], mrht[other]) == (70300, None)
    assert parsed.facts["openings_concept"] == column


def test_openings_header_unknown_to_the_era_is_a_missing_column(tmp_path):
    table = grouped_table(2010, 2020, openings_header="Occupational openings, 2010-20 annual average")
    with pytest.raises(SourceError, match=r"missing required column 'openings_growth_replacement_total'"):
        parse(tmp_path, grouped_workbook(2010, 2020, table=table))


# --- education and wages ----------------------------------------------------------------------------
def test_eleven_category_education_2008(tmp_path):
    parsed = parse(tmp_path, grouped_workbook(2008, 2018))
    got = rows(parsed)
    mrht = got["29-2071"]
    assert (mrht["education_system"], mrht["education_training_category"], mrht["education_status"]) == (
        "bls-11-category",
        "Associate degree",
        "estimate",
    )
    assert mrht["typical_entry_education"] is None and mrht["education_source"] == "Table1.11"
    assert got["00-0000"]["education_status"] == "not_published", "blank category"
    assert got["11-0000"]["education_status"] == "not_published", "summary rows are not in Table1.11"
    assert parsed.facts["soc_system"] == "soc-2000" and parsed.facts["wage_source"] == "Table 1.6"


def test_three_part_education_2010_with_missing_and_extra_codes(tmp_path):
    education = education_sheet_3part(2010, skip=("11-1021",))
    parsed = parse(tmp_path, grouped_workbook(2010, 2020, education=education))
    got = rows(parsed)
    ceo = got["11-1011"]
    assert (ceo["education_system"], ceo["education_status"], ceo["education_source"]) == (
        "bls-3-part",
        "estimate",
        "Table 1.12",
    )
    assert (ceo["typical_entry_education"], ceo["work_experience"], ceo["on_the_job_training"]) == (
        "Bachelor's degree",
        "5 years or more",
        "None",
    )
    assert ceo["education_training_category"] is None
    assert got["11-1021"]["education_status"] == "not_published"
    assert any("45-3021" in w and "ignored" in w for w in parsed.warnings)
    assert any("11-1021" in w and "not_published" in w for w in parsed.warnings)


def test_unknown_category_warns_but_parses(tmp_path):
    occs = occ("29-2071", {12: "Sorcery certificate"})
    parsed = parse(tmp_path, grouped_workbook(2010, 2020, occs))
    assert rows(parsed)["29-2071"]["typical_entry_education"] == "Sorcery certificate"
    assert any("Sorcery certificate" in w and "vocabulary" in w for w in parsed.warnings)


def test_wage_year_is_recorded_as_the_header_states_it(tmp_path):
    wages = wage_sheet(2014, 2024, wage_header="Median annual wage, 2016(1)")
    parsed = parse(tmp_path, grouped_workbook(2014, 2024, wages=wages))
    assert rows(parsed)["29-2071"]["median_wage_year"] == 2016
    assert any("states 2016, not the base year 2014" in w for w in parsed.warnings)


# --- bad inputs -----------------------------------------------------------------------------------
def test_a_workbook_without_a_readable_cycle(tmp_path):
    table = grouped_table(2010, 2020, title="Table 1.2 Employment by detailed occupation (Numbers in thousands)")
    with pytest.raises(SourceError) as err:
        parse(tmp_path, grouped_workbook(2010, 2020, table=table), name="occupation_2010.xlsx")
    assert err.value.file == "occupation_2010.xlsx" and err.value.sheet == "Table 1.2"
    assert "does not state a projection cycle" in str(err.value)


def test_title_and_header_years_must_agree(tmp_path):
    table = grouped_table(2010, 2020, header_years=(2011.0, 2021.0))
    with pytest.raises(SourceError, match=r"title says 2010-2020 .* employment headers name years \[2011, 2021\]"):
        parse(tmp_path, grouped_workbook(2010, 2020, table=table))
    rows_ = named_rows(2024, 2034)
    rows_[1][7] = "Employment change, numeric, 2023–33"
    with pytest.raises(SourceError, match=r"header 'Employment change, numeric, 2023–33' says 2023-2033"):
        parse(tmp_path, workbook_bytes({"Table 1.2": Sheet(rows_)}))


def test_the_release_the_file_holds_must_be_the_one_expected(tmp_path):
    with pytest.raises(SourceError, match=r"is the 2010-2020 cycle .* not 2024-2034 as expected"):
        parse(tmp_path, grouped_workbook(2010, 2020), release_id="2024-2034")


def test_missing_required_column_names_file_sheet_and_column(tmp_path):
    rows_ = named_rows(2024, 2034)
    rows_[1][8] = "Employment change, in percent"
    with pytest.raises(SourceError) as err:
        parse(tmp_path, workbook_bytes({"Table 1.2": Sheet(rows_)}), name="occupation.xlsx")
    message = str(err.value)
    assert message.startswith("occupation.xlsx [sheet 'Table 1.2']: ")
    assert "missing required column 'change_pct'" in message


def test_non_numeric_cell_names_row_column_and_value(tmp_path):
    occs = occ("11-1021", {BASE: "n/a"})
    with pytest.raises(SourceError) as err:
        parse(tmp_path, grouped_workbook(2010, 2020, occs))
    message = str(err.value)
    assert "occupation.xlsx [sheet 'Table 1.2']" in message
    assert "row 9" in message and "column C ('Employment | Number | 2010')" in message and "'n/a'" in message


def test_figures_without_a_code_and_malformed_codes_are_refused(tmp_path):
    table = grouped_table(2010, 2020, extra=[["Somebody", "", 1.0, 2.0, 0.0, 0.0, 1.0, 100.0, 0.5]])
    with pytest.raises(SourceError, match=r"row 13 holds figures but no occupation code"):
        parse(tmp_path, grouped_workbook(2010, 2020, table=table))
    occs = occ("11-1021", {CODE: "11-102"})
    with pytest.raises(SourceError, match=r"'11-102' is not an NN-NNNN occupation code"):
        parse(tmp_path, named_workbook(2024, 2034, occs))


def test_a_stray_year_in_a_header_warns_but_parses(tmp_path):
    """2021-31's title header says '2020 National Employment Matrix title': a slip, not a conflict."""
    rows_ = named_rows(2024, 2034)
    rows_[1][0] = "2023 National Employment Matrix title"
    parsed = parse(tmp_path, workbook_bytes({"Table 1.2": Sheet(rows_)}))
    assert parsed.release_id == "2024-2034"
    assert any("names [2023], neither the base nor the target year" in w for w in parsed.warnings)


def test_education_mixing_categories_and_dashes_is_refused(tmp_path):
    occs = occ("29-2071", {13: "—"})
    with pytest.raises(SourceError, match=r"row 9 \(29-2071\) mixes categories and dashes"):
        parse(tmp_path, named_workbook(2024, 2034, occs))


def test_a_workbook_without_table_1_2(tmp_path):
    with pytest.raises(SourceError, match=r"has no sheet 'Table 1.2'"):
        parse(tmp_path, workbook_bytes({"Index": Sheet([["Index"]])}))


def test_a_cycle_without_its_education_sheet(tmp_path):
    data = workbook_bytes({"Table 1.2": grouped_table(2010, 2020), "Table 1.7": wage_sheet(2010, 2020)})
    with pytest.raises(SourceError, match=r"has no sheet 'Table 1.12' \(education and training categories\)"):
        parse(tmp_path, data)


def test_education_sheet_of_another_cycle_is_refused(tmp_path):
    education = education_sheet_11(2006)
    with pytest.raises(SourceError, match=r"\[sheet 'Table1.11'\].*does not name the cycle's base year 2008"):
        parse(tmp_path, grouped_workbook(2008, 2018, education=education))


# --- validation -------------------------------------------------------------------------------------
def check(parsed):
    validate(schema.EP_PROJECTIONS, parsed.tables["ep_projections"], release=parsed.label, file=parsed.source_file)


@pytest.mark.parametrize("base", [2008, 2010, 2016])
def test_generated_grouped_releases_pass_validation(tmp_path, base):
    check(parse(tmp_path, grouped_workbook(base, base + 10)))


def test_generated_named_release_passes_validation(tmp_path):
    check(parse(tmp_path, named_workbook(2024, 2034)))


def test_base_plus_change_must_reach_target(tmp_path):
    occs = occ("29-2071", {TARGET: 208.6, CHANGE: 35.1, PCT: 20.3})  # 172.5 + 35.1 = 207.6, not 208.6
    with pytest.raises(ValidationError) as err:
        check(parse(tmp_path, named_workbook(2024, 2034, occs)))
    message = str(err.value)
    assert "base + change differing from target by more than 150 persons" in message
    assert "29-2071 employment_base=172500 change_number=35100 employment_target=208600" in message


def test_percent_change_must_fit_the_rounded_figures(tmp_path):
    occs = occ("29-2071", {PCT: 21.0})  # 35.1 of 172.5 thousand is 20.3% give or take 0.04
    with pytest.raises(ValidationError, match=r"percent change the published base and change cannot give.*29-2071"):
        check(parse(tmp_path, named_workbook(2024, 2034, occs)))


def test_line_items_must_add_up_to_their_summary(tmp_path):
    occs = occ("11-1021", {BASE: 110.0, TARGET: 120.0, OPENINGS: 30.0})  # 11-0000 still says 400.0 / 430.0
    with pytest.raises(ValidationError) as err:
        check(parse(tmp_path, grouped_workbook(2010, 2020, occs)))
    message = str(err.value)
    assert "differ from the sum of their line items" in message
    assert "11-0000 employment_base: summary 400000, its 2 line items sum to 410000" in message
    assert "11-0000 employment_target" in message


def test_a_figure_cell_storing_a_formula_is_withheld(tmp_path):
    """A cached formula result reads like a figure to calamine; it is arithmetic, not BLS's: not_published."""
    from builders import with_cached_values

    table = named_rows(2024, 2034, edited("29-1141", {WAGE: "=80000+6070"}))
    at = next(i for i, r in enumerate(table) if r[1] == "29-1141") + 1
    data = workbook_bytes({"Index": Sheet([["Index"]]), "Table 1.2": Sheet(table)})
    parsed = parse(tmp_path, with_cached_values(data, "xl/worksheets/sheet2.xml", {f"L{at}": 86070}))
    nurses = rows(parsed)["29-1141"]
    assert (nurses["median_wage_annual"], nurses["median_wage_status"]) == (None, "not_published")
    assert rows(parsed)["29-2071"]["median_wage_status"] == "estimate"
    assert [w for w in parsed.warnings if "formula" in w] == [
        f"occupation.xlsx [sheet 'Table 1.2']: row {at}, column L ('Median annual wage, dollars, 2024[1]'): "
        "holds a formula (cached value 86070.0), not a published figure; kept as not_published"
    ]
