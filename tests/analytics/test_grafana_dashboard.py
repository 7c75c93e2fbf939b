"""deploy/grafana-dashboard.json queries series that exist, and the compose file scrapes every
process that serves them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from bot.analytics import ops_metrics
from bot.leads.store import LeadStore
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _served_names(tmp_path: Path) -> set:
    store = LeadStore(f"sqlite:///{tmp_path / 'leads.db'}", spool_path=tmp_path / "leads.spool")
    store.migrate()
    registry = CollectorRegistry()
    ops_metrics.register_database_collector(store, registry)
    text = ops_metrics.render().decode() + ops_metrics.render(registry).decode()
    names = set(re.findall(r"^(carrier_advisor_[a-z_]+)", text, re.M))
    # labelled series have no sample before their first event: their declared families count
    suffixes = {"histogram": ("_bucket", "_count", "_sum"), "counter": ("", "_total"), "gauge": ("",)}
    for name, kind in re.findall(r"^# TYPE (carrier_advisor_[a-z_]+) (\w+)", text, re.M):
        names.update(name + suffix for suffix in suffixes.get(kind, ("",)))
    return names


def test_every_dashboard_query_names_a_served_series(tmp_path: Path) -> None:
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {name for expr in exprs for name in re.findall(r"carrier_advisor_[a-z_]+", expr)}
    served = _served_names(tmp_path)
    assert used and used <= served, used - served
    # every series of the issue is on the dashboard
    for name in ("carrier_advisor_turn_latency_seconds_bucket", "carrier_advisor_action_errors_total",
                 "carrier_advisor_leads_saved_total", "carrier_advisor_leads_spooled_total",
                 "carrier_advisor_outbox_messages", "carrier_advisor_outbox_failing_messages",
                 "carrier_advisor_handoffs_waiting", "carrier_advisor_conversations_paused"):
        assert name in used, name


def test_compose_scrapes_every_process() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    scrape = yaml.safe_load(compose["configs"]["prometheus_yml"]["content"])
    targets = {t for job in scrape["scrape_configs"] for c in job["static_configs"] for t in c["targets"]}
    services = compose["services"]
    rasa = [n for n, s in services.items() if (s.get("command") or [])[:3] == ["python", "-m", "bot.runtime.rasa_server"]]
    assert rasa
    for name in rasa:
        assert f"{name}:5005" in targets and f"{name}:5055" in targets  # its action sidecar
    assert services["web"]["network_mode"] == "service:lb" and "lb:8080" in targets
    assert "/metrics" in (DEPLOY / "haproxy.cfg").read_text()  # refused from outside
