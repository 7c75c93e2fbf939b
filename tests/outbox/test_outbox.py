"""The outbox on SQLite and PostgreSQL: schema, de-duplication, retry with back-off, order per
lead, exclusive claims, the spool while the database is down."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from bot.leads.store import LeadStore, LeadStoreUnavailable
from bot.outbox.models import outbox_table
from bot.outbox.retry import RetryPolicy
from bot.outbox.store import NewMessage, Outbox
from tests.outbox.conftest import NO_JITTER, OutboxClock


def message(key: str, ordering: str = "Fake:conv-1", **overrides: Any) -> NewMessage:
    values: dict[str, Any] = dict(idempotency_key=key, ordering_key=ordering,
                                  destination="Fake", kind="handoff", sender_id="conv-1",
                                  payload={"sender_id": "conv-1"})
    values.update(overrides)
    return NewMessage(**values)


def test_the_migration_creates_the_table_the_code_queries(outbox: Outbox, db_url: str) -> None:
    engine = create_engine(db_url, future=True)
    try:
        inspector = inspect(engine)
        columns = {c["name"] for c in inspector.get_columns("outbox")}
        indexes = {i["name"] for i in inspector.get_indexes("outbox")}
    finally:
        engine.dispose()
    assert columns == {c.name for c in outbox_table.columns}
    assert {"ix_outbox_due", "ix_outbox_ordering", "ix_outbox_sender_id"} <= indexes


# --- de-duplication ---------------------------------------------------------------------------


def test_the_same_key_is_queued_once(outbox: Outbox) -> None:
    first = outbox.enqueue(message("handoff:Fake:conv-1"))
    again = outbox.enqueue(message("handoff:Fake:conv-1", payload={"other": True}))
    assert first.created and not again.created
    assert again.item.id == first.item.id and again.item.payload == {"sender_id": "conv-1"}
    assert len(outbox.list_items()) == 1
    # Still once after it went out: a second handoff of the lead posts nothing new.
    (claimed,) = outbox.claim_due(["Fake"])
    outbox.mark_sent(claimed.id)
    later = outbox.enqueue(message("handoff:Fake:conv-1"))
    assert not later.created and later.item.state == "sent"
    assert outbox.claim_due(["Fake"]) == []
    assert outbox.counts()["sent"] == 1 and sum(outbox.counts().values()) == 1


def test_concurrent_enqueues_of_one_key_make_one_row(outbox: Outbox) -> None:
    results: list[bool] = []
    errors: list[BaseException] = []

    def enqueue() -> None:
        try:
            results.append(outbox.enqueue(message("handoff:Fake:race")).created)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=enqueue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(results) == [False] * 7 + [True]
    assert len(outbox.list_items()) == 1


# --- retry with back-off ----------------------------------------------------------------------


def test_back_off_doubles_up_to_the_cap_with_jitter_between_half_and_all() -> None:
    policy = RetryPolicy(max_attempts=10, base_s=5, cap_s=60, random=lambda: 0.0)
    assert [policy.nominal_delay(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert policy.delay(3) == timedelta(seconds=10)  # no jitter drawn: half of 20
    assert RetryPolicy(base_s=5, cap_s=60, random=lambda: 0.5).delay(3) == timedelta(seconds=15)
    draws = iter([0.0, 0.25, 0.999])
    jittered = RetryPolicy(base_s=8, cap_s=60, random=lambda: next(draws))
    assert [jittered.delay(2).total_seconds() for _ in range(3)] == [8.0, 10.0,
                                                                     pytest.approx(15.992)]
    assert policy.gives_up(10) and not policy.gives_up(9)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_a_failing_message_is_retried_with_back_off_then_dead(outbox: Outbox,
                                                              outbox_clock: OutboxClock) -> None:
    outbox.enqueue(message("handoff:Fake:conv-1"))
    waits = []
    for attempt in range(1, NO_JITTER.max_attempts + 1):
        (item,) = outbox.claim_due(["Fake"])
        assert item.state == "sending" and item.attempts == attempt
        assert outbox.claim_due(["Fake"]) == []  # claimed: nobody else gets it
        failed = outbox.mark_failed(item, f"HTTP 500 (attempt {attempt})")
        assert failed is not None and failed.last_error == f"HTTP 500 (attempt {attempt})"
        if attempt == NO_JITTER.max_attempts:
            assert failed.state == "dead"
            break
        assert failed.state == "retrying"
        wait = (failed.next_attempt_at - outbox_clock.now).total_seconds()
        waits.append(wait)
        outbox_clock.advance(wait - 1)
        assert outbox.claim_due(["Fake"]) == []  # not before its time
        outbox_clock.advance(1)
    # 10, 20, 40 s nominal (cap 60), jittered to just under the full delay.
    assert waits == [pytest.approx(10 * (0.5 + 0.5 * 0.999)),
                     pytest.approx(20 * (0.5 + 0.5 * 0.999)),
                     pytest.approx(40 * (0.5 + 0.5 * 0.999))]
    outbox_clock.advance(3600)
    assert outbox.claim_due(["Fake"]) == []  # dead stays dead...
    retried = outbox.retry_now(outbox.list_items()[0].id)  # ...until a person retries it
    assert retried is not None and retried.state == "queued" and retried.attempts == 0
    (item,) = outbox.claim_due(["Fake"])
    assert outbox.mark_sent(item.id).state == "sent"  # type: ignore[union-attr]


def test_a_claim_that_runs_out_is_claimable_again(store: LeadStore, outbox: Outbox,
                                                  outbox_clock: OutboxClock) -> None:
    outbox.enqueue(message("handoff:Fake:conv-1"))
    (crashed,) = outbox.claim_due(["Fake"])  # worker A dies while sending
    other = Outbox(store, policy=NO_JITTER, clock=outbox_clock, worker_id="worker-b")
    assert other.claim_due(["Fake"]) == []
    outbox_clock.advance(outbox.lease.total_seconds() + 1)
    (again,) = other.claim_due(["Fake"])
    assert again.id == crashed.id and again.claimed_by == "worker-b" and again.attempts == 2


# --- order per lead and destination -----------------------------------------------------------


def test_messages_of_one_lead_go_out_in_order(outbox: Outbox, outbox_clock: OutboxClock) -> None:
    first = outbox.enqueue(message("handoff:Fake:conv-1")).item
    second = outbox.enqueue(message("callback:Fake:conv-1", kind="callback")).item
    other_lead = outbox.enqueue(message("handoff:Fake:conv-2", ordering="Fake:conv-2",
                                        sender_id="conv-2")).item
    other_destination = outbox.enqueue(message("plan:Mail:conv-1", ordering="Mail:conv-1",
                                               destination="Mail", kind="plan")).item
    claimed = outbox.claim_due(["Fake", "Mail"])
    assert [i.id for i in claimed] == [first.id, other_lead.id, other_destination.id]
    # The first one fails: the second waits behind it, also while it is retrying.
    outbox.mark_failed(claimed[0], "HTTP 500")
    for item in claimed[1:]:
        outbox.mark_sent(item.id)
    assert outbox.claim_due(["Fake", "Mail"]) == []
    outbox_clock.advance(60)
    (retry,) = outbox.claim_due(["Fake"])
    assert retry.id == first.id
    outbox.mark_sent(retry.id)
    (then,) = outbox.claim_due(["Fake"])
    assert then.id == second.id


def test_a_dead_message_does_not_hold_up_the_next(outbox: Outbox,
                                                  outbox_clock: OutboxClock) -> None:
    outbox.enqueue(message("handoff:Fake:conv-1"))
    second = outbox.enqueue(message("callback:Fake:conv-1", kind="callback")).item
    for _ in range(NO_JITTER.max_attempts):
        (item,) = outbox.claim_due(["Fake"])
        outbox.mark_failed(item, "channel_not_found")
        outbox_clock.advance(120)
    (next_one,) = outbox.claim_due(["Fake"])
    assert next_one.id == second.id


def test_held_messages_wait_for_their_destination(outbox: Outbox) -> None:
    held = outbox.enqueue(message("plan:Email:conv-1:a@b.co", ordering="Email:conv-1",
                                  destination="Email", kind="plan", held=True)).item
    assert held.state == "held" and held.state_label == "to send"
    assert outbox.claim_due(["Fake"]) == []  # no email here: it waits
    (item,) = outbox.claim_due(["Email"])  # a process with SMTP set up sends it
    assert item.id == held.id and item.state == "sending"
    by_hand = outbox.enqueue(message("plan:Email:conv-2", ordering="Email:conv-2",
                                     destination="Email", kind="plan", held=True)).item
    marked = outbox.mark_sent_by_hand(by_hand.id, "dana")
    assert marked is not None and marked.state == "sent" and marked.sent_by == "dana (by hand)"


# --- several workers --------------------------------------------------------------------------


def test_two_workers_never_claim_the_same_message(store: LeadStore,
                                                  outbox_clock: OutboxClock) -> None:
    workers = [Outbox(store, policy=NO_JITTER, clock=outbox_clock, worker_id=f"w{i}")
               for i in range(3)]
    for n in range(60):
        workers[0].enqueue(message(f"handoff:Fake:c{n}", ordering=f"Fake:c{n}",
                                   sender_id=f"c{n}"))
    claimed: list[tuple[str, int]] = []
    errors: list[BaseException] = []

    def work(outbox: Outbox) -> None:
        try:
            while True:
                batch = outbox.claim_due(["Fake"], limit=3)
                if not batch:
                    return
                for item in batch:
                    claimed.append((outbox.worker_id, item.id))
                    outbox.mark_sent(item.id)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    ids = Counter(item_id for _, item_id in claimed)
    assert len(ids) == 60 and set(ids.values()) == {1}
    assert workers[0].counts()["sent"] == 60


# --- the database is down ---------------------------------------------------------------------


def _down(store: LeadStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(write: bool = False) -> Any:
        raise LeadStoreUnavailable("lead database unavailable: connection refused")

    monkeypatch.setattr(store, "transaction", unavailable)


def test_spooled_while_the_database_is_down_then_queued_once(
        store: LeadStore, outbox: Outbox, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as down:
        _down(store, down)
        assert outbox.enqueue_or_spool(message("handoff:Fake:conv-1")) is None
        assert outbox.enqueue_or_spool(message("handoff:Fake:conv-1")) is None
        assert outbox.enqueue_or_spool(message("callback:Fake:conv-1", kind="callback")) is None
        assert outbox.replay_spool() == 0  # still down: everything kept
        assert len(outbox.spool_path.read_text().splitlines()) == 3
    assert outbox.replay_spool() == 3
    assert not outbox.pending_spool()
    items = sorted(outbox.list_items(), key=lambda i: i.id)
    assert [i.idempotency_key for i in items] == ["handoff:Fake:conv-1", "callback:Fake:conv-1"]
    # The next enqueue replays first, so a lead's messages keep their order.
    with monkeypatch.context() as down:
        _down(store, down)
        outbox.enqueue_or_spool(message("digest:Fake:x", ordering="Fake:digest", kind="digest"))
    queued = outbox.enqueue_or_spool(message("plan:Fake:conv-1", kind="plan"))
    assert queued is not None and queued.created
    assert [i.kind for i in sorted(outbox.list_items(), key=lambda i: i.id)] == [
        "handoff", "callback", "digest", "plan"]


def test_a_spool_line_for_another_database_is_left_alone(store: LeadStore, outbox: Outbox,
                                                         make_store: Any, tmp_path: Any) -> None:
    other = make_store(f"sqlite:///{tmp_path / 'other.db'}")
    other_outbox = Outbox(other, spool_path=outbox.spool_path)
    other_outbox._spool.append({**message("x").to_json(), "db": other_outbox._db_key})
    outbox.spool_path.open("a").write("not json\n")
    assert outbox.replay_spool() == 0
    assert "not json" in outbox.spool_path.with_name("outbox-spool.jsonl.rejected").read_text()
    assert other_outbox.replay_spool() == 1
    assert not other_outbox.pending_spool()
