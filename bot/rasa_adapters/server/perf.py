"""Where our Rasa server spent its time, made cheap (found with py-spy; docs/deployment.md).

Rasa 3.6 checks every action server response with `jsonschema.validate(result, schema)`
(`RemoteAction._validate_action_result`). That call first validates the *schema* against
the JSON-Schema meta-schema and builds a fresh validator with a fresh `$ref` resolver, every
time: with three custom actions per qualification turn it was 54% of the Rasa process's CPU
under load (`evolve`, `iter_errors`, `urlsplit` in the profile). The schema never changes, so
it is checked once and one validator is reused: the same validation, the same
`ValidationError` (with Rasa's hint appended) for a malformed response.

The embedded default keeps trackers in a SQLite file (bot/runtime/deployment.py). Rasa opens it with
SQLAlchemy's defaults for SQLite files: a new connection for every read and write (NullPool)
in rollback-journal mode with a full fsync per commit, all blocking the event loop. Here the
tracker store's SQLite engine keeps its connections (QueuePool) in WAL mode with
`synchronous=NORMAL`, as the lead store does: a commit survives a crash of the process; only
an OS crash or power cut can lose the last commits. PostgreSQL URLs are left as they are.

DIET and TED predict through a `tf.function` with a fixed input signature
(`RasaModel._rasa_predict`). TensorFlow 2.12 still canonicalises every call's inputs against
that signature in Python (`_maybe_define_function`: `canonicalize_function_inputs`,
`make_canonicalized_monomorphic_type`) before running the one graph it can run: 10.7 % of the
server's CPU under open-loop load, twice what the graphs themselves took (py-spy, 2026-12-06).
After Rasa's own first call has built the function, `FlatCall` calls its concrete function
directly with the batch's arrays as tensors of the signature's dtypes: the same graph on the
same inputs. A batch that doesn't fit the signature goes through the function as before.
`TF_FLAT_CALLS=0` turns it off.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any, Callable, Dict, Sequence, Union

from bot.base.sqlite_wal import enable_wal

_lock = threading.Lock()
_validator: Any = None


def response_validator() -> Any:
    """The compiled validator of Rasa's action-server response schema (built once)."""
    global _validator
    with _lock:
        if _validator is None:
            from jsonschema.validators import validator_for
            from rasa.core.actions.action import RemoteAction

            schema = RemoteAction.action_response_format_spec()
            cls = validator_for(schema)
            cls.check_schema(schema)
            _validator = cls(schema)
        return _validator


def sqlite_engine_kwargs(url: Union[str, Any]) -> Dict[str, Any]:
    """`create_engine()` kwargs for a SQLite tracker file: pooled, WAL, synchronous=NORMAL
    ({} for anything else, including in-memory SQLite)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import QueuePool

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return {}
    path = parsed.database

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(path, timeout=10, check_same_thread=False)
        enable_wal(connection, 10)
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    return {"creator": connect, "poolclass": QueuePool, "pool_size": 2, "max_overflow": 8}


class FlatCall:
    """Stands in for a traced `tf.function` with an input signature of one list of tensors:
    calls its concrete function without TensorFlow's per-call input canonicalisation."""

    def __init__(self, function: Any) -> None:
        (signature,) = function.input_signature  # Rasa's [list of TensorSpec]
        self.function = function
        self.specs: Sequence[Any] = tuple(signature)
        self.concrete = function.get_concrete_function()

    def fits(self, batch: Sequence[Any]) -> bool:
        return len(batch) == len(self.specs) and all(
            getattr(array, "ndim", -1) == spec.shape.rank for array, spec in zip(batch, self.specs))

    def __call__(self, batch: Sequence[Any]) -> Any:
        if not self.fits(batch):
            return self.function(batch)
        import tensorflow as tf

        tensors = [tf.convert_to_tensor(array, dtype=spec.dtype) for array, spec in zip(batch, self.specs)]
        return self.concrete._call_flat(tensors, self.concrete.captured_inputs)


def flat_calls_enabled() -> bool:
    return os.environ.get("TF_FLAT_CALLS", "1").strip().lower() not in ("0", "false", "no", "off")


def install_flat_calls() -> None:
    """After each model's first prediction (which traces, as Rasa does), predict via FlatCall."""
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel._rasa_predict
    if getattr(original, "flat_calls", False):
        return

    def _rasa_predict(self: Any, batch_in: Any) -> Any:
        outputs = original(self, batch_in)
        step = getattr(self, "_tf_predict_step", None)
        if step is not None and not isinstance(step, FlatCall) and \
                len(getattr(step, "input_signature", None) or ()) == 1:
            self._tf_predict_step = FlatCall(step)
        return outputs

    _rasa_predict.flat_calls = True  # type: ignore[attr-defined]
    RasaModel._rasa_predict = _rasa_predict  # type: ignore[assignment]


def install() -> None:
    """Patch Rasa's action response check, SQLite tracker engine and model calls (call once,
    before the server starts)."""
    import rasa.core.tracker_store as tracker_store
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        try:
            response_validator().validate(result)
            return True
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about "
                f"the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[assignment]

    original_engine_kwargs: Callable[..., Dict[str, Any]] = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> Dict[str, Any]:
        return {**original_engine_kwargs(url), **sqlite_engine_kwargs(url)}

    tracker_store.create_engine_kwargs = create_engine_kwargs
    if flat_calls_enabled():
        install_flat_calls()
