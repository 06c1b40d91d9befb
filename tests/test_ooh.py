"""The quick-facts pay rules, on hand-made rows."""

from decimal import Decimal

from occstats.ooh import _pay

EP = {
    "base_year": 2010,
    "target_year": 2020,
    "soc_code": "25-1000",
    "median_wage_status": "estimate",
    "median_wage_annual": Decimal("64850"),
    "median_wage_bound": None,
    "median_wage_year": 2010,
}


def test_pay_comes_from_the_oes_release_of_the_base_year_and_names_it():
    notes: list[str] = []
    oes = {
        "annual": (Decimal("32350"), "estimate", None),
        "hourly": (Decimal("15.55"), "estimate", None),
        "sha": "a" * 64,
        "month": 5,
    }
    pay = _pay({**EP, "soc_code": "29-2071"}, oes, notes)
    assert (pay["median_pay_annual"], pay["median_pay_hourly"], pay["median_pay_release"]) == (
        Decimal("32350"),
        Decimal("15.55"),
        "OES May 2010",
    )
    assert notes == []


def test_not_released_hourly_pay_is_said_not_hidden():
    notes: list[str] = []
    oes = {
        "annual": (Decimal("51380"), "estimate", None),
        "hourly": (None, "not_released", None),
        "sha": "a" * 64,
        "month": 5,
    }
    pay = _pay(EP, oes, notes)
    assert pay["median_pay_hourly_status"] == "not_released"
    assert notes == ["hourly median pay: not released in OES May 2010"]


def test_without_an_oes_figure_the_ep_workbook_wage_is_used_and_named():
    notes: list[str] = []
    pay = _pay(EP, None, notes)
    assert (pay["median_pay_annual"], pay["median_pay_release"], pay["median_pay_hourly_status"]) == (
        Decimal("64850"),
        "EP 2010-20 workbook",
        "not_published",
    )
    assert "has no national figure for 25-1000" in notes[0]
    notes = []
    pay = _pay({**EP, "median_wage_year": 2016}, None, notes)
    assert "that wage is for 2016, not the cycle's base year 2010" in notes


def test_nothing_anywhere_says_so():
    notes: list[str] = []
    pay = _pay({**EP, "median_wage_status": "not_available", "median_wage_annual": None}, None, notes)
    assert pay["median_pay_annual"] is None and pay["median_pay_annual_status"] == "not_available"
    assert "publishes none" in notes[0]


def test_oes_code_is_matched_by_definition_not_by_code():
    from occstats.ooh import oes_code_for

    # Declared: EP 2012-22's 25-3099 (substitute teachers included) is OES's broad group 25-3090.
    code, why = oes_code_for(2012, "25-3099", {"25-3090", "25-3098", "25-3099"}, {"25-3099"})
    assert code == "25-3090" and "25-3090" in why
    # Undeclared, but OES publishes a declared part of the code apart: its own code is narrower.
    code, why = oes_code_for(2018, "25-3099", {"25-3097", "25-3098", "25-3099"}, {"25-3099"})
    assert code is None and "25-3097, 25-3098" in why
    # The EP cycle publishing the parts itself: nothing was split off its line item.
    assert oes_code_for(2018, "25-3099", {"25-3098", "25-3099"}, {"25-3098", "25-3099"}) == ("25-3099", None)
    assert oes_code_for(2024, "29-2072", {"29-2072"}, {"29-2072"}) == ("29-2072", None)
