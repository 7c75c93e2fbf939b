"""Business hours: is the sales team in, and when does it next open?

Configured in `bot/data/business_hours.yml` (time zone, weekly hours, public holidays from the
maintained `holidays` package, extra closed dates). Every computation takes an aware datetime;
callers take "now" from `Settings.now()` (so BOT_NOW applies), e.g. via `current_time()`.
Opening times are built as local wall-clock times in the configured zone with `zoneinfo`, so
they stay at 8:00 local across daylight-saving changes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Mapping, Optional, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

from bot.base.settings import Settings
from bot.base.yamldata import DATA_DIR, DataFileError, line_of, load_yaml

DEFAULT_HOURS_PATH = DATA_DIR / "business_hours.yml"

WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday",
                             "saturday", "sunday")
# English names regardless of the process locale (strftime %A/%B follow LC_TIME).
_DAY_NAMES = tuple(day.capitalize() for day in WEEKDAYS)
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# No business is closed for longer than this; a search past it means the config has no hours.
_SEARCH_DAYS = 400


def current_time(settings: Optional[Settings] = None) -> datetime:
    """Now, for business-hours decisions: BOT_NOW when set, else the real clock."""
    return (settings or Settings.from_env()).now()


@dataclass(frozen=True)
class DayHours:
    opens: time
    closes: time


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} has no time zone; business hours need an aware datetime")


@dataclass(frozen=True)
class BusinessHours:
    """Weekly hours in one time zone, minus public holidays and extra closed dates."""

    timezone_name: str
    label: str
    weekly: tuple[Optional[DayHours], ...]  # Monday..Sunday; None = closed
    holiday_country: Optional[str] = "US"
    holiday_subdivision: Optional[str] = None
    holiday_observed: bool = True
    closed_dates: frozenset[date] = frozenset()

    # --- loading -----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Union[str, Path, None] = None) -> "BusinessHours":
        """Load and validate business_hours.yml (default: bot/data/business_hours.yml)."""
        path = Path(path) if path is not None else DEFAULT_HOURS_PATH
        return cls.from_data(_load_yaml(path), path)

    @classmethod
    def from_data(cls, data: Any, path: Union[str, Path]) -> "BusinessHours":
        def fail(node: Any, key: str, message: str) -> DataFileError:
            return DataFileError(path, line_of(node, key), message)

        if not isinstance(data, dict):
            raise DataFileError(path, 1, "the file must be a mapping (timezone, weekly, ...)")
        allowed = {"timezone", "label", "weekly", "holidays", "closed_dates"}
        for key in data:
            if key not in allowed:
                raise fail(data, str(key), f"unknown key '{key}'; expected one of "
                                           f"{sorted(allowed)}")
        tz_name = data.get("timezone")
        if not isinstance(tz_name, str):
            raise fail(data, "timezone", "'timezone' must be a name like America/Los_Angeles")
        try:
            zone = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise fail(data, "timezone", f"unknown time zone '{tz_name}'") from error
        label = data.get("label") or datetime(2026, 1, 15, tzinfo=zone).tzname() or tz_name

        weekly_node = data.get("weekly")
        if not isinstance(weekly_node, dict):
            raise fail(data, "weekly", "'weekly' must map monday..sunday to hours")
        for key in weekly_node:
            if key not in WEEKDAYS:
                raise fail(weekly_node, str(key), f"unknown day '{key}'; expected {WEEKDAYS}")
        weekly: list[Optional[DayHours]] = []
        for day in WEEKDAYS:
            raw = weekly_node.get(day, "closed")
            if raw in ("closed", None, False):
                weekly.append(None)
                continue
            if isinstance(raw, int):
                raise fail(weekly_node, day, f"'{day}': quote the hours, e.g. \"08:00-17:00\" "
                                             "(unquoted, YAML reads 08:00 as a number)")
            match = _RANGE.match(str(raw))
            if not match:
                raise fail(weekly_node, day, f"'{day}' must be \"HH:MM-HH:MM\" or closed, "
                                             f"got {raw!r}")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
                raise fail(weekly_node, day, f"'{day}' has an impossible time: {raw!r}")
            closes = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
            if time(h1, m1) >= closes:
                raise fail(weekly_node, day, f"'{day}' must open before it closes: {raw!r}")
            weekly.append(DayHours(time(h1, m1), closes))
        if not any(weekly):
            raise fail(data, "weekly", "'weekly' has no open day")

        holidays_node = data.get("holidays") or {}
        if not isinstance(holidays_node, dict):
            raise fail(data, "holidays", "'holidays' must be a mapping (country, subdivision)")
        for key in holidays_node:
            if key not in ("country", "subdivision", "observed"):
                raise fail(holidays_node, str(key), f"unknown key '{key}' under 'holidays'")
        country = holidays_node.get("country")
        subdivision = holidays_node.get("subdivision")
        observed = holidays_node.get("observed", True)
        if country is not None:
            try:
                holidays_lib.country_holidays(str(country), years=2026)
            except NotImplementedError as error:
                raise fail(holidays_node, "country",
                           f"the holidays package has no country '{country}'") from error
            if subdivision is not None:
                try:
                    holidays_lib.country_holidays(str(country), subdiv=str(subdivision),
                                                  years=2026)
                except NotImplementedError as error:
                    raise fail(holidays_node, "subdivision",
                               f"'{country}' has no subdivision '{subdivision}'") from error
        if not isinstance(observed, bool):
            raise fail(holidays_node, "observed", "'observed' must be true or false")

        closed: set[date] = set()
        closed_node = data.get("closed_dates") or []
        if not isinstance(closed_node, list):
            raise fail(data, "closed_dates", "'closed_dates' must be a list of YYYY-MM-DD")
        for item in closed_node:
            if isinstance(item, datetime) or not isinstance(item, (date, str)):
                raise fail(data, "closed_dates", f"closed date {item!r} is not YYYY-MM-DD")
            try:
                closed.add(item if isinstance(item, date) else date.fromisoformat(item))
            except ValueError as error:
                raise fail(data, "closed_dates",
                           f"closed date {item!r} is not YYYY-MM-DD") from error

        return cls(timezone_name=tz_name, label=str(label), weekly=tuple(weekly),
                   holiday_country=country, holiday_subdivision=subdivision,
                   holiday_observed=observed, closed_dates=frozenset(closed))

    # --- calendar ----------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone_name)  # ZoneInfo caches instances per key

    def is_closed_day(self, day: date) -> bool:
        """A public holiday or an extra closed date (weekly closed days are not counted)."""
        return day in self.closed_dates or day in _public_holidays(
            self.holiday_country, self.holiday_subdivision, self.holiday_observed, day.year)

    def hours_on(self, day: date) -> Optional[tuple[datetime, datetime]]:
        """Aware (open, close) of a local calendar day, or None when closed all day."""
        hours = self.weekly[day.weekday()]
        if hours is None or self.is_closed_day(day):
            return None
        zone = self.zone
        return (_local(day, hours.opens, zone), _local(day, hours.closes, zone))

    def _local_date(self, at: datetime) -> date:
        _require_aware(at)
        return at.astimezone(self.zone).date()

    def is_open(self, at: datetime) -> bool:
        """Is the sales team in at `at` (opening time included, closing time excluded)?"""
        hours = self.hours_on(self._local_date(at))
        return hours is not None and _utc(hours[0]) <= _utc(at) < _utc(hours[1])

    def next_opening(self, at: datetime) -> datetime:
        """The start of the next business period strictly after `at` (local time zone).

        Weekends, public holidays and closed dates are skipped. When open at `at`, that is
        the following business day's opening.
        """
        start = self._local_date(at)
        for offset in range(_SEARCH_DAYS):
            hours = self.hours_on(start + timedelta(days=offset))
            if hours is not None and _utc(hours[0]) > _utc(at):
                return hours[0]
        raise ValueError("no business opening within a year; check business_hours.yml")

    def last_opening(self, at: datetime) -> datetime:
        """The start of the latest business period that began at or before `at`."""
        start = self._local_date(at)
        for offset in range(_SEARCH_DAYS):
            hours = self.hours_on(start - timedelta(days=offset))
            if hours is not None and _utc(hours[0]) <= _utc(at):
                return hours[0]
        raise ValueError("no business opening within a year; check business_hours.yml")

    def last_closing(self, at: datetime) -> datetime:
        """The end of the latest business period that ended at or before `at`."""
        start = self._local_date(at)
        for offset in range(_SEARCH_DAYS):
            hours = self.hours_on(start - timedelta(days=offset))
            if hours is not None and _utc(hours[1]) <= _utc(at):
                return hours[1]
        raise ValueError("no business closing within a year; check business_hours.yml")

    def after_hours_window(self, at: datetime) -> tuple[datetime, datetime]:
        """The after-hours period the digest covers, as seen at `at`: [closing, opening).

        While open: the period that ended at this business period's opening (last night).
        While closed: the current one, from the last closing to the next opening, so leads
        that came in up to `at` are included.
        """
        if self.is_open(at):
            opening = self.last_opening(at)
            return self.last_closing(opening), opening
        return self.last_closing(at), self.next_opening(at)

    def describe(self, moment: datetime) -> str:
        """`Monday, December 1 at 8:00 AM Pacific` (English, whatever the process locale)."""
        local = moment.astimezone(self.zone)
        hour = local.hour % 12 or 12
        meridiem = "AM" if local.hour < 12 else "PM"
        return (f"{_DAY_NAMES[local.weekday()]}, {_MONTH_NAMES[local.month - 1]} {local.day} "
                f"at {hour}:{local.minute:02d} {meridiem} {self.label}")

    def describe_next_opening(self, at: datetime) -> str:
        """When the team is next in, for the customer: `Monday, December 1 at 8:00 AM Pacific`."""
        return self.describe(self.next_opening(at))


_DATE_TOKEN = re.compile(r"\b(\d{4}-\d{1,2}-\d{1,2})\b")


def _load_yaml(path: Path) -> Any:
    """load_yaml, plus a file-and-line error for an impossible date such as 2026-02-30.

    (PyYAML builds dates while parsing and raises a bare ValueError for those.)
    """
    try:
        return load_yaml(path)
    except DataFileError:
        raise
    except ValueError as error:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for token in _DATE_TOKEN.findall(line.split("#", 1)[0]):
                try:
                    date.fromisoformat(token)
                except ValueError:
                    raise DataFileError(path, number, f"{token} is not a real date "
                                                      "(YYYY-MM-DD)") from error
        raise DataFileError(path, 0, f"invalid value: {error}") from error


def _local(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time; a time skipped by a DST jump moves forward by the gap."""
    value = datetime.combine(day, wall, tzinfo=zone)
    # Round-trip through UTC: normalises a non-existent local time (e.g. 02:30 on the
    # spring-forward day) to a real instant.
    return value.astimezone(timezone.utc).astimezone(zone)


