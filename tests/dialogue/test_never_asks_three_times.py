"""Property: whatever the customer answers (gibberish included) and however the classifier
reads it, no question is asked three times in a row, a turn asks at most one question, and
the conversation ends in a plan, a handoff, or "I'll have an agent look at this".

Random conversations through the real actions in-process (tests/dialogue/form_loop.py says why
that level). Each reply is drawn per turn: an answer to the question, a fact about something
else, gibberish, a skip, a bare count, a broad word ("internet"), a tap on one of the buttons
just shown, or a question about CLECs; each with an intent the classifier might give it,
right or wrong, at any confidence. `make test` runs a fixed sample (DIALOGUE_EXAMPLES, default
100); set DIALOGUE_EXAMPLES=1000 DIALOGUE_RANDOM=1 for a long random run.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from typing import Any, Dict, List, Optional, Tuple

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.conversation.wording import default_copy
from tests.dialogue.form_loop import Conversation, Turn, payload_message, transcript

EXAMPLES = int(os.environ.get("DIALOGUE_EXAMPLES", "100"))
MAX_TURNS = 60  # far more than any conversation needs: 12 questions, 3 tries each, a few detours

Reply = Tuple[str, List[Dict[str, Any]]]

# Answers as the entity extractor gives them (the text and its entities).
ANSWERS: Dict[str, List[Reply]] = {
    "states": [("Oregon", [{"entity": "us_state", "value": "OR"}]),
               ("Portland and Seattle", [{"entity": "city", "value": "Portland"}, {"entity": "us_state", "value": "OR"},
                                         {"entity": "city", "value": "Seattle"}, {"entity": "us_state", "value": "WA"}]),
               ("97201", [{"entity": "zip_code", "value": "97201"}, {"entity": "us_state", "value": "OR"}]),
               ("Boise", [])],
    "num_locations": [("3 offices", [{"entity": "num_locations", "value": 3}]), ("one", []), ("a couple", []),
                      ("12", [])],
    "services": [("SIP trunks", [{"entity": "service", "value": "sip", "start": 0, "end": 10}]),
                 ("PRIs", [{"entity": "service", "value": "pri", "start": 0, "end": 4}]),
                 ("broadband", []), ("dedicated internet", [{"entity": "service", "value": "dia", "start": 0, "end": 18}])],
    "challenges": [("the bill is too high", [{"entity": "challenge", "value": "high_cost"}]),
                   ("outages", [])],
    "employees": [("about 40 people", [{"entity": "employees", "value": 40}]), ("25", [])],
    "current_carrier": [("Lumen", [{"entity": "carrier", "value": "Lumen", "start": 0, "end": 5}]),
                        ("Bob's Telecom", [])],
    "contract_end": [("March 2027", [{"entity": "contract_end", "value": "2027-03"}]), ("2027-06", [])],
    "contact_name": [("Jane Doe", []), ("I'm Sam", [])],
    "company_name": [("Portland Internet Co", [{"entity": "city", "value": "Portland"}, {"entity": "us_state", "value": "OR"}]),
                     ("Acme Dental", [])],
    "email": [("jane@acme.photography", [{"entity": "email", "value": "jane@acme.photography"}]),
              ("sam@example.com", [])],
    "phone": [("503-555-0123", [{"entity": "phone", "value": "+15035550123"}]), ("(503) 555 0199", [])],
    "callback_time": [("tomorrow morning", [])],
}
OTHER_FACTS: List[Reply] = [
    ("we're in Ohio", [{"entity": "us_state", "value": "OH"}]),
    ("actually it's 4 offices", [{"entity": "num_locations", "value": 4}]),
    ("and SIP too", [{"entity": "service", "value": "sip", "start": 8, "end": 11}]),
    ("support never calls back", [{"entity": "challenge", "value": "poor_support"}]),
]
GIBBERISH = ["asdf", "hmm", "what?", "it depends", "lol", "idk maybe later", "?", "blue",
             "the thing with the stuff", "qwpoeiru zxmcnv", "123abc", "...",
             "what's the difference?", "which one do we need?"]  # asked again and again: still no loop
SKIPS = ["skip", "no idea", "not sure", "pass"]
COUNTS = ["one", "two", "three"]
BROAD = [("internet", []), ("we need internet too", [])]
INTENTS = ["inform", "inform", "inform", "skip", "deny", "affirm", "out_of_scope", "nlu_fallback",
           "greet", "goodbye", "thank", "faq", "ask_why"]
KINDS = ["answer", "answer", "answer", "other_fact", "gibberish", "gibberish", "skip", "count",
         "broad", "button", "button", "question", "person"]
_senders = itertools.count()


def _requested(conv: Conversation) -> Optional[str]:
    return conv.slots.get("requested_slot") if conv.active_loop else None


def _draw_reply(data: st.DataObject, conv: Conversation) -> Tuple[str, str, float, List[Dict[str, Any]]]:
    """The customer's next message: (text, intent, confidence, entities)."""
    asked = _requested(conv)
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    confidence = data.draw(st.sampled_from([0.35, 0.6, 0.85, 0.99]), label="confidence")
    if kind == "button":
        shown = [b for m in conv.turns[-1].messages for b in m.buttons] if conv.turns else []
        if shown:
            button = data.draw(st.sampled_from(shown), label="button")
            intent, entities = payload_message(button["payload"])
            return button["payload"], intent, 1.0, entities
        kind = "gibberish"
    if kind == "question":
        return "what's a CLEC?", "faq", 0.95, []
    if kind == "person":
        if data.draw(st.integers(0, 9), label="asks for a person") == 0:
            return "can I talk to a person", "human_handoff", 0.95, []
        kind = "gibberish"
    intent = data.draw(st.sampled_from(INTENTS), label="intent")
    if kind == "answer" and asked in ANSWERS:
        text, entities = data.draw(st.sampled_from(ANSWERS[asked]), label="answer")
    elif kind == "other_fact":
        text, entities = data.draw(st.sampled_from(OTHER_FACTS), label="fact")
    elif kind == "skip":
        text, entities = data.draw(st.sampled_from(SKIPS), label="skip"), []
    elif kind == "count":
        text, entities = data.draw(st.sampled_from(COUNTS), label="count"), []
    elif kind == "broad":
        text, entities = data.draw(st.sampled_from(BROAD), label="broad")
    else:
        text, entities = data.draw(st.sampled_from(GIBBERISH), label="gibberish"), []
    return text, intent, confidence, entities


