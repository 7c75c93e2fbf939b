"""Let the customer change one answer and get a fresh plan."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.domain.slots import CHANGEABLE_SLOTS

CHANGEABLE = CHANGEABLE_SLOTS


class ActionChangeAnswer(Action):
    """Forget the chosen answer (and the plan built on it) so the needs form asks again."""

    def name(self) -> Text:
        return "action_change_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        slot = tracker.get_slot("slot_to_change")
        events: List[EventType] = [SlotSet("slot_to_change", None)]
        if slot not in CHANGEABLE:
            dispatcher.utter_message(response="utter_ask_which_answer")
            return events
        skipped = [s for s in (tracker.get_slot("skipped_slots") or []) if s != slot]
        events += [SlotSet(slot, None), SlotSet("recommendation", None), SlotSet("skipped_slots", skipped)]
        if slot == "states":
            events += [SlotSet("city", None), SlotSet("zip_code", None)]
        return events
