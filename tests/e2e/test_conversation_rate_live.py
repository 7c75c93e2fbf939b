"""New-conversation rate limits on a running Rasa server (issue 14: anonymous REST must not
create unbounded leads and Slack posts). The limiter itself is tests/core/test_conversation_rate.py;
here a real server behind one trusted proxy hop sees clients by their X-Forwarded-For address.
"""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from bot.runtime.launcher import Stack, launch_stack
from tests.e2e.conftest import stack_env

PER_ADDRESS = 3


@pytest.fixture(scope="module")
def limited_stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="carrier-advisor-rate-") as tmp:
        env = stack_env(Path(tmp), NEW_CONVERSATIONS_PER_ADDRESS=str(PER_ADDRESS),
                        NEW_CONVERSATIONS_PER_CHANNEL="1000", SANIC_PROXIES_COUNT="1")
        with launch_stack(env, services=("actions", "rasa"), log_dir=Path(tmp) / "logs") as running:
            yield running


def post(stack: Stack, sender: str, message: str,
         client: Optional[str]) -> tuple[int, Any, dict[str, str]]:
    headers = {"Content-Type": "application/json"}
    if client:
        headers["X-Forwarded-For"] = client
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook", method="POST", headers=headers,
        data=json.dumps({"sender": sender, "message": message}).encode())
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read()), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def test_new_conversations_are_limited_per_client_address(limited_stack: Stack) -> None:
    stranger, neighbour = "203.0.113.7", "198.51.100.9"
    senders = [f"rate-{uuid.uuid4().hex[:10]}" for _ in range(PER_ADDRESS + 1)]
    for sender in senders[:PER_ADDRESS]:
        status, replies, _ = post(limited_stack, sender, "hi", stranger)
        assert status == 200 and replies, (status, replies)
    status, body, headers = post(limited_stack, senders[-1], "hi", stranger)
    assert status == 429 and "too many new conversations" in body["error"]
    assert headers.get("Retry-After") == "60"
    # An ongoing conversation of that address is never cut off ...
    status, replies, _ = post(limited_stack, senders[0], "we have 2 offices in Denver", stranger)
    assert status == 200 and replies
    # ... another address is not affected, nor is this machine (the web app, tools).
    status, replies, _ = post(limited_stack, f"rate-{uuid.uuid4().hex[:10]}", "hi", neighbour)
    assert status == 200 and replies
    status, replies, _ = post(limited_stack, f"rate-{uuid.uuid4().hex[:10]}", "hi", None)
    assert status == 200 and replies
