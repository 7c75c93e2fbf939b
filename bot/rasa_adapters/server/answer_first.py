"""A plain answer to the question just asked skips the intent classifier.

Most turns of a qualification conversation answer the question a form just asked ("3",
"Ohio", "jane@acme.io"). For those the form takes the answer whatever intent the classifier
says (bot.conversation.answer_parsing.plain_answer says exactly when), so running the
featurizers, DIET, the response selector and the fallback classifier only costs time: they
were a quarter of the server's CPU per turn (profile in the README, "Speed against a stock
Rasa bot").

For such a message this runs the NLU graph only up to our entity extractor (tokenizer and
extractor: the entities still fill the other slots the customer mentioned) and labels it
`inform` with `answered_by: "answer_parser"` in the parse data, so the tracker, the analytics
and the logs say where the label came from. Every other message, and every message without a
conversation (`POST /model/parse`), goes through the whole pipeline as before. The form's
logic downstream is the same code either way.

`ANSWER_FIRST=0` turns it off (the whole pipeline for every message).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, Optional, Text

from bot.conversation.answer_parsing import plain_answer
from bot.conversation.clarify import read_pending

log = logging.getLogger(__name__)

EXTRACTOR_NODE_MARK = "CarrierAdvisorEntityExtractor"
ANSWERED_BY = "answered_by"
ANSWER_PARSER = "answer_parser"
_installed = False


def enabled() -> bool:
    return os.environ.get("ANSWER_FIRST", "1").strip().lower() not in ("0", "false", "no", "off")


def extractor_node(predict_schema_nodes: Dict[Text, Any]) -> Optional[Text]:
    """The graph node of our entity extractor (its name carries the component's class)."""
    return next((name for name in predict_schema_nodes if EXTRACTOR_NODE_MARK in name), None)


def install() -> None:
    """Wrap `MessageProcessor._parse_message_with_graph` (idempotent)."""
    global _installed
    if _installed or not enabled():
        return
    from rasa.core.processor import MessageProcessor
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.constants import REQUESTED_SLOT
    from rasa.shared.nlu.constants import (ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY,
                                           PREDICTED_CONFIDENCE_KEY, TEXT)

    from bot.base.settings import Settings
    from bot.domain.catalog import load_default_catalog

    original = MessageProcessor._parse_message_with_graph

    def parse_message_with_graph(self: MessageProcessor, message: Any, tracker: Any,
                                 only_output_properties: bool = True) -> Dict[Text, Any]:
        # One lookup per processor (a new model gets a new processor), not one per message.
        try:
            node = self._answer_first_node
        except AttributeError:
            node = self._answer_first_node = extractor_node(self.model_metadata.predict_schema.nodes)
        text = message.text or ""
        try:
            answer = node is not None and plain_answer(
                tracker.active_loop_name, tracker.get_slot(REQUESTED_SLOT), text,
                load_default_catalog(), Settings.from_env().now().date(),
                open_choices=read_pending(tracker.get_slot("pending_clarifications")))
        except Exception:  # noqa: BLE001 - never let the shortcut break a turn: classify instead
            log.exception("answer check failed; classifying the message")
            answer = False
        if not answer:
            return original(self, message, tracker, only_output_properties)
        results = self.graph_runner.run(
            inputs={PLACEHOLDER_MESSAGE: [message], PLACEHOLDER_TRACKER: tracker}, targets=[node])
        parsed = results[node][0]
        parse_data: Dict[Text, Any] = {TEXT: "", ENTITIES: []}
        parse_data.update(parsed.as_dict(only_output_properties=only_output_properties))
        label = {INTENT_NAME_KEY: "inform", PREDICTED_CONFIDENCE_KEY: 1.0}
        parse_data[INTENT] = label
        parse_data[INTENT_RANKING_KEY] = [dict(label)]
        parse_data[ANSWERED_BY] = ANSWER_PARSER
        return parse_data

    MessageProcessor._parse_message_with_graph = parse_message_with_graph
    _installed = True
