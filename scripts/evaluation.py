"""Scoring of NLU predictions against the held-out set (tests/nlu_eval.yml): pure Python.

Used by `make eval` (scripts/eval.py) and the CI gate (tests/e2e/test_nlu_quality.py). No
Rasa import here: the parse results of a model are turned into `Prediction`s by
`prediction_from_parse`, which only reads the plain dict Rasa returns.

How things are scored (docs/nlu-evaluation.md says the same for readers):

- Intents: one label per message, the classifier's own top intent. FallbackClassifier's
  `nlu_fallback` is not a label: the intent under it (next in the ranking) is scored, and the
  fallback is judged separately by the threshold analysis. Retrieval intents are scored at
  full depth (`faq/what_is_clec`): the response selector's `intent_response_key` for the
  predicted retrieval intent (its own selector, else the `default` one). Per-label precision,
  recall, F1; micro (= accuracy for single-label data) and macro averages.
- Entities: per message and entity name, the set of canonical values (gold from the eval set,
  predicted from the parse, values compared as case-folded strings, so 3 == "3"); entities with
  the role "negated" ("Tacoma, not Seattle") are not predictions of a value. True positives
  are the intersection, false positives and negatives the differences, summed per entity name.
  Overall micro figures pool every entity name (or a chosen subset).
- Worst errors: messages ranked by severity = (1 + confidence) for a wrong intent, plus 0.5
  per wrong or missing entity value.
- Threshold: see `choose_threshold`.
"""

from __future__ import annotations

import functools

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from bot.understanding.extracted_entity import COUNT_ALONE_ROLE

FALLBACK_INTENT = "nlu_fallback"
NEGATED_ROLE = "negated"
# The entity names of the targets (states, services, challenges, num_locations).
TARGET_ENTITIES = ("us_state", "service", "challenge", "num_locations")

ValueSets = dict[str, frozenset[str]]


