"""Small helpers to read a rasa_sdk Tracker."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker

from actions import dependencies
from bot.conversation.answer_parsing import Answer, parse_answer
from bot.conversation.clarify import Clarification, unclear_mentions
from bot.conversation.corrections import is_correction
from bot.conversation.digressions import FREE_TEXT_SLOTS, is_digression
from bot.conversation.name_replies import NAME_SLOTS, reads_as_facts_only
from bot.conversation.slot_updates import slot_for_entity
from bot.domain.slots import LEAD_SLOTS
from bot.understanding.extracted_entity import TOWNS_LISTED_ROLE

CONTRACT_SLOTS = LEAD_SLOTS  # what the lead keeps (bot/domain/slots.py)


def latest_text(tracker: Tracker) -> Text:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_confidence(tracker: Tracker) -> float:
    return float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)


def latest_entities(tracker: Tracker) -> List[Dict[Text, Any]]:
    return list((tracker.latest_message or {}).get("entities") or [])


def typed_texts(tracker: Tracker, entity: Text) -> List[Text]:
    """What the customer typed for each `entity` in the latest message ("TW Telecom"), where
    the extractor gave the span."""
    text = latest_text(tracker)
    spans = []
    for found in latest_entities(tracker):
        start, end = found.get("start"), found.get("end")
        if found.get("entity") == entity and isinstance(start, int) and isinstance(end, int):
            spans.append(text[start:end])
    return [span for span in spans if span.strip()]


def _service_spans_and_values(tracker: Tracker) -> tuple[List[tuple[int, int]], List[Text]]:
    services = [e for e in latest_entities(tracker) if e.get("entity") == "service"]
    spans = [(e["start"], e["end"]) for e in services
             if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
    return spans, [str(e.get("value")) for e in services]


def unclear_service_words(tracker: Tracker, new_services: Optional[List[Text]] = None) -> List[Clarification]:
    """The broad service words of the latest message ("internet") still to clarify: those no
    recognised phrase covers and no known service (slot, `new_services` not yet set, this
    message) answers."""
    spans, values = _service_spans_and_values(tracker)
    known = [*(tracker.get_slot("services") or []), *(new_services or []), *values]
    complaints = [(e["start"], e["end"]) for e in latest_entities(tracker) if e.get("entity") == "challenge"
                  and isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
    answering = tracker.get_slot("requested_slot") == "services"
    return unclear_mentions(latest_text(tracker), spans, known, complaints=complaints, answering_services=answering)


def contract_slots(tracker: Tracker) -> Dict[Text, Any]:
    return {name: tracker.get_slot(name) for name in CONTRACT_SLOTS}


def channel_of(tracker: Tracker) -> Text:
    return tracker.get_latest_input_channel() or "unknown"


def asked_slot(tracker: Tracker) -> Optional[Text]:
    """The question an active form asked last (None outside forms)."""
    return tracker.get_slot("requested_slot") if tracker.active_loop_name else None


def ever_requested(tracker: Tracker, slot: Text) -> bool:
    """Whether a form has asked the question for `slot` in this conversation."""
    return any(e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value") == slot
               for e in tracker.events)


def needs_begun(tracker: Tracker) -> bool:
    """Something a plan is made from is known (where, how many sites, what they need): the
    needs form has a plan to finish."""
    return any(tracker.get_slot(slot) for slot in ("states", "num_locations", "services"))


def asked_for_plan_by_email(tracker: Tracker) -> bool:
    """Whether the customer asked for the plan by email in this conversation (a button or words)."""
    return any(e.get("event") == "user" and ((e.get("parse_data") or {}).get("intent") or {}).get("name") == "email_plan"
               for e in tracker.events)


def answer_to_question(tracker: Tracker) -> Optional[Answer]:
    """The latest message read as the answer to the question just asked (None: no question)."""
    asked = asked_slot(tracker)
    if not asked:
        return None
    return parse_answer(asked, latest_text(tracker), latest_intent(tracker), dependencies.catalog(),
                        today=dependencies.settings().now().date())


def whole_message_answers(tracker: Tracker, slot: Optional[Text], answer: Optional[Answer]) -> bool:
    """The whole message is the answer to a free-text question ("Portland Internet Co" as the
    company name, not a city and a service), unless it corrects other facts ("change the city
    to Tulsa" is no name) or, asked for a name, is only places and services ("Provo UT":
    bot.conversation.name_replies)."""
    return (answer is not None and answer.value is not None and slot in FREE_TEXT_SLOTS
            and not is_correction(latest_text(tracker))
            and not facts_for_a_name(tracker, slot))


def facts_for_a_name(tracker: Tracker, slot: Optional[Text]) -> bool:
    """Asked for a name, the customer gave only places and services ("Boise ID"): facts,
    not a name (bot.conversation.name_replies)."""
    return slot in NAME_SLOTS and reads_as_facts_only(
        latest_text(tracker), [(e.get("entity"), e.get("start"), e.get("end")) for e in latest_entities(tracker)])


def steps_out(tracker: Tracker, answers_question: Optional[bool] = None) -> bool:
    """The latest message is a digression from the question being asked (if any).

    An answer to that question outranks the classifier (bot/conversation/digressions.py);
    `answers_question` None: it is an answer when the question's parser takes it as a value
    or as an explicit skip.
    """
    if answers_question is None:
        answer = answer_to_question(tracker)
        answers_question = answer is not None and (answer.value is not None or answer.said_skip)
    asked = asked_slot(tracker)
    # An entity for the question asked answers it too ("we can never get a human at the phone
    # company" to "what's the biggest problem?" is poor support, not a request for a person).
    answers_question = answers_question or any(
        asked is not None and slot_for_entity(e.get("entity") or "") == asked for e in latest_entities(tracker))
    return is_digression(latest_intent(tracker), latest_confidence(tracker), asked_slot(tracker),
                         answers_question, latest_text(tracker))


def count_invited(tracker: Tracker) -> bool:
    """The customer's message before the latest listed towns that we took as one site each and
    said back with "tell me how many" (bot.conversation.acknowledge.sites_from_towns)."""
    users = [e for e in tracker.events or [] if e.get("event") == "user"]
    previous = ((users[-2].get("parse_data") or {}).get("entities") or []) if len(users) > 1 else []
    return any(e.get("entity") == "num_locations" and e.get("role") == TOWNS_LISTED_ROLE for e in previous)


def _this_turn(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The events since the customer's latest message (oldest first)."""
    events = list(tracker.events or [])
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            return events[index + 1:]
    return events


def acted_this_turn(tracker: Tracker) -> bool:
    """An action other than listening already ran since the customer's latest message (a form,
    a handoff): a later slot extraction in the same turn reads a message already read."""
    return any(e.get("event") == "action" and e.get("name") != "action_listen"
               for e in _this_turn(tracker))


def set_this_turn(tracker: Tracker, slot: Text) -> bool:
    """An action set `slot` since the customer's latest message."""
    return any(e.get("event") == "slot" and e.get("name") == slot for e in _this_turn(tracker))


def rejected_this_turn(tracker: Tracker) -> bool:
    """A form already rejected the latest message (so a rule has answered it, and the form is
    now asking its question again)."""
    return any(e.get("event") == "action_execution_rejected" for e in _this_turn(tracker))


def _turns(tracker: Tracker) -> List[List[Dict[Text, Any]]]:
    """The events after each customer message, oldest turn first (the current turn last)."""
    turns: List[List[Dict[Text, Any]]] = []
    for event in tracker.events or []:
        if event.get("event") == "user":
            turns.append([])
        elif turns:
            turns[-1].append(event)
    return turns


def _asked(events: List[Dict[Text, Any]], response: Text) -> bool:
    """`response` was said in these events, by its action or by an action that uttered it."""
    return any((e.get("event") == "action" and e.get("name") == response)
               or (e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action") == response)
               for e in events)


def times_asked_in_a_row(tracker: Tracker, response: Text) -> int:
    """How many of the turns before the current one ended by saying `response`, counted back
    from the latest (2: the last two replies both missed the question)."""
    count = 0
    for events in reversed(_turns(tracker)[:-1]):
        if not _asked(events, response):
            break
        count += 1
    return count


def changed_this_turn(tracker: Tracker, slot: Text) -> bool:
    """`slot` was set since the customer's latest message to a value it did not have before."""
    if not set_this_turn(tracker, slot):
        return False
    events = list(tracker.events or [])
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    before = [e.get("value") for e in events[:last_user] if e.get("event") == "slot" and e.get("name") == slot]
    return tracker.get_slot(slot) != (before[-1] if before else None)
