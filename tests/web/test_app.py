"""The web app over real HTTP: /health, the demo page, /widget.js, /api/hours, security headers."""

from __future__ import annotations

import json
import re
import socket
import time

import pytest

from tests.web.conftest import ROOT, Browserish, FakeRasa, WebServer

WIDGET_VERSION = json.loads((ROOT / "web" / "widget" / "package.json").read_text())["version"]


@pytest.fixture(scope="module")
def web(module_server_factory) -> WebServer:
    """A web app with nothing on its RASA_PORT, shared by the read-only tests."""
    return module_server_factory()


def test_health_reports_rasa_down_quickly(web: WebServer) -> None:
    resp = Browserish(web.url).get("/health")
    assert resp.status == 200
    body = resp.json()
    assert body["status"] == "degraded"
    assert body["version"]
    assert body["widget_version"] == WIDGET_VERSION
    assert body["rasa"]["reachable"] is False
    assert resp.headers["cache-control"] == "no-store"


def test_health_sees_rasa_and_does_not_hang_when_rasa_hangs(web_server_factory, fake_rasa: FakeRasa) -> None:
    web = web_server_factory(RASA_PORT=str(fake_rasa.port))
    client = Browserish(web.url)
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["rasa"]["reachable"] is True
    assert body["rasa"]["version"] == "3.6.21"

    fake_rasa.mode = "hang"  # accepts the connection, answers after 5 s
    time.sleep(2.2)  # past the probe's 2 s cache
    resp = client.get("/health")
    assert resp.status == 200
    assert resp.elapsed < 2.0, f"/health took {resp.elapsed:.2f} s with a hanging Rasa"
    assert resp.json()["rasa"]["reachable"] is False


def test_health_survives_a_port_that_accepts_but_never_answers(web_server_factory) -> None:
    with socket.socket() as blackhole:
        blackhole.bind(("127.0.0.1", 0))
        blackhole.listen(16)  # never accept(): the connection sits in the backlog
        web = web_server_factory(RASA_PORT=str(blackhole.getsockname()[1]))
        resp = Browserish(web.url).get("/health")
    assert resp.status == 200 and resp.elapsed < 2.0
    assert resp.json()["rasa"]["reachable"] is False


def test_demo_page_embeds_the_widget_with_one_tag(web: WebServer) -> None:
    resp = Browserish(web.url).get("/")
    assert resp.status == 200
    assert resp.headers["content-type"].startswith("text/html")
    html = resp.text
    rasa_url = f"http://127.0.0.1:{web.env['RASA_PORT']}"
    tag = f'<script src="{web.url}/widget.js" data-server="{rasa_url}" defer></script>'
    assert html.count(tag) == 1
    assert len(re.findall(r"<script\b", html)) == 1, "the page has exactly one script: the widget"
    for section in ('id="services"', 'id="contact"', "<h1>"):
        assert section in html


def test_security_headers_allow_the_rasa_origin_only(web: WebServer) -> None:
    headers = Browserish(web.url).get("/").headers
    csp = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    rasa = f"127.0.0.1:{web.env['RASA_PORT']}"
    assert directives["connect-src"] == f"'self' http://{rasa} ws://{rasa}"
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_rasa_public_url_overrides_the_widget_server(web_server_factory) -> None:
    web = web_server_factory(RASA_PUBLIC_URL="https://chat.example.com/")
    resp = Browserish(web.url).get("/")
    assert 'data-server="https://chat.example.com"' in resp.text
    assert "connect-src 'self' https://chat.example.com wss://chat.example.com" in resp.headers["content-security-policy"]


def test_widget_js_is_served_with_type_cache_and_etag(web: WebServer) -> None:
    client = Browserish(web.url)
    resp = client.get("/widget.js")
    assert resp.status == 200
    assert resp.headers["content-type"] == "application/javascript; charset=utf-8"
    assert "max-age=300" in resp.headers["cache-control"]
    assert resp.headers["access-control-allow-origin"] == "*"
    assert resp.body == (ROOT / "bot" / "web" / "static" / "widget.js").read_bytes()
    assert resp.text.startswith(f"/*! carrier-advisor-widget v{WIDGET_VERSION}")
    etag = resp.headers["etag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    head = client.request("HEAD", "/widget.js")
    assert head.status == 200 and int(head.headers["content-length"]) == len(resp.body)


def test_widget_bundle_is_self_contained() -> None:
    """One offline file: socket.io-client inside, nothing fetched from a CDN, no innerHTML."""
    js = (ROOT / "bot" / "web" / "static" / "widget.js").read_text()
    assert "session_request" in js and "user_uttered" in js and "bot_uttered" in js
    assert "/socket.io/" in js
    assert not re.search(r"https?://(cdn|unpkg|cdnjs|jsdelivr)", js)
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "document.write" not in js


def test_static_files_and_unknown_paths(web: WebServer) -> None:
    client = Browserish(web.url)
    css = client.get("/static/site.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/../settings.py").status == 404
    assert client.get("/static/nope.js").status == 404


def test_hours_when_closed(web_server_factory) -> None:
    # Tuesday 22:30 Eastern = 19:30 Pacific: the office (08:00-17:00 Pacific) is closed.
    web = web_server_factory(BOT_NOW="2026-12-01T22:30:00-05:00")
    resp = Browserish(web.url).get("/api/hours")
    assert resp.status == 200
    assert resp.headers["access-control-allow-origin"] == "*"
    body = resp.json()
    assert body["open"] is False
    assert body["next_opening"] == "Wednesday, December 2 at 8:00 AM Pacific"
    assert "Wednesday, December 2 at 8:00 AM Pacific" in body["note"]
    assert body["now"].startswith("2026-12-01T22:30:00")


def test_hours_when_open(web_server_factory) -> None:
    web = web_server_factory(BOT_NOW="2026-12-01T10:30:00-08:00")
    body = Browserish(web.url).get("/api/hours").json()
    assert body["open"] is True
    assert "note" not in body and "next_opening" not in body


def test_sigterm_stops_the_app(web_server_factory) -> None:
    web = web_server_factory()
    web.stop()
    assert web.process is not None and web.process.returncode == 0
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", web.port)) != 0
