"""The cached SQL tracker store (bot.rasa_adapters.server.tracker_cache) against Rasa's own.

Two cached stores on one database play two Rasa servers taking turns of the same
conversations; after every turn each of them, and a stock `SQLTrackerStore` reading the same
database, return the same tracker, and the rows in the database are the ones stock Rasa
writes. SQLite here; the real two-server runs on PostgreSQL are in test_multi_server.py.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.rasa_adapters.server.tracker_cache import (
    EMPTY,
    CachedSQLTrackerStore,
    Row,
    append,
    load,
)

DOMAIN = Domain.from_dict({
    "intents": ["inform", "greet"],
    "slots": {
        "states": {"type": "list", "mappings": [{"type": "custom"}]},
        "employees": {"type": "float", "mappings": [{"type": "custom"}]},
    },
    "responses": {"utter_greet": [{"text": "hi"}]},
})


def _store(cls: Any, db: Path, **kwargs: Any) -> Any:
    return cls(domain=DOMAIN, dialect="sqlite", db=str(db), **kwargs)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Any, Any, Any]]:
    db = tmp_path / "tracker.db"
    a = _store(CachedSQLTrackerStore, db)
    b = _store(CachedSQLTrackerStore, db)
    stock = _store(SQLTrackerStore, db)
    yield a, b, stock
    for store in (a, b, stock):
        store.engine.dispose()


def _turn(index: int, start: float) -> List[Event]:
    t = start + index
    return [
        UserUttered(f"message {index}", {"name": "inform", "confidence": 0.9},
                    [{"entity": "state", "value": "OR"}], timestamp=t),
        SlotSet("states", ["OR", f"S{index}"], timestamp=t + 0.1),
        SlotSet("employees", float(index), timestamp=t + 0.2),
        ActionExecuted("utter_greet", timestamp=t + 0.3),
        BotUttered(f"answer {index}", {"buttons": [{"title": "x", "payload": "/x"}]},
                   timestamp=t + 0.3),
        ActionExecuted("action_listen", timestamp=t + 0.4),
    ]


def _session_start(t: float) -> List[Event]:
    return [ActionExecuted("action_session_start", timestamp=t),
            SessionStarted(timestamp=t + 0.01),
            ActionExecuted("action_listen", timestamp=t + 0.02)]


async def _take_turn(store: Any, sender: str, events: List[Event]) -> None:
    """What a Rasa server does in a turn: retrieve (or create), add events, save."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in events:
        tracker.update(event)
    await store.save(tracker)


def _state(tracker: Any) -> Any:
    return None if tracker is None else tracker.current_state(EventVerbosity.ALL)


