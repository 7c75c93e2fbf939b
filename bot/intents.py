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
