"""The leads dashboard (`/dashboard`): login, lead list with filters, lead detail with the
transcript, status changes, CSV export, and "Resume assistant" for paused conversations.

Every route but the login page needs a session: pages redirect to the login, the CSV export
and form posts answer 401. Every form carries a CSRF token. Templates autoescape everything.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Awaitable, Callable, Dict, List, Optional
from urllib.parse import quote, urlencode

import aiohttp
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.domain.canonical import GRADES, LEAD_STATUSES
from bot.domain.hours import load_business_hours
from bot.leads.export import leads_to_csv
from bot.leads.models import SLOT_FIELDS, Lead
from bot.leads.store import LeadStore, LeadStoreUnavailable
from bot.web.auth import (
    COOKIE_PATH,
    LOGIN_CSRF_COOKIE,
    LOGIN_CSRF_TTL_S,
    SESSION_COOKIE,
    SESSION_TTL_S,
    DashboardAuth,
    DashboardSession,
)

logger = logging.getLogger(__name__)

RASA_API_TIMEOUT_S = 5.0
LIST_LIMIT = 500

FLASH_MESSAGES = {
    "status": "Status updated.",
    "resumed": "The assistant has resumed this conversation.",
    "resume-failed": "Could not resume the conversation: the Rasa server did not accept the event.",
    "resume-unavailable": "Resuming needs the Rasa HTTP API: set BOT_API_TOKEN for the Rasa server and the web app.",
    "logged-out": "You are logged out.",
}
SLOT_LABELS = {
    "states": "States",
    "city": "HQ city",
    "zip_code": "ZIP code",
    "num_locations": "Locations",
    "employees": "Employees",
    "services": "Services",
    "challenges": "Challenges",
    "current_carrier": "Current carrier",
    "contract_end": "Contract end",
    "contact_name": "Contact",
    "company_name": "Company",
    "email": "Email",
    "phone": "Phone",
    "handoff_reason": "Handoff reason",
}


@dataclass(frozen=True)
class LeadFilters:
    """The list/export filters, parsed from the query string (invalid values are ignored)."""

    grade: Optional[str] = None
    status: Optional[str] = None
    after_hours: Optional[bool] = None
    since: Optional[date] = None
    until: Optional[date] = None

    @classmethod
    def from_args(cls, args: Any) -> "LeadFilters":
        def one(name: str) -> str:
            return (args.get(name) or "").strip()

        def day(name: str) -> Optional[date]:
            try:
                return date.fromisoformat(one(name)) if one(name) else None
            except ValueError:
                return None

        after = one("after_hours").lower()
        return cls(
            grade=one("grade").upper() if one("grade").upper() in GRADES else None,
            status=one("status") if one("status") in LEAD_STATUSES else None,
            after_hours={"yes": True, "no": False}.get(after),
            since=day("since"),
            until=day("until"),
        )

    def store_kwargs(self, tz: tzinfo) -> Dict[str, Any]:
        """Arguments for `LeadStore.list_leads`; dates are whole days in `tz`, `until` inclusive."""
        return {
            "grade": self.grade,
            "status": self.status,
            "after_hours": self.after_hours,
            "since": datetime.combine(self.since, time.min, tz) if self.since else None,
            "until": datetime.combine(self.until + timedelta(days=1), time.min, tz) if self.until else None,
        }

    def query(self) -> str:
        """The filters as a query string (for the CSV link)."""
        values = {
            "grade": self.grade or "",
            "status": self.status or "",
            "after_hours": {True: "yes", False: "no"}.get(self.after_hours, ""),  # type: ignore[arg-type]
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return urlencode({k: v for k, v in values.items() if v})


def business_timezone() -> tzinfo:
    """The office's time zone (date filters and times shown are office days); UTC if unknown."""
    try:
        return load_business_hours().zone
    except Exception:  # noqa: BLE001 - a broken hours file must not take the dashboard down
        logger.exception("business hours unavailable; the dashboard shows UTC")
        return timezone.utc


def client_address(request: Request) -> str:
    return request.remote_addr or request.ip or "unknown"


