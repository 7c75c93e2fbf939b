"""A head count said as the owner plus their staff: "me plus 9 baristas" (10), "just me and 6
attendants" (7), "my wife, me and 4 techs" (6), "the two of us and a dozen drivers" (14).

No list of job nouns covers every trade, so the construction itself is the evidence of people:
the speaker ("me", "myself", "my partner and I", "the two of us"), maybe with family or a
partner, then "and"/"plus" and a count of a plural noun. What rules it out is that noun: sites
("me and 3 stores"), measures ("me and 2 years"), things ("me and 2 trucks") and people who are
not staff ("me and 40 kids" at a daycare).

Read by the extractor (`with_owner_and_staff`, on its tokens) and by the answer to the head-count
question (bot.conversation.answer_parsing, on `words_of` the reply), so both give one number.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple, Optional, Sequence

from bot.understanding.candidates import EMPLOYEES, NUM_LOCATIONS, Candidate
from bot.understanding.count_patterns import _leading_number
from bot.understanding.site_nouns import MEASURE_NOUN_SET, PEOPLE_NOUNS, SITE_NOUN_SET
from bot.understanding.validators import RANGE_JOINERS, parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# The speaker: "me", "myself"; "I" only after others named ("my wife and I plus 3 techs").
_SPEAKER = frozenset({"me", "myself"})
# Family and partners named beside the speaker, one person each ("my wife, me and 4 techs").
# Code, not data: how people name those they work with, not anything a broker edits.
_RELATIONS = frozenset({
    "wife", "husband", "spouse", "partner", "son", "daughter", "brother", "sister", "dad", "father", "mom",
    "mother", "cousin", "nephew", "niece", "uncle", "aunt", "cofounder", "co-founder", "owner", "fiance",
    "fiancee", "girlfriend", "boyfriend", "buddy",
})
# Between "my" and the relation: "my business partner", "my co-owner" (tokens "co", "-", "owner").
_RELATION_MODIFIERS = frozenset({"business", "co", "-"})
_NAMES_JOINED = frozenset({"and", ",", "&"})
# Between the people named and the staff: "me and 4 techs", "me plus 9 baristas", "me + 2 techs".
# Not "with" nor a comma: "help me with 2 quotes", "thanks for helping me, 5 employees here".
_STAFF_JOINERS = frozenset({"and", "plus", "+", "&"})
# After the number: "2 of my guys", "3 of our techs".
_OF_OWN = frozenset({"my", "our", "the"})
# Plural nouns that count no staff. Sites and measures have their own lists (site_nouns); these
# are the things a small business counts beside its people ("me and 2 trucks"): no head count,
# here nor in the reply to the head-count question ("10 trucks, 30 drivers" is 30).
COUNTED_THINGS = frozenset({
    # vehicles and equipment
    "trucks", "vans", "cars", "vehicles", "buses", "trailers", "boats", "rigs", "tractors", "forklifts",
    "computers", "laptops", "pcs", "desktops", "tablets", "ipads", "phones", "lines", "circuits", "printers",
    "registers", "cameras", "machines", "routers", "modems", "terminals", "devices", "handsets",
    "chairs", "tables", "desks", "bays", "lifts", "rooms", "beds", "lanes", "units", "booths", "tvs",
    "screens", "ovens", "pumps", "doors", "accounts", "extensions",
    # animals
    "dogs", "cats", "horses", "animals", "pets",
    # (not "servers": after "me and" a restaurant's, as in "me and 11 servers")
})
# ...and the people a business serves ("me and 40 kids" at a daycare), with what else a count
# after "me and" may be of ("me and 2 seats" of a licence).
_NOT_STAFF = COUNTED_THINGS | {
    "customers", "clients", "patients", "students", "kids", "children", "guests", "residents", "tenants",
    "members", "users", "seats", "patrons", "visitors", "subscribers", "callers", "families", "parents",
    "bucks", "dollars", "grand", "cents", "times", "things", "problems", "issues", "questions", "calls", "numbers",
}
# Plural words that name no one alone but end a count of people: "me and 3 others", "me and 2 more".
_PEOPLE_ENDINGS = frozenset({"others", "more", "men", "women", "folks", "crew", "help", *PEOPLE_NOUNS})
# Words that end the noun phrase of the staff: "me and 4 techs in the field".
_PHRASE_BREAKS = frozenset({
    "and", "or", "plus", "in", "at", "on", "for", "to", "from", "with", "of", "who", "that", "which", "but", "so",
    "the", "a", "an", "is", "are", "was", "were", "we", "i", "our", "my", "me", "us", "they", "it", "all", "each",
    "per", "total", "too", "also", "then", "+", "&",
})
_MAX_MODIFIERS = 4  # "me and 2 full - time baristas"


class OwnerAndStaff(NamedTuple):
    """A head count said as people named plus staff: words [first, end) of the message."""

    first: int
    end: int
    count: int


def owner_and_staff(words: Sequence[str]) -> Optional[OwnerAndStaff]:
    """The first head count said as the speaker (and family) plus staff in `words` (the tokens of
    a message as written: "ME" in capitals is Maine, not the speaker), else None."""
    lows = [w.lower() for w in words]
    for k, joiner in enumerate(lows):
        if joiner not in _STAFF_JOINERS or k == 0:
            continue
        staff = _staff_count(lows, k + 1)
        if staff is None:
            continue
        named = _people_named(words, lows, k)
        if named is None:
            continue
        first, people = named
        end, count = staff
        end, more = more_staff_after(lows, end)  # "me plus 4 techs and 2 drivers"
        count += more
        return OwnerAndStaff(first, end, people + count)
    return None


def _staff_count(lows: Sequence[str], k: int) -> Optional[tuple[int, int]]:
    """(the word after it, the count) of a count of staff starting at `k`: "9 baristas",
    "a couple of part-timers", "3 or 4 techs", "2 of my guys", "3 others"; None when the noun
    counts no staff or there is no noun."""
    run = _leading_number(list(lows[k : k + 6]))
    if not run:
        return None
    value = parse_number_words(run)
    end = k + len(run)
    if end + 1 < len(lows) and lows[end] in RANGE_JOINERS:  # "3 or 4 techs": the top of the range
        high = parse_number_words([lows[end + 1]])
        if high is not None and value is not None and value < high:
            value, end = high, end + 2
    if value is None or value < 1 or value != int(value):
        return None
    if end + 1 < len(lows) and lows[end] == "of" and lows[end + 1] in _OF_OWN:
        end += 2
    head = _head_noun(lows, end)
    if head is None or not _counts_staff(lows[head]):
        return None
    return head + 1, int(value)


def _head_noun(lows: Sequence[str], k: int) -> Optional[int]:
    """Index of the noun a count of people ends on, from `k`: the first plural word not followed
    by another ("2 sales reps" ends on "reps", "4 techs running calls" on "techs")."""
    for n in range(k, min(k + _MAX_MODIFIERS + 1, len(lows))):
        word = lows[n]
        if word in _PHRASE_BREAKS or not (word.isalpha() or word == "-"):
            return None
        nxt = lows[n + 1] if n + 1 < len(lows) else ""
        if _plural(word) and not (_plural(nxt) and nxt not in _PHRASE_BREAKS):
            return n
    return None


def _plural(word: str) -> bool:
    return word in _PEOPLE_ENDINGS or (word.isalpha() and len(word) > 2 and word.endswith("s")
                                       and not word.endswith(("ss", "us", "is")))


def _counts_staff(noun: str) -> bool:
    return noun not in SITE_NOUN_SET and noun not in MEASURE_NOUN_SET and noun not in _NOT_STAFF


def _people_named(words: Sequence[str], lows: Sequence[str], k: int) -> Optional[tuple[int, int]]:
    """(first word, how many) of the people named before the joiner at `k`, the speaker among
    them: "me", "my wife, me", "me and my husband", "my partner and I", "the two of us"."""
    people, first, speaker = 0, k, False
    n = k - 1
    while n >= 0:
        found = _one_named(words, lows, n)
        if found is None:
            break
        start, count, is_speaker = found
        people, first, speaker = people + count, start, speaker or is_speaker
        if start == 0 or lows[start - 1] not in _NAMES_JOINED:
            break
        n = start - 2
    if not speaker:
        return None
    return first, people


def _one_named(words: Sequence[str], lows: Sequence[str], n: int) -> Optional[tuple[int, int, bool]]:
    """(first word, people, whether the speaker) of one name of people ending at `n`."""
    word = lows[n]
    if word in _SPEAKER and words[n] != "ME":  # "Portland, ME and 4 techs": Maine
        return n, 1, True
    if word == "i" and n >= 2 and lows[n - 1] in _NAMES_JOINED:
        return n, 1, True  # "my wife and I": the speaker after others
    if word == "us" and n >= 2 and lows[n - 1] == "of":  # "the two of us", "both of us"
        run = _leading_number(list(lows[max(0, n - 4) : n - 1])[::-1])[::-1]
        value = parse_number_words(run) if run else None
        if value is not None and value == int(value) and value >= 1:
            return n - 1 - len(run), int(value), True
        return None
    if word in _RELATIONS:
        m = n - 1
        while m >= 0 and lows[m] in _RELATION_MODIFIERS and m > n - 4:
            m -= 1
        if m >= 0 and lows[m] == "my":
            return m, 1, False
    return None


# Words around a reply that names only people: "just me", "it's only me and my wife right now".
_ONLY_PEOPLE_FILLER = frozenset({
    "just", "only", "it's", "its", "it", "is", "literally", "basically", "right", "now", "currently", "today",
    "lol", "haha", "honestly", "really", "well", "so", "um", "uh", "ok", "okay", ".", "!", "...", ",",
})


def people_named_alone(words: Sequence[str]) -> Optional[int]:
    """How many people a reply to the head-count question names when it names only the speaker,
    maybe with family or partners ("just me" 1, "me and my wife" 2, "my partner and I" 2, "the
    three of us" 3); None when it says anything else."""
    lows = [w.lower().replace("\u2019", "'") for w in words]
    kept = [k for k, w in enumerate(lows) if w not in _ONLY_PEOPLE_FILLER]
    if not kept or kept != list(range(kept[0], kept[-1] + 1)):
        return None  # a filler inside the names: not only people named
    found = _people_named(words[: kept[-1] + 1], lows[: kept[-1] + 1], kept[-1] + 1)
    if found is None or found[0] != kept[0]:
        return None
    return found[1]


_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?|[^\w\s]")


def words_of(text: str) -> list[str]:
    """The words and marks of a reply, much as the extractor's tokenizer splits them
    ("part-time" is "part", "-", "time")."""
    return _WORDS.findall(text)


def with_owner_and_staff(doc: "Doc", cands: list[Candidate]) -> list[Candidate]:
    """The candidates with a head count said as owner plus staff: it replaces the count of the
    staff alone ("me and 4 employees" is 5, not 4) and any count of sites read in it."""
    found = owner_and_staff([t.text for t in doc])
    if found is None:
        return cands
    i, j = found.first, found.end
    kept = [c for c in cands if not (c.kind in (EMPLOYEES, NUM_LOCATIONS) and c.i < j and i < c.j)]
    span = doc[i:j]
    return kept + [Candidate("qty", i, j, span.start_char, span.end_char, EMPLOYEES, found.count)]


def more_staff_after(lows: Sequence[str], end: int) -> tuple[int, int]:
    """(the word after them, how many) of the staff counted right after a head count ending at
    `end`: "12 full-time employees and 6 part-timers", "20 office staff plus 15 drivers" (0
    when none: "40 staff and 3 trucks", "25 employees and 4 locations")."""
    count = 0
    while end < len(lows) and lows[end] in _STAFF_JOINERS:
        more = _staff_count(lows, end + 1)
        if more is None:
            break
        end, count = more[0], count + more[1]
    return end, count


def with_staff_parts(doc: "Doc", cands: list[Candidate]) -> list[Candidate]:
    """The candidates with each head count widened by the staff counted right after it
    (more_staff_after): the parts of one head count add up."""
    lows = [t.lower_ for t in doc]
    out = []
    for cand in cands:
        if cand.kind == EMPLOYEES and _uncounted_staff_after(lows, cand.j):
            continue  # "12 attorneys plus staff": a part of the head count, not all of it
        if cand.kind == EMPLOYEES:
            end, more = more_staff_after(lows, cand.j)
            if more:
                span = doc[cand.i : end]
                cand = Candidate("qty", cand.i, end, span.start_char, span.end_char, EMPLOYEES, cand.payload + more)
        out.append(cand)
    # a count of staff now inside a widened head count ("15 drivers") is part of it
    out = [c for c in out if not (c.kind == EMPLOYEES and any(
        o is not c and o.kind == EMPLOYEES and o.i < c.i < o.j for o in out))]
    # "70 lawyers and about 110 people all in": the count said to be everyone is the head count
    totals = [c for c in out if c.kind == EMPLOYEES and _said_to_be_everyone(lows, c.j)]
    if totals and len([c for c in out if c.kind == EMPLOYEES]) > 1:
        out = [c for c in out if c.kind != EMPLOYEES or c is totals[-1]]
    return out


_EVERYONE = (("all", "in"), ("in", "all"), ("total",), ("in", "total"), ("altogether",), ("overall",), ("all", "told"))


def _said_to_be_everyone(lows: Sequence[str], end: int) -> bool:
    return any(tuple(lows[end : end + len(words)]) == words for words in _EVERYONE)


def _uncounted_staff_after(lows: Sequence[str], end: int) -> bool:
    """'12 attorneys plus staff', '9 drivers + office staff': more people, not counted ("45
    teachers and staff" is all of them)."""
    if end >= len(lows) or lows[end] not in ("plus", "+"):
        return False
    after = lows[end + 1 : end + 4]
    return bool(after) and not any(w[:1].isdigit() or parse_number_words([w]) is not None for w in after[:2]) and any(
        w in ("staff", "support", "admin", "employees", "people", "others") for w in after)


def staff_in_parts(words: Sequence[str]) -> Optional[int]:
    """A head count said in parts in a reply ("about 20 office staff and 15 drivers" 35): the
    first count of staff and the staff counted right after it; None when it is not in parts."""
    lows = [w.lower() for w in words]
    for k in range(len(lows)):
        first = _staff_count(lows, k)
        if first is None:
            continue
        _end, more = more_staff_after(lows, first[0])
        return first[1] + more if more else None
    return None
