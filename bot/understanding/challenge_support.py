"""Poor support told without a set phrase: a carrier slow to act ("took 2 weeks to fix it"), a
bad word for support ("the reps are useless"), waits on hold ("45 minutes on hold").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


_TOOK_WORDS = frozenset({"took", "takes", "take", "taking"})
# What a carrier does for a customer: slow at it, it is poor support (not an install: _NEW_LINE_CUES).
_CARRIER_ACTIONS = frozenset({
    "fix", "show", "come", "respond", "answer", "call", "change", "ship", "replace", "repair", "send", "return",
    "reply", "resolve", "credit", "refund", "escalate", "roll", "swap", "update", "release", "port",
})
_DELAY_WORDS = frozenset({"forever", "ages", "days", "weeks", "months", "hours", "week", "month", "day", "eternity"})
_SUPPORT_NOUNS = frozenset({"support", "service", "helpdesk", "reps", "rep", "techs", "technicians", "staff"})
_LINKING_VERBS = frozenset({"is", "are", "was", "were", "'s", "has", "have", "seems", "feels", "got", "gets", "been"})
_BAD_WORDS = frozenset({
    "lousy", "awful", "terrible", "horrible", "bad", "poor", "crappy", "crap", "garbage", "useless", "nonexistent",
    "non-existent", "atrocious", "abysmal", "pathetic", "worst", "sucks", "joke", "rude", "clueless", "incompetent",
    "unhelpful", "shoddy", "subpar", "dreadful", "worse", "trash",
})
_WAIT_UNITS = frozenset({"min", "mins", "minutes", "minute", "hour", "hours", "hr", "hrs", "forever", "ages", "eternity", "hour-long"})


def _slow_to_act(doc: "Doc", lows: Sequence[str], k: int) -> Optional[int]:
    """The end of "takes days to show up", "took 2 weeks to fix it" from `k` (a form of take),
    or None: a delay, then "to" and something a carrier does for its customer."""
    end = min(len(doc), k + 7)
    to = next((m for m in range(k + 1, end) if lows[m] == "to"), None)
    if to is None or to + 1 >= len(doc) or not any(w in _DELAY_WORDS for w in lows[k + 1 : to]):
        return None
    action = lows[to + 1]
    return to + 2 if action in _CARRIER_ACTIONS else None
