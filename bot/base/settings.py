"""Settings from the environment (CONTRACT section 2), with the embedded defaults when unset.

Read once per process by `Settings.from_env()`; nothing is read at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Optional

ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = ROOT / "var"


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r} is not a port number") from exc
    if not 0 < port < 65536:
        raise ValueError(f"{name}={raw!r} is not a port number")
    return port


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds or attempts from `name`, or `default` when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r} is not a number") from exc
    if not value > 0:
        raise ValueError(f"{name}={raw!r} must be more than 0")
    return value


# Bind addresses that mean "every interface": not an address to connect to; a local client uses loopback.
ALL_INTERFACES = ("0.0.0.0", "::", "")


def client_host(bind_host: str) -> str:
    """The host a client on this machine puts in a URL to reach a server bound to `bind_host`:
    loopback for the all-interfaces addresses, IPv6 literals in brackets."""
    host = "127.0.0.1" if bind_host in ALL_INTERFACES else bind_host
    return f"[{host}]" if ":" in host else host


# Where the custom actions run: inside the Rasa server (the embedded default) or in a separate
# action server reached over HTTP (the scaled deployment, deploy/).
ACTIONS_MODES = ("inprocess", "http")


def parse_actions_mode(raw: Optional[str]) -> str:
    """ACTIONS_MODE: `inprocess` (default) or `http`."""
    mode = (raw or "").strip().lower() or ACTIONS_MODES[0]
    if mode not in ACTIONS_MODES:
        raise ValueError(f"ACTIONS_MODE={raw!r} must be one of {', '.join(ACTIONS_MODES)}")
    return mode


def parse_bot_now(raw: Optional[str]) -> Optional[datetime]:
    """Parse BOT_NOW (ISO-8601 with offset); a value without an offset is refused."""
    if not raw:
        return None
    value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"BOT_NOW={raw!r} needs a UTC offset, e.g. 2026-12-01T22:30:00-05:00")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything a process needs to know about its deployment."""

    rasa_port: int = 5005
    actions_port: int = 5055
    actions_mode: str = ACTIONS_MODES[0]
    web_port: int = 8080
    host: str = "127.0.0.1"
    api_token: Optional[str] = None
    database_url: Optional[str] = None
    redis_url: Optional[str] = None
    rabbitmq_url: Optional[str] = None
    bot_now: Optional[datetime] = None
    dashboard_user: Optional[str] = None
    dashboard_password: Optional[str] = None
    slack_bot_token: Optional[str] = None
    slack_signing_secret: Optional[str] = None
    slack_channel: Optional[str] = None
    sales_slack_channel: Optional[str] = None
    slack_api_url: Optional[str] = None
    public_url: Optional[str] = None
    #: Where customer mail goes out (the plan by email): smtp://user:pass@host:port (STARTTLS
    #: when offered) or smtps://... (TLS); unset: mails wait in the outbox for an agent.
    smtp_url: Optional[str] = None
    #: The From address of customer mail; unset: `email_from` of bot/data/agency.yml.
    smtp_from: Optional[str] = None
    #: The outbox (bot/outbox): attempts before a message is dead, the first retry's delay
    #: (doubling each time, with jitter), and how often the delivery worker looks for work.
    outbox_max_attempts: int = 12
    outbox_retry_base_s: float = 5.0
    outbox_poll_s: float = 5.0

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        """Read the settings from `env` (default: os.environ)."""
        env = os.environ if env is None else env

        def opt(name: str) -> Optional[str]:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            rasa_port=_port(env, "RASA_PORT", 5005),
            actions_port=_port(env, "ACTIONS_PORT", 5055),
            actions_mode=parse_actions_mode(env.get("ACTIONS_MODE")),
            web_port=_port(env, "WEB_PORT", 8080),
            host=opt("BOT_HOST") or "127.0.0.1",
            api_token=opt("BOT_API_TOKEN"),
            database_url=opt("DATABASE_URL"),
            redis_url=opt("REDIS_URL"),
            rabbitmq_url=opt("RABBITMQ_URL"),
            bot_now=parse_bot_now(opt("BOT_NOW")),
            dashboard_user=opt("DASHBOARD_USER"),
            dashboard_password=opt("DASHBOARD_PASSWORD"),
            slack_bot_token=opt("SLACK_BOT_TOKEN"),
            slack_signing_secret=opt("SLACK_SIGNING_SECRET"),
            slack_channel=opt("SLACK_CHANNEL"),
            # Never falls back to SLACK_CHANNEL: that may be a customers' channel, and handoff
            # posts carry contact details.
            sales_slack_channel=opt("SALES_SLACK_CHANNEL"),
            slack_api_url=opt("SLACK_API_URL"),
            public_url=opt("PUBLIC_URL"),
            smtp_url=opt("SMTP_URL"),
            smtp_from=opt("SMTP_FROM"),
            outbox_max_attempts=int(_positive(env, "OUTBOX_MAX_ATTEMPTS", 12)),
            outbox_retry_base_s=_positive(env, "OUTBOX_RETRY_BASE_S", 5.0),
            outbox_poll_s=_positive(env, "OUTBOX_POLL_S", 5.0),
        )

    @property
    def effective_database_url(self) -> str:
        """DATABASE_URL, or the embedded SQLite file under var/."""
        return self.database_url or f"sqlite:///{VAR_DIR / 'carrier_advisor.db'}"

    @property
    def local_rasa_url(self) -> str:
        """The Rasa server as the other processes on this machine reach it (no trailing slash)."""
        return f"http://{client_host(self.host)}:{self.rasa_port}"

    @property
    def actions_in_process(self) -> bool:
        """The Rasa server runs the custom actions itself; no action server is started."""
        return self.actions_mode == "inprocess"

    @property
    def slack_enabled(self) -> bool:
        """The Slack channel is loaded only when both token and signing secret are set."""
        return bool(self.slack_bot_token and self.slack_signing_secret)

    def now(self) -> datetime:
        """The clock for business-hours decisions: BOT_NOW when set, else the real time."""
        return self.bot_now or datetime.now(timezone.utc)
