"""Live takeover state: who from the agency has a customer's chat, and what was said meanwhile.

A takeover starts `waiting` when the assistant tells the customer, in business hours, that an
agent will join. Then exactly one of:

- an agent claims it (`taken`): `claim()` is one conditional UPDATE (`... WHERE state =
  'waiting'`), so of two agents pressing "Take this chat" at once exactly one row count is 1;
  the other reads who has it;
- nobody claims it before `deadline_at` (`expired`): `expire_due()` claims the expiry the same
  way, so one server process, once, tells the customer and offers the callback;
- someone resumes the assistant elsewhere (dashboard's Resume, the CLI) (`resumed`).

A taken chat ends `handed_back` (to the assistant) or `closed` by an agent; both record who and
when. Every agent and customer line of a takeover is a `takeover_messages` row: the dashboard's
live view and a REST customer's next response read them (REST rows carry `delivered`).

Times here are the real clock (UTC), not BOT_NOW: a deadline three minutes away must come.
All methods block; async callers use `asyncio.to_thread`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping, Optional

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    false,
    insert,
    select,
    update,
)

from bot.leads.models import UTCDateTime, metadata
from bot.leads.sanitize import strip_nul
from bot.leads.store import LeadStore

#: states in which a person is expected (waiting) or present (taken)
ACTIVE_STATES: tuple[str, ...] = ("waiting", "taken")
END_STATES: tuple[str, ...] = ("handed_back", "closed", "expired", "resumed")
MESSAGE_ROLES: tuple[str, ...] = ("agent", "customer", "system")
DEFAULT_TIMEOUT_S = 180.0

takeovers_table = Table(
    "takeovers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("opened_at", UTCDateTime(), nullable=False),
    Column("deadline_at", UTCDateTime(), nullable=False),
    Column("agent_id", String(64)),
    Column("agent_name", Text),
    Column("agent_via", String(16)),
    Column("taken_at", UTCDateTime()),
    Column("ended_at", UTCDateTime()),
    Column("ended_by", Text),
    Column("slack_channel", String(64)),
    Column("slack_thread_ts", String(32)),
    Index("ix_takeovers_sender_id", "sender_id"),
    Index("ix_takeovers_state", "state"),
)

takeover_messages_table = Table(
    "takeover_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("takeover_id", Integer, nullable=False),
    Column("sender_id", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("author", Text),
    Column("text", Text, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("delivered", Boolean, nullable=False, server_default=false()),
    Index("ix_takeover_messages_sender_id", "sender_id", "id"),
)


@dataclass(frozen=True)
class Takeover:
    id: int
    sender_id: str
    channel: str
    state: str
    opened_at: datetime
    deadline_at: datetime
    agent_id: Optional[str] = None
    agent_name: Optional[str] = None
    agent_via: Optional[str] = None
    taken_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None
    ended_by: Optional[str] = None
    slack_channel: Optional[str] = None
    slack_thread_ts: Optional[str] = None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


@dataclass(frozen=True)
class TakeoverMessage:
    id: int
    takeover_id: int
    sender_id: str
    role: str
    author: Optional[str]
    text: str
    at: datetime
    delivered: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "role": self.role, "author": self.author, "text": self.text,
                "at": self.at.isoformat()}


@dataclass(frozen=True)
class Claim:
    """The answer to "Take this chat": `won`, and the takeover as it is now (who has it)."""

    won: bool
    takeover: Optional[Takeover]
    # The line that tells the customer who joined, recorded with the claim (won claims only).
    joined_line: Optional[TakeoverMessage] = None


def _takeover(row: Any) -> Takeover:
    return Takeover(**dict(row._mapping))


def _message(row: Any) -> TakeoverMessage:
    values = dict(row._mapping)
    values["delivered"] = bool(values["delivered"])
    return TakeoverMessage(**values)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def timeout_from_env(env: Optional[Mapping[str, str]] = None) -> float:
    """TAKEOVER_TIMEOUT_S: how long a customer waits for an agent before the assistant says
    so and offers a callback (default 180 seconds)."""
    raw = (os.environ if env is None else env).get("TAKEOVER_TIMEOUT_S", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError as error:
        raise ValueError(f"TAKEOVER_TIMEOUT_S={raw!r} is not a number of seconds") from error
    return value if value > 0 else DEFAULT_TIMEOUT_S


class TakeoverStore:
    """Takeover rows in the lead database (same engine and transactions as `LeadStore`)."""

    def __init__(self, leads: LeadStore, clock: Callable[[], datetime] = _utcnow) -> None:
        self.leads = leads
        self._clock = clock

    def _tx(self, write: bool) -> Any:
        return self.leads.transaction(write=write)

    # --- reads -------------------------------------------------------------------------------

    def active_for(self, sender_id: str) -> Optional[Takeover]:
        """The conversation's waiting or taken takeover, or None."""
        t = takeovers_table
        with self._tx(write=False) as conn:
            row = conn.execute(select(t).where(and_(t.c.sender_id == sender_id,
                                                    t.c.state.in_(ACTIVE_STATES)))
                               .order_by(t.c.id.desc()).limit(1)).one_or_none()
        return _takeover(row) if row is not None else None

    def latest_for(self, sender_id: str) -> Optional[Takeover]:
        t = takeovers_table
        with self._tx(write=False) as conn:
            row = conn.execute(select(t).where(t.c.sender_id == sender_id)
                               .order_by(t.c.id.desc()).limit(1)).one_or_none()
        return _takeover(row) if row is not None else None

    def get(self, takeover_id: int) -> Optional[Takeover]:
        t = takeovers_table
        with self._tx(write=False) as conn:
            row = conn.execute(select(t).where(t.c.id == takeover_id)).one_or_none()
        return _takeover(row) if row is not None else None

    def by_slack_thread(self, channel: str, thread_ts: str) -> Optional[Takeover]:
        """The active takeover whose agent talks in this Slack thread."""
        t = takeovers_table
        with self._tx(write=False) as conn:
            row = conn.execute(select(t).where(and_(
                t.c.slack_channel == channel, t.c.slack_thread_ts == thread_ts,
                t.c.state.in_(ACTIVE_STATES))).order_by(t.c.id.desc()).limit(1)).one_or_none()
        return _takeover(row) if row is not None else None

    def messages(self, sender_id: str, after: int = 0, limit: int = 500) -> list[TakeoverMessage]:
        """The conversation's takeover lines with id > `after`, oldest first."""
        m = takeover_messages_table
        with self._tx(write=False) as conn:
            rows = conn.execute(select(m).where(and_(m.c.sender_id == sender_id, m.c.id > after))
                                .order_by(m.c.id).limit(limit)).all()
        return [_message(row) for row in rows]

    # --- writes ------------------------------------------------------------------------------

    def open(self, sender_id: str, channel: str,
             timeout_s: float = DEFAULT_TIMEOUT_S) -> Takeover:
        """Start waiting for an agent; an already active takeover is returned as it is."""
        t = takeovers_table
        now = self._clock()
        with self._tx(write=True) as conn:
            row = conn.execute(select(t).where(and_(t.c.sender_id == sender_id,
                                                    t.c.state.in_(ACTIVE_STATES)))
                               .order_by(t.c.id.desc()).limit(1)).one_or_none()
            if row is not None:
                return _takeover(row)
            new_id = conn.execute(insert(t).values(
                sender_id=sender_id, channel=channel or "unknown", state="waiting",
                opened_at=now, deadline_at=now + timedelta(seconds=timeout_s))
            ).inserted_primary_key[0]
            return _takeover(conn.execute(select(t).where(t.c.id == new_id)).one())

    def claim(self, takeover_id: int, agent_id: str, agent_name: str, via: str,
              slack_channel: Optional[str] = None,
              slack_thread_ts: Optional[str] = None,
              joined_text: Optional[str] = None, joined_delivered: bool = False) -> Claim:
        """Give a waiting takeover to this agent; exactly one of concurrent claims wins.

        `joined_text`, when given, is recorded as the system line to the customer in the same
        transaction: a crash right after the claim cannot leave a taken chat whose customer
        is never told that a person joined.
        """
        t = takeovers_table
        values: dict[str, Any] = {"state": "taken", "agent_id": agent_id,
                                  "agent_name": agent_name, "agent_via": via,
                                  "taken_at": self._clock()}
        if slack_channel and slack_thread_ts:
            values.update(slack_channel=slack_channel, slack_thread_ts=slack_thread_ts)
        with self._tx(write=True) as conn:
            won = conn.execute(update(t).where(and_(t.c.id == takeover_id,
                                                    t.c.state == "waiting"))
                               .values(**values)).rowcount == 1
            row = conn.execute(select(t).where(t.c.id == takeover_id)).one_or_none()
            joined = None
            if won and row is not None and joined_text is not None:
                joined = self._insert_message(conn, _takeover(row), "system", joined_text,
                                              agent_name, joined_delivered)
        return Claim(won, _takeover(row) if row is not None else None, joined)

    def attach_slack_thread(self, takeover_id: int, channel: str, thread_ts: str) -> None:
        """Where the agent talks (a dashboard take still has the Slack post's thread)."""
        t = takeovers_table
        with self._tx(write=True) as conn:
            conn.execute(update(t).where(and_(t.c.id == takeover_id, t.c.slack_thread_ts.is_(None)))
                         .values(slack_channel=channel, slack_thread_ts=thread_ts))

    def end(self, takeover_id: int, state: str, by: Optional[str] = None,
            from_states: tuple[str, ...] = ACTIVE_STATES) -> Optional[Takeover]:
        """Move an active takeover to an end state; None when it was not in `from_states`
        (someone else ended it first)."""
        if state not in END_STATES:
            raise ValueError(f"unknown end state {state!r}")
        t = takeovers_table
        with self._tx(write=True) as conn:
            changed = conn.execute(update(t).where(and_(t.c.id == takeover_id,
                                                        t.c.state.in_(from_states)))
                                   .values(state=state, ended_at=self._clock(), ended_by=by)
                                   ).rowcount == 1
            if not changed:
                return None
            return _takeover(conn.execute(select(t).where(t.c.id == takeover_id)).one())

    def expire_due(self) -> list[Takeover]:
        """Waiting takeovers past their deadline, each moved to `expired` by this call only."""
        t = takeovers_table
        now = self._clock()
        with self._tx(write=False) as conn:
            due = [row.id for row in conn.execute(select(t.c.id).where(and_(
                t.c.state == "waiting", t.c.deadline_at <= now)))]
        expired = []
        for takeover_id in due:
            ended = self.end(takeover_id, "expired", by=None, from_states=("waiting",))
            if ended is not None:
                expired.append(ended)
        return expired

    def add_message(self, takeover: Takeover, role: str, text: str,
                    author: Optional[str] = None, delivered: bool = False) -> TakeoverMessage:
        if role not in MESSAGE_ROLES:
            raise ValueError(f"unknown role {role!r}")
        with self._tx(write=True) as conn:
            return self._insert_message(conn, takeover, role, text, author, delivered)

    def _insert_message(self, conn: Any, takeover: Takeover, role: str, text: str,
                        author: Optional[str], delivered: bool) -> TakeoverMessage:
        m = takeover_messages_table
        new_id = conn.execute(insert(m).values(
            takeover_id=takeover.id, sender_id=takeover.sender_id, role=role,
            # PostgreSQL refuses NUL in text; the customer's message must still be relayed.
            author=strip_nul(author), text=strip_nul(text), at=self._clock(),
            delivered=delivered)).inserted_primary_key[0]
        return _message(conn.execute(select(m).where(m.c.id == new_id)).one())

    def take_undelivered(self, sender_id: str) -> list[TakeoverMessage]:
        """Agent and system lines a REST customer has not been given yet; now marked given."""
        m = takeover_messages_table
        pending = and_(m.c.sender_id == sender_id, m.c.role != "customer",
                       m.c.delivered == false())
        with self._tx(write=False) as conn:  # the usual answer is "none": no write lock
            if conn.execute(select(m.c.id).where(pending).limit(1)).first() is None:
                return []
        with self._tx(write=True) as conn:
            rows = conn.execute(select(m).where(pending).order_by(m.c.id)).all()
            if rows:
                conn.execute(update(m).where(m.c.id.in_([r.id for r in rows]))
                             .values(delivered=True))
        return [_message(row) for row in rows]
