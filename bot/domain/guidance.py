"""Apply the agency's CLEC guidance (CONTRACT section 6) to one customer: `recommend()`.

The engine is pure and deterministic: the same profile and catalog give the same Recommendation.
It works in three passes:

1. facts: the profile normalised (valid states and services only, size flags, current carrier);
2. picks: which carriers, in which role, for which states and services (see `_pick_carriers`);
3. rules: one small function per guideline id (`RULES`) decides whether it applies and to which
   picks; the plan is then written from bot/data/wording/plan.yml.

Missing facts never raise: without states there are no carriers and the plan asks for them;
without services the carriers are chosen by state alone and the plan asks for the services.
`Recommendation.missing` lists what was missing (it is not part of the contract's JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from bot.domain.catalog import US_STATES, Carrier, Catalog
from bot.domain.canonical import CHALLENGES, GUIDELINE_IDS, HANDOFF_REASONS, SERVICES
from bot.domain.handoff_policy import DEFAULT_POLICY, HandoffFacts, HandoffPolicy
from bot.domain.profile import CustomerProfile
from bot.domain.wording import PLAN_PATH, PlanWording, join_names, load_conversation_wording, load_plan_wording

# Size thresholds: past any of them one carrier should run the network end to end (L2, L3).
# Chosen to match the lead scoring's top tiers. (Whether a person takes over is the handoff
# policy's own decision, with its own thresholds: bot/domain/handoff_policy.py.)
MANY_STATES = 3
MANY_SITES = 10
ENTERPRISE_EMPLOYEES = 500
ENTERPRISE_SITES = 25  # that many sites is an enterprise network whatever the head count (L5)
MAX_BENCHMARKS = 2  # extra CLECs invited to quote for a large network: enough to compare

CONNECTIVITY = frozenset({"dia", "broadband", "ethernet", "wireless_backup", "sdwan"})
WAN_SERVICES = frozenset({"mpls", "sdwan", "ethernet"})
_ROLE_ORDER = {role: i for i, role in enumerate(("primary", "secondary", "pilot", "redundancy", "rfq_benchmark"))}
_SERVICE_ORDER = {code: i for i, code in enumerate(SERVICES)}
_GUIDELINE_ORDER = {gid: i for i, gid in enumerate(GUIDELINE_IDS)}
_CLEC_ROLES = ("pilot", "redundancy", "rfq_benchmark")

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CarrierPick:
    """One carrier of the plan: its role, and the states and services it is used for."""

    name: str
    kind: str
    role: str
    services: tuple[str, ...]
    states: tuple[str, ...]
    guidelines: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The contract's carrier object."""
        return {
            "name": self.name,
            "kind": self.kind,
            "role": self.role,
            "services": list(self.services),
            "states": list(self.states),
            "guidelines": list(self.guidelines),
        }


@dataclass(frozen=True)
class Recommendation:
    """The guidance applied to one customer; `to_dict()` is exactly CONTRACT section 5.

    The fields after `handoff_reason` are context for explanations and are not serialised:
    the customer's valid states and services, what was missing, the states no CLEC serves and
    the services only the ILEC sells there.
    """

    carriers: tuple[CarrierPick, ...]
    guidelines: tuple[str, ...]
    plan: tuple[str, ...]
    handoff: bool
    handoff_reason: Optional[str]
    states: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    uncovered_states: tuple[str, ...] = ()
    l4_services: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable dict with exactly the contract's keys."""
        return {
            "carriers": [c.to_dict() for c in self.carriers],
            "guidelines": list(self.guidelines),
            "plan": list(self.plan),
            "handoff": self.handoff,
            "handoff_reason": self.handoff_reason,
        }

    def pick(self, name: str) -> Optional[CarrierPick]:
        """The plan's entry for carrier `name` (current catalog name), else None."""
        return next((c for c in self.carriers if c.name == name), None)

    def by_role(self, role: str) -> tuple[CarrierPick, ...]:
        """Entries with `role`, in plan order."""
        return tuple(c for c in self.carriers if c.role == role)


# --------------------------------------------------------------------------- plain-words copy
# The texts live in bot/data/wording/plan.yml, loaded by bot.domain.wording; the old names stay.

GuidanceCopy = PlanWording
DEFAULT_COPY_PATH = PLAN_PATH


