"""Slack end to end: Events API and interactivity payloads signed exactly as Slack signs them,
sent to the running Rasa server; the bot's replies read at a local stand-in for Slack's Web API.

The stack (Rasa server + action server) starts once for this module with SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_CHANNEL and SLACK_API_URL (the stand-in) set. Replies are
asynchronous (Rasa answers Slack at once and works in the background), so tests wait for them
at the stand-in with a bounded timeout. To prove that something was NOT posted, a test sends a
later "barrier" message in the same conversation and waits for its reply: Rasa handles one
conversation's messages in order, so anything the earlier request started has been posted by then.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import urlencode

import pytest

from bot.runtime.launcher import Stack, launch_stack
from bot.base.conversation_ids import slack_conversation_id
from bot.base.settings import ROOT
from bot.rasa_adapters.channels.slack import SlackBot, SlackInput, _SeenMessages, slack_escape, slack_to_plain
from tests.e2e.conftest import API_TOKEN, stack_env
from tests.e2e.slack_standin import BOT_USER_ID, TEAM_ID, SlackStandIn

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
SUPPORT_CHANNEL = "C0SUPPORT01"  # SLACK_CHANNEL: the bot answers every message here
SALES_CHANNEL = "C0SALES0001"  # where handoffs go; kept apart from the customers' channel
OTHER_CHANNEL = "C0GENERAL01"  # the bot is a member but answers only @mentions
REPLY_TIMEOUT_S = 90.0
CANONICAL = "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high"


# --- what Slack sends ---------------------------------------------------------------------------


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    """Slack's request signature: v0=HMAC-SHA256(secret, "v0:<timestamp>:<raw body>")."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    text: str


_ts_counter = itertools.count(1)


def new_ts() -> str:
    """A message timestamp as Slack writes them ("1764600000.000100"), unique in this run."""
    return f"{int(time.time())}.{next(_ts_counter):06d}"


def new_user() -> str:
    return "U" + uuid.uuid4().hex[:10].upper()


def dm_channel(user: str) -> str:
    return "D" + user[1:]


def envelope(event: dict[str, Any]) -> dict[str, Any]:
    """The Events API's outer payload around one event."""
    return {
        "token": "ZZZZZZWSxiZZZ2yIvs3peJ",  # deprecated verification token, unused
        "team_id": TEAM_ID,
        "context_team_id": TEAM_ID,
        "api_app_id": "A0ADVISOR",
        "event": event,
        "type": "event_callback",
        "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
        "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        "event_context": "4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUME5PUlRIV05EIn0",
    }