def canonical(value: Any) -> str:
    """Values compare as trimmed, case-folded strings: 3 == "3", "WA" == "wa"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().casefold()


@functools.lru_cache(maxsize=None)
def _carrier_name(value: str) -> str:
    """A carrier as the catalog names it (CONTRACT: "carrier name as in the catalog"), so that an
    annotator's "cox" or "Spectrum" meets the extractor's "Cox Business" or "Spectrum Enterprise";
    a name the catalog does not know stays as written."""
    from bot.domain.catalog import load_default_catalog

    carrier = load_default_catalog().resolve(value)
    return canonical(carrier.name if carrier is not None else value)


def _value(name: str, value: Any) -> str:
    return _carrier_name(str(value)) if name == "carrier" else canonical(value)


def value_sets(entities: Union[Mapping[str, Iterable[Any]], Iterable[Mapping[str, Any]], None]) -> ValueSets:
    """{"us_state": ["OR"]} (eval format) or Rasa's entity dicts -> {name: frozenset(values)}.

    Rasa entity dicts with role "negated" are dropped (a value the customer rules out), and so
    are counts alone ("12" with nothing said of what it counts): the question asked decides what
    they count (bot.conversation.slot_updates), and a message scored alone was asked nothing."""
    out: dict[str, set[str]] = defaultdict(set)
    if not entities:
        return {}
    if isinstance(entities, Mapping):
        for name, values in entities.items():
            for value in values or ():
                out[str(name)].add(_value(str(name), value))
    else:
        for entity in entities:
            if entity.get("role") in (NEGATED_ROLE, COUNT_ALONE_ROLE):
                continue
            if entity.get("value") is None or not entity.get("entity"):
                continue
            out[str(entity["entity"])].add(_value(str(entity["entity"]), entity["value"]))
    return {name: frozenset(values) for name, values in out.items() if values}


@dataclass(frozen=True)
class Example:
    """One held-out message with its gold intent and canonical entity value sets."""

    text: str
    intent: str
    entities: ValueSets = field(default_factory=dict)


@dataclass(frozen=True)
class Prediction:
    """What a model made of one message."""

    text: str
    intent: str
    confidence: float
    entities: ValueSets = field(default_factory=dict)
    # (intent, confidence) best first, nlu_fallback removed; used for the ambiguity check.
    ranking: tuple[tuple[str, float], ...] = ()
    fallback: bool = False  # the model's own FallbackClassifier fired


def load_examples(path: Union[str, Path]) -> list[Example]:
    """Read tests/nlu_eval.yml (version 1: examples of text, intent, entities)."""
    import yaml

    with Path(path).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("examples"), list):
        raise ValueError(f"{path}: expected `version: 1` and a list of `examples`")
    return [
        Example(str(item["text"]), str(item["intent"]), value_sets(item.get("entities") or {}))
        for item in data["examples"]
    ]


def stratified_sample(examples: Sequence[Example], size: int, seed: int = 7) -> list[Example]:
    """A deterministic sample of about `size` examples with every intent in proportion
    (at least 2 of each where available), in the eval file's order."""
    by_intent: dict[str, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        by_intent[example.intent].append(index)
    if size >= len(examples):
        return list(examples)
    rng = random.Random(seed)
    chosen: list[int] = []
    total = len(examples)
    for intent in sorted(by_intent):
        indices = by_intent[intent]
        take = min(len(indices), max(2, round(size * len(indices) / total)))
        chosen.extend(rng.sample(indices, take))
    return [examples[i] for i in sorted(chosen)]


# ---- parse results ------------------------------------------------------------------------------


def full_intent(parse: Mapping[str, Any], intent: str) -> str:
    """`faq` -> `faq/what_is_clec` through the response selector's output, where it has one."""
    selectors = parse.get("response_selector") or {}
    if not isinstance(selectors, Mapping):
        return intent
    retrieval = selectors.get("all_retrieval_intents") or []
    if intent not in retrieval and intent not in selectors:
        return intent
    selector = selectors.get(intent) or selectors.get("default") or {}
    key = ((selector.get("response") or {}).get("intent_response_key")) if isinstance(selector, Mapping) else None
    if isinstance(key, str) and key.startswith(intent + "/"):
        return key
    return intent


def prediction_from_parse(parse: Mapping[str, Any]) -> Prediction:
    """A Rasa parse result (`Agent.parse_message`) -> Prediction, nlu_fallback looked through."""
    top = parse.get("intent") or {}
    ranking = [
        (str(item.get("name")), float(item.get("confidence") or 0.0))
        for item in parse.get("intent_ranking") or []
        if item.get("name") and item.get("name") != FALLBACK_INTENT
    ]
    fallback = top.get("name") == FALLBACK_INTENT
    if ranking:
        intent, confidence = ranking[0]
    elif top.get("name") and not fallback:
        intent, confidence = str(top["name"]), float(top.get("confidence") or 0.0)
    else:
        intent, confidence = FALLBACK_INTENT, 0.0
    return Prediction(
        text=str(parse.get("text") or ""),
        intent=full_intent(parse, intent),
        confidence=confidence,
        entities=value_sets(parse.get("entities") or []),
        ranking=tuple(ranking),
        fallback=fallback,
    )


# ---- precision / recall / F1 ------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else (1.0 if not self.fp else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "support": self.support, "tp": self.tp, "fp": self.fp, "fn": self.fn,
        }


ZERO = Score(0, 0, 0)


def micro(scores: Iterable[Score]) -> Score:
    total = ZERO
    for score in scores:
        total = total + score
    return total


def macro_f1(scores: Mapping[str, Score]) -> dict[str, float]:
    """Unweighted mean of per-label precision, recall and F1 (labels with support or predictions)."""
    items = [s for s in scores.values() if s.support or s.fp]
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    return {
        "precision": round(sum(s.precision for s in items) / len(items), 4),
        "recall": round(sum(s.recall for s in items) / len(items), 4),
        "f1": round(sum(s.f1 for s in items) / len(items), 4),
    }


def intent_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Score]:
    """Per intent label: a wrong prediction is a false negative of the gold label and a
    false positive of the predicted one."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, predicted):
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            fp[p] += 1
    labels = sorted(set(gold) | set(predicted))
    return {label: Score(tp[label], fp[label], fn[label]) for label in labels}


def entity_scores(gold: Sequence[ValueSets], predicted: Sequence[ValueSets]) -> dict[str, Score]:
    """Per entity name, (name, canonical value) set matching per message, summed."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, predicted):
        for name in set(g) | set(p):
            gs, ps = g.get(name, frozenset()), p.get(name, frozenset())
            tp[name] += len(gs & ps)
            fp[name] += len(ps - gs)
            fn[name] += len(gs - ps)
    return {name: Score(tp[name], fp[name], fn[name]) for name in sorted(set(tp) | set(fp) | set(fn))}


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """(labels, matrix) with matrix[i][j] = messages of gold label i predicted as label j."""
    labels = sorted(set(gold) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted):
        matrix[index[g]][index[p]] += 1
    return labels, matrix


