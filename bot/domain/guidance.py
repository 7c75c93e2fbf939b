"""Apply the agency's CLEC guidance (CONTRACT section 6) to one customer: `recommend()`.

The engine is pure and deterministic: the same profile, catalog, coverage and day give the same
Recommendation. It works in three passes:

1. facts: the profile normalised (valid states and services only, size flags, current carrier,
   contract end);
2. picks: per site, the local phone company (by county or ZIP where the state is split, see
   bot.domain.coverage), then which carriers in which role, for which states and services (see
   `_pick_carriers`). Kind (ILEC or CLEC) and services are those of each carrier at each site;
3. rules: one small function per guideline id (`RULES`) decides whether it applies and to which
   picks; the plan is then written from bot/data/wording/plan.yml (with bot.domain.advice for
   contract timing and legacy lines).

Invariants (tests/guidance): the local phone company of every site and the customer's current
carrier are always in the plan (so in the RFQ); no guideline is contradicted by the plan it is
attached to; P1 only with a CLEC in the plan; no pilot for leases or carrier-independent
services; a backup only over a different last mile.

Missing facts never raise: without states there are no carriers and the plan asks for them;
without services the carriers are chosen by state alone and the plan asks for the services.
`Recommendation.missing` lists what was missing (it is not part of the contract's JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

from bot.domain import advice
from bot.domain.catalog import PLACES, Carrier, Catalog
from bot.domain.canonical import CHALLENGES, GUIDELINE_IDS, HANDOFF_REASONS, SERVICES
from bot.domain.coverage import Coverage, Location, load_default_coverage
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
MAX_OWNERSHIP_NOTES = 2  # "who runs it today" sentences, so the plan stays short

# What services are, for the rules.
CONNECTIVITY = frozenset({"dia", "broadband", "ethernet", "wireless_backup"})  # a path to the internet or between sites
BACKUP_SERVICES = CONNECTIVITY | {"sdwan"}  # what a second path can carry (SD-WAN: its second underlay)
WAN_SERVICES = frozenset({"mpls", "ethernet", "wavelength"})  # links a carrier builds between sites: one network
# What a national carrier sells across states under one contract (analog lines, broadband and
# T1s are bought from each site's own phone company).
NETWORK_SERVICES = WAN_SERVICES | {"dia", "sip", "sdwan"}
LEASES = frozenset({"wavelength", "dark_fiber"})  # multi-year leases: quoted, never piloted
CARRIER_FREE = frozenset({"ucaas", "sdwan"})  # overlays: run over any carrier's internet connection
NOT_PILOTED = LEASES | CARRIER_FREE | {"wireless_backup"}  # a backup is a second path, not a trial
CRITICAL = frozenset({"t1", "pri", "sip", "pots", "mpls"})  # lines the business stops without (R4)
T1_HERITAGE_MEDIA = frozenset({"copper", "fiber"})  # telcos, not cable or wireless companies (S2)

_ROLE_ORDER = {role: i for i, role in enumerate(("primary", "secondary", "pilot", "redundancy", "rfq_benchmark"))}
_SERVICE_ORDER = {code: i for i, code in enumerate(SERVICES)}
_GUIDELINE_ORDER = {gid: i for i, gid in enumerate(GUIDELINE_IDS)}

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CarrierPick:
    """One carrier of the plan: its role, and the states and services it is used for.

    `kind` is the contract's single value: "ILEC" only when the carrier is the local phone
    company at every one of its sites; `kinds` (not serialised) says it per state."""

    name: str
    kind: str
    role: str
    services: tuple[str, ...]
    states: tuple[str, ...]
    guidelines: tuple[str, ...]
    kinds: tuple[tuple[str, str], ...] = ()
    medium: str = ""  # its last mile at its first site (fiber, coax, cellular, leased...)

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

    The fields after `handoff_reason` are context for explanations and tests and are not
    serialised: the customer's valid states and services, what was missing, the states no CLEC
    serves, the services only the ILEC sells there, each site's local phone company, the level
    the head office's was found at ("zip", "county" or "state"), and the places with no carrier.
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
    local_incumbents: tuple[tuple[str, str], ...] = ()
    coverage_level: str = "state"
    unserved_states: tuple[str, ...] = ()
    current_carrier: Optional[str] = None
    plan_keys: tuple[str, ...] = ()

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

    def incumbent_of(self, state: str) -> Optional[str]:
        """The local phone company the plan used for `state`."""
        return dict(self.local_incumbents).get(state)


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
    city: Optional[str] = None
    zip_code: Optional[str] = None
    contract_end: Optional[advice.ContractEnd] = None
    today: date = date(2026, 1, 1)

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

    @property
    def one_network(self) -> bool:
        """Sites in several states that one carrier should connect and run (L2, L3)."""
        if len(self.states) < 2:
            return False
        return self.wants(*WAN_SERVICES) or (self.large and (not self.services or self.wants(*NETWORK_SERVICES)))

    @property
    def wants_backup(self) -> bool:
        """The customer asked for a second path, or for reliability."""
        return self.has("need_redundancy", "reliability") or self.wants("wireless_backup")


def _facts(profile: CustomerProfile, catalog: Catalog, today: date) -> Facts:
    states = tuple(dict.fromkeys(s.strip().upper() for s in profile.states if isinstance(s, str)))
    states = tuple(s for s in states if s in PLACES)
    services = tuple(sorted({s for s in profile.services if s in _SERVICE_ORDER}, key=_SERVICE_ORDER.__getitem__))
    challenges = frozenset(c for c in profile.challenges if c in CHALLENGES)
    employees = max(profile.employees or 0, 0)
    sites = max(profile.num_locations or 0, len(states) if states else 0)
    enterprise = employees >= ENTERPRISE_EMPLOYEES
    wide_wan = "mpls" in services and len(states) >= 2
    large = bool(states) and (len(states) >= MANY_STATES or sites >= MANY_SITES or enterprise or wide_wan)
    missing = tuple(name for name, empty in (("states", not states), ("services", not services)) if empty)
    return Facts(states, services, challenges, employees, sites, catalog.resolve(profile.current_carrier),
                 large, enterprise, missing, profile.city, profile.zip_code,
                 advice.parse_contract_end(profile.contract_end), today)


# --------------------------------------------------------------------------- sites


@dataclass(frozen=True)
class Site:
    """One customer state as the plan sees it: its local phone company and how it was found."""

    state: str
    incumbent: Optional[Carrier]
    location: Location
    took_over: Optional[Carrier] = None  # the current carrier whose lines `incumbent` runs today
    _capacities: dict[str, tuple[Optional[str], tuple[str, ...]]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def pinned(self) -> bool:
        """True when the incumbent is known for the site itself (county, ZIP, or the customer's
        own phone company), so the state's other ILECs are competitors here, not incumbents."""
        return self.incumbent is not None and (self.location.area is not None or self.took_over is not None
                                               or not self.incumbent.incumbent_states >= {self.state})

    def capacity(self, carrier: Carrier) -> tuple[Optional[str], tuple[str, ...]]:
        """(kind, services) of `carrier` at this site. Another ILEC of a split state competes here
        only with what it sells outside its own area."""
        known = self._capacities.get(carrier.name)
        if known is None:
            known = self._capacities[carrier.name] = self._capacity(carrier)
        return known

    def _capacity(self, carrier: Carrier) -> tuple[Optional[str], tuple[str, ...]]:
        kind = carrier.kind_in(self.state)
        if carrier.rides_on and self.incumbent is not None and self.incumbent.name not in carrier.rides_on:
            return None, ()  # a reseller of other ILECs' lines has nothing to resell here
        if kind == "ILEC" and self.incumbent is not None and carrier.name != self.incumbent.name and self.pinned:
            other = carrier.clec_services or carrier.national_services
            return ("CLEC", other) if other else (None, ())
        return kind, carrier.services_in(self.state)

    def kind(self, carrier: Carrier) -> Optional[str]:
        return self.capacity(carrier)[0]

    def sold(self, carrier: Carrier, services: Sequence[str]) -> tuple[str, ...]:
        """Which of `services` the carrier sells at this site."""
        offered = self.capacity(carrier)[1]
        return tuple(s for s in services if s in offered)

    def medium(self, carrier: Carrier) -> str:
        """Its last mile here; another ILEC's area counts as leased (it would ride that ILEC)."""
        kind, _ = self.capacity(carrier)
        if kind is None:
            return "leased"
        if kind == "CLEC" and carrier.kind_in(self.state) == "ILEC":
            return "leased"
        return carrier.medium_in(self.state)


