"""A changed earlier answer is said back in plain words; first answers and removals are not."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation.acknowledge import describe_changes, describe_told_instead


@pytest.mark.parametrize(
    "before, changes, said",
    [
        ({"num_locations": 3.0}, {"num_locations": 4.0}, ["4 sites"]),
        ({"num_locations": 3.0}, {"num_locations": 1.0}, ["1 site"]),
        ({"city": "Seattle", "states": ["WA"]}, {"city": "Tacoma"}, ["main office in Tacoma"]),
        ({"states": ["OR", "WA"]}, {"states": ["OR", "WA", "ID"]}, ["sites in Oregon, Washington and Idaho"]),
        ({"services": ["pri"]}, {"services": ["pri", "sip"]}, ["PRI phone trunks and SIP trunks"]),
        ({"employees": 40.0}, {"employees": 25.0}, ["25 employees"]),
        ({"current_carrier": "AT&T"}, {"current_carrier": "Lumen"}, ["Lumen as your current carrier"]),
        ({"contract_end": "2027-03"}, {"contract_end": "2027-06-30"}, ["contract ending June 30, 2027"]),
        ({"num_locations": 3.0, "city": "Seattle"}, {"num_locations": 4.0, "city": "Tacoma"},
         ["main office in Tacoma", "4 sites"]),
    ],
)
def test_changed_answers_are_said_back(before: dict[str, Any], changes: dict[str, Any], said: list[str]) -> None:
    assert describe_changes(before, changes) == said


@pytest.mark.parametrize(
    "before, changes",
    [
        ({}, {"num_locations": 3.0}),                      # a first answer
        ({"city": "Seattle"}, {"city": None}),             # a removal ("not Seattle")
        ({"num_locations": 3.0}, {"num_locations": 3.0}),  # nothing new
        ({"challenges": ["high_cost"]}, {"challenges": ["high_cost", "poor_support"]}),  # not echoed
        ({"requested_slot": "states"}, {"requested_slot": "services"}),
    ],
)
def test_nothing_is_said_for_first_answers_removals_or_no_change(before: dict[str, Any],
                                                                  changes: dict[str, Any]) -> None:
    assert describe_changes(before, changes) == []


@pytest.mark.parametrize(
    "before, changes, asked, said",
    [
        ({}, {"challenges": ["high_cost", "reliability"], "employees": 12.0}, "services",
         ["12 employees", "the cost and the outages"]),
        ({"city": "Dayton"}, {"city": "Dayton", "num_locations": 3.0}, "employees", ["3 sites"]),
        ({}, {"services": ["dia"], "challenges": ["high_cost"]}, "services", []),  # the question answered
        ({}, {"challenges": ["high_cost"]}, None, []),  # no question asked: the first message
        ({"challenges": ["bandwidth"]}, {"challenges": ["bandwidth", "high_cost"]}, "services", []),  # not a first answer
    ],
)
def test_first_answers_told_instead_of_the_one_asked_are_said_back(
        before: dict[str, Any], changes: dict[str, Any], asked: Any, said: list[str]) -> None:
    assert describe_told_instead(before, changes, asked) == said
