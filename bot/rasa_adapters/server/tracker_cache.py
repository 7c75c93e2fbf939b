"""A SQL tracker store that keeps the deserialised conversations in the process.

Rasa 3.6's `SQLTrackerStore` reads every event of the conversation's session at the start of
each turn, parses each one from JSON into an `Event` and replays them all (`retrieve`), then
counts the session's events again to find what to insert (`save`); with an event broker,
`save` even retrieves the whole conversation a second time. That was a fifth of a turn.

`CachedSQLTrackerStore` keeps, per conversation, the events that `retrieve` would return
(deserialised from the JSON stored, so exactly what a fresh load gives), with the version of
the database it saw: the number of the sender's rows and their largest id.

- `retrieve`: one cheap query (`count(id), max(id)` for the sender, on the sender_id index).
  Unchanged: the tracker is rebuilt from the cached events (no JSON, no event parsing).
  Grown, e.g. another Rasa server took the last turn: only the rows above the cached id
  are read, parsed and appended. Anything else (rows missing below the cached id, a new
  session started elsewhere, no cache entry): the full load, as stock Rasa does.
- `save`: the same version query tells whether the cached events are what the database
  holds; then the new events are the tracker's events after those (what Rasa's own count
  gives), they are inserted and appended to the cache, and streamed to the event broker
  without retrieving the conversation again. Otherwise Rasa's own code path.

Several Rasa servers stay correct because every read checks the version first, and rows are
only ever appended (ids grow; a row committed late with a lower id shows up in the count).
The cache holds at most `TRACKER_CACHE_SIZE` conversations (default 1000; 0 turns it off),
least recently used out first. `retrieve_full_tracker` (all sessions, for the HTTP API) is
Rasa's own.
"""

from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Iterable, List, Optional, Sequence, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 1000

Version = Tuple[int, Optional[int]]  # (rows of the sender, largest id)


@dataclass(frozen=True)
class Row:
    """One stored event, as much of it as the cache needs."""

    id: int
    type_name: str
    timestamp: Optional[float]
    data: str


@dataclass(frozen=True)
class CachedConversation:
    """What `retrieve` returns for a sender at one version of the database."""

    events: Tuple[Event, ...]  # the latest session's events, parsed from the stored JSON
    rows: int  # every row of the sender (all sessions)
    max_id: Optional[int]
    session_start: Optional[float]  # timestamp of the latest SessionStarted, if any

    @property
    def version(self) -> Version:
        return self.rows, self.max_id


EMPTY = CachedConversation(events=(), rows=0, max_id=None, session_start=None)


def _in_session(timestamp: Optional[float], session_start: Optional[float]) -> bool:
    """Rasa's filter: events at or after the latest SessionStarted (all when none)."""
    return session_start is None or (timestamp is not None and timestamp >= session_start)


def _parse(rows: Iterable[Row]) -> List[Event]:
    return deserialise_events([json.loads(row.data) for row in rows])


def load(rows: Sequence[Row]) -> CachedConversation:
    """The cached conversation of every row of a sender, in id order (a full load)."""
    starts = [r.timestamp for r in rows
              if r.type_name == SessionStarted.type_name and r.timestamp is not None]
    session_start = max(starts) if starts else None
    return CachedConversation(
        events=tuple(_parse(r for r in rows if _in_session(r.timestamp, session_start))),
        rows=len(rows),
        max_id=max((r.id for r in rows), default=None),
        session_start=session_start,
    )


def append(cached: CachedConversation, rows: Sequence[Row]) -> Optional[CachedConversation]:
    """`cached` with `rows` (all of the sender's rows above `cached.max_id`, in id order)
    appended, as a full load would give it; None when only a full load can tell."""
    if not rows:
        return cached
    starts = [r.timestamp for r in rows if r.type_name == SessionStarted.type_name]
    session_start = cached.session_start
    kept: Sequence[Event] = cached.events
    if starts:
        if any(t is None for t in starts):
            return None
        latest = max(starts)
        if session_start is not None and latest < session_start:
            return None  # an older session started late: let a full load sort it out
        # The latest session moved on: the events before it drop out, as in a fresh load.
        session_start = latest
        kept = [e for e in cached.events if _in_session(e.timestamp, session_start)]
    return CachedConversation(
        events=(*kept, *_parse(r for r in rows if _in_session(r.timestamp, session_start))),
        rows=cached.rows + len(rows),
        max_id=max(r.id for r in rows),
        session_start=session_start,
    )


def cache_size_from_env() -> int:
    raw = os.environ.get("TRACKER_CACHE_SIZE", "").strip()
    try:
        return max(0, int(raw)) if raw else DEFAULT_CACHE_SIZE
    except ValueError:
        logger.warning("TRACKER_CACHE_SIZE=%r is not a number; using %d", raw,
                       DEFAULT_CACHE_SIZE)
        return DEFAULT_CACHE_SIZE


class CachedSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with the conversations kept in the process (see the module)."""

    def __init__(self, *args: Any, cache_size: Optional[int] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = cache_size_from_env() if cache_size is None else cache_size
        self._cache: "OrderedDict[str, CachedConversation]" = OrderedDict()
        self.stats = {"hits": 0, "appends": 0, "loads": 0, "cached_saves": 0, "saves": 0}
        # Runs on every turn; building an ORM query each time cost more than running it.
        events = self.SQLEvent.__table__
        self._version_select = sa.select(sa.func.count(events.c.id), sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id"))

    # -- the cache -----------------------------------------------------------------------

    def _remember(self, sender_id: str, cached: Optional[CachedConversation]) -> None:
        if cached is None or self.cache_size <= 0:
            self._cache.pop(sender_id, None)
            return
        self._cache[sender_id] = cached
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _version(self, session: Any, sender_id: str) -> Version:
        rows, max_id = session.execute(self._version_select, {"sender_id": sender_id}).one()
        return int(rows or 0), max_id

    def _rows(self, session: Any, sender_id: str, above: Optional[int] = None) -> List[Row]:
        event = self.SQLEvent
        query = session.query(event.id, event.type_name, event.timestamp, event.data).filter(
            event.sender_id == sender_id)
        if above is not None:
            query = query.filter(event.id > above)
        return [Row(*values) for values in query.order_by(event.id).all()]

    def _current(self, session: Any, sender_id: str) -> CachedConversation:
        """The sender's conversation at the database's current version, read as little as
        the cache allows."""
        version = self._version(session, sender_id)
        cached = self._cache.get(sender_id)
        if version[0] == 0:
            return EMPTY
        if cached is not None and cached.version == version:
            self.stats["hits"] += 1
            return cached
        if cached is not None and cached.max_id is not None and version[1] is not None \
                and version[1] > cached.max_id:
            rows = self._rows(session, sender_id, above=cached.max_id)
            grown = append(cached, rows) if cached.rows + len(rows) == version[0] else None
            if grown is not None:
                self.stats["appends"] += 1
                return grown
        self.stats["loads"] += 1
        return load(self._rows(session, sender_id))

    # -- Rasa's interface ----------------------------------------------------------------

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker of the latest session, as Rasa's `retrieve` returns it."""
        if self.cache_size <= 0:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            current = self._current(session, sender_id)
        self._remember(sender_id, current if current.rows else None)
        if not self.domain or not current.events:
            return None
        return DialogueStateTracker.from_events(sender_id, list(current.events),
                                                self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the tracker's new events; keep the cache in step."""
        if self.cache_size <= 0:
            return await super().save(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            version = self._version(session, sender_id)
            cached = EMPTY if version[0] == 0 else self._cache.get(sender_id)
            if cached is not None and cached.version == version:
                new_events = list(tracker.events)[len(cached.events):]
            else:
                cached = None
                new_events = list(self._additional_events(session, tracker))
            if self.event_broker:
                # What Rasa's `stream_events` finds by retrieving the conversation again.
                await self._stream_new_events(self.event_broker, new_events, sender_id)
            stored = self._insert(session, sender_id, new_events)
            session.commit()
        if cached is None:
            self.stats["saves"] += 1
            self._remember(sender_id, None)
        else:
            self.stats["cached_saves"] += 1
            self._remember(sender_id, append(cached, stored))
        logger.debug(f"Tracker with sender_id '{sender_id}' stored to database")

    def _insert(self, session: Any, sender_id: str, new_events: Sequence[Event]) -> List[Row]:
        """Rasa's `save` body: one row per event; returns the rows with their ids."""
        added = []
        for event in new_events:
            data = event.as_dict()
            intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
            row = self.SQLEvent(sender_id=sender_id, type_name=event.type_name,
                                timestamp=data.get("timestamp"), intent_name=intent,
                                action_name=data.get("name"), data=json.dumps(data))
            session.add(row)
            added.append(row)
        if added:
            session.flush()  # assigns the ids
        return [Row(r.id, r.type_name, r.timestamp, r.data) for r in added]


def install() -> None:
    """Make `type: SQL` tracker stores cached ones (call once, before the server starts)."""
    import rasa.core.tracker_store as tracker_store

    original = tracker_store._create_from_endpoint_config

    def create_from_endpoint_config(endpoint_config: Any = None, domain: Any = None,
                                    event_broker: Any = None) -> Any:
        if endpoint_config is not None and (endpoint_config.type or "").lower() == "sql":
            from rasa.shared.core.domain import Domain

            store = CachedSQLTrackerStore(domain=domain or Domain.empty(),
                                          host=endpoint_config.url, event_broker=event_broker,
                                          **endpoint_config.kwargs)
            logger.debug("Connected to %s.", type(store).__name__)
            return store
        return original(endpoint_config, domain, event_broker)

    tracker_store._create_from_endpoint_config = create_from_endpoint_config
