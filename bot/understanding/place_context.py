"""Whether a city or state name stands as a place: the wording around it (bot.understanding.extraction,
Extractor._decide and _emit_locations).

A name of the gazetteer is a place after "in"/"at", before "office", in a list of places or right
before a state; not in "this is Tyler", "thanks Austin", "Lakeside Dental Group". Each word list
keeps a known false positive out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from bot.understanding.candidates import Candidate
from bot.understanding.locations import Gazetteer, place_key
from bot.understanding.validators import WORD_CODES

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc, Span


# AP abbreviations that are also words: a state only right after a city ("Seattle, Wash.").
_WORD_AP = frozenset({"Wash.", "Miss.", "Ill.", "Ind.", "Del.", "Mo.", "Pa.", "La.", "Va.", "Ga.", "Mass.", "Conn.", "Md."})
_LOC_PREPS = frozenset({"in", "at", "near", "around", "outside", "within", "across", "between", "based", "located", "headquartered", "hq", "serving",
                        "en"})  # Spanish "en", in messages that mix it in ("una tienda en Burley")
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


# ---- lowercase state codes and towns that are words ("3 stores in az", "mesa az") ----------------
# How people type at the end of a day: "3 stores in az", "tucson az", "we're in tx and ok", "bend
# oregon", "phoenix, mesa and tempe". A lowercase code or a town that is an English word counts only
# where the wording makes it a place; these word lists keep the usual words out ("log in ms", "sd-wan",
# "bend the rules", "the mesa"), so they are code concerns, not broker data.

# Words after which a lowercase code that is no word is a state ("in az", "across ny and nj").
_CODE_PREPS = frozenset({"in", "across", "throughout", "outside", "around", "near", "within"})
# Codes that are units after "in" ("latency in ms"): a state only in a list of codes.
_UNIT_CODES = frozenset({"ms", "mi"})
# Codes that are also a direction before a place ("in ne ohio"): after "in", a state only when
# the clause or the list goes no further.
_DIRECTION_CODES = frozenset({"ne"})
# Word codes that are a state right after "in" when they close the clause ("we're in pa.", "in ok,
# 3 stores"); "in me", "in or", "in in" and "in la" (a city) stay words.
_WORD_CODES_AFTER_IN = frozenset({"pa", "wa", "co", "ok", "oh", "id", "de", "ma", "al", "hi"})
# Word codes never read as a state in lowercase wording ("log in", "this or that").
_NEVER_LOWERCASE_STATES = frozenset({"in", "or"})
# Punctuation that does not close a clause: a hyphen makes a word ("sd-wan", "wi-fi").
_NOT_CLAUSE_ENDS = frozenset({"-", "/", "(", "&", "'", '"', "+", "@", "#", "$", "%"})


def _closes_clause(doc: "Doc", j: int) -> bool:
    """Token j ends the clause: the end of the message, a full stop, a comma, a bracket..."""
    if j >= len(doc):
        return True
    token = doc[j]
    return token.is_space or (token.is_punct and token.text not in _NOT_CLAUSE_ENDS)


def _hyphen_follows(doc: "Doc", j: int) -> bool:
    """A hyphen right after: the code is part of a word ("sd-wan", "co-op", "wi-fi")."""
    return j < len(doc) and doc[j].text == "-"


def _joined(doc: "Doc", end: int, start: int) -> bool:
    """Tokens end..start are a list's joiners only, at most two ("az, nm", "tx, la and ms")."""
    between = [t.lower_ for t in doc[end:start]]
    return 0 < len(between) <= 2 and all(w in _PLACE_JOINERS for w in between)


def _code_stands_alone(doc: "Doc", span: tuple[int, int], code: str) -> bool:
    """A lowercase code that is a state by the words around it: after "in" ("3 stores in az";
    a word code only closing the clause: "we're in pa."), or after a comma closing the clause
    ("two warehouses, nv")."""
    i, j = span
    low = code.lower()
    if low in _NEVER_LOWERCASE_STATES or _hyphen_follows(doc, j):
        return False
    before = doc[i - 1].lower_ if i > 0 else ""
    if low in WORD_CODES:
        return before == "in" and low in _WORD_CODES_AFTER_IN and _closes_clause(doc, j)
    if low in _UNIT_CODES:
        return False
    if before in _CODE_PREPS:
        return low not in _DIRECTION_CODES or _closes_clause(doc, j) or doc[j].lower_ in _PLACE_JOINERS
    return before == "," and i >= 2 and _closes_clause(doc, j)


