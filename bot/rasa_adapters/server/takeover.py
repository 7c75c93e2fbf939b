"""Live takeover in the Rasa server: an agent from Slack or the dashboard talks to the customer.

The state is in the lead database (`bot.leads.takeover`); this module is what only the Rasa
server can do: write the agent's and the customer's lines into the conversation's tracker
(as bot and user events whose metadata says `takeover`), push the agent's lines to the
customer's channel (the widget's Socket.IO room, the customer's Slack conversation; a REST
customer gets them with the next response or from `GET /takeover/<sender>/live`), and keep the
bot quiet while a person has the chat.

`install()` (from `bot.rasa_adapters.server.install`) wraps two Rasa functions:
- `rasa.core.run.configure_app`: adds the routes below and, once the server runs, the task that
  expires takeovers nobody took (the customer is told honestly, offered a callback, and the
  lead becomes `callback`);
- `MessageProcessor.handle_message`: while a takeover is active and the tracker is paused, a
  customer message is logged (no NLU, no prediction) and forwarded to the agent instead.

Routes (`token`: BOT_API_TOKEN, as for Rasa's own API; the web dashboard calls them):
    GET  /takeover/<sender>/live?after=<id>&wait=<s>   public: the sender id is the capability,
                                                        as it is for the socket.io room
    POST /takeover/<sender>/take     {"agent_id", "agent_name", "via"}            token
    POST /takeover/<sender>/message  {"agent_id", "agent_name", "text"}           token
    POST /takeover/<sender>/end      {"agent_name", "how": "handback"|"close"}    token
    POST /takeover/<sender>/typing   {"agent_name"}                               token

Slack's buttons and thread messages reach `TakeoverService.on_slack_*` through the Slack
channel (bot/rasa_adapters/channels/slack.py), which checks Slack's signature first.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from bot.base.privacy import redact
from bot.base.settings import Settings
from bot.leads.store import LeadStoreUnavailable, open_lead_store
from bot.leads.takeover import Takeover, TakeoverMessage, TakeoverStore
from bot.leads.update import LeadUpdate, transcript_from_events

logger = logging.getLogger(__name__)

EXPIRY_CHECK_S = 1.0
TYPING_SHOWN_S = 8.0
MAX_AGENT_TEXT = 4000
LIVE_WAIT_MAX_S = 25.0

# What the customer reads. Every sentence is something the running system does.
JOINED = "{agent} from our team has joined the chat."
HANDED_BACK = ("{agent} has handed you back to the assistant. "
               "Is there anything else I can help with?")
CLOSED = "{agent} has closed the chat. Thank you for talking with us!"
NOBODY_CAME = ("I'm sorry: nobody from our team has been able to join the chat yet, and I don't "
               "want to keep you waiting. An advisor will call you back{where}. If you'd rather "
               "keep chatting with me in the meantime, just type your question.")

_service: Optional["TakeoverService"] = None


def current() -> Optional["TakeoverService"]:
    """The running server's service (None before the app is configured, or in tests)."""
    return _service


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class _Live:
    """In-process wake-ups for live readers of one conversation, and the agent's typing."""

    changed: asyncio.Event = field(default_factory=asyncio.Event)
    typing_until: float = 0.0
    typing_agent: Optional[str] = None


