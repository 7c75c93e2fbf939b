"""The event stream: Rasa (RABBITMQ_URL set) publishes every event to RabbitMQ, and
`python -m bot.runtime.events_consumer` reads them into per-conversation analytics.

The end-to-end test runs the real consumer process against the cluster's queue; the unit
tests cover bot.analytics.conversation_stats (decode, fold, bounds) without a broker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import pytest

from bot.runtime.deployment import EVENT_QUEUE
from bot.analytics.conversation_stats import Analytics, ConversationStats, EventError, decode, lead_update
from bot.runtime.launcher import child_env
from bot.base.settings import ROOT
from tests.conftest import service_unavailable
from tests.scale.conftest import RABBITMQ_URL, SCRIPT, Cluster, Customer

CONSUMER_DEADLINE_S = 120


def _conversation(snapshot: Path, sender: str) -> Optional[dict[str, Any]]:
    try:
        data = json.loads(snapshot.read_text())
    except (OSError, ValueError):
        return None
    return next((c for c in data["conversations"] if c["sender_id"] == sender), None)


@pytest.mark.stack
def test_a_conversations_events_arrive_through_rabbitmq(
    ready_cluster: Cluster, rabbitmq_available: Optional[str], tmp_path: Path,
) -> None:
    if rabbitmq_available is not None:
        service_unavailable(f"RabbitMQ at {RABBITMQ_URL}", rabbitmq_available)
    customer = Customer(ready_cluster)
    for turn, message in enumerate(SCRIPT):
        customer.say("ab"[turn % 2], message)  # both servers publish

    snapshot = tmp_path / "analytics.json"
    consumer = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "bot.runtime.events_consumer", "--url", RABBITMQ_URL,
         "--queue", EVENT_QUEUE, "--snapshot", str(snapshot), "--interval", "1",
         "--idle-exit", "30"],
        cwd=ROOT, env=child_env({}), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + CONSUMER_DEADLINE_S
        conversation = None
        while time.monotonic() < deadline and consumer.poll() is None:
            conversation = _conversation(snapshot, customer.sender)
            if conversation and conversation["recommended"]:
                break
            time.sleep(1)
    finally:
        if consumer.poll() is None:
            os.killpg(consumer.pid, signal.SIGTERM)  # writes the last snapshot, then exits
        output = consumer.communicate(timeout=60)[0].decode(errors="replace")
    assert consumer.returncode == 0, output[-2000:]
    conversation = _conversation(snapshot, customer.sender)
    assert conversation is not None, output[-2000:]
    assert conversation["user_messages"] == len(SCRIPT)
    assert conversation["bot_messages"] >= len(SCRIPT)
    assert conversation["channel"] == "rest"
    assert conversation["intents"].get("greet") == 1
    assert conversation["intents"].get("inform", 0) >= 3
    assert conversation["facts"]["states"] == ["OR", "WA"]
    assert conversation["facts"]["current_carrier"] == "Lumen"
    assert conversation["recommended"] and conversation["recommended_carriers"]
    assert conversation["reply_ms_p50"] is not None
    summary = json.loads(snapshot.read_text())["summary"]
    assert summary["events"] >= conversation["events"] > 0


# ------------------------------------------------------------------------------- pure parts


def _event(kind: str, t: float, sender: str = "s1", **fields: Any) -> dict[str, Any]:
    return {"sender_id": sender, "event": kind, "timestamp": t, **fields}


def _user(t: float, intent: str, sender: str = "s1") -> dict[str, Any]:
    return _event("user", t, sender, text="...", input_channel="rest",
                  parse_data={"intent": {"name": intent, "confidence": 0.9}, "entities": []})


def test_decode_accepts_rasa_events_and_refuses_the_rest() -> None:
    event = decode(json.dumps(_user(1.0, "greet")).encode())
    assert event["event"] == "user"
    for body in (b"not json", b"\xff\xfe", b"[1]", b'{"event": "user"}',
                 b'{"sender_id": "s"}', b'{"sender_id": "", "event": "user"}'):
        with pytest.raises(EventError):
            decode(body)
    with pytest.raises(EventError):
        decode(b" " * (5 * 1024 * 1024))


def test_a_conversation_folds_into_its_stats() -> None:
    analytics = Analytics()
    events = [
        _event("action", 1.0, name="action_session_start"),
        _event("session_started", 1.0),
        _event("action", 1.0, name="action_listen"),
        _user(2.0, "greet"),
        _event("action", 2.1, name="utter_greet"),
        _event("bot", 2.2, text="Hi!"),
        _event("action", 2.2, name="action_listen"),
        _user(3.0, "inform"),
        _event("slot", 3.1, name="states", value=["OR", "WA"]),
        _event("slot", 3.1, name="email", value="jane@example.com"),
        _event("bot", 3.5, text="How many employees?"),
        _user(4.0, "inform"),
        _event("slot", 4.1, name="recommendation", value={
            "carriers": [{"name": "Zayo"}, {"name": "Lumen"}], "handoff": False}),
        _event("bot", 4.3, text="Plan", metadata={"carrier_advisor_outage": True}),
        _event("action", 4.4, name="action_default_fallback"),
    ]
    for event in events:
        analytics.apply(event)
    stats = analytics.get("s1")
    assert stats is not None
    data = stats.to_dict()
    assert data["user_messages"] == 3 and data["bot_messages"] == 3
    assert data["intents"] == {"greet": 1, "inform": 2}
    assert data["sessions"] == 1
    assert data["facts"] == {"states": ["OR", "WA"]}
    assert data["contact_given"] is True and "email" not in json.dumps(data["facts"])
    assert data["recommended"] and data["recommended_carriers"] == ["Zayo", "Lumen"]
    assert data["handoff"] is True and data["fallbacks"] == 1 and data["outages"] == 1
    assert data["reply_ms_p50"] == pytest.approx(300.0)
    assert data["duration_s"] == pytest.approx(3.4)
    assert data["channel"] == "rest"
    summary = analytics.summary()
    assert summary["conversations"] == 1 and summary["recommended"] == 1
    assert summary["event_types"]["user"] == 3


def test_restart_and_pause_are_tracked() -> None:
    stats = ConversationStats("s")
    stats.apply(_event("slot", 1.0, "s", name="city", value="Portland"))
    stats.apply(_event("pause", 2.0, "s"))
    assert stats.paused
    stats.apply(_event("resume", 3.0, "s"))
    stats.apply(_event("restart", 4.0, "s"))
    assert not stats.paused and stats.restarts == 1 and stats.facts == {}
    stats.apply(_event("slot", 5.0, "s", name="city", value=None))
    assert "city" not in stats.facts


def test_memory_is_bounded() -> None:
    analytics = Analytics(max_conversations=3)
    for i in range(10):
        analytics.apply(_user(float(i), "greet", sender=f"s{i}"))
    assert list(analytics.conversations) == ["s7", "s8", "s9"]
    assert analytics.evicted == 7
    analytics.apply(_user(11.0, "greet", sender="s7"))  # activity moves it to the end
    analytics.apply(_user(12.0, "greet", sender="new"))
    assert list(analytics.conversations) == ["s9", "s7", "new"]
    stats = ConversationStats("s")
    for i in range(200):
        stats.apply(_user(float(i), "inform", "s"))
        stats.apply(_event("bot", i + 0.5, "s", text="ok"))
    assert len(stats.latencies_ms) == 50
    with pytest.raises(ValueError):
        Analytics(max_conversations=0)


def test_apply_body_counts_what_is_not_an_event() -> None:
    analytics = Analytics()
    assert analytics.apply_body(b"garbage") is None
    assert analytics.apply_body(json.dumps(_user(1.0, "greet")).encode()) is not None
    assert analytics.summary()["rejected"] == 1 and analytics.events == 1


def test_lead_update_only_for_recommended_or_handed_off_conversations() -> None:
    stats = ConversationStats("s", channel="rest")
    stats.apply(_event("slot", 1.0, "s", name="states", value=["TX"]))
    assert lead_update(stats) is None
    stats.apply(_event("slot", 2.0, "s", name="handoff_reason", value="user_request"))
    update = lead_update(stats)
    assert update == {"sender_id": "s", "channel": "rest",
                      "slots": {"states": ["TX"], "handoff_reason": "user_request"},
                      "recommendation": None}


def test_write_snapshot_is_atomic_json(tmp_path: Path) -> None:
    from bot.runtime.events_consumer import write_snapshot

    analytics = Analytics()
    analytics.apply(_user(1.0, "greet"))
    path = tmp_path / "sub" / "analytics.json"
    write_snapshot(analytics, path)
    data = json.loads(path.read_text())
    assert data["summary"]["conversations"] == 1
    assert not list(path.parent.glob("*.tmp"))


def test_consumer_without_a_broker_url_explains(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from bot.runtime import events_consumer

    monkeypatch.delenv("RABBITMQ_URL", raising=False)
    assert events_consumer.main(["--snapshot", "/dev/null"]) == 2
    assert "RABBITMQ_URL" in capsys.readouterr().err


def test_feed_leads_upserts_recommended_conversations(tmp_path: Path) -> None:
    import asyncio

    from bot.runtime.events_consumer import LeadFeeder
    from bot.leads.store import LeadStore
    from bot.base.settings import Settings

    url = f"sqlite:///{tmp_path / 'leads.db'}"
    settings = Settings.from_env({"DATABASE_URL": url, "BOT_NOW": "2026-12-01T10:30:00-08:00"})
    feeder = LeadFeeder(settings)
    stats = ConversationStats("fed", channel="rest")
    stats.apply(_event("slot", 1.0, "fed", name="states", value=["OR", "WA"]))
    asyncio.run(feeder.feed(stats))  # no recommendation yet: nothing to feed
    store = LeadStore(url, spool_path=tmp_path / "spool.jsonl")
    store.migrate()
    assert store.get("fed") is None
    stats.apply(_event("slot", 2.0, "fed", name="recommendation", value={
        "carriers": [{"name": "Zayo"}], "guidelines": ["M1"], "plan": [], "handoff": False,
        "handoff_reason": None}))
    asyncio.run(feeder.feed(stats))
    asyncio.run(feeder.feed(stats))  # unchanged: not upserted again
    lead = store.get("fed")
    assert lead is not None and list(lead.states) == ["OR", "WA"]
    assert list(lead.recommended_carriers) == ["Zayo"]
    store.close()
    feeder.store.close()
