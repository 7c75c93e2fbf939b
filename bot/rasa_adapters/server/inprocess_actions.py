"""Custom actions run inside the Rasa server process (ACTIONS_MODE=inprocess, the embedded default).

Rasa 3.6 runs every custom action with `RemoteAction.run`, which POSTs the whole tracker as
JSON to the action server through `action_endpoint.request(json=...)` and reads back
`{"events", "responses"}`. Rasa Pro has `actions_module` for running them in the same
process; open-source 3.6 does not. The narrowest point to change is that one request: here
the action endpoint is an `InProcessActionEndpoint`, whose `request()` hands the same body to
the rasa-sdk `ActionExecutor` (the code the action server runs, `rasa_sdk.endpoint`) and
returns the same answer. Everything around it stays Rasa's: the response schema check, the
responses turned into bot messages, events deserialised, and the error handling.

Errors look exactly as they would over HTTP, so `bot.rasa_adapters.server.outage` treats both
modes alike: an action that rejects itself is a 400 (Rasa's `ActionExecutionRejection`), an
unknown action a 404 and an exception in an action a 500 (the customer gets the outage
apology); an action slower than `ACTION_TIMEOUT_S` times out.

The action call and the answer go through JSON as they would on the wire: the actions get
their own copy of the tracker (they cannot change Rasa's slot values in place), and a value
that could not be sent over HTTP fails here too.

Chosen in endpoints.yml (bot/runtime/deployment.py writes it from ACTIONS_MODE):

    action_endpoint:
      url: http://127.0.0.1:5055/webhook   # where an action server would be
      type: inprocess
      package: actions                      # the rasa-sdk actions package to load
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Optional, Text

from rasa.utils.endpoints import ClientResponseError, EndpointConfig

logger = logging.getLogger(__name__)

INPROCESS_TYPE = "inprocess"
DEFAULT_PACKAGE = "actions"


class InProcessActionEndpoint(EndpointConfig):
    """An action endpoint that runs the rasa-sdk executor in this process."""

    def __init__(self, package: Text = DEFAULT_PACKAGE, url: Optional[Text] = None,
                 **kwargs: Any) -> None:
        super().__init__(url=url or f"{INPROCESS_TYPE}://{package}", **kwargs)
        self.type = INPROCESS_TYPE
        self.package = package
        self._executor: Any = None

    @property
    def executor(self) -> Any:
        """The rasa-sdk executor with every action of the package (imported on first use)."""
        if self._executor is None:
            from rasa_sdk.executor import ActionExecutor

            executor = ActionExecutor()
            executor.register_package(self.package)
            self._executor = executor
        return self._executor

    async def request(self, method: Text = "post", subpath: Optional[Text] = None,
                      content_type: Optional[Text] = "application/json",
                      compress: bool = False, **kwargs: Any) -> Optional[Any]:
        """Run the action call in `kwargs["json"]`; answer as the action server would."""
        from rasa.core.actions import action as rasa_action

        timeout = kwargs.get("timeout") or rasa_action.DEFAULT_REQUEST_TIMEOUT
        # A copy of the call as the action server would decode it.
        action_call = json.loads(json.dumps(kwargs.get("json")))
        return await asyncio.wait_for(self._run(action_call), timeout=timeout)

    async def _run(self, action_call: Any) -> Optional[Any]:
        from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

        if not isinstance(action_call, dict):
            raise ClientResponseError(400, "Bad Request",
                                      json.dumps({"error": "Invalid body request"}))
        try:
            result = await self.executor.run(action_call)
        except ActionExecutionRejection as error:
            logger.debug(error)
            body = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(400, "Bad Request", json.dumps(body)) from error
        except ActionNotFoundException as error:
            logger.error(error)
            body = {"error": error.message, "action_name": error.action_name}
            raise ClientResponseError(404, "Not Found", json.dumps(body)) from error
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the action server's 500
            logger.error("Exception occurred while running action '%s'",
                         action_call.get("next_action"), exc_info=error)
            raise ClientResponseError(500, "Internal Server Error",
                                      json.dumps({"error": str(error)})) from error
        # The answer as it would come back over HTTP (JSON types only).
        return None if result is None else json.loads(json.dumps(result))


def in_process(endpoint: Optional[EndpointConfig]) -> Optional[EndpointConfig]:
    """The action endpoint to use: an `InProcessActionEndpoint` for `type: inprocess`."""
    if endpoint is None or isinstance(endpoint, InProcessActionEndpoint):
        return endpoint
    if (endpoint.type or "").lower() != INPROCESS_TYPE:
        return endpoint
    kwargs = dict(endpoint.kwargs)
    package = kwargs.pop("package", DEFAULT_PACKAGE)
    return InProcessActionEndpoint(package=package, url=endpoint.url, params=endpoint.params,
                                   headers=endpoint.headers, **kwargs)


def install() -> None:
    """Read `type: inprocess` action endpoints as `InProcessActionEndpoint` (call once, before
    the server starts); any other endpoints.yml is left as it is."""
    from rasa.core.utils import AvailableEndpoints

    original = AvailableEndpoints.read_endpoints.__func__  # type: ignore[attr-defined]

    def read_endpoints(cls: Any, endpoint_file: Text) -> Any:
        endpoints = original(cls, endpoint_file)
        endpoints.action = in_process(endpoints.action)
        if isinstance(endpoints.action, InProcessActionEndpoint):
            endpoints.action.executor  # import the actions now, not during a customer's turn
            logger.info("custom actions run in this process (package '%s')",
                        endpoints.action.package)
        return endpoints

    AvailableEndpoints.read_endpoints = classmethod(read_endpoints)  # type: ignore[assignment]
