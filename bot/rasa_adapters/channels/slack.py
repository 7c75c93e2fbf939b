"""Rasa 3.6's Slack channel, plus only what Slack needs and that connector lacks.

credentials.yml names this class by module path, `bot.rasa_adapters.channels.slack.SlackInput`
(bot/runtime/deployment.py writes it when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set). `name()` is
still "slack": the webhook is /webhooks/slack/webhook and messages arrive on input channel "slack",
so the stories, the actions and the lead records are the same as for the website.

Kept from Rasa as it is (rasa/core/channels/slack.py):
- the signature check: HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret,
  compared in constant time; a timestamp more than five minutes from now is refused (400);
- the answer to Slack's timeout retries (201 with X-Slack-No-Retry, not processed);
- which messages count (direct messages, @mentions, the SLACK_CHANNEL channel; never a bot's
  own), replies in the customer's thread (use_threads), quick replies as Block Kit buttons,
  button clicks (block_actions) sent to the bot as the button's payload, and processing in the
  background so that Slack gets its answer within its 3-second limit.

Added, each where it is, with the reason:
- `slack_api_url`: the Web API base URL for replies (tests, air-gapped relays); unset = Slack's;
- the url_verification challenge answered in a format Slack documents;
- each Slack message processed once, whatever the retry reason, and when Slack delivers it
  both as `message` and as `app_mention`;
- customer text turned back from Slack's wire format (`AT&amp;T`, `<mailto:a@b.co|a@b.co>`)
  into what the customer typed, before the NLU sees it;
- the bot's text escaped for Slack, so that an echoed `<!channel>` can't notify a channel;
- no `as_user` argument on chat.postMessage, which new Slack apps refuse;
- conversation ids `slack:<team>:<user>` instead of the bare member id, which is not secret:
  no REST or Socket.IO sender can reach a Slack customer's conversation;
- conversations that read like conversations: in a direct message the bot answers in the
  conversation itself (in a thread only when the customer wrote in one); in a channel, one
  thread per conversation (the thread of the customer's first message there);
- live takeover from the sales channel (bot.rasa_adapters.server.takeover): clicks on "Take
  this chat", "Hand back to the assistant" and "Close chat", and the agent's messages in the
  handoff post's thread, are handled there, after the same signature check, and never reach
  the bot as a customer's message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import OrderedDict
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Hashable, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.base.conversation_ids import slack_conversation_id
from bot.rasa_adapters.channels.slack_dedup import seen_messages

logger = logging.getLogger(__name__)

# Slack retries a delivery immediately, after 1 minute and after 5 minutes.
SEEN_TTL_S = 15 * 60.0
SEEN_MAX = 20_000

# <target> or <target|label>: links, mailto:/tel: links, <@U..> users, <#C..> channels, <!here>.
_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def slack_escape(text: Text) -> Text:
    """Escape Slack's control characters (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_unescape(text: Text) -> Text:
    """Undo `slack_escape`: Slack sends `&`, `<` and `>` typed by a person as entities."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _plain_markup(match: "re.Match[str]", keep_users: bool) -> Text:
    target, label = match.group(1), match.group(2)
    if target.startswith("@"):
        if keep_users:  # Rasa's sanitizer still has to find the bot's own mention
            return match.group(0)
        return label if label and label.startswith("@") else "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if label:
        return label
    if target.startswith(("mailto:", "tel:")):
        return target.split(":", 1)[1]
    if target.startswith("!"):  # <!here>, <!channel>
        return "@" + target[1:].split("^", 1)[0]
    return target


def slack_to_plain(text: Text, uids_to_remove: Optional[List[Text]] = None) -> Text:
    """What the customer typed, from a Slack message's `text`; the bot's own mentions removed.

    Rasa 3.6 only rewrites `<http(s)://...|label>` links (and its pattern, which expects
    `mailto://`, misses Slack's `<mailto:a@b.co|a@b.co>`; it also swallows the text between an
    unlabelled link and a later labelled one) and never decodes `&amp;`, so the NLU would see
    `AT&amp;T`, the country's largest incumbent, as no carrier at all.
    """
    text = _MARKUP.sub(lambda m: _plain_markup(m, keep_users=True), text)
    text = RasaSlackInput._sanitize_user_message(text, uids_to_remove)
    text = _MARKUP.sub(lambda m: _plain_markup(m, keep_users=False), text)
    return slack_unescape(text).strip()


class _SeenMessages:
    """Keys of the Slack messages handled in the last `ttl` seconds, at most `max_size`."""

    def __init__(self, ttl: float = SEEN_TTL_S, max_size: int = SEEN_MAX) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._seen: "OrderedDict[Hashable, float]" = OrderedDict()

    def first_time(self, key: Hashable) -> bool:
        """True the first time `key` is offered (then remembered), False afterwards."""
        now = time.monotonic()
        while self._seen and (
            len(self._seen) >= self.max_size or next(iter(self._seen.values())) < now - self.ttl
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


async def _logged(work: Awaitable[Any]) -> None:
    try:
        await work
    except Exception:  # noqa: BLE001 - a background task has nobody else to tell
        logger.exception("Slack takeover request failed")


def _message_key(request: Request) -> Optional[Hashable]:
    """A Slack message's identity: its channel and `ts` (unique per channel); else the event id.

    Only Events API deliveries (JSON) have one. Slack doesn't retry interactive payloads, and two
    clicks on a button are two answers, so those are never de-duplicated.
    """
    if request.headers.get("content-type") != "application/json":
        return None
    body = request.json if isinstance(request.json, dict) else {}
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    if event.get("channel") and event.get("ts"):
        return ("message", body.get("team_id"), event["channel"], event["ts"])
    if body.get("event_id"):
        return ("event", body["event_id"])
    return None


def _team_of(request: Request) -> Optional[Text]:
    """The Slack workspace (team id) a request comes from: events carry `team_id`,
    interactive payloads `team.id` (or `user.team_id`)."""
    try:
        if request.headers.get("content-type") == "application/json":
            body = request.json if isinstance(request.json, dict) else {}
            return body.get("team_id") or None
        payload = json.loads(request.form["payload"][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    team = payload.get("team") if isinstance(payload.get("team"), dict) else {}
    user = payload.get("user") if isinstance(payload.get("user"), dict) else {}
    return team.get("id") or user.get("team_id") or None


def _thread_of(request: Request) -> Optional[Text]:
    """The thread a customer's message (or clicked button's message) is in, if any."""
    if request.headers.get("content-type") == "application/json":
        body = request.json if isinstance(request.json, dict) else {}
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        return event.get("thread_ts") or None
    try:
        payload = json.loads(request.form["payload"][0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    message = payload.get("message") if isinstance(payload, dict) else None
    return (message or {}).get("thread_ts") or None


class _ConversationThreads:
    """(sender, channel) -> the thread the conversation lives in, for the last `max_size`
    conversations. In memory: after a restart a channel conversation starts a new thread."""

    def __init__(self, max_size: int = SEEN_MAX) -> None:
        self.max_size = max_size
        self._threads: "OrderedDict[tuple[str, str], str]" = OrderedDict()

    def get(self, key: tuple[str, str]) -> Optional[str]:
        return self._threads.get(key)

    def remember(self, key: tuple[str, str], thread: str) -> None:
        self._threads[key] = thread
        self._threads.move_to_end(key)
        while len(self._threads) > self.max_size:
            self._threads.popitem(last=False)


class SlackBot(RasaSlackBot):
    """Rasa's Slack output channel, with a configurable Web API URL and Slack-safe text."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_url: Optional[Text] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        if api_url:
            # Rasa builds AsyncWebClient(token, proxy=proxy) and has no option for base_url.
            self.client = AsyncWebClient(token, base_url=api_url, proxy=proxy)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        # Rasa passes as_user=True on every post. Slack: "Can only be used by classic apps";
        # apps created today get `invalid_arguments` (deprecated_argument: as_user) for it, and
        # their bot token posts as the bot anyway.
        kwargs.pop("as_user", None)
        await super()._post_message(channel, **kwargs)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        # Rasa posts the text as it is; Slack reads `<...>` as links and mentions, so a customer's
        # "<!channel>" echoed back by a question would notify everybody in the channel.
        await super().send_text_message(recipient_id, slack_escape(text), **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        if len(buttons) > 5:  # Rasa falls back to send_text_message, which escapes
            return await super().send_text_with_buttons(recipient_id, text, buttons, **kwargs)
        return await super().send_text_with_buttons(
            recipient_id, slack_escape(text), buttons, **kwargs
        )


class SlackInput(RasaSlackInput):
    """Rasa's Slack input channel; see the module docstring for what is added and why."""

    slack_api_url: Optional[Text] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.slack_api_url = (credentials or {}).get("slack_api_url") or None  # type: ignore[attr-defined]
        return channel

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Shared by every server when REDIS_URL is set (bot/rasa_adapters/channels/slack_dedup.py).
        self._seen = seen_messages(_SeenMessages(), SEEN_TTL_S)
        self._threads = _ConversationThreads()
        self._background: set["asyncio.Task[Any]"] = set()

    @staticmethod
    def _sanitize_user_message(text: Text, uids_to_remove: Optional[List[Text]]) -> Text:
        return slack_to_plain(text, uids_to_remove)

    async def process_message(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: Text,
        sender_id: Optional[Text],
        metadata: Optional[Dict],
    ) -> Any:
        # Rasa skips a retry only when its reason is `http_timeout`; a retry for any other reason
        # (a proxy's 502, a dropped connection after the message was read) or without a reason
        # was answered a second time. And with SLACK_CHANNEL set, a mention there reaches us
        # twice, as `message` and as `app_mention` (two event ids, one message), which Rasa
        # answered twice. So: each message (channel + ts) is processed once. A retry of a
        # message never seen (its first delivery was lost) is still processed.
        key = _message_key(request)
        if key is not None and not self._seen.first_time(key):
            retry = request.headers.get(self.retry_num_header)
            logger.info(
                "Slack delivered message %s again (retry %s, reason %s); not processing it twice.",
                key[-1], retry or "-", request.headers.get(self.retry_reason_header) or "-",
            )
            if retry:
                return response.text("", status=HTTPStatus.CREATED, headers={"X-Slack-No-Retry": "1"})
            return response.text("")
        if sender_id:
            # Member ids are not secret: the conversation is `slack:<team>:<user>`, which no
            # other channel may use (bot.base.conversation_ids).
            sender_id = slack_conversation_id(_team_of(request), sender_id)
        if metadata is not None:
            metadata = {**metadata, "thread_id": self._reply_thread(request, sender_id, metadata)}
        return await super().process_message(request, on_new_message, text, sender_id, metadata)

    def _reply_thread(self, request: Request, sender_id: Optional[Text],
                      metadata: Dict[Text, Any]) -> Optional[Text]:
        """Where the bot answers this message: None (the conversation itself) in a direct
        message unless the customer wrote in a thread; in a channel, the conversation's thread.

        Rasa threads every reply under the message that triggered it (`thread_ts` or `ts`), so a
        DM became one thread per answer, and a channel conversation a new thread per top-level
        message.
        """
        channel = metadata.get("out_channel") or ""
        written_in = _thread_of(request)
        if channel.startswith("D"):  # Slack's direct-message channel ids start with D
            return written_in
        key = (sender_id or "", channel)
        thread = written_in or self._threads.get(key) or metadata.get("thread_id")
        if thread:
            self._threads.remember(key, thread)
        return thread

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = super().blueprint(on_new_message)

        @slack_webhook.middleware("request")
        async def url_verification(request: Request) -> Optional[HTTPResponse]:
            # Rasa answers the challenge as a bare JSON string (`"3eZb..."`). Slack documents
            # text/plain, form-encoded or {"challenge": ...}; this answers the JSON object.
            # Anything else, and an unsigned challenge, goes on to Rasa's handler.
            if request.method != "POST" or request.headers.get("content-type") != "application/json":
                return None
            try:
                body = json.loads(request.body)
            except ValueError:
                return None
            if not isinstance(body, dict) or body.get("type") != "url_verification":
                return None
            if not self.is_request_from_slack_authentic(request):
                return None
            return response.json({"challenge": body.get("challenge")})

        @slack_webhook.middleware("request")
        async def takeover_requests(request: Request) -> Optional[HTTPResponse]:
            # Clicks on the handoff post's buttons and agents' messages in its thread are the
            # sales team's, not a customer's: they go to the takeover service. Slack wants its
            # answer within 3 seconds, so the work runs in the background.
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            service = getattr(request.app.ctx, "takeover", None)
            if service is None:
                return None
            work = self._takeover_work(request, service)
            if work is None:
                return None
            if not self.is_request_from_slack_authentic(request):
                return None  # Rasa's handler answers 400
            key = _message_key(request)
            if key is not None and not self._seen.first_time(key):
                return response.text("")
            task = asyncio.get_running_loop().create_task(work)
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return response.text("")

        return slack_webhook

    def _takeover_work(self, request: Request, service: Any) -> Optional[Awaitable[Any]]:
        """The takeover service's handling of this request, or None when it is not for it."""
        from bot.rasa_adapters.server.takeover import TAKEOVER_ACTIONS

        content_type = request.headers.get("content-type")
        if content_type == "application/x-www-form-urlencoded":
            try:
                payload = json.loads(request.form["payload"][0])
            except (KeyError, IndexError, TypeError, ValueError):
                return None
            actions = payload.get("actions") if isinstance(payload, dict) else None
            if payload.get("type") != "block_actions" or not actions:
                return None
            action = actions[0]
            if not isinstance(action, dict) or action.get("action_id") not in TAKEOVER_ACTIONS:
                return None
            return _logged(service.on_slack_action(payload, action))
        if content_type != "application/json":
            return None
        try:
            body = json.loads(request.body)
        except ValueError:
            return None
        event = body.get("event") if isinstance(body, dict) else None
        sales = service.settings.sales_slack_channel
        if (not isinstance(event, dict) or event.get("type") != "message" or not sales
                or event.get("channel") != sales or not event.get("thread_ts")):
            return None
        if event.get("bot_id") or event.get("subtype"):
            return _logged(asyncio.sleep(0))  # our own posts in the thread: nothing to do
        text = slack_to_plain(event.get("text") or "", [])
        return _logged(service.on_slack_thread_message(event, text))

    def get_output_channel(
        self, channel: Optional[Text] = None, thread_id: Optional[Text] = None
    ) -> OutputChannel:
        channel = channel or self.slack_channel
        return SlackBot(self.slack_token, channel, thread_id, self.proxy, api_url=self.slack_api_url)
