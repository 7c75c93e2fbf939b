"""The expert table (tests/guidance/expert_profiles.yml): each profile's plan, checked the way a
broker would check it, plus the invariants every plan keeps."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.catalog import Catalog, load_default_catalog
from bot.domain.coverage import load_default_coverage
from bot.domain.guidance import Recommendation, recommend
from bot.domain.profile import CustomerProfile
from tests.guidance.invariants import says, violations

TABLE = Path(__file__).with_name("expert_profiles.yml")
DEFAULT_TODAY = date(2026, 12, 6)
PROFILES: list[dict[str, Any]] = yaml.safe_load(TABLE.read_text(encoding="utf-8"))["profiles"]
KNOWN = {"incumbent", "level", "roles", "in_plan", "not_in_plan", "not_role", "kind", "services", "guidelines",
         "not_guidelines", "attached", "not_attached", "handoff", "says", "not_says", "keys", "not_keys"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_default_catalog()


def _profile(raw: dict[str, Any]) -> CustomerProfile:
    fields = dict(raw)
    for key in ("states", "services", "challenges"):
        fields[key] = tuple(fields.get(key) or ())
    return CustomerProfile(**fields)


def _today(entry: dict[str, Any]) -> date:
    value = entry.get("today", DEFAULT_TODAY)
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def problems(rec: Recommendation, expect: dict[str, Any]) -> list[str]:
    """What the plan gets wrong against the broker's expectations."""
    bad: list[str] = []
    names = {c.name for c in rec.carriers}
    roles: dict[str, list[str]] = {}
    for c in rec.carriers:
        roles.setdefault(c.role, []).append(c.name)
    for state, name in (expect.get("incumbent") or {}).items():
        if rec.incumbent_of(state) != name:
            bad.append(f"incumbent of {state}: {rec.incumbent_of(state)}, expected {name}")
    if "level" in expect and rec.coverage_level != expect["level"]:
        bad.append(f"level {rec.coverage_level}, expected {expect['level']}")
    for role, wanted in (expect.get("roles") or {}).items():
        if roles.get(role, []) != list(wanted):
            bad.append(f"{role}: {roles.get(role, [])}, expected {wanted}")
    for name in expect.get("in_plan") or []:
        if name not in names:
            bad.append(f"{name} missing from the plan")
    for name in expect.get("not_in_plan") or []:
        if name in names:
            bad.append(f"{name} should not be in the plan")
    for role, unwanted in (expect.get("not_role") or {}).items():
        for name in unwanted:
            if name in roles.get(role, []):
                bad.append(f"{name} should not be {role}")
    for name, kind in (expect.get("kind") or {}).items():
        pick = rec.pick(name)
        if pick is None or pick.kind != kind:
            bad.append(f"{name} kind {pick.kind if pick else None}, expected {kind}")
    for name, services in (expect.get("services") or {}).items():
        pick = rec.pick(name)
        if pick is None or list(pick.services) != list(services):
            bad.append(f"{name} services {pick.services if pick else None}, expected {services}")
    for gid in expect.get("guidelines") or []:
        if gid not in rec.guidelines:
            bad.append(f"{gid} not applied ({rec.guidelines})")
    for gid in expect.get("not_guidelines") or []:
        if gid in rec.guidelines:
            bad.append(f"{gid} applied but should not be")
    for gid, carriers in (expect.get("attached") or {}).items():
        for name in carriers:
            pick = rec.pick(name)
            if pick is None or gid not in pick.guidelines:
                bad.append(f"{gid} not attached to {name}")
    for gid, carriers in (expect.get("not_attached") or {}).items():
        for name in carriers:
            pick = rec.pick(name)
            if pick is not None and gid in pick.guidelines:
                bad.append(f"{gid} attached to {name}")
    if "handoff" in expect and rec.handoff_reason != expect["handoff"]:
        bad.append(f"handoff {rec.handoff_reason}, expected {expect['handoff']}")
    for text in expect.get("says") or []:
        if not says(rec, str(text)):
            bad.append(f"plan doesn't say {text!r}")
    for text in expect.get("not_says") or []:
        if says(rec, str(text)):
            bad.append(f"plan says {text!r}")
    for key in expect.get("keys") or []:
        if key not in rec.plan_keys:
            bad.append(f"no {key} step ({rec.plan_keys})")
    for key in expect.get("not_keys") or []:
        if key in rec.plan_keys:
            bad.append(f"unexpected {key} step")
    return bad


def test_table_is_broad_enough() -> None:
    assert len(PROFILES) >= 40
    ids = [p["id"] for p in PROFILES]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)
    for entry in PROFILES:
        assert entry.get("broker"), entry["id"]
        assert set(entry.get("expect") or {}) <= KNOWN, (entry["id"], set(entry["expect"]) - KNOWN)
        assert entry.get("expect"), f"{entry['id']} checks nothing"


@pytest.mark.parametrize("entry", PROFILES, ids=[p["id"] for p in PROFILES])
def test_expert_profile(catalog: Catalog, entry: dict[str, Any]) -> None:
    profile = _profile(entry["profile"])
    rec = recommend(profile, catalog, coverage=load_default_coverage(), today=_today(entry))
    found = problems(rec, entry.get("expect") or {}) + violations(rec, profile, catalog)
    assert not found, f"{entry['broker']}\n" + "\n".join(found) + "\n\nplan:\n" + "\n".join(rec.plan) + \
        "\ncarriers: " + "; ".join(f"{c.name}/{c.role}/{c.kind}/{c.services}/{c.guidelines}" for c in rec.carriers)
