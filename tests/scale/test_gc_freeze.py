"""The Rasa server freezes its start-up objects out of the collector's reach
(bot/rasa_adapters/server/gc_freeze.py), after warming up what the first turn would load."""

from __future__ import annotations

import asyncio
import gc
from types import SimpleNamespace
from typing import Any

from bot.rasa_adapters.server import gc_freeze


class FakeAgent:
    def __init__(self) -> None:
        self.parsed: list[str] = []

    def is_ready(self) -> bool:
        return True

    async def parse_message(self, text: str) -> dict[str, Any]:
        self.parsed.append(text)
        return {}


def test_start_up_objects_are_frozen_after_a_warm_up_parse() -> None:
    agent = FakeAgent()
    try:
        asyncio.run(gc_freeze.freeze_after_start(SimpleNamespace(ctx=SimpleNamespace(agent=agent))))
        assert agent.parsed == [gc_freeze.WARM_UP_TEXT]
        assert gc.get_freeze_count() > 10_000  # the imported code and data, at least
        # the pause log counts the serving process's collections, not the start-up's
        clock = gc_freeze.time_pauses()
        assert clock in gc.callbacks and clock.full_count == 0
        # what is created later is still collected
        before = gc.get_freeze_count()
        cycle: list[Any] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1 and gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_it_can_be_turned_off(monkeypatch: Any) -> None:
    monkeypatch.setenv("GC_FREEZE", "0")
    assert not gc_freeze.enabled()
    monkeypatch.setenv("GC_FREEZE", "1")
    assert gc_freeze.enabled()


def test_every_collection_is_timed_and_full_ones_are_summed_up(caplog: Any) -> None:
    seen: list[tuple[int, float]] = []
    now = [0.0]
    clock = gc_freeze.PauseClock(lambda generation, seconds: seen.append((generation, seconds)),
                                 clock=lambda: now[0])
    for generation, pause in ((0, 0.001), (2, 0.3), (2, 0.1)):
        clock("start", {"generation": generation})
        now[0] += pause
        clock("stop", {"generation": generation})
    assert [g for g, _ in seen] == [0, 2, 2]
    assert [round(s, 3) for _, s in seen] == [0.001, 0.3, 0.1]
    assert clock.full_count == 2 and round(clock.full_max, 3) == 0.3
    now[0] += gc_freeze.SUMMARY_EVERY_S
    with caplog.at_level("INFO", logger=gc_freeze.__name__):
        clock("start", {"generation": 2})
        now[0] += 0.2
        clock("stop", {"generation": 2})
    assert "3 full collections" in caplog.text and "took 600 ms (longest 300 ms)" in caplog.text
    assert clock.full_count == 0  # counted afresh after each summary


def test_the_real_collector_reports_its_pauses() -> None:
    seen: list[int] = []
    clock = gc_freeze.PauseClock(lambda generation, seconds: seen.append(generation))
    gc.callbacks.append(clock)
    try:
        gc.collect(2)
    finally:
        gc.callbacks.remove(clock)
    assert seen == [2]
