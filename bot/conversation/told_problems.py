"""Whether "what's not working today?" is still to be asked when the challenges are not empty.

Asking for a backup connection ("SIP trunks and an LTE backup") records need_redundancy: the
guidance's advice for a second, diverse connection needs it. But a backup asked for says
nothing of what hurts today, and the customer who wants one may be losing calls every week
or paying too much. Until session 9 the filled slot meant the problems question was never
asked, and most of the simulator's missed challenges were this.

So when every code known is one a wanted service implies, the problems question is asked
once, in its place in the form, worded as "besides the backup"; the codes the answer names
join the ones known, and "no" keeps them as they are.
"""

from __future__ import annotations

from typing import Final, Optional, Sequence

# Challenge codes a request for a service implies (a backup asked for is need_redundancy).
IMPLIED_BY_A_SERVICE: Final[frozenset[str]] = frozenset({"need_redundancy"})


def problems_question_due(challenges: Optional[Sequence[str]], settled: bool, skipped: bool) -> bool:
    """The problems question is still to be asked although the slot holds `challenges`: the
    customer has told only what a service implies, and the question is not settled (asked and
    answered, or left for the agent) nor skipped. (An empty slot is asked as any empty slot
    is, not here.)"""
    known = set(challenges or ())
    return bool(known) and known <= IMPLIED_BY_A_SERVICE and not settled and not skipped


def joined(known: Optional[Sequence[str]], told: Sequence[str]) -> list[str]:
    """The codes known, then the new ones told, each once, in order."""
    return list(dict.fromkeys([*(known or ()), *told]))