# ---- errors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Error:
    text: str
    gold_intent: str
    predicted_intent: str
    confidence: float
    missing: tuple[str, ...]  # "service=pri"
    extra: tuple[str, ...]
    severity: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "gold_intent": self.gold_intent, "predicted_intent": self.predicted_intent,
            "confidence": round(self.confidence, 4), "missing": list(self.missing), "extra": list(self.extra),
            "severity": round(self.severity, 4),
        }


def errors(examples: Sequence[Example], predictions: Sequence[Prediction],
           entity_names: Optional[Iterable[str]] = None) -> list[Error]:
    """Every message with a wrong intent or entity value, worst first (see module docstring)."""
    only = set(entity_names) if entity_names is not None else None
    out = []
    for example, prediction in zip(examples, predictions):
        names = set(example.entities) | set(prediction.entities)
        if only is not None:
            names &= only
        missing, extra = [], []
        for name in sorted(names):
            gs, ps = example.entities.get(name, frozenset()), prediction.entities.get(name, frozenset())
            missing += [f"{name}={v}" for v in sorted(gs - ps)]
            extra += [f"{name}={v}" for v in sorted(ps - gs)]
        wrong = prediction.intent != example.intent
        if not wrong and not missing and not extra:
            continue
        severity = (1.0 + prediction.confidence if wrong else 0.0) + 0.5 * (len(missing) + len(extra))
        out.append(Error(example.text, example.intent, prediction.intent, prediction.confidence,
                         tuple(missing), tuple(extra), severity))
    out.sort(key=lambda e: (-e.severity, e.text))
    return out


# ---- the whole report ---------------------------------------------------------------------------


def evaluate(examples: Sequence[Example], predictions: Sequence[Prediction], worst: int = 20) -> dict[str, Any]:
    """Intent and entity figures, confusion matrix and worst errors as one JSON-able dict."""
    if len(examples) != len(predictions):
        raise ValueError("one prediction per example expected")
    gold_intents = [e.intent for e in examples]
    # A set may label a retrieval intent without its response key ("faq", sealed v3): then any
    # "faq/..." prediction is that label.
    predicted_intents = [g if "/" not in g and p.intent.startswith(g + "/") else p.intent
                         for g, p in zip(gold_intents, predictions)]
    by_intent = intent_scores(gold_intents, predicted_intents)
    by_entity = entity_scores([e.entities for e in examples], [p.entities for p in predictions])
    intent_micro = micro(by_intent.values())
    targets = micro(by_entity.get(name, ZERO) for name in TARGET_ENTITIES)
    labels, matrix = confusion(gold_intents, predicted_intents)
    all_errors = errors(examples, predictions)
    return {
        "messages": len(examples),
        "intent": {
            "accuracy": round(sum(g == p for g, p in zip(gold_intents, predicted_intents)) / max(1, len(examples)), 4),
            "micro": intent_micro.as_dict(),
            "macro": macro_f1(by_intent),
            "labels": {label: score.as_dict() for label, score in by_intent.items()},
        },
        "entity": {
            "micro": micro(by_entity.values()).as_dict(),
            "macro": macro_f1(by_entity),
            "targets_micro": targets.as_dict(),
            "labels": {name: score.as_dict() for name, score in by_entity.items()},
        },
        "confusion": {"labels": labels, "matrix": matrix},
        "errors": len(all_errors),
        "worst_errors": [e.as_dict() for e in all_errors[:worst]],
    }


# ---- confidence threshold -------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdStats:
    threshold: float
    fallback_rate: float  # messages sent to "did you mean ...?"
    needless_fallback_rate: float  # of those, the ones the classifier had right
    wrong_confident_rate: float  # wrong and above the threshold: the bot acts on a wrong guess
    correct_or_fallback: float  # right and accepted, or wrong and caught

    def as_dict(self) -> dict[str, float]:
        return {k: round(getattr(self, k), 4) for k in
                ("threshold", "fallback_rate", "needless_fallback_rate", "wrong_confident_rate", "correct_or_fallback")}


