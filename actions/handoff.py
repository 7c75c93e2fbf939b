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
from actions.tracker_utils import channel_of, latest_intent, needs_begun
from actions.outbox import email_the_plan, has_plan, send_now
from bot.notify.base import LeadEventKind

logger = logging.getLogger(__name__)


def _office_state() -> tuple[bool, str]:
    hours = dependencies.business_hours()
    now = dependencies.settings().now()
    return hours.is_open(now), hours.describe_next_opening(now)


async def start_handoff(
    reason: Text, dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[EventType]:
    """Tell the customer what happens next, record why, then collect the contact details."""
    is_open, next_opening = _office_state()
    step = dependencies.handoff_policy().next_step(is_open)
    if step.kind == "join_now":
        dispatcher.utter_message(text=default_copy().text("handoff_in_hours"))
    else:
        dispatcher.utter_message(text=default_copy().text("handoff_after_hours", next_opening=next_opening))
    events: List[EventType] = [
        SlotSet("handoff_reason", reason),
        SlotSet("after_hours", step.after_hours),
    ]
    await save_lead(tracker, events, status=step.lead_status, after_hours=step.after_hours)
    return events + [FollowupAction("contact_form")]


class ActionHandoff(Action):
    """The customer asked for a person, is frustrated, or the guidance needs an agent."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if tracker.active_loop_name == "contact_form" and tracker.get_slot("handoff_reason"):
            # Asked again while the details for the agent are being taken: no second promise
            # and no second save; the form asks its question again and counts that ask.
            dispatcher.utter_message(text=default_copy().text("handoff_under_way"))
            return []
        reason = dependencies.handoff_policy().reason_for_intent(
            latest_intent(tracker), tracker.get_slot("handoff_reason"))
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
        return await start_handoff(dependencies.handoff_policy().fallback_reason, dispatcher,
                                   tracker)


class ActionSubmitLead(Action):
    """Contact details are in: save the lead; post it to sales, pause, or promise the callback."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        name = tracker.get_slot("contact_name") or default_copy().text("unknown_name")
        reason: Optional[Text] = tracker.get_slot("handoff_reason")
        if not reason:
            email = tracker.get_slot("email")
            await save_lead(tracker, [], status="new")  # the email is built from the lead
            if email and not has_plan(tracker.get_slot("recommendation")) and needs_begun(tracker):
                # "email me the plan" in the middle of the questions: back to them; the plan is
                # emailed once it is shown (actions/recommendation.py)
                dispatcher.utter_message(text=default_copy().text("plan_email_after_questions", name=name, email=email))
                return [FollowupAction("needs_form")]
            said = await email_the_plan(tracker.sender_id, email,
                                        tracker.get_slot("recommendation"))
            dispatcher.utter_message(text=default_copy().text(said, name=name, email=email))
            return []
        is_open, next_opening = _office_state()
        step = dependencies.handoff_policy().next_step(is_open)
        if step.kind == "callback":
            when = tracker.get_slot("callback_time")
            dispatcher.utter_message(text=default_copy().text(
                "callback_promised_at" if when else "callback_promised",
                name=name, callback_time=when, next_opening=next_opening))
            await _notify("callback", await save_lead(tracker, [], status=step.lead_status,
                                                      after_hours=step.after_hours),
                          tracker.sender_id)
            return []
        await _notify("handoff", await save_lead(tracker, [], status=step.lead_status,
                                                 after_hours=step.after_hours),
                      tracker.sender_id)
        if not await asyncio.to_thread(_await_agent, tracker.sender_id, channel_of(tracker)):
            # Without the wait nobody could join, nor would anyone tell the customer that nobody
            # came: promise only what still holds (the handoff post is queued or spooled).
            dispatcher.utter_message(text=default_copy().text("agent_unreachable", name=name))
            return []
        dispatcher.utter_message(text=default_copy().text("agent_joining", name=name))
        await asyncio.to_thread(_mark_paused, tracker.sender_id)
        return [ConversationPaused()]


async def _notify(kind: LeadEventKind, lead: Any, sender_id: Text) -> None:
    """Tell the sales team (the notifiers that take this kind of event) through the outbox:
    posted now when possible, else retried until it goes out. A lead that was only spooled
    (database down) is queued too (spooled beside it) and posted once the database is back."""
    queued, delivered = await send_now(kind, sender_id)
    if queued and not any(result.sent for result in delivered):
        logger.info("%s of lead #%s not delivered yet; it stays in the outbox", kind,
                    lead.id if lead is not None else "(spooled)")


def _await_agent(sender_id: Text, channel: Optional[Text]) -> bool:
    """Start the takeover that waits for an agent, before the customer is promised one: if
    nobody takes it in time the Rasa server tells the customer and offers a callback
    (bot.leads.takeover). False when it cannot start (the lead database is down)."""
    from bot.leads.takeover import TakeoverStore, timeout_from_env

    try:
        TakeoverStore(dependencies.lead_store()).open(sender_id, channel or "unknown",
                                                      timeout_from_env())
        return True
    except Exception:  # noqa: BLE001 - told to the customer instead of the join promise
        logger.warning("could not start waiting for an agent")
        return False


def _mark_paused(sender_id: Text) -> None:
    try:
        dependencies.lead_store().set_paused(sender_id, True)
    except Exception:  # noqa: BLE001 - the dashboard flag is secondary to the conversation
        logger.warning("could not mark the lead as paused")
