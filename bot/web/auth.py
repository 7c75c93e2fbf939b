"""Dashboard authentication: credential check, signed session cookie, CSRF tokens, login throttle.

Stateless sessions: the cookie holds `{user, session id, csrf token, expiry}` signed with
HMAC-SHA256. The signing key is derived from the process secret (DASHBOARD_SECRET, or a random
one per process) *and* the configured credentials, so changing the password ends every session.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass
from typing import Deque, Dict, Optional, Set

SESSION_COOKIE = "ca_dashboard"
LOGIN_CSRF_COOKIE = "ca_login_csrf"
COOKIE_PATH = "/dashboard"
SESSION_TTL_S = 8 * 3600
LOGIN_CSRF_TTL_S = 3600

# Failed logins per client address: each failure waits longer (0.5 s, 1 s, 2 s, ... up to
# MAX_DELAY_S); after LOCKOUT_FAILURES failures within FAILURE_WINDOW_S the address is refused.
FAILURE_WINDOW_S = 15 * 60
BASE_DELAY_S = 0.5
MAX_DELAY_S = 5.0
LOCKOUT_FAILURES = 20
# Failed logins per user name, from any address: they slow every further try for that name,
# and past USER_LOCKOUT_FAILURES the name is refused from every address that has failed
# itself (an address with no recent failure, the agent's own, still gets in: counting per user
# must not let anyone lock every agent out).
USER_LOCKOUT_FAILURES = 50


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class DashboardSession:
    """A logged-in dashboard user."""

    user: str
    sid: str
    csrf: str
    expires: int

    def csrf_ok(self, token: Optional[str]) -> bool:
        """True when the form's CSRF token is this session's."""
        return bool(token) and hmac.compare_digest(token.encode(), self.csrf.encode())  # type: ignore[union-attr]


class Signer:
    """HMAC-SHA256 signed, expiring JSON tokens (`payload.signature`, base64url)."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _sig(self, body: str, purpose: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}\0{body}".encode(), hashlib.sha256).digest())

    def sign(self, payload: Dict[str, object], purpose: str) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._sig(body, purpose)}"

    def verify(self, token: Optional[str], purpose: str, now: Optional[float] = None) -> Optional[Dict[str, object]]:
        """The payload of a genuine, unexpired token for `purpose`, else None."""
        if not token or token.count(".") != 1 or len(token) > 4096:
            return None
        body, sig = token.split(".")
        if not hmac.compare_digest(sig.encode(), self._sig(body, purpose).encode()):
            return None
        try:
            payload = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(payload, dict):
            return None
        exp = payload.get("exp")
        if not isinstance(exp, int) or exp < (now if now is not None else time.time()):
            return None
        return payload


class DashboardAuth:
    """Login checks and session tokens for the dashboard."""

    def __init__(self, user: Optional[str], password: Optional[str], secret: Optional[str] = None) -> None:
        self._user = user or ""
        self._password = password or ""
        process_secret = secret.encode() if secret else secrets.token_bytes(32)
        key = hmac.new(
            process_secret,
            b"dashboard-session\0" + hashlib.sha256(f"{self._user}\0{self._password}".encode()).digest(),
            hashlib.sha256,
        ).digest()
        self._signer = Signer(key)
        self._revoked: Set[str] = set()
        self._failures: Dict[str, Deque[float]] = {}

    @property
    def enabled(self) -> bool:
        """Nobody can log in unless both DASHBOARD_USER and DASHBOARD_PASSWORD are set."""
        return bool(self._user and self._password)

    def check_credentials(self, user: str, password: str) -> bool:
        """Constant-time comparison of both fields; always False when login is disabled."""
        user_ok = hmac.compare_digest(user.encode(), self._user.encode())
        password_ok = hmac.compare_digest(password.encode(), self._password.encode())
        return self.enabled and user_ok and password_ok

    # ----- sessions -----

    def new_session(self, user: str) -> tuple[DashboardSession, str]:
        """A fresh session and its cookie value."""
        session = DashboardSession(
            user=user,
            sid=secrets.token_urlsafe(16),
            csrf=secrets.token_urlsafe(32),
            expires=int(time.time()) + SESSION_TTL_S,
        )
        token = self._signer.sign(
            {"u": session.user, "sid": session.sid, "csrf": session.csrf, "exp": session.expires}, "session"
        )
        return session, token

    def session_from_cookie(self, token: Optional[str]) -> Optional[DashboardSession]:
        """The session a cookie proves, or None (missing, forged, expired, logged out, login disabled)."""
        if not self.enabled:
            return None
        payload = self._signer.verify(token, "session")
        if payload is None:
            return None
        user, sid, csrf = payload.get("u"), payload.get("sid"), payload.get("csrf")
        if not (isinstance(user, str) and isinstance(sid, str) and isinstance(csrf, str)):
            return None
        if sid in self._revoked or not hmac.compare_digest(user.encode(), self._user.encode()):
            return None
        return DashboardSession(user=user, sid=sid, csrf=csrf, expires=int(payload["exp"]))  # type: ignore[arg-type]

    def revoke(self, session: DashboardSession) -> None:
        """Log out: the cookie stops working in this process even before it expires."""
        self._revoked.add(session.sid)

    # ----- CSRF for the login form (double submit: signed cookie == form field) -----

    def new_login_csrf(self) -> str:
        return self._signer.sign({"n": secrets.token_urlsafe(16), "exp": int(time.time()) + LOGIN_CSRF_TTL_S}, "login")

    def login_csrf_ok(self, form_token: Optional[str], cookie_token: Optional[str]) -> bool:
        if not form_token or not cookie_token:
            return False
        if not hmac.compare_digest(form_token.encode(), cookie_token.encode()):
            return False
        return self._signer.verify(cookie_token, "login") is not None

    # ----- throttle -----

    def _recent_failures(self, client: str) -> Deque[float]:
        now = time.monotonic()
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] < now - FAILURE_WINDOW_S:
            failures.popleft()
        if not failures:
            self._failures.pop(client, None)
        return failures

    def locked_out(self, client: str, user: Optional[str] = None) -> bool:
        """Too many recent failures from this address, or for this user name from an
        address that has failed too: refuse without checking."""
        from_here = len(self._recent_failures(client))
        if from_here >= LOCKOUT_FAILURES:
            return True
        if user is None or not from_here:
            return False
        return len(self._recent_failures(_user_key(user))) >= USER_LOCKOUT_FAILURES

    async def record_failure(self, client: str, user: Optional[str] = None) -> float:
        """Count a failed login (per address, and per user name when given) and wait,
        longer each time; returns the delay applied."""
        counts = []
        for key in (client,) + ((_user_key(user),) if user is not None else ()):
            failures = self._recent_failures(key)
            failures.append(time.monotonic())
            self._failures[key] = failures
            counts.append(len(failures))
        if len(self._failures) > 10_000:  # bound memory under a spray of addresses
            for key in list(self._failures)[:5_000]:
                self._failures.pop(key, None)
        delay = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** (max(counts) - 1))
        await asyncio.sleep(delay)
        return delay

    def record_success(self, client: str, user: Optional[str] = None) -> None:
        self._failures.pop(client, None)
        if user is not None:
            self._failures.pop(_user_key(user), None)


def _user_key(user: str) -> str:
    # Not an address (addresses never contain NUL): one dict for both kinds of counter.
    return "user\0" + user.strip().lower()[:256]
