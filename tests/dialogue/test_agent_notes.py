"""The notes for the agent (questions left open, in the customer's words) on the lead: the
export, the Slack handoff post and the dashboard's lead page show them."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

from bot.base.settings import Settings
from bot.conversation.missed_questions import agent_note, with_note
from bot.leads.export import EXPORT_FIELDS, leads_to_csv, leads_to_jsonl
from bot.leads.models import Lead, normalize_slots
from bot.notify.slack import SlackNotifier

NOW = datetime(2026, 12, 1, 18, 30, tzinfo=timezone.utc)
NOTES = ('Challenges: "the phones drop when it rains" / "=cmd|calc"', "Email: not understood, see the conversation")


def _lead() -> Lead:
    return Lead(id=7, sender_id="s", channel="rest", created_at=NOW, updated_at=NOW, states=("OR",),
                status="handoff", handoff_reason="low_confidence", agent_notes=NOTES)


def test_notes_are_the_question_then_the_customer_words() -> None:
    assert agent_note("employees", ["a bunch", "  lots  of\npeople "]) == 'Employees: "a bunch" / "lots of people"'
    assert agent_note("phone", ["503 555"]) == "Phone: not understood, see the conversation"  # personal
    assert agent_note("challenges", []) is None
    assert with_note(["a"], "a") == ["a"] and with_note(None, "b") == ["b"]


def test_the_lead_keeps_the_notes_as_a_list() -> None:
    assert normalize_slots({"agent_notes": list(NOTES)})["agent_notes"] == list(NOTES)
    assert normalize_slots({"agent_notes": []})["agent_notes"] is None  # nothing new: keeps the stored


def test_the_export_has_the_notes() -> None:
    assert "agent_notes" in EXPORT_FIELDS
    assert json.loads(leads_to_jsonl([_lead()]))["agent_notes"] == list(NOTES)
    [row] = list(csv.DictReader(io.StringIO(leads_to_csv([_lead()]))))
    assert row["agent_notes"] == ";".join(NOTES)
    assert row["agent_notes"][0].isalpha()  # a note starts with its question's name: no formula


def test_the_slack_handoff_has_the_notes() -> None:
    blocks = SlackNotifier(Settings.from_env({})).handoff_blocks(_lead())
    text = json.dumps(blocks, ensure_ascii=False)
    assert "*Notes for the agent*" in text
    assert "the phones drop when it rains" in text


def test_the_dashboard_lead_page_lists_the_notes() -> None:
    from bot.web.dashboard import lead_pages

    assert lead_pages.SLOT_LABELS["agent_notes"] == "Notes for the agent"
