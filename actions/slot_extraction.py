"""Global slot filling: every message's entities become canonical slot values (any turn, any order)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from actions.dependencies import catalog
from actions.questions import say
from actions.tracker_utils import (latest_entities, latest_intent, latest_text, steps_out, typed_texts,
                                   unclear_services)
from bot.conversation.acknowledge import describe_changes
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
        if steps_out(tracker):
            return []  # a question or a request for a person is not an answer
        update = updates_from_message(
            current=tracker.current_slot_values(),
            entities=latest_entities(tracker),
            text=latest_text(tracker),
            intent=latest_intent(tracker),
            requested_slot=tracker.get_slot("requested_slot"),
            known_zip=_known_zip,
        )
        # While a form asks a question, the form itself re-asks a bad answer to it.
        asked = tracker.get_slot("requested_slot") if tracker.active_loop_name else None
        for code, value, _slot in update.problems_except_for(asked):
            dispatcher.utter_message(text=problem_text(code, value))
        changed = describe_changes(tracker.current_slot_values(), update.slots)
        if changed:
            say(dispatcher, default_copy().message("changed_answer", value="; ".join(changed)))
        # "SIP and internet": ask which internet. With no service known yet the form's services
        # question asks it instead (actions/questions.py), so it is never asked twice.
        new_services = list(update.slots.get("services") or [])
        if (new_services or tracker.get_slot("services")) and asked != "services":
            for question in unclear_services(tracker, new_services):
                say(dispatcher, question)
        if "current_carrier" in update.slots:
            # "We're on TW Telecom": say who runs that network today, as the plan will.
            notes = (catalog().successor_note(typed) for typed in typed_texts(tracker, "carrier"))
            note = next((n for n in notes if n), None)
            if note:
                dispatcher.utter_message(text=note)
        return [SlotSet(name, value) for name, value in update.slots.items()]