class TakeoverService:
    """What the Rasa server does for a takeover; one per server process."""

    def __init__(self, settings: Settings, input_channels: Iterable[Any],
                 store: Optional[TakeoverStore] = None) -> None:
        self.settings = settings
        self.input_channels = list(input_channels)
        self.leads = open_lead_store(settings)
        self.store = store or TakeoverStore(self.leads)
        self.app: Any = None
        self._live: dict[str, _Live] = {}
        self._slack_client: Any = None
        self._expiry_task: Optional[asyncio.Task] = None  # type: ignore[type-arg]

    # --- Rasa plumbing -----------------------------------------------------------------------

    @property
    def agent(self) -> Any:
        return self.app.ctx.agent if self.app is not None else None

    def _channel(self, name: str) -> Any:
        return next((c for c in self.input_channels if c.name() == name), None)

    async def _db(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(fn, *args, **kwargs)

    def slack(self) -> Any:
        """An AsyncWebClient for the sales channel and Slack customers (None without a token)."""
        if self._slack_client is None and self.settings.slack_bot_token:
            from slack_sdk.web.async_client import AsyncWebClient

            self._slack_client = AsyncWebClient(
                self.settings.slack_bot_token,
                base_url=self.settings.slack_api_url or AsyncWebClient.BASE_URL)
        return self._slack_client

    async def _slack_call(self, method: str, **kwargs: Any) -> Optional[dict[str, Any]]:
        """One Slack Web API call; failures are logged (redacted) and give None."""
        client = self.slack()
        if client is None:
            return None
        try:
            if method == "users.info":  # a read method: form/query arguments, not JSON
                response = await client.api_call(method, http_verb="GET", params=kwargs)
            else:
                response = await client.api_call(method, json=kwargs)
            return dict(response.data) if isinstance(response.data, dict) else None
        except Exception as error:  # noqa: BLE001 - Slack must not break the customer's chat
            logger.warning("Slack %s failed: %s: %s", method, type(error).__name__,
                           redact(str(error))[:300])
            return None

    def _wake(self, sender_id: str) -> None:
        live = self._live.get(sender_id)
        if live is not None:
            live.changed.set()

    # --- tracker -----------------------------------------------------------------------------

    async def _append_events(self, sender_id: str, events: list[Any]) -> Any:
        """Append events to the conversation's tracker under its lock; the tracker after."""
        agent = self.agent
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.processor.get_tracker(sender_id)
            for event in events:
                tracker.update(event)
            await agent.processor.save_tracker(tracker)
        return tracker

    async def _save_transcript(self, tracker: Any, **update: Any) -> None:
        events = [event.as_dict() for event in tracker.events]
        change = LeadUpdate(tracker.sender_id, channel=tracker.get_latest_input_channel()
                            or "unknown", transcript=transcript_from_events(events), **update)
        try:
            await self._db(self.leads.save_or_spool, change)
        except Exception:  # noqa: BLE001 - the chat goes on whatever the lead store does
            logger.exception("could not save the takeover transcript")

    # --- to the customer ---------------------------------------------------------------------

    async def say_to_customer(self, takeover: Takeover, text: str, role: str,
                              author: Optional[str], resume: bool = False,
                              lead_update: Optional[dict[str, Any]] = None,
                              recorded: Optional[TakeoverMessage] = None) -> TakeoverMessage:
        """One agent or system line: recorded, in the tracker, pushed to the customer's channel.

        `resume`: the assistant answers again after this line (hand-back, close, expiry).
        `recorded`: the line is already in the store (the claim wrote it with the takeover).
        """
        from rasa.shared.core.events import ActionExecuted, BotUttered, ConversationResumed

        line = recorded or await self._db(self.store.add_message, takeover, role, text, author,
                                          takeover.channel != "rest")
        meta = {"takeover": {"id": takeover.id, "role": role, "agent": author,
                             "line": line.id}}
        events: list[Any] = [BotUttered(text, data={}, metadata=meta)]
        if resume:
            events += [ConversationResumed(), ActionExecuted("action_listen")]
        tracker = await self._append_events(takeover.sender_id, events)
        await self._push(tracker, takeover, line)
        await self._save_transcript(tracker, **(lead_update or {}))
        if resume:
            await self._db(self.leads.set_paused, takeover.sender_id, False)
        self._wake(takeover.sender_id)
        return line

    async def _push(self, tracker: Any, takeover: Takeover, line: TakeoverMessage) -> None:
        channel = tracker.get_latest_input_channel() or takeover.channel
        try:
            if channel == "socketio":
                socket = self._channel("socketio")
                if socket is not None and socket.sio is not None:
                    await socket.sio.emit(socket.bot_message_evt, widget_message(line),
                                          room=takeover.sender_id)
            elif channel == "slack":
                await self._push_to_slack_customer(tracker, line)
        except Exception as error:  # noqa: BLE001 - it is in the tracker and the DB anyway
            logger.warning("takeover line for %s not pushed to %s: %s", takeover.sender_id,
                           channel, type(error).__name__)

    async def _push_to_slack_customer(self, tracker: Any, line: TakeoverMessage) -> None:
        slack = self._channel("slack")
        latest = tracker.latest_message
        metadata = (latest.metadata if latest is not None else None) or {}
        out = metadata.get("out_channel")
        if slack is None or not out:
            return
        output = slack.get_output_channel(out, metadata.get("thread_id"))
        text = line.text if line.role != "agent" else f"{line.author}: {line.text}"
        await output.send_text_message(tracker.sender_id, text)

    # --- from the customer -------------------------------------------------------------------

    async def customer_said(self, takeover: Takeover, text: str) -> None:
        """A customer message while a person is expected or present: to the agent."""
        await self._db(self.store.add_message, takeover, "customer", text, None, True)
        if takeover.slack_channel and takeover.slack_thread_ts:
            await self._slack_call("chat.postMessage", channel=takeover.slack_channel,
                                   thread_ts=takeover.slack_thread_ts,
                                   text=f"*Customer:* {_slack_escape(text)}")
        self._wake(takeover.sender_id)

    async def rest_response(self, sender_id: str) -> list[dict[str, Any]]:
        """A REST customer's answer during a takeover: the agent's lines not yet given, and
        the takeover's state (who has the chat, whether the agent is typing)."""
        answer = await self.undelivered_lines(sender_id)
        answer.append({"recipient_id": sender_id, "custom": {"takeover": await self.status(sender_id)}})
        return answer

    async def undelivered_lines(self, sender_id: str) -> list[dict[str, Any]]:
        """Agent and system lines a REST customer has not had yet, as REST messages."""
        lines = await self._db(self.store.take_undelivered, sender_id)
        return [{"recipient_id": sender_id, "text": line.text,
                 "custom": {"takeover_line": line.as_json()}} for line in lines]

    async def status(self, sender_id: str) -> dict[str, Any]:
        takeover = await self._db(self.store.latest_for, sender_id)
        live = self._live.get(sender_id)
        typing = bool(live and live.typing_until > time.monotonic())
        if takeover is None:
            return {"state": "none", "agent": None, "agent_typing": False}
        return {"state": takeover.state, "agent": takeover.agent_name,
                "agent_typing": typing and takeover.state == "taken"}

    # --- agents --------------------------------------------------------------------------------

    async def take(self, sender_id: str, agent_id: str, agent_name: str, via: str,
                   slack_channel: Optional[str] = None,
                   slack_thread_ts: Optional[str] = None) -> tuple[bool, Optional[Takeover]]:
        """Claim the conversation for this agent; (won, the takeover as it is now)."""
        takeover = await self._db(self.store.active_for, sender_id)
        if takeover is None:
            return False, await self._db(self.store.latest_for, sender_id)
        joined = JOINED.format(agent=agent_name)
        claim = await self._db(self.store.claim, takeover.id, agent_id, agent_name, via,
                               slack_channel, slack_thread_ts, joined_text=joined,
                               joined_delivered=takeover.channel != "rest")
        if not claim.won or claim.takeover is None:
            return False, claim.takeover
        taken = claim.takeover
        await self.say_to_customer(taken, joined, "system", agent_name, recorded=claim.joined_line)
        await self._announce_taken(taken)
        return True, taken

    async def agent_said(self, takeover: Takeover, agent_name: str, text: str) -> TakeoverMessage:
        text = text.strip()[:MAX_AGENT_TEXT]
        live = self._live.get(takeover.sender_id)
        if live is not None:
            live.typing_until = 0.0
        line = await self.say_to_customer(takeover, text, "agent", agent_name)
        if takeover.agent_via == "dashboard" and takeover.slack_channel and takeover.slack_thread_ts:
            await self._slack_call("chat.postMessage", channel=takeover.slack_channel,
                                   thread_ts=takeover.slack_thread_ts,
                                   text=f"*{_slack_escape(agent_name)}* (dashboard): "
                                        f"{_slack_escape(text)}")
        return line

    async def end(self, takeover: Takeover, how: str, by: str) -> Optional[Takeover]:
        """Hand back to the assistant or close the chat; None when it had already ended."""
        state = "handed_back" if how == "handback" else "closed"
        ended = await self._db(self.store.end, takeover.id, state, by)
        if ended is None:
            return None
        name = takeover.agent_name or by
        wording = HANDED_BACK if state == "handed_back" else CLOSED
        await self.say_to_customer(ended, wording.format(agent=name), "system", by, resume=True)
        if ended.slack_channel and ended.slack_thread_ts:
            what = "handed the chat back to the assistant" if state == "handed_back" \
                else "closed the chat"
            await self._slack_call("chat.postMessage", channel=ended.slack_channel,
                                   thread_ts=ended.slack_thread_ts,
                                   text=f"{_slack_escape(by)} {what}.")
        return ended

    def typing(self, sender_id: str, agent_name: str) -> None:
        live = self._live.setdefault(sender_id, _Live())
        live.typing_until = time.monotonic() + TYPING_SHOWN_S
        live.typing_agent = agent_name
        live.changed.set()

    async def emit_typing(self, sender_id: str, agent_name: str) -> None:
        self.typing(sender_id, agent_name)
        socket = self._channel("socketio")
        if socket is not None and socket.sio is not None:
            await socket.sio.emit("agent_typing", {"agent": agent_name}, room=sender_id)

    # --- Slack ---------------------------------------------------------------------------------

    async def slack_user_name(self, user_id: str, fallback: str) -> str:
        """The agent's name as their team knows it (users.info), for "Dana has joined"."""
        answer = await self._slack_call("users.info", user=user_id)
        user = (answer or {}).get("user") or {}
        profile = user.get("profile") or {}
        for name in (profile.get("display_name"), profile.get("first_name"),
                     profile.get("real_name"), user.get("real_name"), user.get("name")):
            if isinstance(name, str) and name.strip():
                return name.strip()
        return fallback or "An agent"

    async def _announce_taken(self, takeover: Takeover) -> None:
        """In the handoff post's thread: who has it, what the customer wrote meanwhile, and
        the buttons that end it."""
        if not (takeover.slack_channel and takeover.slack_thread_ts):
            return
        lines = await self._db(self.store.messages, takeover.sender_id)
        waiting = [m for m in lines if m.takeover_id == takeover.id and m.role == "customer"]
        text = (f"*{_slack_escape(takeover.agent_name or 'An agent')}* has this chat "
                f"(via {takeover.agent_via}). Everything they write in this thread goes to "
                f"the customer.")
        if waiting:
            text += "\nThe customer wrote meanwhile:\n" + "\n".join(
                f"> {_slack_escape(m.text)}" for m in waiting[-10:])
        await self._slack_call(
            "chat.postMessage", channel=takeover.slack_channel,
            thread_ts=takeover.slack_thread_ts, text=text,
            blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}},
                    end_buttons(takeover.id)])

    async def on_slack_action(self, payload: dict[str, Any], action: dict[str, Any]) -> None:
        """A click on Take / Hand back / Close in the sales channel."""
        user = payload.get("user") or {}
        user_id = str(user.get("id") or "")
        container = payload.get("container") or {}
        channel = container.get("channel_id") or (payload.get("channel") or {}).get("id")
        message_ts = container.get("message_ts")
        thread_ts = container.get("thread_ts") or message_ts
        name = await self.slack_user_name(user_id, str(user.get("name") or ""))
        action_id = action.get("action_id")
        if action_id == ACTION_TAKE:
            sender_id = str(action.get("value") or "")
            won, takeover = await self.take(sender_id, user_id, name, "slack", channel, message_ts)
            if won:
                await self._mark_post_taken(payload, name)
            else:
                await self._tell_agent(channel, user_id, thread_ts, _why_not(takeover))
            return
        try:
            takeover = await self._db(self.store.get, int(action.get("value") or 0))
        except ValueError:
            takeover = None
        if takeover is None or not takeover.active:
            await self._tell_agent(channel, user_id, thread_ts, _why_not(takeover))
            return
        how = "handback" if action_id == ACTION_HANDBACK else "close"
        if await self.end(takeover, how, name) is None:
            await self._tell_agent(channel, user_id, thread_ts, "This chat has already ended.")

    async def on_slack_thread_message(self, event: dict[str, Any], text: str) -> bool:
        """A message in a Slack thread: the agent's line to the customer when the thread is a
        taken handoff's and the writer has the chat. True when it was one."""
        thread_ts, channel = event.get("thread_ts"), event.get("channel")
        if not thread_ts or not channel:
            return False
        takeover = await self._db(self.store.by_slack_thread, channel, thread_ts)
        if takeover is None:
            return False
        if takeover.state == "taken" and event.get("user") == takeover.agent_id and text:
            await self.agent_said(takeover, takeover.agent_name or "Agent", text)
        return True  # the team's own chatter in the thread never reaches the bot either

    async def _tell_agent(self, channel: Optional[str], user_id: str,
                          thread_ts: Optional[str], text: str) -> None:
        if channel and user_id:
            await self._slack_call("chat.postEphemeral", channel=channel, user=user_id,
                                   thread_ts=thread_ts, text=text)

    async def _mark_post_taken(self, payload: dict[str, Any], name: str) -> None:
        """Replace the post's Take button with who took it (others see it is gone)."""
        message = payload.get("message") or {}
        container = payload.get("container") or {}
        blocks = [b for b in message.get("blocks") or [] if b.get("block_id") != TAKE_BLOCK_ID]
        if not blocks or not container.get("channel_id"):
            return
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"Taken by *{_slack_escape(name)}*"}]})
        await self._slack_call("chat.update", channel=container["channel_id"],
                               ts=container.get("message_ts"), text=message.get("text") or "",
                               blocks=blocks)

    # --- nobody came -------------------------------------------------------------------------

    async def expire_due(self) -> int:
        expired = await self._db(self.store.expire_due)
        for takeover in expired:
            try:
                await self._offer_callback(takeover)
            except Exception:  # noqa: BLE001 - the next one still gets its message
                logger.exception("callback offer for an expired takeover failed")
        return len(expired)

    async def _offer_callback(self, takeover: Takeover) -> None:
        tracker = await self.agent.processor.get_tracker(takeover.sender_id)
        if not tracker.is_paused():
            # Resumed meanwhile (dashboard's Resume, the CLI): nobody is waiting any more.
            await self._db(self.store.end, takeover.id, "resumed", "assistant", ("expired",))
            return
        lead = await self._db(self.leads.get, takeover.sender_id)
        where = ""
        if lead is not None and lead.phone:
            where = f" at {lead.phone}" + (f" ({lead.callback_time})" if lead.callback_time else "")
        elif lead is not None and lead.email:
            where = f" or write to you at {lead.email}"
        await self.say_to_customer(takeover, NOBODY_CAME.format(where=where), "system", None,
                                   resume=True, lead_update={"status": "callback"})
        channel = self.settings.sales_slack_channel
        if channel:
            minutes = max(1, round((takeover.deadline_at - takeover.opened_at).total_seconds() / 60))
            who = f"lead #{lead.id}" if lead is not None else f"conversation {takeover.sender_id}"
            await self._slack_call(
                "chat.postMessage", channel=channel,
                text=f"Nobody took the chat of {who} within {minutes} min: the customer was "
                     f"told and offered a callback; the lead is now `callback`.")

    async def expiry_loop(self) -> None:
        while True:
            try:
                await self.expire_due()
            except LeadStoreUnavailable:
                pass  # tried again at the next tick; the deadline is in the database
            except Exception:  # noqa: BLE001
                logger.exception("takeover expiry check failed")
            await asyncio.sleep(EXPIRY_CHECK_S)

    # --- live readers ---------------------------------------------------------------------------

    async def live(self, sender_id: str, after: int, wait_s: float) -> dict[str, Any]:
        """Lines after `after` and the state; waits up to `wait_s` for a new line."""
        deadline = time.monotonic() + min(max(wait_s, 0.0), LIVE_WAIT_MAX_S)
        while True:
            lines = await self._db(self.store.messages, sender_id, after)
            remaining = deadline - time.monotonic()
            if lines or remaining <= 0:
                break
            live = self._live.setdefault(sender_id, _Live())
            live.changed.clear()
            try:
                await asyncio.wait_for(live.changed.wait(), timeout=min(remaining, 2.0))
            except asyncio.TimeoutError:
                pass
        return {"lines": [line.as_json() for line in lines], **await self.status(sender_id)}


