"""The tracker store or the lock store is down: say so, with a status a client can retry on.

Rasa 3.6 logs the exception and answers REST with 200 `[]` (Socket.IO: silence), so the
customer's message looks answered and is lost. Here, when handling a message fails because
PostgreSQL (tracker store) or Redis (lock store) cannot be reached:

- every channel gets an apology on its own output channel (Socket.IO: a `bot_uttered` event);
- REST answers `503` with `Retry-After` and the apology as its body (the contract's list of
  bot messages), so a client or the widget can resend;
- nothing of the message was stored (the turn failed before or while saving the tracker, in
  one transaction), so a resend after the outage appears exactly once.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any, Optional

logger = logging.getLogger(__name__)

APOLOGY = ("Sorry, I can't take your message right now because of a technical problem on our "
           "side. Please send it again in a minute.")
RETRY_AFTER_S = 5
REST_PATHS = frozenset({"/webhooks/rest/webhook", "/webhooks/rest/webhook/"})

# Set per REST request by the request middleware; marked by the agent wrapper (same task).
_outage_in_request: contextvars.ContextVar[Optional[list]] = contextvars.ContextVar(
    "store_outage_in_request", default=None)


def is_store_outage(error: BaseException) -> bool:
    """True for errors that mean the tracker or lock store cannot be reached right now."""
    try:
        from sqlalchemy import exc as sa_exc

        sql = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
               sa_exc.TimeoutError)
    except ImportError:  # pragma: no cover
        sql = ()
    try:
        import redis

        cache = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
    except ImportError:  # pragma: no cover
        cache = ()
    from rasa.core.lock_store import LockError

    seen: set[int] = set()
    current: Optional[BaseException] = error
    while current is not None and id(current) not in seen:  # the cause chain, too
        seen.add(id(current))
        if isinstance(current, sql + cache + (LockError, ConnectionError)):
            return True
        current = current.__cause__ or current.__context__
    return False


def install() -> None:
    import rasa.core.run as rasa_run
    from rasa.core.agent import Agent
    from sanic import response
    from sanic.request import Request

    original_handle_message = Agent.handle_message

    async def handle_message(self: Any, message: Any) -> Any:
        try:
            return await original_handle_message(self, message)
        except Exception as error:  # noqa: BLE001 - only store outages are handled here
            if not is_store_outage(error):
                raise
            logger.error("message not handled, tracker or lock store unavailable: %s",
                         type(error).__name__)
            marks = _outage_in_request.get()
            if marks is not None:
                marks.append(True)
            output = getattr(message, "output_channel", None)
            if output is not None:
                try:
                    await output.send_text_message(message.sender_id, APOLOGY)
                except Exception:  # noqa: BLE001 - best effort
                    logger.debug("could not send the outage apology", exc_info=True)
            return None

    Agent.handle_message = handle_message  # type: ignore[method-assign]

    # Rasa's FailSafeTrackerStore answers a store error by carrying on with an empty tracker in
    # this process's memory: the customer's context is lost and the turn is never stored.
    # An outage is raised instead (and answered above); other errors keep Rasa's behaviour.
    from rasa.core.tracker_store import FailSafeTrackerStore

    for name in ("on_tracker_store_error", "on_tracker_store_retrieve_error"):
        original_hook = getattr(FailSafeTrackerStore, name)

        def hook(self: Any, error: Exception, _original: Any = original_hook) -> None:
            if is_store_outage(error):
                raise error
            _original(self, error)

        setattr(FailSafeTrackerStore, name, hook)

    original_configure_app = rasa_run.configure_app

    async def start_request(request: Request) -> None:
        if request.method == "POST" and request.path in REST_PATHS:
            _outage_in_request.set([])

    async def answer_outage(request: Request, resp: Any) -> Optional[Any]:
        if request.method != "POST" or request.path not in REST_PATHS:
            return None
        marks = _outage_in_request.get()
        if not marks:
            return None
        return response.json([{"recipient_id": None, "text": APOLOGY}], status=503,
                             headers={"Retry-After": str(RETRY_AFTER_S)})

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original_configure_app(*args, **kwargs)
        app.register_middleware(start_request, "request")
        app.register_middleware(answer_outage, "response")
        return app

    rasa_run.configure_app = configure_app
