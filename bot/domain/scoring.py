"""Lead scoring: fit and completeness points from `bot/data/scoring.yml`, graded A/B/C.

`score_lead(slots, today=...)` is pure: the date is passed in (callers take it from
`Settings.now()`), and the weights come from the YAML file, validated against `ScoringFile` on
load. Like every data file it is re-read when it changes (bot.base.schema.load_cached), so a
broker's edit applies without a restart.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

from pydantic import validator

from bot.base.schema import DataModel, Invalid, load_cached, validate, whole_number
from bot.base.yamldata import DATA_DIR, load_yaml
from bot.domain.canonical import SERVICES
from bot.domain.profile import as_int

DEFAULT_SCORING_PATH = DATA_DIR / "scoring.yml"
MAX_SCORE = 100


@dataclass(frozen=True)
class LeadScore:
    """A lead's score (0-100), its grade and the reasons, each with its points."""

    score: int
    grade: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Tier:
    min: int
    points: int


@dataclass(frozen=True)
class ScoringConfig:
    """The validated contents of scoring.yml."""

    grade_a: int
    grade_b: int
    sites: tuple[Tier, ...]
    states: tuple[Tier, ...]
    employees: tuple[Tier, ...]
    service_values: Mapping[str, int]
    services_max: int
    contract_within_months: int
    contract_points: int
    contract_expired_points: int
    known_carrier: int
    contact_name: int
    email: int
    phone: int
    company_name: int
    challenges: int

    def grade(self, score: int) -> str:
        if score >= self.grade_a:
            return "A"
        if score >= self.grade_b:
            return "B"
        return "C"


# --- loading and validation ----------------------------------------------------------------

Points = whole_number(0, MAX_SCORE)


class TierEntry(DataModel):
    unknown_key = "a tier is {{min: N, points: P}}; unknown key {key!r}"

    min: whole_number(0, 10**6)  # type: ignore[valid-type]
    points: Points  # type: ignore[valid-type]


def _tiers(tiers: list[TierEntry]) -> list[TierEntry]:
    if not tiers:
        raise ValueError("must be a list of {min: N, points: P}")
    mins = [t.min for t in tiers]
    if len(set(mins)) != len(mins):
        raise ValueError("has two tiers with the same min")
    return tiers


class GradesEntry(DataModel):
    A: Points  # type: ignore[valid-type]
    B: Points  # type: ignore[valid-type]

    @validator("B")
    def _b_below_a(cls, b: int, values: dict[str, Any]) -> int:  # noqa: N805
        if "A" in values and not 0 < b < values["A"]:
            raise ValueError("grade thresholds must satisfy 0 < B < A")
        return b


class ServicesEntry(DataModel):
    max: Points  # type: ignore[valid-type]
    value: Dict[str, Points]  # type: ignore[valid-type]

    @validator("value", pre=True)
    def _service_codes(cls, value: Any) -> Any:  # noqa: N805
        for code in value if isinstance(value, dict) else ():
            if code not in SERVICES:
                raise Invalid(f"unknown service '{code}'; expected one of {', '.join(SERVICES)}", key=str(code))
        return value


class ContractEndEntry(DataModel):
    within_months: whole_number(1, 120)  # type: ignore[valid-type]
    points: Points  # type: ignore[valid-type]
    expired_points: Points  # type: ignore[valid-type]


class FitEntry(DataModel):
    sites: List[TierEntry]
    states: List[TierEntry]
    employees: List[TierEntry]
    services: ServicesEntry
    contract_end: ContractEndEntry
    known_carrier: Points  # type: ignore[valid-type]

    _tiers = validator("sites", "states", "employees", allow_reuse=True)(_tiers)


class CompletenessEntry(DataModel):
    contact_name: Points  # type: ignore[valid-type]
    email: Points  # type: ignore[valid-type]
    phone: Points  # type: ignore[valid-type]
    company_name: Points  # type: ignore[valid-type]
    challenges: Points  # type: ignore[valid-type]


class ScoringFile(DataModel):
    """The schema of scoring.yml."""

    grades: GradesEntry
    fit: FitEntry
    completeness: CompletenessEntry


def _by_threshold(tiers: list[TierEntry]) -> tuple[Tier, ...]:
    # Highest threshold first, so the first match is the best tier reached.
    return tuple(sorted((Tier(t.min, t.points) for t in tiers), key=lambda t: t.min, reverse=True))


