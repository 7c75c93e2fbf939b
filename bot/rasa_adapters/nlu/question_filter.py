"""Rasa NLU component: no `challenge` entities in questions about carriers, CLECs or us.

"are CLECs cheaper than ILECs", "CLEC vs ILEC reliability", "why a second carrier": the
challenge words are the subject of the question, not the customer's own problem, and the
training and held-out data annotate no challenge there. Placed after the intent classifiers
(and before FallbackClassifier), it removes `challenge` entities from messages whose intent
is one of `intents` (default: the faq retrieval intent and ask_why). Services, carriers and
places are kept ("why Granite for the POTS lines" still names the service).
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class QuestionEntityFilter(GraphComponent):
    """Drops the configured entities from messages classified as the configured intents."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intents": ["faq", "ask_why"], "entities": ["challenge"]}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "QuestionEntityFilter":
        return cls(config)

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._intents = frozenset(config.get("intents") or ())
        self._entities = frozenset(config.get("entities") or ())

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent not in self._intents:
                continue
            entities = message.get(ENTITIES) or []
            kept = [e for e in entities if e.get("entity") not in self._entities]
            if len(kept) != len(entities):
                message.set(ENTITIES, kept, add_to_output=True)
        return messages
