"""Keep the loaded model out of Python's garbage collector once the server has started.

A loaded Rasa server holds millions of long-lived Python objects (the model graph, spaCy's
vocabulary, the place-name gazetteers and ZIP table, the carrier catalog). Python's cyclic
collector walks all of them on every full collection: about 400 ms on this 2-core machine,
during which no turn of any conversation moves. Under load a full collection comes every few
seconds, and those pauses were the p95 spikes of the open-loop capacity benchmark.

After the server has started (the model is loaded), one warm-up parse builds what the first
message would build lazily, the in-process actions' data is loaded, then `gc.freeze()` moves
every object alive at that moment into the permanent generation: the collector no longer
scans them, and still collects everything created afterwards (the turns' garbage) as before.
This is the documented use of `gc.freeze()` for servers (Python docs, gc.freeze).
`GC_FREEZE=0` turns it off.

Every collection's pause is timed (`gc.callbacks`) into the histogram
`carrier_advisor_gc_pause_seconds{generation}` of `GET /metrics`, and the full collections are
summed up in the log at most once a minute: what the conversations held in memory (the tracker
cache) cost the collector is then on record, with the freeze on or off.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from typing import Any, Callable, Optional

log = logging.getLogger(__name__)
WARM_UP_TEXT = "hello, we have 2 offices in Portland, Oregon and need SIP trunks"
FULL = 2  # the oldest generation: a full collection
SUMMARY_EVERY_S = 60.0
_installed = False


class PauseClock:
    """A `gc.callbacks` entry: times each collection and passes (generation, seconds) on."""

    def __init__(self, observe: Callable[[int, float], None],
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.observe, self.clock = observe, clock
        self.full_count, self.full_seconds, self.full_max = 0, 0.0, 0.0
        self._started: Optional[float] = None
        self._summarised_at = clock()

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = self.clock()
            return
        if self._started is None:
            return
        seconds, self._started = self.clock() - self._started, None
        generation = int(info.get("generation", 0))
        self.observe(generation, seconds)
        if generation == FULL:
            self.full_count += 1
            self.full_seconds += seconds
            self.full_max = max(self.full_max, seconds)
            self._summarise()

    def restart(self) -> None:
        """Count afresh (after the start-up, whose collections are not the serving ones)."""
        self.full_count, self.full_seconds, self.full_max = 0, 0.0, 0.0
        self._summarised_at = self.clock()

    def _summarise(self) -> None:
        now = self.clock()
        if now - self._summarised_at < SUMMARY_EVERY_S:
            return
        log.info("gc: %d full collections in %.0f s took %.0f ms (longest %.0f ms)",
                 self.full_count, now - self._summarised_at, self.full_seconds * 1000,
                 self.full_max * 1000)
        self.restart()


def time_pauses() -> PauseClock:
    """Time every collection of this process into the metrics (once per process)."""
    from bot.analytics.ops_metrics import observe_gc_pause

    clock = next((c for c in gc.callbacks if isinstance(c, PauseClock)), None)
    if clock is None:
        clock = PauseClock(observe_gc_pause)
        gc.callbacks.append(clock)
    return clock


def enabled() -> bool:
    return os.environ.get("GC_FREEZE", "1").strip().lower() not in ("0", "false", "no", "off")


def load_action_data() -> None:
    """What the in-process actions load on their first call (no-op for what isn't there)."""
    try:
        from bot.conversation.wording import default_copy
        from bot.domain.catalog import load_default_catalog
        from bot.domain.hours import load_business_hours
        from bot.understanding.vocabulary import load_vocabulary

        load_default_catalog()
        load_business_hours()
        default_copy()
        load_vocabulary()
    except Exception:  # noqa: BLE001 - a warm-up only; the first turn loads it otherwise
        log.warning("could not preload the actions' data before freezing", exc_info=True)


async def freeze_after_start(app: Any, _loop: Any = None) -> None:
    """Sanic `after_server_start` listener: warm up, collect once, freeze."""
    started = time.perf_counter()
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if agent is not None and agent.is_ready():
        try:
            await agent.parse_message(WARM_UP_TEXT)
        except Exception:  # noqa: BLE001 - a warm-up only
            log.warning("warm-up parse failed", exc_info=True)
    load_action_data()
    gc.collect()
    gc.freeze()
    time_pauses().restart()
    log.info("gc: %d objects frozen after start-up (%.0f ms)", gc.get_freeze_count(),
             (time.perf_counter() - started) * 1000)


def install() -> None:
    """Register the listener on the app Rasa configures (idempotent)."""
    global _installed
    if _installed:
        return
    time_pauses()
    if not enabled():
        return
    import rasa.core.run as rasa_run

    original_configure_app = rasa_run.configure_app

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original_configure_app(*args, **kwargs)
        app.register_listener(freeze_after_start, "after_server_start")
        return app

    rasa_run.configure_app = configure_app
    _installed = True
