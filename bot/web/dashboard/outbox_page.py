"""The outbox in the dashboard (`/dashboard/outbox`): every message that leaves the system,
with its state (to send / queued / sending / failed, retrying / sent / dead), attempts and
last error. A person can try a message again at once, mark one as sent by hand (a plan
emailed from their own mailbox while SMTP is not set up), and read a plan email to send."""

from __future__ import annotations

import asyncio
from typing import Any, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.leads.models import Lead
from bot.leads.store import LeadStore, LeadStoreUnavailable
from bot.notify.agency import load_agency
from bot.notify.plan_email import compose_plan_email
from bot.outbox.models import STATE_LABELS, STATES, OutboxItem
from bot.outbox.store import Outbox
from bot.web.dashboard.access import login_required
from bot.web.dashboard.context import dashboard_of, render

LIST_LIMIT = 200

OUTBOX_MESSAGES = {
    "retried": "The message is queued again; the delivery worker sends it within seconds.",
    "marked-sent": "Marked as sent.",
    "unchanged": "That message could not be changed (it is being sent, or was sent already).",
}


def _outbox(request: Request) -> Outbox:
    return Outbox(dashboard_of(request).store)


def _listing(store: LeadStore, state: Optional[str]) -> dict[str, Any]:
    outbox = Outbox(store)
    items = outbox.list_items(states=[state] if state else None, limit=LIST_LIMIT)
    leads: dict[str, Optional[Lead]] = {}
    for item in items:
        if item.sender_id and item.sender_id not in leads:
            leads[item.sender_id] = store.get(item.sender_id)
    return {"items": items, "counts": outbox.counts(), "leads": leads}


@login_required("page")
async def outbox_list(request: Request) -> HTTPResponse:
    dashboard = dashboard_of(request)
    state = request.args.get("state") or None
    if state not in (None, *STATES):
        state = None
    try:
        listing = await asyncio.to_thread(_listing, dashboard.store, state)
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    return render(
        "outbox.html",
        request,
        state=state,
        states=STATES,
        labels=STATE_LABELS,
        limit=LIST_LIMIT,
        message=OUTBOX_MESSAGES.get(request.args.get("msg", "")),
        tz=dashboard.tz,
        **listing,
    )


@login_required("api")
async def outbox_retry(request: Request, item_id: int) -> HTTPResponse:
    try:
        item = await asyncio.to_thread(_outbox(request).retry_now, item_id)
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    return response.redirect(f"/dashboard/outbox?msg={'retried' if item else 'unchanged'}",
                             status=303)


@login_required("api")
async def outbox_mark_sent(request: Request, item_id: int) -> HTTPResponse:
    who = request.ctx.dashboard_session.user
    try:
        item = await asyncio.to_thread(_outbox(request).mark_sent_by_hand, item_id, who)
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    return response.redirect(f"/dashboard/outbox?msg={'marked-sent' if item else 'unchanged'}",
                             status=303)


def _plan_email(store: LeadStore, item_id: int) -> Optional[tuple[OutboxItem, Lead, Any]]:
    item = Outbox(store).get(item_id)
    if item is None or item.kind != "plan" or not item.sender_id:
        return None
    lead = store.get(item.sender_id)
    if lead is None:
        return None
    return item, lead, compose_plan_email(lead, load_agency())


@login_required("page")
async def outbox_email_preview(request: Request, item_id: int) -> HTTPResponse:
    """The plan email as it goes out: to send it by hand while SMTP is not set up."""
    dashboard = dashboard_of(request)
    try:
        found = await asyncio.to_thread(_plan_email, dashboard.store, item_id)
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    if found is None:
        return render("not_found.html", request, status=404)
    item, lead, email = found
    return render("outbox_email.html", request, item=item, lead=lead, email=email,
                  recipient=item.payload.get("recipient") or lead.email, tz=dashboard.tz)