def _asked_something_of_its_own(turn: Turn) -> bool:
    """The customer's message was a question or a request we answered (a CLEC question, "why?",
    "a person, please"): asking ours again after it is not asking it again in a row."""
    asked_for_a_person = turn.intent in ("human_handoff", "complain") and "action_handoff" in turn.actions
    return "utter_faq" in turn.actions or "action_explain" in turn.actions or asked_for_a_person


def check_questions(turns: List[Turn]) -> None:
    """At most one question a turn; never the same question three times in a row."""
    last, times = None, 0
    for number, turn in enumerate(turns):
        assert len(turn.questions) <= 1, f"turn {number} asked two questions\n{transcript(turns)}"
        for question in turn.questions:
            key = (question.action, question.text)
            if _asked_something_of_its_own(turn):
                # After answering theirs, asking ours again is no ask more in a row; asking
                # another question starts a new run (the customer saw a different question).
                if key != last:
                    last, times = key, 1
                continue
            times = times + 1 if key == last else 1
            last = key
            assert times <= 2, f"asked three times in a row (turn {number})\n{transcript(turns)}"


def _ended(conv: Conversation) -> Optional[str]:
    agent_will_look = default_copy().message("agent_will_look").text
    if "action_handoff" in conv.ran:
        return "handoff"
    if "action_recommend" in conv.ran:
        return "plan"
    if any(m.text == agent_will_look for t in conv.turns for m in t.messages):
        return "agent_will_look"
    return None


async def _converse(data: st.DataObject, domain: Dict[str, Any]) -> Conversation:
    conv = Conversation(f"property-{next(_senders)}", domain)
    opening = data.draw(st.sampled_from([
        ("hi, we need help with our phones", []),
        ("we need SIP and internet", [{"entity": "service", "value": "sip", "start": 8, "end": 11}]),
        ("3 offices in Portland", [{"entity": "num_locations", "value": 3}, {"entity": "city", "value": "Portland"},
                                   {"entity": "us_state", "value": "OR"}]),
        ("asdkjh", []),
    ]), label="opening")
    await conv.say(opening[0], "inform", 0.9, opening[1])
    while len(conv.turns) < MAX_TURNS and _ended(conv) is None:
        await conv.say(*_draw_reply(data, conv))
    outcome = _ended(conv)
    assert outcome, f"no plan, handoff or 'an agent will look' after {MAX_TURNS} turns\n{transcript(conv.turns)}"
    if outcome == "plan" and conv.active_loop is None and "action_handoff" not in conv.ran:
        await conv.say("/email_plan", "email_plan", 1.0)  # go on into the contact form
    while conv.active_loop and len(conv.turns) < 2 * MAX_TURNS:
        await conv.say(*_draw_reply(data, conv))
    assert conv.active_loop is None, f"the contact form never finished\n{transcript(conv.turns)}"
    return conv


# No shrinking: a failure prints the whole conversation, which says more than a shorter one,
# and shrinking conversations takes minutes.
@settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          derandomize=not os.environ.get("DIALOGUE_RANDOM"),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_question_three_times_in_a_row_and_always_an_ending(data: st.DataObject, env: Any, domain: dict) -> None:
    conv = asyncio.run(_converse(data, domain))
    check_questions(conv.turns)


def test_the_checker_counts_a_different_question_after_a_digression_as_a_new_run() -> None:
    from tests.dialogue.form_loop import BotMessage

    services = BotMessage("action_ask_services", "Which services?")
    contract = BotMessage("action_ask_contract_end", "When does it end?")
    turns = [Turn("x", "inform", 0.9, messages=[services]),
             Turn("why?", "ask_why", 0.9, actions=["action_explain"], messages=[contract]),
             Turn("x", "inform", 0.9, messages=[services]),
             Turn("x", "inform", 0.9, messages=[services])]
    check_questions(turns)  # services, contract_end, services, services: never three in a row
    turns.append(Turn("x", "inform", 0.9, messages=[services]))
    try:
        check_questions(turns)
    except AssertionError:
        return
    raise AssertionError("three asks in a row passed the check")


def test_the_checker_catches_a_third_ask() -> None:
    from tests.dialogue.form_loop import BotMessage

    ask = BotMessage("action_ask_states", "Where are your sites?")
    turns = [Turn("x", "inform", 0.9, messages=[ask]) for _ in range(3)]
    try:
        check_questions(turns)
    except AssertionError:
        return
    raise AssertionError("three asks in a row passed the check")
