"""Lead scoring: the shipped weights, the table of cases, and scoring.yml validation."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.canonical import CHALLENGES, SERVICES
from bot.domain.scoring import (
    DEFAULT_SCORING_PATH,
    LeadScore,
    add_months,
    load_scoring,
    parse_contract_end,
    score_lead,
)
from bot.base.yamldata import DataFileError

TODAY = date(2026, 12, 1)

ENTERPRISE = {
    "states": ["OR", "WA", "CA"], "num_locations": 12, "employees": 250,
    "services": ["mpls", "dia", "sdwan"], "challenges": ["high_cost"],
    "current_carrier": "Lumen", "contract_end": "2027-05", "contact_name": "Jane Doe",
    "company_name": "Acme", "email": "jane@acme.com", "phone": "+15035550123",
}


@pytest.mark.parametrize(
    ("slots", "score", "grade"),
    [
        ({}, 0, "C"),
        (ENTERPRISE, 88, "A"),
        # A single small site wanting broadband, e-mail only.
        ({"num_locations": 1, "services": ["broadband"], "email": "a@b.co"}, 8, "C"),
        # Mid-size, reachable, no contract info.
        ({"num_locations": 3, "states": ["OR"], "employees": 40, "services": ["dia", "sip"],
          "contact_name": "Al", "email": "a@b.co", "phone": "+15035550123"}, 36, "B"),
        # Float slots (Rasa's float type) count like integers.
        ({"num_locations": 5.0, "employees": 500.0}, 30, "C"),
        # The services total is capped.
        ({"services": list(SERVICES)}, 18, "C"),
        # Unknown services, bad numbers and empty values score nothing and do not crash.
        ({"services": ["telepathy"], "num_locations": "many", "employees": None,
          "contract_end": "soon", "states": []}, 0, "C"),
    ],
)
def test_score_table(slots: dict[str, Any], score: int, grade: str) -> None:
    result = score_lead(slots, today=TODAY)
    assert (result.score, result.grade) == (score, grade), result.reasons


def test_reasons_explain_every_point() -> None:
    result = score_lead(ENTERPRISE, today=TODAY)
    assert result.reasons == (
        "12 sites (+20)",
        "3 states (+7)",
        "250 employees (+11)",
        "services: mpls, dia, sdwan (+16)",
        "contract ends 2027-05, within 12 months (+10)",
        "current carrier known (Lumen) (+4)",
        "contact details: contact name, company name, email, phone (+17)",
        "challenges named: high_cost (+3)",
    )
    assert sum(int(r.rsplit("(+", 1)[1].rstrip(")")) for r in result.reasons) == result.score


@pytest.mark.parametrize(
    ("contract_end", "points", "why"),
    [
        ("2027-12-01", 10, "exactly 12 months ahead"),
        ("2027-12", 0, "month end is past 12 months"),
        ("2027-11", 10, "within 12 months"),
        ("2027-12-02", 0, "a day past 12 months"),
        ("2026-12", 10, "ends this month"),
        ("2026-11-30", 8, "ended yesterday: free to move"),
        ("2025-01", 8, "long expired"),
        ("2026-13", 0, "not a date"),
    ],
)
def test_contract_end_window(contract_end: str, points: int, why: str) -> None:
    assert score_lead({"contract_end": contract_end}, today=TODAY).score == points, why


def test_today_is_explicit() -> None:
    slots = {"contract_end": "2027-06-15"}
    assert score_lead(slots, today=date(2026, 12, 1)).score == 10
    assert score_lead(slots, today=date(2026, 6, 1)).score == 0


def test_date_helpers() -> None:
    assert parse_contract_end("2027-02") == date(2027, 2, 28)
    assert parse_contract_end("2028-02") == date(2028, 2, 29)
    assert parse_contract_end("2027-02-03") == date(2027, 2, 3)
    assert parse_contract_end("") is None and parse_contract_end("Feb") is None
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 1), 12) == date(2027, 12, 1)


@settings(max_examples=60, deadline=None)
@given(
    sites=st.one_of(st.none(), st.integers(-5, 10_000), st.floats(allow_nan=True)),
    employees=st.one_of(st.none(), st.integers(-5, 10**7)),
    states=st.lists(st.sampled_from(["OR", "WA", "CA", "TX", "NY", "FL"]), max_size=8),
    services=st.lists(st.sampled_from(SERVICES), max_size=13),
    challenges=st.lists(st.sampled_from(CHALLENGES), max_size=5),
    contract=st.one_of(st.none(), st.dates().map(str), st.text(max_size=8)),
    email=st.one_of(st.none(), st.just("a@b.co")),
)
def test_score_is_always_0_to_100_and_graded_consistently(**values: Any) -> None:
    slots = {"num_locations": values["sites"], "employees": values["employees"],
             "states": values["states"], "services": values["services"],
             "challenges": values["challenges"], "contract_end": values["contract"],
             "email": values["email"]}
    result = score_lead(slots, today=TODAY)
    assert isinstance(result, LeadScore)
    assert 0 <= result.score <= 100
    config = load_scoring()
    assert result.grade == config.grade(result.score)


# --- scoring.yml validation -------------------------------------------------------------------

VALID = textwrap.dedent("""\
    grades:
      A: 65
      B: 35
    fit:
      sites:
        - {min: 10, points: 20}
        - {min: 1, points: 2}
      states:
        - {min: 2, points: 4}
      employees:
        - {min: 1, points: 1}
      services:
        max: 18
        value:
          mpls: 6
      contract_end:
        within_months: 12
        points: 10
        expired_points: 8
      known_carrier: 4
    completeness:
      contact_name: 4
      email: 5
      phone: 5
      company_name: 3
      challenges: 3
    """)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scoring.yml"
    path.write_text(text)
    return path


def test_shipped_file_is_valid() -> None:
    config = load_scoring(DEFAULT_SCORING_PATH)
    assert 0 < config.grade_b < config.grade_a <= 100
    assert set(config.service_values) <= set(SERVICES)


def test_weights_come_from_the_file(tmp_path: Path) -> None:
    config = load_scoring(write(tmp_path, VALID.replace("mpls: 6", "mpls: 99")))
    result = score_lead({"services": ["mpls"]}, today=TODAY, config=config)
    assert result.score == 18  # capped by services.max
    big = load_scoring(write(tmp_path, VALID.replace("max: 18", "max: 100")
                             .replace("mpls: 6", "mpls: 100")))
    assert score_lead({"services": ["mpls"], "email": "a@b.co"}, today=TODAY,
                      config=big).score == 100  # total capped at 100


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("  A: 65", "  A: 20", 3, "0 < B < A"),
        ("  B: 35", "  B: lots", 3, "whole number"),
        ("      mpls: 6", "      telepathy: 6", 15, "unknown service 'telepathy'"),
        ("  known_carrier: 4", "  known_carrier: -1", 20, "known_carrier"),
        ("  known_carrier: 4", "  known_carrier: 4\n  vibes: 3", 21, "unknown key 'vibes'"),
        ("    - {min: 1, points: 2}", "    - {min: 10, points: 2}", 5, "same min"),
        ("    - {min: 1, points: 2}", "    - {minimum: 1, points: 2}", 7, "tier"),
        ("  challenges: 3", "", 21, "missing 'challenges'"),
        ("    within_months: 12", "    within_months: 0", 17, "at least 1"),
        ("  sites:", "  sites: [", 6, "YAML syntax error"),
    ],
)
def test_invalid_file_names_file_and_line(tmp_path: Path, old: str, new: str, line: int,
                                          message: str) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(DataFileError) as caught:
        load_scoring(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line, str(caught.value)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        load_scoring(tmp_path / "nope.yml")


def test_edits_apply_without_restart(tmp_path: Path) -> None:
    import os

    path = write(tmp_path, VALID)
    assert load_scoring(path).known_carrier == 4
    path.write_text(VALID.replace("known_carrier: 4", "known_carrier: 7"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_scoring(path).known_carrier == 7
