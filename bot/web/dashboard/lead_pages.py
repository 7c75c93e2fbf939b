"""The lead pages: the list with filters (`/dashboard`) and one lead with its transcript
(`/dashboard/leads/<id>`). Templates autoescape everything."""

from __future__ import annotations

import asyncio
import functools
from typing import List, Optional

from sanic.request import Request
from sanic.response import HTTPResponse

from bot.domain.canonical import GRADES, LEAD_STATUSES
from bot.domain.slots import SLOTS_BY_NAME
from bot.leads.models import SLOT_FIELDS, Lead
from bot.leads.store import LeadStoreUnavailable
from bot.outbox.store import Outbox
from bot.web.dashboard.access import login_required
from bot.web.dashboard.context import FLASH_MESSAGES, dashboard_of, render
from bot.web.dashboard.filters import LeadFilters
from bot.web.dashboard.handoff_note import handoff_note

PAGE_SIZE = 50  # an agent's screen; the search finds the rest

SLOT_LABELS = {name: SLOTS_BY_NAME[name].agent_label for name in SLOT_FIELDS}


@login_required("page")
async def lead_list(request: Request) -> HTTPResponse:
    dashboard = dashboard_of(request)
    filters = LeadFilters.from_args(request.args)
    kwargs = filters.store_kwargs(dashboard.tz)
    page = _page_number(request.args.get("page"))
    try:
        # One page in SQL, without transcripts: the list never loads every lead.
        total = await asyncio.to_thread(dashboard.store.count_leads, **kwargs)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page, pages)
        leads: List[Lead] = await asyncio.to_thread(
            functools.partial(dashboard.store.list_leads, **kwargs, limit=PAGE_SIZE,
                              offset=(page - 1) * PAGE_SIZE, with_transcript=False))
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    query = filters.query()
    return render(
        "leads.html",
        request,
        leads=leads,
        total=total,
        page=page,
        pages=pages,
        first_shown=(page - 1) * PAGE_SIZE + 1 if leads else 0,
        last_shown=(page - 1) * PAGE_SIZE + len(leads),
        page_query=(query + "&" if query else "") + "page=",
        filters=filters,
        export_query=query,
        grades=GRADES,
        statuses=LEAD_STATUSES,
        tz=dashboard.tz,
    )


@login_required("page")
async def lead_detail(request: Request, lead_id: int) -> HTTPResponse:
    dashboard = dashboard_of(request)
    try:
        lead: Optional[Lead] = await asyncio.to_thread(dashboard.store.get_by_id, lead_id)
        # What went out about this lead (Slack, e-mail, CRM pushes) and in which state.
        deliveries = [] if lead is None else await asyncio.to_thread(
            functools.partial(Outbox(dashboard.store).list_items, sender_id=lead.sender_id,
                              limit=50))
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
        api_enabled=bool(dashboard.settings.api_token),
        tz=dashboard.tz,
        handoff=handoff_note(lead),
        deliveries=deliveries,
    )


def _page_number(raw: Optional[str]) -> int:
    try:
        return max(1, min(int(raw or 1), 1_000_000))
    except ValueError:
        return 1
