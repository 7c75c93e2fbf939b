"""The leads dashboard (`/dashboard`): login, lead list with filters, lead detail with the
transcript, status changes, CSV export, "Resume assistant" for paused conversations, and the
outbox (everything the system sends, with its state: outbox_page).

The handlers are module-level functions, one module per topic (login, lead_pages,
lead_actions, csv_export); what they share (settings, auth, lead store, time zone) is on
`app.ctx.dashboard` (context.py), who may call them is access.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sanic import Blueprint, Sanic

from bot.leads.store import LeadStoreUnavailable
from bot.web.auth import DashboardAuth
from bot.web.dashboard import (csv_export, funnel_page, lead_actions, lead_pages, live_chat, login,
                                outbox_page)
from bot.web.dashboard.context import DashboardContext, business_timezone, open_store
from bot.web.dashboard.display_time import agent_time

logger = logging.getLogger(__name__)


async def migrate_store(app: Sanic, _loop: Any) -> None:
    try:
        await asyncio.to_thread(app.ctx.dashboard.store.migrate)
    except LeadStoreUnavailable as error:  # the dashboard shows an error page until it works
        logger.error("lead store unavailable at start-up: %s", error)


async def close_store(app: Sanic, _loop: Any) -> None:
    await asyncio.to_thread(app.ctx.dashboard.store.close)


def create_dashboard(app: Sanic) -> Blueprint:
    """The dashboard blueprint for `app` (settings, templates and config from app.ctx)."""
    settings = app.ctx.settings
    auth = DashboardAuth(settings.dashboard_user, settings.dashboard_password, app.ctx.config.dashboard_secret)
    app.ctx.dashboard = DashboardContext(settings, auth, open_store(settings), business_timezone())
    app.ctx.templates.filters["agent_time"] = agent_time  # "Tue Dec 1, 10:31 PM", office time
    app.register_listener(migrate_store, "before_server_start")
    app.register_listener(close_store, "after_server_stop")

    bp = Blueprint(f"dashboard_{app.name}", url_prefix="/dashboard")
    bp.add_route(login.login_page, "/login", methods=["GET"])
    bp.add_route(login.login_submit, "/login", methods=["POST"])
    bp.add_route(login.logout, "/logout", methods=["POST"])
    bp.add_route(lead_pages.lead_list, "/", methods=["GET"])
    bp.add_route(lead_pages.lead_detail, "/leads/<lead_id:int>", methods=["GET"])
    bp.add_route(lead_actions.lead_status, "/leads/<lead_id:int>/status", methods=["POST"])
    bp.add_route(lead_actions.lead_resume, "/leads/<lead_id:int>/resume", methods=["POST"])
    bp.add_route(csv_export.export_csv, "/leads.csv", methods=["GET"])
    bp.add_route(live_chat.live_page, "/leads/<lead_id:int>/live", methods=["GET"])
    bp.add_route(live_chat.live_events, "/leads/<lead_id:int>/live/events", methods=["GET"])
    bp.add_route(live_chat.live_action, "/leads/<lead_id:int>/live/<action:str>",
                 methods=["POST"])
    bp.add_route(outbox_page.outbox_list, "/outbox", methods=["GET"])
    bp.add_route(outbox_page.outbox_retry, "/outbox/<item_id:int>/retry", methods=["POST"])
    bp.add_route(outbox_page.outbox_mark_sent, "/outbox/<item_id:int>/sent", methods=["POST"])
    bp.add_route(outbox_page.outbox_email_preview, "/outbox/<item_id:int>/email",
                 methods=["GET"])
    bp.add_route(funnel_page.funnel_page, "/funnel", methods=["GET"])
    bp.add_route(funnel_page.funnel_csv, "/funnel.csv", methods=["GET"])
    return bp