def _site(state: str, facts: Facts, catalog: Catalog, coverage: Coverage) -> Site:
    location = coverage.locate(state, facts.city, facts.zip_code) if state == facts.hq else Location(state, "state")
    current = facts.current
    if location.area is not None:
        listed = catalog.get(location.area.incumbent)
        if listed is not None and listed.kind_in(state) == "ILEC":
            successor = catalog.local_successor(current, state)
            took_over = current if successor is not None and successor.name == listed.name else None
            return Site(state, listed, location, took_over=took_over)
    # The customer's own phone company wins when it is an ILEC there: a partial ILEC (Frontier
    # in Texas, say) is then the one actually serving them.
    if current is not None and current.kind_in(state) == "ILEC":
        return Site(state, current, location)
    # "CenturyLink" phone lines in North Carolina are Brightspeed's today.
    successor = catalog.local_successor(current, state)
    if successor is not None and current is not None and (not facts.services or facts.wants("pots", "t1", "pri", "broadband")):
        return Site(state, successor, location, took_over=current)
    return Site(state, catalog.main_incumbent(state), location)


# --------------------------------------------------------------------------- picks


@dataclass
class _Pick:
    carrier: Carrier
    role: str
    states: tuple[str, ...]
    services: tuple[str, ...]
    kinds: tuple[tuple[str, str], ...]
    medium: str = ""
    guidelines: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return "ILEC" if self.kinds and all(k == "ILEC" for _, k in self.kinds) else "CLEC"

    @property
    def name(self) -> str:
        return self.carrier.name


