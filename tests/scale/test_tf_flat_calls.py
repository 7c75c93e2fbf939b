"""DIET and TED predict through FlatCall once traced (bot/rasa_adapters/server/perf.py): the
same concrete function, without TensorFlow's per-call input canonicalisation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from bot.rasa_adapters.server.perf import FlatCall, install_flat_calls  # noqa: E402


def traced() -> Any:
    specs = [tf.TensorSpec([None, 3], tf.float32), tf.TensorSpec([None], tf.int64)]

    def step(batch: Any) -> dict[str, Any]:
        features, ids = batch
        return {"scores": tf.reduce_sum(features, axis=1) * tf.cast(ids, tf.float32),
                "diagnostic": {"ids": ids + 1}}

    return tf.function(step, input_signature=[specs])


def test_flat_call_gives_what_the_function_gives() -> None:
    function = traced()
    batch = (np.arange(6, dtype=np.float64).reshape(2, 3), np.array([2, 3]))
    expected = function(batch)
    flat = FlatCall(function)
    got = flat(batch)
    np.testing.assert_allclose(got["scores"].numpy(), expected["scores"].numpy())
    np.testing.assert_array_equal(got["diagnostic"]["ids"].numpy(), [3, 4])
    assert got["scores"].dtype == tf.float32  # cast to the signature's dtype, as TF does


def test_a_batch_that_does_not_fit_goes_through_the_function() -> None:
    calls: list[Any] = []
    function = traced()

    class Spy:
        input_signature = function.input_signature

        def get_concrete_function(self) -> Any:
            return function.get_concrete_function()

        def __call__(self, batch: Any) -> Any:
            calls.append(batch)
            return "through the function"

    flat = FlatCall(Spy())
    assert flat((np.zeros(3), np.array([1]))) == "through the function"  # rank 1, not 2
    assert flat((np.zeros((1, 3)),)) == "through the function"  # one array short
    assert len(calls) == 2


def test_rasa_models_switch_to_flat_calls_after_their_first_prediction(monkeypatch: Any) -> None:
    from rasa.utils.tensorflow.models import RasaModel

    class Model:
        _tf_predict_step: Any = None

    def first_call(self: Any, batch_in: Any) -> Any:
        self._tf_predict_step = traced()  # what Rasa's own first call does
        return {"ok": True}

    # Rasa's method as it is before our server patches it (another test may have patched it)
    monkeypatch.setattr(RasaModel, "_rasa_predict", first_call)
    install_flat_calls()
    wrapped = RasaModel._rasa_predict
    assert wrapped is not first_call and getattr(wrapped, "flat_calls", False)
    install_flat_calls()
    assert RasaModel._rasa_predict is wrapped  # idempotent: wrapped once

    model = Model()
    assert RasaModel._rasa_predict(model, None) == {"ok": True}
    assert isinstance(model._tf_predict_step, FlatCall)
