"""Two Rasa servers on one PostgreSQL tracker store and one Redis lock store.

- A conversation whose turns alternate between the servers keeps every slot, read after each
  turn through the other server's token-protected tracker API.
- Two messages of one conversation sent to both servers at the same moment are processed one
  after the other (RedisLockStore): each user event is followed by its own actions and bot
  messages and ends by listening before the next one starts (`turn_problems`). The checker
  itself is shown to catch the interleavings an unlocked pair of servers produces.
"""

from __future__ import annotations

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

pytestmark = pytest.mark.stack


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