def _utc(value: datetime) -> datetime:
    # Compare instants, not wall clocks: aware datetimes sharing a tzinfo compare by wall
    # time, which is wrong in the repeated hour of a DST fall-back.
    return value.astimezone(timezone.utc)


@functools.lru_cache(maxsize=64)
def _public_holidays(country: Optional[str], subdivision: Optional[str], observed: bool,
                     year: int) -> frozenset[date]:
    if country is None:
        return frozenset()
    calendar_ = holidays_lib.country_holidays(country, subdiv=subdivision, years=year,
                                              observed=observed)
    return frozenset(day for day in calendar_ if day.year == year)


def holiday_name(hours: BusinessHours, day: date) -> Optional[str]:
    """The public holiday's name on `day` (for messages), or None."""
    if hours.holiday_country is None:
        return None
    calendar_ = holidays_lib.country_holidays(hours.holiday_country,
                                              subdiv=hours.holiday_subdivision, years=day.year,
                                              observed=hours.holiday_observed)
    return calendar_.get(day)


def load_business_hours(path: Union[str, Path, None] = None) -> BusinessHours:
    """`BusinessHours.load()`, cached per path (the file changes with a deploy, not live)."""
    return _load_cached(str(Path(path) if path is not None else DEFAULT_HOURS_PATH))


@functools.lru_cache(maxsize=8)
def _load_cached(path: str) -> BusinessHours:
    return BusinessHours.load(path)


def describe_hours(hours: BusinessHours) -> Mapping[str, str]:
    """Weekly hours as text per day (for the web page and help answers)."""
    result = {}
    for name, day in zip(_DAY_NAMES, hours.weekly):
        if day is None:
            result[name] = "closed"
        else:
            result[name] = f"{_clock(day.opens)}-{_clock(day.closes)} {hours.label}"
    return result


def _clock(value: time) -> str:
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"
