"""Replies that don't answer the question, multi-turn, through the real actions
(tests/dialogue/form_loop.py): what happens after the second miss, answers that outrank the
classifier, one question a turn with "which internet?"."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.conversation.wording import default_copy
from tests.dialogue.form_loop import Conversation, payload_message

pytestmark = pytest.mark.usefixtures("env")

PORTLAND_SIP = {"text": "3 offices in Portland, need SIP", "entities": [
    {"entity": "num_locations", "value": 3}, {"entity": "city", "value": "Portland"},
    {"entity": "us_state", "value": "OR"}, {"entity": "service", "value": "sip", "start": 27, "end": 30}]}
ALL_NEEDS = PORTLAND_SIP["entities"] + [{"entity": "challenge", "value": "high_cost"}, {"entity": "employees", "value": 40},
                               {"entity": "carrier", "value": "Lumen"}, {"entity": "contract_end", "value": "2027-03"}]


def text_of(key: str) -> str:
    return default_copy().message(key).text


def asked(turn: Any) -> str:
    [question] = turn.questions
    return question.action.removeprefix("action_ask_")


async def test_an_optional_question_missed_twice_is_left_for_the_agent_with_a_note(domain: dict) -> None:
    conv = Conversation("optional", domain)
    assert asked(await conv.say(**PORTLAND_SIP)) == "challenges"
    first = await conv.say("the thing with the stuff", "inform")
    assert asked(first) == "challenges"  # asked again once
    second = await conv.say("you know, it's complicated", "out_of_scope", 0.6)
    assert asked(second) == "employees"  # not a third time: the next question
    assert text_of("noted_for_agent") in [m.text for m in second.messages]
    assert conv.slots["agent_notes"] == [
        'Challenges: "the thing with the stuff" / "you know, it\'s complicated"']
    assert "challenges" in conv.slots["skipped_slots"]


async def test_the_note_reaches_the_lead(domain: dict, env: dict) -> None:
    conv = Conversation("noted-lead", domain)
    await conv.say(**PORTLAND_SIP)
    await conv.say("meh", "inform")
    await conv.say("hard to say really", "inform")
    for _ in range(3):
        await conv.say("skip", "skip")
    assert "action_recommend" in conv.ran
    lead = env["store"].get("noted-lead")
    assert list(lead.agent_notes) == ['Challenges: "meh" / "hard to say really"']


async def test_a_required_question_missed_twice_offers_choices_then_an_agent(domain: dict) -> None:
    conv = Conversation("required", domain)
    await conv.say("we need SIP trunks", "inform", 0.9, [{"entity": "service", "value": "sip", "start": 8, "end": 18}])
    assert asked(await conv.say("Oregon", "inform", 0.9, [{"entity": "us_state", "value": "OR"}])) == "num_locations"
    assert asked(await conv.say("lots", "inform")) == "num_locations"
    choices = await conv.say("it varies", "inform")
    [question] = choices.questions
    assert question.text == text_of("choices_num_locations")
    assert [b["title"] for b in question.buttons] == ["1", "2–5", "6–20", "More than 20", "Talk to a person"]
    given_up = await conv.say("whatever", "inform")
    assert text_of("agent_will_look") in [m.text for m in given_up.messages]
    # the plan can be made without the count: the next question, and the words for the agent
    assert asked(given_up) == "challenges"
    assert conv.slots["agent_notes"] == ['Locations: "lots" / "it varies" / "whatever"']


async def test_a_choice_fills_the_count(domain: dict) -> None:
    conv = Conversation("choice", domain)
    await conv.say("we need SIP trunks in Oregon", "inform", 0.9,
                   [{"entity": "service", "value": "sip", "start": 8, "end": 18}, {"entity": "us_state", "value": "OR"}])
    await conv.say("lots", "inform")
    choices = await conv.say("it varies", "inform")
    six_to_twenty = next(b for m in choices.messages for b in m.buttons if b["title"] == "6–20")
    assert asked(await conv.click(six_to_twenty)) == "challenges"
    assert conv.slots["num_locations"] == 6.0
    assert conv.slots["missed_question"] is None


def test_every_count_choice_fills_a_number_in_its_range() -> None:
    message = default_copy().messages["choices_num_locations"]
    for button in message.buttons:
        intent, entities = payload_message(button["payload"])
        if intent == "human_handoff":
            continue
        assert intent == "inform" and [e["entity"] for e in entities] == ["num_locations"]
        low, *high = [int(n) for n in re.findall(r"\d+", button["title"])]
        value = entities[0]["value"]
        assert isinstance(value, int) and value >= low + (1 if "More than" in button["title"] else 0)
        assert not high or value <= high[0]


async def test_where_the_sites_are_missed_three_times_goes_to_a_person(domain: dict) -> None:
    conv = Conversation("states", domain)
    assert asked(await conv.say("we need SIP trunks", "inform", 0.9,
                                [{"entity": "service", "value": "sip", "start": 8, "end": 18}])) == "states"
    assert asked(await conv.say("asdf", "out_of_scope", 0.5)) == "states"
    choices = await conv.say("here", "inform")
    assert choices.questions[0].text == text_of("choices_states")
    assert [b["payload"] for b in choices.questions[0].buttons] == ["/human_handoff"]
    given_up = await conv.say("there", "nlu_fallback", 0.3)
    texts = [m.text for m in given_up.messages]
    assert texts[0] == text_of("agent_will_look")
    assert "action_handoff" in given_up.actions and asked(given_up) == "contact_name"
    assert conv.slots["handoff_reason"] == "low_confidence"
    assert conv.slots["agent_notes"] == ['States: "asdf" / "here" / "there"']


@pytest.mark.parametrize("intent", ["skip", "out_of_scope", "goodbye", "deny"])
async def test_skip_always_works_on_an_optional_question(domain: dict, intent: str) -> None:
    conv = Conversation(f"skip-{intent}", domain)
    await conv.say(**PORTLAND_SIP)
    turn = await conv.say("skip", intent, 0.9)
    assert asked(turn) == "employees" and conv.slots["skipped_slots"] == ["challenges"]


@pytest.mark.parametrize("intent", ["goodbye", "thank", "out_of_scope", "greet"])
async def test_a_bare_count_answers_the_count_question(domain: dict, intent: str) -> None:
    conv = Conversation(f"count-{intent}", domain)
    await conv.say("we need SIP trunks in Oregon", "inform", 0.9,
                   [{"entity": "service", "value": "sip", "start": 8, "end": 18}, {"entity": "us_state", "value": "OR"}])
    turn = await conv.say("one", intent, 0.9)
    assert conv.slots["num_locations"] == 1.0
    assert turn.actions[1:] == ["needs_form", "action_ask_challenges"]  # no goodbye, no small talk


async def test_an_email_at_a_rare_domain_is_the_email_whatever_the_classifier_says(domain: dict) -> None:
    conv = Conversation("email", domain)
    await conv.say("/email_plan", "email_plan", 1.0)
    await conv.say("Jane Doe", "inform")
    await conv.say("Acme", "inform")
    turn = await conv.say("jane@acme.photography", "out_of_scope", 0.7)
    assert conv.slots["email"] == "jane@acme.photography"
    assert "action_out_of_scope" not in turn.actions and asked(turn) == "phone"


async def test_a_company_named_after_a_place_and_a_service_is_the_company(domain: dict) -> None:
    conv = Conversation("company", domain)
    await conv.say("/email_plan", "email_plan", 1.0)
    await conv.say("Jane Doe", "inform")
    turn = await conv.say("Portland Internet Co", "inform", 0.8,
                          [{"entity": "city", "value": "Portland"}, {"entity": "us_state", "value": "OR"}])
    assert conv.slots["company_name"] == "Portland Internet Co"
    assert conv.slots["states"] is None and conv.slots["pending_clarifications"] is None
    assert asked(turn) == "email"


async def test_a_name_question_answered_with_only_a_place_takes_the_place_and_asks_again(domain: dict) -> None:
    # Still answering an earlier question: "Boise ID" is where they are, not what they are called.
    conv = Conversation("company-place", domain)
    await conv.say("/email_plan", "email_plan", 1.0)
    await conv.say("Jane Doe", "inform")
    turn = await conv.say("Boise ID", "inform", 0.8, [
        {"entity": "city", "value": "Boise", "start": 0, "end": 5},
        {"entity": "us_state", "value": "ID", "start": 0, "end": 5}])
    assert conv.slots["company_name"] is None
    assert conv.slots["states"] == ["ID"]
    assert asked(turn) == "company_name"
    said, question = [m.text for m in turn.messages]
    assert said.startswith("Noted:") and "Boise" in said  # what they told is said back, not lost
    # and the name they give next is the name
    await conv.say("Boise Family Dental", "inform", 0.8, [
        {"entity": "city", "value": "Boise", "start": 0, "end": 5},
        {"entity": "us_state", "value": "ID", "start": 0, "end": 5}])
    assert conv.slots["company_name"] == "Boise Family Dental"


async def test_a_contact_name_question_answered_with_a_service_takes_the_service(domain: dict) -> None:
    conv = Conversation("name-service", domain)
    await conv.say("/email_plan", "email_plan", 1.0)
    turn = await conv.say("hosted voip", "inform", 0.8, [{"entity": "service", "value": "ucaas", "start": 0, "end": 11}])
    assert conv.slots["contact_name"] is None
    assert conv.slots["services"] == ["ucaas"]
    assert asked(turn) == "contact_name"


async def test_a_confident_question_still_steps_out_of_a_free_text_answer(domain: dict) -> None:
    conv = Conversation("company-faq", domain)
    await conv.say("/email_plan", "email_plan", 1.0)
    await conv.say("Jane Doe", "inform")
    turn = await conv.say("what is a CLEC?", "faq", 0.95)
    assert conv.slots["company_name"] is None
    assert turn.actions[-3:] == ["utter_faq", "contact_form", "action_ask_company_name"]


@pytest.mark.parametrize("slot, reply, intent", [
    ("contact_name", "Rosa Delgado", "faq"),
    ("contact_name", "Tomasz Wierzbicki", "human_handoff"),
    ("email", "rosa@delgado-fabrication.biz", "human_handoff"),
    ("email", "rosa@delgado-fabrication.biz", "ask_why"),
])
async def test_a_confident_classifier_does_not_outrank_an_answer_that_asks_nothing(
        domain: dict, slot: str, reply: str, intent: str) -> None:
    # A name or an address is not a question nor a request for a person, however sure the
    # classifier is: it answers the question just asked.
    conv = Conversation(f"sure-and-wrong-{slot}-{intent}", domain)
    await conv.say("/email_plan", "email_plan", 1.0)
    if slot == "email":
        await conv.say("Rosa Delgado", "inform")
        await conv.say("Delgado Fabrication", "inform")
    turn = await conv.say(reply, intent, 0.97)
    assert conv.slots[slot] == reply
    assert "utter_faq" not in turn.actions and "action_handoff" not in turn.actions
    assert "action_explain" not in turn.actions


@pytest.mark.parametrize("reply, intent, answered_by", [
    ("can a person call me instead", "human_handoff", "action_handoff"),
    ("a real human please", "human_handoff", "action_handoff"),
    ("what does CLEC stand for", "faq", "utter_faq"),
])
async def test_a_request_or_question_that_reads_as_one_still_steps_out(
        domain: dict, reply: str, intent: str, answered_by: str) -> None:
    conv = Conversation(f"steps-out-{intent}-{len(reply)}", domain)
    await conv.say("/email_plan", "email_plan", 1.0)
    turn = await conv.say(reply, intent, 0.9)
    assert conv.slots["contact_name"] is None and answered_by in turn.actions


async def test_a_complaint_about_someone_elses_people_answers_the_challenge_question(domain: dict) -> None:
    # The classifier hears "human" and says human_handoff; the message names a challenge for
    # the question asked, and its person word is negated: an answer, not a request.
    conv = Conversation("their-humans", domain)
    await conv.say(**PORTLAND_SIP)
    turn = await conv.say("our current provider never has a person pick up the phone", "human_handoff", 0.93,
                          [{"entity": "challenge", "value": "poor_support"}])
    assert "action_handoff" not in turn.actions
    assert conv.slots["challenges"] == ["poor_support"] and asked(turn) == "employees"


async def test_a_person_asked_for_again_during_the_handoff_is_not_promised_twice_nor_asked_thrice(
        domain: dict) -> None:
    conv = Conversation("handoff-again", domain)
    first = await conv.say("I'd like a human", "human_handoff", 0.95)
    assert text_of("handoff_in_hours") in [m.text for m in first.messages]
    await conv.say("Rosa Delgado", "inform")
    await conv.say("Delgado Fabrication", "inform")
    asked_twice = await conv.say("just get me a person", "human_handoff", 0.95)
    texts = [m.text for m in asked_twice.messages]
    assert text_of("handoff_under_way") in texts and text_of("handoff_in_hours") not in texts
    assert asked(asked_twice) == "email"
    third = await conv.say("a person!", "human_handoff", 0.95)
    # the email was asked twice in a row: not a third time (the person is on the way anyway)
    assert [q.action for q in third.questions] != ["action_ask_email"]
    assert asked(third) == "phone"


async def test_which_internet_is_the_only_question_of_its_turn(domain: dict) -> None:
    conv = Conversation("internet", domain)
    turn = await conv.say("we need SIP and internet", "inform", 0.9,
                          [{"entity": "service", "value": "sip", "start": 8, "end": 11}])
    [question] = turn.questions
    assert '"internet"' in question.text and asked(turn) == "services"
    # answered with something else: the next question now, "which internet?" later
    turn = await conv.say("we're in Oregon with 2 offices", "inform", 0.9,
                          [{"entity": "us_state", "value": "OR"}, {"entity": "num_locations", "value": 2}])
    assert asked(turn) == "challenges"
    for _optional_question in range(4):
        turn = await conv.say("skip", "skip")
    [question] = turn.questions
    assert '"internet"' in question.text, "it comes back before the plan"
    turn = await conv.say("the dedicated one", "inform")
    assert conv.slots["services"] == ["sip", "dia"] and "action_recommend" in turn.actions


async def test_which_internet_answered_a_turn_late_is_said_back_as_taken(domain: dict) -> None:
    conv = Conversation("internet-late", domain)
    await conv.say("we need SIP and internet", "inform", 0.9,
                   [{"entity": "service", "value": "sip", "start": 8, "end": 11}])
    turn = await conv.say("we're in Oregon with 2 offices", "inform", 0.9,
                          [{"entity": "us_state", "value": "OR"}, {"entity": "num_locations", "value": 2}])
    assert asked(turn) == "challenges"
    # the answer to "which internet?" comes while the problems question is open: our question's
    # answer ("Noted"), not an update of theirs ("I've updated that")
    turn = await conv.say("dedicated internet I guess", "inform", 0.9,
                          [{"entity": "service", "value": "dia", "start": 0, "end": 18}])
    assert conv.slots["services"] == ["sip", "dia"]
    said = [m.text for m in turn.messages]
    assert any(t.startswith("Noted:") and "dedicated internet" in t for t in said)
    assert not any(t.startswith(text_of("changed_answer").split(":")[0]) for t in said)


async def test_which_internet_missed_twice_is_noted_and_the_plan_follows(domain: dict) -> None:
    conv = Conversation("internet-notes", domain)
    # Two problems told: the problems question is not asked again (told_problems.py).
    entities = [*ALL_NEEDS[:4], {"entity": "challenge", "value": "high_cost"},
                {"entity": "challenge", "value": "reliability"}, {"entity": "employees", "value": 40},
                {"entity": "carrier", "value": "Lumen"}, {"entity": "contract_end", "value": "2027-03"}]
    turn = await conv.say("3 offices in Portland, SIP and internet, with Lumen ...", "inform", 0.9, entities)
    assert '"internet"' in turn.questions[0].text
    assert asked(await conv.say("hmm", "inform")) == "services"
    turn = await conv.say("no clue what you mean", "inform")
    assert "action_recommend" in turn.actions
    assert conv.slots["services"] == ["sip"]
    assert conv.slots["agent_notes"] == ['Services: "internet (which one?)" / "hmm"']


async def test_a_skipped_question_does_not_come_back_after_a_digression(domain: dict) -> None:
    conv = Conversation("skip-faq", domain)
    await conv.say(**PORTLAND_SIP)
    await conv.say("skip", "skip")  # challenges
    turn = await conv.say("what is a CLEC?", "faq", 0.95)
    assert asked(turn) == "employees"


async def test_email_choices_offer_a_call_instead(domain: dict) -> None:
    conv = Conversation("email-choices", domain)
    await conv.say("/email_plan", "email_plan", 1.0)
    await conv.say("Jane Doe", "inform")
    await conv.say("Acme", "inform")
    await conv.say("jane at acme", "inform")
    choices = await conv.say("jane at acme dot com", "inform")
    [question] = choices.questions
    assert question.text == text_of("choices_email")
    call_me = await conv.click(question.buttons[0])
    assert "action_handoff" in call_me.actions and asked(call_me) == "phone"
    assert "email" in conv.slots["skipped_slots"]
    assert conv.slots["agent_notes"] == ["Email: not understood, see the conversation"]


async def test_an_unknown_carrier_is_noted_for_the_agent(domain: dict) -> None:
    conv = Conversation("carrier", domain)
    await conv.say(**PORTLAND_SIP)
    await conv.say("skip", "skip")
    await conv.say("skip", "skip")
    await conv.say("Bob's Telecom", "inform")
    assert conv.slots["agent_notes"] == ['Current carrier: "Bob\'s Telecom"']


async def test_an_unknown_carrier_the_classifier_took_for_a_question_is_still_noted(domain: dict) -> None:
    conv = Conversation("carrier-faq", domain)
    await conv.say(**PORTLAND_SIP)
    await conv.say("skip", "skip")
    await conv.say("skip", "skip")
    turn = await conv.say("Lakeshore Voice & Data", "faq", 0.99)
    assert conv.slots["agent_notes"] == ['Current carrier: "Lakeshore Voice & Data"']
    assert asked(turn) == "contract_end"


async def test_a_question_in_place_of_the_carrier_still_steps_out(domain: dict) -> None:
    conv = Conversation("carrier-question", domain)
    await conv.say(**PORTLAND_SIP)
    await conv.say("skip", "skip")
    await conv.say("skip", "skip")
    await conv.say("what does a CLEC do?", "faq", 0.99)
    assert not conv.slots.get("agent_notes")
    assert "current_carrier" not in (conv.slots.get("skipped_slots") or [])


def test_payloads_are_read_like_rasa_reads_them() -> None:
    assert payload_message('/inform{"num_locations": 6}') == ("inform", [{"entity": "num_locations", "value": 6}])
    assert json.loads('{"service": "dia"}') == {"service": "dia"}


async def test_a_bare_count_with_a_stray_entity_is_still_the_count(domain: dict) -> None:
    conv = Conversation("count-stray", domain)
    await conv.say("we need SIP trunks in Oregon", "inform", 0.9,
                   [{"entity": "service", "value": "sip", "start": 8, "end": 18}, {"entity": "us_state", "value": "OR"}])
    turn = await conv.say("one", "goodbye", 0.9, [{"entity": "challenge", "value": "vendor_dependence"}])
    assert conv.slots["num_locations"] == 1.0 and asked(turn) != "num_locations"


@pytest.mark.parametrize("reply, entities, slot, value, said", [
    ("please update the city to Tulsa", [{"entity": "city", "value": "Tulsa"}, {"entity": "us_state", "value": "OK"}],
     "city", "Tulsa", "main office in Tulsa"),
    ("oh wait, we're in Idaho not Oregon", [{"entity": "us_state", "value": "ID"}, {"entity": "us_state", "value": "OR",
                                                                                   "role": "negated"}],
     "states", ["ID"], "sites in Idaho"),
])
async def test_a_correction_of_other_facts_is_not_taken_as_a_name(
        domain: dict, reply: str, entities: list, slot: str, value: object, said: str) -> None:
    # Asked for the company, a customer corrects where they are: that is no company name, the
    # correction is kept and said back, and the question comes again.
    conv = Conversation(f"correction-not-name-{len(reply)}", domain)
    await conv.say("we're in Portland, Oregon", "inform", 0.9,
                   [{"entity": "city", "value": "Portland"}, {"entity": "us_state", "value": "OR"}])
    await conv.say("/email_plan", "email_plan", 1.0)
    await conv.say("Jane Doe", "inform")
    turn = await conv.say(reply, "inform", 0.8, entities)
    assert conv.slots["company_name"] is None
    assert conv.slots[slot] == value
    assert any(said in m.text for m in turn.messages), transcript(conv.turns)
    assert asked(turn) == "company_name"


async def test_a_company_name_that_starts_like_a_correction_is_still_the_name(domain: dict) -> None:
    conv = Conversation("actually-company", domain)
    await conv.say("/email_plan", "email_plan", 1.0)
    await conv.say("Jane Doe", "inform")
    turn = await conv.say("actually it's Harbor Lane Dental", "inform", 0.8)
    assert conv.slots["company_name"] == "Harbor Lane Dental"
    assert asked(turn) == "email"


async def test_a_broad_word_said_in_reply_to_which_one_is_asked_about_first(domain: dict) -> None:
    # Found by the property test: "which phones?" missed once, then "internet" typed: asking
    # "which phones?" again would be its third time in a row; "which internet?" comes first.
    conv = Conversation("two-broad-words", domain)
    text = "we need phones at our 2 offices in Portland, Oregon"
    turn = await conv.say(text, "inform", 0.9, [
        {"entity": "num_locations", "value": 2}, {"entity": "city", "value": "Portland"},
        {"entity": "us_state", "value": "OR"}])
    assert '"phones"' in turn.questions[0].text
    assert '"phones"' in (await conv.say("qwpoeiru zxmcnv", "skip", 0.99)).questions[0].text
    turn = await conv.say("internet", "inform", 0.35)
    assert '"internet"' in turn.questions[0].text
    # "the dedicated one" answers the question just asked, though "phones" is older.
    await conv.say("the dedicated one", "inform")
    assert "dia" in conv.slots["services"]


async def test_which_internet_answered_with_the_place_moves_on_to_the_next_question(domain: dict) -> None:
    # Two broad words in the first message, "which internet?" answered with where the shop is:
    # the count of sites is asked next (not "which phones?" while "which internet?" is open),
    # and both which-one questions come back when the services question's turn comes.
    conv = Conversation("broad-words-later", domain)
    turn = await conv.say("hi, we need internet and phones for the shop", "inform", 0.9)
    assert '"internet"' in turn.questions[0].text and len(turn.questions) == 1
    turn = await conv.say("we're in Tulsa, Oklahoma", "inform", 0.9,
                          [{"entity": "city", "value": "Tulsa"}, {"entity": "us_state", "value": "OK"}])
    assert asked(turn) == "num_locations"
    assert conv.slots["missed_question"] is not None, "the which-one question went unanswered once"
    turn = await conv.say("2", "inform", 0.9)
    assert conv.slots["num_locations"] == 2 and asked(turn) == "services"
    [question] = turn.questions
    assert '"phones"' in question.text or '"internet"' in question.text


async def test_the_which_one_question_seen_comes_again_and_its_answer_is_taken(domain: dict) -> None:
    # "which internet?" answered with the town while the sites are known: the services question
    # is next, so "which internet?" comes again (not "which phones?"), and "the dedicated one"
    # answers it; "which phones?" follows, nothing is dropped for the agent.
    conv = Conversation("which-one-again", domain)
    turn = await conv.say("we need internet and phones for our two bakeries", "inform", 0.9,
                          [{"entity": "num_locations", "value": 2}])
    assert '"internet"' in turn.questions[0].text
    turn = await conv.say("boise idaho", "inform", 0.9,
                          [{"entity": "city", "value": "Boise"}, {"entity": "us_state", "value": "ID"}])
    assert '"internet"' in turn.questions[0].text
    turn = await conv.say("the dedicated one", "inform")
    assert conv.slots["services"] == ["dia"]
    assert '"phones"' in turn.questions[0].text
    assert not conv.slots.get("agent_notes")


async def test_the_plan_asked_for_by_email_mid_questions_comes_after_them_and_goes_by_email(
        domain: dict, env: dict) -> None:
    # "Email me the plan" before it exists: the contact details, then the rest of the questions,
    # then the plan, shown and sent; never "I don't have a plan yet" after facts were told
    conv = Conversation("email-early", domain)
    await conv.say(**PORTLAND_SIP)
    turn = await conv.say("/email_plan", "email_plan", 1.0)
    assert asked(turn) == "contact_name"
    await conv.say("Jo Park", "inform")
    await conv.say("Park Bakeries", "inform")
    await conv.say("jo@parkbakeries.com", "inform", 0.9, [{"entity": "email", "value": "jo@parkbakeries.com"}])
    turn = await conv.say("skip", "skip")
    said = [m.text for m in turn.messages]
    assert said[0] == default_copy().text("plan_email_after_questions", name="Jo Park", email="jo@parkbakeries.com")
    assert asked(turn) == "challenges"  # the needs form goes on where it was
    for _ in range(4):
        turn = await conv.say("skip", "skip")
    assert "action_recommend" in turn.actions
    said = " ".join(m.text or "" for m in turn.messages)
    assert "jo@parkbakeries.com" in said and "Jo Park" in said  # the email message, with the plan
    lead = env["store"].get("email-early")
    assert lead.email == "jo@parkbakeries.com"


async def test_services_in_broad_words_beside_a_problem_get_which_one_not_a_miss(domain: dict) -> None:
    conv = Conversation("broad-with-problem", domain)
    turn = await conv.say("2 clinics in Wichita, Kansas", "inform", 0.9, [
        {"entity": "num_locations", "value": 2, "start": 0, "end": 9},
        {"entity": "city", "value": "Wichita", "start": 13, "end": 20},
        {"entity": "us_state", "value": "KS", "start": 22, "end": 28}])
    assert asked(turn) == "services"
    text = "internet that stays up would be nice, it drops daily"
    turn = await conv.say(text, "inform", 0.9, [{"entity": "challenge", "value": "reliability", "start": 41, "end": 52}])
    [question] = turn.questions
    assert '"internet"' in question.text  # which internet?, not the choices of a second miss
    assert conv.slots["missed_question"] is None and conv.slots["challenges"] == ["reliability"]
