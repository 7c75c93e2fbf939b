"""How conversations go, as an agency owner reads it: the funnel, where customers drop out,
which questions confuse them, leads per day and the time to a plan (pure: no I/O, no Rasa).

Input is each conversation's tracker events in Rasa's JSON form (the `data` column of the SQL
tracker store's `events` table, see `bot.analytics.tracker_events`); a conversation is one
`sender_id`. The stages are counted independently ("reached"), so a customer who asks for a
person straight away counts under "handoff or callback" without a location:

    started      the customer said something (a `user` event)
    location     `states` was filled
    services     `services` was filled
    plan         a `recommendation` with plan steps was set
    contact      `email` or `phone` was given
    handoff      a person was asked for (action_handoff / the fallback's handoff /
                 action_submit_lead, which posts to sales or promises the callback), or
                 `handoff_reason` was set

A question is "asked" each time its `action_ask_<slot>` (or `utter_ask_<slot>`) runs; every
ask after the first in a conversation is a re-ask. A fallback (Rasa's two-stage fallback
actions) counts against the question pending at that moment. A conversation that never
reached the last stage dropped out at the question pending at its end; with none pending,
"after the plan" when it saw one, else "before any question".
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

#: (key, label) in funnel order.
STAGES: Tuple[Tuple[str, str], ...] = (
    ("started", "Conversations started"),
    ("location", "Location known"),
    ("services", "Services known"),
    ("plan", "Plan shown"),
    ("contact", "Contact given"),
    ("handoff", "Handoff or callback"),
)
STAGE_KEYS = tuple(key for key, _ in STAGES)
HANDOFF_ACTIONS = frozenset({"action_handoff", "action_default_fallback", "action_submit_lead"})
FALLBACK_ACTIONS = frozenset({"action_default_fallback", "action_default_ask_affirmation",
                              "action_default_ask_rephrase"})
ASK_PREFIXES = ("action_ask_", "utter_ask_")
AFTER_PLAN = "(after the plan)"
NO_QUESTION = "(before any question)"


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


@dataclass
class ConversationPath:
    """One conversation's way through the funnel (no personal data: only what was reached)."""

    sender_id: str
    channel: Optional[str] = None
    started_at: Optional[float] = None
    plan_at: Optional[float] = None
    reached: set = field(default_factory=set)
    asks: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)
    pending: Optional[str] = None  # the question waiting for an answer

    def apply(self, event: Mapping[str, Any]) -> None:
        kind = event.get("event")
        at = event.get("timestamp")
        at = float(at) if isinstance(at, (int, float)) and not isinstance(at, bool) else None
        if kind == "user":
            self.reached.add("started")
            self.channel = event.get("input_channel") or self.channel
            if self.started_at is None:
                self.started_at = at
        elif kind == "action":
            self._apply_action(str(event.get("name") or ""))
        elif kind == "slot":
            self._apply_slot(str(event.get("name") or ""), event.get("value"), at)
        elif kind == "active_loop" and not event.get("name"):
            self.pending = None  # the form ended: no question waits

    def _apply_action(self, name: str) -> None:
        for prefix in ASK_PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                question = name[len(prefix):]
                self.asks[question] += 1
                self.pending = question
                return
        if name in FALLBACK_ACTIONS:
            self.fallbacks[self.pending or NO_QUESTION] += 1
        if name in HANDOFF_ACTIONS:
            self.reached.add("handoff")

    def _apply_slot(self, name: str, value: Any, at: Optional[float]) -> None:
        if name == "requested_slot":
            self.pending = str(value) if value else None
        elif name == "states" and _filled(value):
            self.reached.add("location")
        elif name == "services" and _filled(value):
            self.reached.add("services")
        elif name in ("email", "phone") and _filled(value):
            self.reached.add("contact")
        elif name == "handoff_reason" and _filled(value):
            self.reached.add("handoff")
        elif name == "recommendation" and isinstance(value, Mapping) and value.get("plan"):
            self.reached.add("plan")
            if self.plan_at is None:
                self.plan_at = at

    @property
    def dropped_at(self) -> Optional[str]:
        """Where the customer left, or None when the conversation reached the last stage."""
        if "handoff" in self.reached or "started" not in self.reached:
            return None
        if self.pending:
            return self.pending
        return AFTER_PLAN if "plan" in self.reached else NO_QUESTION

    @property
    def seconds_to_plan(self) -> Optional[float]:
        if self.plan_at is None or self.started_at is None:
            return None
        return max(0.0, self.plan_at - self.started_at)


def trace(events_by_conversation: Mapping[str, Iterable[Mapping[str, Any]]]) -> List[ConversationPath]:
    """Each conversation's path from its events (in the order they happened)."""
    paths = []
    for sender_id, events in events_by_conversation.items():
        path = ConversationPath(sender_id)
        for event in events:
            path.apply(event)
        paths.append(path)
    return paths


