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
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any, Callable, Dict, Union

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


def install() -> None:
    """Patch Rasa's action response check and SQLite tracker engine (call once, before the
    server starts)."""
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
