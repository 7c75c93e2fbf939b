"""Conversations' events from Rasa's SQL tracker store, read-only (for the funnel page).

Rasa 3.6's `SQLTrackerStore` keeps one row per event in the table `events` (`id`,
`sender_id`, `type_name`, `timestamp`, `intent_name`, `action_name`, `data` = the event's
JSON). The database is the one `bot.runtime.deployment` configures for Rasa: DATABASE_URL when
set, else the embedded `var/tracker.db`. Reading the trackers (rather than the RabbitMQ event
stream) works in every deployment, embedded included, and needs no consumer running.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import Any, Dict, List, Optional

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.base.settings import VAR_DIR, Settings

logger = logging.getLogger(__name__)

#: Rasa's table, declared (never created here) so queries are built, not string-formatted.
events_table = Table(
    "events", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)
MAX_CONVERSATIONS = 20_000  # the page stays quick; the newest conversations win
CHUNK = 500


class TrackerUnavailable(Exception):
    """The tracker database cannot be read."""


def tracker_database_url(settings: Settings) -> str:
    """Where Rasa keeps its trackers for these settings (same rule as bot.runtime.deployment)."""
    if settings.database_url:
        url = settings.database_url
        return "postgresql" + url[len("postgres"):] if url.startswith("postgres://") else url
    return f"sqlite:///{VAR_DIR / 'tracker.db'}"


class TrackerEvents:
    """Reads conversations started in a time window, with their events in order."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Optional[Engine] = None
        self._lock = threading.Lock()

    def _get_engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = create_engine(self.url, pool_pre_ping=True)
            return self._engine

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def conversations(self, since: Optional[datetime], until: Optional[datetime],
                      limit: int = MAX_CONVERSATIONS) -> Dict[str, List[Dict[str, Any]]]:
        """sender_id -> its events (Rasa JSON), for conversations whose first event falls in
        [since, until); at most `limit`, newest first. No table yet: no conversations."""
        first = func.min(events_table.c.timestamp)
        query = select(events_table.c.sender_id, first.label("first")).group_by(
            events_table.c.sender_id)
        if since is not None:
            query = query.having(first >= since.timestamp())
        if until is not None:
            query = query.having(first < until.timestamp())
        query = query.order_by(first.desc()).limit(limit)
        try:
            engine = self._get_engine()
            with engine.connect() as conn:
                if not engine.dialect.has_table(conn, "events"):
                    return {}  # Rasa has not stored a conversation yet
                senders = [row.sender_id for row in conn.execute(query)]
                result: Dict[str, List[Dict[str, Any]]] = {s: [] for s in senders}
                for start in range(0, len(senders), CHUNK):
                    chunk = senders[start:start + CHUNK]
                    rows = conn.execute(
                        select(events_table.c.sender_id, events_table.c.data)
                        .where(events_table.c.sender_id.in_(chunk))
                        .order_by(events_table.c.id))
                    for row in rows:
                        event = _decode(row.data)
                        if event is not None:
                            result[row.sender_id].append(event)
                return result
        except SQLAlchemyError as error:
            raise TrackerUnavailable(str(error).splitlines()[0]) from None


def _decode(data: Optional[str]) -> Optional[Dict[str, Any]]:
    try:
        event = json.loads(data or "")
    except (TypeError, ValueError):
        return None
    return event if isinstance(event, dict) else None
