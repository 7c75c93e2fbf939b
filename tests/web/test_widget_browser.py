"""The chat widget in a real headless Chromium (Debian's /usr/bin/chromium, via Playwright).

Two kinds of server behind the widget:
- `FakeRasaSocket` (tests/web/fake_socketio.py): the socketio protocol with scripted replies,
  for what needs control over the server (dropping the connection, exact formatting input);
- the real stack (`bot.runtime.launcher.launch_stack`: Rasa, actions, web app) for a complete
  qualification conversation as a customer would have it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from tests.web.conftest import ROOT, free_port
from tests.web.fake_socketio import FakeRasaSocket

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = ROOT / "test-output"
XSS = "<img src=x onerror=alert(1)>"
CLOSED_NOW = "2026-12-01T22:30:00-05:00"  # Tuesday 19:30 Pacific: office closed
OPEN_NOW = "2026-12-01T10:30:00-08:00"  # Tuesday 10:30 Pacific: office open


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class PageWatch:
    """Dialogs (an XSS would fire alert()), console errors and CSP violations of a page."""

    def __init__(self, page: Any) -> None:
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def widget_state(page: Any) -> Dict[str, Any]:
    """What the widget shows, read from its (open) shadow root."""
    return page.evaluate(
        """() => {
          const host = document.getElementById('carrier-advisor-widget');
          const root = host.shadowRoot;
          const text = (el) => el.textContent.replace(/^(You said|Assistant): /, '');
          return {
            version: host.dataset.version,
            open: !root.querySelector('.panel').hidden,
            user: [...root.querySelectorAll('.msg.user')].map(text),
            bot: [...root.querySelectorAll('.msg.bot')].map(text),
            system: [...root.querySelectorAll('.msg.system')].map((e) => e.textContent),
            buttons: [...root.querySelectorAll('.quick-replies button:not(:disabled)')].map((b) => b.textContent),
            connection: root.querySelector('.notice.connection').hidden ? '' : root.querySelector('.notice.connection').textContent,
            afterHours: root.querySelector('.notice.after-hours').hidden ? '' : root.querySelector('.notice.after-hours').textContent,
            typing: !root.querySelector('.typing').hidden,
            images: root.querySelectorAll('.log img').length,
            focused: root.activeElement ? root.activeElement.className || root.activeElement.id : null,
            session: Object.entries(localStorage).filter(([k]) => k.endsWith(':session')).map(([, v]) => v)[0] || null,
          };
        }"""
    )


def wait_for(page: Any, predicate: Any, timeout: float = 20.0, what: str = "condition") -> Dict[str, Any]:
    deadline = time.monotonic() + timeout
    state = widget_state(page)
    while not predicate(state):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; widget shows {state}")
        page.wait_for_timeout(100)
        state = widget_state(page)
    return state


def type_message(page: Any, text: str) -> None:
    box = page.locator("#ca-input")
    box.fill(text)
    box.press("Enter")


# ====================================================================== against the fake server


@pytest.fixture
def fake_socket() -> Iterator[FakeRasaSocket]:
    server = FakeRasaSocket().start()
    yield server
    server.stop()


def test_widget_talks_renders_safely_and_keeps_history(browser, web_server_factory, fake_socket) -> None:
    web = web_server_factory(RASA_PORT=str(fake_socket.port), BOT_NOW=CLOSED_NOW)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(web.url + "/")

    launcher = page.locator(".launcher")
    launcher.wait_for()
    assert launcher.get_attribute("aria-expanded") == "false"
    assert launcher.get_attribute("aria-label").startswith("Open chat")
    # Styled through a constructed stylesheet: works under the page's strict CSP (style-src 'self').
    assert page.evaluate("getComputedStyle(document.getElementById('carrier-advisor-widget')).position") == "fixed"
    assert page.evaluate("window.CarrierAdvisorWidget.version") == widget_state(page)["version"] != ""

    launcher.click()
    state = widget_state(page)
    assert state["open"] and state["focused"] == "ca-input"
    assert launcher.get_attribute("aria-expanded") == "true"
    assert page.locator(".log").get_attribute("role") == "log"
    assert page.locator(".log").get_attribute("aria-live") == "polite"
    # The greeting takes 0.6 s: the typing indicator shows meanwhile.
    wait_for(page, lambda s: s["typing"], 5, "typing indicator")
    state = wait_for(page, lambda s: s["bot"], what="greeting")
    assert not state["typing"]
    assert state["bot"][0].startswith("Hi! I'm Carrier Advisor")
    assert page.locator(".msg.bot strong").first.text_content() == "Carrier Advisor"
    assert state["buttons"] == ["Compare carriers", "Talk to an agent"]
    assert "closed right now" in state["afterHours"] and "Wednesday, December 2 at 8:00 AM Pacific" in state["afterHours"]

    # A quick reply sends its payload and shows its title.
    page.locator(".quick-replies button", has_text="Compare carriers").click()
    state = wait_for(page, lambda s: len(s["bot"]) >= 2, what="answer to the quick reply")
    assert state["user"] == ["Compare carriers"]
    assert state["bot"][1] == "Great. Where are your offices?"
    assert state["buttons"] == []
    assert [m["message"] for m in fake_socket.received] == ["/greet", "/compare"]
    session = state["session"]
    assert session and all(m["session_id"] == session for m in fake_socket.received)

    # Formatting: bold, bullets, http(s) links only.
    type_message(page, "format please")
    wait_for(page, lambda s: len(s["bot"]) >= 3, what="formatted answer")
    last = page.locator(".msg.bot").last
    assert last.locator("strong").text_content() == "what we found"
    assert last.locator("ul > li").all_text_contents() == ["Lumen for the primary line", "Zayo as a pilot"]
    assert last.locator("ol > li").all_text_contents() == ["Keep Lumen", "Trial Zayo"]
    links = last.locator("a").evaluate_all("(as) => as.map((a) => [a.getAttribute('href'), a.textContent, a.target, a.rel])")
    assert links == [
        ["https://example.com/plan?a=1&b=2", "https://example.com/plan?a=1&b=2", "_blank", "noopener noreferrer nofollow"],
        ["https://example.com/guide", "Our guide", "_blank", "noopener noreferrer nofollow"],
    ]
    assert "[bad](javascript:alert(1))" in last.text_content()

    # Markup typed by the customer (and echoed by the bot) is text.
    type_message(page, XSS)
    state = wait_for(page, lambda s: len(s["bot"]) >= 4, what="echo of the markup")
    assert state["user"][-1] == XSS
    assert state["bot"][-1] == f"You said: {XSS}"
    assert state["images"] == 0
    page.wait_for_timeout(300)
    assert watch.dialogs == []

    # Esc closes and gives focus back to the launcher; the launcher reopens.
    page.locator("#ca-input").press("Escape")
    state = widget_state(page)
    assert not state["open"] and state["focused"] == "launcher"
    launcher.press("Enter")
    assert widget_state(page)["open"]

    # Reload: same session, same history, panel still open.
    before = widget_state(page)
    page.reload()
    state = wait_for(page, lambda s: len(s["bot"]) == len(before["bot"]), what="history after reload")
    assert state["open"]
    assert state["user"] == before["user"] and state["bot"] == before["bot"]
    assert state["session"] == session
    wait_for(page, lambda s: fake_socket.sessions.count(session) >= 2, what="session_request after reload")
    assert fake_socket.received[-1]["message"] == XSS, "no second greeting for a conversation under way"

    # A new tab shares the conversation; what one tab sends, the other shows.
    other = context.new_page()
    PageWatch(other)
    other.goto(web.url + "/")
    state = wait_for(other, lambda s: s["bot"] == before["bot"], what="history in a new tab")
    type_message(other, "hello from tab two")
    wait_for(other, lambda s: s["bot"][-1] == "You said: hello from tab two", what="answer in tab two")
    wait_for(page, lambda s: s["bot"][-1] == "You said: hello from tab two", what="answer mirrored to tab one")
    assert widget_state(page)["bot"].count("You said: hello from tab two") == 1

    assert not [e for e in watch.errors if "Content Security Policy" in e or "Refused" in e], watch.errors
    assert watch.dialogs == []
    context.close()


def test_widget_reconnects_after_a_dropped_connection(browser, web_server_factory, fake_socket) -> None:
    web = web_server_factory(RASA_PORT=str(fake_socket.port), BOT_NOW=OPEN_NOW)
    context = browser.new_context()
    page = context.new_page()
    page.goto(web.url + "/")
    page.locator(".launcher").click()
    state = wait_for(page, lambda s: s["bot"], what="greeting")
    assert state["afterHours"] == "", "no after-hours note during office hours"

    fake_socket.stop()
    state = wait_for(page, lambda s: "Connection lost" in s["connection"], 10, "the dropped connection to show")
    type_message(page, "sent while offline")  # queued, shown as pending
    assert page.locator(".msg.user.pending").count() == 1

    fake_socket.start()
    state = wait_for(page, lambda s: "Reconnected" in " ".join(s["system"]), 30, "reconnection")
    state = wait_for(page, lambda s: s["bot"][-1] == "You said: sent while offline", what="queued message answered")
    assert page.locator(".msg.user.pending").count() == 0
    assert fake_socket.received[-1]["session_id"] == state["session"]

    # "Start a new conversation": a new session, an empty log, a new greeting.
    old_session = state["session"]
    page.locator(".restart").click()
    state = wait_for(page, lambda s: s["bot"] and s["session"] != old_session, what="a new conversation")
    assert state["user"] == [] and state["bot"][0].startswith("Hi! I'm Carrier Advisor")
    assert fake_socket.received[-1] == {"message": "/greet", "session_id": state["session"]}
    context.close()


def test_widget_on_a_phone_sized_viewport(browser, web_server_factory, fake_socket) -> None:
    web = web_server_factory(RASA_PORT=str(fake_socket.port), BOT_NOW=OPEN_NOW)
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(web.url + "/")
    page.locator(".launcher").tap()
    wait_for(page, lambda s: s["bot"], what="greeting")
    box = page.locator(".panel").bounding_box()
    assert box == {"x": 0, "y": 0, "width": 375, "height": 667}, "full-screen panel on a phone"
    assert not page.locator(".launcher").is_visible()
    page.locator(".quick-replies button", has_text="Talk to an agent").tap()
    wait_for(page, lambda s: s["bot"][-1] == "Connecting you with an advisor.", what="answer on the phone")
    send = page.locator(".send").bounding_box()
    assert send["x"] + send["width"] <= 375 and send["y"] + send["height"] <= 667
    page.locator(".close").tap()
    assert not widget_state(page)["open"] and page.locator(".launcher").is_visible()
    context.close()


# ====================================================================== against the real stack

CANONICAL = "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high"
DASH_USER = "sales"
DASH_PASSWORD = "widget-test-password"
SOCKETIO_HINT = (
    "The Rasa server never answered over Socket.IO. With session_persistence: true, Rasa 3.6's "
    "socketio channel calls `sio.enter_room()` without await; python-socketio >= 5.10 made it a "
    "coroutine, so the session room is never joined and bot_uttered goes nowhere. Pin "
    "python-socketio==5.9.0 and python-engineio==4.7.1 (or use a channel that awaits enter_room)."
)


@pytest.fixture(scope="module")
def real_stack() -> Iterator[Any]:
    """Rasa + action server + web app, as `make run` starts them, on free ports."""
    from bot.runtime.launcher import StackError, latest_model, launch_stack

    _require_chromium()
    try:
        latest_model()
    except StackError as error:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"the browser test needs a trained model: {error}")
        pytest.skip(f"no trained model (run `make train`): {error}")
    with tempfile.TemporaryDirectory(prefix="carrier-advisor-widget-") as tmp:
        env = {
            "RASA_PORT": str(free_port()),
            "ACTIONS_PORT": str(free_port()),
            "WEB_PORT": str(free_port()),
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'widget.db'}",
            "BOT_API_TOKEN": "widget-test-token",
            "BOT_NOW": OPEN_NOW,  # business hours: a handoff pauses the bot for a person
            "DASHBOARD_USER": DASH_USER,
            "DASHBOARD_PASSWORD": DASH_PASSWORD,
        }
        started = time.monotonic()
        with launch_stack(env, log_dir=Path(tmp) / "logs") as stack:
            stack.startup_s = time.monotonic() - started  # type: ignore[attr-defined]
            stack.database_url = env["DATABASE_URL"]  # type: ignore[attr-defined]
            yield stack


# What the customer answers to each question the assistant may ask, in whatever order it asks.
# ("type", text) types an answer; ("click", title) clicks a quick reply.
ANSWERS = [
    (r"how many employees", ("type", "about 40 employees")),
    (r"current carrier", ("type", "we're with CenturyLink")),
    (r"contract end", ("type", "the contract ends in March 2027")),
    (r"where are your sites", ("type", "Portland, OR and Seattle, WA")),
    (r"how many sites", ("type", "3 offices")),
    (r"which services", ("click", "SIP trunks")),
    (r"what's not working", ("click", "Costs too much")),
    (r"besides the .*, is anything else", ("click", "No, that's all")),  # one problem told before it was asked
    (r"your name", ("type", "Dana Whitfield")),
    (r"which company", ("type", "Cascade Dental Group")),
    (r"email address", ("type", "dana@cascadedental.example")),
    (r"phone number", ("type", "503-555-0142")),
    (r"good time", ("type", "tomorrow morning")),
]
QUIET_S = 1.0  # a turn is over when the bot has asked something and then stayed quiet this long
SLOW_QUIET_S = 5.0  # ... or, whatever it said last, stayed quiet this long


def finish_turn(page: Any, before: int, timeout: float = 90.0) -> Dict[str, Any]:
    """Wait for the bot's answer to a message: new messages, then quiet."""
    deadline = time.monotonic() + timeout
    count, changed = before, time.monotonic()
    while True:
        state = widget_state(page)
        now = time.monotonic()
        if len(state["bot"]) != count:
            count, changed = len(state["bot"]), now
        quiet = now - changed
        if count > before:
            asked = state["bot"][-1].rstrip().endswith("?") or bool(state["buttons"])
            if (asked and quiet >= QUIET_S) or quiet >= SLOW_QUIET_S:
                return state
        if now > deadline:
            hint = "" if state["bot"] else f"{SOCKETIO_HINT}\n"
            raise AssertionError(f"{hint}no answer from the assistant within {timeout} s; widget shows {state}")
        page.wait_for_timeout(100)


