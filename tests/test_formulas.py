"""Formula cells found from the workbook's own records: generated .xlsx, BIFF records, the real 1997 file."""

from __future__ import annotations

import io
import struct

import pytest
import python_calamine
from builders import with_cached_values, workbook_bytes

from occstats.formulas import _biff_formulas, formula_cells


def _book() -> bytes:
    return workbook_bytes(
        {
            "Data": [["title"], [], ["", "", 1], ["", "", 2], ["", "", "=SUM(C3:C4)"]],
            "Other & more": [["=1+1", 5]],
        }
    )


def test_xlsx_formula_cells_are_found_at_calamines_coordinates():
    data = _book()
    assert formula_cells(data) == {"Data": frozenset({(4, 2)}), "Other & more": frozenset({(0, 0)})}
    assert formula_cells(data, sheets={"Data"}) == {"Data": frozenset({(4, 2)})}
    assert formula_cells(workbook_bytes({"Plain": [[1, 2], ["a", 3.5]]})) == {}


def test_a_cached_formula_value_looks_like_a_constant_to_calamine_but_is_flagged():
    """Without a cached value (openpyxl) calamine reads the cell as blank; with one (Excel) as the figure."""
    plain = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(_book()))
    rows = plain.get_sheet_by_name("Data").to_python(skip_empty_area=False)
    assert len(rows) == 4  # the uncached formula row is not even there
    cached = with_cached_values(_book(), "xl/worksheets/sheet1.xml", {"C5": 3})
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(cached)).get_sheet_by_name("Data")
    assert rows.to_python(skip_empty_area=False)[4][2] == 3
    assert formula_cells(cached)["Data"] == frozenset({(4, 2)})


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def test_biff_formula_records_are_assigned_to_their_sheet():
    """BOUNDSHEET names the offset of a sheet's BOF; FORMULA records carry row and column first."""
    name = "Sheet é".encode("utf-16-le")
    globals_ = _record(0x0809, b"\x00" * 16)
    boundsheet_size = 4 + 8 + len(name)
    eof = _record(0x000A, b"")
    sheet_at = len(globals_) + boundsheet_size + len(eof)
    boundsheet = _record(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, 7, 1) + name)
    number = _record(0x0203, struct.pack("<HHHd", 1, 1, 0, 42.0))
    formula = _record(0x0006, struct.pack("<HHH", 3, 2, 0) + b"\x00" * 16)
    stream = globals_ + boundsheet + eof + _record(0x0809, b"\x00" * 16) + number + formula + eof
    assert _biff_formulas(stream) == {"Sheet é": frozenset({(3, 2)})}


def test_not_a_workbook_has_no_formulas():
    assert formula_cells(b"occ_code,occ_title\n") == {}
    assert formula_cells(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100) == {}


@pytest.mark.shared
def test_the_1997_re_save_formulas(shared):
    """The third party's formulas: division 80000's employment and annual mean, its own total row, and
    every annual percentile (hourly x 2080), which the 1997 notes say are not available."""
    data = (shared / "bls/oes/1997/national_1997_dl.xls").read_bytes()
    found = formula_cells(data)
    assert set(found) == {"oes_national_1997"}
    cells = found["oes_national_1997"]
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    grid = rows.to_python(skip_empty_area=False)
    header = next(r for r in grid if r and str(r[0]).strip() == "occ_code")
    outside_percentiles = sorted(
        (str(grid[r][0]).strip(), str(header[c]).strip(), grid[r][c])
        for r, c in cells
        if not str(header[c]).startswith("a_wpct") and header[c] != "a_median"
    )
    assert outside_percentiles == [
        ("", "tot_emp", 148002670.0),  # 'Total 1997 Employment', a row without a code
        ("80000", "a_mean", pytest.approx(25491.876424525533)),
        ("80000", "tot_emp", 31019100.0),
    ]
    assert len(cells) == 3648
