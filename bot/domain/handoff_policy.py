"""When a person takes over from the assistant, why, and what happens in and out of hours.

The one owner of the handoff rule. The guidance engine asks `reason_for()` whether a plan
needs a person; the actions ask `reason_for_intent()` why the customer is being handed over,
`next_step()` what to promise (an agent joins now, or calls back when the office opens) and
which lead status that is, and `required_contact()` / `asks_callback_time()` what the
contact form must collect. The reasons are CONTRACT section 4's `handoff_reason` codes.

The size thresholds here are the handoff's own: the guidelines that also look at size (L2,
L3, L5 in bot/domain/guidance.py) keep theirs, so either can change without the other.
Rasa still needs a rule per handoff intent (data/rules/handoff.yml); a test checks that
every intent in `reason_by_intent` has one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Collection, Literal, Mapping, Optional

from bot.domain.canonical import HANDOFF_REASONS

#: join_now: an agent joins the conversation (business hours); callback: an agent calls back
#: when the office opens.
StepKind = Literal["join_now", "callback"]

_REASON_BY_INTENT: Mapping[str, str] = MappingProxyType({
    "human_handoff": "user_request",
    "complain": "frustration",
})


@dataclass(frozen=True)
class HandoffFacts:
    """What the policy needs to know about a customer's network (normalised by the caller)."""

    states: tuple[str, ...] = ()  # valid USPS codes of the sites' states
    sites: int = 0  # number of sites (at least one per state)
    employees: int = 0
    services: Collection[str] = ()  # canonical service codes
    no_coverage: bool = False  # no carrier in the catalog serves these states


@dataclass(frozen=True)
class NextStep:
    """What the customer is promised once handed over, and how the lead records it."""

    kind: StepKind
    lead_status: str  # LEAD_STATUSES: "handoff" (an agent joins) or "callback"
    after_hours: bool


@dataclass(frozen=True)
class HandoffPolicy:
    """The handoff rule. Defaults are the agency's; tests and deployments may pass others."""

    # Past any of these, a person should design the network (`complex_needs`).
    many_states: int = 3
    many_sites: int = 10
    #: From this head count the customer is an enterprise account (`enterprise`).
    enterprise_employees: int = 500
    #: A private WAN (`wan_services`) across this many states needs a person too.
    wide_wan_states: int = 2
    wan_services: frozenset[str] = frozenset({"mpls"})
    #: Why a person is needed when the customer's intent asks for one.
    reason_by_intent: Mapping[str, str] = field(default_factory=lambda: _REASON_BY_INTENT)
    #: Why, when the handoff was asked for and no other reason is known.
    default_reason: str = "user_request"
    #: Why, when the assistant could not understand the customer (two-stage fallback failed).
    fallback_reason: str = "low_confidence"

    def __post_init__(self) -> None:
        reasons = [*self.reason_by_intent.values(), self.default_reason, self.fallback_reason]
        unknown = [r for r in reasons if r not in HANDOFF_REASONS]
        if unknown:
            raise ValueError(f"unknown handoff reasons {unknown}; expected {HANDOFF_REASONS}")

    # --- why ---------------------------------------------------------------------------------

    def is_enterprise(self, facts: HandoffFacts) -> bool:
        return facts.employees >= self.enterprise_employees

    def is_complex(self, facts: HandoffFacts) -> bool:
        """Big or spread enough that a person should design the network."""
        if not facts.states:
            return False  # nothing to design yet: the plan asks where the sites are
        wide_wan = (not self.wan_services.isdisjoint(facts.services)
                    and len(facts.states) >= self.wide_wan_states)
        return (len(facts.states) >= self.many_states or facts.sites >= self.many_sites
                or self.is_enterprise(facts) or wide_wan)

    def reason_for(self, facts: HandoffFacts) -> Optional[str]:
        """Why this customer's plan needs a person, or None when the assistant's plan will do."""
        if facts.no_coverage:
            return "no_coverage"
        if self.is_complex(facts):
            return "enterprise" if self.is_enterprise(facts) else "complex_needs"
        return None

    def reason_for_intent(self, intent: Optional[str], known_reason: Optional[str] = None) -> str:
        """Why the customer is handed over on `intent`: the intent's own reason, else the one
        already known (e.g. set by the guidance), else `default_reason`."""
        return self.reason_by_intent.get(intent or "") or known_reason or self.default_reason

    # --- what happens next -------------------------------------------------------------------

    def next_step(self, is_open: bool) -> NextStep:
        """In business hours an agent joins now; after hours an agent calls back."""
        if is_open:
            return NextStep("join_now", "handoff", after_hours=False)
        return NextStep("callback", "callback", after_hours=True)

    def required_contact(self, handing_off: bool) -> Literal["phone", "email"]:
        """The contact detail that cannot be skipped: a person calls back on a phone number;
        without a handoff the plan is e-mailed."""
        return "phone" if handing_off else "email"

    def asks_callback_time(self, handing_off: bool, after_hours: bool) -> bool:
        """Only a callback promised after hours asks when suits the customer."""
        return handing_off and after_hours


DEFAULT_POLICY = HandoffPolicy()
