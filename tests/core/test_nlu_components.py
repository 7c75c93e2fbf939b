"""The pipeline components of the NLU evaluation work: EntityTypeFeaturizer, QuestionEntityFilter.

Run on Rasa Messages directly, no model trained.
"""

from __future__ import annotations

import os
from typing import Optional

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.understanding.extraction import ENTITIES  # noqa: E402
from bot.rasa_adapters.nlu.entity_featurizer import EntityTypeFeaturizer  # noqa: E402
from bot.rasa_adapters.nlu.question_filter import QuestionEntityFilter  # noqa: E402


@pytest.fixture(scope="module")
def featurize():
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = EntityTypeFeaturizer(EntityTypeFeaturizer.get_default_config())

    def run(text: str) -> Message:
        message = Message.build(text)
        tokenizer.process([message])
        featurizer.process([message])
        return message

    return run


def columns(names: list[str]) -> list[int]:
    return [ENTITIES.index(name) for name in names]


def test_sentence_features_name_the_entities_found(featurize) -> None:
    message = featurize("we have 3 offices in Denver and need SIP")
    sequence, sentence = message.get_sparse_features("text")
    assert sentence.features.shape == (1, len(ENTITIES))
    found = sorted(sentence.features.tocsr().nonzero()[1].tolist())
    assert found == sorted(columns(["num_locations", "city", "us_state", "service"]))
    # token level: "Denver" (token 5) carries city and state, "SIP" (token 8) the service
    dense = sequence.features.toarray()
    assert dense.shape == (9, len(ENTITIES))
    assert dense[5].nonzero()[0].tolist() == sorted(columns(["us_state", "city"]))
    assert dense[8].nonzero()[0].tolist() == columns(["service"])
    assert not dense[0].any()


def test_small_talk_gets_empty_features_of_the_same_size(featurize) -> None:
    sequence, sentence = featurize("thanks a lot").get_sparse_features("text")
    assert sentence.features.shape == (1, len(ENTITIES)) and sentence.features.nnz == 0
    assert sequence.features.shape == (3, len(ENTITIES)) and sequence.features.nnz == 0


def test_training_examples_are_featurized_the_same_way(featurize) -> None:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = EntityTypeFeaturizer(EntityTypeFeaturizer.get_default_config())
    example = Message.build("Tacoma WA", intent="inform")
    data = TrainingData([example])
    tokenizer.process_training_data(data)
    featurizer.process_training_data(data)
    _, sentence = example.get_sparse_features("text")
    assert sorted(sentence.features.tocsr().nonzero()[1].tolist()) == sorted(columns(["us_state", "city"]))


def test_question_filter_drops_challenges_in_questions_only() -> None:
    component = QuestionEntityFilter(QuestionEntityFilter.get_default_config())
    entities = [
        {"entity": "challenge", "value": "high_cost", "start": 0, "end": 1},
        {"entity": "carrier", "value": "Zayo", "start": 2, "end": 3},
    ]
    question = Message(data={"text": "x", "intent": {"name": "faq"}, "entities": list(entities)})
    why = Message(data={"text": "x", "intent": {"name": "ask_why"}, "entities": list(entities)})
    statement = Message(data={"text": "x", "intent": {"name": "inform"}, "entities": list(entities)})
    component.process([question, why, statement])
    assert [e["entity"] for e in question.get("entities")] == ["carrier"]
    assert [e["entity"] for e in why.get("entities")] == ["carrier"]
    assert statement.get("entities") == entities


def test_question_filter_is_configurable_and_leaves_messages_without_intent() -> None:
    component = QuestionEntityFilter({"intents": ["complain"], "entities": ["service"]})
    message = Message(data={"text": "x", "intent": {"name": "complain"},
                            "entities": [{"entity": "service", "value": "sip"}]})
    bare = Message(data={"text": "x", "entities": [{"entity": "challenge", "value": "high_cost"}]})
    component.process([message, bare])
    assert message.get("entities") == []
    assert bare.get("entities") == [{"entity": "challenge", "value": "high_cost"}]


def test_extractor_component_marks_roles(extractor) -> None:  # type: ignore[no-untyped-def]
    """Negated values and counts that are the whole reply carry a role the dialogue reads."""
    from bot.rasa_adapters.nlu.extractor import CarrierAdvisorEntityExtractor

    component = CarrierAdvisorEntityExtractor({}, extractor)
    alone, negated, plain = Message.build("a dozen"), Message.build("not Seattle, Tacoma"), Message.build("/inform")
    component.process([alone, negated, plain])
    assert [(e["entity"], e["value"], e.get("role")) for e in alone.get("entities")] == [("num_locations", 12, "count_alone")]
    assert ("city", "Seattle", "negated") in [(e["entity"], e["value"], e.get("role")) for e in negated.get("entities")]
    assert not plain.get("entities")


def _checked(text: str, ranking: list, entities: Optional[list] = None) -> Message:
    """`text` classified as `ranking` (its first intent on top), after IntentWordsCheck."""
    from bot.rasa_adapters.nlu.intent_words import IntentWordsCheck

    message = Message.build(text)
    if entities:
        message.set("entities", entities)
    message.set("intent", dict(ranking[0]))
    message.set("intent_ranking", ranking)
    IntentWordsCheck().process([message])
    return message


