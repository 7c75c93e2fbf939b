"""The questions the forms ask and the fallback prompts, with their text from bot/data/wording/conversation.yml."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import dependencies
from actions.tracker_utils import latest_text
from bot.conversation.clarify import (asks_about_the_options, clarification_question, mark_asked, options_explained,
                                      pending_to_slot, read_pending, which_to_ask)
from bot.conversation.digressions import product_asked_about
from bot.conversation.missed_questions import MissedQuestion, choices_for
from bot.conversation.told_problems import besides_told_question
from bot.conversation.wording import Message, default_copy
from bot.domain.slots import ASKED_SLOTS
from bot.understanding.unreadable import is_unreadable

FORM_SLOTS = ASKED_SLOTS  # every question the forms ask (bot/domain/slots.py)
# What a customer does with a plan: "did you mean ...?" about one of these is worth asking.
PLAN_INTENTS = frozenset({"human_handoff", "email_plan", "change_answer", "ask_why"})


def say(dispatcher: CollectingDispatcher, message: Message) -> None:
    dispatcher.utter_message(text=message.text, buttons=[dict(b) for b in message.buttons])


def say_with_plan_options(dispatcher: CollectingDispatcher, key: Text) -> None:
    """Message `key` with the plan's own options (plan_options' buttons): after the plan, for a
    message that changes nothing in it or that isn't understood."""
    copy = default_copy()
    say(dispatcher, Message(copy.text(key), copy.message("plan_options").buttons))


class AskQuestion(Action, ABC):
    """`action_ask_<slot>`: a form asks for `slot`. One subclass per slot, made below."""

    slot: Text = ""

    @abstractmethod  # abstract, so the SDK registers only the per-slot subclasses
    def name(self) -> Text:
        """`action_ask_<slot>`."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        missed = MissedQuestion.from_slot(tracker.get_slot("missed_question"))
        if missed.shows_choices_for(self.slot):
            # Missed twice: the question as choices (actions/forms.py decided so).
            choices = choices_for(self.slot, handing_off=bool(tracker.get_slot("handoff_reason")))
            if choices is not None:
                say(dispatcher, choices)
                return []
        pending = read_pending(tracker.get_slot("pending_clarifications")) if self.slot == "services" else []
        if pending:
            # "internet": ask which, instead of the services question. The one already asked
            # comes again ("which internet?" answered with the town: the same question, not
            # "which phones?" while "the dedicated one" is still to come); a word said since
            # goes first once the older was asked twice ("internet" in reply to "which
            # phones?" asked twice): it comes back later, not a third time in a row.
            asked = which_to_ask(pending)
            explain = asked.asked > 0 and asks_about_the_options(latest_text(tracker))  # "what's the difference?"
            say(dispatcher, options_explained(asked) if explain else clarification_question(asked))
            return [SlotSet("pending_clarifications", pending_to_slot(mark_asked(pending, asked)))]
        if self.slot == "challenges" and tracker.get_slot("challenges"):
            # asked although filled: a problem or a backup told before it (told_problems.py)
            say(dispatcher, besides_told_question(tracker.get_slot("challenges")))
            return []
        say(dispatcher, default_copy().question(self.slot))
        return []


# Rasa looks each question up by name; the classes differ only in their slot.
def _ask_action(slot: Text) -> type:
    def name(self: AskQuestion) -> Text:
        return f"action_ask_{slot}"

    return type(f"AskFor_{slot}", (AskQuestion,), {"slot": slot, "name": name, "__module__": __name__})


ASK_ACTIONS = {slot: _ask_action(slot) for slot in FORM_SLOTS}


class ActionDefaultAskRephrase(Action):
    """First stage of the two-stage fallback: ask to rephrase."""

    def name(self) -> Text:
        return "action_default_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        say(dispatcher, default_copy().message("ask_rephrase"))
        return []


class ActionOutOfScope(Action):
    """Out of scope: a message nobody could read ("asdf", "...": bot.understanding.unreadable) is
    asked again in other words; a product we don't quote that they asked about is named
    ("I can't help with security cameras"); anything else is told what the assistant is for."""

    def name(self) -> Text:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        message = tracker.latest_message or {}
        product = product_asked_about(message.get("text"), dependencies.vocabulary())
        if is_unreadable(message.get("text"), found_entities=bool(message.get("entities"))):
            say(dispatcher, default_copy().message("ask_rephrase"))
        elif product:
            say(dispatcher, default_copy().message("product_not_quoted", value=product))
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []


class ActionDefaultAskAffirmation(Action):
    """"Did you mean ...?" in plain words, with a button to confirm and one for something else."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        copy = default_copy()
        message = tracker.latest_message or {}
        ranking = [i for i in message.get("intent_ranking") or [] if i.get("name") != "nlu_fallback"]
        if not ranking:
            say(dispatcher, copy.message("ask_rephrase"))
            return []
        intent = ranking[0]["name"]
        if (tracker.get_slot("recommendation") and not tracker.get_slot("requested_slot")
                and intent not in PLAN_INTENTS):
            # After the plan, words we don't understand ("Kim Lee" typed before a button):
            # the plan's options, not "did you mean yes?".
            say_with_plan_options(dispatcher, "plan_not_understood")
            return []
        entities: Dict[Text, List[Any]] = {}
        for entity in message.get("entities") or []:
            if entity.get("role"):
                continue
            entities.setdefault(entity["entity"], []).append(entity.get("value"))
        payload = f"/{intent}" + (json.dumps(entities) if entities else "")
        description = copy.intent_descriptions.get(intent, intent.replace("_", " "))
        dispatcher.utter_message(
            text=copy.message("ask_affirmation", value=description).text,
            buttons=[
                {"title": description[:1].upper() + description[1:], "payload": payload},
                {"title": copy.message("something_else").text, "payload": "/out_of_scope"},
            ],
        )
        return []
