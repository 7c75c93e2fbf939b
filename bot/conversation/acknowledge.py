"""What the assistant says back when the customer changes an earlier answer ("actually it's 4
offices"), or answers another question than the one asked: the values in plain words, so a
silent correction or an answer out of turn never looks ignored."""

from __future__ import annotations

import calendar
from typing import Any, Iterable, Mapping, Optional

from bot.domain.guidance import GuidanceCopy, join_names, load_default_copy
from bot.domain.wording import load_plan_wording
from bot.understanding.locations import Gazetteer, default_gazetteer
from bot.domain.profile import as_int
from bot.domain.slots import CONFIRMED_SLOTS
from bot.understanding.extracted_entity import TOWNS_LISTED_ROLE

# The facts worth confirming, in the order they are said.
ACKNOWLEDGED = CONFIRMED_SLOTS


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _count(number: Any, noun: str) -> str:
    n = as_int(number)
    return f"{n} {noun}{'' if n == 1 else 's'}" if n is not None else ""


def _month(value: str) -> str:
    parts = str(value).split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        name = calendar.month_name[month]
        return f"{name} {int(parts[2])}, {year}" if len(parts) > 2 else f"{name} {year}"
    except (ValueError, IndexError):
        return str(value)


def describe(slot: str, value: Any, names: GuidanceCopy, gazetteer: Gazetteer) -> str:
    """A slot value in plain words: "sites in Oregon and Washington", "4 sites"."""
    if slot == "states":
        return "sites in " + join_names([gazetteer.state_proper_names.get(s, s) for s in value])
    if slot == "city":
        return f"main office in {value}"
    if slot == "num_locations":
        return _count(value, "site")
    if slot == "employees":
        return _count(value, "employee")
    if slot == "services":
        return join_names([names.services.get(code, code) for code in value])
    if slot == "current_carrier":
        return f"{value} as your current carrier"
    if slot == "contract_end":
        return f"contract ending {_month(value)}"
    return str(value)


def describe_changes(
    before: Mapping[str, Any],
    changes: Mapping[str, Any],
    *,
    names: Optional[GuidanceCopy] = None,
    gazetteer: Optional[Gazetteer] = None,
) -> list[str]:
    """Plain words for each earlier answer that `changes` replace or extend (first answers and
    removals are not echoed)."""
    names = names or load_default_copy()
    gazetteer = gazetteer or default_gazetteer()
    said = []
    for slot in ACKNOWLEDGED:
        old, new = before.get(slot), changes.get(slot)
        if slot in changes and not _empty(old) and not _empty(new) and old != new:
            text = describe(slot, new, names, gazetteer)
            if text:
                said.append(text)
    return said


def describe_told_instead(
    before: Mapping[str, Any],
    changes: Mapping[str, Any],
    asked: Optional[str],
    *,
    names: Optional[GuidanceCopy] = None,
    gazetteer: Optional[Gazetteer] = None,
    problems: Optional[Mapping[str, str]] = None,
) -> list[str]:
    """Plain words for the first answers told while another question (`asked`) was asked and
    left unanswered ("which services?" answered with "the bills are insane and it keeps
    dropping"): said back before the question is asked again, so the answer never looks
    ignored. Nothing when no question was asked or it was answered."""
    if not asked or asked in changes:
        return []
    names = names or load_default_copy()
    gazetteer = gazetteer or default_gazetteer()
    problems = problems if problems is not None else load_plan_wording().challenges
    said = []
    for slot in (*ACKNOWLEDGED, "challenges"):
        old, new = before.get(slot), changes.get(slot)
        if slot == asked or _empty(new) or not _empty(old):
            continue
        if slot == "challenges":
            text = join_names([problems.get(code, code) for code in new])
        else:
            text = describe(slot, new, names, gazetteer)
        if text:
            said.append(text)
    return said


def sites_from_towns(entities: Iterable[Mapping[str, Any]], changes: Mapping[str, Any],
                     asked: Optional[str]) -> Optional[int]:
    """The number of sites this message set by listing towns ("Provo and Orem, UT": 2, one per
    town; bot.understanding.site_lists), unless the number was what we asked. Said back with
    an invitation to correct it: a customer with two sites in one town would otherwise never
    be asked how many they have."""
    if asked == "num_locations" or "num_locations" not in changes:
        return None
    if not any(e.get("entity") == "num_locations" and e.get("role") == TOWNS_LISTED_ROLE for e in entities):
        return None
    return as_int(changes["num_locations"])
