"""Live takeover end to end: the real Rasa server and web app, Slack played by the stand-in.

One stack for the module, with Slack on (interactivity and events signed as Slack signs them),
a sales channel, and a short TAKEOVER_TIMEOUT_S so that "nobody takes the chat" happens in the
test's time. Nothing sleeps for a fixed time: every wait polls with a deadline.
"""

from __future__ import annotations

import json
import re
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest

from bot.leads.store import LeadStore
from bot.leads.takeover import TakeoverStore
from bot.base.settings import ROOT
from bot.runtime.launcher import Stack, launch_stack
from tests.e2e.conftest import API_TOKEN, RestClient, stack_env, texts
from tests.e2e.slack_standin import SlackStandIn
from tests.e2e.test_slack import (SALES_CHANNEL, SECRET, SUPPORT_CHANNEL, TOKEN, SlackSender,
                                  button_click, buttons, message_event, new_ts, new_user)

OUTPUT = ROOT / "test-output"
TIMEOUT_S = 25  # TAKEOVER_TIMEOUT_S of this stack: long enough to take, short to expire
WAIT_S = 90.0
DANA, SAM = "U0DANA0001", "U0SAM00001"

pytestmark = pytest.mark.stack

CONTACT_ANSWERS = [
    (r"your name", "Jane Whitfield"),
    (r"which company|company name", "Cascade Dental Group"),
    (r"email", "jane@cascadedental.example"),
    (r"phone", "503-555-0142"),
    (r"good time|when", "tomorrow morning"),
]


@pytest.fixture(scope="module")
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn(token=TOKEN) as running:
        running.users.update({DANA: "Dana", SAM: "Sam"})
        yield running


@pytest.fixture(scope="module")
def tmp_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="carrier-advisor-takeover-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def stack(standin: SlackStandIn, tmp_dir: Path) -> Iterator[Stack]:
    env = stack_env(
        tmp_dir,
        SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_CHANNEL=SUPPORT_CHANNEL,
        SALES_SLACK_CHANNEL=SALES_CHANNEL, SLACK_API_URL=standin.url,
        TAKEOVER_TIMEOUT_S=str(TIMEOUT_S),
        DASHBOARD_USER="agent", DASHBOARD_PASSWORD="agent-password-1",
        HTTPS_PROXY="", https_proxy="", HTTP_PROXY="", http_proxy="",
    )
    # The logs stay in test-output/ for a failure's post-mortem.
    with launch_stack(env, services=("rasa", "web"), log_dir=OUTPUT / "takeover-logs") as running:
        yield running


@pytest.fixture
def slack(stack: Stack) -> SlackSender:
    return SlackSender(stack)


@pytest.fixture
def store(stack: Stack) -> Iterator[LeadStore]:
    leads = LeadStore(stack.settings.database_url or "")
    yield leads
    leads.close()


