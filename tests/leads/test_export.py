"""`python -m bot leads export`: JSONL and CSV per CONTRACT section 7."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.cli import build_parser, main
from bot.leads.export import EXPORT_FIELDS, leads_to_csv, leads_to_jsonl
from bot.leads.store import LeadStore
from bot.base.settings import ROOT
from tests.leads.conftest import FULL_SLOTS, NOW, RECOMMENDATION

CONTRACT_FIELDS = (
    "id", "sender_id", "channel", "created_at", "updated_at", "states", "city", "zip_code",
    "num_locations", "employees", "services", "challenges", "current_carrier", "contract_end",
    "contact_name", "company_name", "email", "phone", "handoff_reason", "recommended_carriers",
    "score", "grade", "status", "after_hours",
)
TRICKY_COMPANY = 'Smith, Jones & "Partners"\nWest <script>alert(1)</script>'


@pytest.fixture
def populated(sqlite_store: LeadStore) -> LeadStore:
    sqlite_store.upsert("conv-a", channel="socketio", slots=FULL_SLOTS, status="handoff",
                        recommendation=RECOMMENDATION, after_hours=False)
    sqlite_store.upsert("conv-b", channel="rest", after_hours=True, status="callback",
                        slots={"company_name": TRICKY_COMPANY, "contact_name": "Zoë O'Brien",
                               "states": ["TX"], "email": "zoe@smith.law",
                               "current_carrier": "=HYPERLINK(\"http://x\")"})
    return sqlite_store


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, sqlite_url: str, tmp_path: Path) -> None:
    for name in ("SLACK_BOT_TOKEN", "SALES_SLACK_CHANNEL", "SLACK_CHANNEL", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BOT_NOW", NOW.isoformat())


def test_fields_cover_the_contract() -> None:
    assert set(CONTRACT_FIELDS) <= set(EXPORT_FIELDS)
    assert "recommendation" not in EXPORT_FIELDS and "transcript" not in EXPORT_FIELDS


def test_jsonl(populated: LeadStore, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leads", "export", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    a, b = (json.loads(line) for line in lines)
    assert list(a) == list(EXPORT_FIELDS)
    assert a["sender_id"] == "conv-a" and a["channel"] == "socketio"
    assert a["states"] == ["OR", "WA", "CA"] and a["services"] == ["mpls", "dia", "sdwan"]
    assert a["num_locations"] == 12 and a["employees"] == 250
    assert (a["email"], a["phone"], a["contract_end"]) == ("jane.doe@acme.com",
                                                          "+15035550123", "2027-05")
    assert a["recommended_carriers"] == ["Lumen", "Zayo"]
    assert a["grade"] == "A" and 0 <= a["score"] <= 100 and a["status"] == "handoff"
    assert a["after_hours"] is False and a["handoff_reason"] == "complex_needs"
    assert a["created_at"] == "2026-12-02T03:30:00+00:00"
    assert b["company_name"] == TRICKY_COMPANY  # verbatim: JSON needs no guarding
    assert b["contact_name"] == "Zoë O'Brien" and b["after_hours"] is True
    assert b["num_locations"] is None and b["services"] == [] and b["status"] == "callback"


def test_csv(populated: LeadStore, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leads", "export", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2
    assert tuple(rows[0]) == EXPORT_FIELDS
    a, b = rows
    assert a["states"] == "OR;WA;CA" and a["services"] == "mpls;dia;sdwan"
    assert a["challenges"] == "high_cost;poor_support"
    assert a["recommended_carriers"] == "Lumen;Zayo"
    assert a["phone"] == "+15035550123"  # canonical phone is not "formula-guarded"
    assert a["after_hours"] == "false" and a["num_locations"] == "12"
    assert b["company_name"] == TRICKY_COMPANY  # comma, quotes, newline and HTML round-trip
    assert b["contact_name"] == "Zoë O'Brien" and b["after_hours"] == "true"
    assert b["num_locations"] == "" and b["services"] == ""
    # A spreadsheet must not run a customer-typed formula.
    assert b["current_carrier"] == "'=HYPERLINK(\"http://x\")"


def test_string_helpers_match_the_writers(populated: LeadStore) -> None:
    leads = list(populated.iter_leads())
    assert leads_to_jsonl(leads).count("\n") == 2
    assert leads_to_csv(leads).startswith(",".join(EXPORT_FIELDS) + "\n")


def test_empty_database_exports_only_a_header(cli_env: None,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leads", "export", "--format", "csv"]) == 0
    assert capsys.readouterr().out == ",".join(EXPORT_FIELDS) + "\n"
    assert main(["leads", "export"]) == 0  # jsonl by default
    assert capsys.readouterr().out == ""


def test_list(populated: LeadStore, cli_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leads", "list"]) == 0
    out = capsys.readouterr().out
    assert "Acme Logistics (Jane Doe)" in out and "2 leads" in out
    assert "jane.doe@acme.com" not in out
    assert main(["leads", "list", "--after-hours"]) == 0
    out = capsys.readouterr().out
    assert "Acme" not in out and "1 lead\n" in out


def test_unreachable_database_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from tests.leads.conftest import free_port

    monkeypatch.setenv("DATABASE_URL",
                       f"postgresql+psycopg2://postgres:secret@127.0.0.1:{free_port()}/x")
    assert main(["leads", "export"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: lead database") and "secret" not in err


def test_parser_takes_one_function_per_command() -> None:
    import argparse

    def add_hello_command(subparsers: Any) -> None:
        sub = subparsers.add_parser("hello")
        sub.set_defaults(handler=lambda args: 0)

    parser = build_parser([add_hello_command])
    assert parser.parse_args(["hello"]).handler(None) == 0
    with pytest.raises(SystemExit):
        build_parser().parse_args(["leads", "export", "--format", "xml"])
    assert isinstance(build_parser(), argparse.ArgumentParser)


def test_python_dash_m_bot(populated: LeadStore, sqlite_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": sqlite_url, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "bot", "leads", "export", "--format", "jsonl"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["sender_id"] for line in result.stdout.splitlines()] == \
        ["conv-a", "conv-b"]
