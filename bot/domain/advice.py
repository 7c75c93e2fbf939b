"""What a broker adds to the carrier plan: contract timing and the move off legacy lines.

Pure functions of the customer's facts; each returns the plan steps (keys of
bot/data/wording/plan.yml `steps`) with the words they need, or nothing. The guidance engine
places them in the plan.

Contract timing (from `contract_end`): new fiber takes 45-90+ days to install and most
contracts want 30-90 days' written notice before they auto-renew, so a contract ending within
`START_NOW_DAYS` means "start the quotes now"; within a year, plan the notice; later than that,
switching early costs an early-termination fee, so line the new service up with the end date.
Several sites are co-termed (one end date) so the next renewal is one negotiation.

Legacy lines: T1 and PRI get SIP over dedicated internet (or a cloud phone system) quoted
alongside them, analog lines their replacements with the alarm/elevator/fax caveats, because
carriers are retiring copper and the FCC ended most regulated DS1/DS3 and analog-loop access.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Optional

INSTALL_DAYS = 90  # new fiber: 45-90+ days from order to service
NOTICE_DAYS = 90  # the longest common notice window before an auto-renewal (30-90 days)
START_NOW_DAYS = 120  # install time plus a month to collect and compare quotes
PLAN_AHEAD_DAYS = 365

Step = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class ContractEnd:
    """The customer's contract end date; `whole_month` when only YYYY-MM was given."""

    day: date
    whole_month: bool

    def shown(self) -> str:
        """"March 2027" or "15 March 2027"."""
        month = self.day.strftime("%B %Y")
        return month if self.whole_month else f"{self.day.day} {month}"


def parse_contract_end(value: Optional[str]) -> Optional[ContractEnd]:
    """The slot's ISO date (YYYY-MM-DD) or month (YYYY-MM); None when absent or unreadable.

    A month alone counts from its first day: the earlier date never makes the advice late."""
    if not value:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None
    day = int(match[3]) if match[3] else 1
    if not 1 <= day <= monthrange(year, month)[1]:
        return None
    return ContractEnd(date(year, month, day), whole_month=match[3] is None)


def contract_timing(end: Optional[ContractEnd], today: date, sites: int) -> list[Step]:
    """The timing step for the contract end date (none without one), plus co-terming when
    there are several sites."""
    if end is None:
        return []
    days = (end.day - today).days
    words = {"end_date": end.shown()}
    # A month alone has passed only once it is over: "this month" (also what "month to month"
    # is recorded as) is a contract ending now, not one that ended.
    last_day = end.day.replace(day=monthrange(end.day.year, end.day.month)[1]) if end.whole_month else end.day
    if (last_day - today).days < 0:
        key = "contract_ended"
    elif days <= START_NOW_DAYS:
        key = "contract_start_now"
    elif days <= PLAN_AHEAD_DAYS:
        key = "contract_plan_ahead"
    else:
        key = "contract_later"
    steps: list[Step] = [(key, words)]
    if sites >= 2:
        steps.append(("co_term", words))
    return steps


def renewal_soon(end: Optional[ContractEnd], today: date) -> bool:
    """True when the contract ends within a year: quote time (a benchmark is worth it)."""
    return end is not None and (end.day - today).days <= PLAN_AHEAD_DAYS


def legacy_migration(services: frozenset[str], challenges: frozenset[str]) -> list[Step]:
    """One sentence per legacy line type asked for, and the two fixes a broker always makes:
    SIP needs dedicated internet under it, and a speed complaint calls for fiber, not a T1."""
    steps: list[Step] = []
    if services & {"t1", "pri"}:
        steps.append(("legacy_t1_pri", {}))
    if "pots" in services:
        steps.append(("legacy_pots", {}))
    if "sip" in services and not services & {"dia", "mpls", "ethernet"}:
        steps.append(("sip_needs_dia", {}))
    if "bandwidth" in challenges:
        steps.append(("bandwidth_fiber", {}))
    return steps
