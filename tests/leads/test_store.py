"""The lead store on SQLite and PostgreSQL: migrations, upserts, concurrency, spool."""

from __future__ import annotations

import ast
import json
import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bot.leads.models import leads_table
from bot.domain.scoring import score_lead
from bot.leads.store import MIGRATIONS_DIR, LeadStore, LeadStoreUnavailable
from tests.leads.conftest import (
    FULL_SLOTS,
    NOW,
    RECOMMENDATION,
    Clock,
    TcpForwarder,
    free_port,
)


#: The newest revision of the migration history (every new migration chains onto the last).
HEAD = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def _columns(url: str) -> dict[str, Any]:
    engine = create_engine(url, future=True)
    try:
        inspector = inspect(engine)
        tables = set(inspector.get_table_names())
        columns = {c["name"]: c for c in inspector.get_columns("leads")} if "leads" in tables \
            else {}
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM leads_alembic_version")) \
                .scalar_one() if "leads_alembic_version" in tables else None
        return {"tables": tables, "columns": columns, "version": version}
    finally:
        engine.dispose()


def test_migrate_creates_the_schema_in_an_empty_database(make_store: Any, db_url: str) -> None:
    assert "leads" not in _columns(db_url)["tables"]
    make_store(db_url)
    schema = _columns(db_url)
    assert {"leads", "leads_alembic_version"} <= schema["tables"]
    # The newest revision of the one history (a new migration must chain onto the last one).
    assert schema["version"] == HEAD
    # The migration history creates exactly the table the code queries.
    assert set(schema["columns"]) == {c.name for c in leads_table.columns}


def test_upsert_creates_then_updates_one_lead(store: LeadStore, clock: Clock) -> None:
    first = store.upsert("conv-1", channel="rest",
                         slots={"states": ["OR"], "num_locations": 3, "email": "a@b.co"})
    assert first.id > 0 and first.status == "new" and first.channel == "rest"
    assert first.created_at == first.updated_at == NOW
    assert first.states == ("OR",) and first.num_locations == 3

    clock.advance(minutes=5)
    second = store.upsert("conv-1", channel="rest",
                          slots={"states": ["OR", "WA"], "services": ["mpls", "dia"],
                                 "num_locations": None, "email": ""},
                          recommendation=RECOMMENDATION, status="handoff", after_hours=True,
                          transcript=[{"role": "user", "text": "hi", "at": "2026-12-01T22:29"},
                                      {"role": "bot", "text": "hello"}],
                          callback_time="tomorrow after 9")
    assert second.id == first.id
    assert second.created_at == NOW and second.updated_at == NOW + timedelta(minutes=5)
    assert second.states == ("OR", "WA") and second.services == ("mpls", "dia")
    assert second.num_locations == 3 and second.email == "a@b.co"  # empty keeps known facts
    assert second.recommended_carriers == ("Lumen", "Zayo")
    assert second.recommendation == RECOMMENDATION
    assert second.handoff_reason == "complex_needs"  # from the recommendation
    assert second.status == "handoff" and second.after_hours is True
    assert second.callback_time == "tomorrow after 9"
    assert [t["role"] for t in second.transcript] == ["user", "bot"]
    assert second.score > first.score
    assert store.list_leads() == [second]
    assert store.get("conv-1") == second == store.get_by_id(second.id)
    assert store.get("nobody") is None and store.get_by_id(9999) is None


def test_score_is_recomputed_from_the_merged_lead(store: LeadStore) -> None:
    store.upsert("c", channel="rest", slots={k: FULL_SLOTS[k] for k in ("states", "services")})
    lead = store.upsert("c", channel="rest",
                        slots={k: v for k, v in FULL_SLOTS.items() if k not in ("states",)})
    expected = score_lead(FULL_SLOTS, today=NOW.date())
    assert (lead.score, lead.grade, lead.score_reasons) == (expected.score, expected.grade,
                                                            expected.reasons)
    assert lead.grade == "A"


def test_status_only_moves_forward(store: LeadStore) -> None:
    assert store.upsert("s", channel="rest", slots={}, status="handoff").status == "handoff"
    assert store.upsert("s", channel="rest", slots={}, status="new").status == "handoff"
    assert store.upsert("s", channel="rest", slots={}).status == "handoff"
    assert store.upsert("s", channel="rest", slots={}, status="callback").status == "callback"
    lead = store.set_status(store.get("s").id, "closed")  # type: ignore[union-attr]
    assert lead is not None and lead.status == "closed"
    # Closing is the sales team's decision: the bot does not reopen it.
    assert store.upsert("s", channel="rest", slots={}, status="handoff").status == "closed"
    assert store.set_status(lead.id, "new").status == "new"  # type: ignore[union-attr]
    assert store.set_status(9999, "closed") is None
    with pytest.raises(ValueError):
        store.set_status(lead.id, "won")
    with pytest.raises(ValueError):
        store.upsert("s", channel="rest", slots={}, status="won")


