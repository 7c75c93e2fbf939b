"""A seeded set of conversations for the funnel, with the figures counted by hand.

Five conversations start between Wed Nov 18 and Fri Nov 20, 2026 (Pacific); a sixth starts on
Nov 1 and falls outside the date range the tests use (Nov 15 - Nov 20).

  c1 rest     states, services, plan after 120 s, email, submit     -> all six stages
  c2 socketio asked states, fallback, asked states again, states,
              asked services, left                                  -> started, location; dropped at services
  c3 rest     states, services, asked num_locations, plan after 300 s,
              the form ended, left                                  -> up to plan; dropped after the plan
  c4 slack    asked for a person straight away                      -> started, handoff
  c5 rest     states, services, plan after 60 s, asked email twice,
              phone, submit                                         -> all six stages
  c6 rest     Nov 1 (outside the range)
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any, Dict, List

PLAN = {"carriers": [], "guidelines": ["R2"], "plan": ["Pilot two PRIs on a CLEC."],
        "handoff": False, "handoff_reason": None}


def _t(day: int, hour: int, minute: int = 0, second: int = 0) -> float:
    # Pacific is UTC-8 in November: 10:00 Pacific = 18:00 UTC.
    return datetime(2026, 11, day, hour + 8, minute, second, tzinfo=timezone.utc).timestamp()


def user(at: float, text: str, channel: str, intent: str = "inform") -> Dict[str, Any]:
    return {"event": "user", "timestamp": at, "text": text, "input_channel": channel,
            "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}


def slot(at: float, name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "timestamp": at, "name": name, "value": value}


def action(at: float, name: str) -> Dict[str, Any]:
    return {"event": "action", "timestamp": at, "name": name}


def conversations() -> Dict[str, List[Dict[str, Any]]]:
    c1 = _t(18, 10)
    c2 = _t(19, 9)
    c3 = _t(19, 15)
    c4 = _t(20, 8)
    c5 = _t(20, 9)
    c6 = _t(1, 10)
    return {
        "c1": [
            {"event": "session_started", "timestamp": c1 - 1},
            user(c1, "Two offices in Oregon, we need SIP", "rest"),
            slot(c1 + 1, "states", ["OR"]), slot(c1 + 1, "services", ["sip"]),
            action(c1 + 100, "action_recommend"), slot(c1 + 120, "recommendation", PLAN),
            user(c1 + 200, "jane@example.com", "rest"),
            slot(c1 + 201, "email", "jane@example.com"),
            action(c1 + 202, "action_submit_lead"),
        ],
        "c2": [
            user(c2, "hi", "socketio", "greet"),
            action(c2 + 1, "action_ask_states"), slot(c2 + 1, "requested_slot", "states"),
            user(c2 + 10, "asdf", "socketio", "nlu_fallback"),
            action(c2 + 11, "action_default_ask_rephrase"),
            user(c2 + 20, "hmm", "socketio", "inform"),
            action(c2 + 21, "action_ask_states"),
            user(c2 + 30, "Ohio", "socketio"), slot(c2 + 31, "states", ["OH"]),
            action(c2 + 31, "action_ask_services"), slot(c2 + 31, "requested_slot", "services"),
        ],
        "c3": [
            user(c3, "Seattle, fiber internet", "rest"),
            slot(c3 + 1, "states", ["WA"]), slot(c3 + 1, "services", ["dia"]),
            action(c3 + 2, "action_ask_num_locations"), slot(c3 + 2, "requested_slot", "num_locations"),
            user(c3 + 50, "3", "rest"), slot(c3 + 51, "num_locations", 3.0),
            {"event": "active_loop", "timestamp": c3 + 52, "name": None},
            slot(c3 + 52, "requested_slot", None),
            slot(c3 + 300, "recommendation", PLAN),
        ],
        "c4": [
            user(c4, "I want to talk to a person", "slack", "human_handoff"),
            action(c4 + 1, "action_handoff"), slot(c4 + 1, "handoff_reason", "user_request"),
        ],
        "c5": [
            user(c5, "Portland, PRIs", "rest"),
            slot(c5 + 1, "states", ["OR"]), slot(c5 + 1, "services", ["pri"]),
            slot(c5 + 60, "recommendation", PLAN),
            action(c5 + 61, "action_ask_email"), slot(c5 + 61, "requested_slot", "email"),
            user(c5 + 70, "no email", "rest", "deny"),
            action(c5 + 71, "action_ask_email"),
            user(c5 + 80, "+15035550123", "rest"), slot(c5 + 81, "phone", "+15035550123"),
            action(c5 + 82, "action_submit_lead"),
        ],
        "c6": [
            user(c6, "hello", "rest", "greet"),
            slot(c6 + 1, "states", ["CA"]),
        ],
    }


#: Hand-counted figures for c1-c5 (the range Nov 15 - Nov 20).
EXPECTED_STAGES = {"started": 5, "location": 4, "services": 3, "plan": 3, "contact": 2, "handoff": 3}
EXPECTED_DROPOUTS = {"services": 1, "(after the plan)": 1}
EXPECTED_ASKS = {"states": 2, "services": 1, "num_locations": 1, "email": 2}
EXPECTED_REASKS = {"states": 1, "email": 1}
EXPECTED_FALLBACKS = {"states": 1}
EXPECTED_MEDIAN_S = 120.0  # of 120, 300 and 60


def write_tracker_events(database: str, convs: Dict[str, List[Dict[str, Any]]]) -> None:
    """Rasa 3.6's SQLTrackerStore table `events`, with these conversations' events."""
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) "
                   "NOT NULL, type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name "
                   "VARCHAR(255), action_name VARCHAR(255), data TEXT)")
        db.execute("DELETE FROM events")
        for sender, events in convs.items():
            for event in events:
                db.execute(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (sender, event["event"], event.get("timestamp"),
                     ((event.get("parse_data") or {}).get("intent") or {}).get("name"),
                     event.get("name") if event["event"] == "action" else None, json.dumps(event)))
