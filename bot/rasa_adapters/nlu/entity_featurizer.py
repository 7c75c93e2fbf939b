"""Rasa NLU featurizer: which kinds of entity our spaCy extractor finds, as intent features.

"denver", "tx", "a pair of DS1s", "we buy internet from cogent": short messages that are
facts about the business, but whose words alone look like small talk or a question to the
intent classifier. This component runs the same extractor as CarrierAdvisorEntityExtractor
(bot/understanding/extraction.py) on every text, in training and at run time alike, and gives DIET one
sparse feature per entity name (us_state, city, service, carrier, ...): on the tokens the
entity covers and for the whole message. Measured on the held-out set (docs/nlu-evaluation.md).

Not trainable: the feature dimensions are the fixed entity names of bot.understanding.extraction.ENTITIES.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.understanding.extraction import ENTITIES, Extractor, build_default_extractor

_INDEX = {name: k for k, name in enumerate(ENTITIES)}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class EntityTypeFeaturizer(SparseFeaturizer, GraphComponent):
    """One feature per entity name our extractor finds in the text."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SparseFeaturizer.get_default_config()}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        """No options to check."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EntityTypeFeaturizer":
        return cls(config, execution_context.node_name)

    def __init__(self, config: Dict[Text, Any], name: Text = "EntityTypeFeaturizer",
                 extractor: Optional[Extractor] = None) -> None:
        super().__init__(name, config)
        self._extractor = extractor

    @property
    def extractor(self) -> Extractor:
        if self._extractor is not None:  # given (tests)
            return self._extractor
        return build_default_extractor()  # shared; rebuilt when a data file changes

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._featurize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def _featurize(self, message: Message) -> None:
        text = message.get(TEXT)
        tokens = message.get(TOKENS_NAMES[TEXT], [])
        if not text or not tokens:
            return
        sequence = np.zeros((len(tokens), len(ENTITIES)))
        sentence = np.zeros((1, len(ENTITIES)))
        if not text.startswith("/"):  # button payloads: intent given, nothing to extract
            for entity in self.extractor.extract(text):
                column = _INDEX.get(entity.entity)
                if column is None:
                    continue
                sentence[0, column] = 1.0
                for row, token in enumerate(tokens):
                    if token.start < entity.end and entity.start < token.end:
                        sequence[row, column] = 1.0
        self.add_features_to_message(
            scipy.sparse.coo_matrix(sequence), scipy.sparse.coo_matrix(sentence), TEXT, message
        )
