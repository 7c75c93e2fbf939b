"""Global slot filling: every message's entities become canonical slot values (any turn, any order)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.dependencies import catalog, vocabulary
from actions.questions import say
from actions.tracker_utils import (acted_this_turn, answer_to_question, asked_slot, count_invited, facts_for_a_name,
                                   latest_entities, latest_intent, latest_text, steps_out, typed_texts,
                                   unclear_service_words, whole_message_answers)
from bot.conversation.acknowledge import describe_changes, describe_told_instead, sites_from_towns
from bot.conversation.clarify import pending_to_slot, read_pending, update_pending
from bot.conversation.digressions import product_asked_about
from bot.conversation.wording import default_copy, problem_text
from bot.understanding.locations import resolve_zip
from bot.conversation.slot_updates import updates_from_message


def _known_zip(zip5: str) -> bool:
    return resolve_zip(zip5) is not None


class ActionValidateSlotMappings(ValidationAction):
    """Runs after every user message, before any form: merges what the customer just said."""

    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if acted_this_turn(tracker):
            # Rasa extracts slots again when a form starts later in the turn (the needs form
            # gave up and the contact form began): the message was read once, and reading it
            # against the slots it already changed is not the same ("HQ in Tacoma, not
            # Portland" would then drop the Portland site).
            return []
        answer = answer_to_question(tracker)
        if (steps_out(tracker, answer is not None and (answer.value is not None or answer.said_skip))
                and latest_intent(tracker) != "human_handoff"):
            # A question is not an answer. A request for a person keeps the facts said with it
            # ("3 clinics in NC, on PRIs... Can I talk to someone?"): the agent needs them.
            return []
        if whole_message_answers(tracker, asked_slot(tracker), answer):
            # The form takes it. A correction ("update the city to Tulsa") is no name: the
            # form asks again, and it is read and said back below.
            return []
        update = updates_from_message(
            current=tracker.current_slot_values(),
            entities=latest_entities(tracker),
            text=latest_text(tracker),
            intent=latest_intent(tracker),
            requested_slot=tracker.get_slot("requested_slot"),
            known_zip=_known_zip,
            count_invited=count_invited(tracker),
        )
        # While a form asks a question, the form itself re-asks a bad answer to it.
        asked = asked_slot(tracker)
        for code, value, _slot in update.problems_except_for(asked):
            dispatcher.utter_message(text=problem_text(code, value))
        # A change to a question we asked is its answer ("hosted" to "which phones?", also
        # when another question came since), said back as taken; a change to another answer
        # is an update.
        before = read_pending(tracker.get_slot("pending_clarifications"))
        ours = {asked} | ({"services"} if any(c.asked for c in before) else set())
        others = {name: value for name, value in update.slots.items() if name not in ours}
        taken = {name: value for name, value in update.slots.items() if name in ours}
        for key, slots in (("changed_answer", others), ("answer_taken", taken)):
            said = describe_changes(tracker.current_slot_values(), slots)
            if said:
                say(dispatcher, default_copy().message(key, value="; ".join(said)))
        towns_count = sites_from_towns(latest_entities(tracker), update.slots, asked)
        if towns_count:
            say(dispatcher, default_copy().message("sites_from_towns", value=towns_count))
        if not (answer is not None and (answer.value is not None or answer.said_skip)) or facts_for_a_name(tracker, asked):
            told_slots = {k: v for k, v in update.slots.items() if not (towns_count and k == "num_locations")}
            told = describe_told_instead(tracker.current_slot_values(), told_slots, asked)
            if told:  # the question comes again next: what they told instead is not lost
                say(dispatcher, default_copy().message("told_instead", value="; ".join(told)))
        if "current_carrier" in update.slots:
            # "We're on TW Telecom": say who runs that network today, as the plan will.
            notes = (catalog().successor_note(typed) for typed in typed_texts(tracker, "carrier"))
            note = next((n for n in notes if n), None)
            if note:
                dispatcher.utter_message(text=note)
        product = product_asked_about(latest_text(tracker), vocabulary())
        if product:
            # "3 stores in Tulsa, need fiber. Do you do cameras too?": the facts are taken, and
            # the question about what we don't quote is answered (alone, it is out of scope)
            say(dispatcher, default_copy().message("product_not_quoted", value=product))
        events = [SlotSet(name, value) for name, value in update.slots.items()]
        # "SIP and internet": which internet? Not asked here: the needs form asks it as its
        # question of this turn, so no second question follows it (actions/forms.py).
        services = list(update.slots.get("services") or tracker.get_slot("services") or [])
        pending = update_pending(before, unclear_service_words(tracker, services), services)
        if pending != before:
            events.append(SlotSet("pending_clarifications", pending_to_slot(pending)))
        return events
