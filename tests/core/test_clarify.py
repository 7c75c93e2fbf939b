"""Broad words ("internet") get a which-one question; recognised phrases and answered ones don't."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.clarify import (Clarification, asks_about_the_options, clarification_question, options_explained,
                                      unclear_mentions, unclear_service_questions)
from bot.domain.wording import load_plan_wording
from bot.understanding.vocabulary import load_vocabulary
from bot.base.yamldata import DataFileError


def test_internet_beside_a_known_service_is_asked_about() -> None:
    [question] = unclear_service_questions("we need SIP and internet", [(8, 11)], ["sip"])
    assert '"internet"' in question.text
    assert "dedicated internet or business broadband" in question.text
    assert [b["payload"] for b in question.buttons] == ['/inform{"service": "dia"}',
                                                      '/inform{"service": "broadband"}']
    assert [b["title"] for b in question.buttons] == ["Dedicated internet", "Business broadband"]


@pytest.mark.parametrize(
    "text, covered, known",
    [
        ("fiber internet please", [(0, 14)], ["dia"]),          # a phrase of dia covers the word
        ("4G backup internet", [(0, 18)], ["wireless_backup"]),  # a phrase of another service
        ("internet and broadband", [(13, 22)], ["broadband"]),  # one of its meanings is known
        ("we need SIP trunks", [(8, 18)], ["sip"]),              # no broad word at all
        ("international offices", [], []),                       # a word, not a substring
    ],
)
def test_no_question_when_the_word_is_clear(text: str, covered: list, known: list) -> None:
    assert unclear_service_questions(text, covered, known) == []


def _spans(text: str, *phrases: str) -> list[tuple[int, int]]:
    return [(text.index(p), text.index(p) + len(p)) for p in phrases]


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("our internet went down twice this week", "went down"),
        ("the internet is slow as molasses", "internet is slow"),
        ("lost internet for three days in march, nobody called back", "lost internet for three days"),
    ],
)
def test_internet_in_a_complaint_is_no_need(text: str, complaint: str) -> None:
    assert unclear_service_questions(text, [], [], complaints=_spans(text, complaint)) == []


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("we need internet and the bill is too high", "bill is too high"),   # another clause complains
        ("the internet keeps dropping so we need new internet", "keeps dropping"),  # wanted as well
        ("looking for faster internet, ours is slow", "ours is slow"),
    ],
)
def test_internet_asked_for_beside_a_complaint_is_still_asked_about(text: str, complaint: str) -> None:
    assert len(unclear_service_questions(text, [], [], complaints=_spans(text, complaint))) == 1


def test_what_follows_that_describes_the_word_and_a_bare_clause_lists_it() -> None:
    # "that doesn't drop" describes the internet wanted; "plus phones." adds phones to the list,
    # though the classifier read the whole message as a complaint
    text = "internet that doesn't drop every afternoon like ours does. plus phones."
    words = [c.word for c in unclear_mentions(text, [], [], complaints=[(0, len(text))], answering_services=True)]
    assert words == ["internet", "phones"]
    assert unclear_mentions("we don't need internet there", [], []) == []  # a negation before it still rules it out


def test_case_and_position_do_not_matter() -> None:
    assert len(unclear_service_questions("INTERNET. that's all", [], [])) == 1


def test_a_bad_unclear_entry_names_the_file_and_line(tmp_path: Path) -> None:
    source = Path(load_vocabulary().path).read_text()
    bad = source.replace("  internet: [dia, broadband]", "  internet: [dia, cable_tv]")
    assert bad != source
    path = tmp_path / "vocabulary.yml"
    path.write_text(bad)
    with pytest.raises(DataFileError) as error:
        load_vocabulary(path)
    line = next(i for i, text in enumerate(bad.splitlines(), 1) if "cable_tv" in text)
    assert str(path) in str(error.value) and f":{line}" in str(error.value)


def test_a_pending_question_is_resolved_by_one_of_its_services() -> None:
    from bot.conversation.clarify import Clarification, read_pending, update_pending

    internet = Clarification("internet", ("dia", "broadband"))
    assert update_pending([], [internet], ["sip"]) == [internet]
    assert update_pending([internet], [internet], ["sip"]) == [internet]  # once per word
    assert update_pending([internet], [], ["sip", "broadband"]) == []
    assert read_pending([internet.to_slot(), {"bad": 1}, None]) == [internet]
    assert read_pending("garbage") == []


@pytest.mark.parametrize("reply, code", [("the dedicated one", "dia"), ("broadband please", "broadband"),
                                         ("internet", None), ("both", None), ("dedicated internet", "dia"),
                                         # choice words (vocabulary.yml): the kind described
                                         ("just the standard stuff, nothing fancy", "broadband"),
                                         ("whatever's cheapest", "broadband"),
                                         ("a premium line with an SLA", "dia"),
                                         ("the basic premium one", None)])  # words for both
def test_a_free_text_reply_picks_an_option(reply: str, code: object) -> None:
    from bot.conversation.clarify import Clarification, chosen_option

    assert chosen_option(reply, Clarification("internet", ("dia", "broadband"))) == code


# "phones" and "wifi" name no product either; they are also said in passing, so they are asked
# about only when wanted or given as the answer to the services question.
@pytest.mark.parametrize("text, answering, words", [
    ("landlines plus wifi for the waiting room", True, ["wifi"]),
    ("we'd want phones at both counters", False, ["phones"]),
    ("phones, and wifi for the customers", True, ["wifi", "phones"]),
    ("the phones at the front desk are ancient", False, []),        # said in passing
    ("our guest wifi is fine, no complaints", False, []),
    ("phones are handled already by our parent company", True, []),  # ruled out
    ("do you also handle staff cell phones?", True, []),             # no service we quote
    ("voip phones for the team", True, []),                          # a recognised phrase
    # "phone" alone, as in "phone and internet", when wanted; once for "phone service"
    ("we'll need phone and wifi at the new clinic", False, ["wifi", "phone"]),
    ("we want phone service at both yards", False, ["phone service"]),
    ("we need the phone bill to come down", False, []),              # the bill, not a phone
    ("the phone guy said the wiring is old", False, []),             # said in passing
    # a wish said as what is to change: "sort out", "set up", "replace"
    ("hoping you can sort out phones for the new office", False, ["phones"]),
    ("time to replace the phone setup at the shop", False, ["phone"]),
])
def test_phones_and_wifi_are_asked_about_when_wanted(text: str, answering: bool, words: list) -> None:
    from bot.conversation.clarify import unclear_mentions
    from bot.understanding.extraction import build_default_extractor

    covered = [(e.start, e.end) for e in build_default_extractor().extract(text) if e.entity == "service"]
    assert [c.word for c in unclear_mentions(text, covered, [], answering_services=answering)] == words


@pytest.mark.parametrize("reply, code", [("the old copper landlines", "pots"), ("hosted, in the cloud", "ucaas"),
                                         ("trunks into our own pbx", "sip"), ("a couple of PRIs", "pri"),
                                         ("not sure", None)])
def test_a_reply_picks_the_kind_of_phones(reply: str, code: object) -> None:
    from bot.conversation.clarify import Clarification, chosen_option

    assert chosen_option(reply, Clarification("phones", ("pots", "ucaas", "sip", "pri"))) == code


def test_which_to_ask_keeps_to_the_question_seen_until_it_was_asked_twice() -> None:
    from bot.conversation.clarify import Clarification, which_to_ask

    internet, phones = Clarification("internet", ("dia", "broadband")), Clarification("phones", ("pots", "ucaas"))
    assert which_to_ask([internet, phones]).word == "internet"  # none asked: the first said
    assert which_to_ask([phones, Clarification("internet", ("dia", "broadband"), asked=1)]).word == "internet"
    assert which_to_ask([Clarification("phones", ("pots",), asked=2), internet]).word == "internet"


# ---- "what's the difference?" asked of a which-one question --------------------------------------


@pytest.mark.parametrize("text", ["whats the difference?", "which one should we get", "idk which", "what do you recommend",
                                  "which is cheaper", "what do those mean", "not sure which one", "help me choose"])
def test_questions_about_the_options(text: str) -> None:
    assert asks_about_the_options(text)


@pytest.mark.parametrize("text", ["the dedicated one", "cheapest", "no idea", "idk", "both", "cloud please",
                                  "we need the regular kind"])
def test_picks_and_skips_are_no_questions_about_the_options(text: str) -> None:
    assert not asks_about_the_options(text)


def test_every_option_is_explained_in_the_plan_wording() -> None:
    descriptions = load_plan_wording().service_descriptions
    for word, codes in load_vocabulary().unclear_services.items():
        asked = Clarification(word, tuple(codes), asked=1)
        explained = options_explained(asked)
        assert all(descriptions[code] in explained.text for code in codes), word
        assert explained.buttons == clarification_question(asked).buttons
