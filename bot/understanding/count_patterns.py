"""Counts of sites and people and install waits read by the token Matcher (Extractor._build_matcher,
Extractor._matcher_candidates): the words its patterns allow around a number, and reading the
number of a matched span ("a dozen", "5-6 offices", "headcount of 75").

The word lists say why a word is in or out: each keeps a known false positive out ("a 40-bed
hospital" is no count of sites, "400 yards from the office" a distance).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from bot.understanding.site_nouns import MEASURE_NOUNS
from bot.understanding.validators import NUMBER_WORDS, parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc, Span


# "5 pizza places", "3 coffee shops": one word naming the business may sit between the number
# and the noun, unless it is one of these ("24 hour store", "20 employees per store").
# People of a practice: "a 2-doctor practice" and "a 3 vet office" count people, "3 vet
# clinics" (a plural site noun) counts sites.
_PEOPLE_OF_A_PRACTICE = frozenset({
    "doctor", "doctors", "dentist", "dentists", "attorney", "attorneys", "lawyer", "lawyers", "physician",
    "physicians", "partner", "partners", "provider", "providers", "vet", "vets",
})
_NOT_A_BUSINESS = sorted({
    # "a 40-bed hospital": capacity, not how many sites
    "chair", "chairs", "bed", "beds", "room", "rooms", "seat", "seats", "unit", "units", "bay", "bays", "lane", "lanes", "person", "man", "woman",
    *MEASURE_NOUNS, "story", "stories", "floor", "floors",
    "per", "each", "every", "more", "less", "fewer", "other", "times", "x",
    "big", "bigger", "tiny", "little", "large", "huge", "old", "busy", "single", "only",
})
_LOC_MODS = [
    "different", "separate", "physical", "retail", "branch", "office", "remote", "total", "store",
    "satellite", "main", "small", "regional", "field", "sales", "local", "medical", "dental",
    "other", "additional", "new", "business", "corporate", "company", "us", "u.s.", "distribution",
    "call", "data", "service", "-", "operating", "active", "more", "urgent", "care", "+",
    # sizes said of the sites: "3 little offices", "one tiny shop"; "4 day cares", "2 day spas"
    "little", "tiny", "big", "large", "day",
]
# "number of locations is 4", "site count: 6": a count after the site noun.
_COUNTED_SITES = [
    "locations", "location", "sites", "site", "offices", "office", "branches", "branch", "stores", "store",
    "buildings", "facilities", "clinics", "restaurants",
]
_COUNT_GLUE = ["is", "are", "=", ":", "-", "of", "about", "around", "roughly", "approx", "approximately", "~"]
_EMP_MODS = [
    "full", "time", "-", "full-time", "fulltime", "part", "total", "remote", "office", "onsite",
    "on", "site", "staff", "team", "+", "or", "so", "odd", "plus", "ish", "in-office", "hybrid",
]
_EMP_HEADS = ["headcount", "workforce", "employees", "staff", "employee", "fte", "ftes"]
_EMP_GLUE = [
    "of", "is", "are", "about", "around", "approximately", "approx", "approx.", "roughly", "~",
    ":", "=", "-", "at", "near", "nearly", "over", "under", "just", "like", "total", "currently",
    "count", "number", "size", "some", "maybe", "probably",
]
# "about 12 of us", "there are 30 of us total": the whole team. Not after a word that makes it
# a case ("when 3 of us are on calls", "more than 2 of us"), nor before one that makes it a part
# doing something ("3 of us work remotely", "2 of us r on zoom"): only these may follow.
_NOT_BEFORE_OF_US = frozenset({
    "than", "if", "when", "whenever", "once", "as", "until", "till", "unless", "because", "cuz", "since",
    "while", "where", "every", "each", "per",
})
_AFTER_OF_US = frozenset({
    "total", "in", "at", "across", "here", "there", "working", "now", "today", "altogether", "counting",
    "including", "give", "and", "plus", "so", "between", "these", "right", "tops", "max", "or", "ish",
    "full", "full-time", "roughly", "about", "give-or-take", "incl", "w", "with", "split", "spread",
})


def counts_the_team(doc: "Doc", i: int, j: int) -> bool:
    """Whether "<number> of us" at doc[i:j] is the whole team (see _AFTER_OF_US)."""
    if i > 0 and doc[i - 1].lower_ in _NOT_BEFORE_OF_US:
        return False
    return j >= len(doc) or doc[j].is_punct or doc[j].lower_ in _AFTER_OF_US


# The number words of validators (not "none"/"zero", no count; not "k"/"mm", a scale typed after
# digits) and the glue between them ("a dozen", "two and a half").
_NUM_WORDS = "|".join(re.escape(w) for w in sorted((NUMBER_WORDS - {"none", "zero", "k", "mm"}) | {"a", "an", "and", "-", "of"},
                                                   key=len, reverse=True))
# Site nouns that are also lengths ("400 yards from the office"), and what follows a distance.
_DISTANCE_SITE_NOUNS = frozenset({"yard", "yards"})
_DISTANCE_AFTER = frozenset({"from", "away", "apart", "down", "up", "off", "of", "to", "between", "across"})
_NUM_RE = r"^(?:~?\d{1,3}(?:,\d{3})+|~?\d+(?:\.\d+)?(?:k|m|ish)?|" + _NUM_WORDS + r")$"
# An install wait at least this long is a slow install (unit -> minimum count).
_SLOW_WAIT = {"day": 20, "days": 20, "week": 3, "weeks": 3, "month": 1, "months": 1}


def _long_wait(span: "Span") -> bool:
    """'install took like 120 days': the number before the unit reaches _SLOW_WAIT."""
    for k, token in enumerate(span):
        minimum = _SLOW_WAIT.get(token.lower_)
        if minimum is not None and k > 0:
            number = parse_number_words([span[k - 1].lower_])
            return number is not None and number >= minimum
    return False


def _first_number(doc: "Doc", i: int, j: int) -> Optional[int]:
    """Index of the first number-like token in doc[i:j]."""
    return next((k for k in range(i, j) if doc[k].like_num), None)


def _count_value(span: "Span") -> Optional[float]:
    words = []
    for token in span:
        text = token.lower_
        if text.endswith("ish") and text[:-3].replace(".", "").isdigit():
            text = text[:-3]
        words.append(text.strip("~"))
    # the number is the leading run for "3 offices", the trailing run for "headcount of 75"
    number_words = _leading_number(words) or _leading_number(words[::-1])[::-1]
    if not number_words:
        return None
    value = parse_number_words(number_words)
    return _range_top(span, value)


def _range_top(span: "Span", value: Optional[float]) -> Optional[float]:
    """A count said as a range is noted at its top, as the customer may have that many sites to
    serve (the annotation guide, docs/nlu-evaluation.md; the site buttons' "6-20" is a bucket,
    not a range said): "6 or 7 locations" and "5 to 6 branches" read the number next to the
    noun already; "5-6 offices" and "between 8 and 10 sites", where the matcher starts at the
    first number, take the one after "-"/"and"/"or"/"to" when larger."""
    doc = span.doc
    if value is None:
        return value
    numbers = [t for t in span if t.like_num and t.lower_ not in ("a", "an")]
    if len(numbers) == 2 and doc[numbers[0].i + 1].lower_ in ("-", "and", "or", "to", "–"):
        high = parse_number_words([numbers[1].lower_])
        return high if high is not None and value < high <= value * 10 else value
    return value


_NUM_TOKEN = re.compile(_NUM_RE)


def _leading_number(words: list[str]) -> list[str]:
    run = []
    for word in words:
        if _NUM_TOKEN.match(word) or _NUM_TOKEN.match("~" + word):
            run.append(word)
        else:
            break
    while run and run[-1] in ("a", "an", "and", "of", "-"):
        run.pop()
    while run and run[0] in ("and", "of", "-"):
        run.pop(0)
    return run
