"""Refuse malformed REST webhook requests with a clear 400 before Rasa sees them.

Rasa's REST channel trusts its input: a JSON array body is an HTTP 500 (`list.get`), a
missing `sender` puts the message into one shared conversation named "default", and a
sender id longer than the tracker store's 255-character column makes the SQL save fail, after
which Rasa silently keeps that conversation in the server's own memory. The contract
(CONTRACT section 3) is `{"sender": str, "message": str, "metadata"?: {}}`; anything else
gets `400 {"error": "..."}` here. Oversized bodies never get this far: Sanic answers 413 above
`SANIC_REQUEST_MAX_SIZE`.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from bot.base.conversation_ids import is_reserved_sender
from bot.leads.sanitize import MAX_CHANNEL_CHARS

logger = logging.getLogger(__name__)

REST_PATHS = frozenset({"/webhooks/rest/webhook", "/webhooks/rest/webhook/"})
MAX_SENDER_CHARS = 255  # Rasa's SQL tracker store: events.sender_id VARCHAR(255)


def rest_payload_problem(body: Any) -> Optional[str]:
    """Why a decoded REST webhook body breaks the contract, or None when it is fine."""
    if not isinstance(body, dict):
        return "the body must be a JSON object: {\"sender\": str, \"message\": str}"
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return "'sender' must be a non-empty string (one id per conversation)"
    if len(sender) > MAX_SENDER_CHARS:
        return f"'sender' must be at most {MAX_SENDER_CHARS} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in sender):
        return "'sender' must not contain control characters"
    if is_reserved_sender(sender):
        # Slack's conversations are `slack:<team>:<user>`: never reachable from REST.
        return "'sender' must not start with a reserved prefix ('slack:')"
    if not isinstance(body.get("message"), str):
        return "'message' must be a string"
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return "'metadata' must be a JSON object"
    input_channel = body.get("input_channel")
    if input_channel is not None and not isinstance(input_channel, str):
        return "'input_channel' must be a string"
    if isinstance(input_channel, str) and (
            len(input_channel) > MAX_CHANNEL_CHARS
            or any(not ch.isprintable() for ch in input_channel)):
        # It becomes the lead's `channel` column (VARCHAR(64)).
        return f"'input_channel' must be at most {MAX_CHANNEL_CHARS} printable characters"
    return None


def install() -> None:
    """Add the check as request middleware to every Sanic app Rasa's `run` command creates."""
    import rasa.core.run as rasa_run
    from sanic import response
    from sanic.request import Request

    original_configure_app = rasa_run.configure_app

    async def check_rest_payload(request: Request) -> Optional[Any]:
        if request.method != "POST" or request.path not in REST_PATHS:
            return None
        try:
            declared = int(request.headers.get("content-length") or 0)
        except ValueError:
            declared = 0
        if len(request.body) < declared:
            # Sanic also runs request middleware while it answers an error (e.g. 413 for an
            # oversized body it never read): leave that answer alone.
            return None
        try:
            body = request.json
        except Exception:  # noqa: BLE001 - Sanic's BadRequest, or a decode error
            return response.json({"error": "the body is not valid JSON (UTF-8)"}, status=400)
        problem = rest_payload_problem(body)
        if problem:
            logger.info("REST request refused: %s", problem)
            return response.json({"error": problem}, status=400)
        return None

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original_configure_app(*args, **kwargs)
        app.register_middleware(check_rest_payload, "request")
        return app

    rasa_run.configure_app = configure_app
