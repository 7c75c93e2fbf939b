"""The dashboard an agent reads all day: office-time stamps ("Tue Dec 1, 10:31 PM"), a paginated
list searchable by company, contact, e-mail and phone, and who asked for a person."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Dict
from urllib.parse import urlencode

import pytest

from tests.web.conftest import Browserish, WebServer, lead_ids_in, login, seed_store

USER = "agent"
PASSWORD = "correct horse battery staple"
START = datetime(2026, 11, 2, 6, 31, 12, 123456, tzinfo=timezone.utc)  # Sun Nov 1, 10:31 PM Pacific


@pytest.fixture(scope="module")
def seeded(module_server_factory) -> Dict[str, object]:
    web = module_server_factory(DASHBOARD_USER=USER, DASHBOARD_PASSWORD=PASSWORD,
                                BOT_NOW="2026-11-20T12:00:00-08:00")
    url = web.env["DATABASE_URL"]
    ids: Dict[str, int] = {}
    for n in range(57):  # 50 on the first page, 7 on the second
        store = seed_store(url, START + timedelta(hours=n))
        lead = store.upsert(f"bulk-{n}", channel="rest", slots={
            "company_name": f"Bulk Co {n}", "contact_name": f"Person {n}",
            "email": f"person{n}@bulk.example", "phone": f"+1503555{n:04d}"})
        ids[f"bulk-{n}"] = lead.id
    store = seed_store(url, START)
    ids["acme"] = store.upsert("acme", channel="socketio", slots={
        "company_name": "Acme Dental", "contact_name": "Jane Doe", "email": "jane@acme.example",
        "phone": "+15035550123", "handoff_reason": "user_request"}, status="handoff",
        transcript=[{"role": "user", "text": "I want a person",
                     "at": "2026-11-02T06:31:12.123456+00:00"}]).id
    ids["complex"] = store.upsert("complex", channel="rest", slots={
        "company_name": "Wide WAN LLC", "handoff_reason": "complex_needs"}, status="handoff").id
    ids["plain"] = store.upsert("plain", channel="rest", slots={"company_name": "Just Looking"}).id
    from bot.outbox.store import NewMessage, Outbox

    outbox = Outbox(store)
    pushed = outbox.enqueue(NewMessage("handoff:HubSpot:acme", "HubSpot:acme", "HubSpot", "handoff",
                                       {"sender_id": "acme"}, sender_id="acme")).item
    outbox.mark_failed(pushed, "HubSpot: HTTP 503 on lead #58")
    client = Browserish(web.url)
    login(client, USER, PASSWORD)
    return {"web": web, "ids": ids, "client": client}


def test_times_are_office_times_people_read(seeded) -> None:
    client: Browserish = seeded["client"]  # type: ignore[assignment]
    page = client.get(f"/dashboard/leads/{seeded['ids']['acme']}").text
    assert "Sun Nov 1, 10:31 PM" in page
    assert "06:31:12.123456" not in page.replace('datetime="2026-11-02T06:31:12.123456+00:00"', "")
    listing = client.get("/dashboard?q=acme").text
    assert "Sun Nov 1, 10:31 PM" in listing


@pytest.mark.parametrize("query,expected", [
    ("acme", "acme"), ("ACME dent", "acme"), ("jane doe", "acme"), ("jane@acme", "acme"),
    ("503-555-0123", "acme"), ("(503) 555 0123", "acme"), ("Wide WAN", "complex")])
def test_search_by_company_contact_email_and_phone(seeded, query: str, expected: str) -> None:
    client: Browserish = seeded["client"]  # type: ignore[assignment]
    found = lead_ids_in(client.get("/dashboard?" + urlencode({"q": query})).text)
    assert found == {seeded["ids"][expected]}  # type: ignore[index]


def test_search_wildcards_are_literal(seeded) -> None:
    client: Browserish = seeded["client"]  # type: ignore[assignment]
    assert lead_ids_in(client.get("/dashboard?q=%25").text) == set()
    assert lead_ids_in(client.get("/dashboard?q=_").text) == set()


def test_the_list_is_paginated(seeded) -> None:
    client: Browserish = seeded["client"]  # type: ignore[assignment]
    first = client.get("/dashboard").text
    second = client.get("/dashboard?page=2").text
    assert "60 leads" in first and "page 1 of 2" in first and 'rel="next"' in first
    assert len(lead_ids_in(first)) == 50 and len(lead_ids_in(second)) == 10
    assert lead_ids_in(first).isdisjoint(lead_ids_in(second))
    assert "page 2 of 2" in second and 'rel="prev"' in second
    # the search and the filters stay on the page links; a page past the end shows the last
    bulk = client.get("/dashboard?q=bulk&page=2").text
    assert re.search(r'href="/dashboard\?q=bulk&amp;page=1"', bulk)
    assert len(lead_ids_in(client.get("/dashboard?q=bulk&page=99").text)) == 7


@pytest.mark.parametrize("lead,text", [
    ("acme", "The customer asked to talk to a person."),
    ("complex", "The guidance asked for a person"),
    ("plain", "Nobody has asked for a person yet."),
])
def test_the_lead_page_says_who_asked_for_a_person(seeded, lead: str, text: str) -> None:
    client: Browserish = seeded["client"]  # type: ignore[assignment]
    page = client.get(f"/dashboard/leads/{seeded['ids'][lead]}").text  # type: ignore[index]
    note = re.search(r'<p class="handoff-note[^"]*" id="handoff-note">(.*?)</p>', page, re.S).group(1)
    assert text in note
    assert "Handoff: no" not in page


def test_the_lead_page_shows_what_was_sent_about_it(seeded) -> None:
    client: Browserish = seeded["client"]  # type: ignore[assignment]
    page = client.get(f"/dashboard/leads/{seeded['ids']['acme']}").text  # type: ignore[index]
    table = re.search(r'<table class="deliveries" id="deliveries">(.*?)</table>', page, re.S).group(1)
    assert "HubSpot" in table and "failed, retrying" in table and "HTTP 503" in table
    plain = client.get(f"/dashboard/leads/{seeded['ids']['plain']}").text  # type: ignore[index]
    assert "Nothing sent about this lead yet." in plain
