"""The handoff policy: when a person is needed, why, and what happens in and out of hours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.canonical import HANDOFF_REASONS, LEAD_STATUSES
from bot.domain.catalog import load_default_catalog
from bot.domain.guidance import recommend
from bot.domain.handoff_policy import DEFAULT_POLICY, HandoffFacts, HandoffPolicy
from bot.domain.profile import CustomerProfile

ROOT = Path(__file__).resolve().parents[2]


def facts(**kw: Any) -> HandoffFacts:
    states = tuple(kw.pop("states", ("OR",)))
    kw.setdefault("sites", len(states))
    return HandoffFacts(states=states, **kw)


def test_defaults_are_the_agencys_thresholds() -> None:
    policy = HandoffPolicy()
    assert (policy.many_states, policy.many_sites, policy.enterprise_employees,
            policy.wide_wan_states, policy.wan_services) == (3, 10, 500, 2, frozenset({"mpls"}))
    assert DEFAULT_POLICY == policy


@pytest.mark.parametrize("given, reason", [
    (dict(), None),
    (dict(states=()), None),  # nothing to design yet
    (dict(states=(), employees=5000), None),
    (dict(states=("OR", "WA")), None),
    (dict(states=("OR", "WA", "CA")), "complex_needs"),
    (dict(sites=9), None),
    (dict(sites=10), "complex_needs"),
    (dict(employees=499), None),
    (dict(employees=500), "enterprise"),
    (dict(states=("OR", "WA", "CA"), employees=800), "enterprise"),
    (dict(services=("mpls",)), None),
    (dict(states=("OR", "WA"), services=("mpls",)), "complex_needs"),
    (dict(states=("OR", "WA"), services=("sdwan", "dia")), None),
    (dict(no_coverage=True), "no_coverage"),
    (dict(no_coverage=True, employees=900), "no_coverage"),
])
def test_reason_for(given: dict[str, Any], reason: str) -> None:
    assert DEFAULT_POLICY.reason_for(facts(**given)) == reason


def test_thresholds_are_the_policys_own() -> None:
    """Changing the handoff rule changes who is handed over, not which guidelines apply."""
    catalog = load_default_catalog()
    profile = CustomerProfile(states=("OR", "WA", "CA"), num_locations=3, services=("dia",))
    default = recommend(profile, catalog)
    relaxed = recommend(profile, catalog, policy=HandoffPolicy(many_states=5))
    assert (default.handoff, default.handoff_reason) == (True, "complex_needs")
    assert (relaxed.handoff, relaxed.handoff_reason) == (False, None)
    assert "L3" in default.guidelines and relaxed.guidelines == default.guidelines
    assert [c.name for c in relaxed.carriers] == [c.name for c in default.carriers]


def test_reason_for_intent() -> None:
    policy = DEFAULT_POLICY
    assert policy.reason_for_intent("human_handoff") == "user_request"
    assert policy.reason_for_intent("complain", "complex_needs") == "frustration"
    # Sent on by the recommendation (no handoff intent): the guidance's reason stands.
    assert policy.reason_for_intent("affirm", "no_coverage") == "no_coverage"
    assert policy.reason_for_intent(None) == "user_request"
    assert policy.fallback_reason == "low_confidence"


def test_every_reason_is_a_contract_code() -> None:
    policy = DEFAULT_POLICY
    for reason in [*policy.reason_by_intent.values(), policy.default_reason,
                   policy.fallback_reason]:
        assert reason in HANDOFF_REASONS
    with pytest.raises(ValueError, match="unknown handoff reasons"):
        HandoffPolicy(reason_by_intent={"human_handoff": "impatience"})


def test_every_handoff_intent_has_its_rasa_rule() -> None:
    """Rasa only runs action_handoff on an intent a rule (or story) sends there."""
    rules = yaml.safe_load((ROOT / "data" / "rules" / "handoff.yml").read_text())["rules"]
    routed = {step["intent"] for rule in rules
              if {"action": "action_handoff"} in rule["steps"]
              for step in rule["steps"] if "intent" in step}
    assert set(DEFAULT_POLICY.reason_by_intent) <= routed


def test_next_step_in_and_out_of_hours() -> None:
    day, night = DEFAULT_POLICY.next_step(True), DEFAULT_POLICY.next_step(False)
    assert (day.kind, day.lead_status, day.after_hours) == ("join_now", "handoff", False)
    assert (night.kind, night.lead_status, night.after_hours) == ("callback", "callback", True)
    assert {day.lead_status, night.lead_status} <= set(LEAD_STATUSES)


def test_what_the_contact_form_must_collect() -> None:
    policy = DEFAULT_POLICY
    assert policy.required_contact(handing_off=True) == "phone"  # a person calls back
    assert policy.required_contact(handing_off=False) == "email"  # the plan is e-mailed
    assert policy.asks_callback_time(handing_off=True, after_hours=True)
    assert not policy.asks_callback_time(handing_off=True, after_hours=False)
    assert not policy.asks_callback_time(handing_off=False, after_hours=True)
