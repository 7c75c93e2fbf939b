"""Where our Rasa server spent half its time, made cheap (found with py-spy; docs/deployment.md).

Rasa 3.6 checks every action server response with `jsonschema.validate(result, schema)`
(`RemoteAction._validate_action_result`). That call first validates the *schema* against
the JSON-Schema meta-schema and builds a fresh validator with a fresh `$ref` resolver, every
time: with three custom actions per qualification turn it was 54% of the Rasa process's CPU
under load (`evolve`, `iter_errors`, `urlsplit` in the profile). The schema never changes, so
it is checked once and one validator is reused: the same validation, the same
`ValidationError` (with Rasa's hint appended) for a malformed response.
"""

from __future__ import annotations

import threading
from typing import Any, Dict

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


def install() -> None:
    """Patch `RemoteAction._validate_action_result` (call once, before the server starts)."""
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