def test_list_filters_and_pause(store: LeadStore, clock: Clock) -> None:
    store.upsert("a", channel="rest", slots=FULL_SLOTS, status="handoff", after_hours=False)
    clock.advance(hours=2)
    store.upsert("b", channel="socketio", slots={"email": "b@b.co"}, status="callback",
                 after_hours=True)
    clock.advance(hours=2)
    store.upsert("c", channel="slack", slots={"num_locations": 4}, after_hours=True)

    assert [l.sender_id for l in store.list_leads()] == ["c", "b", "a"]
    assert [l.sender_id for l in store.list_leads(grade="A")] == ["a"]
    assert [l.sender_id for l in store.list_leads(status="callback")] == ["b"]
    assert [l.sender_id for l in store.list_leads(after_hours=True)] == ["c", "b"]
    assert [l.sender_id for l in store.list_leads(after_hours=False)] == ["a"]
    window = store.list_leads(since=NOW + timedelta(hours=1), until=NOW + timedelta(hours=3))
    assert [l.sender_id for l in window] == ["b"]
    assert [l.sender_id for l in store.list_leads(since=NOW + timedelta(hours=2))] == ["c", "b"]
    assert [l.sender_id for l in store.iter_leads(batch_size=2)] == ["a", "b", "c"]

    before = store.get("b")
    paused = store.set_paused("b", True)
    assert paused is not None and paused.paused and paused.updated_at == before.updated_at
    assert store.set_paused("b", False).paused is False  # type: ignore[union-attr]
    assert store.set_paused("nobody", True) is None


def test_eight_concurrent_upserts_leave_one_complete_lead(store: LeadStore) -> None:
    # Each thread contributes a different fact; all must land on one row, none lost.
    parts = [{"states": ["OR", "WA", "CA"]}, {"num_locations": 12}, {"employees": 250},
             {"services": ["mpls", "dia", "sdwan"]}, {"contact_name": "Jane Doe"},
             {"email": "jane.doe@acme.com"}, {"phone": "+15035550123"},
             {"company_name": "Acme Logistics"}]
    barrier = threading.Barrier(len(parts))
    errors: list[BaseException] = []

    def work(slots: dict[str, Any]) -> None:
        try:
            barrier.wait(5)
            store.upsert("race", channel="rest", slots=slots, status="handoff")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(p,)) for p in parts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    leads = store.list_leads()
    assert len(leads) == 1
    lead = leads[0]
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)
    for key, value in merged.items():
        got = getattr(lead, key)
        assert (list(got) if isinstance(got, tuple) else got) == value, key
    assert lead.score == score_lead(lead.slots(), today=NOW.date()).score


def test_second_migrate_keeps_the_data(make_store: Any, db_url: str, store: LeadStore) -> None:
    lead = store.upsert("keep", channel="rest", slots=FULL_SLOTS, recommendation=RECOMMENDATION,
                        transcript=[{"role": "user", "text": "hello", "at": None}])
    store.migrate()
    again = make_store(db_url)  # another process starting up
    assert again.get("keep") == lead
    assert _columns(db_url)["version"] == HEAD


def test_concurrent_migrations_on_a_fresh_database(make_store: Any, db_url: str) -> None:
    stores = [make_store(db_url, migrate=False) for _ in range(3)]
    errors: list[BaseException] = []

    def work(s: LeadStore) -> None:
        try:
            s.migrate()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert _columns(db_url)["version"] == HEAD


def _outage(make_store: Any, db_url: str) -> tuple[LeadStore, Any]:
    """A store for `db_url` whose database is unavailable, and a function that ends the outage.

    PostgreSQL: the store talks through a forwarding port that is closed (nothing listens)
    until the outage ends. SQLite: another connection holds the write lock meanwhile.
    """
    if db_url.startswith("postgresql"):
        url = make_url(db_url)
        forwarder = TcpForwarder((url.host or "127.0.0.1", url.port or 5432))
        down = url.set(port=forwarder.port).render_as_string(hide_password=False)
        store = make_store(down, migrate=False, connect_timeout=1)

        def back_up() -> None:
            forwarder.start()
            store.migrate()

        return store, (back_up, forwarder.stop)
    blocker = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    store = make_store(db_url, migrate=False, lock_timeout=0.2)

    def release() -> None:
        blocker.execute("ROLLBACK")
        blocker.close()
        store.migrate()

    return store, (release, lambda: None)


