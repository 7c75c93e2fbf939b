"""The open-loop capacity search of `make bench` (scripts/bench_capacity.py): its arithmetic, and
one short staircase against a stand-in REST channel."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from scripts.bench_capacity import Run, Turn, capacity, mean_population, percentile, step_report


def test_mean_population_is_time_averaged() -> None:
    # one customer for the whole window, a second for its second half
    changes = [(0.0, 1), (5.0, 1), (20.0, -1), (20.0, -1)]
    assert mean_population(changes, 0.0, 10.0) == pytest.approx(1.5)
    assert mean_population(changes, 5.0, 10.0) == pytest.approx(2.0)
    assert mean_population([], 0.0, 10.0) == 0.0
    assert mean_population([(2.0, 1), (4.0, -1)], 0.0, 10.0) == pytest.approx(0.2)


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.5) == 50
    assert percentile([7.0], 0.95) == 7.0


def test_step_verdicts() -> None:
    run = Run()
    run.turns = [Turn(i * 0.1, i * 0.1 + 0.2, True) for i in range(30)]
    assert step_report(run, 0, 1.0, 0.0, 10.0, 500.0)["verdict"] == "pass"
    assert step_report(run, 0, 1.0, 0.0, 10.0, 100.0)["verdict"] == "over"
    assert step_report(run, 0, 1.0, 0.0, 1.0, 500.0)["verdict"] == "few turns"
    run.turns[0] = Turn(0.0, 0.1, False)  # 1 error in 30 turns: over 1 %
    assert step_report(run, 0, 1.0, 0.0, 10.0, 500.0)["verdict"] == "over"


async def against(webhook: Any, **search: Any) -> dict[str, Any]:
    """The capacity search against a stand-in REST channel answering with `webhook`."""
    from aiohttp import web

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        return await capacity(f"http://127.0.0.1:{port}", ["hi", "40 employees"], **search)
    finally:
        await runner.cleanup()


def test_a_short_staircase_against_a_stand_in_channel() -> None:
    from aiohttp import web

    async def scenario() -> dict[str, Any]:
        in_flight = 0

        async def webhook(request: web.Request) -> web.Response:
            nonlocal in_flight
            body = await request.json()
            assert set(body) == {"sender", "message"}
            in_flight += 1
            try:
                await asyncio.sleep(0.01 * in_flight)  # slower the more customers wait
            finally:
                in_flight -= 1
            return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

        return await against(webhook, start_rate=20.0, factor=2.0, step_s=1.5, budget_s=3.5,
                             think_s=(0.05, 0.1), p95_limit_ms=500.0)

    result = asyncio.run(scenario())
    assert [s["step"] for s in result["steps"]] == [0, 1]
    assert result["steps"][1]["arrivals_per_s"] == 40.0
    assert all(s["verdict"] == "pass" and s["errors"] == 0 for s in result["steps"])
    assert result["capacity_customers"] == max(s["customers"] for s in result["steps"]) > 0
    assert result["loadgen_cpu_s"] > 0 and result["loadgen_cpu_share"] is not None
    assert result["limit_reached"] is False


def test_the_search_stops_at_the_first_failing_step() -> None:
    """A step over the limit ends the search: a higher load passing afterwards would be one
    window's noise, not capacity."""
    from aiohttp import web

    async def scenario() -> dict[str, Any]:
        began = asyncio.get_running_loop().time()

        async def webhook(request: web.Request) -> web.Response:
            body = await request.json()
            # slow only during the second step (1.5-3.0 s); fast again afterwards
            if 1.5 <= asyncio.get_running_loop().time() - began < 3.0:
                await asyncio.sleep(0.3)
            return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

        return await against(webhook, start_rate=20.0, factor=1.0, step_s=1.5, budget_s=8.0,
                             think_s=(0.05, 0.1), p95_limit_ms=200.0)

    result = asyncio.run(scenario())
    assert [s["verdict"] for s in result["steps"]] == ["pass", "over"]  # no third step
    assert result["limit_reached"] is True
    assert result["capacity_customers"] == result["steps"][0]["customers"]


