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
"""

from __future__ import annotations

import gc
import logging
import os
import time
from typing import Any

log = logging.getLogger(__name__)
WARM_UP_TEXT = "hello, we have 2 offices in Portland, Oregon and need SIP trunks"
_installed = False


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
    log.info("gc: %d objects frozen after start-up (%.0f ms)", gc.get_freeze_count(),
             (time.perf_counter() - started) * 1000)


def install() -> None:
    """Register the listener on the app Rasa configures (idempotent)."""
    global _installed
    if _installed or not enabled():
        return
    import rasa.core.run as rasa_run

    original_configure_app = rasa_run.configure_app

    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original_configure_app(*args, **kwargs)
        app.register_listener(freeze_after_start, "after_server_start")
        return app

    rasa_run.configure_app = configure_app
    _installed = True
