"""Two Rasa servers on one PostgreSQL tracker store and one Redis lock store.

- A conversation whose turns alternate between the servers keeps every slot, read after each
  turn through the other server's token-protected tracker API.
- Two messages of one conversation sent to both servers at the same moment are processed one
  after the other (RedisLockStore): each user event is followed by its own actions and bot
  messages and ends by listening before the next one starts (`turn_problems`). The checker
  itself is shown to catch the interleavings an unlocked pair of servers produces.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from tests.scale.conftest import (
    EXPECTED_SLOTS,
    SCRIPT,
    Cluster,
    Customer,
    assert_expected_slots,
    texts,
    turn_problems,
    user_turns,
)

@pytest.mark.stack
def test_turns_alternating_between_servers_keep_every_slot(ready_cluster: Cluster) -> None:
    customer = Customer(ready_cluster)
    servers = ("a", "b")
    for turn, message in enumerate(SCRIPT):
        server = servers[turn % 2]
        other = servers[(turn + 1) % 2]
        replies = customer.say(server, message)
        assert replies, f"no reply from {server} to {message!r}"
        # What one server wrote, the other reads: nothing said so far is missing.
        assert_expected_slots(customer.slots(other), upto=turn + 1)
    slots = customer.slots("a")
    assert slots["recommendation"] and slots["recommendation"]["carriers"]
    assert "Talk to an agent" in texts(replies) or any(
        b.get("title") == "Talk to an agent" for r in replies for b in r.get("buttons") or [])
    assert not turn_problems(customer.tracker("b")["events"])


def _say_at_once(customer: Customer, messages: dict[str, str]) -> dict[str, Any]:
    """Send each server its message at the same moment; returns the replies (or errors)."""
    barrier = threading.Barrier(len(messages))
    results: dict[str, Any] = {}

    def send(server: str, message: str) -> None:
        barrier.wait()
        try:
            results[server] = customer.say(server, message)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[server] = error

    threads = [threading.Thread(target=send, args=item) for item in messages.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


@pytest.mark.stack
def test_simultaneous_messages_of_one_conversation_are_processed_one_after_the_other(
    ready_cluster: Cluster,
) -> None:
    customer = Customer(ready_cluster)
    customer.say("a", SCRIPT[0])
    # Three rounds, each a pair of messages that both need the action server (slot mapping
    # validation and the form), i.e. several hundred milliseconds of work per message: an
    # unlocked pair of servers would overlap in every round.
    rounds = (
        {"a": SCRIPT[1], "b": "about 40 employees"},
        {"b": "we're with CenturyLink", "a": "the contract ends in March 2027"},
        {"a": "we also need dedicated internet", "b": "we also have a site in Tacoma"},
    )
    for pair in rounds:
        results = _say_at_once(customer, pair)
        for server, result in results.items():
            assert isinstance(result, list) and result, f"{server}: {result!r}"

    events = customer.tracker("a")["events"]
    said = [turn[0].get("text") for turn in user_turns(events)]
    sent = [SCRIPT[0]] + [m for pair in rounds for m in pair.values()]
    # Every message exactly once (a lost save or a double save would show here) ...
    assert sorted(said) == sorted(sent)
    # ... and the pairs one after the other, never interleaved.
    assert turn_problems(events) == []
    slots = customer.slots("b")
    assert slots["employees"] == EXPECTED_SLOTS["employees"]
    assert slots["current_carrier"] == EXPECTED_SLOTS["current_carrier"]


# -------------------------------------------------------------- the checker catches interleaving


def _turn(text: str, t: float, *actions: str, bot: bool = True) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"event": "user", "text": text, "timestamp": t}]
    for i, name in enumerate(actions):
        events.append({"event": "action", "name": name, "timestamp": t + 0.01 * (i + 1)})
        if bot and name.startswith(("utter_", "action_ask")):
            events.append({"event": "bot", "text": "...", "timestamp": t + 0.01 * (i + 1)})
    events.append({"event": "action", "name": "action_listen", "timestamp": t + 0.1})
    return events


def test_turn_checker_accepts_sequential_turns() -> None:
    events = _turn("hi", 1.0, "utter_greet") + _turn("40 employees", 2.0, "action_ask_current_carrier")
    assert turn_problems(events) == []


@pytest.mark.parametrize(
    "events",
    [
        # Both servers appended their user event before either ran its actions.
        [{"event": "user", "text": "a", "timestamp": 1.0},
         {"event": "user", "text": "b", "timestamp": 1.0},
         *_turn("b", 1.1, "utter_greet")[1:], *_turn("a", 1.2, "utter_greet")[1:]],
        # The second save cut the first turn short: its actions are missing.
        [{"event": "user", "text": "a", "timestamp": 1.0}, *_turn("b", 1.1, "utter_greet")],
        # The second server's events were saved before the first server's, out of order.
        _turn("a", 2.0, "utter_greet") + _turn("b", 1.5, "utter_greet"),
        # A turn that never listened again.
        _turn("a", 1.0, "utter_greet")[:-1] + _turn("b", 2.0, "utter_greet"),
    ],
    ids=["user-events-interleaved", "turn-cut-short", "out-of-order", "no-listen"],
)
def test_turn_checker_catches_interleaving(events: list[dict[str, Any]]) -> None:
    assert turn_problems(events)


# ----------------------------------------------------------- the lock store itself (Redis)


@pytest.fixture
def lock_store_classes(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Rasa's lock store classes, restored after the test (the patches are process-wide)."""
    from rasa.core import lock_store as ls

    for name in ("issue_ticket", "update_lock", "finish_serving", "cleanup"):
        monkeypatch.setattr(ls.RedisLockStore, name, getattr(ls.RedisLockStore, name))
    monkeypatch.setattr(ls.LockStore, "lock", ls.LockStore.lock)
    return ls