def test_capacity_searches_run_abba_and_each_assistant_gets_its_mean(monkeypatch: Any) -> None:
    """`make bench` searches stock, ours, ours, stock; each capacity is the mean of two."""
    import argparse

    from scripts import bench

    order: list[str] = []
    found = {"baseline": iter([100.0, 80.0]), "ours": iter([95.0, 105.0])}

    def search(name: str, url: str, script: Any, closed: float, pids: Any,
               options: Any) -> dict[str, Any]:
        order.append(name)
        return {"capacity_customers": next(found[name]), "capacity_msgs_per_s": 10.0,
                "capacity_p95_ms": 300.0, "limit_reached": name == "ours" or len(order) < 4,
                "loadgen_cpu_share": 0.031, "server_cpu_share": 0.9, "steps": [{"step": 0}]}

    monkeypatch.setattr(bench, "capacity", search)
    result = bench.capacities(bench.Server("baseline", "u1", (), [1]),
                              bench.Server("ours", "u2", (), [2]), 40.0, argparse.Namespace())
    assert order == ["baseline", "ours", "ours", "baseline"]
    assert result["ours"]["capacity_customers"] == 100.0
    assert result["baseline"]["capacity_customers"] == 90.0
    assert result["ours"]["searches"] == [95.0, 105.0]
    assert result["ours"]["limit_reached"] and not result["baseline"]["limit_reached"]
    assert result["ours"]["loadgen_cpu_share"] == 0.031


def test_idle_latency_is_measured_abba_too(monkeypatch: Any) -> None:
    from scripts import bench

    order: list[str] = []

    async def conversations(url: str, script: Any, count: int, prefix: str) -> list[float]:
        order.append(url)
        return [10.0 * count] * 5 if url == "u1" else [5.0 * count] * 5

    monkeypatch.setattr(bench, "_idle", conversations)
    found = bench.idles(bench.Server("baseline", "u1", (), [1]), bench.Server("ours", "u2", (), [2]), 6)
    assert order == ["u1", "u2", "u2", "u1"]
    assert found["baseline"]["idle_p50_ms"] == 60.0 and found["ours"]["idle_p50_ms"] == 30.0
    assert found["ours"]["idle_turns"] == 10


def test_closed_loops_run_abba_and_add_up(monkeypatch: Any) -> None:
    import argparse

    from scripts import bench

    order: list[str] = []

    def measured(name: str, urls: Any, script: Any, customers: int, rounds: int,
                 pids: Any = ()) -> dict[str, Any]:
        order.append(name)
        wall = 10.0 if name == "ours" else 20.0
        latencies = [100.0] * 200 if len(order) < 3 else [300.0] * 200
        return {**bench.latency_summary(latencies, wall), "errors": 0, "loadgen_cpu_share": 0.03,
                "server_cpu_ms_per_msg": 20.0 if len(order) < 3 else 30.0}

    monkeypatch.setattr(bench, "measure", measured)
    found = bench.closed_loops(bench.Server("baseline", "u1", (), [1]), bench.Server("ours", "u2", (), [2]),
                               argparse.Namespace(customers=20, rounds=3))
    assert order == ["baseline", "ours", "ours", "baseline"]
    assert found["ours"]["messages"] == 400 and found["ours"]["msgs_per_s"] == 20.0  # 400 in 20 s
    assert found["baseline"]["msgs_per_s"] == 10.0  # 400 in 40 s
    assert found["ours"]["server_cpu_ms_per_msg"] == 25.0  # 20 then 30 ms, 200 messages each
    assert found["ours"]["msgs_per_s_each"] == [20.0, 20.0]
    assert found["baseline"]["p95_ms"] == 300.0