def poll(what: str, check: Callable[[], Any], timeout: float = WAIT_S, every: float = 0.2) -> Any:
    """`check()` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def hand_off(customer: RestClient) -> list[dict[str, Any]]:
    """Ask for a person, answer the contact questions; the replies until the promise."""
    customer.say("hi")
    replies = customer.say("I want to talk to a person")
    for _ in range(8):
        said = texts(replies)
        if "will join this conversation shortly" in said:
            return replies
        answer = next((a for pattern, a in CONTACT_ANSWERS
                       if re.search(pattern, said.splitlines()[-1] if said else "", re.I)), None)
        assert answer is not None, f"no answer for {said!r}"
        replies = customer.say(answer)
    raise AssertionError(f"no handoff promise: {texts(replies)!r}")


def handoff_post(standin: SlackStandIn, sender: str) -> dict[str, Any]:
    def take_button(post: dict[str, Any]) -> bool:
        return post["channel"] == SALES_CHANNEL and buttons(post).get("Take this chat") == sender

    return standin.wait_for_posts(take_button, 1, WAIT_S)[0]


def in_sales_thread(standin: SlackStandIn, ts: str, pattern: str) -> list[dict[str, Any]]:
    return standin.wait_for_posts(
        lambda p: p["channel"] == SALES_CHANNEL and p.get("thread_ts") == ts
        and re.search(pattern, p["text"]) is not None, 1, WAIT_S)


def live(stack: Stack, sender: str, after: int = 0, wait: float = 0) -> dict[str, Any]:
    url = f"{stack.rasa_url}/takeover/{sender}/live?after={after}&wait={wait}"
    with urllib.request.urlopen(url, timeout=60) as response:
        return json.loads(response.read())


def tracker(stack: Stack, sender: str) -> dict[str, Any]:
    return RestClient(stack, sender).tracker()


def takeover_status(replies: list[dict[str, Any]]) -> Optional[dict[str, Any]]:
    return next((r["custom"]["takeover"] for r in replies
                 if isinstance(r.get("custom"), dict) and "takeover" in r["custom"]), None)


def test_rest_customer_taken_over_from_slack_and_handed_back(
        stack: Stack, standin: SlackStandIn, slack: SlackSender, store: LeadStore) -> None:
    customer = RestClient(stack)
    hand_off(customer)
    post = handoff_post(standin, customer.sender)

    # Two agents press "Take this chat" at once: exactly one wins, the other is told who has it.
    answers: dict[str, Any] = {}
    start = threading.Barrier(2)

    def press(user: str) -> None:
        start.wait()
        answers[user] = slack.click(button_click(user, post, "Take this chat"))

    threads = [threading.Thread(target=press, args=(u,)) for u in (DANA, SAM)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert {a.status for a in answers.values()} == {200}
    takeovers = TakeoverStore(store)
    taken = poll("the claim", lambda: (t := takeovers.latest_for(customer.sender))
                 and t.state == "taken" and t)
    winner, loser = (DANA, SAM) if taken.agent_id == DANA else (SAM, DANA)
    name = {DANA: "Dana", SAM: "Sam"}[winner]
    assert taken.agent_name == name  # from users.info
    told = poll("the loser's notice", lambda: [c for c in standin.calls_of("chat.postEphemeral")
                                               if c["body"].get("user") == loser])
    assert told[0]["body"]["text"] == f"{name} already has this chat."
    announce = in_sales_thread(standin, post["ts"], rf"\*{name}\* has this chat")[0]
    assert set(buttons(announce)) == {"Hand back to the assistant", "Close chat"}
    assert poll("the post updated", lambda: standin.calls_of("chat.update"))

    # The customer's next request returns the agent's arrival; what they write goes to the
    # thread and the bot stays quiet.
    replies = customer.say("hello? are you there?")
    assert texts(replies).strip() == f"{name} from our team has joined the chat."
    assert takeover_status(replies) == {"state": "taken", "agent": name, "agent_typing": False}
    in_sales_thread(standin, post["ts"], r"^\*Customer:\* hello\? are you there\?$")

    # The agent writes in the thread; the customer gets it (live read, then the next response).
    seen = live(stack, customer.sender)["lines"]
    reply_ts = new_ts()
    event = message_event(winner, "Hi Jane, I'm looking at your sites &amp; lines now",
                          reply_ts, SALES_CHANNEL, "channel", thread_ts=post["ts"])
    assert slack.event(event).status == 200
    fresh = live(stack, customer.sender, after=seen[-1]["id"], wait=20)["lines"]
    assert [(l["role"], l["author"], l["text"]) for l in fresh] == [
        ("agent", name, "Hi Jane, I'm looking at your sites & lines now")]
    # Someone else in the thread is team chatter: never sent to the customer.
    other = message_event(loser, "ping me if you need help", new_ts(), SALES_CHANNEL,
                          "channel", thread_ts=post["ts"])
    assert slack.event(other).status == 200
    replies = customer.say("great, thanks")
    assert [r["text"] for r in replies if r.get("text")] == [
        "Hi Jane, I'm looking at your sites & lines now"]

    # Everything is in the tracker, marked as the takeover's, and in the lead's transcript.
    events = tracker(stack, customer.sender)["events"]
    agent_lines = [e for e in events if e["event"] == "bot"
                   and (e.get("metadata") or {}).get("takeover", {}).get("role") == "agent"]
    assert [(e["text"], e["metadata"]["takeover"]["agent"]) for e in agent_lines] == [
        ("Hi Jane, I'm looking at your sites & lines now", name)]
    customer_lines = [e["text"] for e in events if e["event"] == "user"
                      and "takeover" in (e.get("metadata") or {})]
    assert customer_lines == ["hello? are you there?", "great, thanks"]
    lead = store.get(customer.sender)
    assert {"role": "bot", "text": "Hi Jane, I'm looking at your sites & lines now",
            "takeover": "agent", "agent": name} in [
        {k: v for k, v in line.items() if k != "at"} for line in lead.transcript]

    # Hand back: recorded, the customer is told, and the bot answers again.
    announce = in_sales_thread(standin, post["ts"], rf"\*{name}\* has this chat")[0]
    assert slack.click(button_click(winner, announce, "Hand back to the assistant")).status == 200
    ended = poll("the hand-back", lambda: (t := takeovers.get(taken.id))
                 and t.state == "handed_back" and t)
    assert ended.ended_by == name and ended.ended_at is not None
    in_sales_thread(standin, post["ts"], "handed the chat back to the assistant")
    replies = customer.say("what is a CLEC?")
    said = texts(replies)
    assert f"{name} has handed you back to the assistant" in said
    assert "competitive local exchange carrier" in said.lower()
    assert store.get(customer.sender).paused is False


def test_nobody_takes_the_chat_and_the_customer_is_offered_a_callback(
        stack: Stack, standin: SlackStandIn, store: LeadStore) -> None:
    customer = RestClient(stack)
    hand_off(customer)
    handoff_post(standin, customer.sender)
    takeovers = TakeoverStore(store)
    expired = poll("the expiry", lambda: (t := takeovers.latest_for(customer.sender))
                   and t.state == "expired" and t, timeout=TIMEOUT_S + WAIT_S)
    assert expired.agent_name is None
    lines = poll("the callback offer", lambda: live(stack, customer.sender)["lines"])
    assert "nobody from our team has been able to join" in lines[-1]["text"]
    assert "call you back at +15035550142" in lines[-1]["text"]
    lead = store.get(customer.sender)
    assert lead.status == "callback" and lead.paused is False
    standin.wait_for_posts(lambda p: p["channel"] == SALES_CHANNEL
                           and f"lead #{lead.id} within" in p["text"], 1, WAIT_S)
    # The REST customer gets the offer with the next response, and the bot answers again.
    replies = customer.say("what is a CLEC?")
    assert "nobody from our team has been able to join" in texts(replies)
    assert "competitive local exchange carrier" in texts(replies).lower()


# --- in the browser: the widget, and the dashboard's live view ----------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from tests.web.test_widget_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium

    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                      headless=True)
        yield chromium
        chromium.close()


def chat(page: Any) -> dict[str, Any]:
    """What the widget shows: bot, agent (author, text), system and user lines, the session."""
    return page.evaluate("""() => {
      const root = document.getElementById('carrier-advisor-widget').shadowRoot;
      const plain = (e) => e.textContent.replace(/^(You said|Assistant): /, '');
      return {
        bot: [...root.querySelectorAll('.msg.bot:not(.agent)')].map(plain),
        agent: [...root.querySelectorAll('.msg.agent')].map((e) => [
          e.querySelector('.author').textContent,
          e.textContent.slice(e.querySelector('.author').textContent.length + 2)]),
        system: [...root.querySelectorAll('.msg.system')].map((e) => e.textContent),
        user: [...root.querySelectorAll('.msg.user')].map(plain),
        session: Object.entries(localStorage).filter(([k]) => k.endsWith(':session'))
          .map(([, v]) => v)[0] || null,
      };
    }""")


def see(page: Any, what: str, check: Callable[[dict[str, Any]], Any],
        timeout: float = WAIT_S) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        state = chat(page)
        if check(state):
            return state
        assert time.monotonic() < deadline, f"timed out waiting for {what}; widget shows {state}"
        page.wait_for_timeout(150)


def type_in_widget(page: Any, text: str) -> None:
    box = page.locator("#ca-input")
    box.fill(text)
    box.press("Enter")


def test_widget_customer_taken_over_from_slack(
        stack: Stack, standin: SlackStandIn, slack: SlackSender, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(stack.web_url + "/")
    page.locator(".launcher").click()
    see(page, "the greeting", lambda s: s["bot"])
    type_in_widget(page, "I want to talk to a person")
    for _ in range(8):
        # A question, or the final "will join this conversation shortly" (not the handoff's
        # first "they'll join this chat shortly", which the question follows a moment later).
        state = see(page, "a question", lambda s: s["bot"] and len(s["bot"]) >= 2
                    and (s["bot"][-1].endswith("?") or "join this conversation shortly" in s["bot"][-1]))
        if "will join this conversation shortly" in state["bot"][-1]:
            break
        answer = next(a for pattern, a in CONTACT_ANSWERS if re.search(pattern, state["bot"][-1], re.I))
        count = len(state["bot"])
        type_in_widget(page, answer)
        see(page, f"the answer to {answer!r}", lambda s, n=count: len(s["bot"]) > n)
    session = state["session"]
    post = handoff_post(standin, session)

    # Dana takes the chat: the widget names her; her thread message appears in the widget.
    assert slack.click(button_click(DANA, post, "Take this chat")).status == 200
    see(page, "the agent's arrival", lambda s: "Dana from our team has joined the chat." in s["system"])
    event = message_event(DANA, "Hi Jane, Dana here. Which site has the outages?", new_ts(),
                          SALES_CHANNEL, "channel", thread_ts=post["ts"])
    assert slack.event(event).status == 200
    see(page, "the agent's message", lambda s: s["agent"] == [
        ["Dana", "Hi Jane, Dana here. Which site has the outages?"]])

    # The customer's reply goes to the thread; the bot says nothing.
    bot_lines = len(chat(page)["bot"])
    type_in_widget(page, "The Seattle office")
    in_sales_thread(standin, post["ts"], r"^\*Customer:\* The Seattle office$")

    # A line written while the page is closed is there after the customer comes back.
    page.close()
    late = message_event(DANA, "Thanks, I'll check the Seattle circuits.", new_ts(),
                         SALES_CHANNEL, "channel", thread_ts=post["ts"])
    assert slack.event(late).status == 200
    page = context.new_page()
    page.goto(stack.web_url + "/")
    state = see(page, "the missed line after coming back", lambda s: len(s["agent"]) == 2)
    assert state["agent"][1] == ["Dana", "Thanks, I'll check the Seattle circuits."]
    assert len(state["bot"]) == bot_lines and state["session"] == session

    # Hand back: the customer is told, and the assistant answers again.
    announce = in_sales_thread(standin, post["ts"], r"\*Dana\* has this chat")[0]
    assert slack.click(button_click(DANA, announce, "Hand back to the assistant")).status == 200
    see(page, "the hand-back", lambda s: any("handed you back to the assistant" in t
                                             for t in s["system"]))
    count = len(chat(page)["bot"])
    type_in_widget(page, "what is a CLEC?")
    state = see(page, "the assistant's answer", lambda s: len(s["bot"]) > count)
    assert "competitive local exchange carrier" in state["bot"][-1].lower()
    context.close()


def live_state(page: Any, state: str) -> None:
    """Wait until the live view shows `state` (page.evaluate: the page's CSP forbids eval)."""
    poll(f"the live view in state {state}",
         lambda: page.evaluate("document.getElementById('live').dataset.state") == state)


def test_rest_customer_taken_over_from_the_dashboard(
        stack: Stack, browser: Any, store: LeadStore) -> None:
    customer = RestClient(stack)
    hand_off(customer)
    lead = store.get(customer.sender)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{stack.web_url}/dashboard/leads/{lead.id}/live")
    page.fill("#username", "agent")
    page.fill("#password", "agent-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/dashboard/leads/{lead.id}/live$"))
    live_state(page, "waiting")
    page.click("#live-take")
    live_state(page, "taken")

    replies = customer.say("is anyone there?")
    assert "agent from our team has joined the chat." in texts(replies)
    page.wait_for_selector("text=is anyone there?")  # pushed to the page (server-sent event)
    page.fill("#live-text", "Yes! I'm here to help.")
    page.click("#live-send")
    seen = poll("the agent's reply", lambda: [l for l in live(stack, customer.sender)["lines"]
                                              if l["role"] == "agent"])
    assert [(l["author"], l["text"]) for l in seen] == [("agent", "Yes! I'm here to help.")]
    assert [r["text"] for r in customer.say("great") if r.get("text")] == ["Yes! I'm here to help."]
    page.click("#live-close")
    live_state(page, "closed")
    assert "agent has closed the chat" in texts(customer.say("bye"))
    context.close()


