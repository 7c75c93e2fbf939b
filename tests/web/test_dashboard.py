"""The leads dashboard over real HTTP against `python -m bot.web`, leads seeded via the store."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import time
from datetime import datetime, timezone
from typing import Any, Dict, Iterator

import jwt
import pytest

from bot.domain.canonical import GRADES
from bot.rasa_adapters.http_api import jwt_secret_for
from tests.web.conftest import (
    Browserish,
    FakeRasa,
    WebServer,
    csrf_from,
    lead_ids_in,
    login,
    seed_store,
    split_set_cookie,
)

USER = "sales"
PASSWORD = "correct horse battery staple"
API_TOKEN = "dash-test-token"
XSS = "<script>alert('pwned')</script>"

RECOMMENDATION = {
    "carriers": [
        {"name": "Zayo", "kind": "CLEC", "role": "pilot", "services": ["pri"], "states": ["OR"],
         "guidelines": ["R2", "S1"]},
        {"name": "Lumen", "kind": "ILEC", "role": "primary", "services": ["sip"], "states": ["OR", "WA"],
         "guidelines": ["L3"]},
    ],
    "guidelines": ["R1", "R2", "S1", "P1"],
    "plan": ["Start with a pilot of two PRIs on Zayo.", "Keep Lumen as the primary for SIP."],
    "handoff": False,
    "handoff_reason": None,
}


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def dashboard_server(module_server_factory, module_fake_rasa: FakeRasa) -> WebServer:
    """A web app with a login, the Rasa API token and a fake Rasa (shared by this module)."""
    return module_server_factory(
        DASHBOARD_USER=USER,
        DASHBOARD_PASSWORD=PASSWORD,
        BOT_API_TOKEN=API_TOKEN,
        RASA_PORT=str(module_fake_rasa.port),
        BOT_NOW="2026-11-20T12:00:00-08:00",
    )


@pytest.fixture
def dashboard(dashboard_server: WebServer, module_fake_rasa: FakeRasa) -> Iterator[Dict[str, Any]]:
    """The shared web app with four freshly seeded leads (the table is emptied first)."""
    web = dashboard_server
    database = web.env["DATABASE_URL"].split("///", 1)[1]
    store = seed_store(web.env["DATABASE_URL"], at(20))
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM leads")
    module_fake_rasa.requests.clear()
    big = store.upsert(
        "conv-big",
        channel="socketio",
        slots={
            "states": ["OR", "WA"], "city": "Portland", "zip_code": "97201", "num_locations": 12,
            "employees": 450, "services": ["pri", "sip", "dia", "mpls"], "challenges": ["high_cost"],
            "current_carrier": "Lumen", "contract_end": "2027-01", "contact_name": "<b>Bob</b> Smith",
            "company_name": XSS + " & Sons", "email": "bob@example.com", "phone": "+15035550123",
        },
        recommendation=RECOMMENDATION,
        transcript=[
            {"role": "user", "text": "We have 12 offices <img src=x onerror=alert(1)>"},
            {"role": "bot", "text": "Thanks! How many employees?"},
        ],
        at=at(2),
    )
    small = store.upsert("conv-small", channel="rest", slots={"states": ["OR"]}, status="callback",
                         after_hours=True, at=at(10))
    paused = store.upsert("conv-paused", channel="socketio", slots={"company_name": "Paused Inc",
                          "handoff_reason": "user_request"}, status="handoff", at=at(15))
    store.set_paused("conv-paused", True)
    closed = store.upsert("conv-closed", channel="slack", slots={"company_name": "Closed LLC",
                          "num_locations": 2, "services": ["broadband"]}, at=at(18))
    store.set_status(closed.id, "closed")
    yield {"web": web, "store": store, "fake": module_fake_rasa,
           "ids": {"big": big.id, "small": small.id, "paused": paused.id, "closed": closed.id}}
    store.close()


def logged_in(web) -> Browserish:
    client = Browserish(web.url)
    resp = login(client, USER, PASSWORD)
    assert resp.status == 303 and resp.headers["location"] == "/dashboard", resp.text
    return client


# ------------------------------------------------------------------ refusing the unauthenticated


def test_every_route_refuses_anonymous_requests(dashboard) -> None:
    web, store, ids = dashboard["web"], dashboard["store"], dashboard["ids"]
    client = Browserish(web.url)
    for path in ("/dashboard", "/dashboard/", f"/dashboard/leads/{ids['big']}", "/dashboard?grade=A"):
        resp = client.get(path)
        assert resp.status == 303, path
        assert resp.headers["location"].startswith("/dashboard/login?next=/dashboard"), path
        assert "Portland" not in resp.text and "conv-big" not in resp.text
    csv_resp = client.get("/dashboard/leads.csv")
    assert csv_resp.status == 401 and "conv-big" not in csv_resp.text
    # Posts (even with a token scraped from some page) are refused and change nothing.
    for path, form in (
        (f"/dashboard/leads/{ids['big']}/status", {"status": "closed", "csrf_token": "x"}),
        (f"/dashboard/leads/{ids['paused']}/resume", {"csrf_token": "x"}),
        ("/dashboard/logout", {"csrf_token": "x"}),
    ):
        assert client.post(path, form).status == 401, path
    assert store.get_by_id(ids["big"]).status == "new"
    assert store.get("conv-paused").paused is True
    assert dashboard["fake"].requests == []


def test_forged_or_tampered_session_cookie_is_refused(dashboard) -> None:
    web = dashboard["web"]
    client = logged_in(web)
    token = client.cookie("ca_dashboard")
    body, sig = token.split(".")
    for forged in ("garbage", f"{body}.{'A' * len(sig)}", f"{body[:-2]}xx.{sig}", ""):
        other = Browserish(web.url)
        resp = other.get("/dashboard", headers={"Cookie": f"ca_dashboard={forged}"})
        assert resp.status == 303, forged


def test_login_page_and_wrong_password(dashboard) -> None:
    web = dashboard["web"]
    client = Browserish(web.url)
    page = client.get("/dashboard/login")
    assert page.status == 200 and 'name="csrf_token"' in page.text
    assert page.headers["cache-control"] == "no-store"
    wrong = login(client, USER, "guess")
    assert wrong.status == 401
    assert "Wrong user name or password" in wrong.text
    assert wrong.elapsed >= 0.45, "a failed login is slowed down"
    assert not any(c.startswith("ca_dashboard=") and "Max-Age=0" not in c for c in wrong.set_cookies)
    assert client.get("/dashboard").status == 303
    wrong_user = login(client, "admin", PASSWORD)
    assert wrong_user.status == 401
    assert wrong_user.elapsed >= 0.9, "each further failure waits longer"
    assert client.get("/dashboard").status == 303


def test_login_without_csrf_token_is_refused(dashboard) -> None:
    web = dashboard["web"]
    client = Browserish(web.url)
    client.get("/dashboard/login")  # has the CSRF cookie, but the form omits the token
    resp = client.post("/dashboard/login", {"username": USER, "password": PASSWORD})
    assert resp.status == 403
    assert client.get("/dashboard").status == 303
    # A token from one browser does not work with another browser's cookie.
    stolen = csrf_from(Browserish(web.url).get("/dashboard/login").text)
    resp = client.post("/dashboard/login", {"csrf_token": stolen, "username": USER, "password": PASSWORD})
    assert resp.status == 403


def test_session_cookie_flags(dashboard) -> None:
    client = Browserish(dashboard["web"].url)
    resp = login(client, USER, PASSWORD)
    assert resp.status == 303
    cookies = dict(split_set_cookie(c) for c in resp.set_cookies)
    attrs = cookies["ca_dashboard"]
    assert "httponly" in attrs
    assert attrs["samesite"] == "Lax"
    assert attrs["path"] == "/dashboard"
    assert int(attrs["max-age"]) == 8 * 3600
    assert "expires" in attrs


def test_login_redirects_back_but_never_off_site(dashboard) -> None:
    web, ids = dashboard["web"], dashboard["ids"]
    client = Browserish(web.url)
    resp = login(client, USER, PASSWORD, next_path=f"/dashboard/leads/{ids['big']}")
    assert resp.headers["location"] == f"/dashboard/leads/{ids['big']}"
    for evil in ("https://evil.example/", "//evil.example/dashboard", "/\\evil.example"):
        other = Browserish(web.url)
        assert login(other, USER, PASSWORD, next_path=evil).headers["location"] == "/dashboard"


def test_nobody_can_log_in_when_credentials_are_unset(web_server_factory) -> None:
    attempts = ((USER, PASSWORD), ("", ""), (USER, ""), ("admin", "admin"))
    for env, tries in (({}, attempts), ({"DASHBOARD_USER": USER}, attempts[:2]),
                       ({"DASHBOARD_PASSWORD": PASSWORD}, attempts[:2])):
        web = web_server_factory(**env)
        client = Browserish(web.url)
        page = client.get("/dashboard/login")
        assert page.status == 200 and "login is disabled" in page.text
        for user, password in tries:
            resp = login(client, user, password)
            assert resp.status == 403, (env, user, password)
            assert client.get("/dashboard").status == 303
            assert client.get("/dashboard/leads.csv").status == 401


# ------------------------------------------------------------------ what a logged-in user sees


def test_lead_details_only_after_login_and_html_shown_as_text(dashboard) -> None:
    web, ids = dashboard["web"], dashboard["ids"]
    path = f"/dashboard/leads/{ids['big']}"
    assert Browserish(web.url).get(path).status == 303
    client = logged_in(web)
    resp = client.get(path)
    assert resp.status == 200
    html = resp.text
    # Slots, recommendation (carriers, roles, guideline ids), scoring reasons, transcript.
    for text in ("Portland", "97201", "bob@example.com", "+15035550123", "2027-01", "Lumen",
                 "Zayo", "pilot", "primary", "R2, S1", "R1, R2, S1, P1",
                 "Start with a pilot of two PRIs on Zayo.", "Thanks! How many employees?"):
        assert text in html, text
    lead = dashboard["store"].get_by_id(ids["big"])
    assert lead.score_reasons, "the seeded lead has scoring reasons"
    for reason in lead.score_reasons:
        assert _escape(reason) in html
    assert f"<span class=\"grade big\">{lead.grade}</span>" in html
    # HTML typed by a customer is text, never markup.
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Bob</b>" not in html
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; &amp; Sons" in html
    assert "&lt;b&gt;Bob&lt;/b&gt; Smith" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # The list escapes too.
    listing = client.get("/dashboard").text
    assert "<script>alert" not in listing and "&lt;script&gt;" in listing


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def test_filters(dashboard) -> None:
    web, store, ids = dashboard["web"], dashboard["store"], dashboard["ids"]
    client = logged_in(web)
    assert lead_ids_in(client.get("/dashboard").text) == set(ids.values())
    every = store.list_leads()
    for grade in GRADES:
        expected = {lead.id for lead in every if lead.grade == grade}
        assert lead_ids_in(client.get(f"/dashboard?grade={grade}").text) == expected, grade
    assert len({lead.grade for lead in every}) >= 2, "the seed spans several grades"
    assert lead_ids_in(client.get("/dashboard?status=callback").text) == {ids["small"]}
    assert lead_ids_in(client.get("/dashboard?status=closed").text) == {ids["closed"]}
    assert lead_ids_in(client.get("/dashboard?after_hours=yes").text) == {ids["small"]}
    assert lead_ids_in(client.get("/dashboard?after_hours=no").text) == set(ids.values()) - {ids["small"]}
    # Date range (office days, both ends inclusive). set_status/set_paused touched some rows.
    window = lead_ids_in(client.get("/dashboard?since=2026-11-09&until=2026-11-16").text)
    assert window == {ids["small"], ids["paused"]}
    assert lead_ids_in(client.get("/dashboard?until=2026-11-05").text) == {ids["big"]}
    combined = client.get("/dashboard?status=handoff&after_hours=no&since=2026-11-14").text
    assert lead_ids_in(combined) == {ids["paused"]}
    # Nonsense filters are ignored, not errors.
    assert client.get("/dashboard?grade=Z&status=<x>&since=yesterday").status == 200


def test_csv_export(dashboard) -> None:
    web, ids = dashboard["web"], dashboard["ids"]
    client = logged_in(web)
    resp = client.get("/dashboard/leads.csv")
    assert resp.status == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert {int(r["id"]) for r in rows} == set(ids.values())
    big = next(r for r in rows if r["sender_id"] == "conv-big")
    assert big["states"] == "OR;WA" and big["recommended_carriers"] == "Zayo;Lumen"
    assert big["company_name"] == XSS + " & Sons"  # CSV is data, not HTML
    for field in ("score", "grade", "status", "after_hours", "email", "phone"):
        assert field in big
    filtered = list(csv.DictReader(io.StringIO(client.get("/dashboard/leads.csv?status=callback").text)))
    assert [r["sender_id"] for r in filtered] == ["conv-small"]


def test_status_change_needs_csrf_and_is_saved(dashboard) -> None:
    web, store, ids = dashboard["web"], dashboard["store"], dashboard["ids"]
    client = logged_in(web)
    page = client.get(f"/dashboard/leads/{ids['big']}")
    token = csrf_from(page.text)
    url = f"/dashboard/leads/{ids['big']}/status"
    assert client.post(url, {"status": "closed"}).status == 403
    assert client.post(url, {"status": "closed", "csrf_token": "wrong"}).status == 403
    assert store.get_by_id(ids["big"]).status == "new"
    assert client.post(url, {"status": "bogus", "csrf_token": token}).status == 400
    resp = client.post(url, {"status": "callback", "csrf_token": token})
    assert resp.status == 303
    assert store.get_by_id(ids["big"]).status == "callback"
    shown = client.get(resp.headers["location"]).text
    assert "Status updated." in shown
    assert '<option value="callback" selected>' in shown
    assert client.post("/dashboard/leads/999999/status", {"status": "closed", "csrf_token": token}).status == 404


def test_resume_assistant_calls_rasa_and_unpauses(dashboard) -> None:
    web, store, ids, fake = dashboard["web"], dashboard["store"], dashboard["ids"], dashboard["fake"]
    client = logged_in(web)
    assert "Resume assistant" not in client.get(f"/dashboard/leads/{ids['big']}").text
    page = client.get(f"/dashboard/leads/{ids['paused']}")
    assert "Resume assistant" in page.text
    url = f"/dashboard/leads/{ids['paused']}/resume"
    assert client.post(url, {}).status == 403
    assert fake.requests == [] and store.get("conv-paused").paused is True
    resp = client.post(url, {"csrf_token": csrf_from(page.text)})
    assert resp.status == 303 and resp.headers["location"].endswith("msg=resumed")
    (request,) = fake.requests
    # The API token is never in the URL: a short-lived JWT in the header, signed with the
    # secret the Rasa server derives from its --auth-token (bot.runtime.rasa_server).
    assert request["path"] == "/conversations/conv-paused/tracker/events"
    assert request["query"] == {}
    assert request["json"] == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    scheme, _, token = request["authorization"].partition(" ")
    claims = jwt.decode(token, jwt_secret_for(API_TOKEN), algorithms=["HS256"])
    assert scheme == "Bearer" and claims["user"]["role"] == "admin"
    assert 0 < claims["exp"] - time.time() <= 60
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, jwt_secret_for("another-token-of-32-characters!!"), algorithms=["HS256"])
    assert store.get("conv-paused").paused is False
    assert "Resume assistant" not in client.get(f"/dashboard/leads/{ids['paused']}").text


def test_logout_ends_the_session(dashboard) -> None:
    web = dashboard["web"]
    client = logged_in(web)
    page = client.get("/dashboard")
    token = client.cookie("ca_dashboard")
    resp = client.post("/dashboard/logout", {"csrf_token": csrf_from(page.text)})
    assert resp.status == 303 and resp.headers["location"].startswith("/dashboard/login")
    assert client.get("/dashboard").status == 303
    # The old cookie value, replayed, no longer works either.
    replay = Browserish(web.url).get("/dashboard", headers={"Cookie": f"ca_dashboard={token}"})
    assert replay.status == 303


def test_dashboard_pages_are_not_cached_or_framed(dashboard) -> None:
    client = logged_in(dashboard["web"])
    resp = client.get("/dashboard")
    assert resp.headers["cache-control"] == "no-store"
    assert resp.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    assert not re.search(r"<script\b", resp.text)
