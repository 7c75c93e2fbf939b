"""Business hours: is the sales team in, and when does it next open?

Configured in `bot/data/business_hours.yml` (time zone, weekly hours, public holidays from the
maintained `holidays` package, extra closed dates), validated against `HoursFile`. Every computation takes an aware datetime;
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
from typing import Any, Callable, Iterator, List, Mapping, Optional, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from pydantic import StrictBool, StrictStr, validator

from bot.base.schema import DataModel, load_cached, validate
from bot.base.settings import Settings
from bot.base.yamldata import DATA_DIR, load_yaml

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


class OpeningHours:
    """A day's hours: "HH:MM-HH:MM" (quoted), or closed (also an empty value)."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, raw: Any) -> Optional[DayHours]:
        if raw in ("closed", None, False):
            return None
        if isinstance(raw, int):
            raise ValueError("quote the hours, e.g. \"08:00-17:00\" (unquoted, YAML reads 08:00 as a number)")
        match = _RANGE.match(str(raw))
        if not match:
            raise ValueError(f"must be \"HH:MM-HH:MM\" or closed, got {raw!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(f"has an impossible time: {raw!r}")
        closes = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
        if time(h1, m1) >= closes:
            raise ValueError(f"must open before it closes: {raw!r}")
        return DayHours(time(h1, m1), closes)


class WeeklyHours(DataModel):
    """monday..sunday; a day not listed is closed."""

    unknown_key = "unknown day {key!r}; expected one of: {known}"

    monday: OpeningHours = None  # type: ignore[assignment]
    tuesday: OpeningHours = None  # type: ignore[assignment]
    wednesday: OpeningHours = None  # type: ignore[assignment]
    thursday: OpeningHours = None  # type: ignore[assignment]
    friday: OpeningHours = None  # type: ignore[assignment]
    saturday: OpeningHours = None  # type: ignore[assignment]
    sunday: OpeningHours = None  # type: ignore[assignment]


class HolidaysEntry(DataModel):
    """Public holidays from the `holidays` package: a country, optionally a subdivision."""

    unknown_key = "unknown key {key!r} under 'holidays'"

    country: Optional[StrictStr] = None
    subdivision: Optional[StrictStr] = None
    observed: StrictBool = True

    @validator("country")
    def _known_country(cls, country: str) -> str:  # noqa: N805
        try:
            holidays_lib.country_holidays(country, years=2026)
        except NotImplementedError as error:
            raise ValueError(f"the holidays package has no country '{country}'") from error
        return country

    @validator("subdivision")
    def _known_subdivision(cls, subdivision: str, values: dict[str, Any]) -> str:  # noqa: N805
        country = values.get("country")
        if country is not None:
            try:
                holidays_lib.country_holidays(country, subdiv=subdivision, years=2026)
            except NotImplementedError as error:
                raise ValueError(f"'{country}' has no subdivision '{subdivision}'") from error
        return subdivision


class ClosedDate(date):
    """YYYY-MM-DD (a date, not a date and time)."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, item: Any) -> date:
        if isinstance(item, datetime) or not isinstance(item, (date, str)):
            raise ValueError(f"closed date {item!r} is not YYYY-MM-DD")
        try:
            return item if isinstance(item, date) else date.fromisoformat(item)
        except ValueError as error:
            raise ValueError(f"closed date {item!r} is not YYYY-MM-DD") from error


class HoursFile(DataModel):
    """The schema of business_hours.yml."""

    timezone: StrictStr
    label: Optional[StrictStr] = None
    weekly: WeeklyHours
    holidays: Optional[HolidaysEntry] = None
    closed_dates: List[ClosedDate] = []

    @validator("timezone")
    def _known_zone(cls, name: str) -> str:  # noqa: N805
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone '{name}'") from error
        return name

    @validator("weekly")
    def _some_open_day(cls, weekly: WeeklyHours) -> WeeklyHours:  # noqa: N805
        if not any(getattr(weekly, day) for day in WEEKDAYS):
            raise ValueError("'weekly' has no open day")
        return weekly


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
        return cls.from_data(load_yaml(path), path)

    @classmethod
    def from_data(cls, data: Any, path: Union[str, Path]) -> "BusinessHours":
        """BusinessHours from the parsed YAML of a business_hours file (see HoursFile)."""
        parsed = validate(path, data, HoursFile)
        zone = ZoneInfo(parsed.timezone)
        label = parsed.label or datetime(2026, 1, 15, tzinfo=zone).tzname() or parsed.timezone
        holidays_ = parsed.holidays or HolidaysEntry()
        return cls(timezone_name=parsed.timezone, label=str(label),
                   weekly=tuple(getattr(parsed.weekly, day) for day in WEEKDAYS),
                   holiday_country=holidays_.country, holiday_subdivision=holidays_.subdivision,
                   holiday_observed=holidays_.observed, closed_dates=frozenset(parsed.closed_dates))

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
    """`BusinessHours.load()`, re-read when the file changes (bot.base.schema.load_cached)."""
    return load_cached(path if path is not None else DEFAULT_HOURS_PATH, BusinessHours.load)


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
