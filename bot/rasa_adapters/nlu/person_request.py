"""Rasa NLU component: `human_handoff` only for words that ask for a person.

Words it has never seen ("spectum", "atnt" typed as the carrier) can make DIET sure of
`human_handoff`, and the rule for a person requested during a form then hands the customer
over though nobody asked. Placed after the intent classifiers and before FallbackClassifier,
this keeps `human_handoff` only when the message reads as a request for a person
(bot.conversation.digressions.requests_person: a question, a person named, "talk to", "call
me", "sales"...); otherwise the next intent of the ranking is the intent. Button payloads
("/human_handoff") do not pass through NLU components.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.digressions import requests_person

HANDOFF = "human_handoff"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class PersonRequestCheck(GraphComponent):
    """Replaces a `human_handoff` intent on words that ask for nobody by the next intent."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "PersonRequestCheck":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != HANDOFF or requests_person(message.get(TEXT)):
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != HANDOFF]
            if not ranking:
                continue
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking + [dict(intent)], add_to_output=True)
        return messages
