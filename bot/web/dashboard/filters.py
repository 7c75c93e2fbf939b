"""The lead list's and the CSV export's filters, from the query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Dict, Optional
from urllib.parse import urlencode

from bot.domain.canonical import GRADES, LEAD_STATUSES

MAX_SEARCH_CHARS = 100


@dataclass(frozen=True)
class LeadFilters:
    """The list/export filters, parsed from the query string (invalid values are ignored)."""

    grade: Optional[str] = None
    status: Optional[str] = None
    after_hours: Optional[bool] = None
    since: Optional[date] = None
    until: Optional[date] = None
    #: search: part of a company, contact, e-mail or phone (bot.leads.store.search_condition)
    q: Optional[str] = None

    @classmethod
    def from_args(cls, args: Any) -> "LeadFilters":
        def one(name: str) -> str:
            return (args.get(name) or "").strip()

        def day(name: str) -> Optional[date]:
            try:
                return date.fromisoformat(one(name)) if one(name) else None
            except ValueError:
                return None

        after = one("after_hours").lower()
        return cls(
            grade=one("grade").upper() if one("grade").upper() in GRADES else None,
            status=one("status") if one("status") in LEAD_STATUSES else None,
            after_hours={"yes": True, "no": False}.get(after),
            since=day("since"),
            until=day("until"),
            q=one("q")[:MAX_SEARCH_CHARS] or None,
        )

    def store_kwargs(self, tz: tzinfo) -> Dict[str, Any]:
        """Arguments for `LeadStore.list_leads`; dates are whole days in `tz`, `until` inclusive."""
        return {
            "grade": self.grade,
            "status": self.status,
            "after_hours": self.after_hours,
            "since": datetime.combine(self.since, time.min, tz) if self.since else None,
            "until": datetime.combine(self.until + timedelta(days=1), time.min, tz) if self.until else None,
            "search": self.q,
        }

    def query(self) -> str:
        """The filters as a query string (for the CSV link)."""
        values = {
            "grade": self.grade or "",
            "status": self.status or "",
            "after_hours": {True: "yes", False: "no"}.get(self.after_hours, ""),  # type: ignore[arg-type]
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "q": self.q or "",
        }
        return urlencode({k: v for k, v in values.items() if v})