def safe_next(target: Optional[str]) -> str:
    """Only redirect back inside the dashboard (no open redirect)."""
    if target and target.startswith("/dashboard") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard"


def create_dashboard(app: Sanic) -> Blueprint:
    """The dashboard blueprint for `app` (settings, templates and HTTP client from app.ctx)."""
    settings = app.ctx.settings
    config = app.ctx.config
    auth = DashboardAuth(settings.dashboard_user, settings.dashboard_password, config.dashboard_secret)
    store = LeadStore.from_settings(settings)
    app.ctx.dashboard_auth = auth
    app.ctx.lead_store = store
    bp = Blueprint(f"dashboard_{app.name}", url_prefix="/dashboard")
    tz = business_timezone()

    @app.listener("before_server_start")
    async def migrate_store(_app: Sanic, _loop: Any) -> None:
        try:
            await asyncio.to_thread(store.migrate)
        except LeadStoreUnavailable as error:  # the dashboard shows an error page until it works
            logger.error("lead store unavailable at start-up: %s", error)

    @app.listener("after_server_stop")
    async def close_store(_app: Sanic, _loop: Any) -> None:
        await asyncio.to_thread(store.close)

    def secure_cookies(request: Request) -> bool:
        return request.scheme == "https" or (settings.public_url or "").startswith("https://")

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

    def render(name: str, request: Request, status: int = 200, **context: Any) -> HTTPResponse:
        context.setdefault("session", getattr(request.ctx, "dashboard_session", None))
        html = app.ctx.templates.get_template(name).render(**context)
        return response.html(html, status=status, headers={"Cache-Control": "no-store"})

    def current_session(request: Request) -> Optional[DashboardSession]:
        return auth.session_from_cookie(request.cookies.get(SESSION_COOKIE))

    Handler = Callable[..., Awaitable[HTTPResponse]]

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

    # ----- login / logout -----

    @bp.get("/login")
    async def login_page(request: Request) -> HTTPResponse:
        if current_session(request):
            return response.redirect("/dashboard", status=303)
        return login_form(request)

    def login_form(request: Request, error: Optional[str] = None, status: int = 200) -> HTTPResponse:
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

    @bp.post("/login")
    async def login_submit(request: Request) -> HTTPResponse:
        client = client_address(request)
        if auth.locked_out(client):
            return response.text("too many failed logins; try again later", status=429, headers={"Retry-After": "900"})
        if not auth.login_csrf_ok(request.form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE)):
            return login_form(request, "Your login form expired. Please try again.", status=403)
        user = request.form.get("username") or ""
        password = request.form.get("password") or ""
        if not auth.check_credentials(user, password):
            await auth.record_failure(client)
            if not auth.enabled:
                return login_form(request, "Dashboard login is disabled on this server.", status=403)
            return login_form(request, "Wrong user name or password.", status=401)
        auth.record_success(client)
        _session, token = auth.new_session(user)
        resp = response.redirect(safe_next(request.form.get("next")), status=303)
        set_cookie(resp, request, SESSION_COOKIE, token, SESSION_TTL_S)
        clear_cookie(resp, request, LOGIN_CSRF_COOKIE)
        return resp

    @bp.post("/logout")
    @login_required("api")
    async def logout(request: Request) -> HTTPResponse:
        auth.revoke(request.ctx.dashboard_session)
        resp = response.redirect("/dashboard/login?msg=logged-out", status=303)
        clear_cookie(resp, request, SESSION_COOKIE)
        return resp

    # ----- leads -----

    @bp.get("/")
    @login_required("page")
    async def lead_list(request: Request) -> HTTPResponse:
        filters = LeadFilters.from_args(request.args)
        try:
            leads: List[Lead] = await asyncio.to_thread(store.list_leads, **filters.store_kwargs(tz))
        except LeadStoreUnavailable:
            return render("unavailable.html", request, status=503)
        return render(
            "leads.html",
            request,
            leads=leads[:LIST_LIMIT],
            total=len(leads),
            limit=LIST_LIMIT,
            filters=filters,
            export_query=filters.query(),
            grades=GRADES,
            statuses=LEAD_STATUSES,
            tz=tz,
        )

    @bp.get("/leads/<lead_id:int>")
    @login_required("page")
    async def lead_detail(request: Request, lead_id: int) -> HTTPResponse:
        try:
            lead: Optional[Lead] = await asyncio.to_thread(store.get_by_id, lead_id)
        except LeadStoreUnavailable:
            return render("unavailable.html", request, status=503)
        if lead is None:
            return render("not_found.html", request, status=404)
        return render(
            "lead.html",
            request,
            lead=lead,
            slots=[(SLOT_LABELS[name], getattr(lead, name)) for name in SLOT_FIELDS],
            recommendation=lead.recommendation or {},
            statuses=LEAD_STATUSES,
            message=FLASH_MESSAGES.get(request.args.get("msg", "")),
            error=request.args.get("msg", "").startswith("resume-"),
            api_enabled=bool(settings.api_token),
            tz=tz,
        )

    @bp.post("/leads/<lead_id:int>/status")
    @login_required("api")
    async def lead_status(request: Request, lead_id: int) -> HTTPResponse:
        status = request.form.get("status") or ""
        if status not in LEAD_STATUSES:
            return response.text("unknown status", status=400)
        try:
            lead = await asyncio.to_thread(store.set_status, lead_id, status)
        except LeadStoreUnavailable:
            return render("unavailable.html", request, status=503)
        if lead is None:
            return render("not_found.html", request, status=404)
        return response.redirect(f"/dashboard/leads/{lead_id}?msg=status", status=303)

    @bp.post("/leads/<lead_id:int>/resume")
    @login_required("api")
    async def lead_resume(request: Request, lead_id: int) -> HTTPResponse:
        try:
            lead = await asyncio.to_thread(store.get_by_id, lead_id)
        except LeadStoreUnavailable:
            return render("unavailable.html", request, status=503)
        if lead is None:
            return render("not_found.html", request, status=404)
        if not settings.api_token:
            return response.redirect(f"/dashboard/leads/{lead_id}?msg=resume-unavailable", status=303)
        if not await resume_conversation(app, lead.sender_id):
            return response.redirect(f"/dashboard/leads/{lead_id}?msg=resume-failed", status=303)
        await asyncio.to_thread(store.set_paused, lead.sender_id, False)
        return response.redirect(f"/dashboard/leads/{lead_id}?msg=resumed", status=303)

    @bp.get("/leads.csv")
    @login_required("api")
    async def export_csv(request: Request) -> HTTPResponse:
        filters = LeadFilters.from_args(request.args)
        try:
            leads = await asyncio.to_thread(store.list_leads, **filters.store_kwargs(tz))
        except LeadStoreUnavailable:
            return response.text("lead database unavailable", status=503)
        body = leads_to_csv(leads)
        stamp = settings.now().strftime("%Y%m%d-%H%M")
        return response.text(
            body,
            content_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="leads-{stamp}.csv"',
                "Cache-Control": "no-store",
            },
        )

    return bp


# `resume`, then `action_listen`: a conversation paused by an action ends its turn without the
# usual action_listen, and without one the policies answer the customer's next message with
# nothing (rules expect listen -> user). With it, the next message is handled as usual.
RESUME_EVENTS = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


async def resume_conversation(app: Sanic, sender_id: str) -> bool:
    """Tell the Rasa server to resume a paused conversation (HTTP API, BOT_API_TOKEN)."""
    settings = app.ctx.settings
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    url = f"http://{host}:{settings.rasa_port}/conversations/{quote(sender_id, safe='')}/tracker/events"
    try:
        async with app.ctx.http.post(
            url,
            params={"token": settings.api_token},
            json=RESUME_EVENTS,
            timeout=aiohttp.ClientTimeout(total=RASA_API_TIMEOUT_S),
        ) as resp:
            if resp.status == 200:
                return True
            logger.warning("resume of %s refused by Rasa: HTTP %s", sender_id, resp.status)
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
        logger.warning("resume of %s failed: %s", sender_id, type(error).__name__)
    return False
