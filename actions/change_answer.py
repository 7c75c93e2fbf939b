"""Let the customer change one answer and get a fresh plan."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.questions import say_with_plan_options
from actions.tracker_utils import changed_this_turn, latest_text, set_this_turn, times_asked_in_a_row
from bot.conversation.change_choice import answer_named
from bot.domain.slots import CHANGEABLE_SLOTS

CHANGEABLE = CHANGEABLE_SLOTS
WHICH_ANSWER = "utter_ask_which_answer"


class ActionChangeAnswer(Action):
    """Forget the chosen answer (and the plan built on it) so the needs form asks again."""

    def name(self) -> Text:
        return "action_change_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        slot = tracker.get_slot("slot_to_change")
        typed = slot is None  # "the number of sites" typed instead of a button (data/rules.yml)
        if typed:
            slot = answer_named(latest_text(tracker))
        events: List[EventType] = [SlotSet("slot_to_change", None)]
        if slot not in CHANGEABLE:
            if typed and any(changed_this_turn(tracker, s) for s in CHANGEABLE):
                # "we just opened one in Boise": the new answer without its name; a new plan on it
                return events + [SlotSet("recommendation", None)]
            if typed and times_asked_in_a_row(tracker, WHICH_ANSWER) >= 2:
                # Never a third time: the plan stands, with its options.
                say_with_plan_options(dispatcher, "plan_unchanged")
                return events + [FollowupAction("action_listen")]
            dispatcher.utter_message(response=WHICH_ANSWER)
            # typed: no form and no plan after this; the customer picks first
            return events + ([FollowupAction("action_listen")] if typed else [])
        if typed and set_this_turn(tracker, slot):
            # "3 sites now": the new answer came with the choice; a new plan is built on it
            return events + [SlotSet("recommendation", None)]
        skipped = [s for s in (tracker.get_slot("skipped_slots") or []) if s != slot]
        events += [SlotSet(slot, None), SlotSet("recommendation", None), SlotSet("skipped_slots", skipped)]
        if slot == "states":
            events += [SlotSet("city", None), SlotSet("zip_code", None)]
        return events
