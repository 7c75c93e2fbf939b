"""A customer who doesn't know the service names asks what the options of "do you mean A or
B?" are: the question comes again at once, each option said in plain words, with the same
buttons; then a pick in their own words ("the cheaper one") answers it. Multi-turn, through the
real actions (tests/dialogue/form_loop.py); the answer parser routes the question to the form
whatever the classifier says (bot/conversation/answer_parsing.plain_answer)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation.answer_parsing import plain_answer
from bot.domain.catalog import load_default_catalog
from bot.domain.wording import load_plan_wording
from tests.dialogue.form_loop import Conversation

pytestmark = pytest.mark.usefixtures("env")

BOISE_INTERNET = {"text": "a dental office in Boise, we need internet", "entities": [
    {"entity": "city", "value": "Boise"}, {"entity": "us_state", "value": "ID"}]}


async def _which_internet_asked(sender: str, domain: dict) -> Conversation:
    conv = Conversation(sender, domain)
    turn = await conv.say(**BOISE_INTERNET)
    [question] = turn.questions
    assert question.action == "action_ask_services" and "internet" in question.text
    return conv


@pytest.mark.parametrize("text", ["what's the difference?", "which one do we need?", "no idea which, what do you recommend"])
async def test_asking_what_the_options_are_explains_them_with_the_same_buttons(domain: dict, text: str) -> None:
    conv = await _which_internet_asked(f"explain-{len(text)}", domain)
    turn = await conv.say(text, "inform")
    [question] = turn.questions
    assert question.action == "action_ask_services"  # asked again now, not after the count
    descriptions = load_plan_wording().service_descriptions
    assert descriptions["dia"] in question.text and descriptions["broadband"] in question.text
    assert [b["title"] for b in question.buttons] == ["Dedicated internet", "Business broadband"]
    assert not any("need that one" in m.text for m in turn.messages)  # no "I need that one"


async def test_a_pick_in_the_customers_words_after_the_explanation_answers_it(domain: dict) -> None:
    conv = await _which_internet_asked("explain-pick", domain)
    await conv.say("what's the difference?", "inform")
    turn = await conv.say("the cheaper one", "inform")
    assert conv.slots["services"] == ["broadband"]
    assert [q.action for q in turn.questions] == ["action_ask_num_locations"]


def test_the_question_about_the_options_is_an_answer_only_while_one_was_asked() -> None:
    catalog = load_default_catalog()
    assert plain_answer("needs_form", "services", "what's the difference?", catalog, choice_asked=True)
    # no which-one question open: an FAQ question like any other
    assert not plain_answer("needs_form", "services", "what's the difference?", catalog, choice_asked=False)
    assert not plain_answer("needs_form", "num_locations", "what's the difference?", catalog, choice_asked=True)


def test_a_pick_in_the_customers_words_is_an_answer_whatever_the_classifier_says() -> None:
    # "the old copper kind" to "which phones?" had been out of scope at 0.93 (a fresh-clone walk)
    from bot.conversation.clarify import Clarification

    catalog = load_default_catalog()
    phones = [Clarification("phones", ("pots", "ucaas", "sip", "pri"), asked=1)]
    assert plain_answer("needs_form", "services", "the old copper kind", catalog, open_choices=phones)
    assert not plain_answer("needs_form", "services", "how are you paid?", catalog, open_choices=phones)
    # a which-one not yet asked is no question to answer
    assert not plain_answer("needs_form", "services", "the old copper kind", catalog,
                            open_choices=[Clarification("phones", ("pots", "ucaas", "sip", "pri"))])
