"""The few calls we make to Rasa's token-protected HTTP API (no Rasa import: plain HTTP).

Used by both the CLI (`resume`) and the dashboard's "Resume assistant" button.

Authentication is a short-lived JWT in the `Authorization` header, never `?token=` in the URL
(a URL ends up in proxy and access logs). Rasa 3.6 checks a JWT when it runs with
`--jwt-secret`; `bot.runtime.rasa_server` sets that secret from its `--auth-token`
(`jwt_secret_for`), so whoever holds BOT_API_TOKEN can sign one and nobody else can.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request

from bot.base.settings import Settings

logger = logging.getLogger(__name__)
TIMEOUT_S = 10.0
# `resume`, then `action_listen`: a turn that paused the conversation ended without the usual
# action_listen, and without one the policies would answer the next message with nothing.
RESUME_EVENTS = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
# The API is on this machine (or this pod): never through an HTTP(S)_PROXY from the environment.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


JWT_METHOD = "HS256"
JWT_LIFETIME_S = 60


def jwt_secret_for(api_token: str) -> str:
    """The Rasa server's JWT secret for this API token (derived, so the token itself never
    signs anything)."""
    return hmac.new(api_token.encode(), b"carrier-advisor rasa-api jwt", hashlib.sha256).hexdigest()


def authorization_header(api_token: str, now: float | None = None) -> str:
    """`Bearer <JWT>`: Rasa's admin role, valid for JWT_LIFETIME_S."""
    import jwt  # PyJWT, a Rasa dependency

    issued = int(time.time() if now is None else now)
    claims = {"user": {"username": "carrier-advisor", "role": "admin"},
              "iat": issued, "exp": issued + JWT_LIFETIME_S}
    return "Bearer " + jwt.encode(claims, jwt_secret_for(api_token), algorithm=JWT_METHOD)


def tracker_events_url(settings: Settings, sender_id: str) -> str:
    """POST target that appends events to a conversation (authorised by `authorization_header`)."""
    sender = urllib.parse.quote(sender_id, safe="")
    return f"{settings.local_rasa_url}/conversations/{sender}/tracker/events"


def resume_conversation(settings: Settings, sender_id: str, timeout_s: float = TIMEOUT_S) -> bool:
    """Un-pause a conversation the assistant handed to a person (rasa#8119's `resume` event).

    Blocking: async callers run it in a thread."""
    if not settings.api_token:
        logger.warning("resuming needs the Rasa HTTP API: set BOT_API_TOKEN")
        return False
    request = urllib.request.Request(
        tracker_events_url(settings, sender_id),
        data=json.dumps(RESUME_EVENTS).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": authorization_header(settings.api_token)},
        method="POST",
    )
    try:
        with _DIRECT.open(request, timeout=timeout_s) as response:  # noqa: S310 - local API
            if response.status == 200:
                return True
            logger.warning("resume of %s refused by Rasa: HTTP %s", sender_id, response.status)
    except urllib.error.HTTPError as error:  # before URLError: it is one
        logger.warning("resume of %s refused by Rasa: HTTP %s", sender_id, error.code)
    except (urllib.error.URLError, OSError) as error:
        logger.warning("resume of %s failed: %s", sender_id, type(error).__name__)
    return False
