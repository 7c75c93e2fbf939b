"""Values a database refuses, made safe before a lead is stored.

PostgreSQL refuses a NUL character in text and in JSONB (`\\u0000 cannot be converted to
text`), and a string longer than a VARCHAR column. Either would make a save fail for good,
and a spooled save fail on every replay. NULs carry no meaning in a chat: they are dropped.
The channel name is ours or a REST client's free text: it is clipped to its column.
"""

from __future__ import annotations

from typing import Any

#: `leads.channel` is VARCHAR(64) (bot.leads.models).
MAX_CHANNEL_CHARS = 64


def strip_nul(value: Any) -> Any:
    """`value` with every NUL character removed from its strings (keys too), recursively."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {strip_nul(k): strip_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(strip_nul(v) for v in value)
    return value


def clean_channel(channel: Any) -> str:
    """A storable channel name: printable, at most MAX_CHANNEL_CHARS, "unknown" when empty."""
    text = "".join(ch for ch in str(channel or "") if ch.isprintable()).strip()
    return text[:MAX_CHANNEL_CHARS] or "unknown"
