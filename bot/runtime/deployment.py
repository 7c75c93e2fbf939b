"""Rasa endpoint and channel configuration from Settings: embedded defaults, real services at scale.

Embedded: SQL tracker store on a SQLite file, in-memory lock store, no event broker, custom
actions run inside the Rasa server (ACTIONS_MODE=inprocess).
Scaled: the same code with DATABASE_URL (PostgreSQL), REDIS_URL (RedisLockStore) and
RABBITMQ_URL (pika event broker), all as Rasa 3.6 supports them, and an action server per
Rasa server (ACTIONS_MODE=http).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlparse

from bot.base.settings import VAR_DIR, Settings

EVENT_QUEUE = "carrier_advisor_events"
ACTIONS_PACKAGE = "actions"  # the rasa-sdk actions, whichever process runs them
SLACK_CHANNEL_CLASS = "bot.rasa_adapters.channels.slack.SlackInput"
# Rasa's Socket.IO channel, replying once the turn is saved (still named "socketio").
SOCKETIO_CHANNEL_CLASS = "bot.rasa_adapters.channels.socketio.SocketIOInputSavedFirst"


def _sql_tracker_store(database_url: str | None) -> dict[str, Any]:
    if not database_url:
        return {"type": "SQL", "dialect": "sqlite", "db": str(VAR_DIR / "tracker.db")}
    url = urlparse(database_url)
    dialect = url.scheme.split("+")[0]
    if dialect == "postgres":
        dialect = "postgresql"
    if dialect == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute.db: drop exactly one slash.
        path = unquote(url.path[1:]) if url.path.startswith("/") else unquote(url.path)
        return {"type": "SQL", "dialect": "sqlite", "db": path or str(VAR_DIR / "tracker.db")}
    store: dict[str, Any] = {
        "type": "SQL",
        "dialect": dialect,
        "url": url.hostname or "127.0.0.1",
        "db": unquote(url.path.lstrip("/")) or "rasa",
    }
    if url.port:
        store["port"] = url.port
    if url.username:
        store["username"] = unquote(url.username)
    if url.password:
        store["password"] = unquote(url.password)
    return store


def _redis_lock_store(redis_url: str) -> dict[str, Any]:
    url = urlparse(redis_url)
    store: dict[str, Any] = {
        "type": "redis",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 6379,
        "db": int(url.path.lstrip("/") or 0),
        "key_prefix": "carrier_advisor",
    }
    if url.password:
        store["password"] = unquote(url.password)
    if url.scheme == "rediss":
        store["use_ssl"] = True
    return store


def _pika_event_broker(rabbitmq_url: str) -> dict[str, Any]:
    url = urlparse(rabbitmq_url)
    return {
        "type": "pika",
        "url": url.hostname or "127.0.0.1",
        "port": url.port or 5672,
        "username": unquote(url.username or "guest"),
        "password": unquote(url.password or "guest"),
        "queues": [EVENT_QUEUE],
    }


def _action_endpoint(settings: Settings) -> dict[str, Any]:
    """The action server's URL; with ACTIONS_MODE=inprocess (the default) our Rasa server runs
    the actions package itself (bot.rasa_adapters.server.inprocess_actions) and the URL is
    only where an action server would be."""
    endpoint: dict[str, Any] = {"url": f"http://127.0.0.1:{settings.actions_port}/webhook"}
    if settings.actions_in_process:
        endpoint.update({"type": "inprocess", "package": ACTIONS_PACKAGE})
    return endpoint


def endpoints_config(settings: Settings) -> dict[str, Any]:
    """The content of Rasa's endpoints.yml for these settings."""
    config: dict[str, Any] = {
        "action_endpoint": _action_endpoint(settings),
        "tracker_store": _sql_tracker_store(settings.database_url),
    }
    if settings.redis_url:
        config["lock_store"] = _redis_lock_store(settings.redis_url)
    if settings.rabbitmq_url:
        config["event_broker"] = _pika_event_broker(settings.rabbitmq_url)
    return config


def credentials_config(settings: Settings) -> dict[str, Any]:
    """The content of Rasa's credentials.yml: REST and Socket.IO always, Slack when configured."""
    config: dict[str, Any] = {
        "rest": None,
        SOCKETIO_CHANNEL_CLASS: {
            "user_message_evt": "user_uttered",
            "bot_message_evt": "bot_uttered",
            "session_persistence": True,
        },
    }
    if settings.slack_enabled:
        slack: dict[str, Any] = {
            "slack_token": settings.slack_bot_token,
            "slack_signing_secret": settings.slack_signing_secret,
            "use_threads": True,
        }
        if settings.slack_channel:
            slack["slack_channel"] = settings.slack_channel
        if settings.slack_api_url:
            slack["slack_api_url"] = settings.slack_api_url
        # Rasa's Slack channel plus what it lacks (bot/rasa_adapters/channels/slack.py); still named
        # "slack", so the webhook stays /webhooks/slack/webhook.
        config[SLACK_CHANNEL_CLASS] = slack
    return config
