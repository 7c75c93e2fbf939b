"""`LeadUpdate` and `build_lead_update()`: the one way a lead save is built."""

from __future__ import annotations

import json
from typing import Any

from bot.leads.store import LeadStore
from bot.leads.update import TRANSCRIPT_LIMIT, LeadUpdate, build_lead_update, transcript_from_events
from tests.leads.conftest import FULL_SLOTS, RECOMMENDATION


def say(role: str, text: str, at: Any = 1764600000.0) -> dict[str, Any]:
    return {"event": role, "text": text, "timestamp": at}


def test_transcript_keeps_what_was_said_in_order() -> None:
    events = [say("user", "hi"), {"event": "slot", "name": "states", "value": ["OR"]},
              say("bot", "Where are your sites?", None), say("user", ""), {"event": "action"}]
    assert transcript_from_events(events) == [
        {"role": "user", "text": "hi", "at": "2025-12-01T14:40:00+00:00"},
        {"role": "bot", "text": "Where are your sites?", "at": None},
    ]


def test_transcript_keeps_the_last_lines() -> None:
    lines = transcript_from_events([say("user", str(i)) for i in range(TRANSCRIPT_LIMIT + 5)])
    assert len(lines) == TRANSCRIPT_LIMIT and lines[0]["text"] == "5"


def test_build_from_slots_and_events() -> None:
    slots = {**FULL_SLOTS, "recommendation": RECOMMENDATION, "callback_time": "",
             "requested_slot": "phone", "skipped_slots": ["email"]}
    new_events = [{"event": "slot", "name": "handoff_reason", "value": "user_request"},
                  {"event": "slot", "name": "callback_time", "value": "after 3pm"},
                  {"event": "followup", "name": "contact_form"}]
    update = build_lead_update("c1", channel="socketio", slots=slots,
                               events=[say("user", "call me")], new_events=new_events,
                               status="callback", after_hours=True)
    assert update.sender_id == "c1" and update.channel == "socketio"
    # Only the lead's slots; the ones about to be set count.
    assert set(update.slots) == set(FULL_SLOTS)
    assert update.slots["handoff_reason"] == "user_request"
    assert update.recommendation == RECOMMENDATION and update.callback_time == "after 3pm"
    assert (update.status, update.after_hours) == ("callback", True)
    assert [line["text"] for line in update.transcript or ()] == ["call me"]


def test_nothing_said_means_no_transcript_not_an_empty_one() -> None:
    update = build_lead_update("c2", channel=None, slots={"states": ["OR"]})
    assert update == LeadUpdate("c2", "unknown", {"states": ["OR"]})


def test_json_round_trip_is_the_spool_line() -> None:
    update = build_lead_update("c3", channel="rest", slots=FULL_SLOTS,
                               events=[say("user", "hello")], status="handoff")
    line = json.loads(json.dumps({**update.to_json(), "at": "x", "db": "y"}))
    assert LeadUpdate.from_json(line) == LeadUpdate(**{**update.to_json()})
    assert LeadUpdate.from_json({"sender_id": "old", "slots": None}) == LeadUpdate("old")


def test_the_store_saves_an_update(sqlite_store: LeadStore) -> None:
    update = build_lead_update("c4", channel="rest", slots={**FULL_SLOTS,
                                                            "recommendation": RECOMMENDATION},
                               events=[say("user", "hello")], status="handoff",
                               after_hours=False)
    lead = sqlite_store.save(update)
    assert (lead.sender_id, lead.company_name, lead.status) == ("c4", "Acme Logistics", "handoff")
    assert lead.recommended_carriers == ("Lumen", "Zayo")
    assert [line["text"] for line in lead.transcript] == ["hello"]
    assert sqlite_store.save_or_spool(LeadUpdate("c4", "rest", {"city": "Salem"})).city == "Salem"