@dataclass
class _Plan:
    """Working state shared by the picking pass and the rules."""

    facts: Facts
    catalog: Catalog
    sites: dict[str, Site]
    picks: list[_Pick]
    uncovered: tuple[str, ...]  # customer states where no CLEC competes at all
    unserved: tuple[str, ...]  # customer places where the catalog has no carrier at all
    l4: tuple[str, ...]  # requested services only the local phone company sells, in every state

    roles: dict[str, list[_Pick]] = field(default_factory=dict)
    clecs: list[_Pick] = field(default_factory=list)
    national_primary: bool = False

    coverage: Optional[Coverage] = None

    def freeze(self) -> "_Plan":
        """Index the picks by role once picking is over (the rules ask many times)."""
        self.roles = {}
        for pick in self.picks:
            self.roles.setdefault(pick.role, []).append(pick)
        self.clecs = [p for p in self.picks if p.kind == "CLEC" and p.role != "primary"]
        return self

    def role(self, role: str) -> list[_Pick]:
        return self.roles.get(role, [])

    @property
    def primary(self) -> Optional[_Pick]:
        found = self.role("primary")
        return found[0] if found else None

    @property
    def current(self) -> Optional[_Pick]:
        current = self.facts.current
        return next((p for p in self.picks if current is not None and p.name == current.name), None)

    def clecs_but_current(self) -> list[_Pick]:
        """The CLECs the customer would move to (not the one they have today)."""
        current = self.facts.current
        return [p for p in self.clecs if current is None or p.name != current.name]

    @property
    def no_coverage(self) -> bool:
        return bool(self.facts.states) and len(self.uncovered) == len(self.facts.states)


def _sold_anywhere(carrier: Carrier, sites: Sequence[Site], services: Sequence[str]) -> tuple[str, ...]:
    found = {s for site in sites for s in site.sold(carrier, services)}
    return tuple(s for s in services if s in found)


def _pick_of(carrier: Carrier, role: str, sites: Sequence[Site], facts: Facts,
             services: Optional[Sequence[str]] = None) -> _Pick:
    """A pick over the `sites` where the carrier sells any of `services` (default: what was
    asked; with nothing asked, wherever it serves)."""
    wanted = tuple(facts.services if services is None else services)
    used = [s for s in sites if s.kind(carrier) is not None and (not facts.services or s.sold(carrier, wanted))]
    sold = _sold_anywhere(carrier, used, wanted) if facts.services else ()
    kinds = tuple((s.state, s.kind(carrier) or "CLEC") for s in used)
    medium = used[0].medium(carrier) if used else ""
    return _Pick(carrier, role, tuple(s.state for s in used), sold, kinds, medium)


def _choose_primary(facts: Facts, catalog: Catalog, sites: dict[str, Site]) -> tuple[Optional[Carrier], bool]:
    """(primary carrier, chosen for its national reach)."""
    hq = facts.hq
    assert hq is not None
    # The head office's phone company; a head office where the catalog has none (a territory
    # without carriers) passes the role to the next site's.
    local = next((sites[s].incumbent for s in facts.states if sites[s].incumbent is not None), None)
    if not facts.one_network:
        return local, False
    # One network across states: the national carrier selling what is asked in most of the
    # customer's states (L2, L3, L5); then the most on its own network, the head office's own
    # phone company, the one selling most of what is asked, name.
    all_sites = [sites[s] for s in facts.states]

    def reach(c: Carrier) -> int:
        return sum(1 for s in all_sites if s.kind(c) is not None and (not facts.services or s.sold(c, facts.services)))

    candidates = [c for c in catalog.carriers if c.national and reach(c) >= 2]
    if not candidates:
        return local, False

    def key(c: Carrier) -> tuple[Any, ...]:
        own = sum(1 for s in all_sites if c.on_net(s.state) and s.kind(c) is not None)
        return (-reach(c), -own, local is None or c.name != local.name, -len(_sold_anywhere(c, all_sites, facts.services)), c.name)

    return min(candidates, key=key), True


