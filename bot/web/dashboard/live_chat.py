"""The live conversation view (`/dashboard/leads/<id>/live`): an agency without Slack takes a
customer's chat, reads it as it happens and answers from a reply box.

The page gets new lines by server-sent events (`.../live/events`); this handler in turn
long-polls the Rasa server's `GET /takeover/<sender>/live?wait=` (bot/rasa_adapters/server/
takeover.py), which answers as soon as a line is recorded: the browser never polls. Take, reply,
hand back and close go to the Rasa server's token-protected takeover routes (BOT_API_TOKEN),
because only it can write the tracker and reach the customer's socket.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Optional
from urllib.parse import quote

import aiohttp
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.leads.models import Lead
from bot.leads.store import LeadStoreUnavailable
from bot.web.dashboard.access import login_required
from bot.web.dashboard.context import dashboard_of, render

logger = logging.getLogger(__name__)

LONG_POLL_S = 20.0
RETRY_S = 2.0
RASA_TIMEOUT_S = 10.0


async def _lead(request: Request, lead_id: int) -> Optional[Lead]:
    return await asyncio.to_thread(dashboard_of(request).store.get_by_id, lead_id)


def _takeover_url(request: Request, lead: Lead, what: str) -> str:
    settings = dashboard_of(request).settings
    return f"{settings.local_rasa_url}/takeover/{quote(lead.sender_id, safe='')}/{what}"


async def _rasa(request: Request, lead: Lead, what: str, body: dict[str, Any]) -> tuple[int, Any]:
    """POST to a takeover route of the Rasa server; (HTTP status, JSON answer)."""
    settings = dashboard_of(request).settings
    if not settings.api_token:
        return 503, {"error": "the live view needs BOT_API_TOKEN (Rasa server and web app)"}
    try:
        async with request.app.ctx.http.post(
                _takeover_url(request, lead, what), json=body,
                headers={"Authorization": f"Bearer {settings.api_token}"},
                timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT_S)) as answer:
            return answer.status, await answer.json(content_type=None)
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as error:
        logger.warning("takeover %s for lead #%s failed: %s", what, lead.id, type(error).__name__)
        return 502, {"error": "the assistant's server is not reachable right now"}


@login_required("page")
async def live_page(request: Request, lead_id: int) -> HTTPResponse:
    try:
        lead = await _lead(request, lead_id)
    except LeadStoreUnavailable:
        return render("unavailable.html", request, status=503)
    if lead is None:
        return render("not_found.html", request, status=404)
    return render("live.html", request, lead=lead,
                  api_enabled=bool(dashboard_of(request).settings.api_token))


@login_required("api")
async def live_events(request: Request, lead_id: int) -> Any:
    """Server-sent events: `state` (who has the chat) and `line` (each takeover line)."""
    lead = await _lead(request, lead_id)
    if lead is None:
        return response.text("not found", status=404)
    try:
        after = int(request.headers.get("last-event-id") or request.args.get("after") or 0)
    except ValueError:
        after = 0
    stream = await request.respond(content_type="text/event-stream", headers={
        "Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    url = _takeover_url(request, lead, "live")
    last_state: Optional[dict[str, Any]] = None
    while not _gone(request):
        try:
            async with request.app.ctx.http.get(
                    url, params={"after": str(after), "wait": str(LONG_POLL_S)},
                    timeout=aiohttp.ClientTimeout(total=LONG_POLL_S + RASA_TIMEOUT_S)) as answer:
                live = await answer.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError):
            await stream.send(": the assistant's server is not reachable; retrying\n\n")
            await asyncio.sleep(RETRY_S)
            continue
        state = {k: live.get(k) for k in ("state", "agent", "agent_typing")}
        chunks = []
        if state != last_state:
            chunks.append(f"event: state\ndata: {json.dumps(state)}\n\n")
            last_state = state
        for line in live.get("lines") or []:
            after = max(after, int(line["id"]))
            chunks.append(f"id: {line['id']}\nevent: line\ndata: {json.dumps(line)}\n\n")
        # A comment keeps the connection (and proxies) awake; a send to a closed page raises.
        await stream.send("".join(chunks) or ": keep-alive\n\n")


def _gone(request: Request) -> bool:
    """The page went away: stop long-polling the Rasa server for it."""
    transport = getattr(request, "transport", None)
    return transport is None or transport.is_closing()


def _agent(request: Request) -> str:
    return str(request.ctx.dashboard_session.user)


@login_required("api")
async def live_action(request: Request, lead_id: int, action: str) -> HTTPResponse:
    """take | reply | handback | close | typing, from the live page (form posts with CSRF)."""
    lead = await _lead(request, lead_id)
    if lead is None:
        return response.json({"error": "no such lead"}, status=404)
    agent = _agent(request)
    if action == "take":
        status, answer = await _rasa(request, lead, "take", {
            "agent_id": f"dashboard:{agent}", "agent_name": agent, "via": "dashboard"})
    elif action == "reply":
        text = (request.form.get("text") or "").strip()
        if not text:
            return response.json({"error": "write something first"}, status=400)
        status, answer = await _rasa(request, lead, "message", {"agent_name": agent, "text": text})
    elif action in ("handback", "close"):
        status, answer = await _rasa(request, lead, "end", {"agent_name": agent, "how": action})
    elif action == "typing":
        status, answer = await _rasa(request, lead, "typing", {"agent_name": agent})
    else:
        return response.json({"error": "unknown action"}, status=404)
    return response.json(answer, status=status, headers={"Cache-Control": "no-store"})
