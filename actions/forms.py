"""Form validation: free-text answers to the question just asked, skips, and re-asks.

Entity-based filling already happened in action_validate_slot_mappings; a form only looks
at the requested slot when that turn didn't fill it ("4", "Narnia", "Jane Doe", "skip").

The answer to the question just asked outranks the intent classifier: when the question's
parser takes the message, it is the answer ("one" is not goodbye), unless the customer
confidently asks something else (bot/conversation/digressions.py).

No question is asked three times in a row (bot/conversation/missed_questions.py): after two
replies that don't answer it, an optional question is left for the agent with the customer's
words as a note, a required one is offered as choices (buttons, or a person), and when those
are missed too the assistant says it will have an agent look at it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Dict, FrozenSet, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction

from actions import dependencies
from actions.questions import say
from actions.tracker_utils import (answer_to_question, ever_requested, latest_entities, latest_intent, latest_text,
                                   rejected_this_turn, set_this_turn, steps_out, unclear_service_words,
                                   whole_message_answers)
from bot.conversation.answer_parsing import Answer
from bot.conversation.clarify import asks_about_the_options, chosen_option, pending_to_slot, read_pending
from bot.conversation.digressions import (FREE_TEXT_SLOTS, NOT_AN_ANSWER_INTENTS, REASKED_AFTER_INTENTS,
                                          SMALL_TALK_INTENTS)
from bot.conversation.missed_questions import (MissedQuestion, Step, agent_note, choices_for, hands_off,
                                               next_step, with_note)
from bot.conversation.wording import default_copy, problem_text
from bot.conversation.slot_updates import slot_for_entity
from bot.conversation.told_problems import joined, problems_question_due
from bot.domain import slots

MISSED_QUESTION = "missed_question"
PENDING_CLARIFICATIONS = "pending_clarifications"
AGENT_NOTES = "agent_notes"
# What the customer tells us about (not the dialogue's own bookkeeping slots).
FACT_SLOTS = frozenset(slots.slot_names(lambda s: s.group in ("need", "contact")))


class QualificationFormValidation(FormValidationAction, ABC):
    """Base for our forms: optional slots can be skipped, everything else is re-asked politely."""

    optional_slots: ClassVar[FrozenSet[str]] = frozenset()
    #: This form asks "which internet?" questions (bot/conversation/clarify.py) as its own.
    asks_clarifications: ClassVar[bool] = False

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

    def droppable(self, slot: Text, tracker: Tracker) -> bool:
        """Whether the question may stay unanswered after two misses: it is optional, or it
        follows up an answer we have ("which internet?" beside SIP)."""
        return self.skippable(slot, tracker) or bool(tracker.get_slot(slot))

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        requested: Optional[Text] = tracker.get_slot(REQUESTED_SLOT)
        asked = requested if requested in self.domain_slots(domain) else None
        answer = answer_to_question(tracker) if asked else None
        answers = bool(asked and answer and answer.answers(self.skippable(asked, tracker)))
        missed = MissedQuestion.from_slot(tracker.get_slot(MISSED_QUESTION))
        events: List[EventType] = []
        if steps_out(tracker, answers):
            if not rejected_this_turn(tracker):
                # No events: the form rejects this turn, so the rule for the digression answers
                # it, and the form asks its question again afterwards (the branch below).
                return []
            if asked and latest_intent(tracker) in NOT_AN_ANSWER_INTENTS:
                # "asdf" taken as out of scope, "hello?": the rule has replied; a missed answer.
                words = None if answer is not None and answer.said_skip else self.reply_words(tracker)
                missed_now = missed.missed(asked, words)
                events.extend(self.after_miss(asked, missed_now, None, dispatcher, tracker))
            elif asked and latest_intent(tracker) in REASKED_AFTER_INTENTS:
                # A question of theirs was answered and ours comes again: that is one more ask of
                # it, so an unclear reply next changes tack instead of asking a third time.
                events.extend(self.after_miss(asked, missed.missed(asked, None), None, dispatcher, tracker))
            elif asked and missed.slot == asked and missed.choices_offered and self.droppable(asked, tracker):
                # Back from "a person, please" on the choices: the question may now stay open.
                events.extend(self.after_miss(asked, missed, None, dispatcher, tracker))
            elif asked and latest_intent(tracker) == "human_handoff" and not set_this_turn(tracker, "handoff_reason"):
                # A person asked for again while their details are taken (actions/handoff.py
                # said so and promised nothing new): like any digression, one more ask.
                events.extend(self.after_miss(asked, missed.missed(asked, None), None, dispatcher, tracker))
        elif asked and answer is not None:
            events.extend(self.take_reply(asked, answer, missed, dispatcher, tracker))
        elif missed.slot is not None and missed.slot != asked:
            events.append(SlotSet(MISSED_QUESTION, None))
        if any(e.get("event") == "followup" for e in events):
            return events  # handed to a person: the form stops here (SlotSet(requested_slot, None))
        tracker.add_slots(events)
        events.extend(await self.next_question(dispatcher, tracker, domain))
        return events

    # --- the reply to the question just asked ------------------------------------------------

    def take_reply(
        self, slot: Text, answer: Answer, missed: MissedQuestion, dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> List[EventType]:
        """Events for the customer's reply to the question for `slot`."""
        current = tracker.get_slot(slot)
        answered: List[EventType] = [SlotSet(MISSED_QUESTION, None)] if missed.slot else []
        said_else = self.said_something_else(slot, answer, tracker)
        filled_by_entity = slot in said_else
        pending = read_pending(tracker.get_slot(PENDING_CLARIFICATIONS)) if slot == "services" else []
        said_broad = {c.word for c in unclear_service_words(tracker)} if said_else and pending else set()
        if not filled_by_entity and answer.value is None and any(c.asked == 0 and c.word in said_broad for c in pending):
            # "reliable internet that doesn't go down ... also phones": services named in broad
            # words, with a problem beside them. Not a miss: which ones is this turn's question.
            return answered + [SlotSet(slot, current)]
        if said_else and not filled_by_entity and (answer.value is None or slot in FREE_TEXT_SLOTS):
            # The customer told us something else ("actually it's 4 offices"): keep it, and
            # keep the form going so it asks its question again (or changes tack).
            return self.after_miss(slot, missed.missed(slot), None, dispatcher, tracker)
        # An answer the question's parser takes is the answer, whatever else the message
        # seemed to say ("one" with a stray entity is still one site).
        value = None if filled_by_entity else answer.value
        if slot == "services" and value is None and pending and not said_else:
            # "the dedicated one": an option of a which-one question asked (the latest asked
            # need not be the oldest pending: actions/questions.py)
            picks = [chosen_option(latest_text(tracker), c) for c in pending if c.asked]
            picked = next((p for p in picks if p), None)
            value = [picked] if picked else None
        if filled_by_entity or value is not None:
            events = list(answered)
            if value is not None:
                if slot in ("services", "challenges") and current:
                    # "which internet?" adds to SIP; "besides the backup?" adds to need_redundancy
                    value = joined(current, value)
                events.append(SlotSet(slot, value))
            tracker.add_slots(events)
            events += self.resolve_clarifications(tracker)
            tracker.add_slots(events)
            still_open = read_pending(tracker.get_slot(PENDING_CLARIFICATIONS)) if slot == "services" else []
            if any(c.asked for c in still_open):
                # "which internet?" asked, "and SIP" answered: the question was still missed.
                return events + self.after_miss(slot, missed.missed(slot), None, dispatcher, tracker)
            return events
        if pending and any(c.asked == 0 for c in pending):
            # "internet" said just now: no "I don't know that service"; the question of this
            # turn asks which (actions/questions.py).
            return answered + [SlotSet(slot, current)]
        if answer.skipped and self.skippable(slot, tracker):
            if answer.problem and answer.problem != "required":
                dispatcher.utter_message(text=problem_text(answer.problem, answer.shown))
            skipped = list(tracker.get_slot("skipped_slots") or [])
            events = answered + [SlotSet("skipped_slots", skipped + [slot])]
            if answer.problem == "unknown_carrier":
                # "We're with Bob's Telecom": the agent will want the name as they typed it.
                events += self.note_events(tracker, agent_note(slot, [answer.shown]))
            return events
        if answer.said_skip and current and pending:
            # "skip" to "which internet?": keep the services we know; the agent will ask.
            say(dispatcher, default_copy().message("left_for_agent"))
            return answered + self.drop(slot, missed, tracker)
        words = None if answer.said_skip else self.reply_words(tracker)
        if pending and any(c.asked for c in pending) and asks_about_the_options(latest_text(tracker)):
            # "what's the difference?": no "I need that one"; the question comes again with what
            # each option is (actions/questions.py). Still a miss, so it can't go on forever.
            return answered + self.after_miss(slot, missed.missed(slot), None, dispatcher, tracker)
        if slot == "challenges" and current and answer.problem == "unknown_challenge":
            # "Besides that?" (told_problems.py) answered with nothing new we can name ("just
            # the move really", "that's the main one"): they have told what hurts. Asking
            # again would be a loop; their words go to the agent.
            return answered + self.drop(slot, missed.missed(slot, words), tracker)
        problem = (answer.problem or "required", answer.shown)
        return self.after_miss(slot, missed.missed(slot, words), problem, dispatcher, tracker)

    def said_something_else(self, slot: Text, answer: Answer, tracker: Tracker) -> set[Text]:
        """The facts this message gave (slots it set, entities it has), other than an answer
        that is the whole message ("Portland Internet Co" as the company name). Asked for a
        name, a message that corrects other facts ("change the city to Tulsa") is no name."""
        if whole_message_answers(tracker, slot, answer):
            return set()
        said = set(tracker.slots_to_validate()) & FACT_SLOTS
        said |= {
            name for e in latest_entities(tracker) if (name := slot_for_entity(e.get("entity", "")))
        } - {slot}
        return said

    def reply_words(self, tracker: Tracker) -> Optional[Text]:
        """The customer's words worth keeping for the agent (not "hello?", not a button)."""
        text = latest_text(tracker).strip()
        if latest_intent(tracker) in SMALL_TALK_INTENTS or text.startswith("/"):
            return None
        return text or None

    # --- a missed answer ---------------------------------------------------------------------

    def after_miss(
        self, slot: Text, missed: MissedQuestion, problem: Optional[tuple[Text, Text]],
        dispatcher: CollectingDispatcher, tracker: Tracker,
    ) -> List[EventType]:
        """Ask again, or change tack after the second miss (bot/conversation/missed_questions.py).
        `problem`: the re-ask for this reply (code, what the customer typed), if any."""
        handing_off = bool(tracker.get_slot("handoff_reason"))
        step = next_step(missed, droppable=self.droppable(slot, tracker),
                         has_choices=choices_for(slot, handing_off) is not None)
        # Setting the slot to what it was keeps the form active when nothing else changed.
        keep = [SlotSet(slot, tracker.get_slot(slot))]
        if step is Step.ASK_AGAIN:
            if problem:
                dispatcher.utter_message(text=problem_text(*problem))
            return keep + [SlotSet(MISSED_QUESTION, missed.to_slot())]
        if step is Step.OFFER_CHOICES:
            # The question is asked as choices (actions/questions.py), which explain themselves.
            return keep + [SlotSet(MISSED_QUESTION, missed.offering_choices().to_slot())]
        copy = default_copy()
        if step is Step.NOTE_AND_MOVE_ON:
            say(dispatcher, copy.message("noted_for_agent" if missed.replies else "left_for_agent"))
            return self.drop(slot, missed, tracker)
        say(dispatcher, copy.message("agent_will_look"))
        events = self.drop(slot, missed, tracker)
        if hands_off(slot, handing_off):
            events += [
                SlotSet("handoff_reason", dependencies.handoff_policy().fallback_reason),
                SlotSet(REQUESTED_SLOT, None),  # the form stops here
                FollowupAction("action_handoff"),
            ]
        return events

    def drop(self, slot: Text, missed: MissedQuestion, tracker: Tracker) -> List[EventType]:
        """Leave the question for the agent: skip it (or, for "which internet?", forget the
        question), with the customer's words as a note."""
        pending = read_pending(tracker.get_slot(PENDING_CLARIFICATIONS)) if slot == "services" else []
        events: List[EventType] = [SlotSet(MISSED_QUESTION, None)]
        if tracker.get_slot(slot) and pending:
            words = [f"{c.word} (which one?)" for c in pending] + list(missed.replies)
            events.append(SlotSet(PENDING_CLARIFICATIONS, None))
        else:
            words = list(missed.replies)
            skipped = list(tracker.get_slot("skipped_slots") or [])
            events.append(SlotSet("skipped_slots", skipped + [slot] if slot not in skipped else skipped))
            events.append(SlotSet(slot, tracker.get_slot(slot)))
        return events + self.note_events(tracker, agent_note(slot, words))

    def note_events(self, tracker: Tracker, note: Optional[Text]) -> List[EventType]:
        if not note:
            return []
        return [SlotSet(AGENT_NOTES, with_note(tracker.get_slot(AGENT_NOTES), note))]

    # --- "which internet?" -------------------------------------------------------------------

    def resolve_clarifications(self, tracker: Tracker, services: Optional[List[Text]] = None) -> List[EventType]:
        """Forget the "which internet?" questions an answer has settled."""
        before = read_pending(tracker.get_slot(PENDING_CLARIFICATIONS))
        known = services if services is not None else (tracker.get_slot("services") or [])
        after = [c for c in before if not c.resolved_by(known)]
        return [SlotSet(PENDING_CLARIFICATIONS, pending_to_slot(after))] if after != before else []

    # --- the next question -------------------------------------------------------------------

    async def next_question(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """The question to ask next (no event: Rasa asks the first empty required slot)."""
        event = await self.next_requested_slot(dispatcher, tracker, domain)
        if event is not None:
            next_slot = event.get("value")
        else:
            required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
            next_slot = next((s for s in required if tracker.get_slot(s) is None), None)
        if self.clarification_due(tracker, next_slot):
            return [SlotSet(REQUESTED_SLOT, "services")]
        again = self.asked_although_filled(tracker, next_slot, self.domain_slots(domain))
        if again is not None:
            return [SlotSet(REQUESTED_SLOT, again)]
        return [event] if event is not None else []

    def asked_although_filled(self, tracker: Tracker, next_slot: Optional[Text], order: List[Text]) -> Optional[Text]:
        """Hook: a filled slot whose question is still to be asked before `next_slot`."""
        return None

    def clarification_due(self, tracker: Tracker, next_slot: Optional[Text]) -> bool:
        """Ask "which internet?" now: it came up and nothing is asked yet (then it is this
        turn's only question), or its turn has come: the services question is next, or the
        form would otherwise finish without it. A customer who answered something else instead
        ("we're in Tulsa") gets the form's next question, and this one later; a second broad
        word ("internet and phones") waits while the first is unanswered. "What's the
        difference?" gets it again at once, with what each option is."""
        if not self.asks_clarifications:
            return False
        pending = read_pending(tracker.get_slot(PENDING_CLARIFICATIONS))
        if not pending:
            return False
        none_asked = all(c.asked == 0 for c in pending)
        # "what's the difference?": answered now, with the question (actions/questions.py)
        explained = not none_asked and asks_about_the_options(latest_text(tracker))
        return none_asked or explained or next_slot in (None, "services")


class ValidateNeedsForm(QualificationFormValidation):
    """Where the sites are, how many, which services, what hurts; then optional details."""

    optional_slots = slots.optional_slots("needs_form")
    asks_clarifications = True

    def name(self) -> Text:
        return "validate_needs_form"

    def asked_although_filled(self, tracker: Tracker, next_slot: Optional[Text], order: List[Text]) -> Optional[Text]:
        """"What's not working today?" when all we know is the backup asked for
        (bot/conversation/told_problems.py), in the question's own place in the form."""
        slot = "challenges"
        if slot not in order or (next_slot in order and order.index(next_slot) < order.index(slot)):
            return None
        skipped = slot in (tracker.get_slot("skipped_slots") or [])
        # asked and settled; a reply that missed it is asked again, as for any question
        settled = ever_requested(tracker, slot) and MissedQuestion.from_slot(tracker.get_slot(MISSED_QUESTION)).slot != slot
        if problems_question_due(tracker.get_slot(slot), settled, skipped):
            return slot
        return None


class ValidateContactForm(QualificationFormValidation):
    """Who to call back; the preferred time only when we promise a callback after hours."""

    optional_slots = slots.optional_slots("contact_form")

    def name(self) -> Text:
        return "validate_contact_form"

    def skippable(self, slot: Text, tracker: Tracker) -> bool:
        # A callback needs a phone number, an emailed plan needs an email; not both.
        if slot in ("email", "phone"):
            handing_off = bool(tracker.get_slot("handoff_reason"))
            return slot != dependencies.handoff_policy().required_contact(handing_off)
        return super().skippable(slot, tracker)

    def wanted(self, slot: Text, tracker: Tracker) -> bool:
        if slot == "callback_time":
            return dependencies.handoff_policy().asks_callback_time(
                handing_off=bool(tracker.get_slot("handoff_reason")),
                after_hours=bool(tracker.get_slot("after_hours")))
        return True
