"""The funnel page (`/dashboard/funnel`) over real HTTP and in headless Chromium, for the seeded
conversations of tests/analytics/funnel_seed.py (hand-counted figures) and a few leads."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import sqlite3
from datetime import datetime, timezone
from typing import Any, Dict

import pytest

from tests.analytics import funnel_seed as seed
from tests.web.conftest import ROOT, Browserish, WebServer, login, seed_store

USER = "owner"
PASSWORD = "correct horse battery staple"
RANGE = "since=2026-11-15&until=2026-11-20"
FUNNEL_JS = ROOT / "bot" / "web" / "static" / "funnel.js"
SCREENSHOT = ROOT / "test-output" / "funnel-page.png"
DOCS_SCREENSHOT = ROOT / "docs" / "funnel-page.png"


@pytest.fixture(scope="module")
def funnel_server(module_server_factory) -> WebServer:
    if not FUNNEL_JS.exists():
        import subprocess

        subprocess.run([str(ROOT / "scripts" / "build-widget.sh")], check=True, cwd=ROOT)
    web = module_server_factory(DASHBOARD_USER=USER, DASHBOARD_PASSWORD=PASSWORD,
                                BOT_NOW="2026-11-20T12:00:00-08:00")
    url = web.env["DATABASE_URL"]
    database = url.split("///", 1)[1]
    seed.write_tracker_events(database, seed.conversations())
    leads = [("l1", datetime(2026, 11, 18, 20, tzinfo=timezone.utc), "rest", "A"),
             ("l2", datetime(2026, 11, 19, 7, 30, tzinfo=timezone.utc), "socketio", "B"),  # Nov 18 Pacific
             ("l3", datetime(2026, 11, 20, 18, tzinfo=timezone.utc), "rest", "A"),
             ("l4", datetime(2026, 11, 2, 18, tzinfo=timezone.utc), "rest", "C")]  # outside
    for sender, created, channel, _ in leads:
        seed_store(url, created).upsert(sender, channel=channel, slots={"states": ["OR"]})
    with sqlite3.connect(database) as db:
        for sender, _, _, grade in leads:
            db.execute("UPDATE leads SET grade = ? WHERE sender_id = ?", (grade, sender))
    return web


@pytest.fixture
def client(funnel_server: WebServer) -> Browserish:
    browser = Browserish(funnel_server.url)
    login(browser, USER, PASSWORD)
    return browser


def _cell_numbers(html: str, table_id: str) -> Dict[str, list]:
    table = re.search(rf'<table class="figures" id="{table_id}">(.*?)</table>', html, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def test_the_page_needs_a_login(funnel_server: WebServer) -> None:
    anonymous = Browserish(funnel_server.url)
    assert anonymous.get("/dashboard/funnel").status == 303
    assert anonymous.get("/dashboard/funnel.csv").status == 401


def test_the_page_shows_the_hand_counted_figures(client: Browserish) -> None:
    page = client.get(f"/dashboard/funnel?{RANGE}")
    assert page.status == 200
    funnel = _cell_numbers(page.text, "table-funnel")
    assert {label: int(cells[0]) for label, cells in funnel.items()} == {
        "Conversations started": 5, "Location known": 4, "Services known": 3, "Plan shown": 3,
        "Contact given": 2, "Handoff or callback": 3}
    questions = {q: [int(n) for n in cells] for q, cells in _cell_numbers(page.text, "table-questions").items()}
    # asked, re-asked, fallbacks, dropped out
    assert questions["States"] == [2, 1, 1, 0]
    assert questions["Services"] == [1, 0, 0, 1]
    assert questions["Email"] == [2, 1, 0, 0]
    assert questions["(after the plan)"] == [0, 0, 0, 1]
    assert 'id="median-time-to-plan">2.0 min<' in page.text
    leads = _cell_numbers(page.text, "table-leads")
    assert leads == {"2026-11-18": ["rest: 1, socketio: 1", "A: 1, B: 1"],
                     "2026-11-20": ["rest: 1", "A: 1"]}


def test_the_csv_has_the_same_figures(client: Browserish) -> None:
    resp = client.get(f"/dashboard/funnel.csv?{RANGE}")
    assert resp.status == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows[0] == ["figure", "key", "group", "value"]
    figures = {(f, k, g): v for f, k, g, v in rows[1:]}
    assert {k: int(v) for (f, k, _), v in figures.items() if f == "funnel"} == seed.EXPECTED_STAGES
    assert {k: int(v) for (f, k, _), v in figures.items() if f == "reasked" and int(v)} == seed.EXPECTED_REASKS
    assert {k: int(v) for (f, k, _), v in figures.items() if f == "dropouts" and int(v)} == seed.EXPECTED_DROPOUTS
    assert float(figures[("median_seconds_to_plan", "", "")]) == seed.EXPECTED_MEDIAN_S
    assert figures[("leads_per_day_by_channel", "2026-11-18", "socketio")] == "1"
    assert "jane@example.com" not in resp.text


def test_a_narrower_range_counts_fewer(client: Browserish) -> None:
    page = client.get("/dashboard/funnel?since=2026-11-20&until=2026-11-20")
    funnel = _cell_numbers(page.text, "table-funnel")
    assert int(funnel["Conversations started"][0]) == 2  # c4 and c5


def test_renders_in_chromium_without_console_errors(funnel_server: WebServer) -> None:
    from tests.web.test_widget_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium

    _require_chromium()
    from playwright.sync_api import sync_playwright

    errors: list = []
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page: Any = chromium.new_page(viewport={"width": 1200, "height": 1500})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{funnel_server.url}/dashboard/login?next=/dashboard/funnel%3F{RANGE.replace('&', '%26')}")
            page.fill("input[name=username]", USER)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("body[data-charts-ready='1']", timeout=15_000)
            assert page.url.endswith(f"/dashboard/funnel?{RANGE}")
            for canvas in ("chart-funnel", "chart-questions", "chart-leads-channel", "chart-leads-grade"):
                width = page.evaluate(f"document.getElementById('{canvas}').width")
                assert width > 100, canvas
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            chromium.close()
    assert errors == []
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        shutil.copyfile(SCREENSHOT, DOCS_SCREENSHOT)
