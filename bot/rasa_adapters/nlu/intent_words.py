"""Rasa NLU component: an intent whose words must say it is believed only when they do.

DIET can be sure and wrong on words it has never seen:
- `human_handoff` for "spectum" or "atnt" typed as the carrier, and the rule for a person
  requested during a form then hands the customer over though nobody asked; it is kept only
  when the message reads as a request for a person (a question, a person named, "talk to",
  "call me", "sales": bot.conversation.digressions.requests_person);
- `goodbye` for a time given as an answer ("end of next summer"), since goodbyes often name
  one ("I'll return next week"); the assistant then said "Thanks for stopping by" in the
  middle of the questions. It is kept only when a word takes leave (says_goodbye); a message
  that opens with a greeting ("Good evening, I'm ...") is then a hello.

Otherwise the next intent of the ranking is the intent. A message nobody could read ("asdf",
"...": bot.understanding.unreadable) is `out_of_scope`, whatever the classifier guessed
(`complain` for "asdf" had handed the customer to a person). And the other way round: a request for
one of us as a sentence of its own among facts ("We have 3 clinics in NC ... Can I talk to
someone?") is `human_handoff`, though the facts make the message read as `inform` to DIET
(asks_for_a_person_among_facts); the facts are kept all the same (actions/slot_extraction.py).
A question about a product the carriers here don't sell, with no facts beside it ("do you do
security cameras?": bot.conversation.digressions.product_asked_about), is `out_of_scope`: DIET
had read such questions as the FAQ on how agents are paid, or as an answer, and said nothing
of the product; action_out_of_scope names it.

Placed after the intent classifiers and before FallbackClassifier. Button payloads
("/human_handoff") do not pass through NLU components.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.digressions import (asks_for_a_person_among_facts, product_asked_about, requests_person,
                                          says_goodbye, says_hello)
from bot.understanding.unreadable import is_unreadable
from bot.understanding.vocabulary import Vocabulary, load_vocabulary

HANDOFF = "human_handoff"
OUT_OF_SCOPE = "out_of_scope"
# Intents an unreadable message keeps: `inform` (a fact the form's question may still take: a
# name, a mistyped carrier) and `out_of_scope` itself. Any other would act on nothing said:
# `complain` hands over to a person, `affirm` says yes, `skip` drops a question.
_READ_AS_IS = frozenset({"inform", OUT_OF_SCOPE})
# Intents that already lead to a person.
_NOT_PROMOTED = frozenset({HANDOFF, "complain"})
# intent -> whether the words say it
WORDS_OF: Mapping[str, Callable[[Optional[str]], bool]] = {
    HANDOFF: requests_person,
    "goodbye": says_goodbye,
}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentWordsCheck(GraphComponent):
    """Replaces an intent of WORDS_OF on words that don't say it by the next intent, and puts
    `human_handoff` first for a request for a person among facts."""

    def __init__(self, vocabulary: Optional[Vocabulary] = None) -> None:
        # read once per loaded model, not per message
        self.vocabulary = vocabulary or load_vocabulary()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "IntentWordsCheck":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._check_words(message)
            name = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if name not in _READ_AS_IS and is_unreadable(message.get(TEXT), found_entities=bool(message.get(ENTITIES))):
                self._put_first(message, OUT_OF_SCOPE, 1.0)
            elif (name not in _NOT_PROMOTED and not message.get(ENTITIES)
                  and product_asked_about(message.get(TEXT), self.vocabulary)):
                self._put_first(message, OUT_OF_SCOPE, 1.0)
        return messages

    def _check_words(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        if name not in _NOT_PROMOTED and asks_for_a_person_among_facts(message.get(TEXT)):
            self._promote_handoff(message, intent)
            return
        says = WORDS_OF.get(name)
        if says is None or says(message.get(TEXT)):
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) not in WORDS_OF
                   or WORDS_OF[r[INTENT_NAME_KEY]](message.get(TEXT))]
        if name == "goodbye" and says_hello(message.get(TEXT)):
            # "Good evening, ..." opening a chat: a hello, at the goodbye's confidence
            ranking = [{INTENT_NAME_KEY: "greet", "confidence": intent.get("confidence", 1.0)}] + [
                r for r in ranking if r.get(INTENT_NAME_KEY) != "greet"]
        if not ranking:
            return
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        kept = {r.get(INTENT_NAME_KEY) for r in ranking}
        dropped = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) not in kept]
        message.set(INTENT_RANKING_KEY, ranking + [dict(r) for r in dropped], add_to_output=True)

    @classmethod
    def _promote_handoff(cls, message: Message, intent: Dict[Text, Any]) -> None:
        """`human_handoff` first, at the confidence the classifier gave its own first intent."""
        cls._put_first(message, HANDOFF, float(intent.get("confidence", 1.0)))

    @staticmethod
    def _put_first(message: Message, name: str, confidence: float) -> None:
        """`name` first at `confidence`; the others scaled into what is left (so
        FallbackClassifier sees no tie to ask about)."""
        ranking = [{**r, "confidence": float(r.get("confidence", 0.0)) * (1.0 - confidence)}
                   for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
        top = {INTENT_NAME_KEY: name, "confidence": confidence}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(top)] + ranking, add_to_output=True)
        selected = message.get("response_selector")
        if isinstance(selected, dict) and selected.get("faq"):
            # no FAQ answer for a message that is no longer an FAQ (RetrievalOnlyResponseSelector's rule)
            message.set("response_selector", {k: v for k, v in selected.items() if k != "faq"}, add_to_output=True)
