"""Counts of sites read from lists and towns: "offices in Tulsa, Norman and OKC", "Dallas and
Houston stores", "shops in 3 towns", "locations: Reno, Sparks, Elko", "a pair of shops", and a
misspelt site noun after a number ("3 locatoins").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from bot.understanding.candidates import CITY, NUM_LOCATIONS, SERVICE, Candidate
from bot.understanding.single_sites import _one_site_plus
from bot.understanding.site_count_words import _COUNT_JOINERS, _COUNT_LEAD_INS, _MAIN_OFFICE_WORDS, _OWN, _PLURAL_SITES
from bot.understanding.site_mentions import _main_office_at, _unknown_town_at
from bot.understanding.site_nouns import NOT_SITES_AFTER, SITE_NOUN_SET
from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# Misspelt site nouns after a number ("3 locatoins", "4 offcies"): one edit away (two for long
# words) from one of these.
_FUZZY_SITE_NOUNS = (
    "locations", "offices", "branches", "stores", "buildings", "facilities", "warehouses", "clinics",
    "restaurants", "location",
)


# "a pair of shops", "a trio of clinics": a noun of a number before the sites.
_COLLECTIVES = {"pair": 2, "duo": 2, "trio": 3, "quartet": 4}


def _collective_count(doc: "Doc") -> Optional[Candidate]:
    """'a trio of cafes', 'a pair of our stores': as many sites as the noun of a number says."""
    for k in range(1, len(doc) - 2):
        value = _COLLECTIVES.get(doc[k].lower_)
        if value is None or doc[k - 1].lower_ not in ("a", "an") or doc[k + 1].lower_ != "of":
            continue
        m = k + 2 + (doc[k + 2].lower_ in _OWN or doc[k + 2].lower_ == "their")
        m += m + 1 < len(doc) and doc[m].is_alpha and doc[m].lower_ not in SITE_NOUN_SET and doc[m + 1].lower_ in _PLURAL_SITES
        if m < len(doc) and doc[m].lower_ in _PLURAL_SITES and not (m + 1 < len(doc) and doc[m + 1].lower_ in NOT_SITES_AFTER):
            return Candidate("qty", k - 1, m + 1, doc[k - 1].idx, doc[m].idx + len(doc[m].text), NUM_LOCATIONS, value)
    return None


def _misspelt_site_count(doc: "Doc") -> Optional[Candidate]:
    """'3 locatoins', 'two offcies': a count before a near-spelling of a site noun."""
    import jellyfish

    for k in range(len(doc) - 1):
        token, noun = doc[k], doc[k + 1]
        low = noun.lower_
        if not token.like_num or not noun.is_alpha or len(low) < 6 or low in SITE_NOUN_SET:
            continue
        limit = 2 if len(low) >= 8 else 1
        if any(jellyfish.damerau_levenshtein_distance(low, known) <= limit for known in _FUZZY_SITE_NOUNS):
            value = parse_number_words([token.lower_])
            if value is not None and value == int(value) and 1 <= value <= 100_000:
                return Candidate("qty", k, k + 2, token.idx, noun.idx + len(noun.text), NUM_LOCATIONS, int(value))
    return None


# "offices in Tulsa, Norman and OKC": a plural site noun, one of these, then the towns.
_IN_TOWNS = frozenset({"in", "across", "at"})
# "shops in 3 towns", "we're spread across 4 cities": a count of the towns the sites are in.
_TOWN_NOUNS = frozenset({"towns", "cities", "communities", "neighborhoods", "neighbourhoods", "suburbs"})
_HEADQUARTERED = frozenset({"headquartered", "hq'd", "hqd"})
_SPREAD_WORDS = frozenset({"we're", "were", "are", "spread", "located", "based", "operate", "operating", "present"})


def _sites_in_listed_towns(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'offices in Tulsa, Norman and OKC', 'stores across Boise & Nampa': a site noun before a
    list of two or more towns is one site per town (a state after a town is skipped)."""
    town_end = {c.i: c.j for c in cands if c.layer == "loc" and c.kind == CITY}
    state_end = {c.i: c.j for c in cands if c.layer == "loc" and c.kind == "state"}
    for k in range(len(doc) - 2):
        if doc[k].lower_ not in _PLURAL_SITES:
            continue
        m = k + 1
        if doc[m].lower_ in ("are", "were") and m + 1 < len(doc):
            m += 1  # "our offices are in ..."
        if doc[m].lower_ not in _IN_TOWNS:
            continue
        m = end = m + 1
        towns = 0
        while True:
            if m in town_end:
                m = town_end[m]
            else:
                m = _unknown_town_at(doc, m)  # "houlton", "watford city": towns the gazetteer lacks
                if m is None:
                    break
            towns += 1
            end = m
            if m + 1 < len(doc) and doc[m].text == "," and (m + 1) in state_end:
                m = state_end[m + 1]  # "Tulsa, OK"
            elif m in state_end:
                m = state_end[m]
            if m < len(doc) and doc[m].lower_ in _COUNT_JOINERS:
                m += 1
                if m < len(doc) and doc[m].lower_ in ("and", "&"):
                    m += 1  # ", and"
            else:
                break
        if towns >= 2:
            # "headquartered in Salt Lake City, branch offices in Provo and Ogden", "offices in
            # a, b and c, HQ in d": one more
            main = any(t.lower_ in _HEADQUARTERED or _main_office_at(doc, t.i) for t in doc
                       if t.i < k or t.i >= end) or _one_site_plus(doc, k)
            span = doc[k:end]
            return Candidate("qty", k, end, span.start_char, span.end_char, NUM_LOCATIONS, towns + int(main))
    return None


