"""Simulated customers (tests/simulator/personas.yml and the sealed personas_sealed.yml) hold whole conversations with the real
servers over REST (scripts/simulate.py); the simulator's gate must hold for every persona:
each reaches a plan or a person, and no question is asked more than twice in a row.

Slot accuracy is reported (report.json) but not gated here, as in `make simulate`. The
report and the transcripts of failing conversations are kept in test-output/simulate/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.simulate import (
    DEFAULT_PERSONAS, ENDINGS, MAX_ASKS_IN_A_ROW, PERSONA_SETS, SEALED_PERSONAS, STYLES, load_personas,
    run_simulation,
)
from tests.e2e.conftest import API_TOKEN, Stack

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "simulate"


def test_the_personas_cover_every_style_and_ending() -> None:
    personas = load_personas(DEFAULT_PERSONAS)
    assert len(personas) >= 40
    assert {p.style for p in personas} == set(STYLES)
    assert {p.ending for p in personas} == set(ENDINGS)
    assert any(len(p.facts.get("states", [])) > 1 for p in personas), "a multi-state customer"
    assert any("skip" in a for p in personas for a in p.answers.get("challenges", [])), "a skipper"


def test_the_sealed_personas_are_a_separate_set() -> None:
    sealed = load_personas(SEALED_PERSONAS)
    assert len(sealed) >= 24 and {p.persona_set for p in sealed} == {"sealed"}
    assert not {p.id for p in sealed} & {p.id for p in load_personas(DEFAULT_PERSONAS)}


@pytest.mark.stack
def test_every_persona_reaches_a_plan_or_a_person_without_loops(stack: Stack) -> None:
    personas = [p for path in PERSONA_SETS for p in load_personas(path)]
    report = run_simulation(personas, stack.rasa_url, API_TOKEN, OUT, workers=3, quiet=True)
    rows = report["conversations"]
    assert len(rows) == len(personas)
    errors = [f"{r['id']}: {r['error']}" for r in rows if r["error"]]
    assert errors == [], errors
    stuck = [f"{r['id']} ({r['finished']})" for r in rows if r["outcome"] is None]
    looping = [f"{r['id']}: {r['loop_slot']} asked {r['max_consecutive_asks']}x in a row"
               for r in rows if r["max_consecutive_asks"] > MAX_ASKS_IN_A_ROW]
    where = f"transcripts in {OUT / 'transcripts'}"
    assert stuck == [], f"no plan and no handoff for {len(stuck)} of {len(rows)}: {stuck}; {where}"
    assert looping == [], f"a question asked 3+ times in a row for {len(looping)} of {len(rows)}: {looping}; {where}"
