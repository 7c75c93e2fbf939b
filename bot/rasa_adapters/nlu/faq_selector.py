"""Rasa's ResponseSelector, run only for the messages that need it.

The stock ResponseSelector runs its model on every message, although its answer is read only
when the message's intent is its retrieval intent (`faq`): Rasa's processor looks it up for a
retrieval intent (`_update_full_retrieval_intent`) and `utter_faq` uses it. On every other
message it was ~8% of the Rasa server's CPU per turn (a py-spy profile under load,
docs/measurements.md). Here it predicts for `faq` messages only; the others get the same
`all_retrieval_intents` list and no prediction, which is all a non-faq message ever used.
Same training, same model, same answers to FAQ questions.
"""

from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RETRIEVAL_INTENTS
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RetrievalOnlyResponseSelector(ResponseSelector):
    """A ResponseSelector that skips messages whose intent is not a retrieval intent."""

    def _needs_selection(self, message: Message) -> bool:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        wanted = [self.retrieval_intent] if self.retrieval_intent else self.all_retrieval_intents
        return intent in wanted

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if self._needs_selection(message):
                super().process([message])
                continue
            properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME, {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.all_retrieval_intents
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages
