"""`open_lead_store()`: one store per database, opened without touching it, migrated on first
contact; the action layer spools a lead while the database is down, even at cold start."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa_sdk.events import SlotSet
from sqlalchemy.engine import make_url

from actions import dependencies
from actions.leads import save_lead
from bot.base.settings import Settings
from bot.leads import store as store_module
from bot.leads.store import LeadStoreUnavailable, close_open_lead_stores, open_lead_store
from tests.actions.conftest import tracker
from tests.leads.conftest import TcpForwarder

DEAD_PG = "postgresql://127.0.0.1:1/x"  # nothing listens on port 1
NEEDS = {"states": ["OR", "WA"], "num_locations": 4.0, "services": ["dia"],
         "contact_name": "Jane Doe", "phone": "+15035550123"}


@pytest.fixture
def spool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Stores opened by the test spool here; they are closed and forgotten afterwards."""
    path = tmp_path / "var" / "lead-spool.jsonl"
    monkeypatch.setattr(store_module, "DEFAULT_SPOOL_PATH", path)
    close_open_lead_stores()
    yield path
    close_open_lead_stores()


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """The action server's settings, with only `dependencies.settings` replaced: the lead
    store is opened the way the action server opens it."""
    settings = Settings.from_env({"DATABASE_URL": url, "BOT_NOW": "2026-12-01T10:30:00-08:00"})
    monkeypatch.setattr(dependencies, "settings", lambda: settings)


def save_handoff(sender: str) -> Any:
    history = [{"event": "user", "text": "we have 4 offices", "timestamp": 1764600000.0}]
    events = [SlotSet("handoff_reason", "user_request")]
    return asyncio.run(save_lead(tracker(NEEDS, text="get me a person", intent="human_handoff",
                                         events=history, sender=sender),
                                 events, status="handoff", after_hours=False))


def spooled(spool: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in spool.read_text().splitlines()] if spool.exists() else []


def test_opening_never_touches_the_database(spool: Path) -> None:
    settings = Settings.from_env({"DATABASE_URL": DEAD_PG})
    store = open_lead_store(settings)  # no error: the database is not contacted
    assert open_lead_store(settings) is store  # one per URL per process
    assert open_lead_store(Settings.from_env({"DATABASE_URL": DEAD_PG + "2"})) is not store
    with pytest.raises(LeadStoreUnavailable):
        store.get("anyone")


def test_dead_database_at_cold_start_the_action_spools_the_lead(
        spool: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_database(monkeypatch, DEAD_PG)
    assert save_handoff("cold-start") is None  # not saved...
    (entry,) = spooled(spool)  # ...but kept, with everything the save carried
    assert entry["sender_id"] == "cold-start" and entry["status"] == "handoff"
    assert entry["slots"]["handoff_reason"] == "user_request"
    assert entry["slots"]["phone"] == "+15035550123"
    assert [line["text"] for line in entry["transcript"]] == ["we have 4 offices", "get me a person"]


def test_sqlite_is_migrated_on_first_contact(spool: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    use_database(monkeypatch, f"sqlite:///{tmp_path / 'fresh' / 'leads.db'}")
    lead = save_handoff("fresh")  # no migrate() call anywhere: the first save creates the table
    assert lead is not None and lead.status == "handoff" and lead.num_locations == 4
    assert spooled(spool) == []


def test_database_down_at_start_then_up_the_spooled_lead_is_written(
        spool: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The action server starts while PostgreSQL is unreachable (its port closed), saves a
    lead, then the database comes up: the lead is replayed into the migrated schema."""
    real = make_url(pg_url)
    forwarder = TcpForwarder((real.host or "127.0.0.1", real.port or 5432))
    use_database(monkeypatch, real.set(port=forwarder.port).render_as_string(hide_password=False))
    try:
        assert save_handoff("outage") is None
        assert [e["sender_id"] for e in spooled(spool)] == ["outage"]

        forwarder.start()  # the database is back, under the same URL
        store = dependencies.lead_store()
        assert store.replay_spool() == 1  # migrates the empty database first
        assert spooled(spool) == []
        lead = store.get("outage")
        assert lead is not None
        assert (lead.status, lead.handoff_reason, lead.phone, lead.num_locations) == (
            "handoff", "user_request", "+15035550123", 4)
        assert [line["text"] for line in lead.transcript] == ["we have 4 offices", "get me a person"]
        # The next save goes straight in.
        assert save_handoff("after") is not None and store.get("after") is not None
    finally:
        close_open_lead_stores()
        forwarder.stop()


def test_threads_waiting_on_a_failed_first_contact_do_not_each_time_out(
        make_store: Any, spool_path: Path) -> None:
    """A database that accepts connections and never answers: concurrent first saves share
    one connect timeout (then spool), instead of queueing one timeout each."""
    import socket
    import threading
    import time

    from bot.leads.update import LeadUpdate

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # never accepted: the handshake completes, no answer ever comes
    port = silent.getsockname()[1]
    store = make_store(f"postgresql+psycopg2://postgres@127.0.0.1:{port}/x", migrate=False,
                       connect_timeout=1, migrate_lazily=True)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda i=i: results.append(
        store.save_or_spool(LeadUpdate(f"t{i}", "rest", {"num_locations": i}))))
        for i in range(4)]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        silent.close()
    assert results == [None] * 4
    assert len(spool_path.read_text().splitlines()) == 4
    assert time.monotonic() - started < 3.5  # one or two timeouts of 1 s, not four
