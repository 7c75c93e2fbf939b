"""The `leads` table (SQLAlchemy Core) and the immutable `Lead` value read from it.

The table definition here is the *current* shape, used for queries. The migrations under
`bot/migrations/versions/` are the history that creates it; a test checks that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

from bot.domain.canonical import CHALLENGES, HANDOFF_REASONS, LEAD_STATUSES, SERVICES
from bot.domain.profile import CustomerProfile, as_int
from bot.domain.slots import LEAD_SLOT_COLUMNS, SLOTS_BY_NAME

#: Slot columns of CONTRACT section 4 (everything but `recommendation`), in export order.
SLOT_FIELDS: tuple[str, ...] = LEAD_SLOT_COLUMNS
LIST_SLOTS: frozenset[str] = frozenset(n for n in SLOT_FIELDS if SLOTS_BY_NAME[n].kind == "list")
INT_SLOTS: frozenset[str] = frozenset(n for n in SLOT_FIELDS if SLOTS_BY_NAME[n].kind == "float")

TRANSCRIPT_ROLES: tuple[str, ...] = ("user", "bot")


class UTCDateTime(TypeDecorator):  # type: ignore[type-arg]
    """Aware datetimes in, aware UTC datetimes out, on every database.

    SQLite has no time zone type: without this, values would come back naive and compare
    wrongly with the aware `BOT_NOW` clock.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the lead store; pass an aware one")
        value = value.astimezone(timezone.utc)
        # SQLite stores text: keep it naive UTC so lexical order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def json_type() -> Any:
    """JSON on SQLite, JSONB on PostgreSQL; Python None is SQL NULL (so COALESCE can merge)."""
    return JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


metadata = MetaData()

leads_table = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("states", json_type()),
    Column("city", Text),
    Column("zip_code", String(10)),
    Column("num_locations", Integer),
    Column("employees", Integer),
    Column("services", json_type()),
    Column("challenges", json_type()),
    Column("current_carrier", Text),
    Column("contract_end", String(10)),
    Column("contact_name", Text),
    Column("company_name", Text),
    Column("email", Text),
    Column("phone", String(32)),
    Column("handoff_reason", String(32)),
    Column("recommendation", json_type()),
    Column("recommended_carriers", json_type()),
    Column("score", Integer, nullable=False, server_default="0"),
    Column("grade", String(1), nullable=False, server_default="C"),
    Column("score_reasons", json_type()),
    Column("status", String(16), nullable=False, server_default="new"),
    Column("after_hours", Boolean, nullable=False, server_default=false()),
    Column("callback_time", Text),
    Column("transcript", json_type()),
    Column("paused", Boolean, nullable=False, server_default=false()),
    Column("agent_notes", json_type()),  # migration 0004
    UniqueConstraint("sender_id", name="uq_leads_sender_id"),
    Index("ix_leads_updated_at", "updated_at"),
    Index("ix_leads_created_at", "created_at"),
)


@dataclass(frozen=True)
class Lead:
    """One conversation's lead, as stored. Lists are tuples; timestamps are aware UTC."""

    id: int
    sender_id: str
    channel: str
    created_at: datetime
    updated_at: datetime
    states: tuple[str, ...] = ()
    city: Optional[str] = None
    zip_code: Optional[str] = None
    num_locations: Optional[int] = None
    employees: Optional[int] = None
    services: tuple[str, ...] = ()
    challenges: tuple[str, ...] = ()
    current_carrier: Optional[str] = None
    contract_end: Optional[str] = None
    contact_name: Optional[str] = None
    company_name: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    handoff_reason: Optional[str] = None
    #: The customer's words for questions left to the agent ('Challenges: "..."').
    agent_notes: tuple[str, ...] = ()
    recommendation: Optional[Mapping[str, Any]] = None
    recommended_carriers: tuple[str, ...] = ()
    score: int = 0
    grade: str = "C"
    score_reasons: tuple[str, ...] = ()
    status: str = "new"
    after_hours: bool = False
    callback_time: Optional[str] = None
    transcript: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    paused: bool = False

    def slots(self) -> dict[str, Any]:
        """The slot values (CONTRACT section 4, without `recommendation`) as a plain mapping."""
        return {name: getattr(self, name) for name in SLOT_FIELDS}

    @property
    def profile(self) -> CustomerProfile:
        return CustomerProfile.from_slots(self.slots())


def row_to_lead(row: Mapping[str, Any]) -> Lead:
    """Build a `Lead` from a `leads` row mapping."""
    values = dict(row)

    def tup(name: str) -> tuple[Any, ...]:
        return tuple(values.get(name) or ())

    return Lead(
        id=values["id"],
        sender_id=values["sender_id"],
        channel=values["channel"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        **{name: tup(name) if name in LIST_SLOTS else values[name] for name in SLOT_FIELDS},
        recommendation=values["recommendation"],
        recommended_carriers=tup("recommended_carriers"),
        score=int(values["score"] or 0),
        grade=values["grade"] or "C",
        score_reasons=tup("score_reasons"),
        status=values["status"],
        after_hours=bool(values["after_hours"]),
        callback_time=values["callback_time"],
        transcript=tup("transcript"),
        paused=bool(values["paused"]),
    )


def normalize_slots(slots: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the known slot keys, with empty values as None.

    None means "nothing new": the store never overwrites a known fact with an empty one, so a
    slot reset mid-conversation does not erase what the lead already holds. Unknown list items
    are dropped for `services`/`challenges` (the contract makes them canonical upstream).
    """
    result: dict[str, Any] = {}
    for name in SLOT_FIELDS:
        value = slots.get(name)
        if name in LIST_SLOTS:
            if isinstance(value, str):
                value = [value]
            items = [str(v) for v in (value or ()) if v not in (None, "")]
            if name == "services":
                items = [v for v in items if v in SERVICES]
            elif name == "challenges":
                items = [v for v in items if v in CHALLENGES]
            # Keep order, drop duplicates (HQ state first matters for `states`).
            result[name] = list(dict.fromkeys(items)) or None
        elif name in INT_SLOTS:
            result[name] = as_int(value)
        elif name == "handoff_reason":
            result[name] = value if value in HANDOFF_REASONS else None
        else:
            text = str(value).strip() if value is not None else ""
            result[name] = text or None
    return result


def carrier_names(recommendation: Optional[Mapping[str, Any]]) -> Optional[list[str]]:
    """Names of the carriers in a recommendation (CONTRACT section 5), in order."""
    if not recommendation:
        return None
    names = []
    for carrier in recommendation.get("carriers") or ():
        name = carrier.get("name") if isinstance(carrier, Mapping) else None
        if name:
            names.append(str(name))
    return list(dict.fromkeys(names))


def normalize_transcript(transcript: Any) -> Optional[list[dict[str, Any]]]:
    """Transcript entries as {"role": "user"|"bot", "text": str, "at": str|None}."""
    if transcript is None:
        return None
    entries = []
    for item in transcript:
        if not isinstance(item, Mapping):
            continue
        role = item.get("role")
        if role not in TRANSCRIPT_ROLES:
            continue
        at = item.get("at")
        if isinstance(at, datetime):
            at = at.isoformat()
        entry = {"role": role, "text": str(item.get("text") or ""), "at": at}
        for key in ("takeover", "agent"):  # a live takeover's line: agent, customer, system
            if isinstance(item.get(key), str) and item[key]:
                entry[key] = item[key][:80]
        entries.append(entry)
    return entries


def check_status(status: str) -> str:
    if status not in LEAD_STATUSES:
        raise ValueError(f"unknown lead status {status!r}; expected one of {LEAD_STATUSES}")
    return status
