"""scripts.evaluation: the scoring behind `make eval` and the NLU quality gate (no model needed)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scripts.evaluation import (
    FALLBACK_INTENT,
    Example,
    Prediction,
    Score,
    canonical,
    as_good_as_chosen,
    choose_threshold,
    confusion,
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


def test_choose_threshold_under_the_cap_takes_the_middle_of_the_best_range() -> None:
    # 100 messages: 90 right at 0.9, 5 right at 0.62, 5 wrong at 0.3. Every threshold in 0.35..0.6
    # catches the wrong ones and no right one; the middle of that range is chosen.
    examples = [Example(str(i), "a") for i in range(100)]
    predictions = [pred("a", 0.9)] * 90 + [pred("a", 0.62)] * 5 + [pred("b", 0.3)] * 5
    choice = choose_threshold(examples, predictions, max_wrong_confident=0.02)
    assert choice["rule"].startswith("fewest needless fallbacks")
    assert choice["best_range"] == [0.35, 0.6] and choice["best_ranges"] == [[0.35, 0.6]]
    assert choice["threshold"] == 0.45  # 0.475 is the middle: the nearer grid point, the lower on a tie
    assert choice["chosen"]["wrong_confident_rate"] == 0.0
    assert choice["chosen"]["needless_fallback_rate"] == 0.0
    assert len(choice["table"]) == 19
    assert as_good_as_chosen(examples, predictions, choice, 0.4)
    assert as_good_as_chosen(examples, predictions, choice, 0.58)  # between grid points, same outcome
    assert not as_good_as_chosen(examples, predictions, choice, 0.3)  # lets the wrong ones through
    assert not as_good_as_chosen(examples, predictions, choice, 0.7)  # asks the right ones again


def test_choose_threshold_maximises_correct_or_fallback_when_the_cap_is_unreachable() -> None:
    # confidently wrong 10% of the time: no threshold gets under 2%. The 3 unsure right answers
    # (0.5) are best accepted, the 2 unsure wrong ones (0.2) best caught: best range 0.25..0.5.
    examples = [Example(str(i), "a") for i in range(100)]
    predictions = [pred("a", 0.99)] * 85 + [pred("b", 0.99)] * 10 + [pred("a", 0.5)] * 3 + [pred("b", 0.2)] * 2
    choice = choose_threshold(examples, predictions)
    assert choice["rule"].startswith("highest correct-or-fallback")
    assert choice["best_range"] == [0.25, 0.5]
    assert choice["threshold"] == 0.35  # 0.375 is the middle
    assert choice["chosen"]["correct_or_fallback"] == 0.9
    assert as_good_as_chosen(examples, predictions, choice, 0.4)
    assert not as_good_as_chosen(examples, predictions, choice, 0.1)


def test_choose_threshold_picks_the_widest_of_several_best_ranges() -> None:
    # wrong at 0.12 and 0.72, right at 0.68 and 0.99 (no ambiguity: second ranked at 0.0).
    # 0.15..0.65 catches one wrong answer; 0.75..0.95 catches both but asks 0.68 again.
    examples = [Example(str(i), "a") for i in range(4)]
    predictions = [pred("b", 0.12), pred("a", 0.68), pred("b", 0.72), pred("a", 0.99)]
    grid = [0.1, 0.15, 0.2, 0.25, 0.7, 0.75, 0.8]
    choice = choose_threshold(examples, predictions, max_wrong_confident=0.0, grid=grid)
    # under the 0% cap: only 0.75 and 0.8 qualify, both with one needless fallback
    assert choice["best_ranges"] == [[0.75, 0.8]] and choice["threshold"] == 0.75
    loose = choose_threshold(examples, predictions, max_wrong_confident=0.3, grid=grid)
    # under a 30% cap: 0.15..0.25 (one wrong let through, no needless) beat 0.75..0.8
    assert loose["best_ranges"] == [[0.15, 0.25]] and loose["threshold"] == 0.2


def test_choose_threshold_reports_separate_best_ranges() -> None:
    # right at 0.25 (lost from 0.3 up), wrong at 0.35 (caught from 0.4 up): 0.3 is worse than both
    # sides. One confidently wrong answer keeps every threshold above the 2% cap.
    examples = [Example(str(i), "a") for i in range(4)]
    predictions = [pred("b", 0.35), pred("a", 0.25), pred("a", 0.99), pred("b", 0.99)]
    choice = choose_threshold(examples, predictions, grid=[0.5, 0.4, 0.3, 0.2, 0.1])  # any order
    assert choice["best_ranges"] == [[0.1, 0.2], [0.4, 0.5]]
    assert choice["best_range"] == [0.1, 0.2] and choice["threshold"] == 0.1  # first of equally wide, lower on a tie
    assert not as_good_as_chosen(examples, predictions, choice, 0.3)
    assert as_good_as_chosen(examples, predictions, choice, 0.45)


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
