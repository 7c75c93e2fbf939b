"""The after-hours digest: window, order, posting, printing."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from bot.runtime.cli import main
from bot.domain.hours import DEFAULT_HOURS_PATH, BusinessHours
from bot.notify.digest import build_digest, format_digest, run_digest
from bot.leads.store import LeadStore
from bot.notify.base import Notifiers, notifiers_from_settings
from bot.notify.slack import SlackNotifier
from tests.leads.conftest import FULL_SLOTS, RECOMMENDATION, Clock, SlackStub, slack_settings


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def hours() -> BusinessHours:
    return BusinessHours.load(DEFAULT_HOURS_PATH)


@pytest.fixture
def night(sqlite_store: LeadStore, clock: Clock) -> LeadStore:
    """Leads around the night of Tuesday 2026-12-01 (office closes 17:00, opens 08:00 PT)."""
    clock.now = at("2026-12-01T15:00:00-08:00")  # during the day: not in the digest
    sqlite_store.upsert("day", channel="rest", slots=FULL_SLOTS, status="handoff")
    clock.now = at("2026-12-01T18:10:00-08:00")
    sqlite_store.upsert("small", channel="rest", after_hours=True, status="callback",
                        slots={"num_locations": 1, "email": "s@small.co",
                               "phone": "+15035550199"})
    clock.now = at("2026-12-01T21:00:00-08:00")
    sqlite_store.upsert("big", channel="socketio", after_hours=True, status="callback",
                        slots=FULL_SLOTS, recommendation=RECOMMENDATION,
                        callback_time="first thing")
    clock.now = at("2026-12-02T02:00:00-08:00")
    sqlite_store.upsert("mid", channel="rest", after_hours=True,
                        slots={"num_locations": 5, "employees": 60, "company_name": "Mid Co"})
    done = sqlite_store.upsert("closed", channel="rest", slots={"num_locations": 30})
    sqlite_store.set_status(done.id, "closed")
    clock.now = at("2026-12-02T09:15:00-08:00")  # next morning: not in the digest
    sqlite_store.upsert("morning", channel="rest", slots={"num_locations": 2})
    return sqlite_store


def test_build_digest_selects_the_night_by_score(night: LeadStore, hours: BusinessHours) -> None:
    since, until = hours.after_hours_window(at("2026-12-02T09:30:00-08:00"))
    assert (since, until) == (at("2026-12-01T17:00:00-08:00"), at("2026-12-02T08:00:00-08:00"))
    digest = build_digest(night, since, until)
    assert [lead.sender_id for lead in digest.leads] == ["big", "mid", "small"]
    assert [lead.score for lead in digest.leads] == sorted(
        (lead.score for lead in digest.leads), reverse=True)


def test_a_day_lead_updated_at_night_is_included(night: LeadStore, clock: Clock) -> None:
    clock.now = at("2026-12-01T23:00:00-08:00")
    night.upsert("day", channel="rest", slots={"email": "late@day.co"})
    digest = build_digest(night, at("2026-12-01T17:00:00-08:00"),
                          at("2026-12-02T08:00:00-08:00"))
    assert "day" in [lead.sender_id for lead in digest.leads]


def test_run_digest_posts_to_slack(night: LeadStore, hours: BusinessHours,
                                   slack_stub: SlackStub) -> None:
    out = io.StringIO()
    notifiers = Notifiers((SlackNotifier(slack_settings(slack_stub.url), timeout=0.5),))
    assert run_digest(night, notifiers, hours, at("2026-12-02T09:30:00-08:00"), out) == 0
    assert out.getvalue() == (
        "Posted 3 after-hours leads to Slack channel #sales-leads (Tuesday, December 1 at "
        "5:00 PM Pacific to Wednesday, December 2 at 8:00 AM Pacific).\n")
    (message,) = slack_stub.messages
    body = str(message["blocks"])
    assert body.index("Acme Logistics") < body.index("Mid Co") < body.index("s@small.co")
    assert "2026-12-01T17:00-08:00 to 2026-12-02T08:00-08:00" in body


def test_run_digest_prints_when_slack_is_not_configured(night: LeadStore,
                                                        hours: BusinessHours) -> None:
    out = io.StringIO()
    notifiers = notifiers_from_settings(slack_settings(None, slack_bot_token=None))
    assert run_digest(night, notifiers, hours, at("2026-12-02T09:30:00-08:00"), out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("After-hours leads: 3 (from Tuesday, December 1 at 5:00 PM")
    assert lines[1].startswith("A ") and "Acme Logistics (Jane Doe)" in lines[1]
    assert "call back first thing" in lines[1] and "recommended: Lumen, Zayo" in lines[1]
    # Printed output may end up in cron mail: contact details are masked.
    text = out.getvalue()
    assert "jane.doe@acme.com" not in text and "j***@a***.com" in text
    assert "+15035550199" not in text and "+1******0199" in text
    assert lines[-1] == ("Slack is not configured (SLACK_BOT_TOKEN and SALES_SLACK_CHANNEL): "
                         "printed 3 leads, posted 0.")


def test_run_digest_reports_a_slack_failure(night: LeadStore, hours: BusinessHours,
                                            slack_stub: SlackStub) -> None:
    slack_stub.mode = "http500"
    out = io.StringIO()
    notifiers = Notifiers((SlackNotifier(slack_settings(slack_stub.url), timeout=0.5),))
    assert run_digest(night, notifiers, hours, at("2026-12-02T09:30:00-08:00"), out) == 1
    assert out.getvalue().splitlines()[-1].startswith("Slack did not accept the digest: "
                                                      "posted 0 of 3 leads")
    assert len(night.list_leads()) == 6


def test_empty_night(sqlite_store: LeadStore, hours: BusinessHours) -> None:
    out = io.StringIO()
    notifiers = notifiers_from_settings(slack_settings(None, slack_bot_token=None))
    assert run_digest(sqlite_store, notifiers, hours, at("2026-12-02T09:30:00-08:00"), out) == 0
    assert "No after-hours leads" in out.getvalue() and "nothing posted" in out.getvalue()


def test_format_digest_keeps_one_line_per_lead(night: LeadStore, clock: Clock) -> None:
    night.upsert("mid", channel="rest", slots={"company_name": "Line\nbreak Co"})
    digest = build_digest(night, at("2026-12-01T17:00:00-08:00"),
                          at("2026-12-02T08:00:00-08:00"))
    assert len(format_digest(digest).splitlines()) == 1 + len(digest.leads)


def test_cli_digest_while_closed_covers_tonight(
        night: LeadStore, sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
        slack_stub: SlackStub, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BOT_NOW", "2026-12-02T05:00:00-05:00")  # 2:00 AM Pacific
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SALES_SLACK_CHANNEL", "#night")
    monkeypatch.setenv("SLACK_API_URL", slack_stub.url)
    assert main(["leads", "digest"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Posted 3 after-hours leads to Slack channel #night")
    assert slack_stub.messages[0]["channel"] == "#night"


def test_cli_digest_explicit_window(night: LeadStore, sqlite_url: str,
                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    for name in ("SLACK_BOT_TOKEN", "SALES_SLACK_CHANNEL", "SLACK_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["leads", "digest", "--since", "2026-12-01T20:00:00-08:00",
                 "--until", "2026-12-01T22:00:00-08:00"]) == 0
    out = capsys.readouterr().out
    assert "printed 1 lead, posted 0" in out and "Acme Logistics" in out
    with pytest.raises(SystemExit):
        main(["leads", "digest", "--since", "2026-12-01T20:00:00"])  # no offset: refused
