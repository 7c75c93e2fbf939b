"""The Slack notifier against a local stand-in for Slack's Web API."""

from __future__ import annotations

import dataclasses
import json
import logging
import time

import pytest

from bot.leads.store import LeadStore
from bot.notify.slack import SlackNotifier
from tests.leads.conftest import FULL_SLOTS, RECOMMENDATION, SlackStub, free_port, slack_settings


def _text(message: dict) -> str:
    """Every text of a chat.postMessage body, for content checks."""
    return json.dumps(message["blocks"], ensure_ascii=False) + "\n" + message["text"]


@pytest.fixture
def handoff_lead(sqlite_store: LeadStore):  # type: ignore[no-untyped-def]
    return sqlite_store.upsert("conv-42", channel="socketio", slots=FULL_SLOTS,
                               status="handoff", after_hours=False,
                               recommendation=RECOMMENDATION)


def test_handoff_post_content(notifier: SlackNotifier, slack_stub: SlackStub,
                              handoff_lead) -> None:  # type: ignore[no-untyped-def]
    assert notifier.post_handoff(handoff_lead) is True
    assert len(slack_stub.requests) == 1
    request = slack_stub.requests[0]
    assert request["path"] == "/api/chat.postMessage"
    assert request["headers"]["Authorization"] == "Bearer xoxb-test-token"
    message = request["body"]
    assert message["channel"] == "#sales-leads"
    text = _text(message)
    for expected in (
        "Handoff: Acme Logistics (Jane Doe)",
        f"{handoff_lead.score} (grade A)",
        "*Status*\\nhandoff",
        "*Handoff reason*\\ncomplex needs",
        "jane.doe@acme.com", "+15035550123", "Jane Doe",
        "*Lumen* (ILEC) · primary: mpls, dia",
        "*Zayo* (CLEC) · redundancy: dia",
        "12 sites in OR, WA, CA",
        f"<https://advisor.example.com/dashboard/leads/{handoff_lead.id}|Open lead "
        f"#{handoff_lead.id} in the dashboard>",
    ):
        assert expected in text, expected
    assert message["blocks"][0]["type"] == "header"
    # The notification preview (text) carries no contact details.
    assert "jane" not in message["text"].lower() and "+1503" not in message["text"]


def test_customer_typed_markup_is_escaped(notifier: SlackNotifier, slack_stub: SlackStub,
                                          sqlite_store: LeadStore) -> None:
    lead = sqlite_store.upsert("x", channel="rest", status="handoff", slots={
        "company_name": "<!channel> <https://evil.example|Click> & Co",
        "contact_name": "<b>Bob</b>"})
    assert notifier.post_handoff(lead) is True
    blocks = slack_stub.messages[0]["blocks"]
    assert blocks[0]["text"]["type"] == "plain_text"  # Slack renders no markup there
    text = json.dumps(blocks[1:], ensure_ascii=False)
    assert "<!channel>" not in text and "<https://evil" not in text and "<b>" not in text
    assert "&lt;b&gt;Bob&lt;/b&gt;" in text
    assert notifier.post_digest([lead]) is True
    digest = json.dumps(slack_stub.messages[1]["blocks"], ensure_ascii=False)
    assert "<!channel>" not in digest and "<https://evil" not in digest
    assert "&lt;!channel&gt; &lt;https://evil.example|Click&gt; &amp; Co" in digest


@pytest.mark.parametrize("mode", ["not_ok", "http500", "slow"])
def test_slack_failures_do_not_raise_or_lose_the_lead(
        mode: str, notifier: SlackNotifier, slack_stub: SlackStub, sqlite_store: LeadStore,
        handoff_lead, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    slack_stub.mode = mode
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.notify.slack"):
        assert notifier.post_handoff(handoff_lead) is False
        assert notifier.post_digest([handoff_lead]) is False
    assert time.monotonic() - started < 4  # 0.5 s timeout, no retries
    assert len(slack_stub.requests) == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    for record in warnings:
        message = record.getMessage()
        assert f"#{handoff_lead.id}" in message
        assert "jane" not in message.lower() and "5550123" not in message
    if mode == "not_ok":
        assert "channel_not_found" in warnings[0].getMessage()
    if mode == "http500":
        assert "500" in warnings[0].getMessage()
    assert sqlite_store.get("conv-42") == handoff_lead


def test_unreachable_slack_and_missing_config(sqlite_store: LeadStore, handoff_lead,
                                              caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    down = SlackNotifier(slack_settings(f"http://127.0.0.1:{free_port()}/api/"), timeout=0.5)
    with caplog.at_level(logging.WARNING, logger="bot.notify.slack"):
        assert down.post_handoff(handoff_lead) is False
    assert "not posted" in caplog.text
    for missing in ({"slack_bot_token": None}, {"sales_slack_channel": None}):
        unconfigured = SlackNotifier(slack_settings("http://127.0.0.1:9/api/", **missing))
        assert unconfigured.configured is False
        assert unconfigured.post_handoff(handoff_lead) is False
        assert unconfigured.post_digest([handoff_lead]) is False
    assert sqlite_store.get("conv-42") == handoff_lead


def test_default_base_url_and_dashboard_link() -> None:
    notifier = SlackNotifier(slack_settings(None, public_url=None, web_port=8181))
    assert notifier.client().base_url == "https://slack.com/api/"
    assert notifier.client().timeout == 3.0
    lead_like = type("L", (), {"id": 7})()
    assert notifier.dashboard_url(lead_like) == "http://127.0.0.1:8181/dashboard/leads/7"


def test_digest_lists_leads_by_score(notifier: SlackNotifier, slack_stub: SlackStub,
                                     sqlite_store: LeadStore) -> None:
    small = sqlite_store.upsert("small", channel="rest", slots={"num_locations": 1,
                                                                "email": "s@small.co"})
    big = sqlite_store.upsert("big", channel="rest", slots=FULL_SLOTS, status="callback",
                              callback_time="Wednesday 9am", recommendation=RECOMMENDATION)
    mid = sqlite_store.upsert("mid", channel="rest", slots={
        "num_locations": 5, "employees": 60, "services": ["dia"], "company_name": "Mid Co"})
    assert notifier.post_digest([small, big, mid]) is True
    message = slack_stub.messages[0]
    assert message["channel"] == "#sales-leads"
    assert message["text"] == "After-hours leads: 3"
    text = _text(message)
    positions = [text.index(f"|#{lead.id} ") for lead in (big, mid, small)]
    assert positions == sorted(positions)
    assert f"*A {big.score}*" in text and "call back Wednesday 9am" in text
    assert "recommended: Lumen, Zayo" in text and "jane.doe@acme.com" in text


def test_long_digest_stays_within_slack_limits(notifier: SlackNotifier, slack_stub: SlackStub,
                                               handoff_lead) -> None:  # type: ignore[no-untyped-def]
    leads = [dataclasses.replace(handoff_lead, id=i, score=i % 100,
                                 company_name=f"Company {i} " + "x" * 700)
             for i in range(1, 301)]
    assert notifier.post_digest(leads) is True
    blocks = slack_stub.messages[0]["blocks"]
    assert len(blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
    assert "more in the dashboard" in blocks[-1]["text"]["text"]
    assert "|#99 Company 99 " in blocks[1]["text"]["text"]  # best score first