def load_guidance_copy(path: Union[str, Path]) -> PlanWording:
    """Read and validate a plan wording file; errors name the file and the line."""
    return load_plan_wording(path)


def load_default_copy() -> PlanWording:
    """bot/data/wording/plan.yml (re-read when it changes)."""
    return load_plan_wording(None)


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Facts:
    """The profile as the rules see it: only valid codes, sizes turned into flags."""

    states: tuple[str, ...]
    services: tuple[str, ...]
    challenges: frozenset[str]
    employees: int
    sites: int
    current: Optional[Carrier]
    large: bool
    enterprise: bool
    missing: tuple[str, ...]

    @property
    def hq(self) -> Optional[str]:
        """The head-office state (the first one the customer gave)."""
        return self.states[0] if self.states else None

    def wants(self, *codes: str) -> bool:
        """True when the customer asked for any of `codes`."""
        return not self.service_set.isdisjoint(codes)

    def has(self, *challenges: str) -> bool:
        """True when the customer named any of `challenges`."""
        return not self.challenges.isdisjoint(challenges)

    @property
    def service_set(self) -> frozenset[str]:
        """The requested services as a set."""
        return frozenset(self.services)


def _facts(profile: CustomerProfile, catalog: Catalog) -> Facts:
    states = tuple(dict.fromkeys(s.strip().upper() for s in profile.states if isinstance(s, str)))
    states = tuple(s for s in states if s in US_STATES)
    services = tuple(sorted({s for s in profile.services if s in _SERVICE_ORDER}, key=_SERVICE_ORDER.__getitem__))
    challenges = frozenset(c for c in profile.challenges if c in CHALLENGES)
    employees = max(profile.employees or 0, 0)
    sites = max(profile.num_locations or 0, len(states) if states else 0)
    enterprise = employees >= ENTERPRISE_EMPLOYEES
    wide_wan = "mpls" in services and len(states) >= 2
    large = bool(states) and (len(states) >= MANY_STATES or sites >= MANY_SITES or enterprise or wide_wan)
    missing = tuple(name for name, empty in (("states", not states), ("services", not services)) if empty)
    return Facts(states, services, challenges, employees, sites,
                 catalog.resolve(profile.current_carrier), large, enterprise, missing)


# --------------------------------------------------------------------------- picks


@dataclass
class _Pick:
    carrier: Carrier
    role: str
    states: tuple[str, ...]
    services: tuple[str, ...]
    guidelines: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return "ILEC" if any(self.carrier.kind_in(s) == "ILEC" for s in self.states) else "CLEC"


@dataclass
class _Plan:
    """Working state shared by the picking pass and the rules."""

    facts: Facts
    catalog: Catalog
    picks: list[_Pick]
    uncovered: tuple[str, ...]  # customer states where no CLEC of the catalog competes
    l4: tuple[str, ...]  # requested services no CLEC sells in some covered customer state

    roles: dict[str, list[_Pick]] = field(default_factory=dict)
    clecs: list[_Pick] = field(default_factory=list)

    def freeze(self) -> "_Plan":
        """Index the picks by role once picking is over (the rules ask many times)."""
        self.roles = {}
        for pick in self.picks:
            self.roles.setdefault(pick.role, []).append(pick)
        self.clecs = [p for p in self.picks if p.role in _CLEC_ROLES]
        return self

    def role(self, role: str) -> list[_Pick]:
        return self.roles.get(role, [])

    @property
    def primary(self) -> Optional[_Pick]:
        found = self.role("primary")
        return found[0] if found else None

    @property
    def no_coverage(self) -> bool:
        return bool(self.facts.states) and len(self.uncovered) == len(self.facts.states)


def _sold(carrier: Carrier, facts: Facts) -> tuple[str, ...]:
    return tuple(s for s in facts.services if s in carrier.services)


def _incumbent_for(state: str, facts: Facts, catalog: Catalog) -> Optional[Carrier]:
    # The customer's own phone company wins when it is an ILEC there: we can't see the address,
    # and a partial ILEC (Frontier in Texas, say) is then the one actually serving them.
    if facts.current is not None and facts.current.kind_in(state) == "ILEC":
        return facts.current
    return catalog.main_incumbent(state)