def parse_scoring(data: Any, path: Union[str, Path]) -> ScoringConfig:
    """Validate the parsed YAML of scoring.yml."""
    parsed = validate(path, data, ScoringFile)
    fit, completeness = parsed.fit, parsed.completeness
    return ScoringConfig(
        grade_a=parsed.grades.A,
        grade_b=parsed.grades.B,
        sites=_by_threshold(fit.sites),
        states=_by_threshold(fit.states),
        employees=_by_threshold(fit.employees),
        service_values=dict(fit.services.value),
        services_max=fit.services.max,
        contract_within_months=fit.contract_end.within_months,
        contract_points=fit.contract_end.points,
        contract_expired_points=fit.contract_end.expired_points,
        known_carrier=fit.known_carrier,
        contact_name=completeness.contact_name,
        email=completeness.email,
        phone=completeness.phone,
        company_name=completeness.company_name,
        challenges=completeness.challenges,
    )


def _read_scoring(path: Path) -> ScoringConfig:
    return parse_scoring(load_yaml(path), path)


def load_scoring(path: Union[str, Path, None] = None) -> ScoringConfig:
    """Load and validate scoring.yml (default: bot/data/scoring.yml), re-read when it changes."""
    return load_cached(path if path is not None else DEFAULT_SCORING_PATH, _read_scoring)


# --- scoring ---------------------------------------------------------------------------------


def _tier_points(tiers: tuple[Tier, ...], value: Optional[int]) -> int:
    if value is None:
        return 0
    for tier in tiers:
        if value >= tier.min:
            return tier.points
    return 0


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(dict.fromkeys(str(v) for v in value if v))


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def parse_contract_end(value: Any) -> Optional[date]:
    """`YYYY-MM-DD`, or `YYYY-MM` read as the last day of that month; anything else is None."""
    if not value:
        return None
    text = str(value).strip()
    try:
        if len(text) == 7 and text[4] == "-":
            year, month = int(text[:4]), int(text[5:7])
            return date(year, month, _last_day(year, month))
        return date.fromisoformat(text)
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 -> Feb 28)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _last_day(year, month)))


def score_lead(slots: Mapping[str, Any], *, today: date,
               config: Optional[ScoringConfig] = None) -> LeadScore:
    """Score a lead from its canonical slots (CONTRACT section 4) as of `today`."""
    config = config or load_scoring()
    total = 0
    reasons: list[str] = []

    def add(points: int, reason: str) -> None:
        nonlocal total
        if points > 0:
            total += points
            reasons.append(f"{reason} (+{points})")

    sites = as_int(slots.get("num_locations"))
    if sites is not None:
        add(_tier_points(config.sites, sites), f"{sites} site{'s' if sites != 1 else ''}")

    states = _as_list(slots.get("states"))
    if states:
        add(_tier_points(config.states, len(states)), f"{len(states)} states")

    employees = as_int(slots.get("employees"))
    if employees is not None:
        add(_tier_points(config.employees, employees), f"{employees} employees")

    services = _as_list(slots.get("services"))
    valued = [s for s in services if config.service_values.get(s, 0) > 0]
    if valued:
        points = min(config.services_max, sum(config.service_values[s] for s in valued))
        add(points, f"services: {', '.join(valued)}")

    contract_end = parse_contract_end(slots.get("contract_end"))
    if contract_end is not None:
        raw = slots.get("contract_end")
        if contract_end < today:
            add(config.contract_expired_points, f"contract ended {raw}, free to move")
        elif contract_end <= add_months(today, config.contract_within_months):
            add(config.contract_points,
                f"contract ends {raw}, within {config.contract_within_months} months")

    carrier = slots.get("current_carrier")
    if carrier:
        add(config.known_carrier, f"current carrier known ({carrier})")

    have = [name for name in ("contact_name", "company_name", "email", "phone")
            if slots.get(name)]
    if have:
        points = sum(getattr(config, name) for name in have)
        add(points, "contact details: " + ", ".join(n.replace("_", " ") for n in have))

    challenges = _as_list(slots.get("challenges"))
    if challenges:
        add(config.challenges, f"challenges named: {', '.join(challenges)}")

    score = max(0, min(MAX_SCORE, total))
    return LeadScore(score=score, grade=config.grade(score), reasons=tuple(reasons))