def _store(ls: Any, redis_url: str) -> Any:
    from urllib.parse import urlsplit

    url = urlsplit(redis_url)
    return ls.RedisLockStore(host=url.hostname or "127.0.0.1", port=url.port or 6379,
                             db=int(url.path.strip("/") or 0), key_prefix="scaletest")


async def _wait_behind_a_dead_holder(ls: Any, redis_url: str, limit: float) -> float:
    """A server took a ticket (lifetime 1 s) and died; another waits for the conversation."""
    import time
    import uuid

    conversation = f"dead-holder-{uuid.uuid4().hex[:8]}"
    dead, alive = _store(ls, redis_url), _store(ls, redis_url)
    dead.issue_ticket(conversation, 1.0)  # never released
    started = time.monotonic()

    async def take() -> None:
        async with alive.lock(conversation, lock_lifetime=1.0):
            pass

    try:
        await asyncio.wait_for(take(), timeout=limit)
    finally:
        alive.delete_lock(conversation)
    return time.monotonic() - started


def test_rasa_ticket_lock_waits_forever_behind_a_dead_server(
    lock_store_classes: Any, redis_url: str,
) -> None:
    # Rasa 3.6 as shipped: the waiter's own ticket expires a moment after the dead one, and
    # it then polls an empty queue forever (our guard in bot.rasa_adapters.server.locks fixes this).
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(_wait_behind_a_dead_holder(lock_store_classes, redis_url, limit=3.5))


def test_patched_ticket_lock_goes_on_after_a_dead_server(
    lock_store_classes: Any, redis_url: str,
) -> None:
    from bot.rasa_adapters.server import locks

    locks.install()
    waited = asyncio.run(_wait_behind_a_dead_holder(lock_store_classes, redis_url, limit=10))
    assert 0.9 < waited < 3.0  # the dead ticket's lifetime, then the lock


def test_patched_tickets_drawn_at_once_are_distinct(
    lock_store_classes: Any, redis_url: str,
) -> None:
    import uuid

    from bot.rasa_adapters.server import locks

    locks.install()
    conversation = f"at-once-{uuid.uuid4().hex[:8]}"
    stores = [_store(lock_store_classes, redis_url) for _ in range(16)]
    barrier = threading.Barrier(len(stores))
    tickets: list[int] = []

    def draw(store: Any) -> None:
        barrier.wait()
        for _ in range(5):
            tickets.append(store.issue_ticket(conversation, 30.0))

    threads = [threading.Thread(target=draw, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert len(tickets) == 80
        assert len(set(tickets)) == 80  # no number drawn twice
        lock = stores[0].get_lock(conversation)
        assert sorted(t.number for t in lock.tickets) == sorted(tickets)  # none lost
        for ticket in tickets:
            stores[0].cleanup(conversation, ticket)
        assert stores[0].get_lock(conversation) is None  # the last one out deletes the key
    finally:
        stores[0].delete_lock(conversation)
