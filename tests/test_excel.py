import pytest
from builders import workbook_bytes

from occstats.archive import Member
from occstats.errors import SourceError
from occstats.excel import locate_table, normalize_header, open_workbook

ALIASES = {
    "occ_code": ("occ_code",),
    "occ_title": ("occ_title",),
    "group": ("group", "occ_group", "o_group"),
    "tot_emp": ("tot_emp",),
}


def book(rows, extra=None):
    sheets = {"scratch": [["occ_title", "a_median"], ["x", 1]], "data": rows, **(extra or {})}
    return open_workbook(Member("w.xlsx", workbook_bytes(sheets)), "w.xlsx")


def test_header_found_below_notes_in_any_sheet_with_any_alias_and_case():
    rows = [
        ["1997 National OES Estimates"],
        [],
        ["Notes: # = top-coded"],
        ["OCC_CODE", "Occ_Title", "O_GROUP", "TOT_EMP", "2015 Robot_Cost"],
        ["11-1011", "Chief Executives", "detailed", 5],
    ]
    table = locate_table(
        book(rows), "w.xlsx", ALIASES, anchors=("occ_code", "occ_title"), required=("occ_code", "tot_emp")
    )
    assert table.sheet == "data" and table.header_row == 3
    assert table.columns == {"occ_code": 0, "occ_title": 1, "group": 2, "tot_emp": 3}
    assert table.unknown == ["2015 Robot_Cost"]
    assert table.rows[0][0] == "11-1011"


def test_missing_required_column_names_file_sheet_and_column():
    rows = [["occ_code", "occ_title", "total_employment"], ["11-1011", "CEO", 5]]
    with pytest.raises(SourceError) as err:
        locate_table(book(rows), "w.xlsx", ALIASES, anchors=("occ_code", "occ_title"), required=("tot_emp",))
    message = str(err.value)
    assert "w.xlsx" in message and "'data'" in message and "'tot_emp'" in message


def test_no_header_anywhere():
    with pytest.raises(SourceError, match="no sheet with a header row"):
        locate_table(book([["a", "b"]]), "w.xlsx", ALIASES, anchors=("occ_code", "occ_title"), required=())


def test_normalize_header():
    assert normalize_header(" OCC_GROUP ") == "occ_group"
    assert normalize_header("2015 Robot_Cost") == "2015_robot_cost"


def test_unreadable_workbook_is_a_source_error():
    with pytest.raises(SourceError, match="not a readable Excel workbook"):
        open_workbook(Member("w.xlsx", b"PK\x03\x04garbage"), "oesm24nat.zip:w.xlsx")
