"""The OEWS time-series parser on generated releases: figures, markers, keys, and every bad input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import ts_builders as tb

from occstats import schema
from occstats.errors import SourceError
from occstats.sources.oes_timeseries import layout
from occstats.sources.oes_timeseries.parser import ReleaseFiles, TimeSeriesSource, parse_files
from occstats.validate import schema_checks


def parse(path: Path):
    return parse_files(ReleaseFiles.beside(path), sha256="a" * 64, display_name=path.name)


def rows(parsed, name: str, **where) -> list[dict]:
    table = parsed.tables[name]
    for column, value in where.items():
        table = table.filter(pc.equal(table.column(column), value))
    return table.to_pylist()


def test_figures_statuses_and_keys(tmp_path):
    parsed = parse(tb.standard().write(tmp_path))
    assert parsed.release_id == "2025" and parsed.facts["ref_month"] == 5
    assert parsed.rows() == {"oes_estimates": 8, "oes_wages": 8 * 12, "oes_areas": 4, "oes_industries": 4}
    for name, table in parsed.tables.items():
        assert schema_checks(schema.table(name), table) == [], name

    [nurses] = rows(parsed, "oes_estimates", area_code="0000000", naics_code="000000", soc_code="29-1141")
    assert nurses["dataset"] == "oes_timeseries" and nurses["area_type"] == "national"
    assert nurses["ownership_code"] == "1235" and nurses["naics_level"] == "cross-industry"
    assert nurses["occ_title"] == "Registered Nurses" and nurses["occ_level"] == "detailed"
    assert nurses["employment"] == 3282010 and nurses["employment_rse_pct"] == Decimal("0.4")
    assert nurses["jobs_per_1000"] == Decimal("21.107") and nurses["location_quotient"] == Decimal("1.00")
    assert nurses["pct_of_industry_employment_status"] == "not_published"
    assert (nurses["annual_only"], nurses["hourly_only"]) == (False, False)
    wages = {
        (r["basis"], r["statistic"]): r["value"]
        for r in rows(parsed, "oes_wages", area_code="0000000", naics_code="000000", soc_code="29-1141")
    }
    assert wages[("hourly", "median")] == Decimal("45.71") and wages[("annual", "p90")] == Decimal("136590")

    # Footnote 4 on the hourly figures: annual only, the hourly ones not released (never a NaN).
    [teachers] = rows(parsed, "oes_estimates", soc_code="25-2021")
    assert teachers["annual_only"] is True and teachers["hourly_only"] is False
    teacher_wages = rows(parsed, "oes_wages", soc_code="25-2021")
    hourly = [r for r in teacher_wages if r["basis"] == "hourly"]
    assert {r["status"] for r in hourly} == {"not_released"} and {r["value"] for r in hourly} == {None}
    assert {r["marker"] for r in hourly} == {"- [footnote 4]"}

    # Footnote 5: top-coded, with the threshold oe.footnote states.
    top = [r for r in rows(parsed, "oes_wages", soc_code="29-1211") if r["status"] == "top_coded"]
    assert {(r["basis"], r["statistic"]) for r in top} == {
        (b, s) for b in ("hourly", "annual") for s in ("median", "p75", "p90")
    }
    assert {(r["basis"], r["bound"], r["bound_comparison"]) for r in top} == {
        ("hourly", Decimal("115.00"), ">="),
        ("annual", Decimal("239200"), ">="),
    }

    # Footnote 8: not available.
    [metro] = rows(parsed, "oes_estimates", area_code="0031080")
    assert metro["area_type"] == "metropolitan" and metro["employment"] is None
    assert metro["employment_status"] == "not_available" and metro["jobs_per_1000_status"] == "not_available"
    assert metro["area_title"] == "Los Angeles-Long Beach-Anaheim, CA"

    kinds = {r["area_code"]: r["area_type"] for r in parsed.tables["oes_areas"].to_pylist()}
    assert kinds == {"0000000": "national", "0031080": "metropolitan", "0600000": "state", "0600001": "nonmetropolitan"}
    industries = {r["naics_code"]: (r["naics_level"], r["ownership_code"]) for r in rows(parsed, "oes_industries")}
    assert industries == {
        "000000": ("cross-industry", "1235"),
        "000001": ("cross-industry, ownership", "5"),
        "62--63": ("sector", ""),
        "622100": ("4-digit", ""),
    }


def test_identify_reads_the_year(tmp_path):
    path = tb.standard().write(tmp_path)
    assert TimeSeriesSource().identify(path, display_name=path.name) == "2025"


def test_code_lists_are_found_in_another_landing_of_the_release(tmp_path):
    """The raw store may hold the code lists as their own landings of the same release."""
    release = tmp_path / "raw" / "oes_timeseries" / "2025"
    data = tb.standard().write(release / "20260101T000000000001Z-aaaaaaaaaaaa")
    lists = release / "20260101T000002000001Z-bbbbbbbbbbbb"
    lists.mkdir()
    for name in ("oe.area", "oe.industry", "oe.occupation", "oe.datatype", "oe.footnote", "oe.release"):
        (data.parent / name).rename(lists / name)
    assert parse(data).rows()["oes_estimates"] == 8
    # Outside the raw store, only the data file's own folder counts: never a neighbour's files.
    alone = tmp_path / "downloads" / "oe"
    alone.mkdir(parents=True)
    (alone / "oe.data.0.Current").write_bytes(data.read_bytes())
    tb.standard().write(tmp_path / "downloads" / "other-release")
    with pytest.raises(SourceError, match=r"code list oe\.area is not beside it"):
        parse(alone / "oe.data.0.Current")


def expect_error(tmp_path: Path, release: tb.Release, *needles: str) -> SourceError:
    path = release.write(tmp_path)
    with pytest.raises(SourceError) as caught:
        parse(path)
    message = str(caught.value)
    for needle in needles:
        assert needle in message, message
    return caught.value


HEADER_LINES = 1


def sid(occupation: str, datatype: str, area_type: str = "N", area: str = "0000000", industry: str = "000000") -> str:
    return f"OEU{area_type}{area}{industry}{occupation}{datatype}"


def test_a_line_cut_short(tmp_path):
    release = tb.standard()
    release.lines[5] = release.lines[5][:20] + tb.EOL  # a download cut mid-line, then more lines
    expect_error(tmp_path, release, "oe.data.0.Current: line 7:", "1 tab-separated field(s) where 5")


def test_a_file_cut_short_at_the_end(tmp_path):
    release = tb.standard()
    release.lines[-1] = release.lines[-1][:33]  # no EOL: the last line is cut in its value
    expect_error(tmp_path, release, f"line {len(release.lines) + HEADER_LINES}:", "where 5 are expected")


def test_a_series_id_of_the_wrong_length(tmp_path):
    release = tb.standard()
    short = sid("291141", "04")[:-3] + "04"  # one digit short
    release.lines[3] = tb.line(short, "1")
    expect_error(tmp_path, release, "line 5:", "series id must be 25 characters", repr(short))


def test_an_unknown_datatype_code(tmp_path):
    release = tb.standard()
    release.lines.append(tb.line(sid("291141", "18"), "1.0"))
    expect_error(tmp_path, release, f"line {len(release.lines) + 1}:", "unknown datatype code", sid("291141", "18"))


@pytest.mark.parametrize("datatype", ["0:", "/7", " 1", "1A", "00"])
def test_a_datatype_code_that_is_not_two_declared_digits(tmp_path, datatype):
    """Codes are read as two bytes: ones that would pass as numbers ('0:' is 0*10 + 10) are unknown all the same."""
    release = tb.standard()
    release.lines[2] = tb.line(sid("291141", datatype), "1.0")
    expect_error(tmp_path, release, "line 4:", "unknown datatype code", repr(sid("291141", datatype)))


def test_a_series_id_that_does_not_start_oeu_or_is_not_ascii(tmp_path):
    release = tb.standard()
    release.lines[6] = tb.line("OEX" + sid("291141", "04")[3:], "1")
    expect_error(tmp_path, release, "line 8:", "a series id starts OEU")
    release = tb.standard()
    accented = sid("291141", "04")[:-4] + "é04"  # 25 bytes, 24 characters
    release.lines[6] = tb.line(accented, "1")
    expect_error(tmp_path / "accented", release, "line 8:", "a series id must be ASCII characters")


def test_an_unknown_datatype_in_oe_datatype(tmp_path):
    release = tb.standard()
    release.datatypes["04"] = "Annual median wage"  # renumbered at BLS: the layout must not guess
    expect_error(tmp_path, release, "oe.datatype: line 5:", "datatype 04 is 'Annual median wage'")


def test_an_unknown_footnote_code(tmp_path):
    release = tb.standard()
    release.lines[12] = tb.line(sid("252021", "03"), "-", "7")
    expect_error(tmp_path, release, "line 14:", "unknown footnote code '7'")


def test_a_footnote_whose_meaning_changed(tmp_path):
    release = tb.standard()
    release.footnotes["5"] = "This wage is suppressed."
    expect_error(tmp_path, release, "oe.footnote: line 6:", "footnote 5 reads")


def test_a_duplicated_series(tmp_path):
    release = tb.standard()
    release.lines.append(release.lines[2])
    expect_error(tmp_path, release, f"line {len(release.lines) + 1}:", "duplicated series (first on line 4)")


@pytest.mark.parametrize("value", ["12a", "1,234", "n/a", "1e5", "*"])
def test_a_value_neither_a_number_nor_a_dash(tmp_path, value):
    release = tb.standard()
    release.lines[20] = tb.line(sid("252021", "13"), value)
    expect_error(tmp_path, release, "line 22:", "neither a number nor '-'", repr(value))


def test_a_dash_without_a_footnote(tmp_path):
    release = tb.standard()
    release.lines[0] = tb.line(sid("291141", "01"), "-")
    expect_error(tmp_path, release, "line 2:", "'-' without a footnote")


def test_more_decimals_than_published(tmp_path):
    release = tb.standard()
    release.lines[2] = tb.line(sid("291141", "03"), "47.325")  # hourly wages are to the cent
    expect_error(tmp_path, release, "line 4:", "datatype 03 value '47.325' has more decimals")


def test_a_text_valid_for_one_datatype_is_still_checked_for_another(tmp_path):
    # values are cast once per distinct text: '47.325' fits jobs per 1,000 (3 decimals) on an earlier line,
    # and must still fail where it is an hourly wage (2 decimals)
    release = tb.standard()
    release.lines[15] = tb.line(sid("291141", "16"), "47.325")
    release.lines[20] = tb.line(sid("252021", "04"), "47.325")  # annual wages are whole dollars
    expect_error(tmp_path, release, "line 22:", "datatype 04 value '47.325' has more decimals")


def test_texts_shared_by_datatypes_of_different_types(tmp_path):
    # the same few texts on every figure line, whatever the column's type: each figure is its own line's text
    texts = ["7", "40", "40.5", "1.25", "0", "40.50"]
    release = tb.standard()
    scale = {d.code: d.scale for d in layout.DATATYPES}
    expected = {}
    for i, text in enumerate(release.lines):
        series, _, _, value, footnote = text.rstrip("\r\n").split("\t")
        if value.strip() == "-":
            continue
        fits = [t for t in texts if len(t.partition(".")[2]) <= scale[series.strip()[-2:]]]
        chosen = fits[i % len(fits)]
        release.lines[i] = tb.line(series.strip(), chosen, footnote)
        expected[series.strip()] = Decimal(chosen)
    parsed = parse(release.write(tmp_path))
    got = {}
    by_code = {d.code: d for d in layout.DATATYPES}
    for row in parsed.tables["oes_estimates"].to_pylist():
        key = "OEU" + {"national": "N", "state": "S"}.get(row["area_type"], "M")
        key += row["area_code"] + row["naics_code"] + row["soc_code"].replace("-", "")
        for code, d in by_code.items():
            if d.table == "oes_estimates" and row[d.statistic] is not None:
                got[key + code] = row[d.statistic]
    for row in parsed.tables["oes_wages"].to_pylist():
        key = "OEU" + {"national": "N", "state": "S"}.get(row["area_type"], "M")
        key += row["area_code"] + row["naics_code"] + row["soc_code"].replace("-", "")
        [code] = [c for c, d in by_code.items() if (d.basis, d.statistic) == (row["basis"], row["statistic"])]
        if row["value"] is not None:
            got[key + code] = row["value"]
    assert got == expected


def test_an_area_missing_from_oe_area(tmp_path):
    release = tb.standard().add("S", "3600000", "000000", "291141", tb.NURSES)
    expect_error(tmp_path, release, "area '3600000' is not in oe.area")


def test_a_release_of_another_year(tmp_path):
    release = tb.standard()
    release.lines[0] = tb.line(sid("291141", "01"), "3282010", year="2024")
    expect_error(tmp_path, release, "line 2:", "the year is not 2025")


def test_a_data_file_without_its_code_lists(tmp_path):
    path = tb.standard().write(tmp_path / "landing")
    (path.parent / "oe.occupation").unlink()
    with pytest.raises(SourceError, match=r"oe.data.0.Current: the release's code list oe.occupation is not beside it"):
        TimeSeriesSource().parse(path, sha256="a" * 64, display_name=path.name, release_id="2025")


def test_the_catalog_lists_the_data_file_and_its_companions():
    from occstats.products import product

    catalog = product("oes_timeseries").catalog
    [release] = catalog.releases()
    assert release.urls == ("https://download.bls.gov/pub/time.series/oe/oe.data.0.Current",)
    companions = catalog.companions(release)
    assert set(companions) == {"oe.area", "oe.industry", "oe.occupation", "oe.datatype", "oe.footnote", "oe.release"}
    assert all(urls[0].startswith("https://download.bls.gov/pub/time.series/oe/") for urls in companions.values())


@pytest.mark.parametrize("block", [512, 4096])
def test_line_numbers_hold_across_read_blocks(tmp_path, monkeypatch, block):
    """The data file is read a block at a time: a line's number must not depend on where blocks fall."""
    from occstats.sources.oes_timeseries import parser

    monkeypatch.setattr(parser, "BLOCK_BYTES", block)
    release = tb.standard()
    assert parse(release.write(tmp_path / "good")).rows()["oes_estimates"] == 8
    release.lines[100] = tb.line(sid("291141", "13", area_type="M", area="0600001"), "95,070")
    expect_error(tmp_path / "bad", release, "line 102:", "neither a number nor '-'", "'95,070'")
    fields = release.lines[-1].split("\t")  # a later block bad too (blocks are checked two at a time)
    release.lines[-1] = "\t".join([*fields[:3], "1,000", *fields[4:]])
    expect_error(tmp_path / "bad2", release, "line 102:", "'95,070'")  # the first line in the file is named
    release = tb.standard()
    release.lines[120] = release.lines[120][:15] + tb.EOL
    expect_error(tmp_path / "cut", release, "line 122:", "a line cut short")


