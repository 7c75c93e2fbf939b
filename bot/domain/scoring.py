"""Lead scoring: fit and completeness points from `bot/data/scoring.yml`, graded A/B/C.

`score_lead(slots, today=...)` is pure: the date is passed in (callers take it from
`Settings.now()`), and the weights come from the YAML file, validated on load. The loaded
file is cached by path and modification time, so a broker's edit applies without a restart.
"""

from __future__ import annotations

import calendar
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from bot.domain.canonical import SERVICES
from bot.domain.profile import as_int
from bot.base.yamldata import DATA_DIR, DataFileError, LineDict, line_of, load_yaml

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


class _Checker:
    """Validation helpers that raise DataFileError naming the file and the line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: Any, key: str, message: str) -> "DataFileError":
        return DataFileError(self.path, line_of(node, key), message)

    def mapping(self, node: Any, key: str, parent: Any, allowed: set[str]) -> LineDict:
        if not isinstance(node, dict):
            raise self.fail(parent, key, f"'{key}' must be a mapping")
        unknown = sorted(str(k) for k in node if k not in allowed)
        if unknown:
            raise self.fail(node, unknown[0], f"unknown key '{unknown[0]}' under '{key}'; "
                                              f"expected one of {sorted(allowed)}")
        missing = sorted(allowed - set(node))
        if missing:
            raise self.fail(parent, key, f"'{key}' is missing '{missing[0]}'")
        return node  # type: ignore[return-value]

    def points(self, node: Any, key: str, parent: Any, maximum: int = MAX_SCORE) -> int:
        value = parent.get(key) if isinstance(parent, dict) else node
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            raise self.fail(parent, key, f"'{key}' must be a whole number from 0 to {maximum}, "
                                         f"got {value!r}")
        return value

    def tiers(self, parent: LineDict, key: str) -> tuple[Tier, ...]:
        node = parent[key]
        if not isinstance(node, list) or not node:
            raise self.fail(parent, key, f"'{key}' must be a list of {{min: N, points: P}}")
        tiers = []
        for item in node:
            where = item if isinstance(item, dict) else node
            if not isinstance(item, dict) or set(item) != {"min", "points"}:
                raise self.fail(where, "", f"each '{key}' tier must be {{min: N, points: P}}")
            tiers.append(Tier(self.points(item, "min", item, 10**6),
                              self.points(item, "points", item)))
        mins = [t.min for t in tiers]
        if len(set(mins)) != len(mins):
            raise self.fail(parent, key, f"'{key}' has two tiers with the same min")
        # Highest threshold first, so the first match is the best tier reached.
        return tuple(sorted(tiers, key=lambda t: t.min, reverse=True))


def parse_scoring(data: Any, path: Union[str, Path]) -> ScoringConfig:
    """Validate the parsed YAML of scoring.yml."""
    path = Path(path)
    check = _Checker(path)
    if not isinstance(data, dict):
        raise DataFileError(path, 1, "the file must be a mapping with grades, fit, completeness")
    root = check.mapping(data, "(top level)", data, {"grades", "fit", "completeness"})
    grades = check.mapping(root["grades"], "grades", root, {"A", "B"})
    grade_a = check.points(None, "A", grades)
    grade_b = check.points(None, "B", grades)
    if not 0 < grade_b < grade_a:
        raise check.fail(grades, "B", "grade thresholds must satisfy 0 < B < A")

    fit = check.mapping(root["fit"], "fit", root,
                        {"sites", "states", "employees", "services", "contract_end",
                         "known_carrier"})
    services = check.mapping(fit["services"], "services", fit, {"max", "value"})
    values = services["value"]
    if not isinstance(values, dict):
        raise check.fail(services, "value", "'value' must map service codes to points")
    service_values = {}
    for code in values:
        if code not in SERVICES:
            raise check.fail(values, str(code), f"unknown service '{code}'; expected one of "
                                                f"{', '.join(SERVICES)}")
        service_values[str(code)] = check.points(None, str(code), values)
    contract = check.mapping(fit["contract_end"], "contract_end", fit,
                             {"within_months", "points", "expired_points"})
    within = check.points(None, "within_months", contract, 120)
    if within < 1:
        raise check.fail(contract, "within_months", "'within_months' must be at least 1")

    completeness = check.mapping(root["completeness"], "completeness", root,
                                 {"contact_name", "email", "phone", "company_name",
                                  "challenges"})
    return ScoringConfig(
        grade_a=grade_a,
        grade_b=grade_b,
        sites=check.tiers(fit, "sites"),
        states=check.tiers(fit, "states"),
        employees=check.tiers(fit, "employees"),
        service_values=service_values,
        services_max=check.points(None, "max", services),
        contract_within_months=within,
        contract_points=check.points(None, "points", contract),
        contract_expired_points=check.points(None, "expired_points", contract),
        known_carrier=check.points(None, "known_carrier", fit),
        contact_name=check.points(None, "contact_name", completeness),
        email=check.points(None, "email", completeness),
        phone=check.points(None, "phone", completeness),
        company_name=check.points(None, "company_name", completeness),
        challenges=check.points(None, "challenges", completeness),
    )


_cache: dict[Path, tuple[float, ScoringConfig]] = {}
_cache_lock = threading.Lock()


def load_scoring(path: Union[str, Path, None] = None) -> ScoringConfig:
    """Load and validate scoring.yml (default: bot/data/scoring.yml), cached by mtime."""
    path = Path(path) if path is not None else DEFAULT_SCORING_PATH
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0  # let load_yaml report the missing file with its name
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1]
    try:
        data = load_yaml(path)
    except DataFileError:
        raise
    except ValueError as error:  # PyYAML building a value (e.g. an impossible date)
        raise DataFileError(path, 0, f"invalid value: {error}") from error
    config = parse_scoring(data, path)
    with _cache_lock:
        _cache[path] = (mtime, config)
    return config


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
