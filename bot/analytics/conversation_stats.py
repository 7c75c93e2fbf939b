"""Per-conversation analytics from Rasa's event stream (pure: no broker, no Rasa import).

Rasa's event broker publishes every tracker event as one JSON object with the conversation's
`sender_id` (`{"sender_id": "...", "event": "user", "timestamp": ..., "text": ...,
"parse_data": {...}, "input_channel": "rest"}`). `Analytics.apply()` folds them into a
`ConversationStats` per conversation plus running totals; `bot.runtime.events_consumer` feeds it from
RabbitMQ. Memory is bounded: at most `max_conversations` are kept (least recently active
dropped first, counted in `evicted`), and each keeps at most `MAX_LATENCIES` response times.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from bot.domain.canonical import OUTAGE_MARK
from bot.domain.slots import LEAD_SLOT_COLUMNS, PERSONAL_SLOTS

#: Slots worth reporting (CONTRACT section 4); `recommendation` is summarised, not copied,
#: and personal data is never kept (only that it was given).
FACT_SLOTS = tuple(name for name in LEAD_SLOT_COLUMNS if name not in PERSONAL_SLOTS)
CONTACT_SLOTS = PERSONAL_SLOTS
HANDOFF_ACTIONS = ("action_handoff", "action_default_fallback")
FALLBACK_ACTIONS = ("action_default_fallback", "action_default_ask_affirmation",
                    "action_default_ask_rephrase")
MAX_LATENCIES = 50
MAX_BODY_BYTES = 4 * 1024 * 1024


class EventError(ValueError):
    """A message on the queue is not a Rasa event."""


def decode(body: bytes) -> Dict[str, Any]:
    """The event in a broker message body; EventError when it is not a Rasa event."""
    if len(body) > MAX_BODY_BYTES:
        raise EventError(f"message of {len(body)} bytes is too large for an event")
    try:
        event = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EventError(f"not JSON: {error}") from None
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        raise EventError("not a Rasa event (no 'event' name)")
    if not isinstance(event.get("sender_id"), str) or not event["sender_id"]:
        raise EventError("not a Rasa event (no 'sender_id')")
    return event


def _timestamp(event: Mapping[str, Any]) -> Optional[float]:
    value = event.get("timestamp")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass
class ConversationStats:
    """What one conversation did, from its events."""

    sender_id: str
    channel: Optional[str] = None
    first_at: Optional[float] = None
    last_at: Optional[float] = None
    events: int = 0
    sessions: int = 0
    user_messages: int = 0
    bot_messages: int = 0
    actions: int = 0
    intents: Counter = field(default_factory=Counter)
    facts: Dict[str, Any] = field(default_factory=dict)
    contact_given: bool = False
    recommended_carriers: List[str] = field(default_factory=list)
    recommended: bool = False
    recommendation: Optional[Dict[str, Any]] = None
    handoff: bool = False
    fallbacks: int = 0
    outages: int = 0
    paused: bool = False
    restarts: int = 0
    latencies_ms: List[float] = field(default_factory=list)
    _pending_user_at: Optional[float] = None

    def apply(self, event: Mapping[str, Any]) -> None:
        """Fold one event (Rasa's JSON form) into the stats."""
        kind = event.get("event")
        at = _timestamp(event)
        self.events += 1
        if at is not None:
            self.first_at = at if self.first_at is None else min(self.first_at, at)
            self.last_at = at if self.last_at is None else max(self.last_at, at)
        if kind == "user":
            self.user_messages += 1
            self.channel = event.get("input_channel") or self.channel
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent:
                self.intents[str(intent)] += 1
            self._pending_user_at = at
        elif kind == "bot":
            self.bot_messages += 1
            metadata = event.get("metadata") or {}
            if isinstance(metadata, Mapping) and metadata.get(OUTAGE_MARK):
                self.outages += 1
            if self._pending_user_at is not None and at is not None:
                self.latencies_ms.append(max(0.0, (at - self._pending_user_at) * 1000.0))
                del self.latencies_ms[:-MAX_LATENCIES]
                self._pending_user_at = None  # first reply only: that's what the customer waits for
        elif kind == "action":
            name = event.get("name")
            if name and name != "action_listen":
                self.actions += 1
            if name in HANDOFF_ACTIONS:
                self.handoff = True
            if name in FALLBACK_ACTIONS:
                self.fallbacks += 1
        elif kind == "slot":
            self._apply_slot(str(event.get("name")), event.get("value"))
        elif kind == "session_started":
            self.sessions += 1
        elif kind == "restart":
            self.restarts += 1
            self.facts.clear()
        elif kind == "pause":
            self.paused = True
        elif kind == "resume":
            self.paused = False

    def _apply_slot(self, name: str, value: Any) -> None:
        if name in FACT_SLOTS:
            if value in (None, "", []):
                self.facts.pop(name, None)
            else:
                self.facts[name] = value
            if name == "handoff_reason" and value:
                self.handoff = True
        elif name in CONTACT_SLOTS:
            # Analytics never keeps personal data: only that a contact was given.
            if value:
                self.contact_given = True
        elif name == "recommendation" and isinstance(value, Mapping):
            self.recommended = True
            self.recommendation = dict(value)
            carriers = value.get("carriers") or []
            self.recommended_carriers = [str(c.get("name")) for c in carriers
                                         if isinstance(c, Mapping) and c.get("name")]
            if value.get("handoff"):
                self.handoff = True

    @property
    def duration_s(self) -> Optional[float]:
        if self.first_at is None or self.last_at is None:
            return None
        return round(self.last_at - self.first_at, 3)

    def to_dict(self) -> Dict[str, Any]:
        latencies = self.latencies_ms
        return {
            "sender_id": self.sender_id,
            "channel": self.channel,
            "first_at": self.first_at,
            "last_at": self.last_at,
            "duration_s": self.duration_s,
            "events": self.events,
            "sessions": self.sessions,
            "user_messages": self.user_messages,
            "bot_messages": self.bot_messages,
            "actions": self.actions,
            "intents": dict(self.intents),
            "facts": dict(self.facts),
            "contact_given": self.contact_given,
            "recommended": self.recommended,
            "recommended_carriers": list(self.recommended_carriers),
            "handoff": self.handoff,
            "fallbacks": self.fallbacks,
            "outages": self.outages,
            "paused": self.paused,
            "restarts": self.restarts,
            "reply_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
        }


class Analytics:
    """Stats of the most recently active conversations, plus totals over everything seen."""

    def __init__(self, max_conversations: int = 10_000) -> None:
        if max_conversations < 1:
            raise ValueError("max_conversations must be at least 1")
        self.max_conversations = max_conversations
        self.conversations: "OrderedDict[str, ConversationStats]" = OrderedDict()
        self.events = 0
        self.rejected = 0
        self.evicted = 0
        self.event_types: Counter = Counter()

    def apply(self, event: Mapping[str, Any]) -> ConversationStats:
        """Fold one decoded event in; returns its conversation's stats."""
        sender = str(event["sender_id"])
        stats = self.conversations.get(sender)
        if stats is None:
            stats = ConversationStats(sender)
            self.conversations[sender] = stats
            while len(self.conversations) > self.max_conversations:
                self.conversations.popitem(last=False)
                self.evicted += 1
        else:
            self.conversations.move_to_end(sender)
        stats.apply(event)
        self.events += 1
        self.event_types[str(event.get("event"))] += 1
        return stats

    def apply_body(self, body: bytes) -> Optional[ConversationStats]:
        """Decode and apply a broker message; a message that is not an event is counted."""
        try:
            event = decode(body)
        except EventError:
            self.rejected += 1
            return None
        return self.apply(event)

    def get(self, sender_id: str) -> Optional[ConversationStats]:
        return self.conversations.get(sender_id)

    def summary(self) -> Dict[str, Any]:
        convs = list(self.conversations.values())
        latencies = [ms for c in convs for ms in c.latencies_ms]
        return {
            "events": self.events,
            "rejected": self.rejected,
            "conversations": len(convs),
            "evicted": self.evicted,
            "user_messages": sum(c.user_messages for c in convs),
            "recommended": sum(1 for c in convs if c.recommended),
            "handoffs": sum(1 for c in convs if c.handoff),
            "contacts_given": sum(1 for c in convs if c.contact_given),
            "outages": sum(c.outages for c in convs),
            "fallbacks": sum(c.fallbacks for c in convs),
            "reply_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
            "event_types": dict(self.event_types),
        }

    def snapshot(self) -> Dict[str, Any]:
        """Summary plus every kept conversation, newest activity last (JSON-ready)."""
        return {
            "summary": self.summary(),
            "conversations": [c.to_dict() for c in self.conversations.values()],
        }


def lead_update(stats: ConversationStats) -> Optional[Dict[str, Any]]:
    """The lead facts a conversation's events justify (for `--feed-leads`), or None.

    Only conversations that reached a recommendation or a handoff (CONTRACT section 7), and
    only the facts: the actions' own saves carry the contact details and transcript.
    """
    if not (stats.recommended or stats.handoff):
        return None
    return {
        "sender_id": stats.sender_id,
        "channel": stats.channel or "unknown",
        "slots": dict(stats.facts),
        "recommendation": stats.recommendation,
    }
