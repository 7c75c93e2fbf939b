"""Places typed all in lowercase (bot.understanding.place_context): two-letter state codes
where a place goes, towns that are also English words right before their state or listed with
towns of that state, and the everyday words, names and company names that stay what they are."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation.answer_parsing import parse_answer
from bot.domain.catalog import load_default_catalog
from bot.understanding.validators import validate_states


def _places(extractor: Any, text: str) -> tuple[set[str], set[str]]:
    entities = [e for e in extractor.extract(text) if not e.negated]
    return ({e.value for e in entities if e.entity == "city"}, {e.value for e in entities if e.entity == "us_state"})


# ---- 1. a lowercase state code where a place goes ----------------------------------------------


@pytest.mark.parametrize("text, states", [
    ("we've got 2 salons in nv", {"NV"}),  # after "in"
    ("five branches, fl", {"FL"}),  # closing the clause after a comma
    ("our clinics are across ga, al and sc", {"GA", "AL", "SC"}),  # a list after "across"
    ("a warehouse in ks and a depot in ok.", {"KS", "OK"}),  # a word code closing the clause
    ("we cover ky and tn", {"KY", "TN"}),  # two codes that are no words, joined
    ("we're in pa", {"PA"}),
    ("ALL 6 OF OUR STORES ARE IN NM", {"NM"}),  # typed in capitals throughout
])
def test_a_lowercase_code_where_a_place_goes_is_a_state(union: Any, text: str, states: set[str]) -> None:
    assert _places(union, text) == (set(), states)


def test_a_code_after_a_town_of_its_state_qualifies_the_town(union: Any) -> None:
    assert _places(union, "the shop is in lawton ok") == ({"Lawton"}, {"OK"})


@pytest.mark.parametrize("text, states", [
    ("stuck in traffic, ok", set()),  # a word code after a comma is the word
    ("we're in tx, me and my brother run it", {"TX"}),  # "me" does not go on with the list
    ("interested in sd wan at 3 sites", set()),  # a term, not South Dakota
    ("ping in ms is awful at the store", set()),  # a unit
    ("all of them in ne ohio", {"OH"}),  # a direction
    ("we are in or near the mall", set()),
    ("we're in co-op space downtown", set()),
])
def test_a_lowercase_code_that_is_a_word_there_is_no_state(union: Any, text: str, states: set[str]) -> None:
    assert _places(union, text)[1] == states


# ---- 2. a lowercase town that is also a word -----------------------------------------------------


@pytest.mark.parametrize("text, city, state", [
    ("a taproom in temple tx", "Temple", "TX"),  # right before its state's code
    ("one shop in sandy utah", "Sandy", "UT"),  # right before its state's name
    ("the new yard is in pueblo, co.", "Pueblo", "CO"),  # a word code closing the clause
])
def test_a_town_that_is_a_word_right_before_its_state_is_a_town(union: Any, text: str, city: str, state: str) -> None:
    cities, states = _places(union, text)
    assert city in cities and state in states


@pytest.mark.parametrize("text, city", [
    ("our gyms are in scottsdale and mesa", "Mesa"),
    ("we have offices in killeen, temple and waco", "Temple"),
])
def test_a_town_that_is_a_word_listed_with_towns_of_its_state_is_a_town(union: Any, text: str, city: str) -> None:
    assert city in _places(union, text)[0]


# ---- 3. what stays out ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "nice view of the mesa from our patio",  # the word, with no state around it
    "we can bend a little on price",
    "I'm Austin, we run 3 bakeries",  # a person's name
    "Sandy Creek Veterinary has 2 clinics",  # inside a company's name
    "bend or snap, the cable is bad",  # a word code that does not close the clause
    "the mesa and the canyon behind the store",
])
def test_words_names_and_company_names_are_no_towns(union: Any, text: str) -> None:
    assert _places(union, text)[0] == set()


def test_a_town_not_in_the_state_the_customer_names_is_left_out(union: Any) -> None:
    # no Aurora in New Mexico: the state named wins, no Aurora of another state
    assert _places(union, "the office is in aurora nm") == (set(), {"NM"})
    # no Mesa in Texas: a word town needs its own state
    assert "Mesa" not in _places(union, "mesa tx")[0]
    # a town listed with towns of another state is the word
    assert _places(union, "phoenix and bend")[0] == {"Phoenix"}


# ---- the states answer ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, codes", [
    ("we're in tx and ok", ["TX", "OK"]),
    ("nv, ok and nm", ["NV", "OK", "NM"]),
    ("4 in az", ["AZ"]),
    ("in tx, me and my partner", ["TX"]),
])
def test_the_states_answer_reads_lowercase_codes_in_a_list(text: str, codes: list[str]) -> None:
    assert validate_states(text).value == codes
    assert parse_answer("states", text, None, load_default_catalog()).value == codes
