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
from bot.web.dashboard.access import login_required
from bot.web.dashboard.context import FLASH_MESSAGES, dashboard_of, render
from bot.web.dashboard.filters import LeadFilters

LIST_LIMIT = 500

SLOT_LABELS = {name: SLOTS_BY_NAME[name].agent_label for name in SLOT_FIELDS}


@login_required("page")
async def lead_list(request: Request) -> HTTPResponse:
    dashboard = dashboard_of(request)
    filters = LeadFilters.from_args(request.args)
    kwargs = filters.store_kwargs(dashboard.tz)
    try:
        # One page in SQL, without transcripts: the list never loads every lead.
        leads: List[Lead] = await asyncio.to_thread(
            functools.partial(dashboard.store.list_leads, **kwargs, limit=LIST_LIMIT,
                              with_transcript=False))
        total = len(leads) if len(leads) < LIST_LIMIT else \
            await asyncio.to_thread(dashboard.store.count_leads, **kwargs)
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    return render(
        "leads.html",
        request,
        leads=leads,
        total=total,
        limit=LIST_LIMIT,
        filters=filters,
        export_query=filters.query(),
        grades=GRADES,
        statuses=LEAD_STATUSES,
        tz=dashboard.tz,
    )


@login_required("page")
async def lead_detail(request: Request, lead_id: int) -> HTTPResponse:
    dashboard = dashboard_of(request)
    try:
        lead: Optional[Lead] = await asyncio.to_thread(dashboard.store.get_by_id, lead_id)
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
    )
