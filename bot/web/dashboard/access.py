"""Who may do what: the session and login-CSRF cookies, and `login_required` for the handlers.

Every route but the login page needs a session: pages redirect to the login, the CSV export
and form posts answer 401. Every form post carries a CSRF token.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable, Optional
from urllib.parse import quote

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.web.auth import COOKIE_PATH, SESSION_COOKIE, DashboardSession
from bot.web.dashboard.context import dashboard_of

Handler = Callable[..., Awaitable[HTTPResponse]]


def client_address(request: Request) -> str:
    return request.remote_addr or request.ip or "unknown"


def safe_next(target: Optional[str]) -> str:
    """Only redirect back inside the dashboard (no open redirect)."""
    if target and target.startswith("/dashboard") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard"


def secure_cookies(request: Request) -> bool:
    return request.scheme == "https" or (dashboard_of(request).settings.public_url or "").startswith("https://")


def set_cookie(resp: HTTPResponse, request: Request, name: str, value: str, max_age: int) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["path"] = COOKIE_PATH
    cookie["httponly"] = True
    cookie["samesite"] = "Lax" if name == SESSION_COOKIE else "Strict"
    cookie["max-age"] = max_age
    cookie["expires"] = datetime.now(timezone.utc) + timedelta(seconds=max_age)
    if secure_cookies(request):
        cookie["secure"] = True


def clear_cookie(resp: HTTPResponse, request: Request, name: str) -> None:
    set_cookie(resp, request, name, "", 0)


def current_session(request: Request) -> Optional[DashboardSession]:
    return dashboard_of(request).auth.session_from_cookie(request.cookies.get(SESSION_COOKIE))


def login_required(kind: str) -> Callable[[Handler], Handler]:
    """`page`: redirect to the login; `api`: 401. Form posts also check the CSRF token."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            session = current_session(request)
            if session is None:
                if kind == "page" and request.method == "GET":
                    target = request.path + (f"?{request.query_string}" if request.query_string else "")
                    return response.redirect(f"/dashboard/login?next={quote(target)}", status=303)
                return response.text("login required", status=401, headers={"Cache-Control": "no-store"})
            if request.method == "POST" and not session.csrf_ok(request.form.get("csrf_token")):
                return response.text("invalid or missing CSRF token", status=403)
            request.ctx.dashboard_session = session
            return await handler(request, *args, **kwargs)

        return wrapper

    return decorate
