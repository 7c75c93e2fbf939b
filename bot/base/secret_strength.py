"""Refuse weak or placeholder secrets at start-up, with a message that says which and why.

`cp deploy/env.example .env` gives `change-me` passwords: a deployment started like that is
open to anyone who read the example. Every process checks the secrets it is given:

- a placeholder (`change-me`, `changeme`, `example`, `placeholder`, `secret`, `password`, ...)
  is refused everywhere;
- a secret shorter than MIN_SECRET_CHARS is refused when the process listens beyond this
  machine (BOT_HOST not a loopback address), i.e. in containers and on servers; a developer's
  `make run` on 127.0.0.1 may use short ones.

Only secrets that are set are checked: an unset one disables its feature (e.g. no dashboard
login without DASHBOARD_PASSWORD).
"""

from __future__ import annotations

import os
import sys
from typing import Mapping, Optional
from urllib.parse import urlsplit

MIN_SECRET_CHARS = 16
SECRET_VARS = ("BOT_API_TOKEN", "DASHBOARD_PASSWORD", "DASHBOARD_SECRET", "SLACK_SIGNING_SECRET",
               "POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "FORWARDED_SECRET")
URL_VARS = ("DATABASE_URL", "RABBITMQ_URL", "REDIS_URL")
PLACEHOLDERS = ("change-me", "changeme", "change_me", "example", "placeholder", "replace-me",
                "your-", "xxxx")
COMMON = frozenset({"secret", "password", "passw0rd", "admin", "sales", "guest", "letmein",
                    "12345678", "123456789", "qwerty", "token", "test"})
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _problem(value: str, strict: bool) -> Optional[str]:
    folded = value.strip().lower()
    if any(marker in folded for marker in PLACEHOLDERS) or folded in COMMON:
        return "is a placeholder or a well-known password"
    if strict and len(value) < MIN_SECRET_CHARS:
        return f"is shorter than {MIN_SECRET_CHARS} characters"
    return None


def weak_secrets(environ: Optional[Mapping[str, str]] = None) -> list[str]:
    """One line per weak secret in `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    strict = (env.get("BOT_HOST") or "127.0.0.1").strip() not in LOOPBACK
    found = []
    for name in SECRET_VARS:
        value = env.get(name)
        if value and (why := _problem(value, strict)):
            found.append(f"{name} {why}")
    for name in URL_VARS:
        value = env.get(name)
        password = urlsplit(value).password if value and "://" in value else None
        # guest:guest is RabbitMQ's local-only default account (refused remotely by RabbitMQ).
        if password and not (password == "guest" and not strict) \
                and (why := _problem(password, strict)):
            found.append(f"the password in {name} {why}")
    return found


def refuse_weak_secrets(process: str, environ: Optional[Mapping[str, str]] = None) -> None:
    """Exit (status 2) with a clear message when a secret is weak; return otherwise."""
    problems = weak_secrets(environ)
    if problems:
        print(f"{process}: refusing to start with weak secrets:\n  - " + "\n  - ".join(problems)
              + "\nSet long random values (e.g. `openssl rand -base64 24`) in .env or the "
                "environment; see docs/security.md.", file=sys.stderr)
        raise SystemExit(2)
