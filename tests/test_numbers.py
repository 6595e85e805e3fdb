"""One number formatter: pages write 4,5; what a person types into a data file is quoted as 4.5."""

from __future__ import annotations

import math

import pytest

from site_builder.numbers import as_typed, megabytes, number, thousands


@pytest.mark.parametrize(
    "value, shown",
    [
        (4.5, "4,5"),
        (5.0, "5"),
        (5, "5"),
        (4.25, "4,25"),
        (4.333, "4,33"),
        (0.1 + 0.2, "0,3"),
        (-0.001, "0"),
        (None, "—"),
        (math.nan, "—"),
    ],
)
def test_pages_show_the_decimal_comma_to_two_places(value, shown):
    assert number(value) == shown


@pytest.mark.parametrize("value, shown", [(4.5, "4.5"), (4.0, "4"), (4, "4"), (4.333, "4.333"), (-1, "-1")])
def test_data_values_are_quoted_as_typed(value, shown):
    assert as_typed(value) == shown


def test_every_digit_with_a_comma_for_percentages():
    assert number(89.99, places=None) == "89,99"


def test_thousands_and_megabytes():
    assert thousands(12345678) == "12.345.678"
    assert megabytes(1048576) == "1,0" and megabytes(1048577) == "1,1"  # never shows an oversize file as the limit


def test_dates_are_written_day_first():
    import datetime as dt

    from site_builder.numbers import day

    assert day(dt.date(2023, 10, 6)) == "06/10/2023"
    assert day(dt.datetime(2024, 1, 19, 8, 30)) == "19/01/2024"
    assert day(None) == "—"


def test_pages_may_ask_for_nothing_instead_of_a_dash():
    """Unit pages write `num(value, "")`: the second argument is what to show for no number."""
    assert number(None, "") == "" and number(7.5, "") == "7,5"


def test_the_pages_filter_remembers_what_number_writes():
    """pages.py remembers formatted values (1.8 million on a national build's unit pages): equal
    values of other types (1, 1.0, True) share an entry, so each must write what `number` writes."""
    from decimal import Decimal

    from site_builder.website.pages import page_number

    values = [4.5, 5, 5.0, True, Decimal("4.50"), -0.0, 0.0, 0.1 + 0.2, 4.333, None, math.nan, float("nan")]
    for empty in ("—", ""):
        for value in values + values:  # the second time from memory
            assert page_number(value, empty) == number(value, empty), (value, empty)