def _choose_primary(facts: Facts, catalog: Catalog) -> Optional[Carrier]:
    hq = facts.hq
    assert hq is not None
    local = _incumbent_for(hq, facts, catalog)
    if not facts.large:
        return local
    # Large network: the national carrier reaching most of the customer's states (L2, L3, L5);
    # ties go to the head office's own ILEC, then to the one selling most of what is asked.
    candidates = [c for c in catalog.carriers if c.national and any(c.serves(s) for s in facts.states)]
    if not candidates:
        return local

    def key(c: Carrier) -> tuple[Any, ...]:
        reach = sum(c.serves(s) for s in facts.states)
        return (-reach, c is not local, -len(_sold(c, facts)), c.name)

    return min(candidates, key=key)


def _clec_candidates(facts: Facts, catalog: Catalog, exclude: set[str]) -> list[tuple[Carrier, tuple[str, ...], tuple[str, ...]]]:
    """(carrier, states where it competes, requested services it sells) for usable CLECs."""
    found = []
    seen: set[str] = set(exclude)
    for carrier in (c for s in facts.states for c in catalog.competitive(s)):
        if carrier.name in seen:
            continue
        seen.add(carrier.name)
        states = tuple(s for s in facts.states if s in carrier.competitive_states)
        if not states:
            continue
        sold = _sold(carrier, facts)
        if facts.services and not sold:
            continue  # never a carrier for nothing the customer asked for
        found.append((carrier, states, sold))
    return found


def _rank(facts: Facts, diverse_from: Optional[Carrier] = None, broad: bool = False) -> Callable[..., tuple[Any, ...]]:
    """Sort key for CLEC candidates.

    Small customers: serves the head office, sells most of what was asked, strong in that state,
    regional before national, then name. `broad` (large networks) puts reach across the
    customer's states first. `diverse_from` sends carriers that resell that ILEC's own lines, or
    sell no connectivity, to the back: they can't be a second path.
    """
    hq = facts.hq

    def key(item: tuple[Carrier, tuple[str, ...], tuple[str, ...]]) -> tuple[Any, ...]:
        carrier, states, sold = item
        diverse = diverse_from is None or (
            diverse_from.name not in carrier.rides_on and not CONNECTIVITY.isdisjoint(carrier.services)
        )
        local = (hq not in states, -len(sold), hq not in carrier.strong_states, carrier.national)
        head = (-len(states),) + local if broad else local + (-len(states),)
        return (not diverse,) + head + (carrier.name,)

    return key


def _pick_carriers(facts: Facts, catalog: Catalog) -> _Plan:
    uncovered = tuple(s for s in facts.states if not catalog.competitive(s))
    covered = [s for s in facts.states if s not in uncovered]
    l4 = tuple(
        svc for svc in facts.services
        if any(not catalog.competitive(s, svc) for s in covered)
    )
    plan = _Plan(facts, catalog, [], uncovered, l4)
    if not facts.states:
        return plan.freeze()

    primary = _choose_primary(facts, catalog)
    taken: set[str] = set()
    if primary is not None:
        states = tuple(s for s in facts.states if primary.serves(s))
        plan.picks.append(_Pick(primary, "primary", states, _sold(primary, facts)))
        taken.add(primary.name)
    # Sites the primary doesn't reach go to their own ILEC (grouped per carrier, in state order).
    rest: dict[str, list[str]] = {}
    owners: dict[str, Carrier] = {}
    for state in facts.states:
        if primary is not None and primary.serves(state):
            continue
        ilec = _incumbent_for(state, facts, catalog)
        if ilec is not None:
            rest.setdefault(ilec.name, []).append(state)
            owners[ilec.name] = ilec
    for name, states_ in rest.items():
        if name in taken:
            continue
        plan.picks.append(_Pick(owners[name], "secondary", tuple(states_), _sold(owners[name], facts)))
        taken.add(name)

    current = facts.current.name if facts.current else None
    no_switch = taken | ({current} if current else set())
    if facts.large:
        _pick_large_clecs(plan, facts, catalog, no_switch, primary)
    else:
        _pick_small_clecs(plan, facts, catalog, no_switch, primary)
    # The customer's current CLEC is kept in the RFQ rather than switched away from silently.
    if current and facts.current is not None and current not in {p.carrier.name for p in plan.picks}:
        for carrier, states, sold in _clec_candidates(facts, catalog, {p.carrier.name for p in plan.picks}):
            if carrier.name == current:
                plan.picks.append(_Pick(carrier, "rfq_benchmark", states, sold))
    return plan.freeze()