def message_event(user: str, text: str, ts: str, channel: str, channel_type: str,
                  thread_ts: Optional[str] = None) -> dict[str, Any]:
    """A `message` event (message.im / message.channels) as Slack sends it."""
    event = {
        "client_msg_id": str(uuid.uuid4()), "type": "message", "text": text, "user": user,
        "ts": ts, "team": TEAM_ID, "channel": channel, "event_ts": ts, "channel_type": channel_type,
        "blocks": [{"type": "rich_text", "block_id": "b1", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = user
    return event


def dm(user: str, text: str, ts: str, thread_ts: Optional[str] = None) -> dict[str, Any]:
    return message_event(user, text, ts, dm_channel(user), "im", thread_ts)


def mention(user: str, text: str, ts: str, channel: str) -> dict[str, Any]:
    """An `app_mention` event: the text starts with the bot's mention, as typed in Slack."""
    return {"client_msg_id": str(uuid.uuid4()), "type": "app_mention",
            "text": f"<@{BOT_USER_ID}> {text}", "user": user, "ts": ts, "team": TEAM_ID,
            "channel": channel, "event_ts": ts}


def button_click(user: str, post: dict[str, Any], title: str) -> dict[str, Any]:
    """The block_actions payload Slack sends when `user` clicks button `title` of a bot post."""
    for block_index, block in enumerate(post.get("blocks") or []):
        for element_index, element in enumerate(block.get("elements") or []):
            if element.get("type") == "button" and element["text"]["text"] == title:
                # Slack gives every block and element an id when the app sets none.
                block_id = block.get("block_id") or f"blk{block_index}"
                action = {"action_id": element.get("action_id") or f"act{element_index}",
                          "block_id": block_id, "text": element["text"], "value": element["value"],
                          "type": "button", "action_ts": f"{time.time():.6f}"}
                message = {k: v for k, v in post.items() if k != "channel"}
                return {
                    "type": "block_actions",
                    "user": {"id": user, "username": "jane.doe", "name": "jane.doe", "team_id": TEAM_ID},
                    "api_app_id": "A0ADVISOR",
                    "token": "ZZZZZZWSxiZZZ2yIvs3peJ",
                    "container": {"type": "message", "message_ts": post["ts"], "channel_id": post["channel"],
                                  "is_ephemeral": False, "thread_ts": post.get("thread_ts")},
                    "trigger_id": "13345224609.738474920.8088930838d88f008e0",
                    "team": {"id": TEAM_ID, "domain": "northwind"},
                    "enterprise": None,
                    "is_enterprise_install": False,
                    "channel": {"id": post["channel"], "name": "directmessage"},
                    "message": message,
                    "state": {"values": {}},
                    "response_url": f"https://hooks.slack.com/actions/{TEAM_ID}/1/abcdef",
                    "actions": [action],
                }
    raise AssertionError(f"no button {title!r} in {post}")


class SlackSender:
    """Posts to the bot's Slack webhook what Slack would post, signed with the signing secret."""

    def __init__(self, stack: Stack) -> None:
        self.url = f"{stack.rasa_url}/webhooks/slack/webhook"

    def post(self, body: bytes, content_type: str, *, timestamp: Optional[str] = None,
             signature: Optional[str] = None, secret: str = SECRET,
             headers: Optional[dict[str, Optional[str]]] = None) -> Answer:
        timestamp = str(int(time.time())) if timestamp is None else timestamp
        all_headers: dict[str, Optional[str]] = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(body, timestamp, secret) if signature is None else signature,
        }
        all_headers.update(headers or {})
        request = urllib.request.Request(
            self.url, data=body, method="POST",
            headers={k: v for k, v in all_headers.items() if v is not None})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, {k.lower(): v for k, v in response.headers.items()},
                              response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode())

    def event(self, event: dict[str, Any], **kwargs: Any) -> Answer:
        return self.post(event_body(event), "application/json", **kwargs)

    def click(self, payload: dict[str, Any], **kwargs: Any) -> Answer:
        body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)


def event_body(event: dict[str, Any]) -> bytes:
    """The exact bytes of an Events API delivery (Slack sends compact JSON)."""
    return json.dumps(envelope(event), separators=(",", ":")).encode()


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(token=TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def tmp_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="carrier-advisor-slack-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def stack(standin: SlackStandIn, tmp_dir: Path) -> Iterator[Stack]:
    env = stack_env(
        tmp_dir,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_CHANNEL=SUPPORT_CHANNEL,
        SALES_SLACK_CHANNEL=SALES_CHANNEL,
        SLACK_API_URL=standin.url,
        # The stand-in is on 127.0.0.1: never through a proxy a CI machine may have configured.
        HTTPS_PROXY="", https_proxy="", HTTP_PROXY="", http_proxy="",
    )
    with launch_stack(env, services=("actions", "rasa"), log_dir=tmp_dir / "logs") as running:
        yield running


@pytest.fixture
def slack(stack: Stack) -> SlackSender:
    return SlackSender(stack)


def in_thread(channel: str, thread_ts: str) -> Any:
    return lambda m: m["channel"] == channel and m.get("thread_ts") == thread_ts


def top_level(channel: str) -> Any:
    """The bot's posts in a conversation itself, not in a thread (how a DM is answered)."""
    return lambda m: m["channel"] == channel and not m.get("thread_ts")


def answers_to(channel: str, ts: str) -> Any:
    """Where the bot answers a top-level message `ts`: in a DM the conversation itself, in a
    channel the message's thread."""
    return top_level(channel) if channel.startswith("D") else in_thread(channel, ts)


def replies(standin: SlackStandIn, channel: str, thread_ts: str, count: int = 1) -> list[dict[str, Any]]:
    """Wait for `count` bot answers to message `thread_ts` (in a DM: `count` posts in the whole
    conversation); nothing may have been refused by 'Slack'."""
    found = standin.wait_for_posts(answers_to(channel, thread_ts), count, REPLY_TIMEOUT_S)
    assert standin.refused() == [], standin.refused()
    return found


def buttons(post: dict[str, Any]) -> dict[str, str]:
    return {e["text"]["text"]: e["value"]
            for b in post.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]}


