"""Prometheus /metrics on the running Rasa server (actions in-process) and web app: a turn is
timed by channel, and the customer's words never reach the metrics."""

from __future__ import annotations

import re
import urllib.request

from tests.e2e.conftest import RestClient


def _metrics(url: str) -> str:
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as resp:
        assert resp.status == 200
        return resp.read().decode()


def _turns(text: str, channel: str) -> float:
    match = re.search(rf'^carrier_advisor_turn_latency_seconds_count\{{channel="{channel}"\}} (\S+)$',
                      text, re.M)
    return float(match.group(1)) if match else 0.0


def test_the_rasa_server_times_turns_by_channel(customer: RestClient) -> None:
    before = _turns(_metrics(customer.stack.rasa_url), "rest")
    customer.say("hi, we are in Portland, mail me at jane@example.com")
    text = _metrics(customer.stack.rasa_url)
    assert _turns(text, "rest") == before + 1
    assert "jane@example.com" not in text and customer.sender not in text
    assert "# TYPE carrier_advisor_action_errors_total counter" in text


def test_the_web_app_serves_the_database_gauges(customer: RestClient) -> None:
    text = _metrics(customer.stack.web_url)
    assert "carrier_advisor_database_up 1.0" in text
    assert "carrier_advisor_handoffs_waiting" in text
