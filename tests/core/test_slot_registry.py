"""The slot registry (bot/domain/slots.py) against domain.yml, and the lists derived from it.

domain.yml is read with Rasa's own loader, so the slots Rasa adds by itself are seen too.
"""

from __future__ import annotations

import dataclasses
import json
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from bot.domain.slots import FORMS, SLOTS, SLOTS_BY_NAME, form_slots

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[2]

# Slots Rasa adds to every domain; the code only reads them through Rasa's own API.
RASA_INTERNAL_SLOTS = frozenset({
    "requested_slot",  # the question an active form is asking
    "session_started_metadata",  # metadata of the session_start event
})


@pytest.fixture(scope="module")
def domain() -> Any:
    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Domain.load(str(ROOT / "domain.yml"))


# --- the registry against domain.yml ----------------------------------------------------------


def test_every_registry_slot_is_in_the_domain_with_its_type(domain: Any) -> None:
    types = {slot.name: slot.type_name for slot in domain.slots}
    assert {s.name: types.get(s.name) for s in SLOTS} == {s.name: s.kind for s in SLOTS}


def test_every_domain_slot_is_in_the_registry_or_rasa_internal(domain: Any) -> None:
    unknown = {slot.name for slot in domain.slots} - set(SLOTS_BY_NAME) - RASA_INTERNAL_SLOTS
    assert not unknown, f"add these slots to bot/domain/slots.py: {sorted(unknown)}"


def test_each_form_asks_the_registry_slots_in_the_registry_order(domain: Any) -> None:
    assert set(domain.forms) == set(FORMS)
    for form in FORMS:
        assert domain.forms[form]["required_slots"] == list(form_slots(form)), form


def test_each_question_has_an_ask_action_and_a_text(domain: Any) -> None:
    from bot.conversation.wording import default_copy

    questions = default_copy().questions
    for name in (s.name for s in SLOTS if s.form):
        assert f"action_ask_{name}" in domain.user_actions, name
        assert name in questions, f"bot/data/wording/conversation.yml has no question for {name}"


def test_registry_entities_are_domain_entities(domain: Any) -> None:
    entities = set(domain.entities)
    assert {s.entity for s in SLOTS if s.entity} <= entities


def test_change_answer_buttons_name_changeable_slots_by_their_customer_label(domain: Any) -> None:
    buttons = domain.responses["utter_ask_which_answer"][0]["buttons"]
    for button in buttons:
        payload = button["payload"]  # '/change_answer{"slot_to_change": "states"}'
        slot = json.loads(payload[payload.index("{"):])["slot_to_change"]
        assert SLOTS_BY_NAME[slot].changeable, slot
        assert button["title"] == SLOTS_BY_NAME[slot].customer_label, slot


# --- the registry is consistent with itself ---------------------------------------------------


def test_names_are_unique() -> None:
    assert len(SLOTS_BY_NAME) == len(SLOTS)


def test_each_form_question_has_its_own_place() -> None:
    for form in FORMS:
        orders = [s.ask_order for s in SLOTS if s.form == form]
        assert sorted(orders) == list(range(1, len(orders) + 1)), form
    assert all(s.ask_order == 0 for s in SLOTS if s.form is None)


def test_only_questions_can_be_skipped_changed_or_answered_freely() -> None:
    for s in SLOTS:
        if s.optional or s.free_text or s.changeable:
            assert s.form is not None, s.name
        if s.form:
            assert s.customer_label, f"{s.name} is asked, so the customer needs a name for it"
        if s.lead == "merged":
            assert s.agent_label, f"{s.name} is shown on the dashboard, so it needs a label"


def test_the_lead_and_the_profile_have_a_field_for_their_slots() -> None:
    from bot.domain.profile import CustomerProfile
    from bot.leads.models import Lead, leads_table

    lead_fields = {f.name for f in dataclasses.fields(Lead)}
    stored = [s.name for s in SLOTS if s.lead]
    assert set(stored) <= lead_fields
    assert set(stored) <= set(leads_table.columns.keys())
    profile_fields = [f.name for f in dataclasses.fields(CustomerProfile)]
    assert all(SLOTS_BY_NAME[name].group == "need" for name in profile_fields)


# --- the derived lists are what the literal lists were (before the registry) ------------------

