"""Rasa endpoints/credentials from env: embedded defaults, real services when configured."""

from __future__ import annotations

from bot.runtime.deployment import SOCKETIO_CHANNEL_CLASS, credentials_config, endpoints_config
from bot.base.settings import Settings


def test_embedded_defaults_use_sqlite_and_no_lock_store_or_broker() -> None:
    config = endpoints_config(Settings.from_env({}))
    assert config["tracker_store"]["type"] == "SQL"
    assert config["tracker_store"]["dialect"] == "sqlite"
    assert config["tracker_store"]["db"].endswith("var/tracker.db")
    assert "lock_store" not in config
    assert "event_broker" not in config
    assert config["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"


def test_scaled_deployment_uses_postgres_redis_and_rabbitmq() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql+psycopg2://rasa:s3cr%40t@db.internal:5433/carrier",
            "REDIS_URL": "redis://:pw@cache:6380/2",
            "RABBITMQ_URL": "amqp://user:pass@mq:5673/",
            "ACTIONS_PORT": "6055",
        }
    )
    config = endpoints_config(settings)
    assert config["tracker_store"] == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "db.internal",
        "db": "carrier",
        "port": 5433,
        "username": "rasa",
        "password": "s3cr@t",
    }
    assert config["lock_store"] == {
        "type": "redis", "url": "cache", "port": 6380, "db": 2,
        "key_prefix": "carrier_advisor", "password": "pw",
    }
    assert config["event_broker"]["type"] == "pika"
    assert config["event_broker"]["url"] == "mq"
    assert config["event_broker"]["port"] == 5673
    assert config["event_broker"]["username"] == "user"
    assert config["action_endpoint"]["url"] == "http://127.0.0.1:6055/webhook"


SLACK = "bot.rasa_adapters.channels.slack.SlackInput"


def test_slack_channel_only_when_token_and_secret_are_set() -> None:
    for env in ({}, {"SLACK_BOT_TOKEN": "xoxb-1"}, {"SLACK_SIGNING_SECRET": "s"},
                {"SLACK_BOT_TOKEN": " ", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "http://x/"}):
        assert set(credentials_config(Settings.from_env(env))) == {"rest", SOCKETIO_CHANNEL_CLASS}, env
    config = credentials_config(
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL": "C1"})
    )
    assert set(config) == {"rest", SOCKETIO_CHANNEL_CLASS, SLACK}
    assert config[SLACK] == {
        "slack_token": "xoxb-1", "slack_signing_secret": "s", "use_threads": True, "slack_channel": "C1",
    }
    assert config[SOCKETIO_CHANNEL_CLASS]["session_persistence"] is True


def test_slack_channel_class_is_ours_and_keeps_rasas_webhook_name() -> None:
    from rasa.shared.utils.common import class_from_module_path

    from bot.rasa_adapters.channels.slack import SlackInput

    assert class_from_module_path(SLACK) is SlackInput
    assert SlackInput.name() == "slack"  # -> /webhooks/slack/webhook


def test_socketio_channel_class_is_ours_and_keeps_rasas_name() -> None:
    from rasa.core.channels.socketio import SocketIOInput
    from rasa.shared.utils.common import class_from_module_path

    channel = class_from_module_path(SOCKETIO_CHANNEL_CLASS)
    assert issubclass(channel, SocketIOInput)
    assert channel.name() == "socketio"  # input_channel of every event, CONTRACT section 3


def test_slack_api_url_reaches_the_channel_only_when_set() -> None:
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    assert "slack_api_url" not in credentials_config(Settings.from_env(base))[SLACK]
    assert "slack_channel" not in credentials_config(Settings.from_env(base))[SLACK]
    config = credentials_config(Settings.from_env({**base, "SLACK_API_URL": "http://127.0.0.1:9/api/"}))
    assert config[SLACK]["slack_api_url"] == "http://127.0.0.1:9/api/"


def test_bad_port_is_a_clear_error() -> None:
    import pytest

    with pytest.raises(ValueError, match="RASA_PORT"):
        Settings.from_env({"RASA_PORT": "eighty"})


def test_bot_now_needs_an_offset() -> None:
    import pytest

    assert Settings.from_env({"BOT_NOW": "2026-12-01T22:30:00-05:00"}).now().hour == 22
    with pytest.raises(ValueError, match="offset"):
        Settings.from_env({"BOT_NOW": "2026-12-01T22:30:00"})


def test_sqlite_database_url_keeps_absolute_and_relative_paths() -> None:
    absolute = endpoints_config(Settings.from_env({"DATABASE_URL": "sqlite:////tmp/x/leads.db"}))
    assert absolute["tracker_store"]["db"] == "/tmp/x/leads.db"
    relative = endpoints_config(Settings.from_env({"DATABASE_URL": "sqlite:///var/leads.db"}))
    assert relative["tracker_store"]["db"] == "var/leads.db"


def test_the_rasa_server_gets_a_jwt_secret_derived_from_its_api_token() -> None:
    """Our clients authenticate with a JWT header, not `?token=` in a URL (issue 14)."""
    from bot.rasa_adapters.http_api import jwt_secret_for
    from bot.runtime.rasa_server import with_jwt_secret

    args = ["run", "--enable-api", "--auth-token", "t" * 40, "--port", "5005"]
    extended = with_jwt_secret(args)
    assert extended[:len(args)] == args
    assert extended[len(args):] == ["--jwt-secret", jwt_secret_for("t" * 40),
                                    "--jwt-method", "HS256"]
    assert jwt_secret_for("t" * 40) != "t" * 40 and jwt_secret_for("u" * 40) != jwt_secret_for("t" * 40)
    assert with_jwt_secret(["run", "--port", "5005"]) == ["run", "--port", "5005"]  # no API
    given = args + ["--jwt-secret", "theirs"]
    assert with_jwt_secret(given) == given  # an operator's own secret wins
    # The launcher passes the token as one argument, so one that begins with "-" (as one
    # secrets.token_urlsafe in 64 does) is not read as an option.
    dashed = ["run", "--enable-api", "--auth-token=-" + "t" * 39]
    assert with_jwt_secret(dashed)[3:5] == ["--jwt-secret", jwt_secret_for("-" + "t" * 39)]
