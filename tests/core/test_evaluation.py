"""bot.evaluation: the scoring behind `make eval` and the NLU quality gate (no model needed)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.evaluation import (
    FALLBACK_INTENT,
    Example,
    Prediction,
    Score,
    canonical,
    choose_threshold,
    confusion,
    differs_materially,
    entity_scores,
    errors,
    evaluate,
    falls_back,
    full_intent,
    intent_scores,
    load_examples,
    macro_f1,
    prediction_from_parse,
    stratified_sample,
    threshold_stats,
    value_sets,
)

ROOT = Path(__file__).resolve().parents[2]


def pred(intent: str, confidence: float = 0.9, entities: dict | None = None, second: float = 0.0) -> Prediction:
    return Prediction("", intent, confidence, value_sets(entities or {}), ((intent, confidence), ("other", second)))


# ---- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, "3"), ("3", "3"), (3.0, "3"), (" WA ", "wa"), ("Salt Lake City", "salt lake city"), ("sdwan", "sdwan")],
)
def test_canonical_values_compare_as_casefolded_strings(value: object, expected: str) -> None:
    assert canonical(value) == expected


def test_value_sets_from_eval_format_and_from_rasa_entities() -> None:
    assert value_sets({"us_state": ["OR", "WA"], "num_locations": [3]}) == {
        "us_state": frozenset({"or", "wa"}), "num_locations": frozenset({"3"})}
    rasa = [
        {"entity": "city", "value": "Olympia", "start": 4, "end": 11},
        {"entity": "city", "value": "Tacoma", "role": "negated"},
        {"entity": "service", "value": "pri"},
        {"entity": "service", "value": "PRI"},  # same value twice
        {"entity": "service", "value": None},
    ]
    assert value_sets(rasa) == {"city": frozenset({"olympia"}), "service": frozenset({"pri"})}
    assert value_sets(None) == {} and value_sets([]) == {}


# ---- parse results -----------------------------------------------------------------------------


def test_prediction_looks_through_nlu_fallback() -> None:
    parse = {
        "text": "hmm",
        "intent": {"name": FALLBACK_INTENT, "confidence": 0.6},
        "intent_ranking": [
            {"name": FALLBACK_INTENT, "confidence": 0.6},
            {"name": "deny", "confidence": 0.4},
            {"name": "skip", "confidence": 0.35},
        ],
        "entities": [],
    }
    p = prediction_from_parse(parse)
    assert (p.intent, p.confidence, p.fallback) == ("deny", 0.4, True)
    assert p.ranking == (("deny", 0.4), ("skip", 0.35))


def test_retrieval_intents_are_scored_at_full_depth() -> None:
    selector = {"response": {"intent_response_key": "faq/what_is_clec", "confidence": 0.8}, "ranking": []}
    ours = {"intent": {"name": "faq", "confidence": 0.9}, "intent_ranking": [{"name": "faq", "confidence": 0.9}],
            "response_selector": {"all_retrieval_intents": ["faq"], "faq": selector}}
    baseline = {**ours, "response_selector": {"all_retrieval_intents": ["faq"], "default": selector}}
    assert prediction_from_parse(ours).intent == "faq/what_is_clec"
    assert prediction_from_parse(baseline).intent == "faq/what_is_clec"
    # a non-retrieval intent stays as it is, whatever the selector says
    assert full_intent({**ours, "intent": {"name": "inform"}}, "inform") == "inform"
    # no usable key: the bare retrieval intent (scored wrong against faq/<sub>)
    assert full_intent({"response_selector": {"all_retrieval_intents": ["faq"], "faq": {}}}, "faq") == "faq"


def test_prediction_without_any_intent() -> None:
    assert prediction_from_parse({"text": "x"}).intent == FALLBACK_INTENT


# ---- scores -----------------------------------------------------------------------------------------


def test_score_arithmetic_and_empty_cases() -> None:
    s = Score(tp=8, fp=2, fn=2)
    assert (s.precision, s.recall, s.support) == (0.8, 0.8, 10)
    assert math.isclose(s.f1, 0.8)
    assert Score(0, 0, 0).f1 == 1.0  # nothing to find, nothing found
    assert Score(0, 3, 0).precision == 0.0 and Score(0, 0, 3).recall == 0.0
    assert Score(1, 2, 3) + Score(4, 5, 6) == Score(5, 7, 9)


def test_intent_scores_count_a_confusion_against_both_labels() -> None:
    gold = ["greet", "greet", "deny", "inform"]
    predicted = ["greet", "deny", "deny", "inform"]
    scores = intent_scores(gold, predicted)
    assert scores["greet"] == Score(1, 0, 1)
    assert scores["deny"] == Score(1, 1, 0)
    assert scores["inform"] == Score(1, 0, 0)
    report = evaluate([Example("", g) for g in gold], [pred(p) for p in predicted])
    assert report["intent"]["accuracy"] == 0.75
    assert report["intent"]["micro"]["f1"] == 0.75  # single-label: micro-F1 == accuracy
    assert report["intent"]["macro"]["f1"] == round((2 / 3 + 2 / 3 + 1) / 3, 4)


def test_entity_scores_are_value_sets_per_message() -> None:
    gold = [value_sets({"us_state": ["OR", "WA"], "service": ["pri"]}), value_sets({"num_locations": [3]}), {}]
    predicted = [value_sets({"us_state": ["OR"], "service": ["pri", "sip"]}), value_sets({"num_locations": ["3"]}),
                 value_sets({"us_state": ["ID"]})]
    scores = entity_scores(gold, predicted)
    assert scores["us_state"] == Score(tp=1, fp=1, fn=1)
    assert scores["service"] == Score(tp=1, fp=1, fn=0)
    assert scores["num_locations"] == Score(tp=1, fp=0, fn=0)


def test_targets_pool_only_the_four_target_entities() -> None:
    examples = [Example("a", "inform", value_sets({"us_state": ["OR"], "carrier": ["Zayo"]}))]
    predictions = [pred("inform", entities={"us_state": ["OR"], "carrier": ["Lumen"]})]
    report = evaluate(examples, predictions)
    assert report["entity"]["targets_micro"]["f1"] == 1.0
    assert report["entity"]["micro"]["f1"] == 0.5


def test_macro_ignores_labels_never_seen_nor_predicted() -> None:
    assert macro_f1({"a": Score(1, 0, 0), "b": Score(0, 0, 0)})["f1"] == 1.0
    assert macro_f1({}) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_confusion_matrix() -> None:
    labels, matrix = confusion(["a", "a", "b"], ["a", "b", "c"])
    assert labels == ["a", "b", "c"]
    assert matrix == [[1, 1, 0], [0, 0, 1], [0, 0, 0]]


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        intent_scores(["a"], [])
    with pytest.raises(ValueError):
        entity_scores([{}], [])
    with pytest.raises(ValueError):
        evaluate([Example("", "a")], [])


# ---- errors -------------------------------------------------------------------------------------


def test_worst_errors_rank_confident_wrong_intents_first() -> None:
    examples = [
        Example("ok", "inform", value_sets({"service": ["pri"]})),
        Example("wrong sure", "greet"),
        Example("wrong unsure", "greet"),
        Example("entities", "inform", value_sets({"service": ["pri"], "us_state": ["OR"]})),
    ]
    predictions = [
        pred("inform", entities={"service": ["pri"]}),
        pred("deny", 0.95),
        pred("deny", 0.30),
        pred("inform", entities={"service": ["sip"]}),
    ]
    found = errors(examples, predictions)
    assert [e.text for e in found] == ["wrong sure", "entities", "wrong unsure"]
    worst = found[1]
    assert worst.missing == ("service=pri", "us_state=or") and worst.extra == ("service=sip",)
    assert worst.severity == 1.5
    only_states = errors(examples, predictions, entity_names=["us_state"])
    assert [e.text for e in only_states] == ["wrong sure", "wrong unsure", "entities"]
    assert only_states[2].missing == ("us_state=or",) and only_states[2].extra == ()
    assert evaluate(examples, predictions, worst=1)["worst_errors"][0]["text"] == "wrong sure"


# ---- threshold ----------------------------------------------------------------------------------


def test_fallback_rule_matches_fallback_classifier() -> None:
    assert falls_back(pred("a", 0.39), 0.4, 0.1)
    assert not falls_back(pred("a", 0.4), 0.4, 0.1)
    assert falls_back(pred("a", 0.55, second=0.5), 0.4, 0.1)  # ambiguous
    assert not falls_back(Prediction("", "a", 0.9), 0.4, 0.1)  # no ranking: no ambiguity check


def test_threshold_stats() -> None:
    examples = [Example(str(i), "a") for i in range(4)]
    predictions = [pred("a", 0.9), pred("a", 0.3), pred("b", 0.8), pred("b", 0.2)]
    s = threshold_stats(examples, predictions, 0.5)
    assert (s.fallback_rate, s.needless_fallback_rate, s.wrong_confident_rate, s.correct_or_fallback) == (0.5, 0.25, 0.25, 0.5)


def test_choose_threshold_takes_the_lowest_that_meets_the_cap() -> None:
    # 100 messages: 90 right with confidence 0.9, 5 right at 0.35, 5 wrong at 0.3 -> the wrong ones
    # are only caught above 0.30; 0.35 is the lowest grid value that catches them all.
    examples = [Example(str(i), "a") for i in range(100)]
    predictions = [pred("a", 0.9)] * 90 + [pred("a", 0.35)] * 5 + [pred("b", 0.3)] * 5
    choice = choose_threshold(examples, predictions, max_wrong_confident=0.02)
    assert choice["threshold"] == 0.35
    assert choice["chosen"]["wrong_confident_rate"] == 0.0
    assert choice["chosen"]["needless_fallback_rate"] == 0.0
    assert len(choice["table"]) == 19


def test_choose_threshold_falls_back_to_best_accuracy_when_the_cap_is_unreachable() -> None:
    examples = [Example(str(i), "a") for i in range(10)]
    predictions = [pred("a", 0.99)] * 7 + [pred("b", 0.99)] * 3  # confidently wrong everywhere
    choice = choose_threshold(examples, predictions)
    assert choice["rule"].startswith("best correct-or-fallback")
    assert choice["threshold"] == 0.05  # ties go to the lowest threshold


def test_differs_materially() -> None:
    assert not differs_materially(0.4, 0.4)
    assert not differs_materially(0.4, 0.43)
    assert differs_materially(0.4, 0.45)
    assert differs_materially(0.6, 0.3)


# ---- the held-out set and its sample --------------------------------------------------------------


def test_load_examples_reads_the_held_out_set() -> None:
    examples = load_examples(ROOT / "tests" / "nlu_eval.yml")
    assert len(examples) >= 300
    first = examples[0]
    assert first.intent == "inform" and "us_state" in first.entities


def test_load_examples_refuses_other_formats(tmp_path: Path) -> None:
    path = tmp_path / "eval.yml"
    path.write_text("nlu: []\n")
    with pytest.raises(ValueError, match="version: 1"):
        load_examples(path)


def test_stratified_sample_is_deterministic_and_covers_every_intent() -> None:
    examples = load_examples(ROOT / "tests" / "nlu_eval.yml")
    sample = stratified_sample(examples, 120)
    assert sample == stratified_sample(examples, 120)
    assert 110 <= len(sample) <= 135
    assert {e.intent for e in sample} == {e.intent for e in examples}
    share = sum(e.intent == "inform" for e in sample) / len(sample)
    full = sum(e.intent == "inform" for e in examples) / len(examples)
    assert abs(share - full) < 0.05
    assert stratified_sample(examples[:5], 120) == examples[:5]


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abcd")), min_size=1, max_size=40))
def test_micro_f1_is_accuracy_for_single_label_data(pairs: list[tuple[str, str]]) -> None:
    gold, predicted = [g for g, _ in pairs], [p for _, p in pairs]
    scores = intent_scores(gold, predicted)
    total = Score(0, 0, 0)
    for score in scores.values():
        total = total + score
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    assert math.isclose(total.f1, accuracy)
    assert sum(sum(row) for row in confusion(gold, predicted)[1]) == len(pairs)
