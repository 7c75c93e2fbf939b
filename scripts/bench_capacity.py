"""Open-loop capacity: customers arrive at a rate, think 5-20 s between messages, and hold whole
conversations; how many can be in a conversation at once with p95 <= 500 ms per turn?

Customers arrive as a Poisson process; each says the whole script, waiting for each answer
and then thinking a uniformly random 5-20 s before the next message (the first message comes
on arrival). The arrival rate climbs in steps (`--factor` every `--step-s` seconds) while the
customers of earlier steps carry on. Per step: the time-averaged number of customers in a
conversation ("simultaneous customers"), turns completed, p50/p95 and errors. The search
stops at the first step that fails (p95 over the limit, or more than 1% errors; a step with
fewer than 20 turns counts neither way) or when the time budget is spent; the capacity is the
largest simultaneous-customer count of a step that passed, so every lower load passed too.
(Until 2026-12-06 the search went on to a second failure and a pass after a failure counted:
a higher load passing after a lower one failed is the noise of one 30 s window, not capacity;
it decided one full run, docs/deployment.md.)

A separate process from the Rasa server and from `make bench` (scripts/bench.py runs it as
`python -m scripts.bench_capacity ...`): it reports its own CPU time, so the share of the
machine the load generator took is on record. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import resource
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

P95_LIMIT_MS = 500.0
MAX_ERROR_SHARE = 0.01
MIN_TURNS = 20  # fewer turns in a step say nothing about its p95
THINK_S = (5.0, 20.0)


@dataclass
class Turn:
    started: float
    ended: float
    ok: bool

    @property
    def ms(self) -> float:
        return (self.ended - self.started) * 1000


@dataclass
class Run:
    """What the customers did, on the generator's monotonic clock."""

    turns: list[Turn] = field(default_factory=list)
    population: list[tuple[float, int]] = field(default_factory=list)  # (time, +1 / -1)
    active: int = 0

    def customer_in(self, now: float) -> None:
        self.active += 1
        self.population.append((now, 1))

    def customer_out(self, now: float) -> None:
        self.active -= 1
        self.population.append((now, -1))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` quantile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def mean_population(changes: Sequence[tuple[float, int]], start: float, end: float) -> float:
    """Time-averaged number of customers in a conversation over [start, end)."""
    level, area, last = 0, 0.0, start
    for moment, delta in sorted(changes):
        if moment >= end:
            break
        if moment > start:
            area += level * (moment - last)
            last = moment
        level += delta
    area += level * (end - last)
    return area / (end - start) if end > start else 0.0


def step_report(run: Run, index: int, rate: float, start: float, end: float,
                p95_limit_ms: float) -> dict[str, Any]:
    """The turns that ended in [start, end) and the customers present meanwhile."""
    turns = [t for t in run.turns if start <= t.ended < end]
    latencies = [t.ms for t in turns]
    errors = sum(1 for t in turns if not t.ok)
    report: dict[str, Any] = {
        "step": index,
        "arrivals_per_s": round(rate, 3),
        "customers": round(mean_population(run.population, start, end), 1),
        "turns": len(turns),
        "msgs_per_s": round(len(turns) / (end - start), 2),
        "errors": errors,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
    }
    within = bool(latencies) and report["p95_ms"] <= p95_limit_ms and \
        errors <= MAX_ERROR_SHARE * len(turns)
    report["verdict"] = "few turns" if len(turns) < MIN_TURNS else "pass" if within else "over"
    return report


async def capacity(url: str, script: Sequence[str], start_rate: float, factor: float,
                   step_s: float, budget_s: float, think_s: tuple[float, float] = THINK_S,
                   p95_limit_ms: float = P95_LIMIT_MS, seed: int = 16,
                   log: Any = None) -> dict[str, Any]:
    """Run the staircase against one Rasa server's REST channel."""
    import aiohttp

    arrivals, thinking = random.Random(seed), random.Random(seed + 1)
    run = Run()
    prefix = f"cap-{uuid.uuid4().hex[:6]}"
    steps: list[dict[str, Any]] = []
    customers: set[asyncio.Task[None]] = set()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=60)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def customer(number: int) -> None:
            sender = f"{prefix}-{number}"
            run.customer_in(time.monotonic())
            try:
                for index, message in enumerate(script):
                    if index:
                        await asyncio.sleep(thinking.uniform(*think_s))
                    started = time.monotonic()
                    ok = False
                    try:
                        async with session.post(f"{url}/webhooks/rest/webhook",
                                                json={"sender": sender, "message": message}) as resp:
                            body = await resp.json(content_type=None)
                            ok = resp.status == 200 and isinstance(body, list) and bool(body)
                    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                        ok = False
                    run.turns.append(Turn(started, time.monotonic(), ok))
            finally:
                run.customer_out(time.monotonic())

        began = time.monotonic()
        number, failed, rate = 0, False, start_rate
        for index in range(1000):
            step_start = time.monotonic()
            step_end = step_start + step_s
            next_arrival = step_start + arrivals.expovariate(rate)
            while True:
                now = time.monotonic()
                if next_arrival >= step_end:
                    await asyncio.sleep(max(0.0, step_end - now))
                    break
                await asyncio.sleep(max(0.0, next_arrival - now))
                task = asyncio.create_task(customer(number))
                customers.add(task)
                task.add_done_callback(customers.discard)
                number += 1
                next_arrival += arrivals.expovariate(rate)
            report = step_report(run, index, rate, step_start, step_end, p95_limit_ms)
            steps.append(report)
            if log:
                log(f"  step {index}: {report['arrivals_per_s']}/s arriving, "
                    f"{report['customers']} customers, {report['msgs_per_s']} msg/s, "
                    f"p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
                    f"{report['errors']} errors: {report['verdict']}")
            failed = report["verdict"] == "over"
            if failed or time.monotonic() - began + step_s > budget_s:
                break
            rate *= factor
        for task in list(customers):
            task.cancel()
        await asyncio.gather(*customers, return_exceptions=True)
        wall = time.monotonic() - began

    passed = [s for s in steps if s["verdict"] == "pass"]
    best: Optional[dict[str, Any]] = max(passed, key=lambda s: s["customers"], default=None)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "capacity_customers": best["customers"] if best else 0.0,
        "capacity_msgs_per_s": best["msgs_per_s"] if best else 0.0,
        "capacity_p95_ms": best["p95_ms"] if best else None,
        "limit_reached": failed,
        "steps": steps,
        "customers_started": number,
        "wall_s": round(wall, 1),
        "loadgen_cpu_s": round(cpu, 2),
        "loadgen_cpu_share": round(cpu / wall, 3) if wall else None,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--script", required=True, help="JSON list of the customer's messages")
    parser.add_argument("--start-rate", type=float, required=True, help="arrivals per second")
    parser.add_argument("--factor", type=float, default=1.25)
    parser.add_argument("--step-s", type=float, default=30.0)
    parser.add_argument("--budget-s", type=float, default=330.0)
    parser.add_argument("--think-min", type=float, default=THINK_S[0])
    parser.add_argument("--think-max", type=float, default=THINK_S[1])
    parser.add_argument("--p95-limit-ms", type=float, default=P95_LIMIT_MS)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    result = asyncio.run(capacity(
        args.url, json.loads(args.script), args.start_rate, args.factor, args.step_s,
        args.budget_s, (args.think_min, args.think_max), args.p95_limit_ms, args.seed, log))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
