"""Which messages read as a question or a request for a person (bot/conversation/digressions.py):
the check that lets an answer outrank a confident classifier."""

from __future__ import annotations

import pytest

from bot.conversation.digressions import asks_for_a_person_among_facts, asks_something, is_digression, negated_before


@pytest.mark.parametrize("text", [
    "what's a CLEC", "is this a bot?", "Why do you need my phone number", "a real human please",
    "connect me to an agent", "can someone call me back", "I can't do this anymore, get me a person",
    "/human_handoff", "tell me what SD-WAN is", "how does this work",
])
def test_questions_and_requests_for_a_person_ask_something(text: str) -> None:
    assert asks_something(text)


@pytest.mark.parametrize("text", [
    "Rosa Delgado", "rosa@delgado-fabrication.biz", "Delgado Fabrication LLC", "503 555 0144", "",
    "we can never reach a human over there", "can never get hold of a person at the phone company", "no person ever calls us back", "I don't want an agent",
    "   ", "🙂",
])
def test_answers_and_complaints_ask_nothing(text: str) -> None:
    assert not asks_something(text)


def test_an_answer_steps_out_only_for_a_confident_question_that_reads_as_one() -> None:
    assert not is_digression("faq", 0.99, "contact_name", False, "Rosa Delgado")
    assert is_digression("faq", 0.99, "contact_name", False, "what's a CLEC")
    assert not is_digression("faq", 0.5, "contact_name", False, "what's a CLEC")
    # no answer and not a free-text question: any digression intent steps out, as before
    assert is_digression("greet", 0.6, "num_locations", False, "hello")


@pytest.mark.parametrize("text, wanted", [
    ("spectum", False), ("atnt", False), ("the big one", False),  # misread answers to a question
    ("let me talk to sales", True), ("agent please", True), ("can you call me", True), ("/human_handoff", True),
])
def test_a_request_for_a_person_while_a_question_is_open_must_read_as_one(text: str, wanted: bool) -> None:
    assert is_digression("human_handoff", 0.9, "current_carrier", False, text) is wanted
    assert is_digression("human_handoff", 0.9, None, False, text)  # no question open: the classifier decides


@pytest.mark.parametrize("text, word, negated", [
    ("not windstream anymore", "windstream", True),
    ("we don’t use zayo", "zayo", True),  # a curly apostrophe too
    ("we never had cox", "cox", True),
    ("not sure, windstream", "windstream", False),  # the comma ends the negated clause
    ("no clue but probably zayo", "zayo", False),  # so does "but"
    ("zayo, not cox", "zayo", False),  # a negation after the word says nothing of it
    ("zayo, not cox", "cox", True),
])
def test_negated_before_looks_back_within_the_clause(text: str, word: str, negated: bool) -> None:
    assert negated_before(text, text.rindex(word)) is negated


@pytest.mark.parametrize("text, asks", [
    ("We're two bakeries in Salem OR on old copper lines. Could I speak with a real person?", True),
    ("3 warehouses, need fiber everywhere.\nPlease have someone call me this week.", True),
    ("Four dental offices in Utah. Connect me with one of your agents.", True),
    ("Four dental offices in Utah. We can never speak to a person at the phone company.", False),  # a complaint
    ("Four dental offices in Utah. Nobody at our carrier will call me back.", False),
    ("Four dental offices in Utah. Our team is 30 people.", False),
    ("can somebody call me", False),  # one sentence: the classifier's own intent decides
])
def test_a_request_for_a_person_among_facts(text: str, asks: bool) -> None:
    assert asks_for_a_person_among_facts(text) is asks
