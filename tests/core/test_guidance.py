"""The guidance engine: carriers, roles and guideline ids per customer, and its invariants."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.catalog import PLACES, US_STATES, Catalog, load_catalog, load_default_catalog
from bot.domain.canonical import CARRIER_KINDS, CHALLENGES, GUIDELINE_IDS, HANDOFF_REASONS, ROLES, SERVICES
from bot.domain.guidance import (
    GuidanceCopy,
    Recommendation,
    load_default_copy,
    load_guidance_copy,
    recommend,
    render_plan_text,
)
from bot.domain.profile import CustomerProfile
from bot.base.yamldata import DataFileError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_default_catalog()


@pytest.fixture(scope="module")
def copy() -> GuidanceCopy:
    return load_default_copy()


def rec_for(catalog: Catalog, **kw: Any) -> Recommendation:
    return recommend(CustomerProfile(**kw), catalog)


def roles_of(rec: Recommendation) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in rec.carriers:
        out.setdefault(c.role, []).append(c.name)
    return out


# --------------------------------------------------------------------------- customer table

# (id, profile, expected carriers by role (exact lists for the roles given), guideline ids that
#  must apply, ids that must not, handoff reason)
#
# Updated for issue 13 (the old expectations encoded what the issue declares wrong): every site's
# local phone company and the current carrier stay in the plan; a backup must use a different
# last mile (Cogent's or Zayo's fiber beside the ILEC's fiber is not one: cable or 5G is); S1 is
# about price only, S2 not for cable companies, R4 only when the trial takes the less critical
# services, M1 only with a competitive carrier invited just to quote, P1 only with a CLEC; large
# customers pilot a few sites (R2); ND and SD have Midco; CenturyLink's lines in NC are
# Brightspeed's; Verizon is one entry; T-Mobile, Astound and the other missing carriers are in.
CASES: list[tuple[str, dict[str, Any], dict[str, list[str]], set[str], set[str], Optional[str]]] = [
    # --- one state, a few sites, T1s/PRIs and high cost: CLEC pilot, ILEC primary, both quote
    ("tx-t1-pri-cost", dict(states=("TX",), num_locations=3, services=("t1", "pri"), challenges=("high_cost",)),
     {"primary": ["AT&T"], "pilot": ["Granite"], "rfq_benchmark": ["Windstream Enterprise"]},
     {"S1", "S2", "R2", "M1", "R1", "P1"}, {"L1", "L2", "L3", "L5", "R3", "R4"}, None),
    ("ga-pri-cost", dict(states=("GA",), num_locations=2, services=("pri",), challenges=("high_cost",)),
     {"primary": ["AT&T"], "pilot": ["Spectrum Enterprise"], "rfq_benchmark": ["Comcast Business"]},
     {"S1", "R2", "M1"}, {"L1", "R3", "S2"}, None),  # S2: cable companies are no T1 specialists
    ("ny-t1-cost", dict(states=("NY",), num_locations=4, services=("t1",), challenges=("high_cost",)),
     {"primary": ["Verizon"], "pilot": ["Granite"]}, {"S1", "S2", "R2", "M1"}, {"L4", "R4"}, None),
    ("nc-t1-pri-centurylink", dict(states=("NC",), num_locations=2, services=("t1", "pri"), current_carrier="CenturyLink"),
     {"primary": ["Brightspeed"], "pilot": ["Windstream Enterprise"], "rfq_benchmark": ["Lumen"]},
     {"S2", "R2", "M1"}, {"S1"}, None),  # CenturyLink's NC lines are Brightspeed's; Granite resells AT&T's
    ("ak-pri-dia-cost", dict(states=("AK",), num_locations=2, services=("dia", "pri"), challenges=("high_cost",)),
     {"primary": ["Alaska Communications"], "pilot": ["GCI"]}, {"S1", "R2", "R4", "M1"}, {"L1", "S2"}, None),
    ("ca-pri-dia-cost-support", dict(states=("CA",), num_locations=2, services=("pri", "dia"), challenges=("high_cost", "poor_support")),
     {"primary": ["AT&T"], "pilot": ["Spectrum Enterprise"], "rfq_benchmark": ["Comcast Business"]},
     {"S1", "S3", "S5", "M3", "R4"}, {"S4", "S6", "S2"}, None),
    # --- redundancy: a CLEC on another last mile, not the primary, its resellers nor the current carrier
    ("or-redundancy", dict(states=("OR",), num_locations=2, services=("dia", "ethernet"), challenges=("need_redundancy",)),
     {"primary": ["Lumen"], "pilot": ["Zayo"], "redundancy": ["Spectrum Enterprise"]}, {"R2", "R3"}, {"M3", "S1", "M1"}, None),
    ("or-redundancy-support-centurylink", dict(states=("OR",), num_locations=2, services=("dia", "ethernet"),
                                                challenges=("need_redundancy", "poor_support"), current_carrier="CenturyLink"),
     {"primary": ["Lumen"], "pilot": ["Zayo"], "redundancy": ["Spectrum Enterprise"]}, {"R3", "S3", "S5", "M3"}, {"S1"}, None),
    ("wa-reliability", dict(states=("WA",), num_locations=1, services=("dia",), challenges=("reliability",)),
     {"primary": ["Lumen"], "pilot": ["Zayo"], "redundancy": ["Comcast Business"]}, {"R3", "M3"}, {"S3", "S5"}, None),
    ("hi-redundancy", dict(states=("HI",), num_locations=2, services=("dia",), challenges=("need_redundancy",)),
     {"primary": ["Hawaiian Telcom"], "redundancy": ["Spectrum Enterprise"]}, {"R3"}, {"R2", "R4"}, None),
    ("tx-redundancy-current-cogent", dict(states=("TX",), num_locations=2, services=("dia",), challenges=("need_redundancy",),
                                          current_carrier="Cogent"),
     {"primary": ["AT&T"], "pilot": ["Spectrum Enterprise"], "redundancy": ["Comcast Business"], "rfq_benchmark": ["Cogent"]},
     {"R2", "R3", "M1"}, set(), None),
    ("tx-redundancy-no-granite", dict(states=("TX",), services=("pots", "dia"), challenges=("need_redundancy",)),
     {"primary": ["AT&T"], "pilot": ["Granite"], "redundancy": ["Spectrum Enterprise"]}, {"R3", "R4"}, set(), None),
    # --- one challenge each
    ("ut-contract", dict(states=("UT",), num_locations=3, services=("dia",), challenges=("contract_inflexibility",)),
     {"primary": ["Lumen"], "pilot": ["Zayo"], "rfq_benchmark": ["Comcast Business"]}, {"S4", "M1"}, {"S1", "S3"}, None),
    ("az-slow-install", dict(states=("AZ",), num_locations=2, services=("broadband", "ucaas"), challenges=("slow_install",)),
     {"primary": ["Lumen"], "pilot": ["Cox Business"]}, {"S6"}, {"S4", "M2"}, None),
    ("va-relocation", dict(states=("VA",), num_locations=1, services=("dia",), challenges=("relocation",)),
     {"primary": ["Verizon"], "pilot": ["Segra"]}, {"S6"}, {"S1"}, None),
    ("fl-vendor-dependence", dict(states=("FL",), num_locations=2, services=("pots",), challenges=("vendor_dependence",)),
     {"primary": ["AT&T"], "pilot": ["Granite"]}, {"M2"}, {"M3"}, None),
    ("ma-poor-support", dict(states=("MA",), num_locations=3, services=("sip", "dia"), challenges=("poor_support",)),
     {"primary": ["Verizon"], "pilot": ["Comcast Business"]}, {"S3", "S5", "M3"}, {"S4"}, None),
    ("pa-multisite-mgmt", dict(states=("PA",), num_locations=2, services=("pri",), challenges=("multi_site_management",)),
     {"primary": ["Verizon"], "pilot": ["Comcast Business"]}, {"L2"}, {"L3", "S2"}, None),
    ("wv-plain", dict(states=("WV",), num_locations=2, services=("dia",)),
     {"primary": ["Frontier"], "pilot": ["Comcast Business"]}, {"R2", "P1"}, {"S1", "R3", "M1", "R4"}, None),
    ("tx-current-frontier", dict(states=("TX",), num_locations=2, services=("dia",), current_carrier="Frontier"),
     {"primary": ["Frontier"], "pilot": ["Cogent"]}, {"R2"}, set(), None),
    # --- services no CLEC in the state sells: the ILEC keeps them (L4)
    ("me-t1", dict(states=("ME",), num_locations=2, services=("t1",), challenges=("high_cost",)),
     {"primary": ["Consolidated"]}, {"L4", "L1"}, {"S1", "M1", "R2", "P1"}, None),
    ("wy-dark-fiber", dict(states=("WY",), num_locations=2, services=("dark_fiber",)),
     {"primary": ["Lumen"]}, {"L4"}, {"M1", "P1"}, None),
    ("mt-t1-dia", dict(states=("MT",), services=("t1", "dia")),
     {"primary": ["Lumen"], "pilot": ["Spectrum Enterprise"]}, {"L4", "R2"}, set(), None),
    # --- the Dakotas: Midco competes (they were "no coverage" before issue 13)
    ("nd-midco", dict(states=("ND",), num_locations=2, services=("dia",)),
     {"primary": ["Lumen"], "pilot": ["Midco"]}, {"R2", "P1"}, {"L1", "M1", "R3", "S1"}, None),
    ("sd-midco-cost", dict(states=("SD",), num_locations=1, services=("pri",), challenges=("high_cost",)),
     {"primary": ["Lumen"], "pilot": ["Midco"], "rfq_benchmark": ["Mediacom Business"]}, {"S1", "M1"}, {"S2", "L1"}, None),
    # --- no carrier at all: a territory without carriers on file
    ("guam-no-carriers", dict(states=("GU",), services=("dia",)), {}, {"L1"}, {"M1", "R2", "P1"}, "no_coverage"),
    # --- large: an ILEC or national carrier runs it end to end, CLECs pilot sites, back up and quote
    ("national-enterprise", dict(states=("TX", "CA", "NY", "IL"), num_locations=40, employees=800, services=("mpls", "dia"),
                                 challenges=("need_redundancy",)),
     {"primary": ["AT&T"], "pilot": ["Cogent"], "redundancy": ["Spectrum Enterprise"], "rfq_benchmark": ["Lumen", "Verizon", "Zayo"]},
     {"L2", "L3", "L5", "R2", "R3", "M1"}, {"L1"}, "enterprise"),
    ("northwest-mpls", dict(states=("OR", "WA", "ID"), num_locations=6, employees=120, services=("mpls",)),
     {"primary": ["Lumen"], "pilot": ["AT&T"], "rfq_benchmark": ["Cogent", "Verizon"]},
     {"L1", "L2", "L3", "R2"}, {"L5", "R3"}, "complex_needs"),  # no backup: MPLS alone is no internet path
    ("ny-nj-12-sites", dict(states=("NY", "NJ"), num_locations=12, employees=200, services=("ethernet", "dia")),
     {"primary": ["Verizon"], "pilot": ["Cogent"], "redundancy": ["Spectrum Enterprise"]}, {"L2", "L3", "R3", "M1"}, {"L5"}, "complex_needs"),
    ("tx-enterprise-one-state", dict(states=("TX",), num_locations=3, employees=900, services=("dia",)),
     {"primary": ["AT&T"], "redundancy": ["Spectrum Enterprise"]}, {"L5", "R2"}, {"L3", "L2"}, "enterprise"),
    ("co-ut-mpls", dict(states=("CO", "UT"), num_locations=4, services=("mpls", "dia")),
     {"primary": ["Lumen"], "redundancy": ["Comcast Business"]}, {"L2", "L3"}, {"L5"}, "complex_needs"),
    ("nd-mn-wi", dict(states=("ND", "MN", "WI"), num_locations=5, employees=80, services=("dia",)),
     {"primary": ["Lumen"], "pilot": ["Midco"], "redundancy": ["Spectrum Enterprise"]}, {"L1", "L2", "L3"}, set(), "complex_needs"),
    ("il-30-sites-bandwidth", dict(states=("IL",), num_locations=30, employees=300, services=("sdwan", "dia"), challenges=("bandwidth",)),
     {"primary": ["AT&T"], "redundancy": ["Spectrum Enterprise"]}, {"L5", "R2"}, {"L3", "S1"}, "complex_needs"),
    ("ak-hi-nd", dict(states=("AK", "HI", "ND"), num_locations=3, services=("dia",)),
     {"primary": ["Lumen"], "redundancy": ["GCI"]}, {"L1", "L3"}, set(), "complex_needs"),
    # --- two states, small: each site's own phone company, a CLEC reaching both
    ("or-ca-cost", dict(states=("OR", "CA"), num_locations=2, services=("dia",), challenges=("high_cost",)),
     {"primary": ["Lumen"], "secondary": ["AT&T"], "pilot": ["Zayo"]}, {"S1", "R2"}, {"L1", "L2"}, None),
    # --- missing facts
    ("no-services-yet", dict(states=("CO",), num_locations=2, challenges=("high_cost",)),
     {"primary": ["Lumen"], "pilot": ["Comcast Business"]}, {"S1", "R2"}, {"S2", "L4"}, None),
    ("nothing-yet", dict(), {}, {"R1"}, set(GUIDELINE_IDS) - {"R1"}, None),
    ("no-states", dict(services=("dia",), employees=900), {}, {"R1"}, {"L5", "P1"}, None),
    ("bad-state-code", dict(states=("XX",), services=("dia",)), {}, {"R1"}, {"L1", "P1"}, None),
]


@pytest.mark.parametrize("case_id, profile, roles, must, must_not, reason", CASES, ids=[c[0] for c in CASES])
def test_customer_table(
    catalog: Catalog, case_id: str, profile: dict[str, Any], roles: dict[str, list[str]],
    must: set[str], must_not: set[str], reason: Optional[str],
) -> None:
    rec = rec_for(catalog, **profile)
    got = roles_of(rec)
    for role, names in roles.items():
        assert got.get(role) == names, (role, got)
    if not roles:
        assert rec.carriers == ()
    assert must <= set(rec.guidelines), rec.guidelines
    assert not (must_not & set(rec.guidelines)), rec.guidelines
    assert rec.handoff_reason == reason
    assert rec.handoff == (reason is not None)


def test_table_is_broad_enough() -> None:
    assert len(CASES) >= 30
    states = {s for _, p, *_ in CASES for s in p.get("states", ())}
    assert len(states) >= 20


# --------------------------------------------------------------------------- scenarios in detail


def test_small_t1_pri_high_cost_scenario(catalog: Catalog) -> None:
    rec = rec_for(catalog, states=("TX",), num_locations=3, services=("t1", "pri"), challenges=("high_cost",))
    primary, pilot = rec.by_role("primary")[0], rec.by_role("pilot")[0]
    assert (primary.kind, pilot.kind) == ("ILEC", "CLEC")
    assert "M1" in primary.guidelines  # kept honest by the benchmark (R4: no less critical service here)
    assert {"S1", "S2", "R2"} <= set(pilot.guidelines)
    assert "M1" in rec.by_role("rfq_benchmark")[0].guidelines  # issue 13: M1 is the benchmark's, not the trial's
    assert set(pilot.services) == {"t1", "pri"}
    text = " ".join(rec.plan)
    assert "AT&T" in text and "Granite" in text and "quote" in text


def test_large_scenario_primary_is_national_or_ilec(catalog: Catalog) -> None:
    rec = rec_for(catalog, states=("TX", "CA", "NY", "IL", "FL"), num_locations=60, employees=1500,
                  services=("mpls", "dia", "sip"))
    primary = rec.by_role("primary")[0]
    carrier = catalog.get(primary.name)
    assert carrier is not None and (carrier.national or carrier.is_incumbent_somewhere)
    assert {"L2", "L3", "L5"} <= set(primary.guidelines)
    assert all(c.kind == "CLEC" for c in rec.carriers if c.role in ("pilot", "redundancy"))
    # issue 13: a phone company quoting as a benchmark is a site's own incumbent (M1), never lost
    incumbents = {name for _, name in rec.local_incumbents}
    assert all(c.kind == "CLEC" or c.name in incumbents for c in rec.carriers if c.role == "rfq_benchmark")
    assert incumbents <= {c.name for c in rec.carriers}
    assert rec.handoff_reason == "enterprise"


def test_redundancy_differs_from_primary_current_and_resellers(catalog: Catalog) -> None:
    rec = rec_for(catalog, states=("TX",), services=("dia", "pots"), challenges=("need_redundancy",),
                  current_carrier="Comcast")
    backup = rec.by_role("redundancy")
    assert backup
    assert backup[0].name not in {"AT&T", "Comcast Business", "Granite"}  # Granite resells AT&T lines


def test_no_coverage_plan_says_so(catalog: Catalog, copy: GuidanceCopy) -> None:
    # issue 13: the Dakotas have Midco now; a territory without carriers on file is the case,
    # and it is said (never asked again) and handed off with the reason.
    rec = rec_for(catalog, states=("GU",), services=("dia",))
    assert rec.carriers == ()
    assert rec.uncovered_states == ("GU",) and rec.unserved_states == ("GU",)
    assert "GU" in rec.plan[0] and "missing_states" not in rec.plan_keys
    assert rec.to_dict()["handoff_reason"] == "no_coverage"


def test_no_coverage_with_a_made_up_catalog(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(
        "carriers:\n"
        "  - {name: Teleco, national: false, incumbent_states: [VT], services: [dia], source: https://x.example}\n"
        "  - {name: Fibre, national: false, competitive_states: [NH], services: [dia], source: https://y.example}\n",
        encoding="utf-8",
    )
    cat = load_catalog(path)
    rec = recommend(CustomerProfile(states=("VT",), services=("dia",)), cat)
    assert rec.handoff_reason == "no_coverage" and "L1" in rec.guidelines
    # A state with no carrier at all still gives an answer, never an exception.
    rec = recommend(CustomerProfile(states=("TX",), services=("dia",)), cat)
    assert rec.carriers == () and rec.handoff_reason == "no_coverage"


def test_missing_facts_are_signalled(catalog: Catalog, copy: GuidanceCopy) -> None:
    rec = rec_for(catalog)
    assert rec.missing == ("states", "services")
    assert rec.plan[0] == copy.steps["missing_states"]
    rec = rec_for(catalog, states=("TX",))
    assert rec.missing == ("services",)
    assert copy.steps["missing_services"] in rec.plan
    assert all(c.services == () for c in rec.carriers)


def test_slot_values_as_rasa_gives_them(catalog: Catalog) -> None:
    profile = CustomerProfile.from_slots({"states": ["OR", "WA"], "num_locations": 3.0, "employees": "45",
                                          "services": ["dia"], "challenges": ["high_cost"]})
    rec = recommend(profile, catalog)
    assert rec.by_role("primary")[0].name == "Lumen"
    assert rec.by_role("pilot")[0].states == ("OR", "WA")


def test_lowercase_state_codes_are_accepted(catalog: Catalog) -> None:
    assert rec_for(catalog, states=("tx",), services=("dia",)).states == ("TX",)


# --------------------------------------------------------------------------- each guideline fires

RIGHT_WRONG: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "L1": (dict(states=("ME",), services=("t1",)), dict(states=("TX",), services=("dia",))),
    "L2": (dict(states=("TX", "CA", "NY"), services=("mpls",)), dict(states=("TX",), services=("dia",))),
    "L3": (dict(states=("OR", "WA", "ID"), services=("dia",)), dict(states=("TX",), employees=900, services=("dia",))),
    "L4": (dict(states=("ME",), services=("t1",)), dict(states=("TX",), services=("t1",))),
    "L5": (dict(states=("TX",), employees=900, services=("dia",)), dict(states=("CO", "UT"), num_locations=4, services=("mpls",))),
    "S1": (dict(states=("TX",), services=("dia",), challenges=("high_cost",)), dict(states=("TX",), services=("dia",))),
    "S2": (dict(states=("TX",), services=("t1",)), dict(states=("TX",), services=("dia",))),
    "S3": (dict(states=("MA",), services=("dia",), challenges=("poor_support",)), dict(states=("MA",), services=("dia",), challenges=("high_cost",))),
    "S4": (dict(states=("UT",), services=("dia",), challenges=("contract_inflexibility",)), dict(states=("UT",), services=("dia",))),
    "S5": (dict(states=("MA",), services=("dia",), challenges=("poor_support",)), dict(states=("MA",), services=("dia",), challenges=("reliability",))),
    "S6": (dict(states=("AZ",), services=("dia",), challenges=("slow_install",)), dict(states=("AZ",), services=("dia",), challenges=("high_cost",))),
    "R1": (dict(states=("TX",), services=("dia",)), {}),
    "R2": (dict(states=("TX",), services=("dia",)), dict(states=("IL",), services=("dark_fiber",))),
    "R3": (dict(states=("OR",), services=("dia",), challenges=("need_redundancy",)), dict(states=("OR",), services=("dia",))),
    "R4": (dict(states=("WA",), services=("pri", "broadband")), dict(states=("TX",), services=("dia",))),
    "M1": (dict(states=("TX",), services=("dia",), challenges=("high_cost",)), dict(states=("UT",), services=("dia",))),
    "M2": (dict(states=("FL",), services=("pots",), challenges=("vendor_dependence",)), dict(states=("FL",), services=("pots",))),
    "M3": (dict(states=("WA",), services=("dia",), challenges=("reliability",)), dict(states=("WA",), services=("dia",), challenges=("high_cost",))),
    "P1": (dict(states=("TX",), services=("dia",)), dict(states=("ME",), services=("t1",))),
}
ALWAYS = {"R1"}  # issue 13: P1 only when a competitive carrier is in the plan


def test_every_guideline_has_a_case() -> None:
    assert set(RIGHT_WRONG) == set(GUIDELINE_IDS)


@pytest.mark.parametrize("gid", GUIDELINE_IDS)
def test_guideline_fires_for_the_right_customer_only(catalog: Catalog, gid: str) -> None:
    right, wrong = RIGHT_WRONG[gid]
    rec = rec_for(catalog, **right)
    assert gid in rec.guidelines
    if gid not in ALWAYS:
        # The guideline is tied to the carriers it concerns.
        assert any(gid in c.guidelines for c in rec.carriers)
        assert gid not in rec_for(catalog, **wrong).guidelines
    else:
        assert gid in rec_for(catalog, **wrong).guidelines  # always: even with nothing known


def test_clec_strengths_need_a_clec(catalog: Catalog) -> None:
    every_challenge = tuple(CHALLENGES)
    rec = rec_for(catalog, states=("ND",), services=("t1",), challenges=every_challenge)
    assert not {"S1", "S2", "S3", "S4", "S5", "S6", "M1", "M2", "M3", "R2", "R3", "R4"} & set(rec.guidelines)


# --------------------------------------------------------------------------- output shape


def test_to_dict_is_exactly_the_contract_shape(catalog: Catalog) -> None:
    d = rec_for(catalog, states=("TX",), services=("t1",), challenges=("high_cost",)).to_dict()
    assert list(d) == ["carriers", "guidelines", "plan", "handoff", "handoff_reason"]
    for c in d["carriers"]:
        assert list(c) == ["name", "kind", "role", "services", "states", "guidelines"]
    assert json.loads(json.dumps(d)) == d


def test_render_plan_text(catalog: Catalog, copy: GuidanceCopy) -> None:
    rec = rec_for(catalog, states=("TX",), num_locations=3, services=("t1", "pri"), challenges=("high_cost",))
    text = render_plan_text(rec)
    assert "<" not in text and ">" not in text
    for c in rec.carriers:
        assert c.name in text and copy.roles[c.role] in text
    for i, step in enumerate(rec.plan, 1):
        assert f"{i}. {step}" in text
    assert len(text) < 1500
    # issue 13: the message ends with one plain sentence, no "points S1, R2 ..."; the ids stay
    # in the recommendation slot (and the dashboard and "why X?").
    applied = text.splitlines()[-1]
    assert applied == copy.explanation("applied", guidelines=", ".join(rec.guidelines))
    assert {"S1", "S2", "R2", "M1", "R1", "P1"} <= set(rec.to_dict()["guidelines"])
    assert not any(gid in applied for gid in rec.guidelines)
    empty = render_plan_text(rec_for(catalog))
    assert "1. " in empty and "•" not in empty


# --------------------------------------------------------------------------- properties

STATE_CODES = sorted(US_STATES)
profiles = st.builds(
    CustomerProfile,
    states=st.lists(st.sampled_from(STATE_CODES + ["XX", "PR", "GU", "tx", ""]), max_size=6).map(tuple),
    city=st.none(),
    zip_code=st.none(),
    num_locations=st.none() | st.integers(min_value=-3, max_value=400),
    employees=st.none() | st.integers(min_value=-3, max_value=20000),
    services=st.lists(st.sampled_from(list(SERVICES) + ["fax", ""]), max_size=6).map(tuple),
    challenges=st.lists(st.sampled_from(list(CHALLENGES) + ["weather"]), max_size=5).map(tuple),
    current_carrier=st.none() | st.sampled_from(["AT&T", "tw telecom", "XO", "Cogent", "Frontier", "Acme", "GCI", "Granite"]),
    contract_end=st.none(),
)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(profile=profiles)
def test_invariants(profile: CustomerProfile) -> None:
    catalog = load_default_catalog()
    copy = load_default_copy()
    rec = recommend(profile, catalog)
    d = rec.to_dict()
    assert json.loads(json.dumps(d)) == d
    # The agent's framing, always; the portfolio sentence (P1) only with a competitive carrier
    # in the plan (issue 13).
    assert "R1" in rec.guidelines
    has_clec = any(c.kind == "CLEC" and c.role != "primary" for c in rec.carriers)
    assert ("P1" in rec.guidelines) == has_clec
    if has_clec:
        assert copy.steps["portfolio"] == rec.plan[-1]
    agent_step = rec.plan[-2] if has_clec else rec.plan[-1]
    assert agent_step.startswith(copy.steps["agent_generic"][:20])
    # Ids valid, canonical order, each carrier's ids applied to the customer.
    order = [g for g in GUIDELINE_IDS if g in rec.guidelines]
    assert list(rec.guidelines) == order
    assert (rec.handoff_reason in HANDOFF_REASONS) == rec.handoff
    assert rec.handoff_reason is None or rec.handoff
    # issue 13: Puerto Rico and the other territories are kept (served, or handed off with a reason)
    valid_states = {s.upper() for s in profile.states if s.upper() in PLACES}
    asked = set(profile.services)
    names = [c.name for c in rec.carriers]
    assert len(names) == len(set(names))
    for c in rec.carriers:
        carrier = catalog.get(c.name)
        assert carrier is not None and carrier.name == c.name
        assert c.role in ROLES and c.kind in CARRIER_KINDS
        assert c.guidelines and set(c.guidelines) <= set(rec.guidelines)
        assert c.states and set(c.states) <= valid_states
        assert all(carrier.serves(s) for s in c.states)
        assert all(any(svc in carrier.services_in(s) or svc in carrier.clec_services for s in c.states) for svc in c.services)
        assert set(c.services) <= asked
        if c.role in ("pilot", "redundancy"):
            # a competitor at every one of its sites (issue 13: kind is per site; AT&T competes
            # at a site whose phone company is Brightspeed)
            local = dict(rec.local_incumbents)
            assert c.kind == "CLEC" and all(k == "CLEC" for _, k in c.kinds)
            assert all(carrier.kind_in(s) == "CLEC" or local.get(s) != c.name for s in c.states)
        if c.role == "rfq_benchmark" and c.kind == "ILEC":  # a site's own phone company quoting (M1)
            assert c.name in {name for _, name in rec.local_incumbents}
        if c.kind == "ILEC":
            assert all(carrier.kind_in(s) == "ILEC" for s in c.states)
    primary = rec.by_role("primary")
    served = valid_states - set(rec.unserved_states)
    assert (len(primary) == 1) == bool(served)
    current = catalog.resolve(profile.current_carrier)
    for backup in rec.by_role("redundancy"):
        assert not primary or backup.name != primary[0].name
        assert current is None or backup.name != current.name
    if not valid_states:
        assert rec.carriers == () and "states" in rec.missing
    no_clec = valid_states and all(not catalog.competitive(s) for s in valid_states)
    assert (rec.handoff_reason == "no_coverage") == bool(no_clec)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles, seed=st.integers(0, 1000))
def test_deterministic_and_order_insensitive(profile: CustomerProfile, seed: int) -> None:
    catalog = load_default_catalog()
    first = recommend(profile, catalog).to_dict()
    assert recommend(profile, catalog).to_dict() == first
    rng = random.Random(seed)
    services, challenges = list(profile.services), list(profile.challenges)
    rng.shuffle(services)
    rng.shuffle(challenges)
    shuffled = CustomerProfile(states=profile.states, num_locations=profile.num_locations,
                               employees=profile.employees, services=tuple(services),
                               challenges=tuple(challenges), current_carrier=profile.current_carrier)
    assert recommend(shuffled, catalog).to_dict() == first


# --------------------------------------------------------------------------- copy file

GOOD_COPY = Path(__file__).resolve().parents[2] / "bot" / "data" / "wording" / "plan.yml"


def test_copy_covers_every_id_role_and_service(copy: GuidanceCopy) -> None:
    assert set(copy.plain) == set(GUIDELINE_IDS) == set(copy.titles)
    assert set(copy.roles) == set(ROLES) == set(copy.role_names)
    assert set(copy.services) == set(SERVICES)


@pytest.mark.parametrize(
    "old, new, words",
    [
        ("  S4:\n    title: CLECs are not tariffed\n", "  S4:\n    title: ''\n", ["guidelines.S4.title"]),
        ("  L1:\n", "  L9:\n", ["L9"]),
        ("  pilot: Move a few circuits ({pilot_services})", "  pilot: Move a few circuits ({pilot_servces})",
         ["steps.pilot", "pilot_servces"]),
        ("  rfq: Ask {rfq}", "  rfq_typo: Ask {rfq}", ["rfq"]),
        ("  dark_fiber: dark fiber\n", "", ["services", "dark_fiber"]),
        ("  unknown: \"I don't have", "  unknown: \"I {don't have", ["explain.unknown"]),
    ],
)
def test_copy_errors_name_file_and_line(tmp_path: Path, old: str, new: str, words: list[str]) -> None:
    text = GOOD_COPY.read_text(encoding="utf-8")
    assert old in text
    bad = text.replace(old, new, 1)
    path = tmp_path / "guidance_copy.yml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_guidance_copy(path)
    message = str(err.value)
    assert message.startswith(f"{path}:") and err.value.line > 0
    for word in words:
        assert word in message
