"""Business hours: open/closed, holidays, weekends, DST, next opening, file validation."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.domain.hours import (
    DEFAULT_HOURS_PATH,
    BusinessHours,
    current_time,
    describe_hours,
    holiday_name,
    load_business_hours,
)
from bot.base.settings import Settings
from bot.base.yamldata import DataFileError

PLAIN = textwrap.dedent("""\
    timezone: America/Los_Angeles
    label: Pacific
    weekly:
      monday: "08:00-17:00"
      tuesday: "08:00-17:00"
      wednesday: "08:00-17:00"
      thursday: "08:00-17:00"
      friday: "08:00-17:00"
      saturday: closed
      sunday: closed
    holidays:
      country: US
    """)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def hours(tmp_path: Path) -> BusinessHours:
    """Weekdays 8-5 Pacific, US federal holidays, no extra closed dates."""
    path = tmp_path / "hours.yml"
    path.write_text(PLAIN)
    return BusinessHours.load(path)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2026-12-01T10:30:00-08:00", True),    # Tuesday morning
        ("2026-12-01T08:00:00-08:00", True),    # opening minute
        ("2026-12-01T07:59:59-08:00", False),
        ("2026-12-01T17:00:00-08:00", False),   # closing time is closed
        ("2026-12-01T16:59:00-08:00", True),
        ("2026-12-01T19:30:00-08:00", False),   # evening
        ("2026-12-01T22:30:00-05:00", False),   # same evening seen from New York
        ("2026-12-01T13:30:00-05:00", True),    # 10:30 Pacific seen from New York
        ("2026-12-01T18:30:00+00:00", True),    # 10:30 Pacific in UTC
        ("2026-12-05T11:00:00-08:00", False),   # Saturday
        ("2026-12-06T11:00:00-08:00", False),   # Sunday
        ("2026-11-26T10:00:00-08:00", False),   # Thanksgiving
        ("2026-12-25T10:00:00-08:00", False),   # Christmas (a Friday)
        ("2026-07-03T10:00:00-07:00", False),   # Independence Day observed (July 4 = Sat)
        ("2026-11-27T10:00:00-08:00", True),    # day after Thanksgiving: not federal
    ],
)
def test_is_open(hours: BusinessHours, moment: str, is_open: bool) -> None:
    assert hours.is_open(at(moment)) is is_open


def test_shipped_file_adds_closed_dates() -> None:
    shipped = BusinessHours.load(DEFAULT_HOURS_PATH)
    assert shipped.timezone_name == "America/Los_Angeles" and shipped.label == "Pacific"
    assert not shipped.is_open(at("2026-11-27T10:00:00-08:00"))  # listed in closed_dates
    assert not shipped.is_open(at("2026-11-26T10:00:00-08:00"))
    assert shipped.is_open(at("2026-12-01T10:30:00-08:00"))
    assert load_business_hours() is load_business_hours()  # cached per path


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        ("2026-12-01T19:30:00-08:00", "2026-12-02T08:00:00-08:00"),  # evening -> tomorrow
        ("2026-12-02T06:00:00-08:00", "2026-12-02T08:00:00-08:00"),  # early -> today
        ("2026-12-01T10:30:00-08:00", "2026-12-02T08:00:00-08:00"),  # open -> next period
        ("2026-12-04T17:00:00-08:00", "2026-12-07T08:00:00-08:00"),  # Friday close -> Monday
        ("2026-12-05T12:00:00-08:00", "2026-12-07T08:00:00-08:00"),  # weekend
        ("2026-11-25T18:00:00-08:00", "2026-11-27T08:00:00-08:00"),  # over Thanksgiving
        # Holiday weekends: Christmas Friday, Independence Day observed Friday.
        ("2026-12-24T18:00:00-08:00", "2026-12-28T08:00:00-08:00"),
        ("2026-07-02T18:00:00-07:00", "2026-07-06T08:00:00-07:00"),
        ("2026-12-31T17:30:00-08:00", "2027-01-04T08:00:00-08:00"),  # New Year's Day Friday
    ],
)
def test_next_opening(hours: BusinessHours, moment: str, opening: str) -> None:
    result = hours.next_opening(at(moment))
    assert result == at(opening)
    assert result.utcoffset() == at(opening).utcoffset()  # local time, not just the instant
    assert hours.is_open(result)


def test_next_opening_over_holiday_weekend_with_extra_closed_day() -> None:
    shipped = BusinessHours.load(DEFAULT_HOURS_PATH)  # closes the day after Thanksgiving too
    moment = at("2026-11-25T18:00:00-08:00")
    assert shipped.next_opening(moment) == at("2026-11-30T08:00:00-08:00")
    assert shipped.describe_next_opening(moment) == "Monday, November 30 at 8:00 AM Pacific"


def test_spring_forward(hours: BusinessHours) -> None:
    # 2026-03-08: clocks jump from 2:00 PST to 3:00 PDT. Opening stays 8:00 local.
    friday = hours.last_opening(at("2026-03-06T12:00:00-08:00"))
    monday = hours.next_opening(at("2026-03-07T12:00:00-08:00"))
    assert friday.astimezone(timezone.utc) == at("2026-03-06T16:00:00+00:00")
    assert monday == at("2026-03-09T08:00:00-07:00")
    assert monday.astimezone(timezone.utc) == at("2026-03-09T15:00:00+00:00")
    assert not hours.is_open(at("2026-03-09T14:30:00+00:00"))  # 7:30 PDT
    assert hours.is_open(at("2026-03-09T15:30:00+00:00"))      # 8:30 PDT
    assert hours.describe_next_opening(at("2026-03-07T12:00:00-08:00")) == \
        "Monday, March 9 at 8:00 AM Pacific"


def test_fall_back(hours: BusinessHours) -> None:
    # 2026-11-01: clocks go from 2:00 PDT back to 1:00 PST.
    monday = hours.next_opening(at("2026-10-30T18:00:00-07:00"))
    assert monday == at("2026-11-02T08:00:00-08:00")
    assert monday.astimezone(timezone.utc) == at("2026-11-02T16:00:00+00:00")
    assert not hours.is_open(at("2026-11-02T15:30:00+00:00"))  # 7:30 PST
    assert hours.is_open(at("2026-11-02T16:00:00+00:00"))


def test_hours_on_the_dst_days_themselves(tmp_path: Path) -> None:
    path = tmp_path / "sunday.yml"
    path.write_text(PLAIN.replace("sunday: closed", 'sunday: "01:30-10:00"'))
    sundays = BusinessHours.load(path)
    # Spring forward: 1:30 PST exists; the day is an hour shorter in real time.
    opens, closes = sundays.hours_on(date(2026, 3, 8))  # type: ignore[misc]
    assert closes - opens == timedelta(hours=8, minutes=30)  # same tzinfo: wall clock
    assert closes.astimezone(timezone.utc) - opens.astimezone(timezone.utc) == \
        timedelta(hours=7, minutes=30)
    # Fall back: 1:30 happens twice; the first (PDT) is the opening. The wall clock says
    # 8h30 but 9h30 really pass.
    opens, closes = sundays.hours_on(date(2026, 11, 1))  # type: ignore[misc]
    assert opens.utcoffset() == timedelta(hours=-7) and closes.utcoffset() == timedelta(hours=-8)
    assert closes.astimezone(timezone.utc) - opens.astimezone(timezone.utc) == \
        timedelta(hours=9, minutes=30)
    assert sundays.is_open(at("2026-11-01T01:45:00-08:00"))  # second 1:45 (PST)
    assert sundays.is_open(at("2026-11-01T01:45:00-07:00"))  # first 1:45 (PDT)
    assert not sundays.is_open(at("2026-11-01T01:15:00-07:00"))


def test_after_hours_window(hours: BusinessHours) -> None:
    # Tuesday morning, open: last night.
    since, until = hours.after_hours_window(at("2026-12-01T09:00:00-08:00"))
    assert (since, until) == (at("2026-11-30T17:00:00-08:00"), at("2026-12-01T08:00:00-08:00"))
    # Tuesday evening, closed: tonight, to tomorrow's opening.
    since, until = hours.after_hours_window(at("2026-12-01T22:30:00-05:00"))
    assert (since, until) == (at("2026-12-01T17:00:00-08:00"), at("2026-12-02T08:00:00-08:00"))
    # Monday morning: since Friday's close.
    since, until = hours.after_hours_window(at("2026-11-30T08:30:00-08:00"))
    assert (since, until) == (at("2026-11-27T17:00:00-08:00"), at("2026-11-30T08:00:00-08:00"))
    # With the shipped file (closed the day after Thanksgiving): since Wednesday's close.
    shipped = BusinessHours.load(DEFAULT_HOURS_PATH)
    since, until = shipped.after_hours_window(at("2026-11-30T08:30:00-08:00"))
    assert (since, until) == (at("2026-11-25T17:00:00-08:00"), at("2026-11-30T08:00:00-08:00"))


def test_describe_formats() -> None:
    shipped = BusinessHours.load(DEFAULT_HOURS_PATH)
    assert shipped.describe(at("2025-12-01T08:00:00-08:00")) == \
        "Monday, December 1 at 8:00 AM Pacific"
    assert shipped.describe(at("2026-12-02T01:05:00+00:00")) == \
        "Tuesday, December 1 at 5:05 PM Pacific"
    assert shipped.describe(at("2026-12-01T20:00:00+00:00")) == \
        "Tuesday, December 1 at 12:00 PM Pacific"
    table = describe_hours(shipped)
    assert table["Monday"] == "8:00 AM-5:00 PM Pacific" and table["Sunday"] == "closed"
    assert holiday_name(shipped, date(2026, 11, 26)) == "Thanksgiving Day"
    assert holiday_name(shipped, date(2026, 12, 1)) is None


def test_clock_comes_from_settings() -> None:
    settings = Settings.from_env({"BOT_NOW": "2026-12-01T22:30:00-05:00"})
    assert current_time(settings) == at("2026-12-01T22:30:00-05:00")
    real = current_time(Settings.from_env({}))
    assert abs(real - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_naive_datetimes_are_refused(hours: BusinessHours) -> None:
    with pytest.raises(ValueError, match="time zone"):
        hours.is_open(datetime(2026, 12, 1, 10, 0))


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("timezone: America/Los_Angeles", "timezone: Mars/Olympus", 1, "unknown time zone"),
        ('  monday: "08:00-17:00"', '  monday: "8am-5pm"', 4, "HH:MM-HH:MM"),
        ('  monday: "08:00-17:00"', '  monday: "17:00-08:00"', 4, "open before it closes"),
        ('  monday: "08:00-17:00"', '  monday: "08:00-25:00"', 4, "impossible time"),
        ("  sunday: closed", "  sunday: closed\n  funday: closed", 11, "unknown day"),
        ("  country: US", "  country: XX", 12, "no country 'XX'"),
        ("  country: US", "  country: US\n  subdivision: ZZ", 13, "no subdivision 'ZZ'"),
        ("label: Pacific", "label: Pacific\nclosed_dates: [2026-02-30]", 3, "2026-02-30"),
        ("label: Pacific", "label: Pacific\nclosed_dates: [tomorrow]", 3, "YYYY-MM-DD"),
        ("label: Pacific", "label: Pacific\nlunch: 12-13", 3, "unknown key 'lunch'"),
    ],
)
def test_invalid_file_names_file_and_line(tmp_path: Path, old: str, new: str, line: int,
                                          message: str) -> None:
    assert old in PLAIN
    path = tmp_path / "hours.yml"
    path.write_text(PLAIN.replace(old, new, 1))
    with pytest.raises(DataFileError) as caught:
        BusinessHours.load(path)
    assert (caught.value.path, caught.value.line) == (str(path), line), str(caught.value)
    assert message in str(caught.value)


def test_unquoted_times_get_a_helpful_error(tmp_path: Path) -> None:
    path = tmp_path / "hours.yml"
    path.write_text(PLAIN.replace('"08:00-17:00"', "8:00", 1))  # YAML 1.1: 480 (base 60)
    with pytest.raises(DataFileError, match="quote the hours") as caught:
        BusinessHours.load(path)
    assert caught.value.line == 4


def test_a_week_without_hours_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hours.yml"
    text = PLAIN
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        text = text.replace(f'{day}: "08:00-17:00"', f"{day}: closed")
    path.write_text(text)
    with pytest.raises(DataFileError, match="no open day"):
        BusinessHours.load(path)
