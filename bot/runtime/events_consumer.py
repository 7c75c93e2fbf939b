"""`python -m bot.runtime.events_consumer`: read Rasa's event stream from RabbitMQ, keep analytics.

With `RABBITMQ_URL` set, every Rasa server publishes each tracker event to the fanout exchange
`rasa-exchange`, bound to the durable queue `bot.runtime.deployment.EVENT_QUEUE`. This consumer
declares the same exchange, queue and binding (so no event is dropped when it starts before
the first Rasa server), folds each event into `bot.analytics.conversation_stats.Analytics`, and writes a JSON
snapshot (summary plus one entry per conversation; no personal data) to `--snapshot`
(default `var/analytics.json`) every `--interval` seconds and when it stops.

`--feed-leads` also upserts the facts of conversations that reached a recommendation or a
handoff into the lead store (`DATABASE_URL`; spooled while the database is down), a second
path next to the actions' own saves: the store merges, never duplicates, never erases.

Run one consumer per deployment (several consumers on one queue share the events between
them, each seeing only part of a conversation). It stops on SIGINT/SIGTERM, after
`--max-messages`, or after `--idle-exit` seconds without a message (for tests and batch runs).
Messages are acknowledged after they are applied; a message that is not a Rasa event is
counted (`rejected`), logged and acknowledged, never redelivered forever.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

from bot.runtime.deployment import EVENT_QUEUE
from bot.analytics.conversation_stats import Analytics, ConversationStats, lead_update
from bot.base.privacy import install_log_redaction
from bot.base.settings import VAR_DIR, Settings

log = logging.getLogger("bot.runtime.events_consumer")

RASA_EXCHANGE = "rasa-exchange"  # rasa.core.brokers.pika.RABBITMQ_EXCHANGE
DEFAULT_SNAPSHOT = VAR_DIR / "analytics.json"


def write_snapshot(analytics: Analytics, path: Path) -> None:
    """Atomically replace `path` with the analytics snapshot."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(analytics.snapshot(), indent=1, default=str) + "\n")
    os.replace(tmp, path)


class LeadFeeder:
    """Upserts lead facts from the event stream (blocking store calls run in a thread)."""

    def __init__(self, settings: Settings) -> None:
        from bot.leads.store import open_lead_store

        self.store = open_lead_store(settings)  # migrated on first contact; spools until then
        self._last: dict[str, str] = {}

    async def feed(self, stats: ConversationStats) -> None:
        from bot.leads.update import build_lead_update

        facts = lead_update(stats)
        if facts is None:
            return
        key = json.dumps(facts, sort_keys=True, default=str)
        if self._last.get(stats.sender_id) == key:
            return  # nothing new since the last upsert of this conversation
        update = build_lead_update(
            facts["sender_id"], channel=facts["channel"],
            slots={**facts["slots"], "recommendation": facts.get("recommendation")})
        try:
            await asyncio.to_thread(self.store.save_or_spool, update)
            self._last[stats.sender_id] = key
            if len(self._last) > 10_000:
                self._last.pop(next(iter(self._last)))
        except Exception:  # noqa: BLE001 - analytics go on; the actions saved the lead too
            log.exception("could not feed the lead of conversation %s", stats.sender_id)


async def consume(
    url: str,
    analytics: Analytics,
    *,
    queue_name: str = EVENT_QUEUE,
    snapshot: Optional[Path] = DEFAULT_SNAPSHOT,
    interval: float = 10.0,
    max_messages: Optional[int] = None,
    idle_exit: Optional[float] = None,
    feeder: Optional[LeadFeeder] = None,
    stop: Optional[asyncio.Event] = None,
) -> int:
    """Consume until stopped; returns the number of messages handled."""
    import aio_pika

    stop = stop or asyncio.Event()
    connection = await aio_pika.connect_robust(url, timeout=10)
    handled = 0
    last_message = time.monotonic()
    last_snapshot = time.monotonic()
    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=200)
        # Same declarations as Rasa's pika broker, so either side may start first.
        exchange = await channel.declare_exchange(RASA_EXCHANGE, aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(queue_name, durable=True)
        await queue.bind(exchange, "")
        log.info("consuming %s (exchange %s)", queue_name, RASA_EXCHANGE)
        async with queue.iterator() as messages:
            pending = asyncio.ensure_future(messages.__anext__())
            waiter = asyncio.ensure_future(stop.wait())
            try:
                while not stop.is_set():
                    done, _ = await asyncio.wait({pending, waiter}, timeout=0.5,
                                                 return_when=asyncio.FIRST_COMPLETED)
                    now = time.monotonic()
                    if pending in done:
                        message = pending.result()
                        async with message.process(requeue=False, ignore_processed=True):
                            stats = analytics.apply_body(message.body)
                            if stats is None:
                                log.warning("skipped a message that is not a Rasa event")
                            elif feeder is not None:
                                await feeder.feed(stats)
                        handled += 1
                        last_message = now
                        if max_messages is not None and handled >= max_messages:
                            break
                        pending = asyncio.ensure_future(messages.__anext__())
                    if snapshot is not None and now - last_snapshot >= interval:
                        write_snapshot(analytics, snapshot)
                        last_snapshot = now
                    if idle_exit is not None and now - last_message >= idle_exit:
                        log.info("no event for %.0f s: stopping", idle_exit)
                        break
            finally:
                for task in (pending, waiter):
                    task.cancel()
                await asyncio.gather(pending, waiter, return_exceptions=True)
    finally:
        if snapshot is not None:
            write_snapshot(analytics, snapshot)
        await connection.close()
    return handled


def _mask(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}:{parts.port or 5672}{parts.path}"


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.runtime.events_consumer",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="AMQP URL (default: RABBITMQ_URL)")
    parser.add_argument("--queue", default=EVENT_QUEUE, help="queue name (default: %(default)s)")
    parser.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT,
                        help="JSON file the analytics are written to (default: %(default)s)")
    parser.add_argument("--interval", type=float, default=10.0,
                        help="seconds between snapshots (default: %(default)s)")
    parser.add_argument("--max-conversations", type=int, default=10_000,
                        help="conversations kept in memory (default: %(default)s)")
    parser.add_argument("--max-messages", type=int, help="stop after this many messages")
    parser.add_argument("--idle-exit", type=float, help="stop after this many idle seconds")
    parser.add_argument("--feed-leads", action="store_true",
                        help="also upsert recommended/handed-off conversations into the lead store")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_log_redaction()  # events carry what customers typed; pika logs whole frames
    settings = Settings.from_env()
    url = args.url or settings.rabbitmq_url
    if not url:
        print("error: set RABBITMQ_URL (or pass --url), e.g. amqp://guest:guest@127.0.0.1:5672/",
              file=sys.stderr)
        return 2
    analytics = Analytics(max_conversations=args.max_conversations)
    feeder = LeadFeeder(settings) if args.feed_leads else None

    async def run() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await consume(url, analytics, queue_name=args.queue, snapshot=args.snapshot,
                             interval=args.interval, max_messages=args.max_messages,
                             idle_exit=args.idle_exit, feeder=feeder, stop=stop)

    from aiormq.exceptions import AMQPError

    try:
        handled = asyncio.run(run())
    except (OSError, AMQPError) as error:
        print(f"error: RabbitMQ at {_mask(url)}: {type(error).__name__}: {error}",
              file=sys.stderr)
        return 1
    summary = analytics.summary()
    print(json.dumps({"messages": handled, **{k: summary[k] for k in
                                             ("events", "rejected", "conversations")}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