def test_unavailable_database_spools_and_replays(make_store: Any, db_url: str,
                                                 spool_path: Path) -> None:
    store, (end_outage, cleanup) = _outage(make_store, db_url)
    try:
        started = time.monotonic()
        with pytest.raises(LeadStoreUnavailable):
            store.upsert("x", channel="rest", slots={})
        assert time.monotonic() - started < 5

        assert store.upsert_or_spool("lost?", channel="rest", slots={"email": "a@b.co"},
                                     status="callback", after_hours=True,
                                     callback_time="9am") is None
        assert store.upsert_or_spool("lost?", channel="rest", slots={"num_locations": 7},
                                     recommendation=RECOMMENDATION) is None
        lines = spool_path.read_text().splitlines()
        assert len(lines) == 2 and json.loads(lines[0])["sender_id"] == "lost?"
        assert "secret" not in spool_path.read_text()
        assert store.replay_spool() == 0  # still down: nothing applied, nothing dropped
        assert len(spool_path.read_text().splitlines()) == 2

        end_outage()
        assert store.replay_spool() == 2
        assert spool_path.read_text() == ""
        lead = store.get("lost?")
        assert lead is not None
        assert (lead.email, lead.num_locations, lead.status, lead.after_hours,
                lead.callback_time) == ("a@b.co", 7, "callback", True, "9am")
        assert lead.recommended_carriers == ("Lumen", "Zayo")
        assert lead.created_at == NOW
        assert store.replay_spool() == 0
    finally:
        store.close()
        cleanup()


def test_a_closed_port_is_unavailable_not_an_error(make_store: Any) -> None:
    dead = make_store(f"postgresql+psycopg2://postgres:secret@127.0.0.1:{free_port()}/x",
                      migrate=False, connect_timeout=1)
    with pytest.raises(LeadStoreUnavailable) as caught:
        dead.get("x")
    assert "secret" not in str(caught.value)
    with pytest.raises(LeadStoreUnavailable):
        dead.migrate()


def test_spool_entries_stay_with_their_database(make_store: Any, sqlite_url: str,
                                                spool_path: Path, tmp_path: Path) -> None:
    other = make_store(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/other",
                       migrate=False, connect_timeout=1)
    assert other.upsert_or_spool("elsewhere", channel="rest", slots={}) is None
    store = make_store(sqlite_url)
    assert store.upsert_or_spool("here", channel="rest", slots={}) is not None
    assert store.replay_spool() == 0 and not store.pending_spool()
    assert store.get("elsewhere") is None
    assert json.loads(spool_path.read_text())["sender_id"] == "elsewhere"


def test_upsert_or_spool_replays_pending_updates_first(store: LeadStore, spool_path: Path,
                                                       clock: Clock) -> None:
    spool_path.parent.mkdir(parents=True)
    spool_path.write_text(json.dumps({"sender_id": "o", "channel": "rest",
                                      "slots": {"email": "old@b.co", "num_locations": 2},
                                      "at": NOW.isoformat()}) + "\n")
    clock.advance(minutes=1)
    lead = store.upsert_or_spool("o", channel="rest", slots={"email": "new@b.co"})
    assert lead is not None and lead.email == "new@b.co" and lead.num_locations == 2
    assert spool_path.read_text() == ""


def test_bad_spool_lines_are_kept_aside_not_lost(store: LeadStore, spool_path: Path) -> None:
    spool_path.parent.mkdir(parents=True)
    good = json.dumps({"sender_id": "g", "channel": "rest", "slots": {}, "at": NOW.isoformat()})
    bad = json.dumps({"sender_id": "b", "channel": "rest", "slots": {}, "status": "won"})
    spool_path.write_text(f"{bad}\n{{torn line\n{good}\n")
    assert store.replay_spool() == 1
    assert store.get("g") is not None and store.get("b") is None
    rejected = [json.loads(r) for r in store.rejected_path.read_text().splitlines()]
    assert [r["line"] for r in rejected] == [bad, "{torn line"]
    assert all(r["reason"] and r["rejected_at"] for r in rejected)


def test_a_broken_scoring_file_does_not_lose_the_update(make_store: Any, sqlite_url: str,
                                                        tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    scoring = tmp_path / "scoring.yml"
    scoring.write_text("grades: [")
    store = make_store(sqlite_url, scoring_path=scoring)
    lead = store.upsert("s", channel="rest", slots={"email": "a@b.co"})
    assert lead.email == "a@b.co" and lead.score == 0
    assert f"{scoring}:1" in caplog.text


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="supports"):
        LeadStore("mysql://u@localhost/db")


def test_migrations_never_drop_in_upgrade() -> None:
    """House rule: an upgrade never drops data (no drop_table/drop_column/execute DROP)."""
    versions = sorted((MIGRATIONS_DIR / "versions").glob("*.py"))
    assert versions
    for path in versions:
        tree = ast.parse(path.read_text())
        upgrade = next(node for node in tree.body
                       if isinstance(node, ast.FunctionDef) and node.name == "upgrade")
        source = ast.unparse(upgrade)
        assert "drop_table" not in source and "drop_column" not in source, path
        assert "DROP " not in source.upper().replace("DROP_INDEX", ""), path
