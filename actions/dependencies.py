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
    from bot.domain.hours import BusinessHours
    from bot.leads.store import LeadStore
    from bot.notify.slack import SlackNotifier


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def catalog() -> "Catalog":
    from bot.domain.catalog import load_default_catalog

    return load_default_catalog()


@lru_cache(maxsize=1)
def lead_store() -> "LeadStore":
    from bot.leads.store import LeadStore

    store = LeadStore(settings().effective_database_url)
    store.migrate()
    return store


@lru_cache(maxsize=1)
def business_hours() -> "BusinessHours":
    from bot.domain.hours import load_business_hours

    return load_business_hours()


@lru_cache(maxsize=1)
def slack() -> "SlackNotifier":
    from bot.notify.slack import SlackNotifier

    return SlackNotifier(settings())
