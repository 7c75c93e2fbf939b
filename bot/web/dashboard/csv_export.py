"""`/dashboard/leads.csv`: the filtered leads as CSV (columns from bot.leads.export).

Streamed: the leads are read a page at a time (without transcripts) and each page is written
to the client before the next is read, so an export of any size holds one page in memory.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any, Iterator, List

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.leads.export import write_csv
from bot.leads.models import Lead
from bot.leads.store import LeadStoreUnavailable
from bot.web.dashboard.access import login_required
from bot.web.dashboard.context import dashboard_of
from bot.web.dashboard.filters import LeadFilters

PAGE = 500


def _csv_chunk(leads: List[Lead], header: bool) -> str:
    buffer = io.StringIO()
    write_csv(leads, buffer)
    text = buffer.getvalue()
    return text if header else text.split("\n", 1)[1]


@login_required("api")
async def export_csv(request: Request) -> HTTPResponse:
    dashboard = dashboard_of(request)
    filters = LeadFilters.from_args(request.args)
    pages: Iterator[Lead] = dashboard.store.iter_listed_leads(
        batch_size=PAGE, **filters.store_kwargs(dashboard.tz))

    def next_page() -> List[Lead]:
        return [lead for _, lead in zip(range(PAGE), pages)]

    try:
        first = await asyncio.to_thread(next_page)  # a database outage is still a clean 503
    except LeadStoreUnavailable:
        return response.text("lead database unavailable", status=503)
    stamp = dashboard.settings.now().strftime("%Y%m%d-%H%M")
    resp: Any = await request.respond(
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="leads-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
    await resp.send(_csv_chunk(first, header=True))
    page = first
    while len(page) == PAGE:
        page = await asyncio.to_thread(next_page)  # an outage now ends a partial download
        if page:
            await resp.send(_csv_chunk(page, header=False))
    await resp.eof()
    return resp