def _pick_small_clecs(plan: _Plan, facts: Facts, catalog: Catalog, exclude: set[str], primary: Optional[Carrier]) -> None:
    pool = sorted(_clec_candidates(facts, catalog, exclude), key=_rank(facts))
    if not pool:
        return
    wants_backup = facts.has("need_redundancy", "reliability")
    pilot = pool[0]
    redundancy = None
    if wants_backup:
        diverse = sorted(pool, key=_rank(facts, diverse_from=primary))
        usable = [c for c in diverse if _is_diverse(c[0], primary)]
        others = [c for c in usable if c[0] is not pilot[0]]
        if others:
            redundancy = others[0]
        elif usable:  # the only diverse CLEC: it is the second path, not a trial
            redundancy, pilot = usable[0], None  # type: ignore[assignment]
    if pilot is not None:
        plan.picks.append(_Pick(pilot[0], "pilot", pilot[1], pilot[2]))
    if redundancy is not None:
        plan.picks.append(_Pick(redundancy[0], "redundancy", redundancy[1], redundancy[2]))
    if facts.has("high_cost", "vendor_dependence", "contract_inflexibility"):
        chosen = {p.carrier.name for p in plan.picks}
        rest = [c for c in pool if c[0].name not in chosen]
        if rest:
            plan.picks.append(_Pick(rest[0][0], "rfq_benchmark", rest[0][1], rest[0][2]))


def _pick_large_clecs(plan: _Plan, facts: Facts, catalog: Catalog, exclude: set[str], primary: Optional[Carrier]) -> None:
    pool = sorted(_clec_candidates(facts, catalog, exclude), key=_rank(facts, diverse_from=primary, broad=True))
    if not pool:
        return
    first = pool[0]
    role = "redundancy" if _is_diverse(first[0], primary) else "rfq_benchmark"
    plan.picks.append(_Pick(first[0], role, first[1], first[2]))
    for carrier, states, sold in pool[1:1 + MAX_BENCHMARKS]:
        plan.picks.append(_Pick(carrier, "rfq_benchmark", states, sold))


def _is_diverse(carrier: Carrier, primary: Optional[Carrier]) -> bool:
    """A second path must be another network: not a resale of the primary's own lines."""
    return primary is None or primary.name not in carrier.rides_on


# --------------------------------------------------------------------------- rules

# A rule returns None when its guideline does not apply to this customer, otherwise the picks it
# applies to (possibly none: then it applies to the recommendation as a whole).
Rule = Callable[[_Plan], Optional[list[_Pick]]]


def _ilecs(plan: _Plan) -> list[_Pick]:
    return [p for p in plan.picks if p.role in ("primary", "secondary")]


def _with_clecs(plan: _Plan, condition: bool) -> Optional[list[_Pick]]:
    """CLEC strengths only apply when a CLEC is in the plan."""
    return plan.clecs if condition and plan.clecs else None


def _rule_l1(plan: _Plan) -> Optional[list[_Pick]]:
    # Fires where CLECs stop short: a customer state no CLEC serves, or CLECs in the plan that
    # reach only some of the customer's states.
    states = set(plan.facts.states)
    partial = [p for p in plan.clecs if set(p.states) < states]
    if not states or not (plan.uncovered or partial):
        return None
    return [p for p in _ilecs(plan) if set(p.states) & set(plan.uncovered)] + partial


def _rule_l2(plan: _Plan) -> Optional[list[_Pick]]:
    f = plan.facts
    if not f.states or not (f.large or (f.has("multi_site_management") and f.sites >= 2)):
        return None
    return [p for p in _ilecs(plan) if p.role == "primary"]


def _rule_l3(plan: _Plan) -> Optional[list[_Pick]]:
    f = plan.facts
    wide = len(f.states) >= MANY_STATES or (len(f.states) >= 2 and (f.large or f.wants(*WAN_SERVICES)))
    return _ilecs(plan) if wide else None


