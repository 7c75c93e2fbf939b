"""The outbox end to end, on the real Rasa server (the delivery worker runs in it):

- Slack answers HTTP 500 for a while: the customer is told an agent is coming, and the
  handoff post reaches the sales channel exactly once after Slack recovers;
- "Email me the plan": a real SMTP server in this process (aiosmtpd) receives the plan, with
  text and HTML parts that hold it.

Nothing sleeps for a fixed time: every wait polls with a deadline.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from aiosmtpd.controller import Controller

from bot.leads.store import LeadStore
from bot.outbox.store import Outbox
from bot.runtime.launcher import Stack, launch_stack
from tests.e2e.conftest import RestClient, free_port, stack_env, texts
from tests.e2e.slack_standin import SlackStandIn
from tests.outbox.conftest import MailSink, parts

pytestmark = pytest.mark.stack

SALES = "C0SALES0OUT"
NEEDS = "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high"
WAIT_S = 90.0


class FlakySlack(SlackStandIn):
    """The stand-in, answering chat.postMessage with HTTP 500 while `down` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.down = threading.Event()

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        if self.down.is_set() and path.split("?", 1)[0].endswith("/chat.postMessage"):
            answer = {"ok": False, "error": "internal_error"}
            with self._changed:
                self.calls.append({"method": "chat.postMessage", "path": path, "body": {},
                                   "answer": answer, "status": 500, "at": time.monotonic()})
                self._changed.notify_all()
            return 500, answer
        return super()._handle(path, headers, raw)

    def failed_posts(self) -> int:
        with self._changed:
            return sum(1 for c in self.calls if c.get("status") == 500)


def wait_until(condition: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, Any]]:
    sink = MailSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        with tempfile.TemporaryDirectory(prefix="carrier-advisor-outbox-") as tmp, \
                FlakySlack() as slack:
            env = stack_env(
                Path(tmp),
                SLACK_BOT_TOKEN="xoxb-test-outbox",  # no signing secret: the Slack channel stays off
                SALES_SLACK_CHANNEL=SALES,
                SLACK_API_URL=slack.url,
                SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
                OUTBOX_RETRY_BASE_S="0.5",
                OUTBOX_POLL_S="0.5",
            )
            with launch_stack(env, services=("rasa",), log_dir=Path(tmp) / "logs") as stack:
                yield {"stack": stack, "slack": slack, "sink": sink, "env": env}
    finally:
        smtp.stop()


def outbox_of(world: dict[str, Any]) -> Outbox:
    return Outbox(LeadStore(world["env"]["DATABASE_URL"]))


def qualify(customer: RestClient) -> str:
    customer.say(NEEDS)
    customer.say("about 40 employees")
    customer.say("we're with CenturyLink")
    return texts(customer.say("March 2027"))


def answer_contact_form(customer: RestClient, first_question: str,
                        answers: list[tuple[str, str]]) -> str:
    """Answer each contact question by what it asks (each answer once); returns the reply
    after the last answer."""
    reply, left = first_question, list(answers)
    while left:
        match = next((entry for entry in left if re.search(entry[0], reply, re.I)), None)
        if match is None:
            return reply
        left.remove(match)
        reply = texts(customer.say(match[1]))
    return reply


def test_slack_down_for_a_while_then_the_handoff_is_posted_once(world: dict[str, Any]) -> None:
    stack: Stack = world["stack"]
    slack: FlakySlack = world["slack"]
    slack.down.set()
    customer = RestClient(stack, sender="outbox-flaky-slack")
    qualify(customer)
    asked = texts(customer.say("can I talk to someone"))
    assert "join this chat" in asked
    done = answer_contact_form(customer, asked, [
        (r"your name|who am I", "Dan Day"),
        (r"company", "Day Bird Logistics"),
        (r"email", "dan@daybird.example"),
        (r"phone|number", "503-555-0177"),
    ])
    assert "agent" in done.lower()  # told an agent is coming, whatever Slack says
    # The immediate post and at least one retry by the worker were refused...
    wait_until(lambda: slack.failed_posts() >= 2, "two refused posts")
    (item,) = wait_until(lambda: outbox_of(world).list_items(sender_id=customer.sender),
                         "the outbox row")
    assert item.kind == "handoff" and item.destination == "Slack"
    assert item.state in ("retrying", "sending") and "500" in (item.last_error or "")
    # ...then Slack is back, and the post arrives.
    slack.down.clear()
    posts = slack.wait_for_posts(lambda m: "Day Bird Logistics" in json.dumps(m), timeout=WAIT_S)
    sent = wait_until(lambda: [i for i in outbox_of(world).list_items(sender_id=customer.sender)
                               if i.state == "sent"], "the row marked sent")
    assert len(sent) == 1 and sent[0].attempts >= 3
    # Exactly once: the worker keeps running (several passes), no second post.
    passes_later = time.monotonic() + 3 * 0.5 + 1
    wait_until(lambda: time.monotonic() > passes_later, "a few worker passes")
    assert len(slack.posts(lambda m: "Day Bird Logistics" in json.dumps(m))) == 1
    assert posts[0]["channel"] == SALES


def test_email_me_the_plan_reaches_a_real_smtp_server(world: dict[str, Any]) -> None:
    stack: Stack = world["stack"]
    sink: MailSink = world["sink"]
    customer = RestClient(stack, sender="outbox-plan-by-mail")
    qualify(customer)
    plan = customer.slots()["recommendation"]
    assert plan and plan["plan"], plan
    asked = texts(customer.say("/email_plan"))
    done = answer_contact_form(customer, asked, [
        (r"your name|who am I", "Maria Lopez"),
        (r"company", "Lopez Dental"),
        (r"email", "maria@lopezdental.example"),
        (r"phone|number", "503-555-0188"),
    ])
    assert "I've emailed the plan to maria@lopezdental.example" in done, done
    (message,) = sink.wait_for(1, timeout=WAIT_S)
    assert message["To"] == "Maria Lopez <maria@lopezdental.example>"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    for part in body.values():
        for step in plan["plan"]:
            assert step in part or step.replace("'", "&#39;") in part
        for carrier in plan["carriers"]:
            assert carrier["name"] in part
        assert "Northwind Telecom Advisors" in part and "Lopez Dental" in part
    (item,) = [i for i in outbox_of(world).list_items(sender_id=customer.sender)
               if i.kind == "plan"]
    assert item.state == "sent" and item.attempts == 1
