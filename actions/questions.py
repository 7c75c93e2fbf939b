"""The questions the forms ask and the fallback prompts, with their text from bot/data/copy.yml."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker_utils import unclear_services
from bot.conversation.wording import Message, default_copy

FORM_SLOTS = (
    "states", "num_locations", "services", "challenges", "employees", "current_carrier",
    "contract_end", "contact_name", "company_name", "email", "phone", "callback_time",
)


def say(dispatcher: CollectingDispatcher, message: Message) -> None:
    dispatcher.utter_message(text=message.text, buttons=[dict(b) for b in message.buttons])


class AskQuestion(Action, ABC):
    """`action_ask_<slot>`: a form asks for `slot`. One subclass per slot, made below."""

    slot: Text = ""

    @abstractmethod  # abstract, so the SDK registers only the per-slot subclasses
    def name(self) -> Text:
        """`action_ask_<slot>`."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        # "internet" as the answer to the services question: ask which, instead of repeating.
        clarify = unclear_services(tracker) if self.slot == "services" else []
        say(dispatcher, clarify[0] if clarify else default_copy().question(self.slot))
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
