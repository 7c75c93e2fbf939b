"""A real running stack (Rasa server, action server, web app) shared by the end-to-end tests."""

from __future__ import annotations

import json
import socket
import tempfile
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.runtime.launcher import Stack, launch_stack

API_TOKEN = "e2e-test-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stack_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "BOT_API_TOKEN": API_TOKEN,
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        # A Tuesday at 10:30 in the office's time zone: business hours.
        "BOT_NOW": "2026-12-01T10:30:00-08:00",
    }
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """The embedded default, as `make run` starts it: the actions run in the Rasa server."""
    with tempfile.TemporaryDirectory(prefix="carrier-advisor-e2e-") as tmp:
        with launch_stack(stack_env(Path(tmp)), log_dir=Path(tmp) / "logs") as running:
            yield running


@pytest.fixture(scope="session")
def http_actions_stack() -> Iterator[Stack]:
    """Rasa server + a separate action server called over HTTP (ACTIONS_MODE=http, as in the
    scaled deployment)."""
    with tempfile.TemporaryDirectory(prefix="carrier-advisor-e2e-http-") as tmp:
        env = stack_env(Path(tmp), ACTIONS_MODE="http")
        with launch_stack(env, services=("actions", "rasa"), log_dir=Path(tmp) / "logs") as running:
            yield running


ACTIONS_MODES = ("inprocess", "http")


@pytest.fixture(params=ACTIONS_MODES)
def stack_in_mode(request: pytest.FixtureRequest) -> Stack:
    """The running stack of each actions mode (ACTIONS_MODE): a test using it runs twice."""
    name = "stack" if request.param == "inprocess" else "http_actions_stack"
    return request.getfixturevalue(name)


class RestClient:
    """Talks to the REST channel like a customer, reads the tracker like an agent's tool."""

    def __init__(self, stack: Stack, sender: str | None = None) -> None:
        self.stack = stack
        self.sender = sender or f"e2e-{uuid.uuid4().hex[:12]}"

    def say(self, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": self.sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.stack.rasa_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def tracker(self) -> dict[str, Any]:
        url = f"{self.stack.rasa_url}/conversations/{self.sender}/tracker?token={API_TOKEN}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def slots(self) -> dict[str, Any]:
        return dict(self.tracker()["slots"])


@pytest.fixture
def customer(stack: Stack) -> RestClient:
    return RestClient(stack)


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)