def _lowercase_codes_as_states(doc: "Doc", codes: dict[tuple[int, int], str],
                               states: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The lowercase codes (`codes`: span -> USPS code, none placed yet) that stand as states:
    by the words around them (_code_stands_alone), two codes that are no words joined ("ny and
    nj"), or a code in a list after a state (`states`, the spans of states already standing:
    "in tx and ok", "tx, la and ms", "Arizona and nm"). A word code in a list must close it or go
    on with it ("tx and ok so..." stays a word); "in" and "or" never count."""
    standing = {span: code for span, code in codes.items() if _code_stands_alone(doc, span, code)}
    spans = sorted(codes)
    for a, b in zip(spans, spans[1:]):
        pair = (codes[a].lower(), codes[b].lower())
        if _joined(doc, a[1], b[0]) and not any(c in WORD_CODES or c in _UNIT_CODES for c in pair) \
                and not _hyphen_follows(doc, b[1]):
            standing[a], standing[b] = codes[a], codes[b]
    changed = True
    while changed:
        changed = False
        known = sorted(states | set(standing))
        starts = {s[0] for s in known} | {s[0] for s in codes}
        for span, code in codes.items():
            low = code.lower()
            if span in standing or low in _NEVER_LOWERCASE_STATES or _hyphen_follows(doc, span[1]):
                continue
            after_a_state = any(_joined(doc, s[1], span[0]) for s in known if s[1] <= span[0])
            if low in WORD_CODES:
                # "tx, me and my partner" is no Maine: the list must go on with a place
                goes_on = any(_joined(doc, span[1], k) for k in starts if k > span[1])
                listed = after_a_state and (_closes_clause(doc, span[1]) or goes_on)
            else:
                listed = after_a_state or any(_joined(doc, span[1], s[0]) for s in known if s[0] >= span[1])
            if listed:
                standing[span] = code
                changed = True
    return standing


def _word_town_before_its_state(doc: "Doc", state_span: tuple[int, int], code: str, weak: bool) -> bool:
    """A town that is also a word ("mesa", "bend") is one right before its own state ("mesa az",
    "bend oregon"); a lowercase word code must close the clause or go on with a list there
    ("bend or break" is no Bend, OR), and "in" never counts ("gary in sales")."""
    low = code.lower()
    if not weak or low not in WORD_CODES:
        return True
    if low == "in":
        return False
    j = state_span[1]
    return _closes_clause(doc, j) or (j < len(doc) and doc[j].lower_ in _PLACE_JOINERS and low != "or")


def _word_town_listed_with_its_state(doc: "Doc", span: tuple[int, int], options: tuple[Any, ...],
                                     decisions: dict[tuple[int, int], Optional[tuple[str, Any]]]) -> Optional[tuple[str, Any]]:
    """A town that is also a word, in a list with a town of its own state, is a town too:
    "phoenix, mesa and tempe" (Mesa, AZ), "austin, waco, temple". `options`: its CityInfos;
    `decisions`: the places decided so far."""
    if _named_like_a_person(doc, span):
        return None
    for other, decision in decisions.items():
        if decision is None or decision[0] != "city":
            continue
        near = _joined(doc, other[1], span[0]) if other[1] <= span[0] else _joined(doc, span[1], other[0])
        match = next((o for o in options if o.state == decision[1].state), None)
        if near and match is not None:
            return ("city", match)
    return None


def _word_towns_listed_with_their_state(doc: "Doc", decisions: dict[tuple[int, int], Optional[tuple[str, Any]]],
                                        word_towns: dict[tuple[int, int], tuple[Any, ...]]) -> None:
    """_word_town_listed_with_its_state for the word towns still undecided (`word_towns`: span ->
    options), until none is added: a town listed before its state's towns ("mesa and tempe")."""
    changed = True
    while changed:
        changed = False
        for span, options in word_towns.items():
            if decisions.get(span) is None:
                decisions[span] = _word_town_listed_with_its_state(doc, span, options, decisions)
                changed = changed or decisions[span] is not None


def _word_town(i: int, j: int, start: int, end: int, options: tuple[Any, ...]) -> Candidate:
    """A lowercase town that is also an English word ("mesa", "temple", "bend"): a place only right
    before its own state or in a list with towns of its state (Extractor._emit_locations)."""
    return Candidate("loc", i, j, start, end, "city", options, needs_anchor=True, extra={"word_town": True})


def _untaken(word_towns: list[Candidate], others: list[Candidate]) -> list[Candidate]:
    """The word towns no other candidate covers: "mobile" of "mobile phones" is the service. A
    count covers the places it counts ("gyms in tempe and mesa": 2), so it takes none."""
    taken = [o for o in others if o.layer != "qty"]
    return [t for t in word_towns if not any(o.start < t.end and t.start < o.end for o in taken)]


def _code_no_word(doc: "Doc", span: tuple[int, int], code: str) -> bool:
    """A lowercase code right after a town that is no word nor unit ("la grange ga", "sioux city
    ne") names the state even where the town is not in it: the customer's state wins."""
    low = code.lower()
    return low not in WORD_CODES and low not in _UNIT_CODES and not _hyphen_follows(doc, span[1])