OLD_LEAD_SLOTS = (
    "states", "city", "zip_code", "num_locations", "employees", "services", "challenges",
    "current_carrier", "contract_end", "contact_name", "company_name", "email", "phone",
    "recommendation", "handoff_reason", "callback_time",
)
OLD_SLOT_FIELDS = (
    "states", "city", "zip_code", "num_locations", "employees", "services", "challenges",
    "current_carrier", "contract_end", "contact_name", "company_name", "email", "phone",
    "handoff_reason",
)
OLD_FORM_SLOTS = (
    "states", "num_locations", "services", "challenges", "employees", "current_carrier",
    "contract_end", "contact_name", "company_name", "email", "phone", "callback_time",
)
OLD_PROFILE_FIELDS = (
    "states", "city", "zip_code", "num_locations", "employees", "services", "challenges",
    "current_carrier", "contract_end",
)


# Added since the registry: the customer's words for questions left to the agent.
NOTES = ("agent_notes",)


def test_lead_lists() -> None:
    from bot.leads import models

    assert models.SLOT_FIELDS == (*OLD_SLOT_FIELDS, *NOTES)
    assert models.LIST_SLOTS == frozenset({"states", "services", "challenges", *NOTES})
    assert models.INT_SLOTS == frozenset({"num_locations", "employees"})


def test_profile_fields_and_conversions() -> None:
    from bot.domain.profile import CustomerProfile

    assert tuple(f.name for f in dataclasses.fields(CustomerProfile)) == OLD_PROFILE_FIELDS
    profile = CustomerProfile.from_slots({
        "states": "OR", "city": "", "zip_code": "97201", "num_locations": "4.0", "employees": True,
        "services": ["sip", "dia"], "current_carrier": None, "contract_end": "2027-01", "email": "x@y.z",
    })
    assert profile == CustomerProfile(states=("OR",), zip_code="97201", num_locations=4,
                                      services=("sip", "dia"), contract_end="2027-01")


def test_conversation_lists() -> None:
    from bot.conversation import acknowledge, digressions, slot_updates

    assert acknowledge.ACKNOWLEDGED == (
        "states", "city", "num_locations", "employees", "services", "current_carrier", "contract_end")
    assert digressions.FREE_TEXT_SLOTS == frozenset({"contact_name", "company_name", "callback_time"})
    assert list(slot_updates.LIST_SLOTS.items()) == [
        ("us_state", "states"), ("service", "services"), ("challenge", "challenges")]
    assert list(slot_updates.VALUE_SLOTS.items()) == [
        ("zip_code", "zip_code"), ("num_locations", "num_locations"), ("employees", "employees"),
        ("contract_end", "contract_end"), ("email", "email"), ("phone", "phone")]


def test_analytics_lists() -> None:
    from bot.analytics import conversation_stats

    assert conversation_stats.FACT_SLOTS == (
        "states", "city", "zip_code", "num_locations", "employees", "services", "challenges",
        "current_carrier", "contract_end", "handoff_reason", *NOTES)
    assert conversation_stats.CONTACT_SLOTS == ("contact_name", "company_name", "email", "phone")


def test_dashboard_labels() -> None:
    from bot.web.dashboard import lead_pages

    assert lead_pages.SLOT_LABELS == {
        "states": "States", "city": "HQ city", "zip_code": "ZIP code", "num_locations": "Locations",
        "employees": "Employees", "services": "Services", "challenges": "Challenges",
        "current_carrier": "Current carrier", "contract_end": "Contract end", "contact_name": "Contact",
        "company_name": "Company", "email": "Email", "phone": "Phone", "handoff_reason": "Handoff reason",
        "agent_notes": "Notes for the agent",
    }


def test_outage_lead_slots() -> None:
    from bot.rasa_adapters.server import outage

    assert outage.CONTRACT_SLOTS == (*OLD_LEAD_SLOTS, *NOTES)


def test_action_lists() -> None:
    from actions import change_answer, forms, questions, tracker_utils

    assert tracker_utils.CONTRACT_SLOTS == (*OLD_LEAD_SLOTS, *NOTES)
    assert questions.FORM_SLOTS == OLD_FORM_SLOTS
    assert tuple(questions.ASK_ACTIONS) == OLD_FORM_SLOTS
    assert change_answer.CHANGEABLE == (
        "states", "num_locations", "services", "challenges", "employees", "current_carrier",
        "contract_end")
    assert forms.ValidateNeedsForm.optional_slots == frozenset(
        {"challenges", "employees", "current_carrier", "contract_end"})
    assert forms.ValidateContactForm.optional_slots == frozenset({"company_name", "callback_time"})
