"""A reply to "what's your name?" or "what's the company called?" that is no name.

Those questions take any text as their answer (bot.conversation.answer_parsing), which is
right for "Denver Fiber Works" or "Lakeside PRI Consulting": a name may hold a place or a
service word. But a customer still answering an earlier question ("Provo UT", "SIP trunks",
"Tacoma, WA 98402") gives facts, not a name: every word of it was read as a place or a
service. Such a reply is taken as those facts, and the name is asked again.

The extractor already leaves a town that is also a first name alone ("Austin", "Tyler"), so
only what it read as a place counts here; and towns alone are no facts, since people and firms
are named after them ("Dallas Moore", "Georgia Lynn"): a service, a ZIP, a state's code or a
state after a town, or "in" must mark the reply as where they are.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Optional

from bot.understanding.candidates import CITY, SERVICE, US_STATE, ZIP_CODE
from bot.understanding.locations import default_gazetteer
from bot.understanding.vocabulary import load_vocabulary

#: The questions whose answer is a name.
NAME_SLOTS = frozenset({"contact_name", "company_name"})
#: Entities that say where the sites are or what they need.
FACT_ENTITIES = frozenset({CITY, US_STATE, ZIP_CODE, SERVICE})
# Words that join places and services in a reply without naming anything ("in Provo and Ogden",
# "we're at 84604", "just the SIP trunks").
_JOINERS = frozenset({
    "in", "at", "near", "and", "or", "plus", "also", "too", "the", "a", "an", "our", "we", "we're", "were", "are",
    "is", "it's", "its", "just", "based", "located", "out", "of", "for", "both", "only", "sorry", "oh", "um",
    "zip", "area", "&", "one", "ones", "kind", "type", "option", "please", "thanks", "line", "lines", "service",
})
_WORD = re.compile(r"[\w'&]+")


def reads_as_facts_only(text: str, entities: Iterable[tuple[str, Optional[int], Optional[int]]]) -> bool:
    """Whether every word of `text` is a place or a service the extractor read (`entities`:
    (entity, start, end)), a US state written out or as its code, or a joining word, with at
    least one place or service read, and something that marks it as facts: a service, a ZIP,
    a state written out or as its code, or "in"/"at"/"near". Towns alone are a name: "Dallas
    Moore" is a person, though Dallas and Moore are towns."""
    found = [(entity, start, end) for entity, start, end in entities
             if entity in FACT_ENTITIES and isinstance(start, int) and isinstance(end, int) and start < end
             and not _a_name_like_code(entity, text[start:end])]
    if not found:
        return False
    cities = {(start, end) for entity, start, end in found if entity == CITY}
    # a state read from its own words, not only inferred from a town, and not the reply's first
    # word ("Georgia Lynn", "Virginia" are people too), unless written as its code ("UT")
    marked = any(entity in (SERVICE, ZIP_CODE) or (
        entity == US_STATE and (start, end) not in cities and (text[start:end].isupper() or text[:start].strip()))
        for entity, start, end in found)
    rest = list(text)
    for _entity, start, end in found:
        rest[start:end] = " " * (end - start)
    left = "".join(rest)
    marked = marked or any(text[:m.start()].strip() for m in _state_names().finditer(left))
    left = _state_names().sub(" ", left)
    gazetteer = default_gazetteer()
    choices = _choice_words()
    for word in _WORD.findall(left):
        lowered = word.lower().replace("\u2019", "'")
        if lowered in _PLACE_MARKERS:
            marked = True
        if lowered in _JOINERS or lowered in choices:
            continue  # "the broadband one", "the cheap phone lines": a service picked
        if len(word) == 2 and word.isupper() and word in gazetteer.state_codes:
            marked = True
            continue  # "Provo UT"; a lowercase "al" or "me" may be a word
        return False
    return marked


# Words that place what follows: "in Provo", "we're at 84604".
_PLACE_MARKERS = frozenset({"in", "at", "near", "based", "located"})


def _a_name_like_code(entity: Optional[str], typed: str) -> bool:
    """"Al", "Ed": a state's code written as a name is, asked for a name, the name."""
    return entity == US_STATE and len(typed) == 2 and not typed.isupper()


def _choice_words() -> frozenset[str]:
    """The one-word choices of a which-one question ("cheap", "hosted": vocabulary.yml choice_words)."""
    return frozenset(w for words in load_vocabulary().choice_words.values() for w in words if " " not in w)


@lru_cache(maxsize=1)
def _state_names() -> re.Pattern[str]:
    names = sorted(default_gazetteer().state_proper_names.values(), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)
