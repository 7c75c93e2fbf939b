"""`/dashboard/funnel`: how conversations go (bot.analytics.funnel), as charts and tables, for a
date range of office days; `/dashboard/funnel.csv`: the same figures as CSV.

Conversations come from Rasa's tracker store (bot.analytics.tracker_events), leads from the lead
store. The page's figures travel to the chart script as a JSON data block (CSP allows no inline
script); the tables show the same numbers without JavaScript.
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Optional, Tuple

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.analytics.funnel import STAGES, FunnelReport, LeadFact, build_report, trace
from bot.analytics.tracker_events import TrackerEvents, TrackerUnavailable, tracker_database_url
from bot.domain.slots import SLOTS_BY_NAME
from bot.leads.store import LeadStoreUnavailable
from bot.web.dashboard.access import login_required
from bot.web.dashboard.context import dashboard_of, render

DEFAULT_DAYS = 30
#: Questions as the agent knows them ("Locations", not "num_locations").
QUESTION_LABELS = {name: slot.agent_label for name, slot in SLOTS_BY_NAME.items() if slot.agent_label}
MAX_DAYS = 366


@dataclass(frozen=True)
class DateRange:
    """Whole office days, `until` inclusive."""

    since: date
    until: date

    @classmethod
    def from_args(cls, args: Any, today: date) -> "DateRange":
        def day(name: str) -> Optional[date]:
            try:
                return date.fromisoformat((args.get(name) or "").strip())
            except ValueError:
                return None

        until = day("until") or today
        since = day("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            since, until = until, since
        since = max(since, until - timedelta(days=MAX_DAYS - 1))
        return cls(since, until)

    def bounds(self, tz: tzinfo) -> Tuple[datetime, datetime]:
        """[start, end) as aware datetimes."""
        return (datetime.combine(self.since, time.min, tz),
                datetime.combine(self.until + timedelta(days=1), time.min, tz))


def _tracker_events(request: Request) -> TrackerEvents:
    """One reader per app, opened on first use (the tracker database may come up later)."""
    ctx = request.app.ctx
    if getattr(ctx, "funnel_trackers", None) is None:
        ctx.funnel_trackers = TrackerEvents(tracker_database_url(dashboard_of(request).settings))
    return ctx.funnel_trackers


async def _report(request: Request) -> FunnelReport:
    dashboard = dashboard_of(request)
    today = dashboard.settings.now().astimezone(dashboard.tz).date()
    dates = DateRange.from_args(request.args, today)
    start, end = dates.bounds(dashboard.tz)
    conversations = await asyncio.to_thread(_tracker_events(request).conversations, start, end)
    leads = await asyncio.to_thread(
        lambda: [LeadFact(lead.created_at, lead.channel, lead.grade)
                 for lead in dashboard.store.iter_listed_leads(since=start, until=end)
                 if start <= lead.created_at < end])  # created in the range, not only updated
    return build_report(trace(conversations), leads, dashboard.tz, dates.since, dates.until)


def _unavailable(kind: str) -> HTTPResponse:
    return response.text(f"{kind} database unavailable", status=503,
                         headers={"Cache-Control": "no-store"})


@login_required("page")
async def funnel_page(request: Request) -> HTTPResponse:
    try:
        report = await _report(request)
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    except TrackerUnavailable:
        return render("unavailable.html", request, status=503)
    started = report.stages.get("started", 0)
    return render(
        "funnel.html",
        request,
        report=report,
        stages=[(label, report.stages.get(key, 0),
                 round(100 * report.stages.get(key, 0) / started) if started else 0)
                for key, label in STAGES],
        data={**report.to_dict(), "labels": QUESTION_LABELS},
        labels=QUESTION_LABELS,
        csv_query=f"since={report.since}&until={report.until}",
    )


@login_required("api")
async def funnel_csv(request: Request) -> HTTPResponse:
    try:
        report = await _report(request)
    except LeadStoreUnavailable:
        return _unavailable("lead")
    except TrackerUnavailable:
        return _unavailable("tracker")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["figure", "key", "group", "value"])
    writer.writerows(report.csv_rows())
    return response.text(
        buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition":
                 f'attachment; filename="funnel-{report.since}-{report.until}.csv"',
                 "Cache-Control": "no-store"},
    )
