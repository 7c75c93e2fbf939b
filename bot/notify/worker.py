"""The outbox's delivery worker: a thread that delivers what is due, every few seconds.

It runs in the process that runs the custom actions (the Rasa server by default, the action
server with ACTIONS_MODE=http): that process writes the lead and outbox spools while the
database is down, so it is the one that can replay them (in the scaled deployment each
Rasa/action pair has its own var/). Several such processes share the work safely: a row is
claimed by one conditional UPDATE (bot.outbox.store), so none is sent twice.

Each pass: replay the spools, then claim and deliver due rows. `wake()` runs a pass now.
A thread, not an asyncio task: the notifiers block (slack_sdk, smtplib), and the worker must
not depend on whose event loop the actions run on.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Optional

from bot.leads.store import LeadStoreUnavailable
from bot.notify.delivery import OutboxDelivery

log = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(self, make_delivery: Callable[[], OutboxDelivery], poll_s: float = 5.0,
                 name: str = "outbox-delivery") -> None:
        self._make_delivery = make_delivery
        self.poll_s = poll_s
        self.name = name
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self.passes = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> "OutboxWorker":
        with self._lock:
            if not self.running:
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        return self

    def wake(self) -> None:
        """Run a pass now (something was queued)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def run_pass(self) -> int:
        """One pass; returns how many deliveries were tried. Never raises."""
        try:
            delivery = self._make_delivery()
            delivery.replay_spools()
            return len(delivery.deliver_due(limit=100))
        except LeadStoreUnavailable as error:
            log.debug("outbox pass skipped: %s", error)
        except Exception:  # noqa: BLE001 - the worker must outlive any one bad pass
            log.exception("outbox delivery pass failed")
        finally:
            self.passes += 1
        return 0

    def _run(self) -> None:
        log.info("outbox delivery worker started (every %.1f s)", self.poll_s)
        while not self._stop.is_set():
            tried = self.run_pass()
            if tried:
                continue  # more may be due right away (the next message of a lead)
            self._wake.wait(self.poll_s)
            self._wake.clear()