@pytest.mark.parametrize("text, top, intent", [
    ("spectum", "human_handoff", "inform"),  # a carrier mistyped: no request for a person
    ("atnt", "human_handoff", "inform"),
    ("can I talk to someone", "human_handoff", "human_handoff"),
    ("put me through to sales", "human_handoff", "human_handoff"),
    ("around the middle of next spring", "goodbye", "inform"),  # a time given, no leave taken
    ("in a couple of weeks probably", "goodbye", "inform"),
    ("ok thats everything, gotta run", "goodbye", "goodbye"),
    ("I'll come back to it on monday", "goodbye", "goodbye"),
    ("cheers, talk soon", "goodbye", "goodbye"),
    ("good afternoon, I handle the IT here", "goodbye", "greet"),  # opens with a greeting
    ("have a great afternoon", "goodbye", "goodbye"),
])
def test_intents_only_for_words_that_say_them(text: str, top: str, intent: str) -> None:
    ranking = [{"name": top, "confidence": 0.7}, {"name": "inform", "confidence": 0.2},
               {"name": "greet", "confidence": 0.1}]
    message = _checked(text, ranking)
    assert message.get("intent")["name"] == intent
    assert [r["name"] for r in message.get("intent_ranking")][0] == intent
    assert sorted(r["name"] for r in message.get("intent_ranking")) == sorted(r["name"] for r in ranking)


@pytest.mark.parametrize("text, top, intent", [
    ("hjkhjk", "complain", "out_of_scope"),  # a mash is no complaint: no handoff for frustration
    ("llllll", "affirm", "out_of_scope"),  # nor a yes
    ("...", "complain", "out_of_scope"),
    ("qwfp", "skip", "out_of_scope"),
    ("qwfp", "inform", "inform"),  # a fact the question asked may still take (a name)
    ("🙂🙂", "complain", "out_of_scope"),  # a smiley is no complaint (it had been: a handoff for frustration)
    ("ugh", "complain", "complain"),  # a word
    ("?", "skip", "skip"),  # "no idea"
])
def test_a_message_nobody_could_read_does_nothing(text: str, top: str, intent: str) -> None:
    message = _checked(text, [{"name": top, "confidence": 0.8}, {"name": "out_of_scope", "confidence": 0.15},
                              {"name": "greet", "confidence": 0.05}])
    assert message.get("intent")["name"] == intent
    assert message.get("intent_ranking")[0]["name"] == intent
    if intent == "out_of_scope" != top:
        assert message.get("intent")["confidence"] == 1.0  # no tie for FallbackClassifier to ask about
        assert max(r["confidence"] for r in message.get("intent_ranking")[1:]) == 0.0


@pytest.mark.parametrize("text, top, intent, entities", [
    ("does your company offer alarm systems?", "faq", "out_of_scope", None),
    ("could you quote our laptops as well", "inform", "out_of_scope", None),
    ("do you handle printers", "ask_why", "out_of_scope", None),
    ("the cameras run off the same line", "inform", "inform", None),  # said, not asked
    ("can I talk to someone about cameras?", "human_handoff", "human_handoff", None),  # a person asked for
    ("3 shops in Reno, any deal on cell plans?", "inform", "inform",  # the facts are the message
     [{"entity": "num_locations", "value": 3, "start": 0, "end": 1}]),
])
def test_a_question_about_a_product_not_quoted_is_out_of_scope(text: str, top: str, intent: str,
                                                                entities: Optional[list]) -> None:
    message = _checked(text, [{"name": top, "confidence": 0.9}, {"name": "out_of_scope", "confidence": 0.1}],
                       entities=entities)
    assert message.get("intent")["name"] == intent
    if intent == "out_of_scope":
        assert message.get("intent")["confidence"] == 1.0


def test_an_entity_found_makes_a_message_readable() -> None:
    message = _checked("mpls", [{"name": "affirm", "confidence": 0.6}],
                       entities=[{"entity": "service", "value": "mpls", "start": 0, "end": 4}])
    assert message.get("intent")["name"] == "affirm"


def test_a_request_for_a_person_among_facts_is_a_request_for_a_person() -> None:
    from bot.rasa_adapters.nlu.intent_words import IntentWordsCheck

    message = Message.build("Two yoga studios in Tempe, on Cox cable. Can I chat with a rep?")
    message.set("intent", {"name": "inform", "confidence": 0.93})
    message.set("intent_ranking", [{"name": "inform", "confidence": 0.93}, {"name": "human_handoff", "confidence": 0.04}])
    IntentWordsCheck().process([message])
    assert message.get("intent") == {"name": "human_handoff", "confidence": 0.93}
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking] == ["human_handoff", "inform"]
    assert ranking[0]["confidence"] - ranking[1]["confidence"] > 0.5  # no tie for the fallback to ask about


def test_every_goodbye_taught_takes_leave_in_words() -> None:
    """The goodbye examples of the training data all pass the check (none is vetoed)."""
    import yaml

    from bot.conversation.digressions import says_goodbye
    from bot.understanding.nlu_examples import nlu_files

    goodbyes = [line.strip()[2:] for path in nlu_files() for item in yaml.safe_load(path.read_text())["nlu"]
                if item.get("intent") == "goodbye" for line in item["examples"].splitlines() if line.strip()]
    assert len(goodbyes) > 30
    assert [text for text in goodbyes if not says_goodbye(text)] == []
