"""Whether a city or state name stands as a place: the wording around it (bot.understanding.extraction,
Extractor._decide and _emit_locations).

A name of the gazetteer is a place after "in"/"at", before "office", in a list of places or right
before a state; not in "this is Tyler", "thanks Austin", "Lakeside Dental Group". Each word list
keeps a known false positive out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from bot.understanding.locations import Gazetteer, place_key

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc, Span


# AP abbreviations that are also words: a state only right after a city ("Seattle, Wash.").
_WORD_AP = frozenset({"Wash.", "Miss.", "Ill.", "Ind.", "Del.", "Mo.", "Pa.", "La.", "Va.", "Ga.", "Mass.", "Conn.", "Md."})
_LOC_PREPS = frozenset({"in", "at", "near", "around", "outside", "within", "across", "between", "based", "located", "headquartered", "hq", "serving"})
# "to Mobile", "from Mobile" place a city, but not a person: "talk to Tyler", "a call from Madison"
_MOVE_PREPS = frozenset({"to", "from", "into"})
_LOC_PRE_MODS = frozenset({"downtown", "greater", "metro", "the", "north", "south", "east", "west", "central", "suburban", "of"})
_PLACE_NOUNS = frozenset({
    "office", "offices", "site", "sites", "location", "locations", "branch", "branches", "hq",
    "headquarters", "area", "metro", "store", "stores", "warehouse", "campus", "building",
    "plant", "facility", "clinic", "shop", "team", "datacenter", "market",
})
_PLACE_JOINERS = frozenset({",", "and", "&", "or", "/", "plus", "+", ";"})
# Where a person's name goes (see _named_like_a_person); greetings that are also towns.
_PERSON_BEFORE = frozenset({"i'm", "im", "thanks", "thx", "hi", "hey", "hello", "dear", "mr", "ms", "mrs", "name's", "cc"})
_PERSON_BEFORE_PAIRS = frozenset({
    ("this", "is"), ("i", "am"), ("name", "is"), ("thank", "you"), ("ask", "for"), ("talk", "to"),
    ("speak", "to"), ("speak", "with"), ("talk", "with"), ("call", "me"), ("it's", "me"),
})
_GREETINGS = frozenset({"aloha", "howdy", "hello", "hiya", "greetings", "cheers", "welcome", "hola", "ciao", "shalom", "namaste"})
_SMALL_WORDS = frozenset({"of", "the", "de", "du", "la", "le", "and", "in", "on", "del", "los", "las", "el"})


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _capitalised(span: "Span") -> bool:
    words = [t.text for t in span if t.is_alpha or "'" in t.text]
    significant = [w for w in words if w.lower() not in _SMALL_WORDS] or words
    return bool(significant) and all(w[:1].isupper() for w in significant)


def _adjacent(doc: "Doc", end: int, start: int) -> bool:
    """Tokens end..start are nothing or one comma ("Portland, OR", "Portland OR")."""
    between = [t.text for t in doc[end:start]]
    return between in ([], [","])


def _placed_like_a_place(doc: "Doc", span: tuple[int, int], last_place_end: Optional[int], *, person: bool = False) -> bool:
    """Where a place goes: after "in"/"at"/... ("to"/"from" too unless the word is also a
    person's name), before "office"/"area", or in a list right after another place."""
    i, j = span
    preps = _LOC_PREPS if person else _LOC_PREPS | _MOVE_PREPS
    before = [t.lower_ for t in doc[max(0, i - 2) : i]]
    if before and before[-1] in preps:
        return True
    if len(before) == 2 and before[0] in preps and before[1] in _LOC_PRE_MODS:
        return True
    if j < len(doc) and doc[j].lower_ in _PLACE_NOUNS:
        return True
    if last_place_end is not None and last_place_end <= i:
        between = [t.lower_ for t in doc[last_place_end:i]]
        if len(between) <= 2 and all(w in _PLACE_JOINERS for w in between):
            return True  # a list of places: "Portland and Mobile", "dallas houston austin"
    return False


def _named_like_a_person(doc: "Doc", span: tuple[int, int]) -> bool:
    """A one-word name where a person (or a greeting) goes: "this is Tyler", "I'm Chester",
    "Madison here", "thanks Austin", "hi Jordan", "ask for Marion", "Aloha!" opening the message."""
    i, j = span
    if j - i != 1:
        return False
    before = tuple(t.lower_.replace("\u2019", "'") for t in doc[max(0, i - 2) : i])
    if before and (before[-1] in _PERSON_BEFORE or before in _PERSON_BEFORE_PAIRS):
        return True
    after = doc[j].lower_ if j < len(doc) else ""
    if after in ("here", "speaking") and i <= 2:
        return True
    if i == 0 and doc[0].lower_ in _GREETINGS:
        return True
    return False


# Capitalised words that go with a place rather than make a name of it ("Tampa Bay area",
# "Denver Metro", "Seattle Office").
_PLACE_TITLE_WORDS = _PLACE_NOUNS | _LOC_PRE_MODS | frozenset({
    "bay", "area", "valley", "county", "region", "downtown", "uptown", "midtown", "airport", "beach", "springs",
    "heights", "harbor", "island", "lake", "metroplex", "suburbs", "city", "township", "parish", "i",
})


def _part_of_a_name(doc: "Doc", span: tuple[int, int], place_tokens: frozenset[int] | set[int]) -> bool:
    """A town inside a name of capitalised words that are no place: "Lakeside Dental Group",
    "West Plains Credit Union", "Union Street Bakery", "Denver Fiber Works" (a company, a
    street). A word that places it ("in Union", "Springfield Office") wins over this."""
    i, j = span

    def of_a_name(k: int) -> bool:
        if k < 0 or k >= len(doc) or k in place_tokens:
            return False
        token = doc[k]
        sentence_start = k == 0 or doc[k - 1].text in (".", "!", "?", ":", "\n")
        return (token.is_alpha and token.text[:1].isupper() and not token.text.isupper()
                and not token.is_stop and token.lower_ not in _PLACE_TITLE_WORDS and not (k < i and sentence_start))

    return of_a_name(i - 1) or of_a_name(j)


def _listed_before_a_place(doc: "Doc", span: tuple[int, int], strong_starts: frozenset[int] | set[int]) -> bool:
    """'Charlotte and Raleigh': a name followed (through "and", a comma...) by a clear place."""
    j = span[1]
    for k in range(j + 1, min(len(doc), j + 3) + 1):
        if k in strong_starts and all(t.lower_ in _PLACE_JOINERS for t in doc[j:k]):
            return True
    return False


def _drop_cities_out_of_named_states(doc: "Doc", decisions: dict[tuple[int, int], Optional[tuple[str, Any]]],
                                     hints: set[str]) -> None:
    """A city must agree with the states the customer names: with the states named and another
    city there in one of them, a one-word city elsewhere that nothing in the wording marks as
    a place ("in X", "X office", "X, ST") is a word or a name, not a second place."""
    if not hints:
        return
    cities = {span: d[1] for span, d in decisions.items() if d is not None and d[0] == "city"}
    if not any(info.state in hints for info in cities.values()):
        return
    for span, info in cities.items():
        if info.state in hints or span[1] - span[0] != 1:
            continue
        i, j = span
        before = doc[i - 1].lower_ if i > 0 else ""
        after = doc[j].lower_ if j < len(doc) else ""
        if before in _LOC_PREPS or before in _MOVE_PREPS or after in _PLACE_NOUNS:
            continue
        decisions[span] = None


def _zip_city_name(g: Gazetteer, info: Any) -> str:
    """The ZIP's post-office city under the gazetteer's proper name when it knows the city
    ("New York" -> "New York City", "Saint Louis" -> "St. Louis")."""
    city = g.city_in_state(place_key(info.city), info.state)
    return city.name if city is not None else info.city
