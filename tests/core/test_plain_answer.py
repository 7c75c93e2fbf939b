"""When a message is a plain answer to the question just asked, so the Rasa server may skip the
intent classifier for it (bot/conversation/answer_parsing.plain_answer)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.conversation.answer_parsing import plain_answer
from bot.domain.catalog import load_default_catalog

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("form, slot, text", [
    ("needs_form", "num_locations", "3"),
    ("needs_form", "services", "phones and wifi for the guests"),  # a which-one question follows
    ("needs_form", "num_locations", "a couple"),
    ("needs_form", "states", "Ohio"),
    ("needs_form", "states", "97201"),
    ("needs_form", "employees", "about 40 people"),
    ("needs_form", "contract_end", "March 2027"),
    ("contact_form", "contact_name", "Rosa Delgado"),
    ("contact_form", "email", "rosa@delgado-fabrication.biz"),
    ("contact_form", "phone", "503 555 0144"),
    ("needs_form", "current_carrier", "Frontier"),
    ("needs_form", "current_carrier", "we've got frontier i'm pretty sure"),  # hedged, lowercase
    ("needs_form", "current_carrier", "not sure, probably windstream"),
])
def test_answers_the_parser_takes_are_plain(form: str, slot: str, text: str) -> None:
    assert plain_answer(form, slot, text, load_default_catalog(), TODAY)


@pytest.mark.parametrize("form, slot, text", [
    ("needs_form", "num_locations", "what is a CLEC?"),  # a question
    ("contact_form", "contact_name", "can I talk to a person"),  # a request for a person
    ("contact_form", "contact_name", "/human_handoff"),  # a button
    ("needs_form", "challenges", "skip"),  # a skip: the classifier decides skip or deny
    ("needs_form", "num_locations", "lots"),  # the parser takes no value
    ("contact_form", "email", "not telling"),
    (None, "num_locations", "3"),  # no form asking
    ("needs_form", None, "3"),  # no question asked
    ("needs_form", "num_locations", ""),
    ("needs_form", "current_carrier", "is frontier any good"),  # a question naming a carrier
    ("needs_form", "current_carrier", "what do you think of spectrum?"),
    ("needs_form", "current_carrier", "cox or maybe charter, I forget"),  # two carriers: not one answer
    ("needs_form", "current_carrier", "no idea"),
    ("contact_form", "contact_name", "x" * 150),  # long: left to the whole pipeline
])
def test_everything_else_goes_to_the_classifier(form: str | None, slot: str | None, text: str) -> None:
    assert not plain_answer(form, slot, text, load_default_catalog(), TODAY)
