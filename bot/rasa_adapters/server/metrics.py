"""Prometheus metrics of the Rasa server and of the action server (bot.analytics.ops_metrics).

- `install()` (the Rasa server, from `bot.rasa_adapters.server.install`): times every turn
  (`MessageProcessor.handle_message`, by the message's channel), counts action errors (the
  rasa-sdk executor, which also runs the actions in this process with ACTIONS_MODE=inprocess),
  counts lead saves, and mounts `GET /metrics` on the app Rasa's `run` command creates.
- `install_action_server()` (`bot.runtime.action_server`, ACTIONS_MODE=http): action errors and
  lead saves, and `GET /metrics` on rasa_sdk's app (the action server's port).

The database gauges (outbox, handoffs, paused conversations) are on the web app's /metrics only.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from bot.analytics.ops_metrics import (count_action_error, count_lead_saves, mount_metrics,
                                       observe_turn)

_executor_counted = False
_rasa_installed = False
_sdk_installed = False


def count_executor_errors() -> None:
    """Count exceptions of `rasa_sdk.executor.ActionExecutor.run` by action (idempotent). A
    form's validation rejection is normal dialogue, not an error."""
    global _executor_counted
    if _executor_counted:
        return
    from rasa_sdk.executor import ActionExecutor
    from rasa_sdk.interfaces import ActionExecutionRejection

    original = ActionExecutor.run

    @functools.wraps(original)
    async def run(self: Any, action_call: Any) -> Any:
        try:
            return await original(self, action_call)
        except ActionExecutionRejection:
            raise
        except Exception:
            name = action_call.get("next_action") if isinstance(action_call, dict) else None
            count_action_error(name)
            raise

    ActionExecutor.run = run  # type: ignore[method-assign]
    _executor_counted = True


def install() -> None:
    """The Rasa server's metrics (idempotent)."""
    global _rasa_installed
    if _rasa_installed:
        return
    import rasa.core.run as rasa_run
    from rasa.core.processor import MessageProcessor

    original_handle_message = MessageProcessor.handle_message

    async def handle_message(self: Any, message: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original_handle_message(self, message)
        finally:
            observe_turn(getattr(message, "input_channel", None), time.perf_counter() - started)

    MessageProcessor.handle_message = handle_message  # type: ignore[method-assign]

    original_configure_app = rasa_run.configure_app

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original_configure_app(*args, **kwargs)
        mount_metrics(app)
        return app

    rasa_run.configure_app = configure_app
    count_executor_errors()
    count_lead_saves()
    _rasa_installed = True


def install_action_server() -> None:
    """The action server's metrics (idempotent): /metrics on every app rasa_sdk creates."""
    global _sdk_installed
    if _sdk_installed:
        return
    import rasa_sdk.endpoint as endpoint

    original_create_app = endpoint.create_app

    @functools.wraps(original_create_app)
    def create_app(*args: Any, **kwargs: Any) -> Any:
        app = original_create_app(*args, **kwargs)
        mount_metrics(app)
        return app

    endpoint.create_app = create_app
    count_executor_errors()
    count_lead_saves()
    _sdk_installed = True