def _clec_pool(plan: _Plan, exclude: set[str]) -> list[_Pick]:
    """Candidate CLEC picks (role to be set), best first: those serving the head office, selling
    most of what was asked, named for the head office's area, strong there, on their own network,
    regional before national, wired before cellular, wider before smaller."""
    facts, sites = plan.facts, [plan.sites[s] for s in plan.facts.states]
    hq = facts.hq
    seen = set(exclude)
    pool: list[_Pick] = []
    for site in sites:
        for carrier in plan.catalog.competitive(site.state) + plan.catalog.incumbents(site.state):
            if carrier.name in seen:
                continue
            pick = _pick_of(carrier, "rfq_benchmark", [s for s in sites if s.kind(carrier) == "CLEC"], facts)
            if not pick.states or (facts.services and not pick.services):
                continue  # never a carrier for nothing the customer asked for
            seen.add(carrier.name)
            pool.append(pick)
    large = facts.large
    area = plan.sites[hq].location.area if hq else None
    named_here = set(area.competitors) if area else set()

    def key(p: _Pick) -> tuple[Any, ...]:
        c = p.carrier
        local = (hq not in p.states, -len(p.services), c.name not in named_here, hq not in c.strong_states,
                 not c.on_net(hq or ""), c.national)
        head = (-len(p.states),) + local if large else local + (-len(p.states),)
        # then wired before cellular (5G is the backup, not the main line), and the wider
        # network before the smaller one (likelier to reach the address)
        return head + (c.last_mile[:1] == ("cellular",), -len(c.footprint), c.name)

    return sorted(pool, key=key)


def _pilotable(pick: _Pick, facts: Facts) -> tuple[str, ...]:
    """What a CLEC can take as a trial: no leases, no backup, nothing carrier-independent; SIP
    only with its own dedicated internet under it; no T1 for a customer short of bandwidth;
    and, when the customer has critical and less critical services, the less critical ones."""
    services = [s for s in pick.services if s not in NOT_PILOTED]
    if "sip" in services and "dia" not in pick.services:
        services.remove("sip")
    if facts.has("bandwidth") and "t1" in services:
        services.remove("t1")
    lesser = [s for s in services if s not in CRITICAL]
    if lesser and any(s in CRITICAL for s in facts.services):
        services = lesser
    return tuple(services)


def _diverse_states(pick: _Pick, plan: _Plan, primary: Optional[_Pick]) -> tuple[str, ...]:
    """The pick's states where its last mile differs from the primary's there (a backup over the
    same copper, conduit or resold line is no backup)."""
    out = []
    for state in pick.states:
        site = plan.sites[state]
        mine = site.medium(pick.carrier)
        if mine == "leased":
            continue
        if primary is not None and state in primary.states:
            if primary.carrier.name in pick.carrier.rides_on or site.medium(primary.carrier) == mine:
                continue
        out.append(state)
    return tuple(out)


def _as_redundancy(pick: _Pick, plan: _Plan, primary: Optional[_Pick]) -> Optional[_Pick]:
    """The pick reshaped as a second path: only its diverse states and connectivity services."""
    states = _diverse_states(pick, plan, primary)
    services = tuple(s for s in pick.services if s in BACKUP_SERVICES)
    if not states or (plan.facts.services and not services):
        return None
    sites = [plan.sites[s] for s in states]
    return _Pick(pick.carrier, "redundancy", states, services if plan.facts.services else (),
                 tuple((s.state, s.kind(pick.carrier) or "CLEC") for s in sites), sites[0].medium(pick.carrier))


def _as_pilot(pick: _Pick, plan: _Plan) -> Optional[_Pick]:
    services = _pilotable(pick, plan.facts) if plan.facts.services else ()
    if plan.facts.services and not services:
        return None
    return _Pick(pick.carrier, "pilot", pick.states, services, pick.kinds, pick.medium)