def falls_back(prediction: Prediction, threshold: float, ambiguity: float) -> bool:
    """FallbackClassifier's rule: top confidence below threshold, or top two closer than
    ambiguity_threshold."""
    if prediction.confidence < threshold:
        return True
    if len(prediction.ranking) >= 2 and prediction.ranking[0][1] - prediction.ranking[1][1] < ambiguity:
        return True
    return False


def threshold_stats(examples: Sequence[Example], predictions: Sequence[Prediction], threshold: float,
                    ambiguity: float = 0.1) -> ThresholdStats:
    n = max(1, len(examples))
    fallback = needless = wrong_confident = good = 0
    for example, prediction in zip(examples, predictions):
        right = prediction.intent == example.intent
        caught = falls_back(prediction, threshold, ambiguity)
        fallback += caught
        needless += caught and right
        wrong_confident += (not caught) and (not right)
        good += (right and not caught) or (caught and not right)
    return ThresholdStats(threshold, fallback / n, needless / n, wrong_confident / n, good / n)


def choose_threshold(examples: Sequence[Example], predictions: Sequence[Prediction], ambiguity: float = 0.1,
                     max_wrong_confident: float = 0.02, grid: Optional[Sequence[float]] = None) -> dict[str, Any]:
    """The FallbackClassifier threshold from held-out predictions.

    Rule, on a grid of 0.05 steps (0.05..0.95), with FallbackClassifier's ambiguity check applied:
    1. if some thresholds keep wrong-and-confident answers at or below `max_wrong_confident` of
       all messages, the best are those of them with the fewest needless fallbacks;
    2. otherwise the best are those with the highest correct-or-fallback accuracy (right and
       accepted, or wrong and sent to "did you mean ...?").
    The best thresholds form ranges of neighbouring grid points; the chosen one is the middle of
    the widest, so a small shift of the model's confidences on new messages does not push it off
    the range. A configured threshold inside a best range does as well as the chosen one on this
    data (`in_best_range`) and need not change.
    """
    grid = sorted(grid) if grid is not None else [round(0.05 * k, 2) for k in range(1, 20)]
    table = [threshold_stats(examples, predictions, t, ambiguity) for t in grid]
    meeting = [row for row in table if row.wrong_confident_rate <= max_wrong_confident + 1e-12]
    if meeting:
        fewest = min(row.needless_fallback_rate for row in meeting)
        best = [row for row in meeting if row.needless_fallback_rate <= fewest + 1e-12]
        rule = f"fewest needless fallbacks with wrong-and-confident <= {max_wrong_confident:.0%}"
    else:
        top = max(row.correct_or_fallback for row in table)
        best = [row for row in table if row.correct_or_fallback >= top - 1e-12]
        rule = (f"highest correct-or-fallback accuracy (no threshold keeps wrong-and-confident "
                f"<= {max_wrong_confident:.0%})")
    best_ids = {id(row) for row in best}
    runs: list[list[ThresholdStats]] = []
    for row in table:  # runs of neighbouring grid points that are all among the best
        if id(row) not in best_ids:
            continue
        if runs and table.index(runs[-1][-1]) == table.index(row) - 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    run = max(runs, key=len)  # the widest run (the first of equally wide ones)
    middle = (run[0].threshold + run[-1].threshold) / 2
    chosen = min(run, key=lambda row: (round(abs(row.threshold - middle), 6), row.threshold))
    return {
        "threshold": chosen.threshold,
        "rule": rule,
        "best_range": [run[0].threshold, run[-1].threshold],
        "best_ranges": [[r[0].threshold, r[-1].threshold] for r in runs],
        "ambiguity_threshold": ambiguity,
        "max_wrong_confident": max_wrong_confident,
        "chosen": chosen.as_dict(),
        "table": [row.as_dict() for row in table],
    }


def as_good_as_chosen(examples: Sequence[Example], predictions: Sequence[Prediction], choice: Mapping[str, Any],
                      threshold: float) -> bool:
    """Whether `threshold` (say, the one in config.yml) does as well as the chosen one by the
    rule that chose it: then there is no measured reason to change it."""
    stats = threshold_stats(examples, predictions, threshold, choice["ambiguity_threshold"])
    chosen = choice["chosen"]
    if choice["rule"].startswith("fewest"):
        return (stats.wrong_confident_rate <= choice["max_wrong_confident"] + 1e-12
                and stats.needless_fallback_rate <= chosen["needless_fallback_rate"] + 1e-4)
    return stats.correct_or_fallback >= chosen["correct_or_fallback"] - 1e-4