def test_a_takeover_survives_a_rasa_server_restart(
        stack: Stack, standin: SlackStandIn, slack: SlackSender, store: LeadStore) -> None:
    customer = RestClient(stack)
    hand_off(customer)
    post = handoff_post(standin, customer.sender)
    assert slack.click(button_click(DANA, post, "Take this chat")).status == 200
    takeovers = TakeoverStore(store)
    poll("the claim", lambda: (t := takeovers.latest_for(customer.sender)) and t.state == "taken")

    # The Rasa server dies (SIGKILL: no graceful shutdown) and starts again. Last test of the
    # module: the others never wait for this.
    stack.stop_one("rasa", signal.SIGKILL)
    stack.spawn("rasa")
    stack.wait_ready(names=["rasa"])

    # The takeover holds: the bot stays quiet, the customer's words reach the thread, and the
    # agent's reach the customer.
    replies = customer.say("still there?")
    assert texts(replies).strip() == "Dana from our team has joined the chat."
    assert takeover_status(replies)["state"] == "taken"
    in_sales_thread(standin, post["ts"], r"^\*Customer:\* still there\?$")
    event = message_event(DANA, "Yes, still here.", new_ts(), SALES_CHANNEL, "channel",
                          thread_ts=post["ts"])
    assert slack.event(event).status == 200
    poll("the agent's line", lambda: [l for l in live(stack, customer.sender)["lines"]
                                      if l["role"] == "agent"])
    assert [r["text"] for r in customer.say("good") if r.get("text")] == ["Yes, still here."]
    events = tracker(stack, customer.sender)["events"]
    assert [e["text"] for e in events if e["event"] == "user"][-2:] == ["still there?", "good"]
