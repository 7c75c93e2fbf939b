"""One channel can never write into another channel's conversation.

Slack conversations are `slack:<team>:<user>` (bot.base.conversation_ids). The REST guard
(http_guard) refuses such sender ids with a 400; this guard covers every other way in
(Socket.IO session ids are chosen by the browser): a message whose sender id is in a reserved
namespace, from a channel that does not own it, is answered with a short refusal on its own
output channel and never reaches the conversation.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.base.conversation_ids import SLACK_PREFIX, is_reserved_sender

logger = logging.getLogger(__name__)

REFUSAL = "Sorry, this conversation id is reserved. Please reload the page to start a new chat."
_OWNERS = {SLACK_PREFIX: "slack"}


def foreign_sender(sender_id: Any, input_channel: Any) -> bool:
    """True when `sender_id` is in a namespace `input_channel` does not own."""
    if not isinstance(sender_id, str) or not is_reserved_sender(sender_id):
        return False
    folded = sender_id.strip().lower()
    owner = next(channel for prefix, channel in _OWNERS.items() if folded.startswith(prefix))
    return input_channel != owner


def install() -> None:
    """Wrap `MessageProcessor.handle_message` with the check (before the other guards run)."""
    from rasa.core.processor import MessageProcessor

    original_handle_message = MessageProcessor.handle_message

    async def handle_message(self: Any, message: Any) -> Any:
        if foreign_sender(message.sender_id, message.input_channel):
            logger.warning("message from channel %s refused: sender id in a reserved namespace",
                           message.input_channel)
            output = message.output_channel
            if output is not None:
                try:
                    await output.send_text_message(message.sender_id, REFUSAL)
                except Exception:  # noqa: BLE001 - the refusal is best effort
                    logger.debug("could not send the refusal", exc_info=True)
            return None
        return await original_handle_message(self, message)

    MessageProcessor.handle_message = handle_message  # type: ignore[method-assign]
