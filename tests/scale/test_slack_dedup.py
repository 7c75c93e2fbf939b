"""Issue 14: a Slack message retried to another server is answered once (Redis), and with
Redis down each server still de-duplicates on its own."""

from __future__ import annotations

import uuid

from bot.rasa_adapters.channels.slack import SEEN_TTL_S, _SeenMessages
from bot.rasa_adapters.channels.slack_dedup import RedisSeenMessages, seen_messages
from tests.leads.conftest import free_port


def test_two_servers_process_a_retried_message_once(redis_url: str) -> None:
    server_a = seen_messages(_SeenMessages(), SEEN_TTL_S, redis_url=redis_url)
    server_b = seen_messages(_SeenMessages(), SEEN_TTL_S, redis_url=redis_url)
    assert isinstance(server_a, RedisSeenMessages)
    key = ("message", "T0NORTHWIND", "D0123", f"{uuid.uuid4().int % 10**10}.000100")
    assert server_a.first_time(key) is True
    assert server_b.first_time(key) is False  # the retry, on the other server
    assert server_a.first_time(key) is False


def test_without_redis_each_server_still_remembers() -> None:
    local = _SeenMessages()
    seen = seen_messages(local, SEEN_TTL_S, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert seen.first_time(("event", "Ev1")) is True
    assert seen.first_time(("event", "Ev1")) is False
    assert seen_messages(local, SEEN_TTL_S, redis_url="") is local
