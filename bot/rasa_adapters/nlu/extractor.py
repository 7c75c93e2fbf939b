"""Rasa NLU component: entities with canonical values from our spaCy matchers (bot/understanding/extraction.py).

It is not trainable: the vocabulary, gazetteers and carrier catalog are read when the
component is loaded, so a broker's YAML edit takes effect on the next server start
without retraining.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.understanding.extracted_entity import COUNT_ALONE_ROLE, TOWNS_LISTED_ROLE
from bot.understanding.extraction import Extractor, build_default_extractor

NEGATED_ROLE = "negated"
# A count that is the whole reply ("a dozen"): the sites, unless another question was asked.


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class CarrierAdvisorEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Finds US locations, services, challenges, carriers, counts, dates, emails and phones."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """No options: the data files are the configuration."""
        return {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CarrierAdvisorEntityExtractor":
        """Build the component (the extractor itself is built on first use)."""
        return cls(config)

    def __init__(self, config: Dict[Text, Any], extractor: Optional[Extractor] = None) -> None:
        self._config = config
        self._extractor = extractor

    @property
    def extractor(self) -> Extractor:
        if self._extractor is not None:  # given (tests)
            return self._extractor
        return build_default_extractor()  # shared; rebuilt when a data file changes

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their hand annotations; nothing to add."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Add our entities to each message (after any others, never replacing them)."""
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue  # button payloads carry their entities already
            found = []
            for entity in self.extractor.extract(text):
                item: Dict[Text, Any] = {
                    "entity": entity.entity,
                    "value": entity.value,
                    "start": entity.start,
                    "end": entity.end,
                    "confidence": 1.0,
                    "extractor": self.__class__.__name__,
                }
                if entity.negated:
                    item["role"] = NEGATED_ROLE
                elif entity.alone:
                    item["role"] = COUNT_ALONE_ROLE
                elif entity.towns_listed:
                    item["role"] = TOWNS_LISTED_ROLE
                found.append(item)
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages
