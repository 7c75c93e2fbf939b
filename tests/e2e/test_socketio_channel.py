"""The widget's channel (Socket.IO) answers only turns that are saved.

Rasa 3.6's channel emitted each reply as soon as an action uttered it and saved the tracker
afterwards, so a server killed in between left a customer who saw the answer of a turn the
conversation never stored (README, "Soak test"). `SocketIOInputSavedFirst` holds the replies
until Rasa's handling of the message (which saves the tracker) has returned.

- The order itself is checked on the channels' own Socket.IO handlers, ours and Rasa's, with a
  handler that stands for Rasa's message handling: ours emits after it returns, Rasa's during
  it. (On a live server the save follows the reply by milliseconds, so a live test could not
  tell the two apart; the soak test's kills did.)
- A real Socket.IO client against the running stack (both actions modes) checks the wiring:
  replies arrive, and when the first one does, the tracker holds that turn.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request
import uuid
from typing import Any

import pytest

from bot.runtime.launcher import Stack
from tests.e2e.conftest import API_TOKEN

REPLY_TIMEOUT_S = 60
TURNS = ("hi", "we have 3 offices in Portland, Oregon", "mostly the phone bill is too high")


def _user_texts(stack: Stack, session: str) -> list[str]:
    url = f"{stack.rasa_url}/conversations/{session}/tracker?token={API_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        events = json.loads(answer.read())["events"]
    return [e.get("text") for e in events if e["event"] == "user"]


@pytest.mark.parametrize("actions_mode", ["inprocess", "http"])
def test_a_reply_arrives_only_after_its_turn_is_saved(actions_mode: str,
                                                      request: pytest.FixtureRequest) -> None:
    import socketio

    stack: Stack = request.getfixturevalue("stack" if actions_mode == "inprocess"
                                           else "http_actions_stack")
    session = f"widget-{uuid.uuid4().hex[:12]}"
    seen_at_first_reply: list[list[str]] = []
    replies: list[dict[str, Any]] = []
    first_reply = threading.Event()
    client = socketio.Client(reconnection=False)

    @client.on("bot_uttered")
    def on_reply(message: dict[str, Any]) -> None:
        if not first_reply.is_set():
            # What the server has stored at the instant the customer sees the answer.
            seen_at_first_reply.append(_user_texts(stack, session))
            first_reply.set()
        replies.append(message)

    client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
    try:
        client.emit("session_request", {"session_id": session})
        for turn, text in enumerate(TURNS, start=1):
            first_reply.clear()
            client.emit("user_uttered", {"session_id": session, "message": text})
            assert first_reply.wait(REPLY_TIMEOUT_S), f"no reply to {text!r}"
            assert seen_at_first_reply[-1][-1:] == [text], seen_at_first_reply[-1]
            assert len(seen_at_first_reply[-1]) == turn
            time.sleep(0.3)  # the turn's other messages, before the next turn starts
    finally:
        client.disconnect()
    assert all(r.get("text") for r in replies), replies


@pytest.mark.parametrize("channel_class, expected", [
    ("bot.rasa_adapters.channels.socketio.SocketIOInputSavedFirst", ["turn saved", "emitted"]),
    ("rasa.core.channels.socketio.SocketIOInput", ["emitted", "turn saved"]),  # the fault
], ids=["ours", "rasa-3.6"])
def test_replies_are_emitted_after_the_turn_is_handled(channel_class: str,
                                                      expected: list[str]) -> None:
    from rasa.shared.utils.common import class_from_module_path

    from bot.runtime.deployment import credentials_config
    from bot.base.settings import Settings

    options = next(v for k, v in credentials_config(Settings.from_env({})).items()
                   if k != "rest")
    channel = class_from_module_path(channel_class).from_credentials(options)
    order: list[str] = []

    async def handle(message: Any) -> None:  # stands for Rasa's agent: reply, then save
        await message.output_channel.send_text_message(message.sender_id, "hello")
        await asyncio.sleep(0)
        order.append("turn saved")

    async def scenario() -> None:
        channel.blueprint(handle)
        sio = channel.sio

        async def emit(*args: Any, **kwargs: Any) -> None:
            order.append("emitted")

        sio.emit = emit
        await sio.handlers["/"]["user_uttered"]("sid-1", {"session_id": "s1", "message": "hi"})

    asyncio.run(scenario())
    assert order == expected


def test_held_replies_go_out_in_order_even_when_the_turn_fails() -> None:
    from rasa.core.channels.socketio import SocketIOOutput

    from bot.rasa_adapters.channels.socketio import HeldSocketIOOutput

    class Recorder:
        def __init__(self) -> None:
            self.emitted: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

        async def emit(self, *args: Any, **kwargs: Any) -> None:
            self.emitted.append((args, kwargs))

    async def scenario() -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        sio = Recorder()
        held = HeldSocketIOOutput(SocketIOOutput(sio, "bot_uttered"))  # type: ignore[arg-type]
        await held.send_text_message("s1", "first\n\nsecond")
        await held.send_text_with_buttons("s1", "pick", [{"title": "1", "payload": "1"}])
        await held.send_custom_json("s1", {"custom": {"takeover": "waiting"}})
        assert sio.emitted == []  # nothing before the turn ends
        await held.release()
        await held.release()  # a second release sends nothing twice
        return sio.emitted

    emitted = asyncio.run(scenario())
    assert [args for args, _ in emitted][:2] == [("bot_uttered", {"text": "first"}),
                                                  ("bot_uttered", {"text": "second"})]
    assert emitted[2][0][1]["quick_replies"][0]["payload"] == "1"
    assert emitted[3] == (("bot_uttered",), {"custom": {"takeover": "waiting"}, "room": "s1"})
    assert all(kwargs.get("room") == "s1" for _, kwargs in emitted)
