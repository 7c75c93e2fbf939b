"""What every dashboard handler shares, kept on `app.ctx.dashboard` (no closures): settings,
authentication, the lead store and the office's time zone; plus page rendering."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timezone, tzinfo
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.base.settings import Settings
from bot.domain.hours import load_business_hours
from bot.leads.store import LeadStore, open_lead_store
from bot.web.auth import DashboardAuth

logger = logging.getLogger(__name__)

FLASH_MESSAGES = {
    "status": "Status updated.",
    "resumed": "The assistant has resumed this conversation.",
    "resume-failed": "Could not resume the conversation: the Rasa server did not accept the event.",
    "resume-unavailable": "Resuming needs the Rasa HTTP API: set BOT_API_TOKEN for the Rasa server and the web app.",
    "logged-out": "You are logged out.",
}


@dataclass(frozen=True)
class DashboardContext:
    """The dashboard's shared state for one app."""

    settings: Settings
    auth: DashboardAuth
    store: LeadStore
    tz: tzinfo  # dates in filters and times shown are office days and times


def open_store(settings: Settings) -> LeadStore:
    """The lead store the dashboard reads and updates (the one place it is opened)."""
    return open_lead_store(settings)  # this process's store; migrated on first contact


def business_timezone() -> tzinfo:
    """The office's time zone (date filters and times shown are office days); UTC if unknown."""
    try:
        return load_business_hours().zone
    except Exception:  # noqa: BLE001 - a broken hours file must not take the dashboard down
        logger.exception("business hours unavailable; the dashboard shows UTC")
        return timezone.utc


def dashboard_of(request: Request) -> DashboardContext:
    """The dashboard state of the app serving `request` (set by `create_dashboard`)."""
    context: DashboardContext = request.app.ctx.dashboard
    return context


def render(name: str, request: Request, status: int = 200, **context: Any) -> HTTPResponse:
    """A dashboard page from templates/ (never cached; the logged-in session, if any, in `session`)."""
    context.setdefault("session", getattr(request.ctx, "dashboard_session", None))
    html = request.app.ctx.templates.get_template(name).render(**context)
    return response.html(html, status=status, headers={"Cache-Control": "no-store"})
