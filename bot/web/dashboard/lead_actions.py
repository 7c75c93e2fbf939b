"""What a logged-in user does to one lead: change its status, and "Resume assistant" for a
conversation the assistant handed to a person (paused)."""

from __future__ import annotations

import asyncio

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.domain.canonical import LEAD_STATUSES
from bot.leads.store import LeadStoreUnavailable
from bot.rasa_adapters.http_api import resume_conversation
from bot.web.dashboard.access import login_required
from bot.web.dashboard.context import dashboard_of, render

# A person is waiting on the page: shorter than the CLI's wait.
RASA_API_TIMEOUT_S = 5.0


@login_required("api")
async def lead_status(request: Request, lead_id: int) -> HTTPResponse:
    status = request.form.get("status") or ""
    if status not in LEAD_STATUSES:
        return response.text("unknown status", status=400)
    try:
        lead = await asyncio.to_thread(dashboard_of(request).store.set_status, lead_id, status)
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    if lead is None:
        return render("not_found.html", request, status=404)
    return response.redirect(f"/dashboard/leads/{lead_id}?msg=status", status=303)


@login_required("api")
async def lead_resume(request: Request, lead_id: int) -> HTTPResponse:
    dashboard = dashboard_of(request)
    try:
        lead = await asyncio.to_thread(dashboard.store.get_by_id, lead_id)
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    if lead is None:
        return render("not_found.html", request, status=404)
    if not dashboard.settings.api_token:
        return response.redirect(f"/dashboard/leads/{lead_id}?msg=resume-unavailable", status=303)
    resumed = await asyncio.to_thread(
        resume_conversation, dashboard.settings, lead.sender_id, timeout_s=RASA_API_TIMEOUT_S
    )
    if not resumed:
        return response.redirect(f"/dashboard/leads/{lead_id}?msg=resume-failed", status=303)
    await asyncio.to_thread(dashboard.store.set_paused, lead.sender_id, False)
    return response.redirect(f"/dashboard/leads/{lead_id}?msg=resumed", status=303)
