"""Whether "what's not working today?" is still to be asked when the challenges are not empty.

A customer often names a problem before it is asked: "the bill is insane" with the address, or
"SIP trunks and an LTE backup" (a backup asked for records need_redundancy). Until session 9 the
filled slot meant the problems question was never asked, so what they would have named next
(the outages every week, the ten-week install) never reached the agent; most of the simulator's
missed challenges were this.

So when the customer has told at most one problem of their own (a backup, which a wanted
service implies, is not counted), the problems question is asked once, in its place in the
form, worded as "Besides the cost, ...?"; the codes the answer names join the ones known, and "no" keeps
them. A customer who named two or more has said what hurts: one more question would cost a
turn for little.
"""

from __future__ import annotations

from typing import Final, Optional, Sequence

from bot.conversation.wording import Copy, Message, default_copy
from bot.domain.wording import PlanWording, join_names, load_plan_wording

# Challenge codes a request for a service implies (a backup asked for is need_redundancy).
IMPLIED_BY_A_SERVICE: Final[frozenset[str]] = frozenset({"need_redundancy"})


# Problems of their own a customer may have told before the question is still asked about.
MAX_TOLD_BEFORE_ASKING: Final[int] = 1


def problems_question_due(challenges: Optional[Sequence[str]], settled: bool, skipped: bool) -> bool:
    """The problems question is still to be asked although the slot holds `challenges`: the
    customer has told at most one problem of their own (beside what a service implies), and
    the question is not settled (asked and answered, or left for the agent) nor skipped. (An
    empty slot is asked as any empty slot is, not here.)"""
    known = set(challenges or ())
    own = known - IMPLIED_BY_A_SERVICE
    return bool(known) and len(own) <= MAX_TOLD_BEFORE_ASKING and not settled and not skipped


def joined(known: Optional[Sequence[str]], told: Sequence[str]) -> list[str]:
    """The codes known, then the new ones told, each once, in order."""
    return list(dict.fromkeys([*(known or ()), *told]))


def besides_told_question(challenges: Optional[Sequence[str]], copy: Optional[Copy] = None,
                          names: Optional[PlanWording] = None) -> Message:
    """"Besides the cost, is anything else not working well today?", without
    the buttons of a problem already told."""
    copy = copy or default_copy()
    names = names or load_plan_wording()
    known = list(dict.fromkeys(challenges or ()))
    told = join_names([names.challenges.get(code, code) for code in known])
    message = copy.message("problems_besides_told", told=told)
    buttons = tuple(b for b in message.buttons
                    if not any(f'"{code}"' in b["payload"] for code in known))
    return Message(message.text, buttons)
