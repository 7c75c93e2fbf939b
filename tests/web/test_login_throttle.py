"""Issue 14: nobody can lock every agent out of the dashboard.

Failures count per client address and per user name; behind a proxy, the address is the one
the configured proxies report, and forwarded headers are ignored unless proxies are configured.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.web import auth as auth_module
from bot.web.auth import LOCKOUT_FAILURES, USER_LOCKOUT_FAILURES, DashboardAuth
from bot.web.proxies import configure_proxies


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    async def instant(_delay: float) -> None:
        return None

    monkeypatch.setattr(auth_module.asyncio, "sleep", instant)


def fail(auth: DashboardAuth, client: str, user: str, times: int = 1) -> None:
    for _ in range(times):
        asyncio.run(auth.record_failure(client, user))


def test_failures_lock_out_the_address_not_everyone() -> None:
    auth = DashboardAuth("sales", "a-long-random-password-1234")
    fail(auth, "203.0.113.7", "sales", LOCKOUT_FAILURES)
    assert auth.locked_out("203.0.113.7", "sales")
    assert not auth.locked_out("198.51.100.2", "sales")  # the agent, elsewhere, still gets in


def test_a_distributed_guess_at_one_user_is_stopped_but_the_agent_still_gets_in() -> None:
    auth = DashboardAuth("sales", "a-long-random-password-1234")
    for number in range(USER_LOCKOUT_FAILURES):
        fail(auth, f"10.0.{number // 250}.{number % 250}", "Sales")  # one try per address
    assert auth.locked_out("10.0.0.1", "sales")  # any address that guessed is refused...
    assert not auth.locked_out("10.0.0.1", "someone-else")
    assert not auth.locked_out("192.0.2.10", "sales")  # ...a clean one is not
    auth.record_success("192.0.2.10", "sales")
    assert not auth.locked_out("10.0.0.1", "sales")


def test_the_delay_grows_with_the_failures_of_the_user_too() -> None:
    auth = DashboardAuth("sales", "a-long-random-password-1234")
    fail(auth, "10.0.0.1", "sales", 3)
    delay = asyncio.run(auth.record_failure("10.0.0.2", "sales"))
    assert delay == auth_module.BASE_DELAY_S * 2 ** 3  # the 4th failure for the name


class _App:
    class config:  # noqa: N801 - stands in for Sanic's app.config
        PROXIES_COUNT: Any = None
        FORWARDED_SECRET: Any = None
        REAL_IP_HEADER: Any = None


def test_proxies_are_trusted_only_when_configured() -> None:
    app = _App()
    configure_proxies(app, {})
    assert app.config.PROXIES_COUNT is None and app.config.FORWARDED_SECRET is None
    configure_proxies(app, {"PROXIES_COUNT": "1", "FORWARDED_SECRET": "s3cret-value"})
    assert app.config.PROXIES_COUNT == 1 and app.config.FORWARDED_SECRET == "s3cret-value"
    with pytest.raises(ValueError):
        configure_proxies(app, {"PROXIES_COUNT": "all"})