def conversation_of(user: str) -> str:
    """The conversation id of a Slack member (namespaced: bot.base.conversation_ids)."""
    return slack_conversation_id(TEAM_ID, user)


def tracker(stack: Stack, sender: str) -> dict[str, Any]:
    url = f"{stack.rasa_url}/conversations/{conversation_of(sender)}/tracker?token={API_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def wait_until_listening(stack: Stack, sender: str, user_turns: int, timeout: float = REPLY_TIMEOUT_S) -> None:
    """Wait until the bot has handled `user_turns` messages of `sender` and listens again."""
    deadline = time.monotonic() + timeout
    while True:
        events = tracker(stack, sender)["events"]
        users = [e for e in events if e["event"] == "user"]
        listening = events and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
        if len(users) >= user_turns and listening:
            return
        assert time.monotonic() < deadline, f"{sender}: {len(users)} of {user_turns} turns handled"
        time.sleep(0.3)


def barrier(slack: SlackSender, standin: SlackStandIn, user: str, channel: Optional[str] = None) -> None:
    """A question in a new thread of `user`'s conversation; returns once it is answered."""
    ts = new_ts()
    if channel is None:
        # In a DM the answer is not in the question's thread: wait for the answer itself (a
        # count of posts could be met by an earlier message's late reply).
        def clec_answer(m: dict[str, Any]) -> bool:
            return top_level(dm_channel(user))(m) and "competitive local exchange" in m["text"].lower()

        before = len(standin.posts(clec_answer))
        assert slack.event(dm(user, "what is a CLEC?", ts)).status == 200
        standin.wait_for_posts(clec_answer, before + 1, REPLY_TIMEOUT_S)
        assert standin.refused() == [], standin.refused()
    else:
        # A channel conversation keeps one thread: the answer may be in an earlier message's.
        def clec_answer_in_channel(m: dict[str, Any]) -> bool:
            return m["channel"] == channel and "competitive local exchange" in m["text"].lower()

        before = len(standin.posts(clec_answer_in_channel))
        assert slack.event(message_event(user, "what is a CLEC?", ts, channel, "channel")).status == 200
        standin.wait_for_posts(clec_answer_in_channel, before + 1, REPLY_TIMEOUT_S)
        assert standin.refused() == [], standin.refused()


pytestmark = pytest.mark.stack


# --- the webhook: verification, signatures, retries -----------------------------------------------


def test_url_verification_challenge_is_answered(slack: SlackSender) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": challenge,
                       "type": "url_verification"}, separators=(",", ":")).encode()
    answer = slack.post(body, "application/json")
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert json.loads(answer.text) == {"challenge": challenge}
    # Only Slack, which knows the signing secret, gets the challenge back.
    refused = slack.post(body, "application/json", secret="not-the-secret")
    assert refused.status == 400
    assert challenge not in refused.text


def test_direct_message_is_answered_in_the_conversation_and_questions_and_buttons_continue(
    slack: SlackSender, standin: SlackStandIn, stack: Stack
) -> None:
    user, first = new_user(), new_ts()
    channel = dm_channel(user)

    def turn(number: int) -> list[dict[str, Any]]:
        """The bot's posts for the customer's `number`th message, once it listens again."""
        wait_until_listening(stack, user, user_turns=number)
        assert standin.refused() == [], standin.refused()
        return standin.posts(top_level(channel))

    answer = slack.event(dm(user, "hi", first))
    assert (answer.status, answer.text) == (200, "")
    greeting = turn(1)
    assert len(greeting) == 1 and "virtual assistant" in greeting[0]["text"]

    # The customer answers in the conversation; the next question comes as Slack buttons, in
    # the conversation too (no thread per answer).
    assert slack.event(dm(user, "we have 3 offices in Portland", new_ts())).status == 200
    services = turn(2)[-1]
    assert "Which services" in services["text"]
    assert buttons(services)["SIP trunks"] == '/inform{"service": "sip"}'

    # A click on a button is the button's payload for the bot; the conversation goes on.
    answer = slack.click(button_click(user, services, "SIP trunks"))
    assert answer.status == 200
    challenges = turn(3)[-1]
    assert "not working" in challenges["text"] and "Costs too much" in buttons(challenges)
    slots = tracker(stack, user)["slots"]
    assert slots["services"] == ["sip"]
    assert slots["states"] == ["OR"] and slots["num_locations"] == 3.0

    assert slack.click(button_click(user, challenges, "Costs too much")).status == 200
    thread = turn(4)
    assert "employees" in thread[-1]["text"]
    assert tracker(stack, user)["slots"]["challenges"] == ["high_cost"]
    events = tracker(stack, user)["events"]
    assert {e.get("input_channel") for e in events if e["event"] == "user"} == {"slack"}
    assert [e["text"] for e in events if e["event"] == "user"][-2:] == [
        '/inform{"service": "sip"}', '/inform{"challenge": "high_cost"}']
    # Every reply of the conversation is in the conversation itself, each question once.
    assert standin.posts(lambda m: m["channel"] == channel) == thread
    assert [p["ts"] for p in thread] == sorted({p["ts"] for p in thread})


