"""The dashboard's outbox page over real HTTP against `python -m bot.web`: every message with
its state, attempts and last error; retry, mark sent by hand, read a plan email to send."""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from bot.outbox.retry import RetryPolicy
from bot.outbox.store import NewMessage, Outbox
from tests.web.conftest import Browserish, WebServer, csrf_from, login, seed_store

USER = "sales"
PASSWORD = "correct horse battery staple"
RECOMMENDATION = {
    "carriers": [{"name": "Zayo", "kind": "CLEC", "role": "pilot", "services": ["pri"],
                  "states": ["OR"], "guidelines": ["R2"]}],
    "guidelines": ["R2"],
    "plan": ["Start with a pilot of two PRIs on Zayo."],
    "handoff": False,
    "handoff_reason": None,
}


def message(key: str, sender: str, destination: str, kind: str, **extra: Any) -> NewMessage:
    return NewMessage(idempotency_key=key, ordering_key=f"{destination}:{sender}",
                      destination=destination, kind=kind, sender_id=sender,
                      payload={"sender_id": sender, **extra.pop("payload", {})}, **extra)


@pytest.fixture
def outbox_page(web_server_factory: Any) -> Iterator[Dict[str, Any]]:
    from datetime import datetime, timezone

    web: WebServer = web_server_factory(DASHBOARD_USER=USER, DASHBOARD_PASSWORD=PASSWORD)
    store = seed_store(web.env["DATABASE_URL"], datetime(2026, 11, 20, tzinfo=timezone.utc))
    lead = store.upsert("conv-plan", channel="rest", recommendation=RECOMMENDATION, slots={
        "company_name": "<b>Plan</b> Co", "contact_name": "Pat", "email": "pat@plan.example"})
    store.upsert("conv-slack", channel="rest", slots={"company_name": "Slack Co"},
                 status="handoff")
    outbox = Outbox(store, policy=RetryPolicy(max_attempts=2))
    held = outbox.enqueue(message("plan:Email:conv-plan", "conv-plan", "Email", "plan",
                                  held=True, payload={"recipient": "pat@plan.example"})).item
    failing = outbox.enqueue(message("handoff:Slack:conv-slack", "conv-slack", "Slack",
                                     "handoff")).item
    (claimed,) = outbox.claim_due(["Slack"])
    outbox.mark_failed(claimed, "HTTP 500, <internal_error>")
    yield {"web": web, "store": store, "outbox": outbox, "lead": lead,
           "ids": {"held": held.id, "failing": failing.id}}
    store.close()


def test_the_outbox_needs_a_login(outbox_page: Dict[str, Any]) -> None:
    client = Browserish(outbox_page["web"].url)
    resp = client.get("/dashboard/outbox")
    assert resp.status == 303 and resp.headers["location"].startswith("/dashboard/login")
    held = outbox_page["ids"]["held"]
    assert client.post(f"/dashboard/outbox/{held}/sent", {"csrf_token": "x"}).status == 401
    assert client.get(f"/dashboard/outbox/{held}/email").status == 303
    assert outbox_page["outbox"].get(held).state == "held"


def test_states_attempts_and_errors_are_shown(outbox_page: Dict[str, Any]) -> None:
    client = Browserish(outbox_page["web"].url)
    assert login(client, USER, PASSWORD).status == 303
    assert 'href="/dashboard/outbox"' in client.get("/dashboard").text
    page = client.get("/dashboard/outbox").text
    assert "to send (1)" in page and "failed, retrying (1)" in page
    assert "pat@plan.example" in page and "view email" in page
    assert "HTTP 500, &lt;internal_error&gt;" in page  # escaped
    assert "1 / 2" in page  # attempts of the Slack post
    assert f'href="/dashboard/leads/{outbox_page["lead"].id}"' in page
    assert "&lt;b&gt;Plan&lt;/b&gt; Co" in page
    only_held = client.get("/dashboard/outbox?state=held").text
    assert "pat@plan.example" in only_held and "internal_error" not in only_held


def test_retry_mark_sent_and_read_the_email(outbox_page: Dict[str, Any]) -> None:
    client = Browserish(outbox_page["web"].url)
    login(client, USER, PASSWORD)
    outbox, ids = outbox_page["outbox"], outbox_page["ids"]
    page = client.get("/dashboard/outbox").text
    token = csrf_from(page)
    assert client.post(f"/dashboard/outbox/{ids['failing']}/retry", {}).status == 403  # no CSRF
    resp = client.post(f"/dashboard/outbox/{ids['failing']}/retry", {"csrf_token": token})
    assert resp.status == 303 and resp.headers["location"] == "/dashboard/outbox?msg=retried"
    retried = outbox.get(ids["failing"])
    assert retried.state == "queued" and retried.attempts == 0

    email = client.get(f"/dashboard/outbox/{ids['held']}/email")
    assert email.status == 200
    assert "Your carrier plan from" in email.text and "pat@plan.example" in email.text
    assert "Start with a pilot of two PRIs on Zayo." in email.text
    assert "<b>Plan</b>" not in email.text  # the lead's words are escaped, also in srcdoc
    assert client.get(f"/dashboard/outbox/{ids['failing']}/email").status == 404

    resp = client.post(f"/dashboard/outbox/{ids['held']}/sent", {"csrf_token": token})
    assert resp.headers["location"] == "/dashboard/outbox?msg=marked-sent"
    sent = outbox.get(ids["held"])
    assert sent.state == "sent" and sent.sent_by == f"{USER} (by hand)"
    assert "Marked as sent." in client.get("/dashboard/outbox?msg=marked-sent").text
    again = client.post(f"/dashboard/outbox/{ids['held']}/sent", {"csrf_token": token})
    assert again.headers["location"] == "/dashboard/outbox?msg=unchanged"
