"""Issue 4 end to end: a 10 pm conversation becomes a callback lead in the morning digest; the same
conversation at 10 am hands off, pauses the assistant and posts to (a stand-in for) Slack; both
are in the export and the dashboard; an agent resumes the assistant."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.runtime.launcher import ROOT, Stack, launch_stack
from tests.e2e.conftest import RestClient, stack_env, texts
from tests.e2e.slack_standin import SlackStandIn
from tests.web.conftest import Browserish, login

NIGHT = "2026-12-01T22:00:00-08:00"  # Tuesday 10 pm Pacific
MORNING = "2026-12-02T08:30:00-08:00"  # Wednesday, after opening
DAY = "2026-12-01T10:00:00-08:00"  # Tuesday 10 am
NEEDS = "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high"


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="carrier-advisor-leads-") as tmp, SlackStandIn() as slack:
        env = stack_env(
            Path(tmp),
            BOT_NOW=NIGHT,
            ACTIONS_MODE="http",  # the day test restarts the action server with another clock
            SLACK_BOT_TOKEN="xoxb-test-notifier",  # no signing secret: the Slack channel stays off
            SALES_SLACK_CHANNEL="C0SALES",
            SLACK_API_URL=slack.url,
            DASHBOARD_USER="agent",
            DASHBOARD_PASSWORD="correct horse battery staple",
            PUBLIC_URL="http://agency.example",  # http: the test client keeps no Secure cookies
        )
        with launch_stack(env, log_dir=Path(tmp) / "logs") as stack:
            yield {"stack": stack, "slack": slack, "env": env}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=120,
    )


def qualify(customer: RestClient) -> None:
    customer.say(NEEDS)
    customer.say("about 40 employees")
    customer.say("we're with CenturyLink")
    customer.say("March 2027")


def test_night_conversation_becomes_a_callback_in_the_morning_digest(world: dict[str, Any]) -> None:
    stack: Stack = world["stack"]
    customer = RestClient(stack, sender="night-owl")
    qualify(customer)
    reply = texts(customer.say("can I talk to someone"))
    assert "closed" in reply and "Wednesday" in reply  # the real next opening
    customer.say("Dana Night")
    customer.say("Night Owl Dental")
    customer.say("dana@example.com")
    customer.say("503-555-0142")
    done = texts(customer.say("tomorrow after 9am"))
    assert "call you back" in done
    assert customer.slots()["handoff_reason"] == "user_request"
    assert customer.tracker()["paused"] is False  # after hours the assistant keeps the line open

    leads = [json.loads(line) for line in cli(world["env"], "leads", "export", "--format", "jsonl").stdout.splitlines()]
    lead = next(lead for lead in leads if lead["sender_id"] == "night-owl")
    assert lead["status"] == "callback" and lead["after_hours"] is True
    assert lead["phone"] == "+15035550142" and lead["states"] == ["OR", "WA"]
    assert lead["recommended_carriers"] and lead["grade"] in ("A", "B", "C")

    digest = cli({**world["env"], "BOT_NOW": MORNING}, "leads", "digest")
    assert digest.returncode == 0, digest.stderr
    posts = world["slack"].wait_for_posts(lambda m: "night" in json.dumps(m).lower(), timeout=30)
    assert "Night Owl Dental" in json.dumps(posts[-1]) or "Dana Night" in json.dumps(posts[-1])


def test_day_conversation_hands_off_pauses_and_posts_to_slack(world: dict[str, Any]) -> None:
    stack: Stack = world["stack"]
    stack.restart("actions", BOT_NOW=DAY)
    customer = RestClient(stack, sender="day-bird")
    qualify(customer)
    reply = texts(customer.say("can I talk to someone"))
    assert "join this chat" in reply
    customer.say("Dan Day")
    customer.say("Day Bird Logistics")
    customer.say("dan@example.com")
    texts(customer.say("503-555-0177"))
    assert customer.tracker()["paused"] is True
    # Paused: the assistant stays quiet for the agent; a REST client only hears the takeover's
    # state (waiting for an agent), never a message from the bot.
    waiting = customer.say("hello? anyone?")
    assert [m for m in waiting if "text" in m or "buttons" in m] == []
    assert [m["custom"]["takeover"]["state"] for m in waiting] == ["waiting"]
    posts = world["slack"].wait_for_posts(lambda m: "Day Bird" in json.dumps(m), timeout=30)
    post = json.dumps(posts[-1])
    assert "user_request" in post or "asked for a person" in post.lower() or "handoff" in post.lower()
    assert "/dashboard/leads/" in post
    assert world["slack"].posts(lambda m: m["channel"] == "C0SALES")

    leads = [json.loads(line) for line in cli(world["env"], "leads", "export", "--format", "jsonl").stdout.splitlines()]
    lead = next(lead for lead in leads if lead["sender_id"] == "day-bird")
    assert lead["status"] == "handoff" and lead["after_hours"] is False

    resumed = cli(world["env"], "resume", "day-bird")
    assert resumed.returncode == 0, resumed.stderr
    assert customer.tracker()["paused"] is False
    assert customer.say("thanks") != []


def test_both_leads_are_on_the_dashboard(world: dict[str, Any]) -> None:
    stack: Stack = world["stack"]
    client = Browserish(stack.web_url)
    assert login(client, "agent", "correct horse battery staple").status == 303
    page = client.get("/dashboard").text
    assert "Night Owl Dental" in page and "Day Bird Logistics" in page