def _pick_carriers(facts: Facts, catalog: Catalog, coverage: Coverage) -> _Plan:
    sites = {s: _site(s, facts, catalog, coverage) for s in facts.states}
    plan = _Plan(facts, catalog, sites, [], (), (), (), coverage=coverage)
    if not facts.states:
        return plan.freeze()

    def clec_sells(site: Site, service: Optional[str]) -> bool:
        return any(site.kind(c) == "CLEC" and (service is None or site.sold(c, (service,)))
                   for c in catalog.competitive(site.state) + catalog.incumbents(site.state))

    # Uncovered: no competitive carrier at the site at all (a service only the phone company
    # sells there is L4's business, not a coverage gap).
    plan.uncovered = tuple(s for s in facts.states if not clec_sells(sites[s], None))
    plan.unserved = tuple(s for s in facts.states if sites[s].incumbent is None and s in plan.uncovered)

    primary, national = _choose_primary(facts, catalog, sites)
    plan.national_primary = national
    all_sites = [sites[s] for s in facts.states]
    taken: set[str] = set()
    primary_pick: Optional[_Pick] = None
    if primary is not None:
        where = all_sites if national else [s for s in all_sites if s.incumbent is not None and s.incumbent.name == primary.name]
        primary_pick = _pick_of(primary, "primary", where, facts)
        if not primary_pick.states:  # it sells nothing asked at the head office: keep it there anyway
            primary_pick = _Pick(primary, "primary", (facts.hq,), (), ((facts.hq, sites[facts.hq].kind(primary) or "CLEC"),),
                                 sites[facts.hq].medium(primary))
        plan.picks.append(primary_pick)
        taken.add(primary.name)
    # Every site's local phone company is in the plan: where the main carrier doesn't serve the
    # site (or not with everything asked), it covers the site; elsewhere it quotes against the
    # others (M1: keep the ILECs honest).
    others: dict[str, list[Site]] = {}
    owners: dict[str, Carrier] = {}
    for site in all_sites:
        if site.incumbent is None or site.incumbent.name in taken:
            continue
        others.setdefault(site.incumbent.name, []).append(site)
        owners[site.incumbent.name] = site.incumbent
    for name, own_sites in others.items():
        missing_there = primary_pick is None or any(
            s.state not in primary_pick.states or set(s.sold(owners[name], facts.services)) - set(s.sold(primary, facts.services))  # type: ignore[arg-type]
            for s in own_sites)
        pick = _pick_of(owners[name], "secondary" if missing_there else "rfq_benchmark", own_sites, facts)
        if not pick.states:  # sells nothing asked there: still the site's phone company
            pick = _Pick(owners[name], pick.role, tuple(s.state for s in own_sites), (),
                         tuple((s.state, "ILEC") for s in own_sites), own_sites[0].medium(owners[name]))
        plan.picks.append(pick)
        taken.add(name)

    current = facts.current
    exclude = taken | ({current.name} if current else set())
    pool = _clec_pool(plan, exclude)
    _pick_clecs(plan, pool, primary_pick)
    # The customer's current carrier always quotes, rather than being switched away from silently.
    if current is not None and current.name not in {p.name for p in plan.picks}:
        pick = _pick_of(current, "rfq_benchmark", all_sites, facts)
        if pick.states and (pick.services or not facts.services):
            plan.picks.append(pick)
    if facts.services:
        plan.l4 = tuple(
            svc for svc in facts.services
            if not any(clec_sells(sites[s], svc) for s in facts.states)
            and any(p.kind == "ILEC" and svc in p.services for p in plan.picks)
        )
    return plan.freeze()


def _pick_clecs(plan: _Plan, pool: list[_Pick], primary: Optional[_Pick]) -> None:
    facts = plan.facts
    if not pool:
        return
    chosen: list[_Pick] = []
    used: set[str] = set()
    # A trial first (R2): a few circuits for a small customer, a few sites for a large one. A
    # small customer's trial is with a carrier that has its own network (or resells the lines)
    # at the head office, not one reaching it off-net.
    triable = pool if facts.large else [c for c in pool if c.states and c.carrier.on_net(c.states[0])]
    pilot = next((p for p in (_as_pilot(c, plan) for c in triable) if p is not None), None)
    backup = None
    if facts.wants_backup or facts.large:
        options = [r for r in (_as_redundancy(c, plan, primary) for c in pool) if r is not None]
        others = [r for r in options if pilot is None or r.name != pilot.name]
        if others:
            backup = others[0]
        elif options and facts.wants_backup:  # the only diverse one: it is the second path, not a trial
            backup = options[0]
            pilot = next((p for p in (_as_pilot(c, plan) for c in triable if c.name != backup.name) if p is not None), None)
    for pick in (pilot, backup):
        if pick is not None:
            chosen.append(pick)
            used.add(pick.name)
    # Competitive quotes (M1): a large network, a customer who pays too much or feels locked in,
    # a renewal within the year, or nobody yet (leases and overlays are quoted, never piloted).
    benchmarks = MAX_BENCHMARKS if facts.large or not chosen else 1  # leases: two quotes to compare
    wants_quotes = (facts.large or facts.has("high_cost", "vendor_dependence", "contract_inflexibility")
                    or advice.renewal_soon(facts.contract_end, facts.today) or not chosen)
    if wants_quotes:
        for pick in pool:
            if benchmarks == 0:
                break
            if pick.name in used:
                continue
            chosen.append(pick)
            used.add(pick.name)
            benchmarks -= 1
    plan.picks.extend(chosen)


# --------------------------------------------------------------------------- rules

# A rule returns None when its guideline does not apply to this customer, otherwise the picks it
# applies to (possibly none: then it applies to the recommendation as a whole).
Rule = Callable[[_Plan], Optional[list[_Pick]]]


def _ilecs(plan: _Plan) -> list[_Pick]:
    return [p for p in plan.picks if p.kind == "ILEC" or p.role == "primary"]


def _with_clecs(plan: _Plan, condition: bool) -> Optional[list[_Pick]]:
    """CLEC strengths only apply when a CLEC the customer would move to is in the plan (never the
    one they complain about today)."""
    targets = plan.clecs_but_current()
    return targets if condition and targets else None