def test_full_qualification_over_slack_leaves_a_slack_lead(
    slack: SlackSender, standin: SlackStandIn, stack: Stack, tmp_dir: Path
) -> None:
    user, first = new_user(), new_ts()
    channel = dm_channel(user)
    # Slack escapes "&" as "&amp;" in event text: the customer typed "AT&T".
    turns = [CANONICAL, "about 40 employees", "we're with AT&amp;T", "the contract ends in March 2027"]
    for number, text in enumerate(turns):
        ts = first if number == 0 else new_ts()
        assert slack.event(dm(user, text, ts)).status == 200
        wait_until_listening(stack, user, user_turns=number + 1)
    slots = tracker(stack, user)["slots"]
    assert slots["current_carrier"] == "AT&T"
    assert slots["contract_end"] == "2027-03"
    carriers = [c["name"] for c in slots["recommendation"]["carriers"]]
    assert carriers
    assert standin.refused() == []
    thread = standin.posts(top_level(channel))
    assert standin.posts(lambda m: m["channel"] == channel) == thread
    plan = "\n".join(p["text"] for p in thread)
    assert all(slack_escape(name) in plan for name in carriers), (carriers, plan)
    assert set(buttons(thread[-1])) == {"Talk to an agent", "Email me the plan", "Change an answer"}

    env = {**os.environ, "DATABASE_URL": stack.settings.database_url or "", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "bot", "leads", "export", "--format", "jsonl"],
                         capture_output=True, text=True, timeout=120, env=env, cwd=ROOT, check=True).stdout
    leads = [json.loads(line) for line in out.splitlines() if line.strip()]
    lead = next(lead for lead in leads if lead["sender_id"] == conversation_of(user))
    assert lead["channel"] == "slack"
    assert lead["current_carrier"] == "AT&T"


def test_mention_in_a_channel_is_answered_in_its_thread_without_the_mention(
    slack: SlackSender, standin: SlackStandIn, stack: Stack
) -> None:
    user, ts = new_user(), new_ts()
    assert slack.event(mention(user, "what is a CLEC?", ts, OTHER_CHANNEL)).status == 200
    answer = replies(standin, OTHER_CHANNEL, ts)
    assert "competitive local exchange carrier" in answer[0]["text"].lower()
    wait_until_listening(stack, user, user_turns=1)
    assert tracker(stack, user)["latest_message"]["text"] == "what is a CLEC?"


def test_plain_messages_count_only_in_the_configured_channel(
    slack: SlackSender, standin: SlackStandIn
) -> None:
    user, ignored = new_user(), new_ts()
    answer = slack.event(message_event(user, "hi", ignored, OTHER_CHANNEL, "channel"))
    assert answer.status == 200 and "not supported" in answer.text
    # The bot's own posts come back as message events; they are never answered.
    own = message_event(user, "Hi! I'm the virtual assistant", new_ts(), SUPPORT_CHANNEL, "channel")
    own.update(bot_id="BCARRIERBOT", subtype="bot_message")
    own.pop("user")
    assert slack.event(own).text == "Bot message delivered."

    answered = new_ts()
    assert slack.event(message_event(user, "hi", answered, SUPPORT_CHANNEL, "channel")).status == 200
    assert "virtual assistant" in replies(standin, SUPPORT_CHANNEL, answered)[0]["text"]
    barrier(slack, standin, user, SUPPORT_CHANNEL)
    assert standin.posts(lambda m: m["channel"] == OTHER_CHANNEL and m.get("thread_ts") == ignored) == []
    assert standin.posts(lambda m: m.get("thread_ts") == own["ts"]) == []


