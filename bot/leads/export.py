"""Lead export (CONTRACT section 7): JSON lines or CSV, one lead per record.

Both formats carry the same fields (`EXPORT_FIELDS`). JSONL keeps lists as JSON lists and
booleans as true/false; CSV joins lists with ";" and writes booleans as true/false. The
recommendation object and the transcript are not exported (the dashboard shows them).

CSV is meant for spreadsheets: a free-text cell starting with `=`, `+`, `-`, `@`, tab or CR is
prefixed with `'` so a customer-typed company name cannot run as a formula (CSV injection).
Canonical phone numbers (`+1...`) are left as they are.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any, Iterable, TextIO

from bot.leads.models import SLOT_FIELDS, Lead

EXPORT_FIELDS: tuple[str, ...] = (
    "id",
    "sender_id",
    "channel",
    "created_at",
    "updated_at",
    *SLOT_FIELDS,
    "recommended_carriers",
    "score",
    "grade",
    "score_reasons",
    "status",
    "after_hours",
    "callback_time",
    "paused",
)
FORMATS: tuple[str, ...] = ("jsonl", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_GUARDED = frozenset({"phone", "created_at", "updated_at", "contract_end"})


def lead_record(lead: Lead) -> dict[str, Any]:
    """A lead as a JSON-ready mapping of EXPORT_FIELDS (tuples become lists)."""
    record: dict[str, Any] = {}
    for name in EXPORT_FIELDS:
        value = getattr(lead, name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        record[name] = value
    return record


def write_jsonl(leads: Iterable[Lead], out: TextIO) -> int:
    """One JSON object per line; returns the number of leads written."""
    count = 0
    for lead in leads:
        out.write(json.dumps(lead_record(lead), ensure_ascii=False) + "\n")
        count += 1
    return count


def _csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    text = str(value)
    if name not in _NOT_GUARDED and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_csv(leads: Iterable[Lead], out: TextIO) -> int:
    """A header row and one row per lead (RFC 4180 quoting); returns the number of leads."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    count = 0
    for lead in leads:
        record = lead_record(lead)
        writer.writerow([_csv_cell(name, record[name]) for name in EXPORT_FIELDS])
        count += 1
    return count


def write_leads(leads: Iterable[Lead], out: TextIO, fmt: str) -> int:
    """Write leads in `fmt` ("jsonl" or "csv")."""
    if fmt == "jsonl":
        return write_jsonl(leads, out)
    if fmt == "csv":
        return write_csv(leads, out)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")


def leads_to_csv(leads: Iterable[Lead]) -> str:
    """The CSV export as one string (for an HTTP response body)."""
    buffer = io.StringIO()
    write_csv(leads, buffer)
    return buffer.getvalue()


def leads_to_jsonl(leads: Iterable[Lead]) -> str:
    """The JSON-lines export as one string."""
    buffer = io.StringIO()
    write_jsonl(leads, buffer)
    return buffer.getvalue()
