"""CI gate on NLU quality: the trained production model on a fixed sample of the held-out set.

No training here: the latest models/*.tar.gz (`make train`, which `make test` runs first; or the
model file NLU_QUALITY_MODEL names) parses
a deterministic, intent-stratified sample of about 120 messages of tests/nlu_eval.yml, scored
by scripts/evaluation.py as `make eval` scores the full set. A regression below 0.90 intent
micro-F1, or below 0.90 F1 for any of the target entities (us_state, service, challenge,
num_locations), fails the build. The full figures and the comparison with Rasa's default
pipeline come from `make eval` (docs/nlu-evaluation.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from scripts.evaluation import (
    TARGET_ENTITIES,
    Example,
    Prediction,
    entity_scores,
    errors,
    evaluate,
    load_examples,
    prediction_from_parse,
    stratified_sample,
)

ROOT = Path(__file__).resolve().parents[2]
EVAL_SET = ROOT / "tests" / "nlu_eval.yml"
SAMPLE_SIZE = 120
MIN_INTENT_F1 = 0.90
MIN_ENTITY_F1 = 0.90


def latest_model() -> Path:
    """NLU_QUALITY_MODEL if set (a model file), else the newest models/*.tar.gz."""
    override = os.environ.get("NLU_QUALITY_MODEL")
    if override:
        path = Path(override)
        if not path.is_file():
            pytest.fail(f"NLU_QUALITY_MODEL={override}: no such model file", pytrace=False)
        return path
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        pytest.fail("no trained model in models/: run `make train` first (make test does)", pytrace=False)
    return models[-1]


@pytest.fixture(scope="module")
def sample() -> list[Example]:
    return stratified_sample(load_examples(EVAL_SET), SAMPLE_SIZE)


@pytest.fixture(scope="module")
def parses(sample: list[Example]) -> list[dict[str, Any]]:
    """The model is loaded once for the module (about 20 s) and parses the whole sample."""
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # not every parse at debug level

    model = latest_model()
    agent = Agent.load(str(model))

    async def parse_all() -> list[dict[str, Any]]:
        return [await agent.parse_message(example.text) for example in sample]

    return asyncio.run(parse_all())


@pytest.fixture(scope="module")
def predictions(parses: list[dict[str, Any]]) -> tuple[str, list[Prediction]]:
    return latest_model().name, [prediction_from_parse(parse) for parse in parses]


def test_the_response_selector_answers_faq_messages_only(
        sample: list[Example], parses: list[dict[str, Any]]) -> None:
    """RetrievalOnlyResponseSelector (config.yml): a message classified `faq` gets its full
    retrieval intent; any other message gets the retrieval-intent list and no prediction."""
    faq = [(e, p) for e, p in zip(sample, parses) if p["intent"]["name"] == "faq"]
    # (nlu_fallback: the selector ran before FallbackClassifier, on what DIET said then.)
    other = [p for p in parses if p["intent"]["name"] not in ("faq", "nlu_fallback")]
    assert len(faq) >= 3 and len(other) >= 50, (len(faq), len(other))
    for example, parse in faq:
        key = parse["response_selector"]["faq"]["response"]["intent_response_key"]
        assert key.startswith("faq/"), (example.text, key)
    right = sum(1 for e, p in faq if p["response_selector"]["faq"]["response"]
                ["intent_response_key"] == e.intent)
    assert right / len(faq) >= 0.8, f"{right} of {len(faq)} faq messages got the right answer"
    for parse in other:
        assert parse["response_selector"] == {"all_retrieval_intents": ["faq"]}, parse


def _show(items: list[Any], limit: int = 15) -> str:
    return "\n".join(
        f"  {e.text[:80]!r}: {e.gold_intent} -> {e.predicted_intent} ({e.confidence:.2f})"
        f" missing {list(e.missing)} extra {list(e.extra)}"
        for e in items[:limit]
    )


def test_sample_is_stratified_and_deterministic(sample: list[Example]) -> None:
    everything = load_examples(EVAL_SET)
    assert sample == stratified_sample(everything, SAMPLE_SIZE)
    assert {e.intent for e in sample} == {e.intent for e in everything}
    assert 100 <= len(sample) <= 140
    for name in TARGET_ENTITIES:
        assert sum(len(e.entities.get(name, ())) for e in sample) >= 5, f"sample has too few {name} values"


def test_intent_micro_f1(sample: list[Example], predictions: tuple[str, list[Prediction]]) -> None:
    model, preds = predictions
    report = evaluate(sample, preds)
    f1 = report["intent"]["micro"]["f1"]
    wrong = [e for e in errors(sample, preds, entity_names=()) if e.gold_intent != e.predicted_intent]
    assert f1 >= MIN_INTENT_F1, (
        f"{model}: intent micro-F1 {f1:.3f} < {MIN_INTENT_F1} on {len(sample)} held-out messages; "
        f"wrong intents:\n{_show(wrong)}"
    )


@pytest.mark.parametrize("entity", TARGET_ENTITIES)
def test_entity_f1(entity: str, sample: list[Example], predictions: tuple[str, list[Prediction]]) -> None:
    model, preds = predictions
    score = entity_scores([e.entities for e in sample], [p.entities for p in preds]).get(entity)
    assert score is not None and score.support, f"no {entity} in the sample"
    wrong = [e for e in errors(sample, preds, entity_names=[entity]) if e.missing or e.extra]
    assert score.f1 >= MIN_ENTITY_F1, (
        f"{model}: {entity} F1 {score.f1:.3f} (P {score.precision:.3f}, R {score.recall:.3f}, "
        f"{score.support} values) < {MIN_ENTITY_F1}; errors:\n{_show(wrong)}"
    )
