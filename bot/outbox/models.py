"""The `outbox` table (SQLAlchemy Core, on the leads database's metadata) and `OutboxItem`.

The migration `0003_outbox` creates this table; a test checks that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Optional

from sqlalchemy import Column, Index, Integer, String, Table, Text, UniqueConstraint

from bot.leads.models import UTCDateTime, json_type, metadata

#: held: waits for a destination that is not set up here (no SMTP_URL): "to send" for a person;
#: queued: waits for its first attempt; sending: a worker claimed it (until `claimed_until`);
#: retrying: an attempt failed, the next one is at `next_attempt_at`; sent: delivered (or sent
#: by hand); dead: gave up after `max_attempts` (a person decides).
STATES: tuple[str, ...] = ("held", "queued", "sending", "retrying", "sent", "dead")
#: States a worker may claim (a `sending` row whose claim ran out is claimable again).
CLAIMABLE_STATES: tuple[str, ...] = ("queued", "retrying")
#: Rows that no longer hold up later messages of the same lead and destination.
FINAL_STATES: tuple[str, ...] = ("sent", "dead")
#: How the dashboard names each state.
STATE_LABELS: Mapping[str, str] = {
    "held": "to send",
    "queued": "queued",
    "sending": "sending",
    "retrying": "failed, retrying",
    "sent": "sent",
    "dead": "dead",
}

outbox_table = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # One row per message: queuing the same key again is a no-op (the same lead's handoff post
    # is queued once, whoever asks and however often).
    Column("idempotency_key", String(255), nullable=False),
    # Rows with the same ordering key go out in id order (per lead and destination).
    Column("ordering_key", String(255), nullable=False),
    Column("destination", String(32), nullable=False),  # the notifier's name: Slack, Email
    Column("kind", String(32), nullable=False),  # handoff, callback, digest, plan
    Column("sender_id", String(255)),  # the conversation, for the lead's page; None: a digest
    Column("payload", json_type(), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("max_attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_until", UTCDateTime()),
    Column("claimed_by", String(64)),
    Column("last_error", Text),
    Column("sent_at", UTCDateTime()),
    Column("sent_by", Text),
    UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    Index("ix_outbox_due", "state", "next_attempt_at"),
    Index("ix_outbox_ordering", "ordering_key", "id"),
    Index("ix_outbox_sender_id", "sender_id"),
)


@dataclass(frozen=True)
class OutboxItem:
    """One message in the outbox, as stored. Timestamps are aware UTC."""

    id: int
    idempotency_key: str
    ordering_key: str
    destination: str
    kind: str
    sender_id: Optional[str]
    payload: Mapping[str, Any] = field(repr=False)
    state: str
    attempts: int
    max_attempts: int
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime
    claimed_until: Optional[datetime] = None
    claimed_by: Optional[str] = None
    last_error: Optional[str] = None
    sent_at: Optional[datetime] = None
    sent_by: Optional[str] = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def done(self) -> bool:
        return self.state in FINAL_STATES


def row_to_item(row: Mapping[str, Any]) -> OutboxItem:
    values = dict(row)
    values["payload"] = dict(values.get("payload") or {})
    values["attempts"] = int(values.get("attempts") or 0)
    return OutboxItem(**values)