ACTION_TAKE = "takeover_take"
ACTION_HANDBACK = "takeover_handback"
ACTION_CLOSE = "takeover_close"
TAKEOVER_ACTIONS = frozenset({ACTION_TAKE, ACTION_HANDBACK, ACTION_CLOSE})
TAKE_BLOCK_ID = "takeover_take"


def end_buttons(takeover_id: int) -> dict[str, Any]:
    return {"type": "actions", "block_id": f"takeover_end_{takeover_id}", "elements": [
        {"type": "button", "action_id": ACTION_HANDBACK, "value": str(takeover_id),
         "text": {"type": "plain_text", "text": "Hand back to the assistant"}},
        {"type": "button", "action_id": ACTION_CLOSE, "value": str(takeover_id),
         "style": "danger", "text": {"type": "plain_text", "text": "Close chat"}}]}


def _why_not(takeover: Optional[Takeover]) -> str:
    if takeover is None:
        return "This chat is not waiting for an agent."
    if takeover.state == "taken":
        return f"{takeover.agent_name or 'Another agent'} already has this chat."
    return {"expired": "Nobody took this chat in time; the customer was offered a callback.",
            "resumed": "The assistant has this chat again.",
            "handed_back": f"{takeover.ended_by or 'An agent'} handed this chat back to the "
                           f"assistant.",
            "closed": f"{takeover.ended_by or 'An agent'} closed this chat."}.get(
        takeover.state, "This chat is not waiting for an agent.")


