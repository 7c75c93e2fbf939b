"""The few calls we make to Rasa's token-protected HTTP API (no Rasa import: plain HTTP)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from bot.base.settings import Settings

logger = logging.getLogger(__name__)
TIMEOUT_S = 10.0
# `resume`, then `action_listen`: a turn that paused the conversation ended without the usual
# action_listen, and without one the policies would answer the next message with nothing.
RESUME_EVENTS = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


def tracker_events_url(settings: Settings, sender_id: str) -> str:
    """POST target that appends events to a conversation (needs BOT_API_TOKEN)."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    sender = urllib.parse.quote(sender_id, safe="")
    token = urllib.parse.quote(settings.api_token or "", safe="")
    return f"http://{host}:{settings.rasa_port}/conversations/{sender}/tracker/events?token={token}"


def resume_conversation(settings: Settings, sender_id: str) -> bool:
    """Un-pause a conversation the assistant handed to a person (rasa#8119's `resume` event)."""
    if not settings.api_token:
        logger.warning("resuming needs the Rasa HTTP API: set BOT_API_TOKEN")
        return False
    request = urllib.request.Request(
        tracker_events_url(settings, sender_id),
        data=json.dumps(RESUME_EVENTS).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - local API
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError) as error:
        logger.warning("resume failed: %s", type(error).__name__)
        return False
