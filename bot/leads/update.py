"""`LeadUpdate`: what one save of a conversation's lead carries, and the one way to build it.

Every writer (the actions, the outage guard in the Rasa server, the event-stream consumer)
builds its update with `build_lead_update()` and hands it to `LeadStore.save()` /
`save_or_spool()`. The spool file holds `LeadUpdate.to_json()` lines, so a field added here
is written, spooled and replayed without touching the store's signatures.

Pure: no database, no Rasa. Events are Rasa's event dicts (`{"event": "user", "text": ...,
"timestamp": ...}`), which is what rasa_sdk hands the actions and what `Event.as_dict()` gives.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.leads.models import SLOT_FIELDS, TRANSCRIPT_ROLES

#: The last lines of a conversation kept on its lead (enough for an agent to catch up).
TRANSCRIPT_LIMIT = 200


@dataclass(frozen=True)
class LeadUpdate:
    """One save of a conversation's lead. None/empty means "nothing new" (never erases).

    `slots` holds the contract slots (`bot.leads.models.SLOT_FIELDS`); `recommendation`,
    `transcript`, `callback_time` and `after_hours` replace the stored value when given;
    `status` only moves forward (see `LeadStore.save`).
    """

    sender_id: str
    channel: str = "unknown"
    slots: Mapping[str, Any] = field(default_factory=dict)
    status: Optional[str] = None
    after_hours: Optional[bool] = None
    recommendation: Optional[Mapping[str, Any]] = None
    transcript: Optional[Sequence[Mapping[str, Any]]] = None
    callback_time: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the spool line's fields)."""
        return {
            **{f.name: getattr(self, f.name) for f in dataclasses.fields(self)},
            "slots": dict(self.slots),
            "recommendation": dict(self.recommendation) if self.recommendation is not None
            else None,
            "transcript": [dict(line) for line in self.transcript]
            if self.transcript is not None else None,
        }

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> "LeadUpdate":
        """The update a spool line holds (unknown keys such as `at` and `db` are ignored).

        Raises KeyError without a sender id.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        values = {name: value for name, value in entry.items() if name in known}
        values["sender_id"] = entry["sender_id"]
        values["channel"] = entry.get("channel") or "unknown"
        values["slots"] = entry.get("slots") or {}
        return cls(**values)


def transcript_from_events(events: Iterable[Mapping[str, Any]],
                           limit: int = TRANSCRIPT_LIMIT) -> list[dict[str, Any]]:
    """What the customer and the bot said, oldest first (the last `limit` lines)."""
    lines: list[dict[str, Any]] = []
    for event in events:
        role = event.get("event")
        text = event.get("text")
        if role not in TRANSCRIPT_ROLES or not text:
            continue
        at = event.get("timestamp")
        stamp = datetime.fromtimestamp(at, tz=timezone.utc).isoformat() if at else None
        line = {"role": role, "text": text, "at": stamp}
        # A live takeover's lines (bot.rasa_adapters.server.takeover) say whose they are.
        takeover = (event.get("metadata") or {}).get("takeover")
        if isinstance(takeover, dict):
            line["takeover"] = takeover.get("role") or "takeover"
            if takeover.get("agent"):
                line["agent"] = str(takeover["agent"])
        lines.append(line)
    return lines[-limit:]


def build_lead_update(
    sender_id: str,
    *,
    channel: Optional[str],
    slots: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]] = (),
    new_events: Iterable[Mapping[str, Any]] = (),
    status: Optional[str] = None,
    after_hours: Optional[bool] = None,
) -> LeadUpdate:
    """The lead update for a conversation.

    `slots`: the conversation's slot values (any slots; the lead keeps the contract's, plus
    `recommendation` and `callback_time`). `events`: the conversation so far, for the
    transcript (no transcript when empty). `new_events`: events the caller is about to return
    and the tracker has not applied yet; their `SlotSet`s count.
    """
    values = dict(slots)
    for event in new_events:
        if event.get("event") == "slot" and event.get("name"):
            values[event["name"]] = event.get("value")
    events = list(events)
    callback_time = values.get("callback_time")
    return LeadUpdate(
        sender_id=sender_id,
        channel=channel or "unknown",
        slots={name: values[name] for name in SLOT_FIELDS if name in values},
        status=status,
        after_hours=after_hours,
        recommendation=values.get("recommendation") or None,
        transcript=transcript_from_events(events) if events else None,
        callback_time=str(callback_time) if callback_time not in (None, "") else None,
    )
