"""Form validation: free-text answers to the question just asked, skips, and re-asks.

Entity-based filling already happened in action_validate_slot_mappings; a form only looks
at the requested slot when that turn didn't fill it ("4", "Narnia", "Jane Doe", "skip").
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Dict, FrozenSet, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions import dependencies
from actions.tracker_utils import latest_entities, latest_intent, latest_text, steps_out, unclear_services
from bot.conversation.answer_parsing import parse_answer
from bot.conversation.wording import problem_text
from bot.conversation.slot_updates import slot_for_entity


class QualificationFormValidation(FormValidationAction, ABC):
    """Base for our forms: optional slots can be skipped, everything else is re-asked politely."""

    optional_slots: ClassVar[FrozenSet[str]] = frozenset()

    @abstractmethod  # abstract, so the SDK doesn't register the base class as an action
    def name(self) -> Text:
        """`validate_<form>`."""

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Text]:
        skipped = set(tracker.get_slot("skipped_slots") or [])
        return [s for s in domain_slots if s not in skipped and self.wanted(s, tracker)]

    def wanted(self, slot: Text, tracker: Tracker) -> bool:
        """Hook for slots that are only asked in some situations."""
        return True

    def skippable(self, slot: Text, tracker: Tracker) -> bool:
        """Whether "skip" / "I don't know" is an acceptable answer to this slot."""
        return slot in self.optional_slots

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if steps_out(tracker):
            # No events: the form rejects this turn, so the rule for the digression answers
            # it, and the form asks its question again afterwards.
            return []
        events: List[EventType] = []
        requested: Optional[Text] = tracker.get_slot(REQUESTED_SLOT)
        said_something_else = set(tracker.slots_to_validate()) - {REQUESTED_SLOT}
        said_something_else |= {
            slot for e in latest_entities(tracker) if (slot := slot_for_entity(e.get("entity", "")))
        } - {requested}
        if requested and requested in self.domain_slots(domain):
            if not said_something_else:
                events.extend(self.answer_requested(requested, dispatcher, tracker))
            elif requested not in said_something_else:
                # The customer told us something else ("actually it's 4 offices"): keep it,
                # and keep the form going so it asks its question again.
                events.append(SlotSet(requested, tracker.get_slot(requested)))
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        if next_slot:
            events.append(next_slot)
        return events

    def answer_requested(
        self, slot: Text, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> List[EventType]:
        answer = parse_answer(
            slot, latest_text(tracker), latest_intent(tracker), dependencies.catalog(),
            today=dependencies.settings().now().date(),
        )
        if answer.value is not None:
            return [SlotSet(slot, answer.value)]
        if slot == "services" and unclear_services(tracker):
            # "internet": no "I don't know that service"; the question asks which (questions.py).
            return [SlotSet(slot, tracker.get_slot(slot))]
        if answer.skipped and self.skippable(slot, tracker):
            if answer.problem and answer.problem != "required":
                dispatcher.utter_message(text=problem_text(answer.problem, answer.shown))
            skipped = list(tracker.get_slot("skipped_slots") or [])
            return [SlotSet("skipped_slots", skipped + [slot])]
        dispatcher.utter_message(text=problem_text(answer.problem or "required", answer.shown))
        # Setting the slot to what it was keeps the form active: the question is asked again.
        return [SlotSet(slot, tracker.get_slot(slot))]


class ValidateNeedsForm(QualificationFormValidation):
    """Where the sites are, how many, which services, what hurts; then optional details."""

    optional_slots = frozenset({"challenges", "employees", "current_carrier", "contract_end"})

    def name(self) -> Text:
        return "validate_needs_form"


class ValidateContactForm(QualificationFormValidation):
    """Who to call back; the preferred time only when we promise a callback after hours."""

    optional_slots = frozenset({"company_name", "callback_time"})

    def name(self) -> Text:
        return "validate_contact_form"

    def skippable(self, slot: Text, tracker: Tracker) -> bool:
        # A callback needs a phone number, an emailed plan needs an email; not both.
        if slot == "email":
            return bool(tracker.get_slot("handoff_reason"))
        if slot == "phone":
            return not tracker.get_slot("handoff_reason")
        return super().skippable(slot, tracker)

    def wanted(self, slot: Text, tracker: Tracker) -> bool:
        if slot == "callback_time":
            return bool(tracker.get_slot("after_hours") and tracker.get_slot("handoff_reason"))
        return True
