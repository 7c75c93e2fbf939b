"""`/dashboard/leads.csv`: the filtered leads as CSV (columns from bot.leads.export)."""

from __future__ import annotations

import asyncio

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.leads.export import leads_to_csv
from bot.leads.store import LeadStoreUnavailable
from bot.web.dashboard.access import login_required
from bot.web.dashboard.context import dashboard_of
from bot.web.dashboard.filters import LeadFilters


@login_required("api")
async def export_csv(request: Request) -> HTTPResponse:
    dashboard = dashboard_of(request)
    filters = LeadFilters.from_args(request.args)
    try:
        leads = await asyncio.to_thread(dashboard.store.list_leads, **filters.store_kwargs(dashboard.tz))
    except LeadStoreUnavailable:
        return response.text("lead database unavailable", status=503)
    body = leads_to_csv(leads)
    stamp = dashboard.settings.now().strftime("%Y%m%d-%H%M")
    return response.text(
        body,
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="leads-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