def test_rows_come_out_in_cluster_order_whatever_the_file_order(tmp_path):
    """The store writes the oes tables in (soc_code, area_code, naics_code) order; the parser hands them over in
    it (so 4.4 M wage rows need no sort), with the same rows whatever order the file's lines are in."""
    import random

    as_published = parse(tb.standard().write(tmp_path / "a"))
    shuffled = tb.standard()
    random.Random(5).shuffle(shuffled.lines)
    parsed = parse(shuffled.write(tmp_path / "b"))
    for name in ("oes_estimates", "oes_wages"):
        table = parsed.tables[name]
        keys = list(zip(*(table.column(c).to_pylist() for c in schema.table(name).cluster_by), strict=True))
        assert keys == sorted(keys), name
        assert sorted(map(str, table.to_pylist())) == sorted(map(str, as_published.tables[name].to_pylist())), name
    wages = parsed.tables["oes_wages"]
    # an estimate's 12 wage rows are together; the repeated strings are dictionary-encoded, not copied
    assert wages.num_rows == 12 * parsed.tables["oes_estimates"].num_rows
    strings = [c.name for c in schema.OES_WAGES.columns if c.type == pa.string()]
    assert len(strings) > 10 and all(pa.types.is_dictionary(wages.schema.field(c).type) for c in strings)
