"""Fixtures for the outbox tests: the lead store fixtures (SQLite and PostgreSQL), a settable
clock for the outbox, fake notifiers, and a real SMTP server in this process (aiosmtpd)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, Iterator, Optional

import pytest
from aiosmtpd.controller import Controller

from bot.notify.base import DeliveryFailed, LeadEvent
from bot.outbox.retry import RetryPolicy
from bot.outbox.store import Outbox
from tests.leads.conftest import (  # noqa: F401 - the lead store and Slack stub fixtures
    clock,
    db_url,
    free_port,
    make_store,
    slack_stub,
    spool_path,
    sqlite_store,
    sqlite_url,
    store,
)

START = datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc)


class OutboxClock:
    """The outbox's clock (real time in production), moved by hand here."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def outbox_clock() -> OutboxClock:
    return OutboxClock()


#: No jitter in tests: every delay is exactly its nominal value times 0.5 + 0.5 * 0.999.
NO_JITTER = RetryPolicy(max_attempts=4, base_s=10.0, cap_s=60.0, random=lambda: 0.999)


@pytest.fixture
def outbox(store: Any, outbox_clock: OutboxClock, tmp_path: Any) -> Outbox:
    """An outbox on the test's store (SQLite and PostgreSQL), hand-moved clock."""
    return Outbox(store, policy=NO_JITTER, clock=outbox_clock,
                  spool_path=tmp_path / "var" / "outbox-spool.jsonl", worker_id="worker-a")


class FakeNotifier:
    """A notifier that fails while `failing` is set, and records what it delivered."""

    def __init__(self, name: str = "Fake", kinds: frozenset[str] = frozenset(
            {"handoff", "digest", "plan"})) -> None:
        self.name = name
        self.destination = f"the {name} inbox"
        self.kinds = kinds
        self.failing = False
        self.delivered: list[LeadEvent] = []
        self.attempts = 0
        self.lock = threading.Lock()

    def notify(self, event: LeadEvent) -> bool:
        try:
            self.deliver(event)
            return True
        except DeliveryFailed:
            return False

    def deliver(self, event: LeadEvent) -> None:
        with self.lock:
            self.attempts += 1
            if self.failing:
                raise DeliveryFailed("HTTP 500, internal_error")
            self.delivered.append(event)


# --- a real SMTP server in this process -------------------------------------------------------


class MailSink:
    """aiosmtpd handler: keeps every accepted message; answers `reject_with` while it is set
    (e.g. "451 4.3.0 Try again later" or "550 5.1.1 No such user")."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.reject_with: Optional[str] = None
        self.refused = 0
        self.received = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.reject_with:
            self.refused += 1
            return self.reject_with
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.received:
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append(envelope)
            self.received.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 30.0) -> list[EmailMessage]:
        with self.received:
            self.received.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


@pytest.fixture
def smtp_server() -> Iterator[tuple[MailSink, str]]:
    """(sink, SMTP_URL) of a real SMTP server on 127.0.0.1 in this process."""
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


def parts(message: EmailMessage) -> dict[str, str]:
    """{"text/plain": ..., "text/html": ...} of a multipart/alternative message."""
    return {part.get_content_type(): part.get_content() for part in message.walk()
            if part.get_content_maintype() == "text"}
