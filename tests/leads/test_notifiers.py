"""The notifier interface and its registry, with a fake notifier; Slack behind the interface."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from bot.domain.hours import DEFAULT_HOURS_PATH, BusinessHours
from bot.leads.models import Lead
from bot.leads.store import LeadStore
from bot.notify.base import LeadEvent, Notifier, Notifiers, notifiers_from_settings
from bot.notify.digest import run_digest
from bot.notify.slack import SlackNotifier
from tests.leads.conftest import FULL_SLOTS, Clock, SlackStub, slack_settings


class FakeNotifier:
    """Records what it is sent; says no on request."""

    def __init__(self, name: str = "Fake", kinds: frozenset[str] = frozenset(
            {"handoff", "callback", "digest"}), accept: bool = True) -> None:
        self.name = name
        self.destination = f"the {name} inbox"
        self.kinds = kinds
        self.accept = accept
        self.events: list[LeadEvent] = []

    def notify(self, event: LeadEvent) -> bool:
        self.events.append(event)
        return self.accept


class BrokenNotifier(FakeNotifier):
    def notify(self, event: LeadEvent) -> bool:
        raise RuntimeError("mailbox jane.doe@acme.com rejected")


@pytest.fixture
def lead(sqlite_store: LeadStore) -> Lead:
    return sqlite_store.upsert("n1", channel="rest", slots=FULL_SLOTS, status="handoff")


def test_fakes_and_slack_are_notifiers() -> None:
    assert isinstance(FakeNotifier(), Notifier)
    assert isinstance(SlackNotifier(slack_settings(None)), Notifier)
    assert SlackNotifier(slack_settings(None)).destination == "Slack channel #sales-leads"


def test_the_registry_sends_each_notifier_the_kinds_it_takes(lead: Lead) -> None:
    everything = FakeNotifier("Everything")
    digests = FakeNotifier("Digests", kinds=frozenset({"digest"}))
    registry = Notifiers((everything, digests))
    assert registry.notify(LeadEvent("handoff", (lead,))) == {"Everything": True}
    assert registry.notify(LeadEvent("callback", (lead,))) == {"Everything": True}
    window = (datetime.fromisoformat("2026-12-01T17:00:00-08:00"),
              datetime.fromisoformat("2026-12-02T08:00:00-08:00"))
    assert registry.notify(LeadEvent.digest([lead], *window)) == {"Everything": True,
                                                                  "Digests": True}
    assert [e.kind for e in everything.events] == ["handoff", "callback", "digest"]
    assert digests.events == [LeadEvent("digest", (lead,), *window)]


def test_a_failing_notifier_does_not_stop_the_others(lead: Lead,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    after = FakeNotifier("After")
    registry = Notifiers((BrokenNotifier("Broken"), FakeNotifier("No", accept=False), after))
    assert registry.notify(LeadEvent("handoff", (lead,))) == {"Broken": False, "No": False,
                                                              "After": True}
    assert len(after.events) == 1
    assert "Broken notifier failed" in caplog.text and "jane.doe@acme.com" not in caplog.text


def test_slack_is_registered_only_when_configured() -> None:
    configured = notifiers_from_settings(slack_settings("http://127.0.0.1:9/api/"))
    assert [n.name for n in configured] == ["Slack"] and configured.not_configured == ()
    for missing in ({"slack_bot_token": None}, {"sales_slack_channel": None}):
        registry = notifiers_from_settings(slack_settings(None, **missing))
        assert len(registry) == 0
        assert registry.not_configured == (
            "Slack is not configured (SLACK_BOT_TOKEN and SALES_SLACK_CHANNEL)",)
    fake = FakeNotifier()
    assert list(notifiers_from_settings(slack_settings(None, slack_bot_token=None),
                                        extra=[fake])) == [fake]


def test_slack_posts_handoffs_and_the_digest_not_night_callbacks(
        notifier: SlackNotifier, slack_stub: SlackStub, lead: Lead) -> None:
    assert notifier.kinds == frozenset({"handoff", "digest"})
    registry = Notifiers((notifier,))
    assert registry.notify(LeadEvent("callback", (lead,))) == {}  # the morning digest has it
    assert registry.notify(LeadEvent("handoff", (lead,))) == {"Slack": True}
    (message,) = slack_stub.messages
    assert message["text"].startswith("Handoff: lead #")


def test_digest_through_a_fake_notifier(sqlite_store: LeadStore, clock: Clock) -> None:
    clock.now = datetime.fromisoformat("2026-12-01T21:00:00-08:00")
    sqlite_store.upsert("night", channel="rest", slots=FULL_SLOTS, status="callback",
                        after_hours=True)
    fake, refusing = FakeNotifier(), FakeNotifier("Refusing", accept=False)
    hours = BusinessHours.load(DEFAULT_HOURS_PATH)
    now = datetime.fromisoformat("2026-12-02T09:30:00-08:00")

    out = io.StringIO()
    assert run_digest(sqlite_store, Notifiers((fake,)), hours, now, out) == 0
    (event,) = fake.events
    assert event.kind == "digest" and [lead.sender_id for lead in event.leads] == ["night"]
    assert event.since is not None and event.until is not None
    assert out.getvalue().startswith("Posted 1 after-hours lead to the Fake inbox (")

    out = io.StringIO()
    assert run_digest(sqlite_store, Notifiers((fake, refusing)), hours, now, out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Posted 1 after-hours lead to the Fake inbox")
    assert lines[-1].startswith("Refusing did not accept the digest: posted 0 of 1 leads")
