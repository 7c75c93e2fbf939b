"""Every slot of domain.yml that the code cares about, in one typed table.

The lists of slot names the code needs (the questions the forms ask, the lead's columns, what
is said back when it changes, what the customer may change, what is personal data...) are all
derived from `SLOTS` here. Adding a slot means: domain.yml, one row below, its question in
bot/data/wording/conversation.yml when a form asks it, NLU data when an entity fills it.
tests/core/test_slot_registry.py checks this table against domain.yml.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Final, Literal, Mapping, Optional

#: The slot types of domain.yml this project uses.
SlotKind = Literal["list", "text", "float", "bool", "any"]
Form = Literal["needs_form", "contact_form"]
#: "need": a fact about the customer's sites and services (the domain core reasons on them);
#: "contact": who to call back, and when; "outcome": what the assistant concluded;
#: "bookkeeping": the dialogue's own state.
Group = Literal["need", "contact", "outcome", "bookkeeping"]
#: How the lead keeps a slot. "merged": one of `Lead`'s slot columns (SLOT_FIELDS), merged by
#: `normalize_slots` (an empty value keeps the stored one). "replaced": a column the lead
#: store's upsert takes as its own argument and replaces when given.
LeadStorage = Literal["merged", "replaced"]

#: The forms, in the order a conversation runs them.
FORMS: Final[tuple[Form, ...]] = ("needs_form", "contact_form")


@dataclass(frozen=True)
class Slot:
    """One slot: its domain.yml type and what each part of the code does with it."""

    name: str
    kind: SlotKind
    group: Group
    #: How the dashboard names it for the agent ("" where it is not shown).
    agent_label: str = ""
    #: How the assistant names it to the customer ("" where the customer never answers it).
    customer_label: str = ""
    #: The form that asks it, and its place among that form's questions (1 = first).
    form: Optional[Form] = None
    ask_order: int = 0
    #: "skip" / "I don't know" is an acceptable answer (email and phone: see actions/forms.py).
    optional: bool = False
    #: Almost any text answers it (a name, "tomorrow after 9am"): only a confident question
    #: steps out of the form, and "idk, ..." is a skip, not a hedged answer.
    free_text: bool = False
    #: Said back in plain words when the customer changes it ("4 sites").
    confirmed: bool = False
    #: Offered by "change an answer" (the needs form asks it again).
    changeable: bool = False
    #: Contact data: personal, masked in logs, never kept by analytics.
    personal: bool = False
    lead: Optional[LeadStorage] = None
    #: The entity whose values fill it one for one (bot/conversation/slot_updates.py); `city`
    #: and `current_carrier` have rules of their own there.
    entity: Optional[str] = None


# Order: the lead export's columns (CONTRACT section 4), then the rest the lead keeps, then
# bookkeeping. The order the forms ask in is `ask_order`.
SLOTS: Final[tuple[Slot, ...]] = (
    Slot("states", "list", "need", "States", "Locations", "needs_form", 1,
         confirmed=True, changeable=True, lead="merged", entity="us_state"),
    Slot("city", "text", "need", "HQ city", "Main office", confirmed=True, lead="merged"),
    Slot("zip_code", "text", "need", "ZIP code", "ZIP code", lead="merged", entity="zip_code"),
    Slot("num_locations", "float", "need", "Locations", "Number of sites", "needs_form", 2,
         confirmed=True, changeable=True, lead="merged", entity="num_locations"),
    Slot("employees", "float", "need", "Employees", "Number of employees", "needs_form", 5,
         optional=True, confirmed=True, changeable=True, lead="merged", entity="employees"),
    Slot("services", "list", "need", "Services", "Services", "needs_form", 3,
         confirmed=True, changeable=True, lead="merged", entity="service"),
    Slot("challenges", "list", "need", "Challenges", "Challenges", "needs_form", 4,
         optional=True, changeable=True, lead="merged", entity="challenge"),
    Slot("current_carrier", "text", "need", "Current carrier", "Current carrier", "needs_form", 6,
         optional=True, confirmed=True, changeable=True, lead="merged"),
    Slot("contract_end", "text", "need", "Contract end", "Contract end date", "needs_form", 7,
         optional=True, confirmed=True, changeable=True, lead="merged", entity="contract_end"),
    Slot("contact_name", "text", "contact", "Contact", "Your name", "contact_form", 1,
         free_text=True, personal=True, lead="merged"),
    Slot("company_name", "text", "contact", "Company", "Company name", "contact_form", 2,
         optional=True, free_text=True, personal=True, lead="merged"),
    Slot("email", "text", "contact", "Email", "Email address", "contact_form", 3,
         personal=True, lead="merged", entity="email"),
    Slot("phone", "text", "contact", "Phone", "Phone number", "contact_form", 4,
         personal=True, lead="merged", entity="phone"),
    Slot("recommendation", "any", "outcome", "Recommendation", lead="replaced"),
    Slot("handoff_reason", "text", "outcome", "Handoff reason", lead="merged"),
    Slot("callback_time", "text", "contact", "Callback time", "Best time to call", "contact_form", 5,
         optional=True, free_text=True, lead="replaced"),
    # The customer's words for questions left to the agent: a lead column, after the contract's.
    Slot("agent_notes", "list", "outcome", "Notes for the agent", lead="merged"),
    Slot("skipped_slots", "list", "bookkeeping"),
    Slot("slot_to_change", "text", "bookkeeping"),  # filled by Rasa's from_entity mapping
    Slot("after_hours", "bool", "bookkeeping"),
    # bot/conversation/missed_questions.py and clarify.py: no question asked three times in a row.
    Slot("missed_question", "any", "bookkeeping"),
    Slot("pending_clarifications", "any", "bookkeeping"),
)

SLOTS_BY_NAME: Final[Mapping[str, Slot]] = MappingProxyType({s.name: s for s in SLOTS})


def slot_names(where: Callable[[Slot], bool]) -> tuple[str, ...]:
    """The names of the slots `where` accepts, in table order."""
    return tuple(s.name for s in SLOTS if where(s))


def form_slots(form: Form, where: Callable[[Slot], bool] = lambda s: True) -> tuple[str, ...]:
    """The slots `form` asks (those `where` accepts), in the order it asks them."""
    asked = sorted((s for s in SLOTS if s.form == form and where(s)), key=lambda s: s.ask_order)
    return tuple(s.name for s in asked)


# --- the lists the code uses, derived ---------------------------------------------------------

#: What the lead keeps, read from the tracker when it is saved.
LEAD_SLOTS: Final = slot_names(lambda s: s.lead is not None)
#: `Lead`'s slot columns, in export order.
LEAD_SLOT_COLUMNS: Final = slot_names(lambda s: s.lead == "merged")
#: Every question a form asks, form by form, in asking order (one `action_ask_<slot>` each).
ASKED_SLOTS: Final = tuple(name for form in FORMS for name in form_slots(form))
#: Answers "change an answer" can forget, in asking order.
CHANGEABLE_SLOTS: Final = tuple(
    name for form in FORMS for name in form_slots(form, lambda s: s.changeable))
#: Facts said back when changed, in the order they are said.
CONFIRMED_SLOTS: Final = slot_names(lambda s: s.confirmed)
FREE_TEXT_SLOTS: Final = frozenset(slot_names(lambda s: s.free_text))
PERSONAL_SLOTS: Final = slot_names(lambda s: s.personal)
#: entity -> the list slot it adds to, and entity -> the single-valued slot it sets.
LIST_ENTITY_SLOTS: Final[Mapping[str, str]] = MappingProxyType(
    {s.entity: s.name for s in SLOTS if s.entity and s.kind == "list"})
VALUE_ENTITY_SLOTS: Final[Mapping[str, str]] = MappingProxyType(
    {s.entity: s.name for s in SLOTS if s.entity and s.kind != "list"})


def optional_slots(form: Form) -> frozenset[str]:
    """The questions of `form` that "skip" answers."""
    return frozenset(form_slots(form, lambda s: s.optional))
