"""`Outbox`: queue a message (once per idempotency key), claim due ones, record what happened.

The table lives in the leads database and goes through the same `LeadStore` (engine, SQLite
write locking, `LeadStoreUnavailable` on outages). While the database is down,
`enqueue_or_spool()` appends the message to a spool file beside the lead spool
(`var/outbox-spool.jsonl`), and `replay_spool()` queues it once the database answers; queuing
is idempotent, so a replay that is interrupted and run again queues nothing twice.

Claiming (`claim_due`): a due row is taken by one conditional UPDATE (`... WHERE id = :id AND
<still due>`), so of two workers only one gets a row; on PostgreSQL the candidates are first
selected `FOR UPDATE SKIP LOCKED`, so workers don't even wait on each other's rows. A claim is
a lease: a worker that dies while sending leaves a `sending` row that becomes claimable again
when `claimed_until` passes (the message may then go out twice: at-least-once, as any outbox
without the receiver's help). A row is not claimable while an earlier row with the same
ordering key (lead and destination) is neither sent nor dead: messages of a lead go out in
order.

Times are the real clock (UTC), not BOT_NOW: a retry due in 5 seconds must come.
All methods block; async callers use `asyncio.to_thread`.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Collection, Mapping, Optional, Sequence, Union

from sqlalchemy import and_, exc, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url

from bot.base.spool import JsonlSpool
from bot.leads.store import LeadStore, LeadStoreUnavailable
from bot.outbox.models import (
    CLAIMABLE_STATES,
    FINAL_STATES,
    STATES,
    OutboxItem,
    outbox_table,
    row_to_item,
)
from bot.outbox.retry import RetryPolicy

log = logging.getLogger(__name__)

SPOOL_NAME = "outbox-spool.jsonl"
#: How long a claim holds: longer than any one delivery (Slack 3 s, SMTP 10 s timeouts).
DEFAULT_LEASE_S = 120.0
#: Longest error text kept on a row (the dashboard shows it).
MAX_ERROR_CHARS = 500


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


@dataclass(frozen=True)
class NewMessage:
    """A message to queue. `held`: its destination is not set up yet (no SMTP_URL); it waits
    for a person, or for a worker that can deliver it."""

    idempotency_key: str
    ordering_key: str
    destination: str
    kind: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    sender_id: Optional[str] = None
    held: bool = False

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "payload": dict(self.payload)}

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> "NewMessage":
        return cls(
            idempotency_key=str(entry["idempotency_key"]),
            ordering_key=str(entry["ordering_key"]),
            destination=str(entry["destination"]),
            kind=str(entry["kind"]),
            payload=dict(entry.get("payload") or {}),
            sender_id=entry.get("sender_id"),
            held=bool(entry.get("held")),
        )


@dataclass(frozen=True)
class Enqueued:
    """The row for a message, and whether this call created it (False: it was there)."""

    item: OutboxItem
    created: bool


class Outbox:
    """The outbox table of `store`'s database. Cheap to construct."""

    def __init__(
        self,
        store: LeadStore,
        *,
        policy: Optional[RetryPolicy] = None,
        clock: Optional[Callable[[], datetime]] = None,
        spool_path: Union[str, Path, None] = None,
        lease_s: float = DEFAULT_LEASE_S,
        worker_id: Optional[str] = None,
    ) -> None:
        self.store = store
        self.policy = policy or RetryPolicy()
        self._clock = clock or utc_now
        self.spool_path = Path(spool_path) if spool_path is not None else \
            store.spool_path.with_name(SPOOL_NAME)
        self.lease = timedelta(seconds=lease_s)
        self.worker_id = worker_id or default_worker_id()
        self._db_key = make_url(store.url).render_as_string(hide_password=True)
        # The lead store's spool rules (bot/base/spool.py); refused lines go to
        # `outbox-spool.jsonl.rejected`.
        self._spool = JsonlSpool(self.spool_path, self.spool_path.with_name(self.spool_path.name + ".rejected"),
                                 self._db_key, clock=self._clock)

    def now(self) -> datetime:
        return self._clock()

    # --- queuing -----------------------------------------------------------------------------

    def enqueue(self, message: NewMessage, at: Optional[datetime] = None) -> Enqueued:
        """Queue `message` unless its idempotency key is already there. Raises
        LeadStoreUnavailable when the database is down (see `enqueue_or_spool`)."""
        now = at or self.now()
        table = outbox_table
        insert = (pg_insert if self.store.dialect == "postgresql" else sqlite_insert)(table)
        statement = insert.values(
            idempotency_key=message.idempotency_key,
            ordering_key=message.ordering_key,
            destination=message.destination,
            kind=message.kind,
            sender_id=message.sender_id,
            payload=dict(message.payload),
            state="held" if message.held else "queued",
            attempts=0,
            max_attempts=self.policy.max_attempts,
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
        ).on_conflict_do_nothing(index_elements=[table.c.idempotency_key])
        with self.store.transaction(write=True) as conn:
            created = conn.execute(statement).rowcount == 1
            row = conn.execute(select(table).where(
                table.c.idempotency_key == message.idempotency_key)).one()
        return Enqueued(row_to_item(row._mapping), created)

    def enqueue_or_spool(self, message: NewMessage) -> Optional[Enqueued]:
        """`enqueue()`, or, when the database is unavailable, append it to the spool file.

        Returns None when spooled. Spooled messages are queued first, so a lead's messages
        keep their order.
        """
        at = self.now()
        try:
            if self.pending_spool():
                self.replay_spool()
            return self.enqueue(message, at=at)
        except LeadStoreUnavailable as error:
            self._spool.append({**message.to_json(), "at": at.isoformat(), "db": self._db_key})
            log.warning("outbox unavailable, %s message %s spooled to %s (%s)",
                        message.destination, message.idempotency_key, self.spool_path, error)
            return None

    # --- the spool ---------------------------------------------------------------------------

    def pending_spool(self) -> bool:
        return self._spool.pending()

    def replay_spool(self) -> int:
        """Queue the spooled messages in order and remove them; returns how many were queued
        (already-queued keys count: queuing is idempotent). The spool's rules are
        bot/base/spool.py's, shared with the lead store: stop at the first message the database
        still cannot take, leave other databases' lines, set refused lines aside, rewrite
        atomically."""

        def queue(entry: dict[str, Any]) -> None:
            at = datetime.fromisoformat(entry["at"]) if entry.get("at") else None
            self.enqueue(NewMessage.from_json(entry), at=at)

        done = self._spool.replay(queue, unavailable=LeadStoreUnavailable,
                                  refused=(exc.SQLAlchemyError,))
        if done.applied:
            log.info("queued %d spooled outbox message(s); %d still spooled", done.applied,
                     done.pending)
        return done.applied

    # --- delivery ----------------------------------------------------------------------------

    def _due(self, now: datetime, destinations: Collection[str]) -> Any:
        """The condition for a claimable row, for `destinations` (set up in this process)."""
        table = outbox_table
        later = outbox_table.alias("earlier")
        waiting = or_(
            and_(table.c.state.in_(CLAIMABLE_STATES), table.c.next_attempt_at <= now),
            # A destination set up since the message was held: deliverable now.
            table.c.state == "held",
            # A claim that ran out: its worker died or hung.
            and_(table.c.state == "sending", table.c.claimed_until < now),
        )
        earlier_open = exists().where(
            later.c.ordering_key == table.c.ordering_key,
            later.c.id < table.c.id,
            later.c.state.notin_(FINAL_STATES),
        )
        return and_(table.c.destination.in_(list(destinations)), waiting, ~earlier_open)

    def claim_due(self, destinations: Collection[str], limit: int = 10,
                  ordering_keys: Optional[Sequence[str]] = None) -> list[OutboxItem]:
        """Claim up to `limit` due rows for these destinations, oldest first; each is then
        this worker's to deliver and report (`mark_sent` / `mark_failed`).
        `ordering_keys`: only those (a conversation delivering its own messages now)."""
        if not destinations:
            return []
        table = outbox_table
        now = self.now()
        due = self._due(now, destinations)
        if ordering_keys is not None:
            due = and_(due, table.c.ordering_key.in_(list(ordering_keys)))
        candidates = (select(table.c.id).where(due).order_by(table.c.id).limit(limit)
                      .with_for_update(skip_locked=True, of=table))  # SQLite: none needed
        claimed: list[OutboxItem] = []
        with self.store.transaction(write=True) as conn:
            for item_id in conn.execute(candidates).scalars().all():
                taken = conn.execute(
                    update(table).where(table.c.id == item_id, due).values(
                        state="sending", attempts=table.c.attempts + 1,
                        claimed_until=now + self.lease, claimed_by=self.worker_id,
                        updated_at=now))
                if taken.rowcount == 1:
                    row = conn.execute(select(table).where(table.c.id == item_id)).one()
                    claimed.append(row_to_item(row._mapping))
        return claimed

    def mark_sent(self, item_id: int, by: Optional[str] = None) -> Optional[OutboxItem]:
        """The claimed row went out."""
        now = self.now()
        return self._set(item_id, state="sent", sent_at=now, sent_by=by or self.worker_id,
                         claimed_until=None, updated_at=now)

    def mark_failed(self, item: OutboxItem, error: str) -> Optional[OutboxItem]:
        """The claimed row's attempt failed: retry after the back-off, or give up (dead)."""
        now = self.now()
        detail = " ".join(str(error).split())[:MAX_ERROR_CHARS] or "failed"
        if item.attempts >= item.max_attempts:
            return self._set(item.id, state="dead", last_error=detail, claimed_until=None,
                             updated_at=now)
        return self._set(item.id, state="retrying", last_error=detail, claimed_until=None,
                         next_attempt_at=now + self.policy.delay(item.attempts), updated_at=now)

    # --- what a person does (dashboard) ------------------------------------------------------

    def retry_now(self, item_id: int) -> Optional[OutboxItem]:
        """Try a dead or failing row again at once, with a fresh count of attempts. (A held
        row goes out by itself once its destination is set up.)"""
        now = self.now()
        table = outbox_table
        with self.store.transaction(write=True) as conn:
            result = conn.execute(
                update(table).where(table.c.id == item_id,
                                    table.c.state.in_(("dead", "retrying")))
                .values(state="queued", attempts=0, next_attempt_at=now, updated_at=now))
            if result.rowcount == 0:
                return None
            row = conn.execute(select(table).where(table.c.id == item_id)).one()
        return row_to_item(row._mapping)

    def mark_sent_by_hand(self, item_id: int, who: str) -> Optional[OutboxItem]:
        """A person sent it themselves (e.g. the plan, while SMTP is not set up): done."""
        now = self.now()
        table = outbox_table
        with self.store.transaction(write=True) as conn:
            result = conn.execute(
                update(table).where(table.c.id == item_id, table.c.state != "sending",
                                    table.c.state != "sent")
                .values(state="sent", sent_at=now, sent_by=f"{who} (by hand)",
                        claimed_until=None, updated_at=now))
            if result.rowcount == 0:
                return None
            row = conn.execute(select(table).where(table.c.id == item_id)).one()
        return row_to_item(row._mapping)

    # --- reads -------------------------------------------------------------------------------

    def get(self, item_id: int) -> Optional[OutboxItem]:
        table = outbox_table
        with self.store.transaction(write=False) as conn:
            row = conn.execute(select(table).where(table.c.id == item_id)).one_or_none()
        return row_to_item(row._mapping) if row is not None else None

    def get_by_key(self, idempotency_key: str) -> Optional[OutboxItem]:
        table = outbox_table
        with self.store.transaction(write=False) as conn:
            row = conn.execute(select(table).where(
                table.c.idempotency_key == idempotency_key)).one_or_none()
        return row_to_item(row._mapping) if row is not None else None

    def list_items(self, states: Optional[Collection[str]] = None,
                   sender_id: Optional[str] = None, limit: int = 200) -> list[OutboxItem]:
        """Rows, newest first."""
        table = outbox_table
        query = select(table)
        if states:
            unknown = set(states) - set(STATES)
            if unknown:
                raise ValueError(f"unknown outbox states {sorted(unknown)}")
            query = query.where(table.c.state.in_(list(states)))
        if sender_id is not None:
            query = query.where(table.c.sender_id == sender_id)
        query = query.order_by(table.c.id.desc()).limit(limit)
        with self.store.transaction(write=False) as conn:
            return [row_to_item(row._mapping) for row in conn.execute(query)]

    def counts(self) -> dict[str, int]:
        """How many rows are in each state (every state, zeros included)."""
        table = outbox_table
        with self.store.transaction(write=False) as conn:
            rows = conn.execute(select(table.c.state, func.count()).group_by(table.c.state))
            found = {state: int(count) for state, count in rows}
        return {state: found.get(state, 0) for state in STATES}

    def _set(self, item_id: int, **values: Any) -> Optional[OutboxItem]:
        table = outbox_table
        with self.store.transaction(write=True) as conn:
            result = conn.execute(update(table).where(table.c.id == item_id).values(**values))
            if result.rowcount == 0:
                return None
            row = conn.execute(select(table).where(table.c.id == item_id)).one()
        return row_to_item(row._mapping)
