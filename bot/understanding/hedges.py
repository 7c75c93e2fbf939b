"""Ways of saying "I don't know" ("no idea", "dunno", "I'd have to check"): a skip when it is
the whole answer (bot.conversation.answer_parsing.SKIP_RE), and no complaint when it is said of
something ("no clue on the contract" is not a contract that traps them: classifier_gates)."""

from __future__ import annotations

import re

# A regex alternation, for use inside a group.
NOT_KNOWING = (
    r"no idea|not sure|unsure|don'?t know|dunno|idk|i don'?t know|i'?m not sure|no clue|beats me|not certain|"
    r"(?:i\s+)?(?:can'?t|cannot|don'?t|do not)\s+remember|"
    r"(?:i'?d|i\s+would|i'?ll|i\s+will|we'?d)\s+(?:have|need)\s+to\s+(?:check|look)|let\s+me\s+(?:check|look)"
)
NOT_KNOWING_RE = re.compile(r"\b(?:" + NOT_KNOWING + r")\b", re.IGNORECASE)