def test_a_channel_conversation_keeps_one_thread(slack: SlackSender, standin: SlackStandIn) -> None:
    user, first, second = new_user(), new_ts(), new_ts()
    assert slack.event(message_event(user, "hi", first, SUPPORT_CHANNEL, "channel")).status == 200
    replies(standin, SUPPORT_CHANNEL, first)
    # A second top-level message of the same conversation is answered in its first thread.
    assert slack.event(message_event(user, "what is a CLEC?", second, SUPPORT_CHANNEL,
                                     "channel")).status == 200
    answers = replies(standin, SUPPORT_CHANNEL, first, count=2)
    assert "competitive local exchange carrier" in answers[-1]["text"].lower()
    assert standin.posts(in_thread(SUPPORT_CHANNEL, second)) == []


def test_a_customer_who_writes_in_a_dm_thread_is_answered_there(
    slack: SlackSender, standin: SlackStandIn
) -> None:
    user, first = new_user(), new_ts()
    assert slack.event(dm(user, "hi", first)).status == 200
    replies(standin, dm_channel(user), first)
    assert slack.event(dm(user, "what is a CLEC?", new_ts(), thread_ts=first)).status == 200
    answer = standin.wait_for_posts(in_thread(dm_channel(user), first), 1, REPLY_TIMEOUT_S)
    assert "competitive local exchange carrier" in answer[0]["text"].lower()


def test_a_mention_in_the_configured_channel_is_answered_once(
    slack: SlackSender, standin: SlackStandIn
) -> None:
    # Subscribed to message.channels and app_mention, Slack delivers "@bot hi" in the bot's
    # channel twice: as a message event and as an app_mention event (different event ids).
    user, ts = new_user(), new_ts()
    as_message = message_event(user, f"<@{BOT_USER_ID}> hi", ts, SUPPORT_CHANNEL, "channel")
    assert slack.event(as_message).status == 200
    assert slack.event(mention(user, "hi", ts, SUPPORT_CHANNEL)).status == 200
    barrier(slack, standin, user, SUPPORT_CHANNEL)
    # The barrier's answer joins the conversation's thread; "hi" was answered once.
    answers = standin.posts(in_thread(SUPPORT_CHANNEL, ts))
    assert len([p for p in answers if "competitive local exchange" not in p["text"].lower()]) == 1


@pytest.mark.parametrize(
    "case",
    ["no signature", "no timestamp", "wrong secret", "body changed after signing", "v1 scheme",
     "timestamp 5 min 30 s old", "timestamp 1 hour old", "timestamp 10 min in the future",
     "signature of another timestamp", "click with wrong secret"],
)
def test_unsigned_forged_or_stale_requests_are_refused(
    case: str, slack: SlackSender, standin: SlackStandIn
) -> None:
    user, ts = new_user(), new_ts()
    body = event_body(dm(user, "hi", ts))
    now = int(time.time())
    if case == "no signature":
        answer = slack.post(body, "application/json", headers={"X-Slack-Signature": None})
    elif case == "no timestamp":
        answer = slack.post(body, "application/json", headers={"X-Slack-Request-Timestamp": None})
    elif case == "wrong secret":
        answer = slack.post(body, "application/json", secret="0123456789abcdef0123456789abcdef")
    elif case == "body changed after signing":
        signature = sign(body, str(now))
        answer = slack.post(body.replace(b'"hi"', b'"hello"'), "application/json",
                            timestamp=str(now), signature=signature)
    elif case == "v1 scheme":
        answer = slack.post(body, "application/json", signature=sign(body, str(now)).replace("v0=", "v1="),
                            timestamp=str(now))
    elif case == "timestamp 5 min 30 s old":
        answer = slack.post(body, "application/json", timestamp=str(now - 330))
    elif case == "timestamp 1 hour old":
        answer = slack.post(body, "application/json", timestamp=str(now - 3600))
    elif case == "timestamp 10 min in the future":
        answer = slack.post(body, "application/json", timestamp=str(now + 600))
    elif case == "signature of another timestamp":
        answer = slack.post(body, "application/json", timestamp=str(now),
                            signature=sign(body, str(now - 1)))
    else:
        post = {"channel": dm_channel(user), "ts": new_ts(), "thread_ts": ts, "text": "Which services?",
                "blocks": [{"type": "actions", "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "SIP trunks"},
                     "value": "/greet"}]}]}
        answer = slack.click(button_click(user, post, "SIP trunks"), secret="0123456789abcdef0123456789abcdef")
    assert answer.status == 400, answer
    assert "X-Slack-Signature" in answer.text
    # Nothing was processed: the conversation is still empty after a later, valid message.
    barrier(slack, standin, user)
    assert len(standin.posts(top_level(dm_channel(user)))) == 1  # the barrier's answer only


