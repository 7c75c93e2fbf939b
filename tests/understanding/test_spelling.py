"""Spelling slips are mended toward our own words only (bot.understanding.spelling)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.understanding.spelling import SpellingMender

OURS = ["redundancy", "reliability", "customer", "service", "bandwidth", "relocation", "internet", "locations", "cheap",
        "cheaper"]


@pytest.fixture(scope="module")
def mender() -> SpellingMender:
    return SpellingMender(OURS, keep=["socal", "albuquerque"])


@pytest.mark.parametrize("slip, word", [("redundency", "redundancy"), ("reliablity", "reliability"),
                                        ("custmer", "customer"), ("servise", "service"), ("bandwidht", "bandwidth"),
                                        ("relocatoin", "relocation"), ("locatoins", "locations")])
def test_a_slip_one_edit_from_one_of_our_words_is_mended(mender: SpellingMender, slip: str, word: str) -> None:
    assert mender.mend_word(slip) == word


@pytest.mark.parametrize("word", [
    "sdwan",  # ours only in another form: left, not turned into "swan"
    "socal",  # a place
    "prices", "local",  # English words
    "cheapr",  # one edit from two of our words: which one is unknown
    "pri", "lte",  # too short to tell a slip
])
def test_words_that_are_left_as_typed(mender: SpellingMender, word: str) -> None:
    assert mender.mend_word(word) is None


def test_a_contraction_typed_without_its_apostrophe_is_left_as_typed() -> None:
    mender = SpellingMender(["whats", "where", "there"])
    assert mender.mend_word("thats") is None and mender.mend_word("theres") is None
    assert mender.mend_word("whare") == "where"  # a slip is still mended


def test_spans_are_given_in_the_text_as_typed(mender: SpellingMender) -> None:
    text = "the reliablity is bad, custmer servise worse, 3 locatoins"
    mended = mender.mend(text)
    assert mended.text == "the reliability is bad, customer service worse, 3 locations"
    for word in ("reliability", "customer service", "3 locations", "worse"):
        start = mended.text.index(word)
        s, e = mended.original_span(start, start + len(word))
        assert text[s:e] == {"reliability": "reliablity", "customer service": "custmer servise",
                             "3 locations": "3 locatoins", "worse": "worse"}[word]


@pytest.mark.parametrize("text", ["Custmer servise", "bob@custmer.com", "www.custmer.net"])
def test_capitalised_words_and_addresses_are_not_touched(mender: SpellingMender, text: str) -> None:
    mended = mender.mend(text)
    assert "Custmer" in mended.text or "custmer" in mended.text


def test_the_extractor_reads_through_slips(union: Any) -> None:
    found = {(e.entity, e.value, e.text) for e in union.extract("the reliablity is bad and 3 locatoins")}
    assert ("challenge", "reliability", "reliablity") in found
    assert ("num_locations", 3, "3 locatoins") in found


@pytest.mark.parametrize("text, count", [("2 synagouges and a school", 3), ("we have four libraires", 4),
                                         ("five dispensaires", 5)])
def test_a_slip_in_a_noun_of_sites_still_counts_the_sites(union: Any, text: str, count: int) -> None:
    # site nouns need not be in the training phrases to be mended toward
    assert {e.value for e in union.extract(text) if e.entity == "num_locations"} == {count}


def test_a_place_name_is_reached_by_a_letter_missing_or_swapped_never_by_one_changed() -> None:
    mender = SpellingMender(["houston", "phoenix", "seattle", "invoice"], not_toward=["houston", "phoenix", "seattle"])
    assert mender.mend_word("pheonix") == "phoenix"      # swapped
    assert mender.mend_word("seatle") == "seattle"       # missing
    assert mender.mend_word("houlton") is None           # changed: a town of its own, not a slip
    assert mender.mend_word("invoise") == "invoice"      # other words of ours as before
