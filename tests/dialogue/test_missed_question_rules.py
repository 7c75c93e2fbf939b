"""What the form does instead of asking a question a third time (bot/conversation/missed_questions.py)."""

from __future__ import annotations

import pytest

from bot.conversation.missed_questions import MissedQuestion, Step, choices_for, hands_off, next_step


def test_the_streak_counts_misses_of_one_question_and_keeps_the_words() -> None:
    missed = MissedQuestion().missed("employees", "a bunch").missed("employees", None).missed("employees", "a bunch")
    assert (missed.misses, missed.replies) == (3, ("a bunch",))
    assert MissedQuestion().missed("states").missed("employees").misses == 1  # another question: a new streak
    assert MissedQuestion.from_slot(missed.to_slot()) == missed
    assert MissedQuestion.from_slot("garbage") == MissedQuestion() and MissedQuestion().to_slot() is None


@pytest.mark.parametrize("misses, droppable, has_choices, offered, step", [
    (1, True, True, False, Step.ASK_AGAIN),
    (1, False, True, False, Step.ASK_AGAIN),
    (2, True, True, False, Step.NOTE_AND_MOVE_ON),
    (2, False, True, False, Step.OFFER_CHOICES),
    (2, False, False, False, Step.GIVE_UP),
    (3, False, True, True, Step.GIVE_UP),
    (3, True, True, True, Step.NOTE_AND_MOVE_ON),  # e.g. back from "a person, please" on the email
])
def test_the_second_miss_changes_tack(misses: int, droppable: bool, has_choices: bool, offered: bool,
                                      step: Step) -> None:
    missed = MissedQuestion("x", misses, (), offered)
    assert next_step(missed, droppable=droppable, has_choices=has_choices) is step


def test_choices_leave_out_the_person_while_one_is_on_the_way() -> None:
    assert [b["title"] for b in choices_for("num_locations", handing_off=True).buttons][-1] == "More than 20"
    assert choices_for("states", handing_off=True) is None  # only "a person" to offer
    assert choices_for("states", handing_off=False).buttons[0]["payload"] == "/human_handoff"
    assert choices_for("employees", handing_off=False) is None  # optional: never offered as choices


def test_giving_up_hands_off_only_what_the_conversation_needs() -> None:
    assert hands_off("states", handing_off=False) and hands_off("services", handing_off=False)
    assert not hands_off("num_locations", handing_off=False)  # the plan can do without it
    assert not hands_off("states", handing_off=True)  # a person is on the way already
