from decimal import Decimal

import pytest

from occstats.cells import CellError, ExcessPrecision, parse_cell, parse_flag, parse_text
from occstats.markers import Status

MARKERS = {"*": Status.NOT_AVAILABLE, "#": Status.TOP_CODED, "***": Status.WITHDRAWN}


@pytest.mark.parametrize(
    ("raw", "scale", "expected"),
    [
        (21.35, 2, Decimal("21.35")),
        ("         17.80", 2, Decimal("17.80")),  # 2004-2008: numbers as padded text
        ("     128127360", 0, Decimal("128127360")),
        (135128260.0, 0, Decimal("135128260")),
        ("1,234", 0, Decimal("1234")),
        (44410.0, 0, Decimal("44410")),
        (0.1, 1, Decimal("0.1")),
    ],
)
def test_numbers_come_out_exactly_as_published(raw, scale, expected):
    cell = parse_cell(raw, scale=scale, markers=MARKERS)
    assert cell.status is Status.ESTIMATE
    assert cell.value == expected
    assert cell.value.as_tuple().exponent == -scale


def test_markers_keep_their_meaning_and_text():
    assert parse_cell(" # ", scale=2, markers=MARKERS) == parse_cell("#", scale=2, markers=MARKERS)
    top = parse_cell("#", scale=2, markers=MARKERS)
    assert (top.value, top.status, top.marker) == (None, Status.TOP_CODED, "#")
    assert parse_cell("***", scale=2, markers=MARKERS).status is Status.WITHDRAWN
    blank = parse_cell("   ", scale=2, markers=MARKERS)
    assert (blank.value, blank.status) == (None, Status.NOT_PUBLISHED)


def test_a_marker_not_declared_for_the_column_is_an_error():
    with pytest.raises(CellError, match="neither a number nor a declared marker"):
        parse_cell("**", scale=2, markers=MARKERS)


def test_text_in_a_numeric_column_is_an_error_naming_the_value():
    with pytest.raises(CellError, match="'n/a'"):
        parse_cell("n/a", scale=0, markers=MARKERS)


def test_more_digits_than_bls_publishes_is_not_a_bls_figure():
    with pytest.raises(ExcessPrecision):
        parse_cell(26665.600000000002, scale=0, markers=MARKERS)
    with pytest.raises(ExcessPrecision):
        parse_cell(21.355, scale=2, markers=MARKERS)


def test_text_and_flags():
    assert parse_text("  Chief Executives ") == "Chief Executives"
    assert parse_text(1997.0) == "1997"
    assert parse_flag("TRUE") is True and parse_flag("true") is True and parse_flag("") is False
    with pytest.raises(CellError):
        parse_flag("maybe")
