"""Hand the customer to a person: now in business hours, as a promised callback after hours."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import dependencies
from actions.leads import save_lead
from actions.questions import say
from bot.conversation.wording import default_copy
from actions.tracker_utils import latest_intent

logger = logging.getLogger(__name__)

REASON_BY_INTENT = {"human_handoff": "user_request", "complain": "frustration"}


def _office_state() -> tuple[bool, str]:
    hours = dependencies.business_hours()
    now = dependencies.settings().now()
    return hours.is_open(now), hours.describe_next_opening(now)


async def start_handoff(
    reason: Text, dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[EventType]:
    """Tell the customer what happens next, record why, then collect the contact details."""
    is_open, next_opening = _office_state()
    if is_open:
        dispatcher.utter_message(
            text="I'll bring in one of our agents; they'll join this chat shortly. "
            "A few details first so they can reach you if you get disconnected."
        )
    else:
        dispatcher.utter_message(
            text=f"Our office is closed right now; we open {next_opening}. "
            "I'll make sure an agent calls you back then. Let me take a few details."
        )
    events: List[EventType] = [
        SlotSet("handoff_reason", reason),
        SlotSet("after_hours", not is_open),
    ]
    await save_lead(tracker, events, status="handoff" if is_open else "callback", after_hours=not is_open)
    return events + [FollowupAction("contact_form")]


class ActionHandoff(Action):
    """The customer asked for a person, is frustrated, or the guidance needs an agent."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        reason = REASON_BY_INTENT.get(latest_intent(tracker) or "")
        if reason is None:
            reason = tracker.get_slot("handoff_reason") or "user_request"
        return await start_handoff(reason, dispatcher, tracker)


class ActionDefaultFallback(Action):
    """After the two-stage fallback failed: stop guessing and get a person."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if latest_intent(tracker) == "restart":
            # After /restart the tracker is empty and no policy is sure what comes next, so the
            # core fallback fires: that is a fresh start, not a misunderstanding. Just listen.
            return [FollowupAction("action_listen")]
        say(dispatcher, default_copy().message("default_fallback"))
        return await start_handoff("low_confidence", dispatcher, tracker)


class ActionSubmitLead(Action):
    """Contact details are in: save the lead; post it to sales, pause, or promise the callback."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        name = tracker.get_slot("contact_name") or "there"
        reason: Optional[Text] = tracker.get_slot("handoff_reason")
        if not reason:
            email = tracker.get_slot("email")
            dispatcher.utter_message(
                text=f"Thanks, {name}! An agent will email the plan to {email} and follow up "
                "with quotes from the carriers in it."
            )
            await save_lead(tracker, [], status="new")
            return []
        is_open, next_opening = _office_state()
        if not is_open:
            when = tracker.get_slot("callback_time")
            dispatcher.utter_message(
                text=f"Thanks, {name}. An agent will call you back"
                + (f" ({when})" if when else "")
                + f" once we open, {next_opening}. Your answers are saved, so you won't have to repeat them."
            )
            await save_lead(tracker, [], status="callback", after_hours=True)
            return []
        lead = await save_lead(tracker, [], status="handoff", after_hours=False)
        if lead is not None:
            posted = await asyncio.to_thread(dependencies.slack().post_handoff, lead)
            if not posted:
                logger.info("handoff not posted to Slack (not configured or unavailable)")
        dispatcher.utter_message(
            text=f"Thanks, {name}. An agent has your details and will join this conversation shortly."
        )
        await asyncio.to_thread(_mark_paused, tracker.sender_id)
        return [ConversationPaused()]


def _mark_paused(sender_id: Text) -> None:
    try:
        dependencies.lead_store().set_paused(sender_id, True)
    except Exception:  # noqa: BLE001 - the dashboard flag is secondary to the conversation
        logger.warning("could not mark the lead as paused")
