"""`LeadStore`: one lead per conversation in SQLite (default) or PostgreSQL (DATABASE_URL).

Concurrency: an upsert is one transaction that starts with a single
`INSERT ... ON CONFLICT (sender_id) DO UPDATE` statement, so two upserts for one conversation
can never create two rows. On PostgreSQL that statement takes the row lock, which is held
until commit; on SQLite the transaction is `BEGIN IMMEDIATE`, which takes the database write
lock up front. Either way the score is then recomputed from the merged row by the same
transaction, before anyone else can change it.

Availability: database errors that mean "cannot reach or lock the database right now" surface
as `LeadStoreUnavailable`. `save_or_spool()` then appends the update to a JSON-lines spool
file, and `replay_spool()` applies it later: a lead is never lost because the DB blinked.
`open_lead_store()` is how a process gets its store: it never touches the database, and the
schema is migrated on the first successful contact, so a process that starts while the
database is down spools its leads instead of losing them.

All methods block (SQLAlchemy is sync here); async callers wrap them in `asyncio.to_thread`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, Union

from sqlalchemy import and_, case, event, exc, func, literal, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.pool import QueuePool, StaticPool

from bot.leads.models import (
    Lead,
    UTCDateTime,
    carrier_names,
    check_status,
    leads_table,
    normalize_slots,
    normalize_transcript,
    row_to_lead,
)
from bot.leads.sanitize import clean_channel, strip_nul
from bot.leads.update import LeadUpdate
from bot.domain.scoring import ScoringConfig, load_scoring, score_lead
from bot.base.privacy import redact
from bot.base.spool import JsonlSpool
from bot.base.sqlite_wal import enable_wal
from bot.base.settings import VAR_DIR, Settings
from bot.base.yamldata import DataFileError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
DEFAULT_SPOOL_PATH = VAR_DIR / "lead-spool.jsonl"
#: pg_advisory_xact_lock key serialising concurrent `migrate()` calls (any constant will do).
_MIGRATION_LOCK_KEY = 0x1EAD5
SUPPORTED_DIALECTS = ("sqlite", "postgresql")

# Errors that mean the database is unreachable, locked or dropped the connection: worth
# retrying later. (SQLite's "database is locked" is an OperationalError too.)
_TRANSIENT = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)


class LeadStoreError(Exception):
    """Base class of the lead store's own errors."""


class LeadStoreUnavailable(LeadStoreError):
    """The database cannot be reached (or locked) right now; retry later or spool."""


def _mask_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for messages
        return "<database url>"


