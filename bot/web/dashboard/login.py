"""Login and logout: `/dashboard/login` (GET form, POST credentials) and `/dashboard/logout`."""

from __future__ import annotations

from typing import Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.web.auth import LOGIN_CSRF_COOKIE, LOGIN_CSRF_TTL_S, SESSION_COOKIE, SESSION_TTL_S
from bot.web.dashboard.access import (
    clear_cookie,
    client_address,
    current_session,
    login_required,
    safe_next,
    set_cookie,
)
from bot.web.dashboard.context import FLASH_MESSAGES, dashboard_of, render


async def login_page(request: Request) -> HTTPResponse:
    if current_session(request):
        return response.redirect("/dashboard", status=303)
    return login_form(request)


def login_form(request: Request, error: Optional[str] = None, status: int = 200) -> HTTPResponse:
    auth = dashboard_of(request).auth
    token = auth.new_login_csrf()
    message = FLASH_MESSAGES.get(request.args.get("msg", ""))
    resp = render(
        "login.html",
        request,
        status=status,
        csrf_token=token,
        next=safe_next(request.form.get("next") if request.method == "POST" else request.args.get("next")),
        error=error,
        message=message,
        enabled=auth.enabled,
        session=None,
    )
    set_cookie(resp, request, LOGIN_CSRF_COOKIE, token, LOGIN_CSRF_TTL_S)
    return resp


async def login_submit(request: Request) -> HTTPResponse:
    auth = dashboard_of(request).auth
    client = client_address(request)
    user = request.form.get("username") or ""
    password = request.form.get("password") or ""
    if auth.locked_out(client, user):
        return response.text("too many failed logins; try again later", status=429, headers={"Retry-After": "900"})
    if not auth.login_csrf_ok(request.form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return login_form(request, "Your login form expired. Please try again.", status=403)
    if not auth.check_credentials(user, password):
        await auth.record_failure(client, user)
        if not auth.enabled:
            return login_form(request, "Dashboard login is disabled on this server.", status=403)
        return login_form(request, "Wrong user name or password.", status=401)
    auth.record_success(client, user)
    _session, token = auth.new_session(user)
    resp = response.redirect(safe_next(request.form.get("next")), status=303)
    set_cookie(resp, request, SESSION_COOKIE, token, SESSION_TTL_S)
    clear_cookie(resp, request, LOGIN_CSRF_COOKIE)
    return resp


@login_required("api")
async def logout(request: Request) -> HTTPResponse:
    dashboard_of(request).auth.revoke(request.ctx.dashboard_session)
    resp = response.redirect("/dashboard/login?msg=logged-out", status=303)
    clear_cookie(resp, request, SESSION_COOKIE)
    return resp