_TOWN_JOINERS = frozenset({",", "and", "&", "+", "/"})


def _towns_before_sites(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'Reno and Elko stores', 'Austin, Waco & Tyler offices': towns listed right before a plural
    site noun are one site each; a main office named elsewhere ("Boise HQ, Nampa and Eagle
    branches") is one more."""
    town_start = {c.j: c.i for c in cands if c.layer == "loc" and c.kind == CITY}
    for k in range(2, len(doc)):
        if doc[k].lower_ not in _PLURAL_SITES or k not in town_start:
            continue
        m, towns = k, 0
        while m in town_start:
            m = town_start[m]
            towns += 1
            n = m
            while n > 0 and doc[n - 1].lower_ in _TOWN_JOINERS:
                n -= 1
            if n == m or n not in town_start:
                break
            m = n
        if towns >= 2:
            main = any(_main_office_at(doc, t.i) for t in doc if t.i < m or t.i > k)
            span = doc[m : k + 1]
            return Candidate("qty", m, k + 1, span.start_char, span.end_char, NUM_LOCATIONS, towns + int(main))
    return None


def _count_of_towns(doc: "Doc") -> Optional[Candidate]:
    """'shops in 3 towns', 'we're spread across four cities': as many sites as towns, when a
    site noun or a word of being there ("we're", "spread", "located") comes before."""
    for k in range(1, len(doc) - 1):
        token, noun = doc[k], doc[k + 1]
        if not token.like_num or noun.lower_ not in _TOWN_NOUNS or doc[k - 1].lower_ not in _IN_TOWNS:
            continue
        before = {t.lower_ for t in doc[:k - 1]}
        if not (before & (SITE_NOUN_SET | _SPREAD_WORDS)):
            continue
        value = parse_number_words([token.lower_])
        if value is not None and value == int(value) and 2 <= value <= 1000:
            return Candidate("qty", k, k + 2, token.idx, noun.idx + len(noun.text), NUM_LOCATIONS, int(value))
    return None


_LIST_OPENERS = frozenset({":", "-", ".", ",", "\u2014", "\u2013", "("})
_LIST_JOINERS = frozenset({",", "and", "&", "+", "/", "plus"})
_MAX_ITEM_WORDS = 3


def _list_items(doc: "Doc", k: int) -> tuple[int, int]:
    """(items, token after) of a list starting at token k: items of one to three words joined
    by commas, "and", "&" ("savannah, brunswick and statesboro"); (0, k) when none."""
    items, m, words = 0, k, 0
    while m < len(doc):
        token = doc[m]
        if token.lower_ in _LIST_JOINERS or token.text == ")":
            if words == 0 and items == 0:
                return 0, k
            items += words > 0
            words = 0
        elif token.is_alpha and not token.like_num:
            words += 1
            if words > _MAX_ITEM_WORDS:
                return 0, k
        else:
            break
        m += 1
    return items + (words > 0), m


def _count_of_a_list(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'three: savannah, brunswick and statesboro', 'two. Mobile and Daphne': a count opening the
    reply followed by a list of as many names, places the gazetteer need not know; 'Locations:
    Tempe, Mesa, Gilbert, Chandler': a plural site noun, a colon, then the list."""
    labelled = _labelled_site_list(doc, cands)
    if labelled is not None:
        return labelled
    if any(c.kind == SERVICE for c in cands):
        return None  # "two: sip and broadband" lists services
    k = 0
    while k < len(doc) and doc[k].lower_ in _COUNT_LEAD_INS:
        k += 1
    if k + 2 < len(doc) and doc[k].like_num and doc[k + 1].text in _LIST_OPENERS:
        value = parse_number_words([doc[k].lower_])
        items, end = _list_items(doc, k + 2)
        if value is not None and items == value >= 2 and all(t.is_punct for t in doc[end:]):
            return Candidate("qty", k, k + 1, doc[k].idx, doc[k].idx + len(doc[k].text), NUM_LOCATIONS, int(value))
    return None


_SENTENCE_ENDS = frozenset({".", ";", "!", "\n"})


def _labelled_site_list(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'Locations: Tempe, Mesa, Gilbert', 'Carrier: Cox. Sites: Ogden, Provo. Problem: ...': a
    plural site noun opening a sentence or a field, a colon, then a list of names to the end of
    that sentence, counts one site per name: each a place or a site ("Sites: need fiber, phones"
    lists no sites)."""
    place_starts = {c.i for c in cands if c.layer == "loc" and not c.needs_anchor}
    for k in range(len(doc) - 2):
        if doc[k].lower_ not in _PLURAL_SITES or doc[k + 1].text != ":":
            continue
        if k > 0 and not (doc[k - 1].is_punct or doc[k - 1].is_space or doc[k - 1].lower_ in _OWN):
            continue  # "we need new phones at two sites: ..." is a list of what, not of all the sites
        items, end = _list_items(doc, k + 2)
        named = sum(t.i in place_starts or t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS
                    for t in doc[k + 2 : end])
        if items >= 2 and named >= items and (end == len(doc) or doc[end].text.strip() in _SENTENCE_ENDS
                                              or doc[end].is_space or all(t.is_punct for t in doc[end:])):
            last = doc[end - 1]
            return Candidate("qty", k, end, doc[k].idx, last.idx + len(last.text), NUM_LOCATIONS, items)
    return None


# Words that may come before towns listed as where the customer is: "we're in", "we are
# located in", "based out of", "hi, um, in"; the last one must put them in a place.
_BEING_IN_WORDS = frozenset({
    "we", "'re", "\u2019re", "we're", "are", "were", "located", "based", "currently", "right", "now", "both",
    "hi", "hello", "hey", "um", "uh", "so", "well", "ok", "okay", "yeah", "yes", "out", ",",
})
_BEING_IN_LAST = frozenset({"in", "of"})  # "we're in", "based out of"
# "... located in Provo and Orem", "based in", "we operate in": towns listed after these anywhere
_BASED_WORDS = frozenset({"located", "based", "operate", "operating", "situated"})
_LEAVING_WORDS = frozenset({"move", "moved", "moving", "moves", "pulled", "pulling", "got", "getting", "went", "going"})


def _towns_listed_alone(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'Provo and Ogden, UT', "we're in Provo and Orem, Utah", 'Spokane WA and Post Falls ID.
    Ziply at one, ...': two or more towns listed as a sentence of their own, or after words of
    being there, are where the customer's sites are: one site per town (the guide: places
    listed as the customer's own sites count, even without a number). Not after "between",
    "from", "serve", "near": only a sentence that opens on them or on "we're in"."""
    town_end = {c.i: c.j for c in cands if c.layer == "loc" and c.kind == CITY}
    state_end = {c.i: c.j for c in cands if c.layer == "loc" and c.kind == "state"}
    anchored = {c.i for c in cands if c.layer == "loc" and c.kind == CITY and not c.needs_anchor}
    zip_end = {c.i: c.j for c in cands if c.layer == "zip"}
    sentence_starts = [0] + [t.i + 1 for t in doc if t.text in _SENTENCE_ENDS or t.text in ("?",)]
    # "a CPA firm located in Provo and Orem", "40 trucks out of Provo and Ogden": anywhere
    placed_after = [t.i + 1 for t in doc if t.i >= 1 and (
        (t.lower_ == "in" and doc[t.i - 1].lower_ in _BASED_WORDS) or (t.lower_ == "of" and doc[t.i - 1].lower_ == "out"
                          and not (t.i >= 2 and doc[t.i - 2].lower_ in _LEAVING_WORDS)))]
    for start in sorted(set(sentence_starts) | set(placed_after)):
        k = start
        placed_by_words = start in placed_after
        while not placed_by_words and k < len(doc) and doc[k].lower_ in _BEING_IN_WORDS:
            k += 1
        if not placed_by_words and k < len(doc) and doc[k].lower_ in _BEING_IN_LAST:
            placed_by_words = True
            k += 1
        elif not placed_by_words and k != start and any(
                doc[x].lower_ not in ("hi", "hello", "hey", "um", "uh", "so", "well", "ok", "okay", "yeah", "yes", ",")
                for x in range(start, k)):
            continue  # "we're Provo and Orem"? no place word before the towns
        m, towns, with_state, sure = k, set(), False, True
        while m in town_end:
            towns.add(doc[m:town_end[m]].text.lower())
            sure = sure and m in anchored
            m = town_end[m]
            if m + 1 < len(doc) and doc[m].text == "," and (m + 1) in state_end:
                m, with_state = state_end[m + 1], True  # "Tulsa, OK"
            elif m in state_end:
                m, with_state = state_end[m], True
            if m in zip_end:
                m, with_state = zip_end[m], True  # "Omaha 68102 and Council Bluffs IA"
            if m < len(doc) and doc[m].lower_ in _TOWN_JOINERS:
                m += 1
                if m < len(doc) and doc[m].lower_ in ("and", "&"):
                    m += 1  # ", and"
            else:
                break
        while m < len(doc) and doc[m].lower_ in ("area", "areas", "both", "too", "also", "as", "well"):
            m += 1  # "Raleigh 27601, Durham too"
        ends_sentence = (m == len(doc) or doc[m].text in _SENTENCE_ENDS or doc[m].text == "?" or doc[m].is_space
                         or start in placed_after or _where_they_are_follows(doc, m))
        # lowercase or ambiguous towns ("boise and nampa") need a state or "in" to be places
        if len(towns) >= 2 and ends_sentence and (sure or with_state or placed_by_words):
            last = doc[m - 1]
            return Candidate("qty", k, m, doc[k].idx, last.idx + len(last.text), NUM_LOCATIONS, len(towns),
                             extra={"towns_listed": True})
    return None


_WHERE_OPENERS = frozenset({"that's", "thats", "that", "is", "are", "which"})
_PLANNING_WORDS = frozenset({"expand", "expanding", "open", "opening", "looking", "want", "wanting", "plan", "planning",
                             "move", "moving", "hope", "hoping", "will", "going", "gonna", "thinking", "considering"})


def _where_they_are_follows(doc: "Doc", m: int) -> bool:
    """'Kearney NE + North Platte NE, that's where our dealerships are': the towns, then a
    clause saying they are where the sites are."""
    k = m + 1 if m < len(doc) and doc[m].text in (",", "-", "\u2014") else m
    words = [t.lower_.replace("\u2019", "'") for t in doc[k : k + 9]]
    if not words or words[0] not in _WHERE_OPENERS or "where" not in words[1:3]:
        return False
    rest = words[words.index("where") + 1 :]
    # the sites are there now ("where our dealerships are"), not planned ("where we want to expand")
    return any(w in SITE_NOUN_SET for w in rest) and not any(w in _PLANNING_WORDS for w in rest)
