"""CRM pushes through the outbox: HubSpot (the official client against a stand-in speaking
HubSpot's formats) and the signed lead webhook (a receiver that verifies the signature).

Done when: a conversation that ends with contact details makes exactly one contact, one deal
(and one note) in HubSpot and exactly one verified webhook delivery, also when a push is
retried after a failure."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.leads.store import LeadStore
from bot.notify.base import Notifiers, notifiers_from_settings
from bot.notify.crm_hubspot import HubSpotConfig, HubSpotNotifier
from bot.notify.crm_webhook import WebhookConfig, WebhookNotifier, sign, verify_signature
from bot.notify.delivery import OutboxDelivery
from bot.base.settings import Settings
from bot.outbox.retry import RetryPolicy
from bot.outbox.store import Outbox
from tests.outbox.hubspot_standin import TOKEN, HubSpotStandIn
from tests.outbox.webhook_receiver import SECRET, WebhookReceiver

START = datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc)
PLAN = {"carriers": [{"name": "Zayo", "kind": "CLEC", "role": "pilot", "services": ["pri"],
                      "states": ["OR"], "guidelines": ["R2"]}],
        "guidelines": ["R2"], "plan": ["Pilot two PRIs on Zayo <first>."], "handoff": False,
        "handoff_reason": None}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def hubspot() -> Iterator[HubSpotStandIn]:
    standin = HubSpotStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    standin = WebhookReceiver().start()
    yield standin
    standin.stop()


@pytest.fixture
def world(tmp_path: Path, hubspot: HubSpotStandIn, receiver: WebhookReceiver) -> Any:
    store = LeadStore(f"sqlite:///{tmp_path / 'leads.db'}", spool_path=tmp_path / "leads.spool")
    store.migrate()
    clock = Clock()
    outbox = Outbox(store, policy=RetryPolicy(max_attempts=5, base_s=10.0, cap_s=60.0,
                                              random=lambda: 0.999),
                    clock=clock, spool_path=tmp_path / "outbox.spool", worker_id="w")
    notifiers = Notifiers((
        HubSpotNotifier(HubSpotConfig(token=TOKEN, pipeline="sales", deal_stage="qualified",
                                      api_url=hubspot.url, timeout_s=5)),
        WebhookNotifier(WebhookConfig(url=receiver.url, secret=SECRET)),
    ))
    store.upsert("conv-1", channel="socketio", slots={
        "contact_name": "Jane Doe", "company_name": "Acme Dental", "email": "jane@acme.example",
        "phone": "+15035550123", "states": ["OR"], "services": ["pri"]},
        recommendation=PLAN, status="handoff",
        transcript=[{"role": "user", "text": "We need PRIs <b>now</b>"},
                    {"role": "bot", "text": "Here is the plan."}])

    class World:
        pass

    w = World()
    w.store, w.clock, w.outbox = store, clock, outbox
    w.delivery = OutboxDelivery(outbox, store, notifiers)
    yield w
    store.close()


def _retry_all(w: Any, rounds: int = 4) -> None:
    for _ in range(rounds):
        w.delivery.deliver_due()
        w.clock.now += timedelta(minutes=5)


def _assert_one_of_each(hubspot: HubSpotStandIn, receiver: WebhookReceiver) -> None:
    contacts, deals, notes = hubspot.all("contacts"), hubspot.all("deals"), hubspot.all("notes")
    assert len(contacts) == 1 and len(deals) == 1 and len(notes) == 1
    contact, deal, note = contacts[0], deals[0], notes[0]
    assert contact["properties"]["email"] == "jane@acme.example"
    assert contact["properties"]["firstname"] == "Jane" and contact["properties"]["company"] == "Acme Dental"
    assert deal["properties"]["pipeline"] == "sales" and deal["properties"]["dealstage"] == "qualified"
    assert deal["properties"]["dealname"].startswith("Acme Dental: telecom (Carrier Advisor #")
    assert hubspot.associated("deals", deal["id"], "contacts") == [contact["id"]]
    assert sorted(hubspot.associated("notes", note["id"], "contacts") +
                  hubspot.associated("notes", note["id"], "deals")) == sorted([contact["id"], deal["id"]])
    body = note["properties"]["hs_note_body"]
    assert "Pilot two PRIs on Zayo &lt;first&gt;." in body  # the plan, escaped
    assert "We need PRIs &lt;b&gt;now&lt;/b&gt;" in body  # the transcript, escaped
    assert len(receiver.accepted) == 1
    [payload] = receiver.accepted.values()
    assert payload["event"] == "handoff" and payload["lead"]["email"] == "jane@acme.example"
    assert payload["lead"]["plan"] == PLAN["plan"]


def test_a_push_makes_one_contact_deal_note_and_delivery(world: Any, hubspot: HubSpotStandIn,
                                                         receiver: WebhookReceiver) -> None:
    queued = world.delivery.queue_for_conversation("handoff", "conv-1")
    assert sorted(q.message.destination for q in queued) == ["HubSpot", "Webhook"]
    results = world.delivery.deliver_due()
    assert [r.sent for r in results] == [True, True]
    _assert_one_of_each(hubspot, receiver)
    assert all(a["verified"] for a in receiver.attempts)


def test_retried_after_failures_still_one_of_each(world: Any, hubspot: HubSpotStandIn,
                                                  receiver: WebhookReceiver) -> None:
    # HubSpot made the deal but the client saw a 500; then the note fails outright once.
    hubspot.fail_after[("POST", "/crm/v3/objects/deals")] = 1
    hubspot.fail_next[("POST", "/crm/v3/objects/notes")] = 1
    receiver.fail_next = 1
    world.delivery.queue_for_conversation("handoff", "conv-1")
    first = world.delivery.deliver_due()
    assert [r.sent for r in first] == [False, False]
    assert {r.item.state for r in first} == {"retrying"}
    _retry_all(world)
    items = world.outbox.list_items(sender_id="conv-1")
    assert {(i.destination, i.state) for i in items} == {("HubSpot", "sent"), ("Webhook", "sent")}, \
        [(i.destination, i.attempts, i.last_error, i.next_attempt_at) for i in items]
    assert {i.destination: i.attempts for i in items} == {"HubSpot": 3, "Webhook": 2}
    _assert_one_of_each(hubspot, receiver)
    assert len(receiver.attempts) == 2 and all(a["verified"] for a in receiver.attempts)
    assert len({a["delivery"] for a in receiver.attempts}) == 1  # the same id on the retry

    # Queued again (the customer asked twice): the outbox keeps one row per key.
    world.delivery.queue_for_conversation("handoff", "conv-1")
    _retry_all(world, 1)
    _assert_one_of_each(hubspot, receiver)


def test_a_later_push_of_the_same_lead_updates_instead_of_duplicating(
        world: Any, hubspot: HubSpotStandIn, receiver: WebhookReceiver) -> None:
    world.delivery.queue_for_conversation("handoff", "conv-1")
    world.delivery.deliver_due()
    world.store.upsert("conv-1", channel="socketio", slots={"phone": "+15035550199"})
    notifier = world.delivery._by_name["HubSpot"]
    lead = world.store.get("conv-1")
    contact_id, deal_id, _ = notifier.push(lead)
    assert len(hubspot.all("contacts")) == 1 and len(hubspot.all("deals")) == 1
    assert hubspot.objects["contacts"][contact_id]["properties"]["phone"] == "+15035550199"
    assert deal_id == hubspot.all("deals")[0]["id"]


def test_an_existing_contact_is_matched_on_email(world: Any, hubspot: HubSpotStandIn) -> None:
    hubspot._create("contacts", {"properties": {"email": "JANE@acme.example", "firstname": "J"}})
    world.delivery.queue_for_conversation("callback", "conv-1")
    world.delivery.deliver_due()
    [contact] = hubspot.all("contacts")
    assert contact["properties"]["firstname"] == "Jane"
    assert len(hubspot.all("deals")) == 1


def test_a_wrong_token_is_a_visible_failure(world: Any, hubspot: HubSpotStandIn) -> None:
    bad = HubSpotNotifier(HubSpotConfig(token="wrong", api_url=hubspot.url))
    delivery = OutboxDelivery(world.outbox, world.store, Notifiers((bad,)))
    delivery.queue_for_conversation("handoff", "conv-1")
    [result] = delivery.deliver_due()
    assert not result.sent and result.error.startswith("HubSpot: HTTP 401")
    assert "jane" not in result.error.lower()
    assert hubspot.all("contacts") == []


def test_signature_scheme() -> None:
    body = json.dumps({"a": 1}).encode()
    header = sign(SECRET, body, 1_800_000_000)
    assert verify_signature(SECRET, body, header, now=1_800_000_010)
    assert not verify_signature(SECRET, body + b" ", header, now=1_800_000_010)  # tampered
    assert not verify_signature("another-secret-0123456789", body, header, now=1_800_000_010)
    assert not verify_signature(SECRET, body, header, now=1_800_000_000 + 301)  # replayed late
    assert not verify_signature(SECRET, body, None) and not verify_signature(SECRET, body, "v1=x")


def test_crm_pushes_are_off_by_default_and_on_with_their_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUBSPOT_TOKEN", "LEAD_WEBHOOK_URL", "LEAD_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    names = {n.name for n in notifiers_from_settings(Settings())}
    assert "HubSpot" not in names and "Webhook" not in names
    monkeypatch.setenv("HUBSPOT_TOKEN", TOKEN)
    monkeypatch.setenv("LEAD_WEBHOOK_URL", "https://crm.example/hooks/leads")
    monkeypatch.setenv("LEAD_WEBHOOK_SECRET", "short")  # too short: stays off
    names = {n.name for n in notifiers_from_settings(Settings())}
    assert "HubSpot" in names and "Webhook" not in names
    monkeypatch.setenv("LEAD_WEBHOOK_SECRET", SECRET)
    assert "Webhook" in {n.name for n in notifiers_from_settings(Settings())}
