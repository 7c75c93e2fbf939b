"""Prometheus /metrics: the web app (database gauges) and the action server (action errors),
over real HTTP; the counters themselves; never personal data."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Optional

import pytest

from bot.analytics import ops_metrics
from bot.leads.store import LeadStore
from tests.web.conftest import ROOT, WebServer, free_port, seed_store

EMAIL = "jane.metrics@example.com"
PHONE = "+15035550177"
NAME = "Jane Metricsperson"


def _get(url: str, token: Optional[str] = None) -> tuple:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def sample(text: str, name: str, **labels: str) -> Optional[float]:
    """The value of one series in Prometheus' text format (None when absent)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


@pytest.fixture(scope="module")
def web(module_server_factory) -> WebServer:
    server = module_server_factory(METRICS_TOKEN="scrape-token-0123456789abcdef")
    url = server.env["DATABASE_URL"]
    store = seed_store(url, datetime(2026, 11, 20, 18, tzinfo=timezone.utc))
    for sender in ("m1", "m2", "m3"):
        store.upsert(sender, channel="rest", slots={"contact_name": NAME, "email": EMAIL,
                                                    "phone": PHONE, "states": ["OR"]})
    store.set_paused("m1", True)
    store.set_status(store.get("m2").id, "handoff")
    from bot.leads.takeover import TakeoverStore
    from bot.outbox.store import NewMessage, Outbox

    TakeoverStore(store).open("m1", "socketio")
    outbox = Outbox(store)
    outbox.enqueue(NewMessage("k1", "m1:slack", "slack", "handoff", {"text": EMAIL}, sender_id="m1"))
    failing = outbox.enqueue(NewMessage("k2", "m2:slack", "slack", "handoff", {}, sender_id="m2")).item
    outbox.mark_failed(failing, "HTTP 500")
    return server


def test_the_web_app_serves_the_database_gauges(web: WebServer) -> None:
    status, text, headers = _get(f"{web.url}/metrics", "scrape-token-0123456789abcdef")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert sample(text, "carrier_advisor_database_up") == 1
    assert sample(text, "carrier_advisor_outbox_messages", state="queued") == 1
    assert sample(text, "carrier_advisor_outbox_messages", state="retrying") == 1
    assert sample(text, "carrier_advisor_outbox_messages", state="dead") == 0
    assert sample(text, "carrier_advisor_outbox_failing_messages", destination="slack") == 1
    assert sample(text, "carrier_advisor_handoffs_waiting") == 1
    assert sample(text, "carrier_advisor_conversations_paused") == 1
    assert sample(text, "carrier_advisor_leads", status="handoff") == 1
    assert sample(text, "carrier_advisor_leads", status="new") == 2
    assert sample(text, "carrier_advisor_spool_entries", spool="leads") == 0
    # the process's own series are declared even before anything happened
    assert "# TYPE carrier_advisor_turn_latency_seconds histogram" in text
    assert "# TYPE carrier_advisor_action_errors_total counter" in text
    assert "# TYPE carrier_advisor_leads_spooled_total counter" in text
    for personal in (EMAIL, PHONE, NAME, "m1", "m2"):
        assert personal not in text.replace("carrier_advisor_", "")


def test_metrics_need_the_token_when_one_is_set(web: WebServer) -> None:
    assert _get(f"{web.url}/metrics")[0] == 401
    assert _get(f"{web.url}/metrics", "wrong")[0] == 401


def test_turn_latency_and_channel_labels_are_bounded() -> None:
    before = ops_metrics.TURN_LATENCY.labels("other")._sum.get()
    ops_metrics.observe_turn("my-custom-channel-for-jane", 0.2)
    ops_metrics.observe_turn("socketio", 0.05)
    text = ops_metrics.render().decode()
    assert ops_metrics.TURN_LATENCY.labels("other")._sum.get() == pytest.approx(before + 0.2)
    assert sample(text, "carrier_advisor_turn_latency_seconds_bucket", channel="socketio", le="0.05") >= 1
    assert "jane" not in text


def test_lead_saves_and_spools_are_counted(tmp_path: Path) -> None:
    ops_metrics.count_lead_saves()
    ops_metrics.count_lead_saves()  # idempotent: counted once per save
    from bot.leads.update import build_lead_update

    store = LeadStore(f"sqlite:///{tmp_path / 'leads.db'}", spool_path=tmp_path / "leads.spool")
    store.migrate()
    saved = ops_metrics.LEADS_SAVED._value.get()
    spooled = ops_metrics.LEADS_SPOOLED._value.get()
    store.save_or_spool(build_lead_update("s1", channel="rest", slots={"states": ["OR"]}))
    assert ops_metrics.LEADS_SAVED._value.get() == saved + 1
    down = LeadStore(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}",
                     spool_path=tmp_path / "down.spool")
    down.save_or_spool(build_lead_update("s2", channel="rest", slots={"states": ["OR"]}))
    assert ops_metrics.LEADS_SPOOLED._value.get() == spooled + 1


def test_the_action_server_counts_action_errors(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    log = open(tmp_path / "actions.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.runtime.action_server", "--actions",
         "tests.analytics.failing_actions", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"{base}/health")[0] == 200:
                    break
            except (urllib.error.URLError, OSError):
                pass
            assert process.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "actions.log").read_text()
            time.sleep(0.3)
        call = {"next_action": "action_that_fails", "sender_id": "jane",
                "tracker": {"sender_id": "jane", "slots": {}, "latest_message": {}, "events": [],
                            "paused": False, "followup_action": None, "active_loop": {},
                            "latest_action_name": None},
                "domain": {}, "version": "3.6.0"}
        request = urllib.request.Request(f"{base}/webhook", data=json.dumps(call).encode(),
                                         headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=10)
        status, text, _ = _get(f"{base}/metrics")
        assert status == 200
        assert sample(text, "carrier_advisor_action_errors_total", action="action_that_fails") == 1
        assert "jane" not in text
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
