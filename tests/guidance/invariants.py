"""The broker's invariants over one recommendation: each returns what is wrong (empty: fine).

Shared by the expert table (tests/guidance/test_expert_profiles.py) and the sweep of generated
profiles (tests/guidance/test_invariant_sweep.py).
"""

from __future__ import annotations

import json
from typing import Optional

from bot.domain.catalog import PLACES, Catalog
from bot.domain.canonical import CARRIER_KINDS, GUIDELINE_IDS, HANDOFF_REASONS, ROLES
from bot.domain.guidance import CRITICAL, NOT_PILOTED, Recommendation
from bot.domain.profile import CustomerProfile

T1_TALK = ("T1", "PRI")


def violations(rec: Recommendation, profile: CustomerProfile, catalog: Catalog) -> list[str]:
    """Everything in `rec` a broker would reject, as short sentences."""
    bad: list[str] = []
    d = rec.to_dict()
    if json.loads(json.dumps(d)) != d or list(d) != ["carriers", "guidelines", "plan", "handoff", "handoff_reason"]:
        bad.append("not the contract's JSON shape")
    if list(rec.guidelines) != [g for g in GUIDELINE_IDS if g in rec.guidelines]:
        bad.append(f"guidelines not in canonical order: {rec.guidelines}")
    if (rec.handoff_reason in HANDOFF_REASONS) != rec.handoff or (rec.handoff_reason is None) == rec.handoff:
        bad.append("handoff flag and reason disagree")
    asked = set(profile.services)
    states = set(rec.states)
    names = [c.name for c in rec.carriers]
    if len(names) != len(set(names)):
        bad.append(f"a carrier twice: {names}")
    by_name = {c.name: c for c in rec.carriers}
    clecs = [c for c in rec.carriers if c.kind == "CLEC" and c.role != "primary"]
    primary = rec.by_role("primary")
    for c in rec.carriers:
        carrier = catalog.get(c.name)
        if carrier is None:
            bad.append(f"{c.name} is not in the catalog")
            continue
        if c.role not in ROLES or c.kind not in CARRIER_KINDS:
            bad.append(f"{c.name}: bad role/kind {c.role}/{c.kind}")
        if not c.guidelines or not set(c.guidelines) <= set(rec.guidelines):
            bad.append(f"{c.name}: guidelines {c.guidelines} not within {rec.guidelines}")
        if not c.states or not set(c.states) <= states:
            bad.append(f"{c.name}: states {c.states} outside the customer's {rec.states}")
        if not set(c.services) <= asked & set(carrier.all_services):
            bad.append(f"{c.name}: services {c.services} not asked or not sold")
        if c.kind == "ILEC" and not all(carrier.kind_in(s) == "ILEC" for s in c.states):
            bad.append(f"{c.name} called the local phone company where it is not one: {c.states}")
        if c.role in ("pilot", "redundancy") and c.kind != "CLEC":
            bad.append(f"{c.name}: a {c.role} must be a competitive carrier")
    # The local phone company of every site, and the current carrier, are in the RFQ.
    for state, incumbent in rec.local_incumbents:
        if incumbent not in by_name:
            bad.append(f"the local phone company of {state}, {incumbent}, is missing from the plan")
    current = catalog.resolve(profile.current_carrier)
    if current is not None and current.name not in by_name and _could_quote(current, rec, asked):
        bad.append(f"the current carrier {current.name} sells what is asked here but is not invited to quote")
    # P1 only with a CLEC; the portfolio sentence with it.
    if ("P1" in rec.guidelines) != bool(clecs):
        bad.append(f"P1 {'without' if clecs == [] else 'missing with'} a CLEC in the plan")
    if ("portfolio" in rec.plan_keys) != ("P1" in rec.guidelines):
        bad.append("portfolio sentence and P1 disagree")
    # No pilot for leases, backups or carrier-independent services; SIP only over the pilot's own
    # dedicated internet; no T1 pilot for a customer short of bandwidth.
    for pilot in rec.by_role("pilot"):
        if set(pilot.services) & NOT_PILOTED:
            bad.append(f"pilot {pilot.name} for {set(pilot.services) & NOT_PILOTED}")
        if asked and not pilot.services:
            bad.append(f"pilot {pilot.name} with nothing to try")
        if "sip" in pilot.services and "dia" not in (catalog.get(pilot.name) or pilot).all_services:  # type: ignore[union-attr]
            bad.append(f"SIP pilot {pilot.name} without dedicated internet of its own")
        if "bandwidth" in profile.challenges and "t1" in pilot.services:
            bad.append("a T1 pilot for a bandwidth complaint")
    # A backup only over a different last mile.
    for backup in rec.by_role("redundancy"):
        carrier = catalog.get(backup.name)
        if backup.medium in ("", "leased"):
            bad.append(f"backup {backup.name} over leased lines ({backup.medium!r})")
        if primary and backup.medium == primary[0].medium and backup.states[0] == primary[0].states[0]:
            bad.append(f"backup {backup.name} over the same {backup.medium} as {primary[0].name}")
        if primary and carrier is not None and primary[0].name in carrier.rides_on:
            bad.append(f"backup {backup.name} resells {primary[0].name}'s lines")
        if current is not None and backup.name == current.name:
            bad.append("the backup is the carrier the customer has today")
    # Guidelines not contradicted by their plan.
    for svc in rec.l4_services:
        sellers = [c.name for c in clecs if svc in c.services]
        if sellers:
            bad.append(f"L4 says no competitive carrier sells {svc}, but {sellers} do")
    sites = max(profile.num_locations or 0, len(rec.states))
    if "L2" in rec.guidelines and sites < 2:
        bad.append("L2 (one carrier end to end) for a single site")
    if "S1" in rec.guidelines and "high_cost" not in profile.challenges:
        bad.append("S1 (priced below) without a cost complaint")
    for gid in ("S3", "S5", "S1", "S4", "S6", "M2", "M3"):
        for c in rec.carriers:
            if gid in c.guidelines and current is not None and c.name == current.name:
                bad.append(f"{gid} credited to {c.name}, the carrier the customer has today")
    for c in rec.carriers:
        carrier = catalog.get(c.name)
        if "S2" in c.guidelines and carrier is not None and carrier.last_mile[:1] and carrier.last_mile[0] in ("coax", "cellular"):
            bad.append(f"S2 (T1 expertise) credited to {c.name}, a cable/wireless company")
    if "M1" in rec.guidelines and not any(c.role == "rfq_benchmark" for c in clecs):
        bad.append("M1 without a competitive carrier invited only to quote")
    if "R4" in rec.guidelines:
        pilots = rec.by_role("pilot")
        if not pilots or any(set(p.services) & CRITICAL for p in pilots if "R4" in p.guidelines) or not asked & CRITICAL:
            bad.append("R4 (less critical services to the CLEC) without a less critical trial")
    if "R2" in rec.guidelines and not rec.by_role("pilot"):
        bad.append("R2 without a pilot")
    if "R3" in rec.guidelines and not rec.by_role("redundancy"):
        bad.append("R3 without a backup")
    if "L3" in rec.guidelines and len(rec.states) < 2:
        bad.append("L3 (regional CLECs) for one state")
    # The plan itself: never asks for the state again once given; no unfilled words.
    if rec.states and "missing_states" in rec.plan_keys:
        bad.append("asks for the state again")
    given = [s.strip().upper() for s in profile.states if isinstance(s, str)]
    if any(s in PLACES for s in given) and not rec.states:
        bad.append("a valid state or territory was dropped")
    if rec.unserved_states and not (rec.handoff or "no_carriers" in rec.plan_keys):
        bad.append("a place without carriers is neither served nor handed off")
    for step in rec.plan:
        if not step.strip() or "{" in step or "}" in step or " ()" in step or "  " in step or " ," in step:
            bad.append(f"badly filled step: {step!r}")
    if asked & {"t1", "pri"} and "legacy_t1_pri" not in rec.plan_keys:
        bad.append("T1/PRI without the migration sentence")
    if "pots" in asked and "legacy_pots" not in rec.plan_keys:
        bad.append("analog lines without the replacement sentence")
    return bad


def _could_quote(carrier, rec: Recommendation, asked: set[str]) -> bool:  # type: ignore[no-untyped-def]
    """True when the current carrier sells something asked at one of the customer's sites (its
    site-level capacity: another ILEC's area gets only its out-of-region services, a reseller
    only the lines of the ILECs it resells)."""
    incumbents = dict(rec.local_incumbents)
    for state in rec.states:
        local = incumbents.get(state)
        if carrier.rides_on and local not in carrier.rides_on:
            continue
        if carrier.kind_in(state) == "ILEC" and local != carrier.name:
            offered = set(carrier.clec_services or carrier.national_services)
        else:
            offered = set(carrier.services_in(state))
        if offered and (not asked or offered & asked):
            return True
    return False


def says(rec: Recommendation, text: str) -> bool:
    """True when some plan step contains `text` (case-insensitive)."""
    return any(text.lower() in step.lower() for step in rec.plan)


def kind_of(rec: Recommendation, name: str) -> Optional[str]:
    pick = rec.pick(name)
    return pick.kind if pick else None
