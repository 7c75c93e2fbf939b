"""The broker's invariants (tests/guidance/invariants.py) over 5,000 generated profiles.

A seeded generator rather than hypothesis: the same 5,000 profiles every run, fast enough for
`make test` (a few seconds), and a failure names the profile's index to replay it.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from bot.domain.catalog import PLACES, Catalog, load_default_catalog
from bot.domain.canonical import CHALLENGES, SERVICES
from bot.domain.coverage import load_default_coverage
from bot.domain.guidance import recommend
from bot.domain.profile import CustomerProfile
from tests.guidance.invariants import violations

SWEEP = 5000
SEED = 20261206
TODAY = date(2026, 12, 6)
# Head offices with a ZIP or city, in split states and elsewhere (city, zip may be None).
PLACES_WITH_ADDRESS = [
    ("NV", "Las Vegas", "89101"), ("NV", "Reno", "89501"), ("NV", None, "89701"), ("NV", "Elko", None),
    ("FL", "Tampa", "33602"), ("FL", "Tallahassee", None), ("FL", "Miami", "33130"), ("NY", "Rochester", "14604"),
    ("NY", "New York", "10001"), ("OH", "Cincinnati", "45202"), ("OH", "Mansfield", "44902"), ("KY", "Covington", None),
    ("NC", "Tarboro", "27886"), ("NC", "Charlotte", "28202"), ("VA", "Charlottesville", None), ("NJ", None, "07860"),
    ("TN", "Kingsport", None), ("IN", "Fort Wayne", "46802"), ("IL", "Bloomington", None), ("OR", "Beaverton", "97005"),
    ("WA", "Everett", None), ("TX", "Dallas", "75201"), ("PR", "San Juan", "00901"), ("NV", "Las Vegas", "10001"),
]
CARRIER_NAMES = ["AT&T", "Verizon", "Verizon Business", "XO", "CenturyLink", "Embarq", "tw telecom", "Lumen",
                 "Frontier", "Brightspeed", "Cogent", "Comcast", "Spectrum", "Cox", "Granite", "Zayo",
                 "Crown Castle Fiber", "GCI", "Midco", "T-Mobile", "Claro", "Liberty", "Acme Telephone", ""]


def generate(rng: random.Random) -> CustomerProfile:
    states = rng.sample(sorted(PLACES), rng.choice([0, 1, 1, 1, 1, 2, 2, 3, 4, 6]))
    if rng.random() < 0.05:
        states.append(rng.choice(["XX", "tx", "", "pr"]))
    city = zip_code = None
    if states and rng.random() < 0.4:
        state, city, zip_code = rng.choice(PLACES_WITH_ADDRESS)
        states = [state] + [s for s in states if s != state]
    contract_end: Any = None
    roll = rng.random()
    if roll < 0.4:
        contract_end = (TODAY + timedelta(days=rng.randint(-200, 900))).isoformat()
    elif roll < 0.5:
        contract_end = (TODAY + timedelta(days=rng.randint(-60, 700))).isoformat()[:7]
    elif roll < 0.52:
        contract_end = rng.choice(["soon", "2027-13", "2027-02-30"])
    return CustomerProfile(
        states=tuple(states),
        city=city,
        zip_code=zip_code,
        num_locations=rng.choice([None, 1, 1, 2, 3, 5, 12, 40, 0, -1]),
        employees=rng.choice([None, 5, 25, 80, 200, 499, 500, 2000, 0]),
        services=tuple(rng.sample(list(SERVICES), rng.choice([0, 1, 1, 2, 2, 3, 4]))),
        challenges=tuple(rng.sample(list(CHALLENGES), rng.choice([0, 0, 1, 1, 2, 3]))),
        current_carrier=rng.choice(CARRIER_NAMES + [None] * 8) or None,
        contract_end=contract_end,
    )


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_default_catalog()


def test_sweep_of_generated_profiles_keeps_every_invariant(catalog: Catalog) -> None:
    rng = random.Random(SEED)
    coverage = load_default_coverage()
    failures: list[str] = []
    counts: Counter[str] = Counter()
    for index in range(SWEEP):
        profile = generate(rng)
        rec = recommend(profile, catalog, coverage=coverage, today=TODAY)
        counts.update(rec.guidelines)
        counts["plans"] += 1
        for problem in violations(rec, profile, catalog):
            failures.append(f"#{index} {problem} :: {profile}")
    assert not failures, f"{len(failures)} violations, first ones:\n" + "\n".join(failures[:15])
    # No guideline rides along with (almost) every plan, so each one still means something.
    plans = counts.pop("plans")
    for gid, n in counts.items():
        if gid not in ("R1",):  # R1 (work through an agent) is the agency's framing: always
            assert n / plans < 0.9, f"{gid} in {n / plans:.0%} of plans"


def test_sweep_is_deterministic(catalog: Catalog) -> None:
    coverage = load_default_coverage()
    rng = random.Random(SEED)
    for _ in range(200):
        profile = generate(rng)
        first = recommend(profile, catalog, coverage=coverage, today=TODAY).to_dict()
        assert recommend(profile, catalog, coverage=coverage, today=TODAY).to_dict() == first