def _rule_l1(plan: _Plan) -> Optional[list[_Pick]]:
    # Where CLECs stop short: a customer state none serves for what was asked, CLECs in the plan
    # reaching only some of the customer's states, or no CLEC in the plan at all.
    states = set(plan.facts.states)
    if not states:
        return None
    partial = [p for p in plan.clecs if set(p.states) < states]
    if not (plan.uncovered or partial or not plan.clecs):
        return None
    if not plan.clecs:
        return _ilecs(plan)  # the phone companies keep everything
    return [p for p in _ilecs(plan) if set(p.states) & set(plan.uncovered)] + partial


def _rule_l2(plan: _Plan) -> Optional[list[_Pick]]:
    # One carrier answerable end to end: only for a network of several sites.
    f = plan.facts
    if plan.primary is None or f.sites < 2:
        return None
    if not (plan.national_primary or f.has("multi_site_management") or (f.large and f.wants(*WAN_SERVICES))):
        return None
    return [plan.primary]


def _rule_l3(plan: _Plan) -> Optional[list[_Pick]]:
    return [plan.primary] if plan.national_primary and plan.primary is not None else None


def _rule_l4(plan: _Plan) -> Optional[list[_Pick]]:
    if not plan.l4 or plan.no_coverage:
        return None
    return [p for p in _ilecs(plan) if set(p.services) & set(plan.l4)]


def _rule_l5(plan: _Plan) -> Optional[list[_Pick]]:
    f = plan.facts
    if plan.primary is None or not (f.enterprise or f.sites >= ENTERPRISE_SITES):
        return None
    return [plan.primary]


def _rule_s2(plan: _Plan) -> Optional[list[_Pick]]:
    # T1 experience is the telcos' (copper and fiber CLECs, resellers of the ILEC's T1s), not
    # the cable or wireless companies'.
    if not plan.facts.wants("t1", "pri"):
        return None
    hits = [p for p in plan.clecs_but_current()
            if {"t1", "pri"} & set(p.services)
            and (p.carrier.rides_on or not p.carrier.last_mile or p.carrier.last_mile[0] in T1_HERITAGE_MEDIA)]
    return hits or None


def _rule_r1(plan: _Plan) -> Optional[list[_Pick]]:
    return plan.clecs  # always applies; the CLECs are where the agent's experience matters


def _rule_r4(plan: _Plan) -> Optional[list[_Pick]]:
    # The trial takes the less critical services; the critical ones stay with the main carrier.
    primary = plan.primary
    pilots = plan.role("pilot")
    if primary is None or not pilots:
        return None
    kept = set(plan.facts.services) & CRITICAL
    lesser = [p for p in pilots if p.services and not set(p.services) & CRITICAL]
    if not kept or not lesser:
        return None
    return [primary] + lesser


def _rule_m1(plan: _Plan) -> Optional[list[_Pick]]:
    # CLECs invited to quote as a benchmark, against the phone companies they keep honest.
    benchmarks = [p for p in plan.clecs if p.role == "rfq_benchmark"]
    if not benchmarks:
        return None
    return benchmarks + _ilecs(plan)


