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
