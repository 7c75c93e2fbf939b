"""Rasa's Socket.IO channel, replying only once the turn is saved.

Rasa 3.6's channel emits each bot message the moment an action utters it, and the tracker is
saved after the last action. A server killed in between (a deploy, a crash, the OOM killer)
leaves a customer who saw the answer while the conversation forgot the turn: the soak test
lost 2 of 1,396 Socket.IO turns that way (README, "Soak test"). Here the turn's messages are
held until Rasa's handling of the message returns (the tracker saved, the lock released) and
then emitted in order, so a customer sees a reply only for a turn that is stored; if the
server dies first the widget shows no answer and the customer can resend. REST already works
like this (its reply is the HTTP response, written after the save).

Name, path and events are unchanged ("socketio"; CONTRACT section 3).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint


class HeldSocketIOOutput(SocketIOOutput):
    """Collects the turn's `bot_uttered` emits; `release()` sends them."""

    def __init__(self, real: SocketIOOutput) -> None:
        super().__init__(real.sio, real.bot_message_evt)
        self._held: List[Tuple[Tuple[Any, ...], Dict[str, Any]]] = []

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self._held.append(((self.bot_message_evt, response), {"room": socket_id}))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        json_message.setdefault("room", recipient_id)
        self._held.append(((self.bot_message_evt,), dict(json_message)))

    async def release(self) -> None:
        held, self._held = self._held, []
        for args, kwargs in held:
            await self.sio.emit(*args, **kwargs)


class SocketIOInputSavedFirst(SocketIOInput):
    """`SocketIOInput` whose replies wait for the end of the turn (see the module's docstring)."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def handle_then_reply(message: UserMessage) -> Any:
            real = message.output_channel
            if not isinstance(real, SocketIOOutput):
                return await on_new_message(message)
            held = HeldSocketIOOutput(real)
            message.output_channel = held
            try:
                return await on_new_message(message)
            finally:
                # Also after a failure: the store-outage apology is one of these messages.
                await held.release()

        return super().blueprint(handle_then_reply)
