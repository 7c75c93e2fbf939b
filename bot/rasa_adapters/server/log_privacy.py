"""The Rasa server's logs never carry a customer's e-mail or phone number.

Rasa logs message text on errors, pika can log whole events, and a SQLAlchemy error prints
`[parameters: ...]` with the tracker's serialised events. Every log record is redacted
(`bot.base.privacy.install_log_redaction`), and the SQL tracker store's engine is created with
`hide_parameters=True`, so its errors never hold the values at all.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from bot.base.privacy import install_log_redaction


def install() -> None:
    import rasa.core.tracker_store as tracker_store

    install_log_redaction()
    original: Callable[..., Dict[str, Any]] = tracker_store.create_engine_kwargs

    def create_engine_kwargs(url: Any) -> Dict[str, Any]:
        return {**original(url), "hide_parameters": True}

    tracker_store.create_engine_kwargs = create_engine_kwargs
