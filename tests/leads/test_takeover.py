"""Takeover state in the lead database: one winner per claim, expiry once, REST delivery once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bot.leads.store import LeadStore
from bot.leads.takeover import TakeoverStore


class WallClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def takeovers(store: LeadStore) -> TakeoverStore:
    return TakeoverStore(store, clock=WallClock())


def test_open_is_idempotent_while_active(takeovers: TakeoverStore) -> None:
    first = takeovers.open("conv-1", "socketio", timeout_s=180)
    assert first.state == "waiting" and first.deadline_at - first.opened_at == timedelta(minutes=3)
    assert takeovers.open("conv-1", "socketio").id == first.id
    assert takeovers.active_for("conv-1") == first
    assert takeovers.active_for("conv-2") is None


def test_two_agents_claim_at_once_and_exactly_one_wins(takeovers: TakeoverStore,
                                                       make_store: Any, db_url: str) -> None:
    # Each agent through its own store (own connection pool), as two server processes would.
    other = TakeoverStore(make_store(db_url, migrate=False), clock=WallClock())
    for round_ in range(5):
        takeover = takeovers.open(f"race-{round_}", "rest")
        start = threading.Barrier(2)
        results: dict[str, Any] = {}

        def press(name: str, store: TakeoverStore) -> None:
            start.wait()
            results[name] = store.claim(takeover.id, f"U{name}", name, "slack", "C0SALES", "1.1")

        threads = [threading.Thread(target=press, args=("Dana", takeovers)),
                   threading.Thread(target=press, args=("Sam", other))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        winners = [name for name, claim in results.items() if claim.won]
        assert len(winners) == 1, results
        loser = "Sam" if winners == ["Dana"] else "Dana"
        # The loser is told who has it.
        assert results[loser].takeover.agent_name == winners[0]
        assert takeovers.get(takeover.id).state == "taken"
        assert takeovers.by_slack_thread("C0SALES", "1.1") is not None
        takeovers.end(takeover.id, "closed", by=winners[0])


def test_the_joined_line_is_recorded_with_the_won_claim_only(takeovers: TakeoverStore) -> None:
    # Written in the claim's transaction: a server killed right after the claim still tells
    # the REST customer, on their next message, that a person joined.
    takeover = takeovers.open("conv-joined", "rest")
    won = takeovers.claim(takeover.id, "U1", "Dana", "slack", joined_text="Dana joined.")
    assert won.won and won.joined_line is not None and won.joined_line.role == "system"
    lost = takeovers.claim(takeover.id, "U2", "Sam", "slack", joined_text="Sam joined.")
    assert not lost.won and lost.joined_line is None
    assert [line.text for line in takeovers.take_undelivered("conv-joined")] == ["Dana joined."]


def test_a_claim_after_the_end_loses(takeovers: TakeoverStore) -> None:
    takeover = takeovers.open("conv-3", "rest")
    assert takeovers.end(takeover.id, "resumed") is not None
    claim = takeovers.claim(takeover.id, "U1", "Dana", "dashboard")
    assert not claim.won and claim.takeover.state == "resumed"
    assert takeovers.end(takeover.id, "closed") is None  # already ended


def test_expiry_happens_once_and_only_after_the_deadline(takeovers: TakeoverStore) -> None:
    clock = takeovers._clock
    waiting = takeovers.open("conv-4", "socketio", timeout_s=60)
    taken = takeovers.open("conv-5", "socketio", timeout_s=60)
    takeovers.claim(taken.id, "U1", "Dana", "slack")
    assert takeovers.expire_due() == []
    clock.now += timedelta(seconds=61)
    expired = takeovers.expire_due()
    assert [t.id for t in expired] == [waiting.id] and expired[0].state == "expired"
    assert takeovers.expire_due() == []
    assert takeovers.get(taken.id).state == "taken"


def test_rest_lines_are_delivered_once_in_order(takeovers: TakeoverStore) -> None:
    takeover = takeovers.open("conv-6", "rest")
    takeovers.add_message(takeover, "customer", "hello?")
    takeovers.add_message(takeover, "system", "Dana from our team has joined.")
    takeovers.add_message(takeover, "agent", "Hi, Dana here", author="Dana")
    assert [m.text for m in takeovers.take_undelivered("conv-6")] == [
        "Dana from our team has joined.", "Hi, Dana here"]
    assert takeovers.take_undelivered("conv-6") == []
    lines = takeovers.messages("conv-6")
    assert [m.role for m in lines] == ["customer", "system", "agent"]
    assert takeovers.messages("conv-6", after=lines[1].id) == lines[2:]


def test_a_message_with_nul_characters_is_stored_without_them(takeovers: TakeoverStore) -> None:
    """PostgreSQL refuses NUL in text: the customer's line is kept, minus the NULs (issue 14)."""
    takeover = takeovers.open("conv-nul", "rest")
    takeovers.add_message(takeover, "customer", "are you\x00 there?\x00")
    takeovers.add_message(takeover, "agent", "yes\x00", author="Da\x00na")
    lines = takeovers.messages("conv-nul")
    assert [(m.text, m.author) for m in lines] == [("are you there?", None), ("yes", "Dana")]
