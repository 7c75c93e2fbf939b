"""Operations metrics in Prometheus' text format (`prometheus-client`), for every process.

Two kinds of series, none with personal data (labels are channels, action names, states and
statuses: never a sender id, a name, an e-mail or a phone number):

- *events of this process*, counted where they happen: turn latency by channel (the Rasa
  server), action errors by action (wherever the actions run: the action server, or the Rasa
  server with ACTIONS_MODE=inprocess), leads saved and spooled (every process that saves);
- *state of the shared database*, read when Prometheus scrapes (`DatabaseCollector`, mounted
  on the web app only, so the figures are not scraped twice): the outbox's depth per state
  and its failures, handoffs waiting for an agent, paused conversations, leads per status,
  and entries waiting in the spool files while the database was down.

`mount_metrics(app)` adds `GET /metrics` to any Sanic app (the web app, Rasa's, rasa_sdk's).
With METRICS_TOKEN set it answers only `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import functools
import hmac
import logging
import os
import time
from typing import Any, Callable, Iterable, Iterator, Optional

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import func, select

from bot.leads.models import leads_table
from bot.leads.store import LeadStore

logger = logging.getLogger(__name__)

PREFIX = "carrier_advisor"
#: A turn is what a customer waits for: typically 50-500 ms, a slow action up to seconds.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
KNOWN_CHANNELS = frozenset({"rest", "socketio", "slack", "cmdline", "inspector"})

TURN_LATENCY = Histogram(
    f"{PREFIX}_turn_latency_seconds",
    "Time from a customer's message to the end of the assistant's turn, by channel.",
    ["channel"], buckets=LATENCY_BUCKETS)
ACTION_ERRORS = Counter(
    f"{PREFIX}_action_errors",
    "Custom actions that raised an exception, by action.", ["action"])
LEADS_SAVED = Counter(f"{PREFIX}_leads_saved", "Lead saves written to the database.")
LEADS_SPOOLED = Counter(
    f"{PREFIX}_leads_spooled",
    "Lead saves spooled to a file because the database was down (replayed later).")
#: A collection stops every conversation of the process: young ones take ~1 ms, a full one
#: of a loaded server hundreds (bot.rasa_adapters.server.gc_freeze).
GC_PAUSE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
GC_PAUSES = Histogram(
    f"{PREFIX}_gc_pause_seconds",
    "Python garbage-collector pauses of this process, by generation.",
    ["generation"], buckets=GC_PAUSE_BUCKETS)


def channel_label(channel: Optional[str]) -> str:
    """A bounded label: a custom channel name would make a new series per name."""
    name = (channel or "unknown").lower()
    return name if name in KNOWN_CHANNELS else "other"


def observe_turn(channel: Optional[str], seconds: float) -> None:
    TURN_LATENCY.labels(channel_label(channel)).observe(max(0.0, seconds))


def observe_gc_pause(generation: int, seconds: float) -> None:
    GC_PAUSES.labels(str(generation)).observe(max(0.0, seconds))


def count_action_error(action: Optional[str]) -> None:
    # Action names come from our domain (a bounded set); a missing one is "unknown".
    ACTION_ERRORS.labels(str(action or "unknown")[:64]).inc()


_lead_saves_counted = False


def count_lead_saves() -> None:
    """Count `LeadStore.save_or_spool` outcomes in this process (idempotent): a Lead back is a
    save, None is a spooled save. Wraps the method once, in place, like the server guards."""
    global _lead_saves_counted
    if _lead_saves_counted:
        return
    original = LeadStore.save_or_spool

    @functools.wraps(original)
    def save_or_spool(self: LeadStore, change: Any) -> Any:
        lead = original(self, change)
        (LEADS_SAVED if lead is not None else LEADS_SPOOLED).inc()
        return lead

    LeadStore.save_or_spool = save_or_spool  # type: ignore[method-assign]
    _lead_saves_counted = True


def _spool_entries(path: Any) -> int:
    try:
        with open(path, "rb") as spool:
            return sum(1 for line in spool if line.strip())
    except OSError:
        return 0


class DatabaseCollector(Collector):
    """Gauges read from the leads database at scrape time (a failed read: `database_up 0`)."""

    def __init__(self, store: LeadStore) -> None:
        self.store = store

    def describe(self) -> Iterable[Any]:
        return []  # no describe-time query: registering must not touch the database

    def collect(self) -> Iterator[Any]:
        from bot.leads.takeover import takeovers_table
        from bot.outbox.models import STATES, outbox_table
        from bot.outbox.store import Outbox

        up = GaugeMetricFamily(f"{PREFIX}_database_up",
                               "1 when the leads database answered this scrape.")
        outbox = Outbox(self.store)
        spools = GaugeMetricFamily(f"{PREFIX}_spool_entries",
                                   "Saves waiting in a spool file for the database.", labels=["spool"])
        spools.add_metric(["leads"], _spool_entries(self.store.spool_path))
        spools.add_metric(["outbox"], _spool_entries(outbox.spool_path))
        yield spools
        try:
            with self.store.transaction(write=False) as conn:
                outbox_rows = dict(conn.execute(select(outbox_table.c.state, func.count())
                                                .group_by(outbox_table.c.state)).all())
                failing = conn.execute(select(outbox_table.c.destination, func.count())
                                       .where(outbox_table.c.state.in_(("retrying", "dead")))
                                       .group_by(outbox_table.c.destination)).all()
                waiting = conn.execute(select(func.count()).select_from(takeovers_table)
                                       .where(takeovers_table.c.state == "waiting")).scalar_one()
                paused = conn.execute(select(func.count()).select_from(leads_table)
                                      .where(leads_table.c.paused.is_(True))).scalar_one()
                statuses = conn.execute(select(leads_table.c.status, func.count())
                                        .group_by(leads_table.c.status)).all()
        except Exception as error:  # noqa: BLE001 - a scrape reports the outage, never fails
            logger.warning("metrics: leads database unavailable: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily(f"{PREFIX}_outbox_messages",
                                  "Outbox messages per state (depth: held+queued+sending+retrying).",
                                  labels=["state"])
        for state in STATES:
            depth.add_metric([state], int(outbox_rows.get(state, 0)))
        yield depth
        failures = GaugeMetricFamily(f"{PREFIX}_outbox_failing_messages",
                                     "Outbox messages whose last attempt failed (retrying or dead).",
                                     labels=["destination"])
        for destination, count in failing:
            failures.add_metric([str(destination)], int(count))
        yield failures
        yield GaugeMetricFamily(f"{PREFIX}_handoffs_waiting",
                                "Live handoffs waiting for an agent to take the chat.",
                                value=int(waiting))
        yield GaugeMetricFamily(f"{PREFIX}_conversations_paused",
                                "Conversations where the assistant is paused for a person.",
                                value=int(paused))
        leads = GaugeMetricFamily(f"{PREFIX}_leads", "Leads in the database per status.",
                                  labels=["status"])
        for status, count in statuses:
            leads.add_metric([str(status)], int(count))
        yield leads


_database_collectors: dict = {}


def register_database_collector(store: LeadStore,
                                registry: CollectorRegistry = REGISTRY) -> DatabaseCollector:
    """Register the database gauges once per registry (a second app reuses the first)."""
    collector = _database_collectors.get(id(registry))
    if collector is None:
        collector = DatabaseCollector(store)
        registry.register(collector)
        _database_collectors[id(registry)] = collector
    else:
        collector.store = store  # the newest app's store (tests build several apps)
    return collector


def authorized(header: Optional[str], token: Optional[str]) -> bool:
    """No token configured: open (no personal data; keep the port internal). Else Bearer."""
    if not token:
        return True
    expected = f"Bearer {token}".encode()
    return hmac.compare_digest((header or "").encode(), expected)


def render(registry: CollectorRegistry = REGISTRY) -> bytes:
    return generate_latest(registry)


def mount_metrics(app: Any, token: Optional[str] = None, path: str = "/metrics",
                  registry: CollectorRegistry = REGISTRY) -> None:
    """Add `GET <path>` to the Sanic `app` (token default: METRICS_TOKEN)."""
    from sanic import response

    token = token if token is not None else (os.environ.get("METRICS_TOKEN") or None)

    async def metrics(request: Any) -> Any:
        if not authorized(request.headers.get("authorization"), token):
            return response.text("unauthorized", status=401,
                                 headers={"WWW-Authenticate": "Bearer"})
        started = time.perf_counter()
        body = await _in_thread(render, registry)  # the database collector blocks
        return response.raw(body, content_type=CONTENT_TYPE_LATEST,
                            headers={"Cache-Control": "no-store",
                                     "X-Scrape-Ms": f"{(time.perf_counter() - started) * 1000:.1f}"})

    app.add_route(metrics, path, methods=["GET"], name="prometheus_metrics")


async def _in_thread(fn: Callable[..., bytes], *args: Any) -> bytes:
    import asyncio

    return await asyncio.to_thread(fn, *args)