def _rows(db: Path, sender: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT type_name, timestamp, intent_name, action_name, data FROM events "
            "WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()


async def _alternate(a: Any, b: Any, stock: Any, sender: str) -> None:
    """Turns of one conversation taken by `a` and `b` in turn; after each, both read what
    Rasa's own store reads."""
    turns = [_session_start(100.0) + _turn(0, 101.0)] + [_turn(i, 101.0) for i in range(1, 5)]
    # A new session in the middle: the earlier events drop out of `retrieve`.
    turns.append(_session_start(200.0) + _turn(0, 201.0))
    turns += [_turn(i, 201.0) for i in range(1, 8)]
    for index, events in enumerate(turns):
        await _take_turn((a, b)[index % 2], sender, events)
        expected = _state(await stock.retrieve(sender))
        assert _state(await a.retrieve(sender)) == expected, f"a after turn {index}"
        assert _state(await b.retrieve(sender)) == expected, f"b after turn {index}"
    tracker = await stock.retrieve(sender)
    assert tracker.get_slot("employees") == 7.0
    assert [e for e in tracker.events if isinstance(e, SessionStarted)] == \
        [e for e in tracker.events if isinstance(e, SessionStarted)][-1:]
    # Appended, not reloaded: the other server's turn was read as the rows it added.
    assert a.stats["appends"] > 0 and b.stats["appends"] > 0
    assert a.stats["hits"] > 0 and a.stats["cached_saves"] > 0


def test_alternating_servers_read_what_stock_rasa_reads(stores: tuple[Any, Any, Any]) -> None:
    asyncio.run(_alternate(*stores, sender="alternating"))


def test_alternating_servers_on_postgresql() -> None:
    from urllib.parse import urlsplit

    from tests.conftest import PG_HOST, PG_PORT, PG_USER
    from tests.scale.conftest import pg_database

    with pg_database("carrier_advisor_cache") as url:
        name = urlsplit(url).path.lstrip("/")
        a, b, stock = (cls(domain=DOMAIN, dialect="postgresql", host=PG_HOST, port=PG_PORT,
                           username=PG_USER, db=name)
                       for cls in (CachedSQLTrackerStore, CachedSQLTrackerStore, SQLTrackerStore))
        try:
            asyncio.run(_alternate(a, b, stock, sender="alternating-pg"))
        finally:
            for store in (a, b, stock):
                store.engine.dispose()


def test_rows_written_are_the_ones_stock_rasa_writes(tmp_path: Path) -> None:
    async def run(store: Any) -> None:
        await _take_turn(store, "same", _session_start(100.0) + _turn(0, 101.0))
        for i in range(1, 4):
            await _take_turn(store, "same", _turn(i, 101.0))
        await _take_turn(store, "same", _session_start(300.0) + _turn(9, 301.0))
        await _take_turn(store, "same", _turn(10, 301.0))

    ours, theirs = tmp_path / "ours.db", tmp_path / "stock.db"
    cached = _store(CachedSQLTrackerStore, ours)
    plain = _store(SQLTrackerStore, theirs)
    asyncio.run(run(cached))
    asyncio.run(run(plain))
    assert _rows(ours, "same") == _rows(theirs, "same")
    assert cached.stats["cached_saves"] >= 5


def test_a_row_committed_late_with_a_lower_id_forces_a_full_load(
        stores: tuple[Any, Any, Any], tmp_path: Path) -> None:
    a, _, stock = stores

    def insert(connection: Any, id_: int, employees: float, timestamp: float) -> None:
        connection.execute(
            "INSERT INTO events (id, sender_id, type_name, timestamp, data) VALUES "
            "(?, 'late', 'slot', ?, ?)",
            (id_, timestamp, f'{{"event": "slot", "name": "employees", "value": {employees}, '
                             f'"timestamp": {timestamp}}}'))

    async def scenario() -> None:
        await _take_turn(a, "late", _session_start(100.0) + _turn(0, 101.0))
        await a.retrieve("late")
        with sqlite3.connect(tmp_path / "tracker.db") as connection:
            top = connection.execute("SELECT max(id) FROM events").fetchone()[0]
            insert(connection, top + 2, 12.0, 150.0)  # committed first, id given out second
        assert _state(await a.retrieve("late")) == _state(await stock.retrieve("late"))
        appends, loads = a.stats["appends"], a.stats["loads"]
        assert appends == 1
        with sqlite3.connect(tmp_path / "tracker.db") as connection:
            insert(connection, top + 1, 5.0, 149.0)  # committed late, below the cached id
        tracker = await a.retrieve("late")
        assert a.stats["loads"] == loads + 1 and a.stats["appends"] == appends
        assert _state(tracker) == _state(await stock.retrieve("late"))
        assert tracker.get_slot("employees") == 12.0  # id order, as Rasa reads it

    asyncio.run(scenario())


def test_unknown_sender_and_disabled_cache(tmp_path: Path) -> None:
    off = _store(CachedSQLTrackerStore, tmp_path / "off.db", cache_size=0)

    async def scenario() -> None:
        assert await off.retrieve("nobody") is None
        await _take_turn(off, "someone", _session_start(1.0) + _turn(0, 2.0))
        assert (await off.retrieve("someone")).get_slot("employees") == 0.0

    asyncio.run(scenario())
    assert off.stats == {"hits": 0, "appends": 0, "loads": 0, "cached_saves": 0, "saves": 0}


def test_least_recently_used_conversations_leave_the_cache(tmp_path: Path) -> None:
    small = _store(CachedSQLTrackerStore, tmp_path / "small.db", cache_size=2)

    async def scenario() -> None:
        for sender in ("one", "two", "three"):
            await _take_turn(small, sender, _session_start(1.0) + _turn(0, 2.0))
        assert list(small._cache) == ["two", "three"]
        assert (await small.retrieve("one")).get_slot("employees") == 0.0
        assert list(small._cache) == ["three", "one"]

    asyncio.run(scenario())


def _row(id_: int, event: Event) -> Row:
    import json

    return Row(id_, event.type_name, event.timestamp, json.dumps(event.as_dict()))


def test_append_equals_a_full_load() -> None:
    events = _session_start(10.0) + _turn(0, 11.0) + _session_start(20.0) + _turn(1, 21.0)
    rows = [_row(i + 1, e) for i, e in enumerate(events)]
    whole = load(rows)
    assert whole.session_start == 20.01 and whole.rows == len(rows)
    for cut in range(len(rows) + 1):
        first = load(rows[:cut]) if cut else EMPTY
        assert append(first, rows[cut:]) == whole, cut
    # An older session starting after a newer one: only a full load can tell.
    late = _row(99, SessionStarted(timestamp=5.0))
    assert append(whole, [late]) is None
