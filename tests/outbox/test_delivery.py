"""From the outbox to Slack: a handoff whose post fails goes out once Slack is back, a lead
spooled while the database was down is posted once it is back, the worker thread does it by
itself, and the digest goes through the outbox too."""

from __future__ import annotations

import json
import time
from typing import Any, Callable

import pytest

from bot.leads.store import LeadStore, LeadStoreUnavailable
from bot.notify.base import Notifiers
from bot.notify.delivery import OutboxDelivery
from bot.notify.slack import SlackNotifier
from bot.notify.worker import OutboxWorker
from bot.outbox.retry import RetryPolicy
from bot.outbox.store import Outbox
from tests.leads.conftest import FULL_SLOTS, SlackStub, slack_settings
from tests.outbox.conftest import NO_JITTER, FakeNotifier, OutboxClock


def posts_about(stub: SlackStub, text: str) -> list[dict[str, Any]]:
    return [m for m in stub.messages if text in json.dumps(m)]


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def slack(slack_stub: SlackStub) -> SlackNotifier:
    return SlackNotifier(slack_settings(slack_stub.url), timeout=0.5)


def delivery_for(store: LeadStore, notifier: Any, clock: OutboxClock,
                 policy: RetryPolicy = NO_JITTER) -> OutboxDelivery:
    return OutboxDelivery(Outbox(store, policy=policy, clock=clock), store, Notifiers((notifier,)))


def test_slack_down_for_a_while_then_the_handoff_goes_out_once(
        sqlite_store: LeadStore, slack: SlackNotifier, slack_stub: SlackStub,
        outbox_clock: OutboxClock) -> None:
    sqlite_store.upsert("conv-42", channel="rest", slots=FULL_SLOTS, status="handoff")
    delivery = delivery_for(sqlite_store, slack, outbox_clock)
    slack_stub.mode = "http500"
    (queued,) = delivery.queue_for_conversation("handoff", "conv-42")
    assert queued.item is not None and queued.item.state == "queued"
    (first,) = delivery.deliver_due(delivery.ordering_keys([queued]))
    assert not first.sent and first.item.state == "retrying" and "HTTP 500" in first.error
    outbox_clock.advance(3)
    assert delivery.deliver_due() == []  # not due yet: nothing hammers Slack
    for _ in range(2):  # still down at the next two attempts
        outbox_clock.advance(600)
        (again,) = delivery.deliver_due()
        assert again.item.state == "retrying" and again.item.attempts in (2, 3)
    slack_stub.mode = "ok"
    # Queued again meanwhile (a second process, a replay): still one message.
    delivery.queue_for_conversation("handoff", "conv-42")
    outbox_clock.advance(600)
    (done,) = delivery.deliver_due()
    assert done.sent and done.item.state == "sent" and done.item.attempts == 4
    outbox_clock.advance(3600)
    assert delivery.deliver_due() == []
    assert len(slack_stub.messages) == 4  # three refused, one accepted
    assert len(posts_about(slack_stub, "Acme Logistics")) == 4
    assert done.item.last_error and "HTTP 500" in done.item.last_error


def test_a_lead_spooled_while_the_database_was_down_is_posted_when_it_is_back(
        sqlite_store: LeadStore, slack: SlackNotifier, slack_stub: SlackStub,
        outbox_clock: OutboxClock, monkeypatch: pytest.MonkeyPatch) -> None:
    delivery = delivery_for(sqlite_store, slack, outbox_clock)

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise LeadStoreUnavailable("lead database unavailable: connection refused")

    with monkeypatch.context() as down:
        down.setattr(sqlite_store, "transaction", unavailable)
        down.setattr(sqlite_store, "save", unavailable)
        assert sqlite_store.upsert_or_spool("conv-down", channel="rest", slots=FULL_SLOTS,
                                            status="handoff") is None
        (queued,) = delivery.queue_for_conversation("handoff", "conv-down")
        assert queued.item is None  # spooled beside the lead
        assert delivery.deliver_due() == []  # nothing can go out yet
        worker = OutboxWorker(lambda: delivery)
        assert worker.run_pass() == 0
    assert slack_stub.messages == []
    worker = OutboxWorker(lambda: delivery)
    assert worker.run_pass() == 1  # database back: both spools replayed, posted
    (post,) = slack_stub.messages
    assert "Acme Logistics" in json.dumps(post)
    assert sqlite_store.get("conv-down").status == "handoff"
    assert worker.run_pass() == 0 and len(slack_stub.messages) == 1


def test_the_worker_thread_retries_by_itself(sqlite_store: LeadStore, slack: SlackNotifier,
                                             slack_stub: SlackStub) -> None:
    sqlite_store.upsert("conv-7", channel="rest", slots=FULL_SLOTS, status="handoff")
    fast = RetryPolicy(max_attempts=50, base_s=0.05, cap_s=0.2)
    delivery = OutboxDelivery(Outbox(sqlite_store, policy=fast), sqlite_store,
                              Notifiers((slack,)))
    slack_stub.mode = "http500"
    delivery.queue_for_conversation("handoff", "conv-7")
    worker = OutboxWorker(lambda: delivery, poll_s=0.05).start()
    try:
        wait_until(lambda: len(slack_stub.messages) >= 3)  # refused, refused, refused...
        slack_stub.mode = "ok"
        wait_until(lambda: delivery.outbox.counts()["sent"] == 1)
        passes = worker.passes
        wait_until(lambda: worker.passes >= passes + 5)  # a few more passes: nothing more
    finally:
        worker.stop()
    accepted = [r for r in slack_stub.requests if r["path"].endswith("chat.postMessage")]
    assert len(accepted) >= 4
    (item,) = delivery.outbox.list_items()
    assert item.state == "sent" and item.attempts == len(accepted)


def test_an_unknown_lead_is_retried_not_lost(sqlite_store: LeadStore,
                                            outbox_clock: OutboxClock) -> None:
    fake = FakeNotifier()
    delivery = delivery_for(sqlite_store, fake, outbox_clock)
    delivery.queue_for_conversation("handoff", "conv-later")
    (result,) = delivery.deliver_due()
    assert result.item.state == "retrying" and "not in the database yet" in result.error
    sqlite_store.upsert("conv-later", channel="rest", slots={"company_name": "Later Inc"})
    outbox_clock.advance(60)
    (result,) = delivery.deliver_due()
    assert result.sent and fake.delivered[0].leads[0].company_name == "Later Inc"


def test_only_the_conversations_own_messages_are_delivered_now(
        sqlite_store: LeadStore, outbox_clock: OutboxClock) -> None:
    fake = FakeNotifier()
    delivery = delivery_for(sqlite_store, fake, outbox_clock)
    for sender in ("a", "b"):
        sqlite_store.upsert(sender, channel="rest", slots={"company_name": sender.upper()})
    delivery.queue_for_conversation("handoff", "a")
    mine = delivery.queue_for_conversation("handoff", "b")
    (result,) = delivery.deliver_due(delivery.ordering_keys(mine))
    assert result.item.sender_id == "b"
    assert [e.leads[0].sender_id for e in fake.delivered] == ["b"]
