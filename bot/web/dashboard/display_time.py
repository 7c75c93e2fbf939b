"""Times as an agent reads them all day: in the agency's time zone, "Tue Dec 1, 10:31 PM".

`agent_time` is the templates' `agent_time` filter (registered by `create_dashboard`); it takes
an aware datetime or the ISO-8601 text a transcript stores, and gives anything else back as it is.
"""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Any, Optional

FORMAT = "%a %b {day}, {hour}:%M %p"


def agent_time(value: Any, tz: tzinfo, now: Optional[datetime] = None) -> str:
    """`value` in `tz`, e.g. "Tue Dec 1, 10:31 PM"; the year is added when it is not this year."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # the stores write UTC
    local = value.astimezone(tz)
    text = local.strftime(FORMAT.format(day=local.day, hour=local.hour % 12 or 12))
    this_year = (now or datetime.now(timezone.utc)).astimezone(tz).year
    return text if local.year == this_year else f"{text}, {local.year}"
