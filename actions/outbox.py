"""What the actions send out goes through the outbox (bot/outbox, bot/notify/delivery.py):
queued durably, delivered at once when possible, retried by the delivery worker otherwise."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Mapping, Optional, Text

from actions import dependencies
from bot.notify.delivery import HELD_WHEN_NOT_SET_UP, Delivered, Queued, content_version

logger = logging.getLogger(__name__)


async def send_now(kind: Text, sender_id: Text, *, recipient: Optional[Text] = None,
                   version: Optional[Text] = None) -> tuple[list[Queued], list[Delivered]]:
    """Queue a `kind` message about this conversation and deliver this conversation's due
    messages now (blocking work off the event loop). Never raises: what fails here is
    retried by the delivery worker, which this makes sure is running."""
    queued: list[Queued] = []
    delivered: list[Delivered] = []
    try:
        delivery = dependencies.outbox_delivery()
        queued = await asyncio.to_thread(delivery.queue_for_conversation, kind, sender_id,
                                         recipient=recipient, version=version)
        if queued:
            delivered = await asyncio.to_thread(delivery.deliver_due,
                                                delivery.ordering_keys(queued))
    except Exception:  # noqa: BLE001 - the conversation goes on; the worker retries
        logger.exception("could not queue or deliver the %s message of this conversation", kind)
    try:
        dependencies.outbox_worker()
    except Exception:  # noqa: BLE001
        logger.exception("the outbox delivery worker did not start")
    return queued, delivered


def has_plan(recommendation: Optional[Mapping[str, Any]]) -> bool:
    return bool(recommendation and (recommendation.get("plan") or recommendation.get("carriers")))


async def email_the_plan(sender_id: Text, email: Optional[Text],
                         recommendation: Optional[Mapping[str, Any]]) -> Text:
    """Send the plan to `email` now if possible; the conversation.yml message that tells the
    customer truthfully what happened: emailed, on its way (retried), an agent sends it (no
    SMTP here: it waits in the dashboard's outbox), or there is no plan yet."""
    if not has_plan(recommendation) or not email:
        return "plan_email_no_plan_yet" if not has_plan(recommendation) else "plan_by_email"
    queued, delivered = await send_now("plan", sender_id, recipient=email,
                                       version=content_version(recommendation))
    plan = [entry for entry in queued if entry.message.kind == "plan"]
    if any(r.sent and r.item.kind == "plan" for r in delivered) or any(
            entry.item is not None and entry.item.state == "sent" for entry in plan):
        return "plan_emailed"
    if any(not entry.message.held for entry in plan):
        return "plan_email_on_its_way"  # SMTP is set up: the worker retries it
    # Email is not set up here, or queuing failed altogether: a person sends it.
    destination = HELD_WHEN_NOT_SET_UP["plan"]
    logger.info("plan email waits in the outbox for an agent (%s not set up)", destination)
    return "plan_by_email"
