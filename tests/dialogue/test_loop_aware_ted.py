"""LoopAwareTEDPolicy stays silent exactly where RulePolicy's loop happy path decides."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.events import (
    ActionExecuted, ActionExecutionRejected, ActiveLoop, SlotSet, UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_adapters.policies.loop_aware_ted import rules_decide

FORM = "needs_form"


def tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("c1", [ActionExecuted("action_listen"), *events])


CASES = {
    "no loop": tracker(UserUttered("hi", {"name": "greet"})),
    "form active, customer answered": tracker(
        UserUttered("hi", {"name": "inform"}), ActionExecuted(FORM), ActiveLoop(FORM),
        SlotSet("requested_slot", "states"), ActionExecuted("action_listen"),
        UserUttered("Oregon", {"name": "inform"})),
    "form asked its question": tracker(
        UserUttered("hi", {"name": "inform"}), ActionExecuted(FORM), ActiveLoop(FORM)),
    "form rejected the answer": tracker(
        UserUttered("hi", {"name": "inform"}), ActionExecuted(FORM), ActiveLoop(FORM),
        ActionExecuted("action_listen"), UserUttered("what is a CLEC?", {"name": "faq"}),
        ActionExecutionRejected(FORM)),
    "form just ended": tracker(
        UserUttered("hi", {"name": "inform"}), ActionExecuted(FORM), ActiveLoop(FORM),
        ActionExecuted("action_listen"), UserUttered("4", {"name": "inform"}),
        ActionExecuted(FORM), ActiveLoop(None)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_ted_is_skipped_exactly_where_the_loop_happy_path_predicts(case: str) -> None:
    state = CASES[case]
    action, _ = RulePolicy._find_action_from_loop_happy_path(state)
    assert rules_decide(state) is (action is not None), (case, action)


def test_the_cases_cover_both_outcomes() -> None:
    assert {rules_decide(t) for t in CASES.values()} == {True, False}
