"""Rate limits for new conversations: per client address (REST) and per channel (REST and
Socket.IO), so anonymous traffic cannot create unbounded leads and Slack posts.

A conversation is "new" when this server has not seen its sender id recently (an LRU of the
last KNOWN_SENDERS ids): an ongoing conversation is never limited. Limits are per server
process (two servers behind HAProxy allow twice as much); over a limit, REST gets 429 with
Retry-After and Socket.IO a short message. REST calls from this machine (loopback: bench,
simulator, tests) are not limited. Set with NEW_CONVERSATIONS_PER_ADDRESS (default 30
per 10 minutes) and NEW_CONVERSATIONS_PER_CHANNEL (default 600 per minute); 0 disables.
Client addresses come from the configured proxies only (SANIC_PROXIES_COUNT), see
bot/web/proxies.py.
"""

from __future__ import annotations

import logging
import os
import time
from collections import OrderedDict, deque
from typing import Any, Callable, Deque, Dict, Optional

logger = logging.getLogger(__name__)

KNOWN_SENDERS = 100_000
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
ADDRESS_WINDOW_S = 600.0
CHANNEL_WINDOW_S = 60.0
BUSY = "Sorry, we are receiving too many new conversations right now. Please try again shortly."


class NewConversationLimiter:
    """Counts new sender ids per key in a sliding window."""

    def __init__(self, per_address: int, per_channel: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_address = per_address
        self.per_channel = per_channel
        self._clock = clock
        self._known: "OrderedDict[str, None]" = OrderedDict()
        self._starts: Dict[str, Deque[float]] = {}

    def _count(self, key: str, window: float, limit: int, now: float) -> bool:
        starts = self._starts.setdefault(key, deque())
        while starts and starts[0] < now - window:
            starts.popleft()
        if len(starts) >= limit:
            return False
        starts.append(now)
        if len(self._starts) > 50_000:  # bound memory under a spray of addresses
            for old in list(self._starts)[:25_000]:
                self._starts.pop(old, None)
        return True

    def allow(self, sender: str, channel: str, address: Optional[str] = None) -> bool:
        """False when `sender` would be a new conversation over a limit."""
        key = f"{channel}\0{sender}"
        if key in self._known:
            self._known.move_to_end(key)
            return True
        now = self._clock()
        if self.per_channel and not self._count(f"c\0{channel}", CHANNEL_WINDOW_S,
                                                 self.per_channel, now):
            return False
        if address and self.per_address and not self._count(f"a\0{address}", ADDRESS_WINDOW_S,
                                                             self.per_address, now):
            return False
        self._known[key] = None
        while len(self._known) > KNOWN_SENDERS:
            self._known.popitem(last=False)
        return True


def _env_int(name: str, default: int) -> int:
    try:
        return max(0, int(os.environ.get(name) or default))
    except ValueError:
        return default


def limiter_from_env() -> NewConversationLimiter:
    return NewConversationLimiter(_env_int("NEW_CONVERSATIONS_PER_ADDRESS", 30),
                                  _env_int("NEW_CONVERSATIONS_PER_CHANNEL", 600))


def install() -> None:
    import rasa.core.run as rasa_run
    from rasa.core.processor import MessageProcessor
    from sanic import response
    from sanic.request import Request

    from bot.rasa_adapters.server.http_guard import REST_PATHS

    limiter = limiter_from_env()
    original_configure_app = rasa_run.configure_app

    async def limit_rest(request: Request) -> Optional[Any]:
        if request.method != "POST" or request.path not in REST_PATHS:
            return None
        try:
            body = request.json
        except Exception:  # noqa: BLE001 - http_guard answers malformed bodies
            return None
        sender = body.get("sender") if isinstance(body, dict) else None
        if not isinstance(sender, str):
            return None
        address = request.remote_addr or request.ip
        if address in LOOPBACK:
            return None  # tools and tests on this machine (bench, simulator, the web app)
        if limiter.allow(sender, "rest", address):
            return None
        logger.warning("new REST conversation refused: rate limit (address %s)", address)
        return response.json({"error": "too many new conversations; try again later"},
                             status=429, headers={"Retry-After": "60"})

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original_configure_app(*args, **kwargs)
        app.register_middleware(limit_rest, "request")
        return app

    rasa_run.configure_app = configure_app

    original_handle_message = MessageProcessor.handle_message

    async def handle_message(self: Any, message: Any) -> Any:
        if message.input_channel == "socketio" and isinstance(message.sender_id, str) \
                and not limiter.allow(message.sender_id, "socketio"):
            logger.warning("new Socket.IO conversation refused: rate limit")
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, BUSY)
            return None
        return await original_handle_message(self, message)

    MessageProcessor.handle_message = handle_message  # type: ignore[method-assign]