@dataclass(frozen=True)
class LeadFact:
    """What the leads-per-day chart needs of a lead (no personal data)."""

    created_at: datetime
    channel: str
    grade: str


@dataclass
class FunnelReport:
    """Every figure of the funnel page (JSON-ready through `to_dict`, CSV through `csv_rows`)."""

    since: Optional[date]
    until: Optional[date]
    stages: Dict[str, int]
    dropouts: Dict[str, int]
    asks: Dict[str, int]
    reasks: Dict[str, int]
    fallbacks: Dict[str, int]
    median_seconds_to_plan: Optional[float]
    leads_by_day_channel: Dict[str, Dict[str, int]]
    leads_by_day_grade: Dict[str, Dict[str, int]]
    conversations: int = 0

    @property
    def question_rows(self) -> List[Tuple[str, int, int, int, int]]:
        """(question, asked, re-asked, fallbacks, dropped out) for every question that had any."""
        names = set(self.asks) | set(self.fallbacks) | set(self.dropouts)
        rows = [(name, self.asks.get(name, 0), self.reasks.get(name, 0),
                 self.fallbacks.get(name, 0), self.dropouts.get(name, 0)) for name in names]
        return sorted(rows, key=lambda row: (-(row[2] + row[3] + row[4]), row[0]))

    def to_dict(self) -> Dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "conversations": self.conversations,
            "stages": [{"key": key, "label": label, "count": self.stages.get(key, 0)}
                       for key, label in STAGES],
            "questions": [{"question": q, "asked": a, "reasked": r, "fallbacks": f, "dropouts": d}
                          for q, a, r, f, d in self.question_rows],
            "dropouts": dict(self.dropouts),
            "median_seconds_to_plan": self.median_seconds_to_plan,
            "leads_by_day_channel": self.leads_by_day_channel,
            "leads_by_day_grade": self.leads_by_day_grade,
        }

    def csv_rows(self) -> List[Tuple[str, str, str, Any]]:
        """The same figures, long form: (figure, key, group, value)."""
        rows: List[Tuple[str, str, str, Any]] = []
        rows += [("funnel", key, "", self.stages.get(key, 0)) for key in STAGE_KEYS]
        for question, asked, reasked, fallbacks, dropouts in self.question_rows:
            rows += [("asked", question, "", asked), ("reasked", question, "", reasked),
                     ("fallbacks", question, "", fallbacks), ("dropouts", question, "", dropouts)]
        rows.append(("median_seconds_to_plan", "", "",
                     "" if self.median_seconds_to_plan is None else self.median_seconds_to_plan))
        for day, counts in self.leads_by_day_channel.items():
            rows += [("leads_per_day_by_channel", day, channel, n) for channel, n in counts.items()]
        for day, counts in self.leads_by_day_grade.items():
            rows += [("leads_per_day_by_grade", day, grade, n) for grade, n in counts.items()]
        return rows


def _by_day(leads: Iterable[LeadFact], tz: tzinfo, key: str) -> Dict[str, Dict[str, int]]:
    table: Dict[str, Counter] = defaultdict(Counter)
    for lead in leads:
        table[lead.created_at.astimezone(tz).date().isoformat()][getattr(lead, key)] += 1
    return {day: dict(sorted(table[day].items())) for day in sorted(table)}


def build_report(paths: Sequence[ConversationPath], leads: Sequence[LeadFact], tz: tzinfo,
                 since: Optional[date] = None, until: Optional[date] = None) -> FunnelReport:
    """The figures for these conversations and leads (already filtered to the dates)."""
    stages = {key: sum(1 for p in paths if key in p.reached) for key in STAGE_KEYS}
    dropouts: Counter = Counter(p.dropped_at for p in paths if p.dropped_at is not None)
    asks: Counter = Counter()
    reasks: Counter = Counter()
    fallbacks: Counter = Counter()
    for path in paths:
        asks.update(path.asks)
        reasks.update({q: n - 1 for q, n in path.asks.items() if n > 1})
        fallbacks.update(path.fallbacks)
    times = [t for t in (p.seconds_to_plan for p in paths) if t is not None]
    return FunnelReport(
        since=since,
        until=until,
        stages=stages,
        dropouts=dict(dropouts),
        asks=dict(asks),
        reasks=dict(reasks),
        fallbacks=dict(fallbacks),
        median_seconds_to_plan=round(statistics.median(times), 1) if times else None,
        leads_by_day_channel=_by_day(leads, tz, "channel"),
        leads_by_day_grade=_by_day(leads, tz, "grade"),
        conversations=sum(1 for p in paths if "started" in p.reached),
    )