def widget_message(line: TakeoverMessage) -> dict[str, Any]:
    """A `bot_uttered` payload for the widget: the text, and who wrote it."""
    return {"text": line.text, "takeover": {"id": line.id, "role": line.role,
                                            "agent": line.author}}


# --- install ----------------------------------------------------------------------------------


def _authorized(request: Any, settings: Settings) -> bool:
    token = settings.api_token
    if not token:
        return False
    given = request.args.get("token") or ""
    header = request.headers.get("authorization") or ""
    if header.lower().startswith("bearer "):
        given = header[7:]
    return hmac.compare_digest(given.encode(), token.encode())


def add_routes(app: Any, service: TakeoverService) -> None:
    from sanic import response

    def refuse() -> Any:
        return response.json({"error": "a valid token is needed"}, status=401)

    def body_of(request: Any) -> dict[str, Any]:
        try:
            body = request.json
        except Exception:  # noqa: BLE001
            body = None
        return body if isinstance(body, dict) else {}

    async def live(request: Any, sender_id: str) -> Any:
        try:
            after = int(request.args.get("after") or 0)
            wait = float(request.args.get("wait") or 0)
        except ValueError:
            return response.json({"error": "after and wait are numbers"}, status=400)
        return response.json(await service.live(sender_id, after, wait),
                             headers={"Cache-Control": "no-store"})

    async def take(request: Any, sender_id: str) -> Any:
        if not _authorized(request, service.settings):
            return refuse()
        body = body_of(request)
        name = str(body.get("agent_name") or "").strip()[:80]
        if not name:
            return response.json({"error": "agent_name is required"}, status=400)
        won, takeover = await service.take(sender_id, str(body.get("agent_id") or name)[:64],
                                           name, str(body.get("via") or "dashboard")[:16])
        return response.json({"won": won, "state": takeover.state if takeover else "none",
                              "agent": takeover.agent_name if takeover else None,
                              "why": None if won else _why_not(takeover)},
                             status=200 if won else 409)

    async def message(request: Any, sender_id: str) -> Any:
        if not _authorized(request, service.settings):
            return refuse()
        body = body_of(request)
        text = str(body.get("text") or "").strip()
        takeover = await service._db(service.store.active_for, sender_id)
        if not text:
            return response.json({"error": "text is required"}, status=400)
        if takeover is None or takeover.state != "taken":
            return response.json({"error": _why_not(takeover)}, status=409)
        line = await service.agent_said(takeover, str(body.get("agent_name") or
                                                      takeover.agent_name or "Agent"), text)
        return response.json({"line": line.as_json()})

    async def end(request: Any, sender_id: str) -> Any:
        if not _authorized(request, service.settings):
            return refuse()
        body = body_of(request)
        how = body.get("how")
        if how not in ("handback", "close"):
            return response.json({"error": "how is handback or close"}, status=400)
        takeover = await service._db(service.store.active_for, sender_id)
        ended = await service.end(takeover, how, str(body.get("agent_name") or "An agent")) \
            if takeover is not None else None
        if ended is None:
            return response.json({"error": _why_not(takeover)}, status=409)
        return response.json({"state": ended.state})

    async def typing(request: Any, sender_id: str) -> Any:
        if not _authorized(request, service.settings):
            return refuse()
        await service.emit_typing(sender_id, str(body_of(request).get("agent_name") or "Agent"))
        return response.json({"ok": True})

    app.add_route(live, "/takeover/<sender_id:str>/live", methods=["GET"], name="takeover_live")
    app.add_route(take, "/takeover/<sender_id:str>/take", methods=["POST"], name="takeover_take")
    app.add_route(message, "/takeover/<sender_id:str>/message", methods=["POST"],
                  name="takeover_message")
    app.add_route(end, "/takeover/<sender_id:str>/end", methods=["POST"], name="takeover_end")
    app.add_route(typing, "/takeover/<sender_id:str>/typing", methods=["POST"],
                  name="takeover_typing")


