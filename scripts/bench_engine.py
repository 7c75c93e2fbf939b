"""Measure the guidance engine: microseconds per recommend() over a fixed set of varied profiles.

Prints one JSON line, e.g. {"engine_us_per_recommendation": 180.4, ...}. Part of `make bench`;
tests make no timing assertions. Usage: .venv/bin/python scripts/bench_engine.py [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.catalog import load_default_catalog  # noqa: E402
from bot.domain.guidance import load_default_copy, recommend  # noqa: E402
from bot.domain.profile import CustomerProfile  # noqa: E402

# Small and large, every region, with and without challenges, plus missing facts and no coverage.
PROFILES = (
    CustomerProfile(states=("TX",), num_locations=3, services=("t1", "pri"), challenges=("high_cost",)),
    CustomerProfile(states=("OR",), num_locations=2, services=("dia", "ethernet"),
                    challenges=("need_redundancy", "poor_support"), current_carrier="CenturyLink"),
    CustomerProfile(states=("NY", "NJ"), num_locations=12, employees=200, services=("ethernet", "dia")),
    CustomerProfile(states=("TX", "CA", "NY", "IL", "FL"), num_locations=60, employees=1500,
                    services=("mpls", "dia", "sip"), challenges=("need_redundancy", "vendor_dependence")),
    CustomerProfile(states=("ND",), num_locations=2, services=("dia",)),
    CustomerProfile(states=("AK",), services=("pri", "dia"), challenges=("high_cost", "slow_install")),
    CustomerProfile(states=("ME",), services=("t1",), challenges=("contract_inflexibility",)),
    CustomerProfile(states=("CO", "UT", "ID"), num_locations=5, services=("mpls", "sdwan"),
                    challenges=("multi_site_management", "reliability")),
    CustomerProfile(states=("GA",), num_locations=1, challenges=("bandwidth",)),
    CustomerProfile(),
)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="passes over the profile set")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the median is reported")
    args = parser.parse_args(argv)

    catalog = load_default_catalog()
    copy = load_default_copy()
    for profile in PROFILES:  # warm: caches loaded, code paths hot
        recommend(profile, catalog, copy)

    per_call: list[float] = []
    gc.disable()  # a collection pause is not the engine's cost
    try:
        for _ in range(args.repeats):
            start = time.perf_counter()
            for _ in range(args.rounds):
                for profile in PROFILES:
                    recommend(profile, catalog, copy)
            elapsed = time.perf_counter() - start
            per_call.append(elapsed / (args.rounds * len(PROFILES)) * 1e6)
    finally:
        gc.enable()

    print(json.dumps({
        "engine_us_per_recommendation": round(statistics.median(per_call), 1),
        "engine_us_best": round(min(per_call), 1),
        "engine_profiles": len(PROFILES),
        "engine_calls": args.rounds * len(PROFILES) * args.repeats,
        "catalog_carriers": len(catalog.carriers),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
