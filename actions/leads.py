"""Keep the conversation's lead up to date (blocking DB work runs off the event loop)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType

from actions import dependencies
from actions.tracker_utils import channel_of, contract_slots
from bot.leads.update import build_lead_update

logger = logging.getLogger(__name__)


async def save_lead(
    tracker: Tracker,
    events: List[EventType],
    status: Optional[Text] = None,
    after_hours: Optional[bool] = None,
) -> Any:
    """Upsert this conversation's lead, counting the slots `events` are about to set; on a
    database outage the store spools it to disk. Returns the lead, or None (spooled/failed)."""
    try:
        update = build_lead_update(
            tracker.sender_id, channel=channel_of(tracker), slots=contract_slots(tracker),
            events=tracker.events, new_events=events, status=status, after_hours=after_hours)
        lead = await asyncio.to_thread(dependencies.lead_store().save_or_spool, update)
    except Exception:  # the conversation must go on whatever the lead store does
        logger.exception("could not save the lead for this conversation")
        return None
    _ensure_outbox_worker()
    return lead


def _ensure_outbox_worker() -> None:
    """Start this process's outbox delivery worker (once): after a restart, messages left in
    the outbox (and spools) go out as soon as the process saves its first lead."""
    try:
        dependencies.outbox_worker()
    except Exception:  # noqa: BLE001 - delivery is retried by the next start
        logger.exception("the outbox delivery worker did not start")