def _rule_l4(plan: _Plan) -> Optional[list[_Pick]]:
    if not plan.l4 or plan.no_coverage:
        return None
    return [p for p in _ilecs(plan) if set(p.services) & set(plan.l4)]


def _rule_l5(plan: _Plan) -> Optional[list[_Pick]]:
    f = plan.facts
    if not f.states or not (f.enterprise or f.sites >= ENTERPRISE_SITES):
        return None
    return [p for p in _ilecs(plan) if p.role == "primary"]


def _rule_s2(plan: _Plan) -> Optional[list[_Pick]]:
    if not plan.facts.wants("t1", "pri"):
        return None
    hits = [p for p in plan.clecs if {"t1", "pri"} & set(p.services)]
    return hits or None


def _rule_r1(plan: _Plan) -> Optional[list[_Pick]]:
    return plan.clecs  # always applies; the CLECs are where the agent's experience matters


def _rule_r4(plan: _Plan) -> Optional[list[_Pick]]:
    trial = [p for p in plan.clecs if p.role in ("pilot", "redundancy")]
    if not trial or plan.primary is None:
        return None
    return [plan.primary] + trial


def _rule_m1(plan: _Plan) -> Optional[list[_Pick]]:
    # Everyone in the plan is invited to quote: the CLECs as benchmark, the ILECs to be kept honest.
    return list(plan.picks) if plan.clecs else None


RULES: tuple[tuple[str, Rule], ...] = (
    ("L1", _rule_l1),
    ("L2", _rule_l2),
    ("L3", _rule_l3),
    ("L4", _rule_l4),
    ("L5", _rule_l5),
    ("S1", lambda p: _with_clecs(p, p.facts.has("high_cost", "bandwidth"))),
    ("S2", _rule_s2),
    ("S3", lambda p: _with_clecs(p, p.facts.has("poor_support"))),
    ("S4", lambda p: _with_clecs(p, p.facts.has("contract_inflexibility"))),
    ("S5", lambda p: _with_clecs(p, p.facts.has("poor_support"))),
    ("S6", lambda p: _with_clecs(p, p.facts.has("slow_install", "relocation"))),
    ("R1", _rule_r1),
    ("R2", lambda p: p.role("pilot") or None),
    ("R3", lambda p: p.role("redundancy") or None),
    ("R4", _rule_r4),
    ("M1", _rule_m1),
    ("M2", lambda p: _with_clecs(p, p.facts.has("vendor_dependence"))),
    ("M3", lambda p: _with_clecs(p, p.facts.has("reliability", "poor_support"))),
    ("P1", lambda p: []),  # always: the agency's framing for every customer
)


def _apply_rules(plan: _Plan) -> tuple[str, ...]:
    applied = []
    for gid, rule in RULES:
        targets = rule(plan)
        if targets is None:
            continue
        applied.append(gid)
        for pick in targets:
            pick.guidelines.add(gid)
    for pick in plan.picks:  # every carrier says why it is there, even with an odd catalog
        if not pick.guidelines:
            pick.guidelines.add("P1")  # P1 always applies: the portfolio framing
    return tuple(sorted(set(applied), key=_GUIDELINE_ORDER.__getitem__))


# --------------------------------------------------------------------------- plan text


def _words(plan: _Plan, copy: GuidanceCopy) -> dict[str, str]:
    f = plan.facts
    primary = plan.primary
    secondary = plan.role("secondary")
    pilot = plan.role("pilot")
    redundancy = plan.role("redundancy")
    clec_names = [p.carrier.name for p in plan.clecs]
    rfq = [p.carrier.name for p in plan.picks]
    return {
        "primary": primary.carrier.name if primary else "your local phone company",
        "primary_states": join_names(list(primary.states)) if primary else "",
        "primary_services": copy.service_names(primary.services) if primary and primary.services else "your services",
        "secondary": join_names([p.carrier.name for p in secondary]),
        "secondary_states": join_names([s for p in secondary for s in p.states]),
        "pilot": pilot[0].carrier.name if pilot else "",
        "pilot_services": copy.service_names(pilot[0].services) if pilot and pilot[0].services else "a few lines",
        "redundancy": redundancy[0].carrier.name if redundancy else "",
        "rfq": join_names(rfq),
        "clecs": join_names(clec_names),
        "states": join_names(list(f.states)),
        "uncovered_states": join_names(list(plan.uncovered)),
        "l4_services": copy.service_names(plan.l4),
        "all_services": copy.service_names(f.services),
    }


