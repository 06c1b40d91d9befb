"""The OES Excel family parser (industry, state, metro, all-data) on generated workbooks, and bad input."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from builders import workbook_bytes, zip_bytes
from family_builders import (
    WAGE_HEADER,
    WAGES_PLAIN,
    all_data_2019_rows,
    industry_zip,
    metro_2018,
    natsector_2012,
    state_2018,
)

from occstats import schema
from occstats.errors import SourceError
from occstats.products import REGISTRY, validate
from occstats.sources.oes_families import layout
from occstats.sources.oes_families.parser import parse as parse_family


def parse(tmp_path, family, name, data, year):
    path = tmp_path / name
    path.write_bytes(data)
    return parse_family(path, layout.FAMILIES[family], sha256="a" * 64, display_name=name, expected_year=year)


def rows(parsed, table="oes_estimates", **where):
    return [r for r in parsed.tables[table].to_pylist() if all(r[k] == v for k, v in where.items())]


def one(parsed, table="oes_estimates", **where):
    found = rows(parsed, table, **where)
    assert len(found) == 1, (where, len(found))
    return found[0]


def test_industry_release_reads_every_figure_and_marker(tmp_path):
    parsed = parse(tmp_path, "industry", "oesm12in4.zip", industry_zip(), 2012)
    assert parsed.product == "oes-industry" and parsed.release_id == "2012"
    for name, tbl in parsed.tables.items():
        assert not [r for r in validate(schema.table(name), tbl, release="2012") if r.blocking and r.failures], name
    ceo = one(parsed, naics_code="11", soc_code="11-1011")
    assert (ceo["dataset"], ceo["area_code"], ceo["area_type"], ceo["naics_level"]) == (
        "oes_industry",
        "99",
        "national",
        "sector",
    )
    assert (ceo["employment"], ceo["pct_of_industry_employment"], ceo["pct_establishments_reporting"]) == (
        1230,
        Decimal("0.29"),
        Decimal("1.05"),
    )
    assert ceo["ownership_code"] == ""  # natsector 2012 states no ownership
    teachers = one(parsed, naics_code="11", soc_code="25-2021")
    assert (teachers["employment"], teachers["employment_status"], teachers["employment_marker"]) == (
        None,
        "not_available",
        "**",
    )
    assert teachers["pct_establishments_reporting_status"] == "below_reporting_threshold"
    assert teachers["annual_only"] is True
    median = one(parsed, "oes_wages", naics_code="11", soc_code="11-1011", basis="hourly", statistic="median")
    assert (median["status"], median["value"], median["marker"], median["bound"], median["bound_comparison"]) == (
        "top_coded",
        None,
        "#",
        Decimal("90.00"),
        ">",
    )
    assert median["bound_source"].startswith("release")  # read from the zip's field_descriptions
    hourly = one(parsed, "oes_wages", naics_code="11", soc_code="25-2021", basis="hourly", statistic="p10")
    assert (hourly["status"], hourly["marker"]) == ("not_released", "*")
    p90 = one(parsed, "oes_wages", naics_code="31-33", soc_code="00-0000", basis="annual", statistic="p90")
    assert p90["value"] == Decimal("120000")


def test_ownership_labels_become_codes_and_cross_industry_rows_their_naics(tmp_path):
    parsed = parse(tmp_path, "industry", "oesm12in4.zip", industry_zip(), 2012)
    private = one(parsed, ownership_code="5", soc_code="00-0000")
    government = one(parsed, ownership_code="123", soc_code="00-0000")
    assert (private["naics_code"], government["naics_code"]) == ("000001", "999001")
    assert private["naics_level"] == "cross-industry, ownership" and private["naics_title"] == "Cross-industry"
    teachers = one(parsed, ownership_code="3", soc_code="25-2021")
    assert teachers["occ_level"] == "detailed" and teachers["occ_group_published"] == "detail"
    industries = parsed.tables["oes_industries"].to_pylist()
    assert {(r["naics_code"], r["ownership_code"]) for r in industries} == {
        ("11", ""),
        ("31-33", ""),
        ("000001", "5"),
        ("999001", "123"),
        ("999301", "3"),
    }


def test_members_bls_shipped_that_the_zip_lacks_are_named(tmp_path):
    described = workbook_bytes(
        {
            "File descriptions": [
                ["File name", "File contents"],
                ["natsector_M2012_dl.xls", "sector"],
                ["nat4d_M2012_dl_1_113300_517100.xls", "4-digit, part 1"],
            ]
        }
    )
    data = industry_zip(members={"natsector_M2012_dl.xls": natsector_2012(), "file_descriptions.xls": described})
    parsed = parse(tmp_path, "industry", "oesm12in4.zip", data, 2012)
    assert any("nat4d_m2012_dl_1_113300_517100.xls" in w and "not in this zip" in w for w in parsed.warnings)
    # no file_descriptions: the layout's list of what BLS shipped that year
    parsed = parse(
        tmp_path,
        "industry",
        "oesm10in4.zip",
        industry_zip(members={"natsector_M2010_dl.xls": natsector_2012(2010)}),
        2010,
    )
    missing = next(w for w in parsed.warnings if "not in this zip" in w)
    assert all(role in missing for role in ("nat3d", "nat4d_owner", "nat5d", "national_owner"))


def test_an_unknown_member_is_an_error_naming_it(tmp_path):
    data = industry_zip(members={"natsector_M2012_dl.xls": natsector_2012(), "nat7d_M2012_dl.xls": natsector_2012()})
    with pytest.raises(SourceError, match=re.escape("member 'nat7d_M2012_dl.xls' matches no industry member role")):
        parse(tmp_path, "industry", "oesm12in4.zip", data, 2012)


def test_a_member_that_claims_one_year_and_holds_another_is_refused(tmp_path):
    by_name = industry_zip(members={"natsector_M2013_dl.xls": natsector_2012()})
    with pytest.raises(
        SourceError, match=r"natsector_M2013_dl\.xls: claims 2013 \(its name 'natsector_M2013_dl'\) in the 2012"
    ):
        parse(tmp_path, "industry", "oesm12in4.zip", by_name, 2012)
    by_sheet = industry_zip(members={"natsector_M2012_dl.xlsx": natsector_2012(sheet="natsector_M2011_dl")})
    with pytest.raises(SourceError, match=r"holds 2011 \(its sheet name 'natsector_M2011_dl'\), not 2012"):
        parse(tmp_path, "industry", "oesm12in4.zip", by_sheet, 2012)
    with pytest.raises(SourceError, match="is the 2013 release"):
        parse(tmp_path, "industry", "oesm13in4.zip", industry_zip(), 2012)


def test_a_cell_neither_number_nor_marker_names_row_and_column(tmp_path):
    header = ["NAICS", "NAICS_TITLE", "OCC_CODE", "OCC_TITLE", "OCC_GROUP", "TOT_EMP", "EMP_PRSE", *WAGE_HEADER]
    body = ["11", "Agriculture", "00-0000", "All Occupations", "total", "n/a", 1.0, *WAGES_PLAIN]
    data = industry_zip(members={"natsector_M2012_dl.xls": workbook_bytes({"natsector_dl": [header, body]})})
    with pytest.raises(SourceError, match=r"row 2, column 'TOT_EMP': 'n/a' is neither a number nor a declared marker"):
        parse(tmp_path, "industry", "oesm12in4.zip", data, 2012)


def test_state_family_2018_layout(tmp_path):
    data = zip_bytes({"oesm18st/state_M2018_dl.xlsx": state_2018()})
    parsed = parse(tmp_path, "state", "oesm18st.zip", data, 2018)
    ca = one(parsed, area_code="6", soc_code="29-2072")
    assert (ca["dataset"], ca["area_type"], ca["area_title"], ca["naics_code"], ca["ownership_code"]) == (
        "oes_state",
        "state",
        "California",
        "000000",
        "1235",
    )
    assert (ca["jobs_per_1000"], ca["location_quotient"]) == (Decimal("1.234"), Decimal("0.95"))
    assert ca["pct_of_industry_employment_status"] == "not_published"  # a state file has no PCT_TOTAL
    nj = one(parsed, area_code="34")
    assert (nj["jobs_per_1000_status"], nj["location_quotient_status"]) == ("not_available", "not_available")
    areas = {r["area_code"]: r for r in parsed.tables["oes_areas"].to_pylist()}
    assert areas["6"]["state_code"] == "CA" and areas["34"]["area_title"] == "New Jersey"
    top = one(parsed, "oes_wages", area_code="34", basis="annual", statistic="p90")
    assert (top["status"], top["bound"], top["bound_comparison"]) == ("top_coded", Decimal("208000"), ">=")


def test_metro_family_reads_msa_and_nonmetropolitan_members(tmp_path):
    data = zip_bytes({"MSA_M2018_dl.xlsx": metro_2018("msa"), "BOS_M2018_dl.xlsx": metro_2018("bos")})
    parsed = parse(tmp_path, "metro", "oesm18ma.zip", data, 2018)
    kinds = {r["area_code"]: r["area_type"] for r in parsed.tables["oes_estimates"].to_pylist()}
    assert kinds == {"31080": "metropolitan", "600001": "nonmetropolitan"}
    assert one(parsed, area_code="31080")["jobs_per_1000"] == Decimal("0.831")


def test_all_data_family_takes_each_row_area_type_and_ownership(tmp_path):
    data = zip_bytes({"all_data_M_2019.xlsx": workbook_bytes({"All May 2019 data": all_data_2019_rows()})})
    parsed = parse(tmp_path, "all", "oesm19all.zip", data, 2019)
    got = {
        (r["area_code"], r["naics_code"]): (r["area_type"], r["ownership_code"], r["naics_level"]) for r in rows(parsed)
    }
    assert got == {
        ("99", "000000"): ("national", "1235", "cross-industry"),
        ("99", "622000"): ("national", "3", "3-digit, ownership"),
        ("06", "000000"): ("state", "1235", "cross-industry"),
        ("72", "000000"): ("state", "1235", "cross-industry"),  # area type 3, a U.S. territory
        ("31080", "000000"): ("metropolitan", "1235", "cross-industry"),
        ("600001", "000000"): ("nonmetropolitan", "1235", "cross-industry"),
    }
    for name, tbl in parsed.tables.items():
        assert not [r for r in validate(schema.table(name), tbl, release="2019") if r.blocking and r.failures], name


def test_every_family_is_a_product_with_its_own_dataset_and_zip(tmp_path):
    for family in layout.FAMILIES.values():
        product = REGISTRY[family.product]
        assert family.dataset in schema.DATASETS
        release = product.catalog.releases([2019])[0]
        assert release.urls[0].endswith(f"/{family.zip_stem.format(yy='19')}.zip")


def test_member_roles_cover_the_names_bls_used():
    names = {
        "natsector_M2008_dl.xls": "natsector",
        "nat4d__M2009_owner_dl.xls": "nat4d_owner",
        "national_owner_dl.xls": "national_owner",
        "national_M2009_owner_dl.xls": "national_owner",
        "nat4d_owner_M2017_dl.xlsx": "nat4d_owner",
        "nat4d_M2012_dl_1_113300_517100.xls": "nat4d",
        "nat5d_6d_M2019_dl.xlsx": "nat5d_6d",
        "nat5d_M2008_dl.xls": "nat5d",
        "nat3d_M2019_dl.xlsx": "nat3d",
        "MSA_M2018_dl.xlsx": "msa",
        "aMSA_M2012_dl.xls": "msa",
        "BOS_M2018_dl.xlsx": "bos",
        "state_M2018_dl.xlsx": "state",
        "all_data_M_2019.xlsx": "all_data",
    }
    for name, role in names.items():
        found = [r.name for r in layout.ROLES if re.search(r.pattern, name, re.IGNORECASE)]
        assert found == [role], name


def test_refresh_reports_a_family_the_mirror_lacks_as_unavailable(tmp_path):
    from occstats.pipeline import State, refresh
    from occstats.settings import Settings

    mirror = tmp_path / "mirror"
    (mirror / "www.bls.gov/oes/special-requests").mkdir(parents=True)
    settings = Settings(data_dir=tmp_path / "data", mirror=str(mirror), http_retries=0, http_backoff=0)
    report = refresh(settings, "oes-state", [2019])
    assert [(o.release, o.state) for o in report.outcomes] == [("2019", State.UNAVAILABLE)]


def test_tables_inventory_lists_rows_per_release_and_family():
    from occstats.inventory import describe_families

    counts = {("oes_national", 2019): 1400, ("oes_industry", 2009): 25791, ("oes_industry", 2008): 15951}
    assert describe_families(("dataset", "ref_year"), counts) == (
        "oes_industry 2008: 15,951, 2009: 25,791; oes_national 2019: 1,400"
    )
    assert describe_families(("base_year", "target_year"), {(2024, 2034): 800}) == ""


def test_column_texts_read_every_kind_of_cell_as_the_per_cell_reference_does():
    """The bulk reader (grid, types, float and string arrays) against _text, cell by cell."""
    import datetime as dt

    from occstats.sources.oes_families.parser import _column_texts, _text

    rows = [
        [" 99 ", 1230.0, 36.4, "**", None, 1e10],
        ["U.S.", 0.1, 1.5e-07, "#", True, 123456789012.0],
        ["x", -2.5, float("inf"), "", 7, dt.datetime(2024, 5, 1)],
        ["short row", 12.0],  # ragged: padded with empty cells
        ["long row", 1.0, 2.0, "~", False, 3.25, "beyond the header"],  # cut at the header's width
    ]
    width = 6
    got, plain = _column_texts(rows, width, [0, 1, 2, 3, 4, 5])
    padded = [r[:width] + [None] * (width - len(r)) for r in rows]
    for j in range(width):
        assert got[j].to_pylist() == [_text(r[j]) for r in padded], j
    assert got[1].to_pylist() == ["1230", "0.1", "-2.5", "12", "1"]  # integral floats without '.0'
    assert got[5].to_pylist()[:2] == ["10000000000", "123456789012"]  # never with an exponent
    assert plain[1].to_pylist() == [True] * 5
    assert plain[2].to_pylist() == [True, False, False, False, True]  # 1.5e-07 and inf: looked at by the regex
    assert plain[5].to_pylist() == [False, False, False, False, True]
    subset, _ = _column_texts(rows, width, [1, 4])
    assert set(subset) == {1, 4} and subset[4].to_pylist() == got[4].to_pylist()


def test_a_plain_number_cell_is_a_number_as_the_figure_pattern_reads_it():
    """What the figure checks skip the regex for: a finite float written without an exponent."""
    import random

    from occstats.sources.oes_families.parser import _NUMBER, _column_texts

    rng = random.Random(5)
    values = [rng.uniform(-1, 1) * 10 ** rng.randrange(-8, 25) for _ in range(20_000)]
    values += [round(v, rng.randrange(0, 4)) for v in values[:5000]] + [0.0, -0.0, 1e21, 1e-7, 5e-324]
    got, plain = _column_texts([[v] for v in values], 1, [0])
    texts, flags = got[0].to_pylist(), plain[0].to_pylist()
    assert sum(flags) > 10_000
    for value, text, flag in zip(values, texts, flags, strict=True):
        if flag:
            assert re.match(_NUMBER, text) and "e" not in text, (value, text)
            assert float(text) == value  # the shortest digits that read back as the cell's value


def test_figures_past_their_precision_are_kept_as_not_published_and_trailing_zeros_are_not(tmp_path):
    """Hourly wages to the cent: 12.345 (a float cell) and '45.6701' (text) are not published figures;
    '38.690' (text, a trailing zero) is 38.69; 1,234.5 employment (text) is not a count."""
    table = all_data_2019_rows()
    header = table[0]
    h_median, h_pct75, emp = header.index("H_MEDIAN"), header.index("H_PCT75"), header.index("TOT_EMP")
    table[1][h_median], table[1][h_pct75] = 12.345, "45.6701"
    table[2][h_pct75], table[3][emp] = "38.690", "1,234.5"
    data = zip_bytes({"all_data_M_2019.xlsx": workbook_bytes({"All May 2019 data": table})})
    parsed = parse(tmp_path, "all", "oesm19all.zip", data, 2019)
    national = {"area_code": "99", "naics_code": "000000"}
    median = one(parsed, "oes_wages", **national, basis="hourly", statistic="median")
    p75 = one(parsed, "oes_wages", **national, basis="hourly", statistic="p75")
    assert (median["value"], median["status"]) == (None, "not_published")
    assert (p75["value"], p75["status"]) == (None, "not_published")
    zero = one(parsed, "oes_wages", area_code="99", naics_code="622000", basis="hourly", statistic="p75")
    assert (zero["value"], zero["status"]) == (Decimal("38.69"), "estimate")
    assert one(parsed, area_code="06")["employment_status"] == "not_published"
    warned = [w for w in parsed.warnings if "decimal places" in w]
    assert any("'h_median'" in w and "12.345 has more than 2 decimal places" in w for w in warned), warned
    assert any("'h_p75'" in w and "45.6701" in w for w in warned), warned
    assert any("'tot_emp'" in w and "1,234.5" in w for w in warned), warned
