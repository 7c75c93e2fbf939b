"""Turn one customer message (its entities and text) into slot updates.

This is where a conversation's facts accumulate: lists grow across turns ("we also have an
office in Boise"), a correction replaces ("actually it's 4 offices"), a negated value is
removed ("Tacoma, not Seattle"). Plain Python: the Rasa action only passes values through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.conversation.corrections import adds_a_site, is_correction, merge_values
from bot.domain.profile import as_int
from bot.domain.slots import LIST_ENTITY_SLOTS, VALUE_ENTITY_SLOTS
from bot.understanding.extracted_entity import COUNT_ALONE_ROLE, TOWNS_LISTED_ROLE
from bot.understanding.locations import Gazetteer, default_gazetteer, place_key

NEGATED = "negated"

# entity name -> list slot it feeds
LIST_SLOTS = LIST_ENTITY_SLOTS
# entity name -> single-valued slot it feeds (the last mention wins)
VALUE_SLOTS = VALUE_ENTITY_SLOTS
# Phrases that tell us a carrier named in an `inform` is the customer's own.
CURRENT_CARRIER_CUES = (
    "current", "currently", "we're with", "we are with", "we have", "we use", "using",
    "our carrier", "our provider", "provider is", "carrier is", "with ", "stuck with",
    "we're on", "we are on", "were on", "been on", "switching from", "switch from",
    "moving off", "move off", "leaving", "we buy from",
)


# "comcast for internet, centurylink for the PRIs": a carrier named for what it provides them.
_FOR_A_SERVICE = re.compile(r"\s*(?:is\s+|does\s+|handles\s+)?for\s+(?:the\s+|our\s+|all\s+(?:the\s+|our\s+)?)?[a-z]", re.IGNORECASE)


def _carrier_for_a_service(text: str, entities: list[dict[str, Any]]) -> bool:
    """Whether a carrier is named for what it provides ("Cox for internet", "AT&T does for the
    lines"), in a message that asks nothing: it is theirs."""
    if "?" in text:
        return False
    return any(e.get("entity") == "carrier" and isinstance(e.get("end"), int) and e.get("role") != NEGATED
               and _FOR_A_SERVICE.match(text, e["end"]) for e in entities)


HQ_WORDS = re.compile(r"\b(hq|headquarters|head\s*quarters|head office|main office|main location|"
                      r"corporate office)\b", re.IGNORECASE)


def slot_for_entity(entity_name: str) -> Optional[str]:
    """The slot an entity answers (a city or a ZIP answers the question about locations)."""
    if entity_name in ("city", "zip_code"):
        return "states"
    if entity_name == "carrier":
        return "current_carrier"
    return LIST_SLOTS.get(entity_name) or VALUE_SLOTS.get(entity_name)


@dataclass(frozen=True)
class MessageUpdate:
    """Slot values to set and problems (code, customer's value, slot) to tell the customer about."""

    slots: dict[str, Any] = field(default_factory=dict)
    problems: tuple[tuple[str, str, str], ...] = ()

    def problems_except_for(self, slot: Optional[str]) -> tuple[tuple[str, str, str], ...]:
        """Problems other than those about `slot` (the form answering that question says it)."""
        return tuple(p for p in self.problems if p[2] != slot)


def _values(entities: Iterable[Mapping[str, Any]], name: str, negated: bool) -> list[Any]:
    out: list[Any] = []
    for entity in entities:
        if entity.get("entity") != name:
            continue
        if (entity.get("role") == NEGATED) != negated:
            continue
        value = entity.get("value")
        if value is not None and value not in out:
            out.append(value)
    return out


def _states_of_known_towns(entities: Sequence[Mapping[str, Any]], known_states: Sequence[str],
                           gazetteer: Optional[Gazetteer] = None) -> list[Mapping[str, Any]]:
    """The entities, with the state of a town named without its state taken from the states
    already known when the town is there too: "the internet at Dublin drops" after "Dublin,
    Ohio" is Dublin, OH, not the larger Dublin, CA that the town alone stands for. (The
    extractor gives a town's own state the town's span; a state named has a span of its own.)"""
    if not known_states:
        return list(entities)
    towns = {(e.get("start"), e.get("end")): e.get("value") for e in entities
             if e.get("entity") == "city" and e.get("role") != NEGATED and isinstance(e.get("start"), int)}
    out: list[Mapping[str, Any]] = []
    for entity in entities:
        town = towns.get((entity.get("start"), entity.get("end")))
        if entity.get("entity") == "us_state" and town and entity.get("value") not in known_states:
            gazetteer = gazetteer or default_gazetteer()
            there = [c.state for c in gazetteer.city_options(place_key(str(town))) if c.state in known_states]
            if there:
                entity = {**entity, "value": there[0]}
        out.append(entity)
    return out


# Questions a number alone may answer ("about 20" asked for the head count): a count invited
# before them is not read from such an answer.
_NUMBER_QUESTIONS = frozenset({"num_locations", "employees", "phone", "contract_end", "callback_time"})


def updates_from_message(
    current: Mapping[str, Any],
    entities: Sequence[Mapping[str, Any]],
    text: str,
    intent: Optional[str] = None,
    requested_slot: Optional[str] = None,
    known_zip: Any = None,
    count_invited: bool = False,
) -> MessageUpdate:
    """Compute the slot updates for one message.

    `known_zip(zip5) -> bool` says whether a ZIP exists (the extractor also emits the ZIP of
    an unknown code so that we can say so here). `count_invited`: the previous reply said back
    a number of sites and asked for a correction (acknowledge.sites_from_towns), so a count
    alone ("actually 3") is the number of sites, as if asked.
    """
    entities = _states_of_known_towns(entities, list(current.get("states") or []))
    correction = is_correction(text or "")
    slots: dict[str, Any] = {}
    problems: list[tuple[str, str, str]] = []
    # "the HQ is in Tacoma, not Portland" moves the main office; the Portland site stays.
    negated_cities = _values(entities, "city", negated=True)
    hq_moves = bool(HQ_WORDS.search(text or "")) and current.get("city") in negated_cities

    for entity_name, slot in LIST_SLOTS.items():
        new = _values(entities, entity_name, negated=False)
        negated = [] if hq_moves and slot == "states" else _values(entities, entity_name, negated=True)
        if not new and not negated:
            continue
        previous = list(current.get(slot) or [])
        # A targeted correction ("Tacoma, not Seattle") removes what was negated and keeps
        # the rest; a bare "actually ..." restates the whole answer.
        merged = merge_values(previous, new, correction=correction and not negated, negated=negated)
        if merged != previous:
            slots[slot] = merged

    new_cities = _values(entities, "city", negated=False)
    current_city = current.get("city")
    # The main office changes when none is known, when it is the city ruled out ("HQ is Tacoma,
    # not Portland") or on a bare correction ("actually the HQ is in Tacoma"); "Tacoma, not
    # Seattle" about a branch leaves it alone.
    replaces_hq = current_city in negated_cities or (correction and not negated_cities and not adds_a_site(text))
    if new_cities and (not current_city or replaces_hq):
        if new_cities[0] != current_city:
            slots["city"] = new_cities[0]
    elif current_city and current_city in negated_cities:
        slots["city"] = None

    # A count that is the whole reply ("a dozen") answers the question asked: the number of
    # sites only when that was asked. Asked nothing, it says what it counts no more than asked
    # the head count, so it is no count (the annotation guide: a bare number is none). "Where
    # are your sites?" answered "3" counts them when no count is known yet: the question names
    # the sites, and the form says the count back as it asks where again.
    sites_named = ((requested_slot == "states" and not current.get("num_locations"))
                   or (count_invited and requested_slot not in _NUMBER_QUESTIONS))
    if requested_slot != "num_locations" and not sites_named:
        entities = [e for e in entities if not (e.get("entity") == "num_locations" and e.get("role") == COUNT_ALONE_ROLE)]
    if current.get("num_locations"):
        # "3 offices", then "Provo and Orem, UT" as where: one site per town is a guess, and
        # the count they told wins (two of the three may be in Provo)
        entities = [e for e in entities if not (e.get("entity") == "num_locations" and e.get("role") == TOWNS_LISTED_ROLE)]
    for entity_name, slot in VALUE_SLOTS.items():
        values = _values(entities, entity_name, negated=False)
        if not values:
            continue
        value = values[-1]
        if entity_name == "zip_code":
            if known_zip is not None and not known_zip(str(value)):
                problems.append(("unknown_zip", str(value), "states"))
                continue
        if entity_name in ("num_locations", "employees"):
            number = as_int(value)
            if number is None:
                continue
            if number < 1:
                code = "not_positive" if entity_name == "num_locations" else "employees_not_positive"
                problems.append((code, str(value), slot))
                continue
            value = float(number)
        if current.get(slot) != value:
            slots[slot] = value

    carriers = _values(entities, "carrier", negated=False)
    if carriers and intent not in ("ask_why",):
        lowered = (text or "").lower()
        if (requested_slot == "current_carrier" or any(cue in lowered for cue in CURRENT_CARRIER_CUES)
                or _carrier_for_a_service(text or "", entities)):
            if current.get("current_carrier") != carriers[0]:
                slots["current_carrier"] = carriers[0]

    return MessageUpdate(slots=slots, problems=tuple(problems))
