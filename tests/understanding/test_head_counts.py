"""A head count said as the owner plus their staff (bot.understanding.owner_head_counts): the
staff plus the people named, whatever the trade's noun; sites, things and the people a business
serves are no staff. The extractor and the reply to the head-count question read one number."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation.answer_parsing import parse_answer
from bot.domain.catalog import load_default_catalog
from bot.understanding.extraction import EMPLOYEES, NUM_LOCATIONS, Extractor
from bot.understanding.owner_head_counts import owner_and_staff, words_of


def _values(extractor: Extractor, text: str, entity: str) -> set[Any]:
    return {e.value for e in extractor.extract(text) if e.entity == entity and not e.negated}


def _answer(text: str) -> Any:
    return parse_answer("employees", text, None, load_default_catalog()).value


OWNER_AND_STAFF = [
    ("me plus 5 welders", 6),
    ("it's only me and 11 servers at night", 12),  # "servers" of a restaurant: people here
    ("just me and 4 groomers", 5),
    ("me and 2 part-time bookkeepers", 3),
    ("me + 3 installers", 4),
    ("my husband, me and 8 line cooks", 10),
    ("me and my sister plus 2 florists", 4),
    ("my business partner and I plus 6 tutors", 8),
    ("the three of us and a dozen movers", 15),
    ("both of us and 3 pharmacists", 5),
    ("me and 3 or 4 landscapers depending on the season", 5),  # a range counts at its top
    ("me and 2 of my nephews", 3),
    ("me and 6 others", 7),
    ("me and 4 employees", 5),  # a people noun of the matcher: the owner is one more
    ("me, 2 mechanics plus 2 detailers", None),  # no joiner right after "me": not this construction
]


@pytest.mark.parametrize("text, count", OWNER_AND_STAFF)
def test_owner_plus_staff_is_one_head_count(rules: Extractor, text: str, count: Any) -> None:
    if count is None:
        assert owner_and_staff(words_of(text)) is None
        return
    assert _values(rules, text, EMPLOYEES) == {count}


@pytest.mark.parametrize("text, count", [(t, c) for t, c in OWNER_AND_STAFF if c is not None])
def test_reply_to_the_head_count_question_reads_the_same_number(text: str, count: int) -> None:
    assert _answer(text) == count


def test_more_staff_after_the_first_count_add_up(rules: Extractor) -> None:
    assert _values(rules, "me plus 3 roofers and 2 estimators", EMPLOYEES) == {6}
    assert _answer("me plus 3 roofers and 2 estimators") == 6


def test_a_sentence_around_the_construction(rules: Extractor) -> None:
    text = "We run a food truck out of Boise, just me and 3 line cooks, and the hotspot keeps dropping"
    assert _values(rules, text, EMPLOYEES) == {4}


@pytest.mark.parametrize(
    "text",
    [
        "me and 2 box trucks",  # things
        "just me and 3 laptops",
        "me and 2 more vans",
        "me and 45 kids at the daycare",  # the people served
        "me and 30 clients",
        "me and 3 dogs",
        "me and 2 years of contracts",  # a measure
        "can you help me with 2 quotes",  # "with" joins no staff
        "email me and 3 days later nothing",
    ],
)
def test_things_people_served_and_measures_are_no_head_count(rules: Extractor, text: str) -> None:
    assert _values(rules, text, EMPLOYEES) == set()


@pytest.mark.parametrize("text, sites", [("me and 3 salons", 3), ("just me and 2 bakeries", 2)])
def test_sites_after_me_stay_sites(rules: Extractor, text: str, sites: int) -> None:
    assert _values(rules, text, EMPLOYEES) == set()
    assert _values(rules, text, NUM_LOCATIONS) == {sites}


def test_maine_in_capitals_is_no_speaker(rules: Extractor) -> None:
    assert owner_and_staff(words_of("a yard in Bangor, ME and 6 drivers")) is None


def test_a_count_of_things_is_no_answer_to_the_head_count_question() -> None:
    assert _answer("me and 2 trucks") is None
    assert _answer("10 trucks, 30 drivers") == 30


# "<number> of us" in a message is the whole team, unless the words around it make it a case
# or a part of the team doing something (bot.understanding.count_patterns.counts_the_team).
OF_US = [
    ("hey, small insurance office, roughly 9 of us, one location in tulsa", 9),
    ("there are like 40 of us across both warehouses", 40),
    ("all 18 of us", 18),
    ("it's just a couple of us these days", 2),
    ("we're maybe 25 of us total", 25),
    ("when 4 of us hop on video the connection chokes", None),
    ("the upload dies if more than 3 of us are on calls", None),
    ("only 5 of us work at the front desk", None),
    ("6 of us share one printer", None),
]


@pytest.mark.parametrize("text, count", OF_US)
def test_so_many_of_us_is_the_head_count(rules: Extractor, text: str, count: Any) -> None:
    assert _values(rules, text, EMPLOYEES) == ({count} if count is not None else set())


@pytest.mark.parametrize("text, count", [
    ("just me", 1),
    ("only me for now", None),  # "for" is no filler: more than people named
    ("me and my husband", 2),
    ("my business partner and I", 2),
    ("honestly it's just me and my daughter", 2),
    ("the four of us", 4),
    ("us", None),
    ("help me", None),
])
def test_a_reply_naming_only_the_owner_and_family_is_the_head_count(text: str, count: Any) -> None:
    assert _answer(text) == count


# A head count said in parts adds up (the annotation guide's total head count), in a message
# and in the reply to the head-count question alike; things and sites after it are no staff.
IN_PARTS = [
    ("we have 14 full-time employees and 3 part-timers", 17),
    ("roughly 25 employees plus 8 drivers", 33),
    ("60 employees and 5 trucks", 60),
    ("30 staff and 2 offices", 30),
]


@pytest.mark.parametrize("text, count", IN_PARTS)
def test_a_head_count_in_parts_adds_up(rules: Extractor, text: str, count: int) -> None:
    assert _values(rules, text, EMPLOYEES) == {count}


@pytest.mark.parametrize("text, count", IN_PARTS + [("9 full time and 2 part time", 11)])
def test_the_head_count_reply_in_parts_adds_up(text: str, count: int) -> None:
    assert _answer(text) == count


@pytest.mark.parametrize("text, employees", [
    ("a charter school with about 45 teachers and staff", [45]),  # the trade's word for its people
    ("we run 60 drivers and 15 dispatchers", [75]),  # parts add up
    ("11 attorneys + 5 staff", [16]),
    ("9 stylists plus staff", []),  # a part of the head count, the rest uncounted
    ("about 70 nurses... well, 95 people all in", [95]),  # the count said to be everyone
    ("Comcast sent 2 techs out and neither could fix it", []),  # the carrier's people, not staff
])
def test_head_counts_in_the_trades_words(union: Any, text: str, employees: list[Any]) -> None:
    assert [e.value for e in union.extract(text) if e.entity == "employees"] == employees