class LeadStore:
    """The lead database. Cheap to construct: the engine is created on first use.

    Processes get theirs from `open_lead_store(settings)`; construct one directly only for a
    specific URL (tests, tools).
    """

    def __init__(
        self,
        url: str,
        *,
        clock: Optional[Callable[[], datetime]] = None,
        spool_path: Union[str, Path, None] = None,
        connect_timeout: float = 3.0,
        lock_timeout: float = 10.0,
        scoring_path: Union[str, Path, None] = None,
        migrate_lazily: bool = False,
    ) -> None:
        self.url = url
        self._dialect = make_url(url).get_backend_name()
        if self._dialect not in SUPPORTED_DIALECTS:
            raise ValueError(f"the lead store supports {', '.join(SUPPORTED_DIALECTS)} URLs, "
                             f"not {self._dialect!r}")
        self._clock = clock or Settings.from_env().now
        self.spool_path = Path(spool_path) if spool_path is not None else DEFAULT_SPOOL_PATH
        self._connect_timeout = connect_timeout
        self._lock_timeout = lock_timeout
        self._scoring_path = scoring_path
        self._db_key = _mask_url(url)
        name = self.spool_path.name
        stem = name[:-len(".jsonl")] if name.endswith(".jsonl") else name
        # Refused entries go beside the spool: `lead-spool.rejected.jsonl`.
        self._spool = JsonlSpool(self.spool_path, self.spool_path.with_name(f"{stem}.rejected.jsonl"),
                                 self._db_key, clock=self._clock)
        self._engine: Optional[Engine] = None
        self._engine_lock = threading.Lock()
        # With migrate_lazily, the first transaction migrates the schema; until the database
        # answers, every call fails with LeadStoreUnavailable (and writes get spooled).
        self._migrate_lazily = migrate_lazily
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._schema_failure: Optional[tuple[float, LeadStoreUnavailable]] = None

    @property
    def dialect(self) -> str:
        return self._dialect

    # --- engine and transactions -----------------------------------------------------------

    def _get_engine(self) -> Engine:
        with self._engine_lock:
            if self._engine is None:
                self._engine = self._create_engine()
            return self._engine

    def _create_engine(self) -> Engine:
        url = make_url(self.url)
        if self._dialect == "postgresql":
            return create_engine(
                url,
                future=True,
                hide_parameters=True,  # SQL errors must not print emails, phones, transcripts
                pool_pre_ping=True,  # a restarted server must not cost a failed upsert
                connect_args={
                    "connect_timeout": max(1, int(self._connect_timeout)),
                    # A blocked lock or a stuck query becomes LeadStoreUnavailable (and the
                    # update is spooled) instead of hanging a conversation.
                    "options": f"-c lock_timeout={int(self._lock_timeout * 1000)} "
                               f"-c statement_timeout={int(self._lock_timeout * 3000)}",
                },
            )
        memory = url.database in (None, "", ":memory:")
        if memory:
            # One shared connection, or every checkout would see a different empty database.
            engine = create_engine(url, future=True, poolclass=StaticPool, hide_parameters=True,
                                   connect_args={"check_same_thread": False})
        else:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            # A pool that keeps connections open: with NullPool (SQLAlchemy 1.4's default for
            # SQLite files) every close is the last one, which checkpoints and deletes the WAL.
            # A pooled connection is only ever used by one thread at a time.
            engine = create_engine(url, future=True, poolclass=QueuePool, pool_size=5,
                                   max_overflow=15, hide_parameters=True,
                                   connect_args={"timeout": self._lock_timeout,
                                                 "check_same_thread": False})
        busy_ms = int(self._lock_timeout * 1000)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling defers BEGIN and gets it wrong for DDL;
            # we emit BEGIN ourselves (below), the recipe from SQLAlchemy's SQLite docs.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            if not memory:
                enable_wal(cursor, self._lock_timeout)  # readers don't block the writer
                # WAL + NORMAL: a commit survives a crash of any process; only an OS crash or
                # power cut can lose the last commits. It saves an fsync per upsert (~10 ms on
                # these disks). Deployments that need more run PostgreSQL.
                cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine

    @contextlib.contextmanager
    def _transaction(self, write: bool) -> Iterator[Connection]:
        """A connection in a transaction, committed on success; transient errors translated.

        The schema is migrated first when this store migrates lazily and has not yet.
        """
        if self._migrate_lazily and not self._schema_ready:
            self._migrate_once()
        with self._connection(write) as conn:
            yield conn

    def _migrate_once(self) -> None:
        """Migrate unless done; callers that waited for an attempt that failed fail with it
        (a database that is down costs one connect timeout, not one per waiting thread)."""
        waiting_since = time.monotonic()
        with self._schema_lock:
            if self._schema_ready:
                return
            failed = self._schema_failure
            if failed is not None and failed[0] >= waiting_since:
                raise LeadStoreUnavailable(str(failed[1])) from failed[1]
            try:
                self.migrate()
            except LeadStoreUnavailable as error:
                self._schema_failure = (time.monotonic(), error)
                raise

    @contextlib.contextmanager
    def _connection(self, write: bool) -> Iterator[Connection]:
        """`_transaction()` without the lazy migration (which itself runs in one)."""
        try:
            with self._get_engine().connect() as conn:
                if write and self._dialect == "sqlite":
                    # Take the write lock at BEGIN: a deferred transaction that reads and then
                    # writes can fail with "database is locked" instead of waiting its turn.
                    conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    yield conn
        except _TRANSIENT as error:
            detail = redact(str(getattr(error, "orig", None) or error)).strip()
            raise LeadStoreUnavailable(
                f"lead database {_mask_url(self.url)} unavailable: "
                f"{detail.splitlines()[0] if detail else type(error).__name__}"
            ) from error

    def transaction(self, write: bool = False) -> Any:
        """A transaction on the lead database for other tables of it (bot.leads.takeover):
        same engine, same SQLite write locking, same LeadStoreUnavailable on outages."""
        return self._transaction(write)

    def close(self) -> None:
        """Release pooled connections (the store can still be used afterwards)."""
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # --- schema ------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Upgrade the schema to the newest revision (creating it in an empty database).

        Safe to call from every process at start-up: concurrent calls are serialised (advisory
        lock on PostgreSQL, the write lock on SQLite) and a database at head is left alone.
        """
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        with self._connection(write=True) as conn:
            if self._dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                             {"key": _MIGRATION_LOCK_KEY})
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        self._schema_ready = True

    # --- writes ------------------------------------------------------------------------------

    def _insert(self) -> Any:
        return (pg_insert if self._dialect == "postgresql" else sqlite_insert)(leads_table)

    def save(self, change: LeadUpdate, at: Optional[datetime] = None) -> Lead:
        """Create or update the conversation's lead and return it, re-scored.

        Merge rules: a slot given as None/empty keeps the stored value; `recommendation`,
        `transcript`, `callback_time` and `after_hours` replace the stored value when given
        (non-empty).
        Status moves forward only: `new` never overwrites `handoff`/`callback`, and `closed`
        (a sales decision) is only changed by `set_status()`. `at` (default: the clock) is when
        the update happened; replayed spool entries pass their original time.
        """
        sender_id, status = change.sender_id, change.status
        recommendation, transcript = change.recommendation, change.transcript
        callback_time, after_hours = change.callback_time, change.after_hours
        if not sender_id:
            raise ValueError("sender_id is required")
        if len(sender_id) > leads_table.c.sender_id.type.length or "\x00" in sender_id:
            # Refused the same way on every database (SQLite would store it, PostgreSQL not).
            raise ValueError("sender_id is longer than 255 characters or holds a NUL")
        if status is not None:
            check_status(status)
        now = at or self._clock()
        values = normalize_slots(change.slots)
        changes: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
        # Empty values below mean "nothing new", like empty slots: they never erase.
        if recommendation:
            changes["recommendation"] = dict(recommendation)
            changes["recommended_carriers"] = carrier_names(recommendation)
            if not changes.get("handoff_reason") and recommendation.get("handoff_reason"):
                reason = normalize_slots({"handoff_reason": recommendation["handoff_reason"]})
                if reason["handoff_reason"]:
                    changes["handoff_reason"] = reason["handoff_reason"]
        if transcript:
            changes["transcript"] = normalize_transcript(transcript)
        if callback_time is not None and str(callback_time).strip():
            changes["callback_time"] = str(callback_time).strip()
        if after_hours is not None:
            changes["after_hours"] = bool(after_hours)
        # A NUL would make PostgreSQL refuse the whole save (and a spooled one forever).
        changes = strip_nul(changes)

        table = leads_table
        insert_values = {
            "sender_id": sender_id,
            "channel": clean_channel(change.channel),
            "created_at": now,
            "updated_at": now,
            "status": status or "new",
            **changes,
        }
        set_: dict[str, Any] = dict(changes)
        # Never move updated_at backwards (a replayed spool entry may be older than the row).
        # (Typed literal: an untyped one would skip UTCDateTime's UTC conversion.)
        stamp = literal(now, type_=UTCDateTime())
        set_["updated_at"] = case((table.c.updated_at > stamp, table.c.updated_at), else_=stamp)
        if status is not None and status != "new":
            set_["status"] = case((table.c.status == "closed", table.c.status), else_=status)
        statement = self._insert().values(**insert_values).on_conflict_do_update(
            index_elements=[table.c.sender_id], set_=set_)

        config = self._scoring_config()
        with self._transaction(write=True) as conn:
            conn.execute(statement)
            row = conn.execute(select(table).where(table.c.sender_id == sender_id)).one()
            lead = row_to_lead(row._mapping)
            if config is None:
                return lead  # keep the stored score rather than lose the update
            scored = score_lead(lead.slots(), today=self._clock().date(), config=config)
            if (scored.score, scored.grade, scored.reasons) != (lead.score, lead.grade,
                                                                lead.score_reasons):
                conn.execute(update(table).where(table.c.id == lead.id).values(
                    score=scored.score, grade=scored.grade, score_reasons=list(scored.reasons)))
                lead = dataclasses.replace(lead, score=scored.score, grade=scored.grade,
                                           score_reasons=scored.reasons)
        return lead

    def upsert(self, sender_id: str, *, at: Optional[datetime] = None, **fields: Any) -> Lead:
        """`save(LeadUpdate(sender_id, **fields), at)`: a shorthand for scripts and tests."""
        return self.save(LeadUpdate(sender_id, **fields), at=at)

    def _scoring_config(self) -> Optional[ScoringConfig]:
        """The scoring weights, or None when a broker's edit broke the file (logged)."""
        try:
            return load_scoring(self._scoring_path)
        except DataFileError as error:
            log.error("lead saved without rescoring: %s", error)
            return None

    def set_status(self, lead_id: int, status: str) -> Optional[Lead]:
        """Set a lead's status (any transition: this is the sales team's decision)."""
        check_status(status)
        with self._transaction(write=True) as conn:
            result = conn.execute(update(leads_table).where(leads_table.c.id == lead_id)
                                  .values(status=status, updated_at=self._clock()))
            if result.rowcount == 0:
                return None
            row = conn.execute(select(leads_table).where(leads_table.c.id == lead_id)).one()
            return row_to_lead(row._mapping)

    def set_paused(self, sender_id: str, paused: bool) -> Optional[Lead]:
        """Pause (a human took over) or resume the bot for a conversation; None if no lead.

        updated_at is left alone: pausing is conversation control, not new lead data.
        """
        with self._transaction(write=True) as conn:
            result = conn.execute(update(leads_table)
                                  .where(leads_table.c.sender_id == sender_id)
                                  .values(paused=bool(paused)))
            if result.rowcount == 0:
                return None
            row = conn.execute(select(leads_table)
                               .where(leads_table.c.sender_id == sender_id)).one()
            return row_to_lead(row._mapping)

    # --- reads -------------------------------------------------------------------------------

    def get(self, sender_id: str) -> Optional[Lead]:
        """The conversation's lead, or None."""
        with self._transaction(write=False) as conn:
            row = conn.execute(select(leads_table)
                               .where(leads_table.c.sender_id == sender_id)).one_or_none()
        return row_to_lead(row._mapping) if row is not None else None

    def get_by_id(self, lead_id: int) -> Optional[Lead]:
        """The lead with this id, or None."""
        with self._transaction(write=False) as conn:
            row = conn.execute(select(leads_table)
                               .where(leads_table.c.id == lead_id)).one_or_none()
        return row_to_lead(row._mapping) if row is not None else None

    def list_leads(
        self,
        grade: Optional[str] = None,
        status: Optional[str] = None,
        after_hours: Optional[bool] = None,
        since: Optional[datetime] = None,
        until: Optional[datetime] = None,
        *,
        limit: Optional[int] = None,
        offset: int = 0,
        with_transcript: bool = True,
        search: Optional[str] = None,
    ) -> list[Lead]:
        """Leads, newest update first. `since`/`until` (half-open [since, until)) select leads
        created or updated in that window. `limit`/`offset` page in SQL; without the
        transcript (the largest column) a page of the list costs little memory. `search`:
        part of the company, contact, e-mail or phone (see `search_condition`)."""
        query = self._filtered(select(*self._columns(with_transcript)), grade, status,
                               after_hours, since, until, search)
        query = query.order_by(leads_table.c.updated_at.desc(), leads_table.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self._transaction(write=False) as conn:
            return [row_to_lead(row._mapping) for row in conn.execute(query)]

    def count_leads(self, grade: Optional[str] = None, status: Optional[str] = None,
                    after_hours: Optional[bool] = None, since: Optional[datetime] = None,
                    until: Optional[datetime] = None, search: Optional[str] = None) -> int:
        """How many leads `list_leads` with these filters would return."""
        query = self._filtered(select(func.count()).select_from(leads_table), grade, status,
                               after_hours, since, until, search)
        with self._transaction(write=False) as conn:
            return int(conn.execute(query).scalar_one())

    def iter_listed_leads(self, batch_size: int = 500, **filters: Any) -> Iterator[Lead]:
        """`list_leads(**filters)` without transcripts, fetched a page at a time (short
        transactions, bounded memory: the CSV export streams it)."""
        offset = 0
        while True:
            page = self.list_leads(**filters, limit=batch_size, offset=offset,
                                   with_transcript=False)
            yield from page
            if len(page) < batch_size:
                return
            offset += batch_size

    @staticmethod
    def _columns(with_transcript: bool) -> list[Any]:
        return [c for c in leads_table.c if with_transcript or c.name != "transcript"]

    @staticmethod
    def _filtered(query: Any, grade: Optional[str], status: Optional[str],
                  after_hours: Optional[bool], since: Optional[datetime],
                  until: Optional[datetime], search: Optional[str] = None) -> Any:
        table = leads_table
        if search:
            query = query.where(search_condition(search))
        if grade is not None:
            query = query.where(table.c.grade == grade)
        if status is not None:
            query = query.where(table.c.status == status)
        if after_hours is not None:
            query = query.where(table.c.after_hours == bool(after_hours))
        if since is not None or until is not None:
            def within(column: Any) -> Any:
                terms = []
                if since is not None:
                    terms.append(column >= since)
                if until is not None:
                    terms.append(column < until)
                return and_(*terms)

            query = query.where(or_(within(table.c.created_at), within(table.c.updated_at)))
        return query

    def iter_leads(self, batch_size: int = 500) -> Iterator[Lead]:
        """Every lead by id, fetched in batches (short transactions, bounded memory)."""
        last_id = 0
        while True:
            query = (select(leads_table).where(leads_table.c.id > last_id)
                     .order_by(leads_table.c.id).limit(batch_size))
            with self._transaction(write=False) as conn:
                batch = [row_to_lead(row._mapping) for row in conn.execute(query)]
            yield from batch
            if len(batch) < batch_size:
                return
            last_id = batch[-1].id

    # --- spool -------------------------------------------------------------------------------

    def save_or_spool(self, change: LeadUpdate) -> Optional[Lead]:
        """`save()`, or, when the database is unavailable, append it to the spool file.

        Returns the lead, or None when the update was spooled. Pending spool entries are
        replayed first so updates of one conversation are applied in order.
        """
        at = self._clock()
        try:
            if self.pending_spool():
                self.replay_spool()
            return self.save(change, at=at)
        except LeadStoreUnavailable as error:
            self._spool.append({
                **change.to_json(),
                "at": at.isoformat(),
                # Which database the update is for: one spool file may outlive a DATABASE_URL
                # change, and an update must never be replayed into another database.
                "db": self._db_key,
            })
            log.warning("lead store unavailable, update of conversation %s spooled to %s (%s)",
                        change.sender_id, self.spool_path, error)
            return None

    def upsert_or_spool(self, sender_id: str, **fields: Any) -> Optional[Lead]:
        """`save_or_spool(LeadUpdate(sender_id, **fields))`: a shorthand for scripts and tests."""
        return self.save_or_spool(LeadUpdate(sender_id, **fields))

    def pending_spool(self) -> bool:
        """True when the spool file may hold entries for this database not yet replayed."""
        return self._spool.pending()

    def replay_spool(self) -> int:
        """Apply spooled updates in order and remove them; returns how many were applied.

        The spool's rules are bot/base/spool.py's (order, other databases' entries left alone,
        refused entries set aside in `rejected_path` with the reason, atomic rewrite). An
        entry older than the stored lead (a newer save reached the database first, maybe
        through another server) only fills the facts the lead still lacks (`_stale_part`): it
        never overwrites newer data. SQLAlchemyError during replay is never transient (those
        are LeadStoreUnavailable): the database refused the entry's values, and will every time.
        """
        done = self._spool.replay(self._replay_entry, unavailable=LeadStoreUnavailable,
                                  refused=(exc.SQLAlchemyError,))
        if done.applied:
            log.info("replayed %d spooled lead update(s); %d still pending", done.applied,
                     done.pending)
        return done.applied

    def _replay_entry(self, entry: Mapping[str, Any]) -> None:
        change = LeadUpdate.from_json(entry)
        at = datetime.fromisoformat(entry["at"]) if entry.get("at") else None
        if at is not None:
            stored = self.get(change.sender_id)
            if stored is not None and stored.updated_at > at:
                change = _stale_part(change, stored)
        self.save(change, at=at)

    @property
    def rejected_path(self) -> Path:
        """Where refused spool entries go: `lead-spool.rejected.jsonl` beside the spool."""
        return self._spool.rejected_path


def search_condition(text: str) -> Any:
    """Leads whose company, contact or e-mail contains `text` (any case), or whose phone
    contains its digits ("503-555-0123" finds +15035550123); LIKE wildcards are literal."""
    table = leads_table
    needle = text.strip().lower()
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    terms = [func.lower(column).like(pattern, escape="\\")
             for column in (table.c.company_name, table.c.contact_name, table.c.email)]
    digits = "".join(ch for ch in needle if ch.isdigit())
    if len(digits) >= 3:
        terms.append(table.c.phone.like(f"%{digits}%"))
    return or_(*terms)


def _stale_part(change: LeadUpdate, stored: Lead) -> LeadUpdate:
    """What an update older than the stored lead may still add: the slots the lead lacks,
    and its status (which only moves forward anyway). Never the transcript, recommendation,
    callback time or after-hours flag: the newer save's are the truth."""
    missing = {name: value for name, value in normalize_slots(change.slots).items()
               if value is not None and getattr(stored, name, None) in (None, (), "")}
    return LeadUpdate(sender_id=change.sender_id, channel=change.channel, slots=missing,
                      status=change.status)


# --- one store per database, per process ------------------------------------------------------

_open_stores: dict[tuple[str, Optional[datetime]], LeadStore] = {}
_open_stores_lock = threading.Lock()


def open_lead_store(settings: Optional[Settings] = None) -> LeadStore:
    """This process's store for the deployment's database (DATABASE_URL or embedded SQLite).

    One store per URL (and `BOT_NOW` clock), shared by every caller of the process. Opening
    never touches the database: the schema is migrated on the first call that reaches it, so a
    process started while the database is down spools its writes (`save_or_spool`) and
    migrates, then replays them, once the database answers.
    """
    settings = settings or Settings.from_env()
    key = (settings.effective_database_url, settings.bot_now)
    with _open_stores_lock:
        store = _open_stores.get(key)
        if store is None:
            store = LeadStore(key[0], clock=settings.now, migrate_lazily=True)
            _open_stores[key] = store
        return store


def close_open_lead_stores() -> None:
    """Close and forget every store `open_lead_store()` opened (tests; process shutdown)."""
    with _open_stores_lock:
        stores = list(_open_stores.values())
        _open_stores.clear()
    for store in stores:
        store.close()
