"""The same lead conversation over REST with the custom actions in the Rasa server
(ACTIONS_MODE=inprocess, the embedded default) and in a separate action server
(ACTIONS_MODE=http, the scaled deployment): same action code, same answers, same slots."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import RestClient, Stack

SCRIPT = (
    "hi",
    "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high",
    "about 40 employees",
    "we're with CenturyLink",
    "the contract ends in March 2027",
)


def _conversation(stack: Stack, sender: str) -> list[list[dict[str, Any]]]:
    customer = RestClient(stack, sender=sender)
    return [customer.say(message) for message in SCRIPT]


@pytest.mark.stack
def test_lead_conversation_ends_with_a_recommendation(stack_in_mode: Stack) -> None:
    # Both modes start the action server (CONTRACT section 2 promises it on ACTIONS_PORT); in
    # process mode the Rasa server just never calls it.
    assert "actions" in stack_in_mode.processes
    customer = RestClient(stack_in_mode)
    replies = [customer.say(message) for message in SCRIPT]
    assert all(replies), replies
    slots = customer.slots()
    assert slots["states"] == ["OR", "WA"] and slots["num_locations"] == 3.0
    assert sorted(slots["services"]) == ["pri", "sip"] and slots["employees"] == 40.0
    assert slots["current_carrier"] == "Lumen" and slots["contract_end"] == "2027-03"
    assert slots["recommendation"] and slots["recommendation"]["carriers"]
    buttons = [b["title"] for r in replies[-1] for b in r.get("buttons") or []]
    assert "Talk to an agent" in buttons


@pytest.mark.stack
def test_both_modes_answer_alike(stack: Stack, http_actions_stack: Stack) -> None:
    def texts(stack: Stack) -> list[list[Any]]:
        return [[(r.get("text"), r.get("buttons")) for r in turn]
                for turn in _conversation(stack, f"alike-{stack.settings.actions_mode}")]

    assert texts(stack) == texts(http_actions_stack)
