"""Intent groups the dialogue logic needs (names as in domain.yml)."""

from __future__ import annotations

from typing import Final

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
# an answer there, so only a confident question steps out of the form.
FREE_TEXT_SLOTS: Final[frozenset[str]] = frozenset({"contact_name", "company_name", "callback_time"})
FREE_TEXT_DIGRESSIONS: Final[frozenset[str]] = frozenset({"faq", "ask_why"})
FREE_TEXT_DIGRESSION_CONFIDENCE: Final[float] = 0.8


def is_digression(intent: str | None, confidence: float, requested_slot: str | None) -> bool:
    """Whether a message steps out of the question being asked (see DIGRESSION_INTENTS)."""
    if requested_slot in FREE_TEXT_SLOTS:
        return intent in FREE_TEXT_DIGRESSIONS and confidence >= FREE_TEXT_DIGRESSION_CONFIDENCE
    return intent in DIGRESSION_INTENTS
