"""Small helpers to read a rasa_sdk Tracker."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker

from bot.conversation.clarify import unclear_service_questions
from bot.conversation.wording import Message
from bot.conversation.digressions import is_digression

CONTRACT_SLOTS = (
    "states", "city", "zip_code", "num_locations", "employees", "services", "challenges",
    "current_carrier", "contract_end", "contact_name", "company_name", "email", "phone",
    "recommendation", "handoff_reason", "callback_time",
)
TRANSCRIPT_LIMIT = 200


def latest_text(tracker: Tracker) -> Text:
    return (tracker.latest_message or {}).get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[Text]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def latest_confidence(tracker: Tracker) -> float:
    return float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)


def latest_entities(tracker: Tracker) -> List[Dict[Text, Any]]:
    return list((tracker.latest_message or {}).get("entities") or [])


def typed_texts(tracker: Tracker, entity: Text) -> List[Text]:
    """What the customer typed for each `entity` in the latest message ("TW Telecom"), where
    the extractor gave the span."""
    text = latest_text(tracker)
    spans = []
    for found in latest_entities(tracker):
        start, end = found.get("start"), found.get("end")
        if found.get("entity") == entity and isinstance(start, int) and isinstance(end, int):
            spans.append(text[start:end])
    return [span for span in spans if span.strip()]


def unclear_services(tracker: Tracker, new_services: Optional[List[Text]] = None) -> List[Message]:
    """"Do you mean dedicated internet or business broadband?" for the latest message, unless
    a service it could mean is known (slot, `new_services` not yet set, this message)."""
    services = [e for e in latest_entities(tracker) if e.get("entity") == "service"]
    spans = [(e["start"], e["end"]) for e in services
             if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)]
    known = [*(tracker.get_slot("services") or []), *(new_services or []),
             *(str(e.get("value")) for e in services)]
    return unclear_service_questions(latest_text(tracker), spans, known)


def contract_slots(tracker: Tracker) -> Dict[Text, Any]:
    return {name: tracker.get_slot(name) for name in CONTRACT_SLOTS}


def channel_of(tracker: Tracker) -> Text:
    return tracker.get_latest_input_channel() or "unknown"


def transcript(tracker: Tracker) -> List[Dict[Text, Any]]:
    """What the customer and the bot said, oldest first (the last TRANSCRIPT_LIMIT lines)."""
    lines: List[Dict[Text, Any]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind not in ("user", "bot"):
            continue
        text = event.get("text")
        if not text:
            continue
        at = event.get("timestamp")
        stamp = datetime.fromtimestamp(at, tz=timezone.utc).isoformat() if at else None
        lines.append({"role": kind, "text": text, "at": stamp})
    return lines[-TRANSCRIPT_LIMIT:]


def steps_out(tracker: Tracker) -> bool:
    """The latest message is a digression from the question being asked (if any)."""
    asked = tracker.get_slot("requested_slot") if tracker.active_loop_name else None
    return is_digression(latest_intent(tracker), latest_confidence(tracker), asked)