def _plan_steps(plan: _Plan, applied: Sequence[str], reason: Optional[str], copy: GuidanceCopy) -> tuple[str, ...]:
    f = plan.facts
    words = _words(plan, copy)
    keys: list[str] = []
    if not f.states:
        keys.append("missing_states")
    elif plan.no_coverage:
        keys.append("no_coverage" if plan.primary else "missing_states")
    else:
        if f.large and plan.primary:
            keys.append("end_to_end")
        elif plan.primary:
            keys.append("keep_primary" if plan.clecs else "primary_only")
    if plan.role("secondary"):
        keys.append("secondary")
    if plan.uncovered and not plan.no_coverage:
        keys.append("partial_coverage")
    if "L4" in applied:
        keys.append("l4")
    if plan.role("pilot"):
        keys.append("pilot")
    if plan.role("redundancy"):
        keys.append("redundancy")
    if plan.clecs:
        keys.append("rfq")
        for gid, key in (("S4", "negotiate"), ("S6", "site_survey"), ("M3", "compare_service"), ("M2", "diversify")):
            if gid in applied:
                keys.append(key)
    if f.states and not f.services:
        keys.append("missing_services")
    if reason:
        keys.append(f"handoff_{reason}")
    keys.append("agent" if plan.clecs else "agent_generic")
    keys.append("portfolio")
    return tuple(copy.step(k, words) for k in keys)


# --------------------------------------------------------------------------- entry point


def recommend(profile: CustomerProfile, catalog: Catalog, copy: Optional[GuidanceCopy] = None,
              policy: HandoffPolicy = DEFAULT_POLICY) -> Recommendation:
    """Apply the CLEC guidance to `profile`; pure, deterministic, never raises on missing facts.

    Whether the plan hands off to a person, and why, is `policy`'s decision.
    """
    copy = copy or load_default_copy()
    facts = _facts(profile, catalog)
    plan = _pick_carriers(facts, catalog)
    applied = _apply_rules(plan)
    reason = policy.reason_for(HandoffFacts(states=facts.states, sites=facts.sites,
                                            employees=facts.employees, services=facts.services,
                                            no_coverage=plan.no_coverage))
    assert reason is None or reason in HANDOFF_REASONS
    picks = sorted(plan.picks, key=lambda p: (_ROLE_ORDER[p.role], p.carrier.name))
    carriers = tuple(
        CarrierPick(
            name=p.carrier.name,
            kind=p.kind,
            role=p.role,
            services=p.services,
            states=p.states,
            guidelines=tuple(sorted(p.guidelines, key=_GUIDELINE_ORDER.__getitem__)),
        )
        for p in picks
    )
    return Recommendation(
        carriers=carriers,
        guidelines=applied,
        plan=_plan_steps(plan, applied, reason, copy),
        handoff=reason is not None,
        handoff_reason=reason,
        states=facts.states,
        services=facts.services,
        missing=facts.missing,
        uncovered_states=plan.uncovered,
        l4_services=plan.l4 if "L4" in applied else (),
    )


def render_plan_text(rec: Recommendation, copy: Optional[GuidanceCopy] = None) -> str:
    """The plan as one short chat message: carriers with role and reason, then numbered steps."""
    copy = copy or load_default_copy()
    say = load_conversation_wording().text  # the framing lines: bot/data/wording/conversation.yml
    lines: list[str] = []
    if rec.carriers:
        lines.append(say("plan_heading"))
        for c in rec.carriers:
            words = {"carrier": c.name, "role": copy.roles[c.role], "kind": copy.kinds[c.kind]}
            if c.states:
                lines.append(say("plan_carrier", states=join_names(list(c.states)), **words))
            else:
                lines.append(say("plan_carrier_no_states", **words))
        lines.append("")
        lines.append(say("plan_next_steps"))
    else:
        lines.append(say("plan_before_carriers"))
    lines.extend(say("plan_step", number=i, step=step) for i, step in enumerate(rec.plan, 1))
    if rec.guidelines:
        lines.append("")
        lines.append(copy.explanation("applied", guidelines=", ".join(rec.guidelines)))
    return "\n".join(lines)
