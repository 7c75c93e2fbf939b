"""Slot values as numbers: what the scorer, the lead store and slot updates agree on."""

import math

import pytest

from bot.domain.profile import CustomerProfile, as_int


@pytest.mark.parametrize(
    "value, expected",
    [
        (3, 3),
        (3.0, 3),
        ("4", 4),
        ("4.0", 4),
        (None, None),
        (True, None),  # a boolean is not a count
        ("three", None),
        ("", None),
        ([3], None),
        (math.inf, None),
        (-math.inf, None),
        (math.nan, None),
        ("1e400", None),  # overflows to inf
    ],
)
def test_as_int_accepts_only_finite_numbers(value, expected):
    assert as_int(value) == expected


def test_profile_from_slots_ignores_numbers_that_are_not_finite():
    profile = CustomerProfile.from_slots({"num_locations": math.inf, "employees": "25"})
    assert profile.num_locations is None
    assert profile.employees == 25
