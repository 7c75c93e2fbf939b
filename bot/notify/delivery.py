"""From the outbox to the notifiers: queue what should go out, deliver what is due.

Callers queue (`queue_for_conversation`, `queue_digest`) and may deliver their own messages
at once (`deliver_due(ordering_keys=...)`); the delivery worker (bot.notify.worker) delivers
the rest and the retries. Each outbox row names its destination (a notifier's `name`) and
kind; the event is rebuilt from the database at delivery time, so a handoff post shows the
lead as it is when it goes out (and a lead that was spooled while the database was down is
posted once it is there).

Keys: a conversation's message is queued once per kind, destination and conversation (and
recipient and content version where given: the plan to an address); a digest once per run
of the digest command (running it again posts again, as before the outbox; a run's retries
never post twice). Order: per destination and conversation.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.base.privacy import redact
from bot.leads.models import Lead
from bot.leads.store import LeadStore, LeadStoreUnavailable
from bot.notify.base import DeliveryFailed, LeadEvent, Notifier, Notifiers, deliver
from bot.outbox.models import OutboxItem
from bot.outbox.store import Enqueued, NewMessage, Outbox

log = logging.getLogger(__name__)

#: Kinds queued for a destination even where it is not set up: a customer was promised them,
#: so they wait ("to send") for a person or for a process that can send them.
HELD_WHEN_NOT_SET_UP: Mapping[str, str] = {"plan": "Email"}


def content_version(value: Any) -> str:
    """A short fingerprint of `value` (JSON): a changed plan is a new message."""
    raw = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]


def conversation_message(kind: str, destination: str, sender_id: str, *,
                         recipient: Optional[str] = None, version: Optional[str] = None,
                         held: bool = False) -> NewMessage:
    key = ":".join(part for part in (kind, destination, sender_id,
                                      (recipient or "").strip().lower(), version or "") if part)
    return NewMessage(
        idempotency_key=key[:255],
        ordering_key=f"{destination}:{sender_id}"[:255],
        destination=destination,
        kind=kind,
        sender_id=sender_id,
        payload={"sender_id": sender_id, "recipient": recipient},
        held=held,
    )


def digest_message(destination: str, leads: Sequence[Lead], since: datetime,
                   until: datetime, run_id: str) -> NewMessage:
    ids = sorted(lead.id for lead in leads)
    window = f"{since.isoformat()}/{until.isoformat()}"
    return NewMessage(
        idempotency_key=f"digest:{destination}:{window}:{run_id}"[:255],
        ordering_key=f"{destination}:digest",
        destination=destination,
        kind="digest",
        payload={"lead_ids": ids, "since": since.isoformat(), "until": until.isoformat()},
    )


@dataclass(frozen=True)
class Queued:
    """A message and its outbox row as found after queuing (None: spooled, the database is
    down; `item.state == "sent"`: it had already gone out)."""

    message: NewMessage
    item: Optional[OutboxItem]


@dataclass(frozen=True)
class Delivered:
    """One delivery attempt: the row as recorded afterwards, and why it failed (or None)."""

    item: OutboxItem
    error: Optional[str] = None

    @property
    def sent(self) -> bool:
        return self.error is None


class OutboxDelivery:
    """The outbox of `store`'s database, delivered through `notifiers`. Cheap to construct."""

    def __init__(self, outbox: Outbox, store: LeadStore, notifiers: Notifiers) -> None:
        self.outbox = outbox
        self.store = store
        self.notifiers = notifiers
        self._by_name: dict[str, Notifier] = {n.name: n for n in notifiers}

    # --- queuing -----------------------------------------------------------------------------

    def queue_for_conversation(self, kind: str, sender_id: str, *,
                               recipient: Optional[str] = None,
                               version: Optional[str] = None) -> list[Queued]:
        """Queue a `kind` message about conversation `sender_id` for every notifier that
        takes it (or held, see HELD_WHEN_NOT_SET_UP); spooled while the database is down."""
        destinations = [(n.name, False) for n in self.notifiers.for_kind(kind)]
        held = HELD_WHEN_NOT_SET_UP.get(kind)
        if held and all(name != held for name, _ in destinations):
            destinations.append((held, True))
        messages = [conversation_message(kind, name, sender_id, recipient=recipient,
                                         version=version, held=is_held)
                    for name, is_held in destinations]
        queued = []
        for message in messages:
            entry = self.outbox.enqueue_or_spool(message)
            queued.append(Queued(message, entry.item if entry is not None else None))
        return queued

    def queue_digest(self, leads: Sequence[Lead], since: datetime, until: datetime,
                     run_id: Optional[str] = None) -> list[Enqueued]:
        """Queue the digest for every notifier that takes it. Raises LeadStoreUnavailable
        (the digest is built from the database: it cannot be down)."""
        run_id = run_id or uuid.uuid4().hex[:16]
        return [self.outbox.enqueue(digest_message(n.name, leads, since, until, run_id))
                for n in self.notifiers.for_kind("digest")]

    # --- delivering --------------------------------------------------------------------------

    def replay_spools(self) -> None:
        """Leads first (a spooled handoff needs its lead), then spooled outbox messages."""
        if self.store.pending_spool():
            self.store.replay_spool()
        if self.outbox.pending_spool():
            self.outbox.replay_spool()

    def deliver_due(self, ordering_keys: Optional[Sequence[str]] = None,
                    limit: int = 50) -> list[Delivered]:
        """Claim and deliver due messages (only `ordering_keys`' when given), in order, until
        none is due or `limit` were tried. A database outage ends the pass quietly (claimed
        rows are claimable again when their lease runs out)."""
        destinations = list(self._by_name)
        results: list[Delivered] = []
        try:
            while len(results) < limit:
                batch = self.outbox.claim_due(destinations, limit=min(10, limit - len(results)),
                                              ordering_keys=ordering_keys)
                if not batch:
                    break
                results.extend(self.deliver_item(item) for item in batch)
        except LeadStoreUnavailable as error:
            log.info("outbox delivery paused: %s", error)
        return results

    def deliver_item(self, item: OutboxItem) -> Delivered:
        """Deliver one claimed row and record the outcome."""
        notifier = self._by_name.get(item.destination)
        try:
            if notifier is None:
                raise DeliveryFailed(f"{item.destination} is not set up in this process")
            deliver(notifier, self.event_for(item))
        except DeliveryFailed as error:
            recorded = self.outbox.mark_failed(item, str(error)) or item
            if recorded.state == "dead":
                log.error("outbox #%s (%s %s) gave up after %d attempts: %s", item.id,
                          item.destination, item.kind, item.attempts, redact(str(error)))
            else:
                log.info("outbox #%s (%s %s) attempt %d failed, next at %s: %s", item.id,
                         item.destination, item.kind, item.attempts,
                         recorded.next_attempt_at.isoformat(timespec="seconds"),
                         redact(str(error)))
            return Delivered(recorded, str(error))
        recorded = self.outbox.mark_sent(item.id) or item
        return Delivered(recorded)

    def event_for(self, item: OutboxItem) -> LeadEvent:
        """The event an outbox row stands for, with its leads as they are now."""
        payload = item.payload
        since = _when(payload.get("since"))
        until = _when(payload.get("until"))
        if payload.get("lead_ids") is not None:
            found = [self.store.get_by_id(int(i)) for i in payload["lead_ids"]]
            leads = tuple(lead for lead in found if lead is not None)
            if not leads:
                raise DeliveryFailed("none of its leads is in the database")
        else:
            sender_id = str(payload.get("sender_id") or item.sender_id or "")
            lead = self.store.get(sender_id)
            if lead is None and self.store.pending_spool():
                self.store.replay_spool()
                lead = self.store.get(sender_id)
            if lead is None:
                raise DeliveryFailed("the lead is not in the database yet")
            leads = (lead,)
        return LeadEvent(item.kind, leads, since, until,  # type: ignore[arg-type]
                         recipient=payload.get("recipient"))

    @staticmethod
    def ordering_keys(queued: Iterable[Queued]) -> list[str]:
        return sorted({entry.message.ordering_key for entry in queued})


def _when(value: Any) -> Optional[datetime]:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
