"""The domain services the actions use, built lazily once per action-server process.

Nothing is built at import time: the action server imports this package at start-up,
and tests replace these accessors with fakes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from bot.base.settings import Settings

if TYPE_CHECKING:
    from bot.domain.catalog import Catalog
    from bot.domain.handoff_policy import HandoffPolicy
    from bot.domain.hours import BusinessHours
    from bot.leads.store import LeadStore
    from bot.notify.base import Notifiers
    from bot.notify.delivery import OutboxDelivery
    from bot.notify.worker import OutboxWorker
    from bot.understanding.vocabulary import Vocabulary


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


def catalog() -> "Catalog":
    from bot.domain.catalog import load_default_catalog

    return load_default_catalog()  # re-read when carriers.yml changes


def vocabulary() -> "Vocabulary":
    from bot.understanding.vocabulary import load_vocabulary

    return load_vocabulary()  # re-read when vocabulary.yml changes


def lead_store() -> "LeadStore":
    """The process's lead store (one per database URL). Opening it never touches the
    database: while that is down, leads are spooled, and the schema is migrated on first
    contact."""
    from bot.leads.store import open_lead_store

    return open_lead_store(settings())


def business_hours() -> "BusinessHours":
    from bot.domain.hours import load_business_hours

    return load_business_hours()  # re-read when business_hours.yml changes


@lru_cache(maxsize=1)
def handoff_policy() -> "HandoffPolicy":
    from bot.domain.handoff_policy import DEFAULT_POLICY

    return DEFAULT_POLICY


@lru_cache(maxsize=1)
def notifiers() -> "Notifiers":
    """Who hears about handoffs (Slack when configured); see bot/notify/base.py."""
    from bot.notify.base import notifiers_from_settings

    return notifiers_from_settings(settings())


def outbox_delivery() -> "OutboxDelivery":
    """The outbox of the lead database, delivered through `notifiers()` (cheap: built per
    use, like the store it wraps)."""
    from bot.notify.delivery import OutboxDelivery
    from bot.outbox.retry import RetryPolicy
    from bot.outbox.store import Outbox

    config = settings()
    policy = RetryPolicy(max_attempts=config.outbox_max_attempts,
                         base_s=config.outbox_retry_base_s)
    return OutboxDelivery(Outbox(lead_store(), policy=policy), lead_store(), notifiers())


@lru_cache(maxsize=1)
def outbox_worker() -> "OutboxWorker":
    """The process's delivery worker (bot/notify/worker.py), started on first use: by the
    first lead this process saves or message it queues. It delivers what is due every
    OUTBOX_POLL_S seconds."""
    from bot.notify.worker import OutboxWorker

    return OutboxWorker(lambda: outbox_delivery(), poll_s=settings().outbox_poll_s).start()
