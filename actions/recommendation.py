"""Apply the agency's CLEC guidance (bot/domain/guidance.py) and explain it."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import dependencies
from actions.leads import save_lead
from actions.questions import say, say_with_plan_options
from actions.outbox import email_the_plan
from actions.tracker_utils import asked_for_plan_by_email, latest_entities
from bot.conversation.wording import default_copy
from bot.domain.explain import explain
from bot.domain.guidance import recommend, render_plan_text
from bot.domain.profile import CustomerProfile


class ActionRecommend(Action):
    """Present the plan, store the lead, and hand off when the guidance says a person should."""

    def name(self) -> Text:
        return "action_recommend"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        profile = CustomerProfile.from_slots(tracker.current_slot_values())
        rec = recommend(profile, dependencies.catalog(), policy=dependencies.handoff_policy())
        if not rec.handoff and tracker.get_slot("recommendation") == rec.to_dict():
            # Said after the plan, changing nothing in it (a name typed, "ok"): the options
            # again, not the whole plan once more.
            say_with_plan_options(dispatcher, "plan_unchanged")
            await save_lead(tracker, [])  # other facts (a head count) may still have changed
            return []
        if tracker.get_slot("recommendation"):
            # facts told after the plan changed it: say so, or the same-looking plan reads as a repeat
            say(dispatcher, default_copy().message("plan_updated"))
        dispatcher.utter_message(text=render_plan_text(rec))
        events: List[EventType] = [SlotSet("recommendation", rec.to_dict())]
        if rec.handoff:
            events.append(SlotSet("handoff_reason", rec.handoff_reason))
            events.append(FollowupAction("action_handoff"))
            await save_lead(tracker, events)
            return events
        await save_lead(tracker, events)  # the plan's email is built from the saved lead
        email = tracker.get_slot("email")
        if email and asked_for_plan_by_email(tracker):
            # asked for by email before it was ready (actions/handoff.py): it goes now
            said = await email_the_plan(tracker.sender_id, email, rec.to_dict())
            name = tracker.get_slot("contact_name") or default_copy().text("unknown_name")
            dispatcher.utter_message(text=default_copy().text(said, name=name, email=email))
        say(dispatcher, default_copy().message("plan_options"))
        return events


class ActionExplain(Action):
    """Answer "why Zayo?", "why not just AT&T?" or "why this plan?"."""

    def name(self) -> Text:
        return "action_explain"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        rec = tracker.get_slot("recommendation")
        if not rec:
            dispatcher.utter_message(text=default_copy().text("explain_before_plan"))
            return []
        carrier: Optional[Text] = next(
            (e.get("value") for e in latest_entities(tracker) if e.get("entity") == "carrier"), None
        )
        dispatcher.utter_message(text=explain(rec, carrier, dependencies.catalog()))
        return []
