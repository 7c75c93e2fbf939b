"""Action tests: real domain core and a real SQLite lead store, fake Slack, a fixed clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import dependencies
from bot.base.settings import Settings
from bot.notify.base import Notifiers

ROOT = Path(__file__).resolve().parents[2]
BUSINESS_HOURS = "2026-12-01T10:30:00-08:00"  # a Tuesday morning, Pacific
AFTER_HOURS = "2026-12-01T22:30:00-08:00"


class FakeSlack:
    """A `Notifier` that records the handoffs it is sent (like Slack, it takes no callbacks)."""

    name = "Slack"
    destination = "fake Slack"
    kinds = frozenset({"handoff", "digest"})

    def __init__(self) -> None:
        self.handoffs: list[Any] = []

    def notify(self, event: Any) -> bool:
        self.handoffs.extend(event.leads)
        return True


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def fake_slack() -> FakeSlack:
    return FakeSlack()


def _use(monkeypatch: pytest.MonkeyPatch, name: str, value: Any) -> None:
    monkeypatch.setattr(dependencies, name, lambda: value)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack) -> Iterator[dict[str, Any]]:
    """Services wired to a temporary database, in business hours unless a test changes it."""
    from bot.domain.hours import load_business_hours
    from bot.leads.store import LeadStore

    store = LeadStore(f"sqlite:///{tmp_path / 'leads.db'}")
    store.migrate()
    state: dict[str, Any] = {"store": store, "slack": fake_slack}

    def at(now: str) -> None:
        _use(monkeypatch, "settings", Settings.from_env({"BOT_NOW": now, "DATABASE_URL": store_url}))

    store_url = f"sqlite:///{tmp_path / 'leads.db'}"
    at(BUSINESS_HOURS)
    _use(monkeypatch, "lead_store", store)
    _use(monkeypatch, "notifiers", Notifiers((fake_slack,)))
    # Messages go out through the outbox at once; no background worker thread in tests.
    _use(monkeypatch, "outbox_worker", None)
    _use(monkeypatch, "business_hours", load_business_hours())
    state["at"] = at
    yield state


def tracker(
    slots: Optional[dict[str, Any]] = None,
    text: str = "",
    intent: str = "inform",
    entities: Optional[list[dict[str, Any]]] = None,
    active_loop: Optional[str] = None,
    requested_slot: Optional[str] = None,
    events: Optional[list[dict[str, Any]]] = None,
    sender: str = "test-sender",
) -> Tracker:
    """A tracker as the action server receives it after the customer said `text`."""
    all_slots = dict(slots or {})
    if requested_slot:
        all_slots["requested_slot"] = requested_slot
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    history = list(events or []) + [{"event": "user", "text": text, "timestamp": 1764600000.0,
                                     "parse_data": latest, "input_channel": "rest"}]
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message=latest,
        events=history,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