def send(page: Any, action: Tuple[str, str]) -> Dict[str, Any]:
    """Type or click, then wait for the end of the bot's turn."""
    before = len(widget_state(page)["bot"])
    kind, value = action
    if kind == "click":
        page.locator(".quick-replies button:not(:disabled)", has_text=value).click()
    else:
        type_message(page, value)
    return finish_turn(page, before)


def converse(page: Any, until: str, transcript: List[str], max_turns: int = 15) -> Dict[str, Any]:
    """Answer whatever the assistant asks (ANSWERS) until a bot message matches `until`."""
    done = re.compile(until, re.IGNORECASE)
    for _ in range(max_turns):
        state = widget_state(page)
        if any(done.search(text) for text in state["bot"][-3:]):
            return state
        question = state["bot"][-1]
        action = next((a for pattern, a in ANSWERS if re.search(pattern, question, re.IGNORECASE)), None)
        assert action is not None, f"the assistant asked something the test has no answer for: {question!r}"
        transcript.append(f"BOT: {question}\nCUSTOMER ({action[0]}): {action[1]}")
        send(page, action)
    raise AssertionError(f"no {until!r} after {max_turns} answers:\n" + "\n".join(transcript))


def test_qualification_through_the_widget_with_the_real_assistant(browser, real_stack) -> None:
    from bot.leads.store import LeadStore

    OUTPUT.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(real_stack.web_url + "/")
    page.locator(".launcher").click()

    timings: Dict[str, float] = {"stack_startup": round(real_stack.startup_s, 1)}
    started = time.monotonic()
    state = finish_turn(page, 0)
    timings["greeting"] = round(time.monotonic() - started, 2)
    assert "virtual assistant" in state["bot"][0]
    assert state["afterHours"] == "", "office hours: no after-hours note"
    session = state["session"]

    # The canonical first message, then whatever the assistant asks, up to its recommendation.
    transcript: List[str] = [f"CUSTOMER (type): {CANONICAL}"]
    started = time.monotonic()
    send(page, ("type", CANONICAL))
    timings["canonical_turn"] = round(time.monotonic() - started, 2)
    state = converse(page, r"what would you like to do next", transcript)
    page.screenshot(path=str(OUTPUT / "widget-recommendation.png"))
    assert {"Talk to an agent", "Email me the plan", "Change an answer"} <= set(state["buttons"])
    assert re.search(r"Lumen|Zayo|Ziply|AT&T|Verizon|Frontier|Cogent|Comcast", " ".join(state["bot"])), state["bot"]

    # Reload: the whole conversation is still there, same session, buttons still usable.
    before = widget_state(page)
    page.reload()
    state = wait_for(page, lambda s: s["bot"] == before["bot"] and s["user"] == before["user"], 20, "history after reload")
    assert state["open"] and state["session"] == session
    assert state["buttons"] == before["buttons"]

    # A clicked button, then the contact details the assistant asks for.
    transcript.append("CUSTOMER (click): Talk to an agent")
    send(page, ("click", "Talk to an agent"))
    state = converse(page, r"agent has your details", transcript)
    assert state["user"][0] == CANONICAL and "Talk to an agent" in state["user"]
    assert "Cascade Dental Group" in state["user"]

    # Markup typed by the customer stays text, and nothing runs.
    type_message(page, XSS)
    state = wait_for(page, lambda s: s["user"][-1] == XSS, 10, "the markup as a user message")
    assert state["images"] == 0
    page.wait_for_timeout(1500)
    assert watch.dialogs == []

    # The lead is in the database, paused for a person; the dashboard shows it and resumes the bot.
    store = LeadStore(real_stack.database_url)
    lead = store.get(session)
    assert lead is not None, f"no lead for conversation {session}"
    assert lead.paused and lead.status == "handoff"
    assert lead.company_name == "Cascade Dental Group" and lead.states == ("OR", "WA")
    dash = context.new_page()
    dash.goto(f"{real_stack.web_url}/dashboard/leads/{lead.id}")
    dash.fill("#username", DASH_USER)
    dash.fill("#password", DASH_PASSWORD)
    dash.click("button[type=submit]")
    dash.wait_for_url(re.compile(rf"/dashboard/leads/{lead.id}$"))
    assert "Cascade Dental Group" in dash.content() and CANONICAL in dash.content()
    dash.click("text=Resume assistant")
    dash.wait_for_url(re.compile(r"msg=resumed"))
    assert store.get(session).paused is False
    dash.close()

    # A phone-sized viewport: full-screen panel, and the conversation goes on.
    page.set_viewport_size({"width": 375, "height": 667})
    page.wait_for_timeout(200)
    assert page.locator(".panel").bounding_box() == {"x": 0, "y": 0, "width": 375, "height": 667}
    started = time.monotonic()
    state = send(page, ("type", "thanks!"))
    timings["turn_after_resume"] = round(time.monotonic() - started, 2)
    assert re.search(r"welcome|anything else", state["bot"][-1], re.IGNORECASE), state["bot"][-1]
    page.screenshot(path=str(OUTPUT / "widget-conversation-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(200)
    page.screenshot(path=str(OUTPUT / "widget-conversation.png"))

    assert not [e for e in watch.errors if "Content Security Policy" in e or "Refused" in e], watch.errors
    (OUTPUT / "widget-transcript.txt").write_text("\n".join(transcript) + "\n")
    (OUTPUT / "widget-timings.json").write_text(json.dumps(timings, indent=2))
    context.close()
