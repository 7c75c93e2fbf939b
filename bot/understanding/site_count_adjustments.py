"""Counts of sites set aside or adjusted before they are added up: sites to come ("adding 2 more"),
a count of the past ("we used to have 5"), the two ends of a link ("between the two offices"),
branches counted apart from the main office, counts summed by place ("2 in Dallas, 3 in
Houston"), sites under one roof ("a bakery + cafe, same building").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Collection, Optional

from bot.understanding.candidates import CITY, NUM_LOCATIONS, Candidate
from bot.understanding.site_count_words import (_COUNT_JOINERS, _INCLUDING_WORDS, _MAIN_OFFICE_WORDS, _MAX_TOWN_WORDS,
                                                _NOT_TOWN_ITEM, _NOT_TOWN_WORDS)
from bot.understanding.site_mentions import _main_office_at, _sentence_start
from bot.understanding.site_nouns import NOT_SITES_AFTER, SITE_NOUN_SET
from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


_CONTAINER_PREPS = frozenset({"on", "in", "at", "across", "within", "inside", "under"})
_STATE_KIND = "state"  # the kind of a state among the extractor's place candidates (extraction._Cand)
_WHERE_PREPS = frozenset({"in", "at", "near", "downtown", "outside", "around", "by"})


_ADDING_WORDS = frozenset({"adding", "add", "opening", "open", "building", "build", "acquiring", "buying", "another"})


def _sites_to_come(doc: "Doc", cand: Candidate) -> bool:
    """'we're adding two more sites', 'opening 3 new stores': sites to come, not how many there
    are (a count, not a total: the question of the total is still open)."""
    before = doc[cand.i - 1].lower_ if cand.i else ""
    inside = {t.lower_ for t in doc[cand.i : cand.j]}
    return before in _ADDING_WORDS or "more" in inside


# "we used to have 5 offices", "we had 3 stores until covid": a count of the past.
_PAST_AFTER = frozenset({"until", "till", "til", "before", "pre", "prior"})
_PAST_WINDOW = 4


def _past_count(doc: "Doc", cand: Candidate) -> bool:
    """'used to have 5 offices', 'used to be one office', 'we had 3 stores until 2020': a count
    the customer no longer has, so not how many sites there are now."""
    start = _sentence_start(doc, cand.i)
    before = [t.lower_ for t in doc[max(start, cand.i - _PAST_WINDOW) : cand.i]]
    if any(w == "used" and nxt == "to" for w, nxt in zip(before, before[1:])):
        return True
    after = {t.lower_ for t in doc[cand.j : cand.j + _PAST_WINDOW]}
    return cand.i > 0 and doc[cand.i - 1].lower_ == "had" and bool(after & _PAST_AFTER)


_LINK_DETERMINERS = frozenset({"the", "our", "my", "their"})


def _ends_of_a_link(doc: "Doc", cand: Candidate) -> bool:
    """'6 centers ... a wave between the two main centers': the two ends of a link, which
    another count in the reply outnumbers (alone, "between our two buildings" says there are
    two; "between 8 and 10 clinics" is a range)."""
    return cand.i >= 2 and doc[cand.i - 2].lower_ == "between" and doc[cand.i - 1].lower_ in _LINK_DETERMINERS


# Words that set a count of branches apart from the main office: "HQ ... our 3 branch offices".
_APART_FROM_MAIN = frozenset({"branch", "branches", "satellite", "satellites", "field", "remote"})
_NO_WORDS = frozenset({"no", "not", "without", "nor", "never"})


def _with_main_office_apart(doc: "Doc", cand: Candidate, others: list[Candidate]) -> Candidate:
    """'fiber at HQ, cable at 3 branches', 'the main office is fine ... our two satellite
    offices': a count of branches (or satellites, field or remote sites) leaves the main office
    out, so a main office named elsewhere in the reply is one more site; so does a main office
    placed in one town beside a count placed in another ("the main office in Reno ... the 2
    small offices in Elko and Ely"). Not when the main office is one of them ("the main branch"
    among "4 branches", "4 offices in Idaho, the main office in Boise") or already counted."""
    states = {c.i for c in others if c.layer == "loc" and c.kind != CITY}
    branches = bool({t.lower_ for t in doc[cand.i : cand.j]} & _APART_FROM_MAIN)
    count_town = _town_named_after(doc, cand.j, states)
    if not branches and count_town is None:
        return cand
    if any(t.lower_ in _MAIN_OFFICE_WORDS for t in doc[cand.i : cand.j]):
        return cand  # "HQ and 3 branches": added already
    for k in range(len(doc)):
        if cand.i - 1 <= k < cand.j:
            continue
        n = _main_office_at(doc, k)
        if not n or (k > 0 and _main_office_at(doc, k - 1)):
            continue
        if any(t.lower_ in _NO_WORDS or t.lower_ in _INCLUDING_WORDS for t in doc[max(0, k - 2) : k]):
            continue  # "6 branches, no separate HQ", "5 branches including the main office"
        words = {t.lower_ for t in doc[k : k + n]}
        after = doc[k + n].lower_ if k + n < len(doc) else ""
        if words & _APART_FROM_MAIN or after in NOT_SITES_AFTER or after in SITE_NOUN_SET:
            continue  # "the main branch" is a branch; "main office staff" are people
        if not branches:
            main_town = _town_named_after(doc, k + n, states)
            if main_town is None or main_town == count_town:
                continue
        return Candidate("qty", cand.i, cand.j, cand.start, cand.end, NUM_LOCATIONS, cand.payload + 1, extra=cand.extra)
    return cand


def _town_named_after(doc: "Doc", j: int, states: set[int]) -> Optional[str]:
    """The town after "in" at token j ("in mount vernon and ...", "in Reno is fine"): up to three
    plain words, in lowercase; None when no such name is there ("in total", "in the area", a
    state: token indices in `states`)."""
    if j + 1 >= len(doc) or doc[j].lower_ != "in" or (j + 1) in states:
        return None
    n = j + 1
    while n < len(doc) and n - j <= _MAX_TOWN_WORDS and doc[n].is_alpha and not doc[n].is_stop \
            and doc[n].lower_ not in _NOT_TOWN_ITEM and doc[n].lower_ not in _NOT_TOWN_WORDS \
            and doc[n].lower_ not in SITE_NOUN_SET:
        n += 1
    return doc[j + 1 : n].text.lower() if n > j + 1 else None


# "a bakery + cafe, same building": the sites named share one.
_ONE_PLACE_NOUNS = frozenset({"building", "address", "location", "site", "property", "roof", "lot", "premises", "place"})


def _under_one_roof(doc: "Doc", cand: Candidate) -> Candidate:
    """'a brewery + taproom, same building', 'shop and office under one roof': sites named one by
    one (no number said) and then said to share one building are one site."""
    if any(t.like_num for t in doc[cand.i : cand.j]):
        return cand
    after = [t.lower_ for t in doc[cand.j : cand.j + 5] if not t.is_punct]
    shared = any(w in ("same", "one", "single") and nxt in _ONE_PLACE_NOUNS for w, nxt in zip(after, after[1:])) \
        and "each" not in after  # "one building each" keeps them apart
    if not shared:
        return cand
    return Candidate("qty", cand.i, cand.j, cand.start, cand.end, NUM_LOCATIONS, 1, extra=cand.extra)


def _sum_counts_by_place(doc: "Doc", counts: list[Candidate], others: list[Candidate]) -> list[Candidate]:
    """Two counts of sites in one reply: "2 offices in Denver and 3 in Boulder" add up (each
    is placed, then joined); in "two buildings on one campus" the second holds the first."""
    out: list[Candidate] = []
    places = {k for c in others if c.layer == "loc" for k in range(c.i, c.j)}
    for cand in counts:
        prev = out[-1] if out else None
        if prev is None:
            out.append(cand)
            continue
        between = doc[prev.j : cand.i]
        if cand.i > 0 and doc[cand.i - 1].lower_ in _CONTAINER_PREPS and cand.payload < prev.payload:
            continue  # "two buildings on one campus": the campus holds them
        words = [t for t in between if not t.is_punct]
        placed = (len(words) >= 3 and words[0].lower_ in _WHERE_PREPS and words[-1].lower_ in _COUNT_JOINERS
                  and all(t.i in places or t.lower_ in _WHERE_PREPS or t.lower_ in _COUNT_JOINERS for t in words))
        if placed:
            out[-1] = Candidate("qty", prev.i, cand.j, prev.start, cand.end, NUM_LOCATIONS, prev.payload + cand.payload)
        else:
            out.append(cand)
    states = {k for c in others if c.layer == "loc" and c.kind == _STATE_KIND for k in range(c.i, c.j)}
    return [_with_placed_counts(doc, c, places, states) for c in out]


def _with_placed_counts(doc: "Doc", cand: Candidate, places: set[int], states: Collection[int] = frozenset()) -> Candidate:
    """'3 stores in Reno, 2 in Sparks and 1 in Elko': the counts after the first, each placed
    ("in" a known place), add up. Unless they break the first down: their sum is the first
    count, and its place is a state or comes again among theirs ("two offices in Idaho, one in
    Meridian and one in Nampa", "7 offices around Phoenix, 5 in Phoenix and 2 in Mesa")."""
    total, k = cand.payload, cand.j
    end = cand
    named: list[str] = []  # the place of each count, the first one's first
    first_in_state = False
    while True:
        m = k
        if not (m < len(doc) and doc[m].lower_ in _WHERE_PREPS and m + 1 < len(doc) and (m + 1) in places):
            break
        m += 1
        if not named:
            first_in_state = m in states
        start = m
        while m < len(doc) and m in places:
            m += 1
        named.append(doc[start:m].text.lower())
        joined = m
        while m < len(doc) and (doc[m].lower_ in _COUNT_JOINERS or doc[m].text in (",", ";")):
            m += 1
        if m == joined or m >= len(doc) or not doc[m].like_num or doc[m].lower_ in ("a", "an"):
            break
        value = parse_number_words([doc[m].lower_])
        after = doc[m + 1].lower_ if m + 1 < len(doc) else ""
        if value is None or value != int(value) or value < 1 or (after not in _WHERE_PREPS and after not in SITE_NOUN_SET):
            break
        total += int(value)
        k = m + 1
        while k < len(doc) and doc[k].lower_ in SITE_NOUN_SET:
            k += 1
        end = Candidate("qty", cand.i, k, cand.start, doc[k - 1].idx + len(doc[k - 1].text), NUM_LOCATIONS, total)
    parts = total - cand.payload
    if parts == cand.payload and (first_in_state or (named and named[0] in named[1:])):
        return cand  # a breakdown of the count, not more sites
    return end if total != cand.payload else cand