RULES: tuple[tuple[str, Rule], ...] = (
    ("L1", _rule_l1),
    ("L2", _rule_l2),
    ("L3", _rule_l3),
    ("L4", _rule_l4),
    ("L5", _rule_l5),
    ("S1", lambda p: _with_clecs(p, p.facts.has("high_cost"))),
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
    ("P1", lambda p: p.clecs or None),  # the portfolio framing, when a CLEC is in the plan
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
    # Every carrier says why it is there: the portfolio framing when the plan has a CLEC, else
    # the limited reach of competitive carriers (both then apply to the whole plan).
    fallback = "P1" if plan.clecs else "L1"
    for pick in plan.picks:
        if not pick.guidelines:
            pick.guidelines.add(fallback)
            if fallback not in applied:
                applied.append(fallback)
    return tuple(sorted(set(applied), key=_GUIDELINE_ORDER.__getitem__))


# --------------------------------------------------------------------------- plan text

_MEDIUM_WORDS = {"fiber": "fiber", "copper": "copper lines", "coax": "cable (coax)", "fixed_wireless": "fixed wireless",
                 "cellular": "4G/5G cellular", "satellite": "satellite", "leased": "leased local lines"}


def _words(plan: _Plan, copy: GuidanceCopy, typed_current: Optional[str] = None) -> dict[str, str]:
    f = plan.facts
    primary = plan.primary
    secondary = plan.role("secondary")
    pilot = plan.role("pilot")
    redundancy = plan.role("redundancy")
    clec_names = [p.name for p in plan.clecs_but_current()] or [p.name for p in plan.clecs]
    rfq = [p.name for p in plan.picks]
    hq_site = plan.sites.get(f.hq or "")
    location = hq_site.location if hq_site else None
    successor_site = next((s for s in plan.sites.values() if s.took_over is not None), None)
    unserved = list(plan.unserved)
    words = {
        "primary": primary.name if primary else "your local phone company",
        "primary_states": join_names(list(primary.states)) if primary else "",
        "primary_services": copy.service_names(primary.services) if primary and primary.services else "your services",
        "secondary": join_names([p.name for p in secondary]),
        "secondary_states": join_names([s for p in secondary for s in p.states]),
        "pilot": pilot[0].name if pilot else "",
        "pilot_services": copy.service_names(pilot[0].services) if pilot and pilot[0].services else "a few lines",
        "redundancy": redundancy[0].name if redundancy else "",
        "redundancy_medium": _MEDIUM_WORDS.get(redundancy[0].medium, redundancy[0].medium) if redundancy else "",
        "primary_medium": _MEDIUM_WORDS.get(_primary_medium(plan), "") if redundancy else "",
        "rfq": join_names(rfq),
        "clecs": join_names(clec_names),
        "states": join_names(list(f.states)),
        "uncovered_states": join_names([s for s in plan.uncovered if s not in plan.unserved]),
        "unserved_places": join_names(unserved),
        "l4_services": copy.service_names(plan.l4),
        "all_services": copy.service_names(f.services),
        "hq_place": "",
        "local_incumbent": "",
        "was": "",
        # the name the customer used ("CenturyLink"), when it is one of the carrier's names
        "current": (typed_current.strip() if typed_current and f.current and plan.catalog.resolve(typed_current) == f.current
                    else f.current.name if f.current else ""),
        "successor": successor_site.incumbent.name if successor_site and successor_site.incumbent else "",
        "successor_states": join_names([s.state for s in plan.sites.values() if s.took_over is not None]),
        "notes": "",
    }
    if location is not None and hq_site is not None:
        county = location.county or ""
        words["hq_place"] = f"{county}, {location.state}" if county else location.state
        words["local_incumbent"] = hq_site.incumbent.name if hq_site.incumbent else ""
        words["was"] = location.area.was if location.area else ""
    return words


def _primary_medium(plan: _Plan) -> str:
    primary = plan.primary
    if primary is None or not primary.states:
        return ""
    return plan.sites[primary.states[0]].medium(primary.carrier)


def _ownership_notes(plan: _Plan, typed_current: Optional[str]) -> str:
    """Who runs things today: the customer's old carrier name, then the plan's carriers whose
    owner changed or is changing."""
    notes = []
    renamed = plan.catalog.successor_note(typed_current)
    if renamed and not any(s.took_over is not None for s in plan.sites.values()):
        notes.append(renamed)  # (the successor step already says who runs those lines)
    notes.extend(p.carrier.ownership for p in plan.picks if p.carrier.ownership)
    return " ".join(notes[:MAX_OWNERSHIP_NOTES])


def _plan_keys(plan: _Plan, applied: Sequence[str], reason: Optional[str],
               typed_current: Optional[str]) -> list[tuple[str, dict[str, str]]]:
    f = plan.facts
    keys: list[tuple[str, dict[str, str]]] = []

    def add(key: str, **extra: str) -> None:
        keys.append((key, extra))

    served = [s for s in f.states if s not in plan.unserved]
    if not f.states:
        add("missing_states")
    if plan.unserved:
        add("no_carriers")  # a territory without carriers on file: said, never asked again
    if served:
        if plan.no_coverage and plan.primary:
            add("no_coverage")
        elif plan.national_primary and plan.primary:
            add("end_to_end")
        elif plan.primary:
            add("keep_primary" if plan.clecs else "primary_only")
    hq_site = plan.sites.get(f.hq or "")
    if hq_site is not None and hq_site.incumbent is not None:
        if hq_site.location.area is not None and hq_site.location.area.incumbent == hq_site.incumbent.name:
            add("located_area" if hq_site.location.area.was else "located")
        elif f.hq in _split_states(plan) and hq_site.location.area is None and hq_site.took_over is None:
            add("located_assumed")
    if any(s.took_over is not None for s in plan.sites.values()):
        add("local_successor")
    if plan.role("secondary"):
        add("secondary")
    if plan.uncovered and not plan.no_coverage and [s for s in plan.uncovered if s not in plan.unserved]:
        add("partial_coverage")
    if "L4" in applied:
        add("l4")
    for key, words in advice.legacy_migration(f.service_set, f.challenges):
        add(key, **words)
    if plan.role("pilot"):
        add("pilot")
    if plan.role("redundancy"):
        add("redundancy")
    if len(plan.picks) >= 2:
        add("rfq")
        if plan.clecs_but_current():
            for gid, key in (("S4", "negotiate"), ("S6", "site_survey"), ("M3", "compare_service"), ("M2", "diversify")):
                if gid in applied:
                    add(key)
    for key, words in advice.contract_timing(f.contract_end, f.today, f.sites):
        add(key, **words)
    notes = _ownership_notes(plan, typed_current)
    if notes:
        add("ownership", notes=notes)
    if f.states and not f.services:
        add("missing_services")
    if reason:
        add(f"handoff_{reason}")
    add("agent" if plan.clecs else "agent_generic")
    if "P1" in applied:
        add("portfolio")
    return keys


def _split_states(plan: _Plan) -> frozenset[str]:
    """States whose incumbent depends on the address (coverage.yml lists areas there)."""
    return plan.coverage.split_states if plan.coverage is not None else frozenset()


def _plan_steps(plan: _Plan, applied: Sequence[str], reason: Optional[str], copy: GuidanceCopy,
                typed_current: Optional[str] = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words = _words(plan, copy, typed_current)
    keys = _plan_keys(plan, applied, reason, typed_current)
    return (tuple(copy.step(k, {**words, **extra}) for k, extra in keys), tuple(k for k, _ in keys))


# --------------------------------------------------------------------------- entry point


def recommend(profile: CustomerProfile, catalog: Catalog, copy: Optional[GuidanceCopy] = None,
              policy: HandoffPolicy = DEFAULT_POLICY, coverage: Optional[Coverage] = None,
              today: Optional[date] = None) -> Recommendation:
    """Apply the CLEC guidance to `profile`; pure, deterministic, never raises on missing facts.

    Whether the plan hands off to a person, and why, is `policy`'s decision. `coverage` is the
    below-state incumbent data (default bot/data/coverage.yml); `today` dates the contract
    advice (default: the business clock, so BOT_NOW applies).
    """
    copy = copy or load_default_copy()
    coverage = coverage if coverage is not None else load_default_coverage()
    if today is None:
        from bot.domain.hours import current_time

        today = current_time().date()
    facts = _facts(profile, catalog, today)
    plan = _pick_carriers(facts, catalog, coverage)
    applied = _apply_rules(plan)
    reason = policy.reason_for(HandoffFacts(states=facts.states, sites=facts.sites,
                                            employees=facts.employees, services=facts.services,
                                            no_coverage=plan.no_coverage))
    assert reason is None or reason in HANDOFF_REASONS
    picks = sorted(plan.picks, key=lambda p: (_ROLE_ORDER[p.role], p.name))
    carriers = tuple(
        CarrierPick(
            name=p.name,
            kind=p.kind,
            role=p.role,
            services=p.services,
            states=p.states,
            guidelines=tuple(sorted(p.guidelines, key=_GUIDELINE_ORDER.__getitem__)),
            kinds=p.kinds,
            medium=p.medium,
        )
        for p in picks
    )
    steps, keys = _plan_steps(plan, applied, reason, copy, profile.current_carrier)
    hq_site = plan.sites.get(facts.hq or "")
    return Recommendation(
        carriers=carriers,
        guidelines=applied,
        plan=steps,
        handoff=reason is not None,
        handoff_reason=reason,
        states=facts.states,
        services=facts.services,
        missing=facts.missing,
        uncovered_states=plan.uncovered,
        l4_services=plan.l4 if "L4" in applied else (),
        local_incumbents=tuple((s, site.incumbent.name) for s, site in plan.sites.items() if site.incumbent),
        coverage_level=(hq_site.location.level if hq_site and hq_site.location.area else "state"),
        unserved_states=plan.unserved,
        current_carrier=facts.current.name if facts.current else None,
        plan_keys=keys,
    )


def render_plan_text(rec: Recommendation, copy: Optional[GuidanceCopy] = None) -> str:
    """The plan as one short chat message: carriers with role and reason, then numbered steps,
    then one plain sentence about the guidance (its ids stay in the slot and the "why?" answers)."""
    copy = copy or load_default_copy()
    say = load_conversation_wording().text  # the framing lines: bot/data/wording/conversation.yml
    lines: list[str] = []
    if rec.carriers:
        lines.append(say("plan_heading"))
        for c in rec.carriers:
            words = {"carrier": c.name, "role": copy.roles[c.role], "kind": _kind_words(c, copy)}
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


def _kind_words(pick: CarrierPick, copy: GuidanceCopy) -> str:
    """"local phone company", or per state when it differs ("local phone company in CO,
    competitive carrier in TX")."""
    kinds = dict(pick.kinds)
    if len(set(kinds.values())) <= 1:
        return copy.kinds[pick.kind]
    parts = []
    for kind in ("ILEC", "CLEC"):
        states = [s for s, k in pick.kinds if k == kind]
        if states:
            parts.append(f"{copy.kinds[kind]} in {join_names(states)}")
    return ", ".join(parts)
