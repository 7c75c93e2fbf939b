"""Each Slack message processed once across every Rasa server: de-duplication in Redis.

Slack retries a delivery it thinks failed, and with SLACK_CHANNEL set a mention arrives twice
(`message` and `app_mention`). Per-process memory (`slack._SeenMessages`) catches that on one
server; behind a load balancer the retry may reach the other server and be answered twice. With
REDIS_URL configured, the first server to `SET key NX EX ttl` a message's key processes it.
If Redis does not answer, the local memory decides (a duplicate answer beats a lost one).
"""

from __future__ import annotations

import logging
import os
from typing import Any, Hashable, Optional

logger = logging.getLogger(__name__)

KEY_PREFIX = "carrier-advisor:slack-seen:"


class RedisSeenMessages:
    """`_SeenMessages` with Redis as the shared memory, and `local` as its fallback."""

    def __init__(self, redis_url: str, local: Any, ttl: float, timeout_s: float = 0.5) -> None:
        import redis

        self.local = local
        self.ttl = int(ttl)
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=timeout_s,
                                           socket_connect_timeout=timeout_s)

    def first_time(self, key: Hashable) -> bool:
        locally_new = self.local.first_time(key)
        try:
            name = KEY_PREFIX + "|".join(str(part) for part in key)  # type: ignore[union-attr]
            return bool(self._redis.set(name, b"1", nx=True, ex=self.ttl))
        except Exception as error:  # noqa: BLE001 - Redis down: this process's memory decides
            logger.warning("Slack de-duplication without Redis (%s)", type(error).__name__)
            return locally_new


def seen_messages(local: Any, ttl: float, redis_url: Optional[str] = None) -> Any:
    """Redis-backed de-duplication when REDIS_URL is set, else `local` itself."""
    url = redis_url if redis_url is not None else os.environ.get("REDIS_URL")
    return RedisSeenMessages(url, local, ttl) if url else local