def install() -> None:
    """Wrap Rasa's app factory (routes, expiry task) and message handling (quiet bot)."""
    import rasa.core.run as rasa_run
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import UserUttered

    original_configure_app = rasa_run.configure_app

    def configure_app(input_channels: Any = None, *args: Any, **kwargs: Any) -> Any:
        global _service
        app = original_configure_app(input_channels, *args, **kwargs)
        service = TakeoverService(Settings.from_env(), input_channels or ())
        service.app = app
        app.ctx.takeover = service
        _service = service
        add_routes(app, service)

        async def start_expiry(app_: Any, _loop: Any) -> None:
            service._expiry_task = asyncio.get_running_loop().create_task(service.expiry_loop())

        async def stop_expiry(app_: Any, _loop: Any) -> None:
            if service._expiry_task is not None:
                service._expiry_task.cancel()

        app.register_listener(start_expiry, "after_server_start")
        app.register_listener(stop_expiry, "before_server_stop")
        return app

    rasa_run.configure_app = configure_app

    original_handle_message = MessageProcessor.handle_message

    async def handle_message(self: Any, message: Any) -> Any:
        service = _service
        if service is None or not message.sender_id:
            return await original_handle_message(self, message)
        rest = isinstance(message.output_channel, CollectingOutputChannel)
        try:
            takeover = await service._db(service.store.latest_for, message.sender_id)
            if takeover is not None and not takeover.active and rest:
                # Lines since the REST customer's last request (the agent's goodbye, the
                # callback offer) come first, then the assistant's answer.
                message.output_channel.messages.extend(
                    await service.undelivered_lines(message.sender_id))
        except LeadStoreUnavailable:
            takeover = None  # no state to go by: the bot's usual behaviour (paused stays paused)
        if takeover is None or not takeover.active:
            return await original_handle_message(self, message)
        tracker = await self.get_tracker(message.sender_id)
        if not tracker.is_paused():
            # Resumed through Rasa's API (dashboard's Resume, the CLI): the assistant has it.
            await service._db(service.store.end, takeover.id, "resumed", "assistant")
            return await original_handle_message(self, message)
        metadata = dict(message.metadata or {})
        metadata["takeover"] = {"id": takeover.id, "state": takeover.state, "role": "customer"}
        tracker.update(UserUttered(message.text, input_channel=message.input_channel,
                                   message_id=message.message_id, metadata=metadata))
        await self.save_tracker(tracker)
        await service.customer_said(takeover, message.text or "")
        await service._save_transcript(tracker)
        if rest:
            # The REST channel answers with the collector's messages.
            message.output_channel.messages.extend(await service.rest_response(message.sender_id))
            return message.output_channel.messages
        return None

    MessageProcessor.handle_message = handle_message  # type: ignore[method-assign]
