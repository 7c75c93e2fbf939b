""""Email me the plan": a real SMTP server in this process (aiosmtpd) receives the plan, as
text and HTML, from the agency; without SMTP it waits in the outbox for an agent; a refusing
server is retried and the customer never sees an error."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import dependencies
from actions.handoff import ActionSubmitLead
from bot.base.settings import Settings
from bot.leads.store import LeadStore
from bot.notify.agency import load_agency
from bot.notify.base import Notifiers, notifiers_from_settings
from bot.notify.mail import EmailNotifier, SmtpServer
from bot.notify.worker import OutboxWorker
from bot.outbox.store import Outbox
from tests.actions.conftest import domain, env, fake_slack, texts, tracker  # noqa: F401
from tests.leads.conftest import FULL_SLOTS, RECOMMENDATION
from tests.outbox.conftest import MailSink, parts

PLAN_SLOTS = {**{k: v for k, v in FULL_SLOTS.items() if k != "handoff_reason"},
              "recommendation": {**RECOMMENDATION, "handoff": False, "handoff_reason": None}}


def use_email(monkeypatch: pytest.MonkeyPatch, smtp_url: str | None) -> None:
    settings = Settings(smtp_url=smtp_url)
    monkeypatch.setattr(dependencies, "notifiers", lambda: notifiers_from_settings(settings))


async def submit(domain: dict, slots: dict[str, Any]) -> str:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitLead().run(dispatcher, tracker(slots), domain)
    assert events == []
    return texts(dispatcher)


def test_smtp_urls() -> None:
    plain = SmtpServer.from_url("smtp://mailer:p%40ss@mail.example.com:587")
    assert (plain.host, plain.port, plain.implicit_tls, plain.username, plain.password) == (
        "mail.example.com", 587, False, "mailer", "p@ss")
    assert SmtpServer.from_url("smtps://mail.example.com").port == 465
    assert SmtpServer.from_url("smtp://relay").port == 25
    assert "p@ss" not in plain.describe() and "mailer" not in plain.describe()
    for bad in ("http://mail.example.com", "smtp://", "mail.example.com:25"):
        with pytest.raises(ValueError):
            SmtpServer.from_url(bad)
    assert not EmailNotifier(Settings(smtp_url="imap://x")).configured
    assert [n.name for n in notifiers_from_settings(Settings(smtp_url="smtp://x:25"))] == ["Email"]


async def test_the_plan_reaches_a_real_smtp_server_as_text_and_html(
        env: Any, domain: dict, smtp_server: tuple[MailSink, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    sink, url = smtp_server
    use_email(monkeypatch, url)
    said = await submit(domain, PLAN_SLOTS)
    assert "I've emailed the plan to jane.doe@acme.com" in said
    (message,) = sink.wait_for(1)
    agency = load_agency()
    assert message["To"] == "Jane Doe <jane.doe@acme.com>"
    assert message["From"] == agency.email_from
    assert agency.email in message["Reply-To"]
    assert message["Subject"] == f"Your carrier plan from {agency.name}"
    assert sink.envelopes[0].rcpt_tos == ["jane.doe@acme.com"]
    assert message.get_content_type() == "multipart/alternative"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    for part in body.values():
        for step in RECOMMENDATION["plan"]:
            assert step in part
        for carrier in ("Lumen", "Zayo"):
            assert carrier in part
        assert agency.name in part and agency.email in part and agency.phone in part
        assert "Jane Doe" in part and "Acme Logistics" in part
    assert "<li>Keep Lumen for MPLS</li>" in body["text/html"]
    assert "1. Keep Lumen for MPLS" in body["text/plain"]
    (item,) = Outbox(env["store"]).list_items()
    assert item.state == "sent" and item.kind == "plan" and item.attempts == 1
    # Asking again for the same plan sends nothing new.
    assert "I've emailed the plan" in await submit(domain, PLAN_SLOTS)
    assert len(sink.messages) == 1


async def test_customer_text_is_escaped_in_the_html_part(
        env: Any, domain: dict, smtp_server: tuple[MailSink, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    sink, url = smtp_server
    use_email(monkeypatch, url)
    await submit(domain, {**PLAN_SLOTS, "company_name": "<script>alert(1)</script> & Co",
                          "contact_name": "Bob\r\nBcc: victim@example.com"})
    (message,) = sink.wait_for(1)
    html = parts(message)["text/html"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert message["Bcc"] is None and sink.envelopes[0].rcpt_tos == ["jane.doe@acme.com"]


async def test_a_refusing_server_is_retried_and_the_customer_sees_no_error(
        env: Any, domain: dict, smtp_server: tuple[MailSink, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    sink, url = smtp_server
    use_email(monkeypatch, url)
    sink.reject_with = "451 4.3.0 Mailbox temporarily unavailable"
    said = await submit(domain, PLAN_SLOTS)
    assert "The plan is on its way to jane.doe@acme.com" in said
    assert "error" not in said.lower() and "451" not in said
    outbox = Outbox(env["store"])
    (item,) = outbox.list_items()
    assert item.state == "retrying" and item.attempts == 1
    assert item.last_error == "SMTP 451: 4.3.0 Mailbox temporarily unavailable"
    sink.reject_with = None
    outbox.retry_now(item.id)  # what the back-off does a few seconds later
    worker = OutboxWorker(lambda: dependencies.outbox_delivery())
    assert worker.run_pass() == 1
    (message,) = sink.wait_for(1)
    assert "Keep Lumen for MPLS" in parts(message)["text/plain"]
    assert outbox.get(item.id).state == "sent"  # type: ignore[union-attr]
    assert sink.refused == 1


async def test_without_smtp_the_email_waits_for_an_agent(
        env: Any, domain: dict, monkeypatch: pytest.MonkeyPatch,
        smtp_server: tuple[MailSink, str]) -> None:
    use_email(monkeypatch, None)
    said = await submit(domain, PLAN_SLOTS)
    assert "An agent will email the plan to jane.doe@acme.com" in said
    outbox = Outbox(env["store"])
    (item,) = outbox.list_items()
    assert (item.state, item.state_label, item.destination) == ("held", "to send", "Email")
    assert item.payload["recipient"] == "jane.doe@acme.com"
    # Once SMTP is set up, the delivery worker sends what waited.
    sink, url = smtp_server
    use_email(monkeypatch, url)
    assert OutboxWorker(lambda: dependencies.outbox_delivery()).run_pass() == 1
    assert len(sink.wait_for(1)) == 1 and outbox.get(item.id).state == "sent"  # type: ignore


async def test_no_plan_yet_means_no_email_and_no_promise(
        env: Any, domain: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    use_email(monkeypatch, "smtp://127.0.0.1:9")
    contact = {k: PLAN_SLOTS[k] for k in ("contact_name", "company_name", "email", "phone")}
    said = await submit(domain, contact)  # nothing told to plan with
    assert "I don't have a plan to send yet" in said and "email" not in said.lower()
    assert Outbox(env["store"]).list_items() == []


async def test_the_plan_asked_for_before_it_is_ready_goes_back_to_the_questions(
        env: Any, domain: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    use_email(monkeypatch, "smtp://127.0.0.1:9")
    dispatcher = CollectingDispatcher()
    slots = {k: v for k, v in PLAN_SLOTS.items() if k != "recommendation"}
    events = await ActionSubmitLead().run(dispatcher, tracker(slots), domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "needs_form"}]
    assert "A few more answers" in texts(dispatcher) and slots["email"] in texts(dispatcher)
    assert Outbox(env["store"]).list_items() == []  # nothing sent before there is a plan


def test_the_digest_notifiers_are_unchanged_by_email(sqlite_store: LeadStore) -> None:
    registry = notifiers_from_settings(Settings(smtp_url="smtp://relay:25"))
    assert registry.for_kind("digest") == () and registry.for_kind("handoff") == ()
    assert [n.name for n in registry.for_kind("plan")] == ["Email"]
    assert isinstance(Notifiers(), Notifiers)
