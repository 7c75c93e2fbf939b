"""Intent groups the dialogue logic needs (names as in domain.yml)."""

from __future__ import annotations

from typing import Final

from bot.domain import slots

# Messages that step out of the current question: a form lets its rule answer them and then
# asks again, and their entities don't fill slots ("why not Cogent?" doesn't make Cogent
# the current carrier; "can I talk to someone about SIP" is a request, not an answer).
DIGRESSION_INTENTS: Final[frozenset[str]] = frozenset(
    {
        "faq",
        "human_handoff",
        "complain",
        "out_of_scope",
        "ask_why",
        "greet",
        "goodbye",
        "thank",
        "email_plan",
        "change_answer",
    }
)

SKIP_INTENTS: Final[frozenset[str]] = frozenset({"skip", "deny"})

# Slots whose answer is free text (a name, a company, "tomorrow after 9am"): almost anything is
# an answer there.
FREE_TEXT_SLOTS: Final[frozenset[str]] = slots.FREE_TEXT_SLOTS
# An answer to the question just asked outranks the intent classifier ("one" is not goodbye,
# "jane@acme.photography" is not out of scope, "Portland Internet Co" is a company name): only
# a confident question, why-question or request for a person steps out of the form then.
ANSWER_OVERRIDING_INTENTS: Final[frozenset[str]] = frozenset({"faq", "ask_why", "human_handoff"})
ANSWER_OVERRIDING_CONFIDENCE: Final[float] = 0.8

# Digressions that neither answer the question nor ask anything ("asdf" taken as out of scope,
# "hello?"): once their rule has replied, the form counts them as a missed answer.
NOT_AN_ANSWER_INTENTS: Final[frozenset[str]] = frozenset({"out_of_scope", "greet"})
# Small talk: a missed answer, but not words worth keeping for the agent.
SMALL_TALK_INTENTS: Final[frozenset[str]] = frozenset({"greet", "goodbye", "thank", "affirm"})
# Digressions the assistant answers before asking its question again: the re-ask counts as an
# ask, so a question never comes a third time in a row (actions/forms.py).
REASKED_AFTER_INTENTS: Final[frozenset[str]] = frozenset({"faq", "ask_why", "thank", "goodbye", "affirm"})


def is_digression(intent: str | None, confidence: float, requested_slot: str | None,
                  answers_question: bool = False) -> bool:
    """Whether a message steps out of the question being asked (see DIGRESSION_INTENTS).

    `answers_question`: the question's own parser accepts the message as its answer
    (bot/conversation/answer_parsing.py); free-text questions accept almost anything.
    """
    if answers_question or requested_slot in FREE_TEXT_SLOTS:
        return intent in ANSWER_OVERRIDING_INTENTS and confidence >= ANSWER_OVERRIDING_CONFIDENCE
    return intent in DIGRESSION_INTENTS
