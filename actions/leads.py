"""Keep the conversation's lead up to date (blocking DB work runs off the event loop)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions import dependencies
from actions.tracker_utils import channel_of, contract_slots, transcript

logger = logging.getLogger(__name__)


def _slots_after(tracker: Tracker, events: List[EventType]) -> Dict[Text, Any]:
    slots = contract_slots(tracker)
    for event in events:
        if event.get("event") == "slot" and event.get("name") in slots:
            slots[event["name"]] = event.get("value")
    return slots


async def save_lead(
    tracker: Tracker,
    events: List[EventType],
    status: Optional[Text] = None,
    after_hours: Optional[bool] = None,
) -> Any:
    """Upsert this conversation's lead; on a database outage the store spools it to disk."""
    slots = _slots_after(tracker, events)
    try:
        return await asyncio.to_thread(
            dependencies.lead_store().upsert_or_spool,
            tracker.sender_id,
            channel=channel_of(tracker),
            slots=slots,
            status=status,
            after_hours=after_hours,
            recommendation=slots.get("recommendation"),
            transcript=transcript(tracker),
            callback_time=slots.get("callback_time"),
        )
    except Exception:  # the conversation must go on whatever the lead store does
        logger.exception("could not save the lead for this conversation")
        return None