def test_a_request_signed_four_minutes_ago_is_still_accepted(slack: SlackSender, standin: SlackStandIn) -> None:
    user, ts = new_user(), new_ts()
    answer = slack.event(dm(user, "hi", ts), timestamp=str(int(time.time()) - 240))
    assert answer.status == 200
    assert "virtual assistant" in replies(standin, dm_channel(user), ts)[0]["text"]


def test_retries_of_an_event_are_answered_once(slack: SlackSender, standin: SlackStandIn) -> None:
    user, ts = new_user(), new_ts()
    body = event_body(dm(user, "hi", ts))  # one event, one event_id: retries resend these bytes
    first = slack.post(body, "application/json")
    assert (first.status, first.text) == (200, "")
    for number, reason in ((1, "http_timeout"), (2, "http_error"), (3, None)):
        retry = slack.post(body, "application/json",
                           headers={"X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason})
        assert retry.status == 201, (number, reason, retry)
        assert retry.headers.get("x-slack-no-retry") == "1"
    barrier(slack, standin, user)
    greeting, _barrier_answer = standin.posts(top_level(dm_channel(user)))
    assert "virtual assistant" in greeting["text"]
    assert [e["text"] for e in tracker_events(slack, user)].count("hi") == 1


def test_a_retry_whose_first_delivery_was_lost_is_answered(slack: SlackSender, standin: SlackStandIn) -> None:
    user, ts = new_user(), new_ts()
    answer = slack.event(dm(user, "hi", ts),
                         headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "connection_failed"})
    assert answer.status == 200
    assert "virtual assistant" in replies(standin, dm_channel(user), ts)[0]["text"]
    barrier(slack, standin, user)
    assert len(standin.posts(top_level(dm_channel(user)))) == 2  # the greeting, the barrier's


def tracker_events(slack: SlackSender, sender: str) -> list[dict[str, Any]]:
    base = slack.url.split("/webhooks/")[0]
    url = f"{base}/conversations/{conversation_of(sender)}/tracker?token={API_TOKEN}"
    with urllib.request.urlopen(url, timeout=30) as r:
        return [e for e in json.loads(r.read())["events"] if e["event"] == "user"]


def test_bot_text_is_escaped_for_slack(slack: SlackSender, standin: SlackStandIn) -> None:
    user, ts = new_user(), new_ts()
    assert slack.event(dm(user, "what is an ILEC?", ts)).status == 200
    text = replies(standin, dm_channel(user), ts)[0]["text"]
    assert "AT&amp;T" in text and "AT&T" not in text


# --- the connector's parts, without a server ------------------------------------------------------


@pytest.mark.parametrize(
    "wire, typed",
    [
        ("we're with AT&amp;T", "we're with AT&T"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("&amp;lt;b&amp;gt;", "&lt;b&gt;"),  # typed literally as "&lt;b&gt;"
        ("mail <mailto:jane@acme.com|jane@acme.com> please", "mail jane@acme.com please"),
        ("call <tel:+15035550123|503-555-0123>", "call 503-555-0123"),
        ("site <https://acme.com> or <http://www.acme.org|www.acme.org>", "site https://acme.com or www.acme.org"),
        (f"<@{BOT_USER_ID}> hi there", "hi there"),
        (f"hi <@{BOT_USER_ID}>", "hi"),
        ("ask <@U0JANE|jane> in <#C0SALES|sales>", "ask @jane in #sales"),
        ("<!here> we need SIP", "@here we need SIP"),
        ("  plain text  ", "plain text"),
    ],
)
def test_slack_wire_text_becomes_what_the_customer_typed(wire: str, typed: str) -> None:
    assert slack_to_plain(wire, [BOT_USER_ID]) == typed


async def test_output_channel_posts_escaped_text_and_buttons_to_the_configured_api() -> None:
    with SlackStandIn(token="xoxb-unit") as api:
        bot = SlackBot("xoxb-unit", "D0UNIT", thread_id="1764600000.000100", api_url=api.url)
        await bot.send_text_message("D0UNIT", 'Is "<!channel>" your company name?\n\nAT&T or Lumen?')
        await bot.send_text_with_buttons("D0UNIT", "Pick <one>", [
            {"title": "SIP trunks", "payload": '/inform{"service": "sip"}'},
            {"title": "Talk to an agent", "payload": "/human_handoff"}])
        assert api.refused() == []
        first, second, third = api.posts()
        assert first["text"] == 'Is "&lt;!channel&gt;" your company name?'
        assert second["text"] == "AT&amp;T or Lumen?"
        assert {p["thread_ts"] for p in (first, second, third)} == {"1764600000.000100"}
        assert third["blocks"][0]["text"]["text"] == "Pick &lt;one&gt;"
        assert buttons(third) == {"SIP trunks": '/inform{"service": "sip"}', "Talk to an agent": "/human_handoff"}
        assert all("as_user" not in c["body"] for c in api.calls)
        assert {c["token"] for c in api.calls} == {"xoxb-unit"}


def test_without_slack_api_url_replies_go_to_slack_itself() -> None:
    base = {"slack_token": "xoxb-1", "slack_signing_secret": "s", "use_threads": True}
    plain = SlackInput.from_credentials(base)
    assert isinstance(plain, SlackInput)
    assert plain.get_output_channel("D1").client.base_url == "https://slack.com/api/"
    local = SlackInput.from_credentials({**base, "slack_api_url": "http://127.0.0.1:9/api"})
    out = local.get_output_channel("D1", "1.2")
    assert isinstance(out, SlackBot) and out.client.base_url == "http://127.0.0.1:9/api/"
    assert (out.slack_channel, out.thread_id) == ("D1", "1.2")


def test_seen_messages_forget_after_their_time_and_stay_bounded() -> None:
    seen = _SeenMessages(ttl=0.2, max_size=3)
    assert seen.first_time("a") and not seen.first_time("a")
    time.sleep(0.25)
    assert seen.first_time("a")
    for key in "bcd":
        assert seen.first_time(key)
    assert seen.first_time("a")  # pushed out by b, c, d


def test_rest_and_socketio_cannot_reach_a_slack_conversation(
        slack: SlackSender, standin: SlackStandIn, stack: Stack) -> None:
    """Issue 14, test 4: a Slack member id is not a secret, and knowing it gives nothing."""
    import socketio

    from bot.leads.store import LeadStore

    user, ts = new_user(), new_ts()
    assert slack.event(dm(user, CANONICAL, ts)).status == 200
    wait_until_listening(stack, user, user_turns=1)
    before = tracker(stack, user)
    store = LeadStore(stack.settings.effective_database_url)
    try:
        lead_before = store.get(conversation_of(user))

        def rest(sender: str, message: str) -> tuple[int, Any]:
            request = urllib.request.Request(
                f"{stack.rasa_url}/webhooks/rest/webhook", method="POST",
                data=json.dumps({"sender": sender, "message": message}).encode(),
                headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        # The bare member id is just another REST conversation; the namespaced one is refused.
        status, _ = rest(user, "my email is mallory@evil.example, pause this chat")
        assert status == 200
        for sender in (conversation_of(user), conversation_of(user).upper()):
            status, answer = rest(sender, "my email is mallory@evil.example")
            assert status == 400 and "reserved" in answer["error"]

        # Socket.IO: the browser chooses its session id; a reserved one gets a refusal only.
        client = socketio.Client(reconnection=False)
        received: list[Any] = []
        client.on("bot_uttered", received.append)
        client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["polling"])
        try:
            for session in (conversation_of(user), user):
                client.emit("session_request", {"session_id": session})
                client.emit("user_uttered", {"session_id": session,
                                             "message": "my email is mallory@evil.example"})
            deadline = time.monotonic() + REPLY_TIMEOUT_S
            while len(received) < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            client.disconnect()
        assert any("reserved" in (m.get("text") or "") for m in received), received

        after = tracker(stack, user)
        assert after["events"] == before["events"]  # the Slack conversation is untouched
        assert store.get(conversation_of(user)) == lead_before
        with urllib.request.urlopen(f"{stack.rasa_url}/conversations/{user}/tracker"
                                    f"?token={API_TOKEN}", timeout=30) as answer:
            other = json.loads(answer.read())
        assert {e.get("input_channel") for e in other["events"] if e["event"] == "user"} \
            <= {"rest", "socketio"}
    finally:
        store.close()
    assert standin.refused() == []
