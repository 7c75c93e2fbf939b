"""The funnel's figures for a seeded set of conversations, against hand-counted numbers."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.analytics.funnel import LeadFact, build_report, trace
from bot.analytics.tracker_events import TrackerEvents
from tests.analytics import funnel_seed as seed

PACIFIC = ZoneInfo("America/Los_Angeles")


def _in_range() -> dict:
    convs = seed.conversations()
    convs.pop("c6")
    return convs


def test_hand_counted_figures() -> None:
    report = build_report(trace(_in_range()), [], PACIFIC)
    assert report.stages == seed.EXPECTED_STAGES
    assert report.dropouts == seed.EXPECTED_DROPOUTS
    assert report.asks == seed.EXPECTED_ASKS
    assert report.reasks == seed.EXPECTED_REASKS
    assert report.fallbacks == seed.EXPECTED_FALLBACKS
    assert report.median_seconds_to_plan == seed.EXPECTED_MEDIAN_S
    assert report.conversations == 5


def test_leads_per_day_use_office_days() -> None:
    leads = [
        # 23:30 Pacific on Nov 18 is Nov 19 in UTC: still the 18th for the office.
        LeadFact(datetime(2026, 11, 19, 7, 30, tzinfo=timezone.utc), "rest", "A"),
        LeadFact(datetime(2026, 11, 18, 20, 0, tzinfo=timezone.utc), "socketio", "B"),
        LeadFact(datetime(2026, 11, 20, 18, 0, tzinfo=timezone.utc), "rest", "A"),
    ]
    report = build_report([], leads, PACIFIC)
    assert report.leads_by_day_channel == {"2026-11-18": {"rest": 1, "socketio": 1},
                                           "2026-11-20": {"rest": 1}}
    assert report.leads_by_day_grade == {"2026-11-18": {"A": 1, "B": 1}, "2026-11-20": {"A": 1}}
    assert ("leads_per_day_by_grade", "2026-11-18", "B", 1) in report.csv_rows()


def test_no_personal_data_in_the_figures() -> None:
    report = build_report(trace(_in_range()), [], PACIFIC)
    text = repr(report.to_dict()) + repr(report.csv_rows())
    assert "jane@example.com" not in text and "+15035550123" not in text


def test_tracker_events_reads_the_date_range(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    seed.write_tracker_events(str(database), seed.conversations())
    reader = TrackerEvents(f"sqlite:///{database}")
    start = datetime(2026, 11, 15, tzinfo=PACIFIC)
    end = datetime(2026, 11, 21, tzinfo=PACIFIC)
    convs = reader.conversations(start, end)
    assert sorted(convs) == ["c1", "c2", "c3", "c4", "c5"]
    assert convs["c2"][1]["name"] == "action_ask_states"  # in the order they happened
    report = build_report(trace(convs), [], PACIFIC, date(2026, 11, 15), date(2026, 11, 20))
    assert report.stages == seed.EXPECTED_STAGES
    assert sorted(reader.conversations(None, None)) == ["c1", "c2", "c3", "c4", "c5", "c6"]
    reader.close()


def test_no_tracker_table_means_no_conversations(tmp_path: Path) -> None:
    reader = TrackerEvents(f"sqlite:///{tmp_path / 'empty.db'}")
    assert reader.conversations(None, None) == {}
    reader.close()
