"""Sites named one by one without a count: "a cafe in Reno and we're opening a second", "we have
the shop in Ogden and that's it", "just our main office", "the other site", "one or both".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from bot.understanding.candidates import CITY, NUM_LOCATIONS, Candidate
from bot.understanding.site_count_words import (_COUNT_LEAD_INS, _ONLY_WORDS, _OWN, _PLURAL_SITES, _PLUS_WORDS,
                                                _TOWN_PREPS)
from bot.understanding.site_mentions import (_count_number, _main_office_at, _sentence_start, _single_site_at,
                                             _unknown_town_at)
from bot.understanding.site_nouns import NOT_SITES_AFTER, SINGULAR_SITE_NOUNS, SITE_NOUN_SET

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc, Token


_SINGLE_SITE_OPENERS = frozenset({"a", "an", "another", "one", "our", "second", "2nd"})
_PLACING = frozenset({"in", "at", "near", "outside"})


def _placed_single_sites(doc: "Doc", others: list[Candidate]) -> Optional[Candidate]:
    """'a plant in Dayton and another in Toledo', 'main office is in tulsa, we also have a yard in
    okc', 'HQ in pittsburgh, satellite office in erie': two or more sites named one by one, each
    placed in a town of its own ("in"/"at" and a town, known or typed as one), count one each."""
    if _moving_between_sites(doc):
        return None  # "moving from an office in Reno to a building in Sparks": one site, moved
    places = {c.i for c in others if c.layer == "loc" and c.kind == CITY}
    found: list[tuple[int, int]] = []  # (first token, token after its place)
    towns: set[str] = set()
    k = 0
    while k < len(doc):
        low = doc[k].lower_
        n = _main_office_at(doc, k)
        if not n and (low in _SINGLE_SITE_OPENERS or k == 0 or doc[k - 1].is_punct):
            m = k + (low in _SINGLE_SITE_OPENERS) + (low == "a" and k + 1 < len(doc) and doc[k + 1].lower_ in ("second", "2nd"))
            m += m < len(doc) and doc[m].is_alpha and doc[m].lower_ not in SITE_NOUN_SET and m + 1 < len(doc) \
                and doc[m + 1].lower_ in SINGULAR_SITE_NOUNS  # "a small office"
            if m < len(doc) and doc[m].lower_ in SINGULAR_SITE_NOUNS:
                m += m + 1 < len(doc) and doc[m + 1].lower_ in SINGULAR_SITE_NOUNS  # "satellite office"
                n = m + 1 - k
            elif low == "another" and m < len(doc) and doc[m].lower_ in _PLACING:
                n = 1  # "and another in Toledo"
        if not n:
            k += 1
            continue
        p = k + n
        p += p < len(doc) and doc[p].lower_ in ("is", "'s")
        if p < len(doc) and doc[p].lower_ in _PLACING:
            town = p + 1 if (p + 1) in places else None
            end = (p + 1) if town is None else p + 2
            if town is None:
                after = _unknown_town_at(doc, p + 1)
                end = after if after is not None else None
            if end is not None and doc[p + 1 : end].text.lower() not in towns and not _to_come(doc, k, p):
                towns.add(doc[p + 1 : end].text.lower())
                found.append((k, end))
                k = end
                continue
        k = p
    if len(found) < 2:
        return None
    first, last = doc[found[0][0]], doc[found[-1][1] - 1]
    return Candidate("qty", found[0][0], found[-1][1], first.idx, last.idx + len(last.text), NUM_LOCATIONS, len(found))


_MOVING_WORDS = frozenset({"moving", "move", "moved", "relocating", "relocate", "relocated"})


def _moving_between_sites(doc: "Doc") -> bool:
    """Whether the reply moves a site "from" one place "to" another ("moving from a shared office
    in Mesa to our own building in Tempe"): the two places are one site, before and after."""
    lows = [t.lower_ for t in doc]
    for k, low in enumerate(lows):
        if low in _MOVING_WORDS and "from" in lows[k + 1 : k + 4]:
            return "to" in lows[k + 2 : k + 14]
    return False


# "a second office in Carmel" (two sites), "opening a third store" (two now, one to come).
_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10}
_ORDINAL_SUFFIX = re.compile(r"^(\d{1,2})(?:nd|rd|th)$")
_ORDINAL_DETERMINERS = frozenset({"a", "an", "our", "my", "the", "its", "their"})
# Words of a site to come, before the ordinal ("opening a second store", "sign a lease on a
# third") or after its noun ("a second location opening in May").
_TO_COME_BEFORE = frozenset({
    "opening", "open", "building", "build", "adding", "add", "buying", "buy", "acquiring", "acquire",
    "lease", "leasing", "planning", "plan", "launching", "launch", "getting", "will", "gonna", "future",
    "expanding", "expand",
})
# What tells of the sites there are now, beside one to come: "we're in Reno now", "our first is
# in Elko", "the other two are in Elko", "a cafe in Reno and we're opening a second".
_NOW_ANCHORS = frozenset({"now", "currently", "today", "first", "existing", "current", "other", "others"})
_TO_COME_AFTER = frozenset({"opening", "opens", "coming", "planned", "going", "under", "soon", "next"})
_TO_COME_WINDOW = 6
# What an ordinal numbers that is no site: "3rd floor", "2nd street", "a second circuit".
_NOT_NUMBERED_SITES = frozenset({
    "floor", "story", "storey", "level", "suite", "street", "st", "avenue", "ave", "shift", "time", "line",
    "circuit", "quarter", "year", "phase", "round", "party", "opinion", "carrier", "provider", "vendor",
})


def _ordinal_value(token: "Token") -> Optional[int]:
    """2 for "second" or "2nd", up to the tenth (or "12th"); None for anything else."""
    low = token.lower_
    if low in _ORDINALS:
        return _ORDINALS[low]
    match = _ORDINAL_SUFFIX.match(low)
    return int(match.group(1)) if match and int(match.group(1)) >= 2 else None


def _ordinal_site(doc: "Doc") -> Optional[Candidate]:
    """'we're in Houma with a second office in Thibodaux' (2), 'our 3rd location is in Eugene'
    (3): a site numbered by an ordinal means as many sites; when it is still to come ('opening
    a second store in May', 'adding a third site') the ones before it are the sites now.
    "opening a second in Biloxi" names no noun after the ordinal: a site noun said before it
    tells what it counts."""
    for k in range(1, len(doc) - 1):
        value = _ordinal_value(doc[k])
        if value is None or doc[k - 1].lower_ not in _ORDINAL_DETERMINERS:
            continue
        head = next((m for m in range(k + 1, min(len(doc), k + 4)) if doc[m].lower_ in SINGULAR_SITE_NOUNS), None)
        if head is not None and not all(doc[m].is_alpha and not doc[m].like_num for m in range(k + 1, head)):
            head = None
        if doc[k + 1].lower_ in _NOT_NUMBERED_SITES:
            continue  # "the 2nd floor office", "a second line": the ordinal numbers something else
        if head is not None and head + 1 < len(doc) and (doc[head + 1].lower_ in NOT_SITES_AFTER
                                                         or doc[head + 1].lower_ in SITE_NOUN_SET):
            continue  # "a second office manager", "a second store building" (read at its head)
        if head is None:
            named_before = any(t.lower_ in SINGULAR_SITE_NOUNS for t in doc[: k - 1])
            if not (named_before and doc[k + 1].lower_ in ("in", "at", "one")):
                continue
            head = k
        to_come = _to_come(doc, k, head + 1)
        now = value - 1 if to_come else value
        if now < 1 or (to_come and not _sites_now_told(doc, k, head + 1)):
            continue  # "opening a 2nd clinic next month" alone does not say how many there are
        last = doc[head]
        return Candidate("qty", k, head + 1, doc[k].idx, last.idx + len(last.text), NUM_LOCATIONS, now)
    return None


def _to_come(doc: "Doc", i: int, j: int) -> bool:
    """Whether the site named in tokens i..j is still to come: a word of opening, building or
    leasing shortly before it in its sentence ("we're opening a second cafe"), or of coming right
    after it ("a second location opening in May")."""
    start = _sentence_start(doc, i)
    before = {t.lower_ for t in doc[max(start, i - _TO_COME_WINDOW) : i]}
    after = {t.lower_ for t in doc[j : j + 2]}
    return bool(before & _TO_COME_BEFORE or after & _TO_COME_AFTER)


def _sites_now_told(doc: "Doc", i: int, j: int) -> bool:
    """Whether the reply, outside tokens i..j, tells of the sites there are now: a site noun, a
    word of now ("first", "currently"), or where "we're" ("we're in Reno", "we're a cafe in Elko")."""
    for k, token in enumerate(doc):
        if i <= k < j:
            continue
        if token.lower_ in SITE_NOUN_SET or token.lower_ in _NOW_ANCHORS:
            return True
        if token.lower_ in ("we're", "were", "we") and any(t.lower_ == "in" for t in doc[k + 1 : k + 5]) \
                and not any(t.i >= i for t in doc[k + 1 : k + 5]):
            return True
    return False


# Words placing the business in its home town: "we're in Reno", "based out of Elko".
_PRESENCE_WORDS = frozenset({"we're", "were", "based", "located", "headquartered", "out"})


def _home_town_with_a_site(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'we're out of Casper with a yard in Douglas', 'based in Ogden with a shop in Logan': the
    business in its home town, then "with" one site in another town, is two sites."""
    towns = {c.i: c.j for c in cands if c.layer == "loc" and c.kind == CITY}
    for k in range(2, len(doc) - 3):
        if doc[k].lower_ != "with" or doc[k + 1].lower_ not in ("a", "an", "one"):
            continue
        m = k + 2 + (doc[k + 2].is_alpha and doc[k + 2].lower_ not in SITE_NOUN_SET)
        if m + 1 >= len(doc) or doc[m].lower_ not in SINGULAR_SITE_NOUNS or doc[m + 1].lower_ not in _TOWN_PREPS:
            continue
        there = towns.get(m + 2) or _unknown_town_at(doc, m + 2)
        start = _sentence_start(doc, k)
        home = next((t for t in range(start, k) if t in towns and any(
            w.lower_ in _PRESENCE_WORDS for w in doc[max(start, t - 3) : t])), None)
        if there is None or home is None or doc[home : towns[home]].text.lower() == doc[m + 2 : there].text.lower():
            continue
        return Candidate("qty", home, there, doc[home].idx, doc[there - 1].idx + len(doc[there - 1].text), NUM_LOCATIONS, 2)
    return None


_MORE_PLACES = frozenset({"in", "at", "across", "around", "near", "downtown"})


def _more_besides(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'our main location is downtown. we have 2 more in Mesa and Tempe': "have N more" placed in
    known places, after a site was named, is that site and N more ("we'll have 2 more in Mesa
    next year" and "2 more in the pipeline" are not)."""
    place_starts = {c.i for c in cands if c.layer == "loc" and not c.needs_anchor}
    for k in range(1, len(doc) - 2):
        if doc[k + 1].lower_ != "more" or doc[k - 1].lower_ not in _HAVING_WORDS | {"are"}:
            continue
        value = _count_number(doc, k)
        m = k + 2 + (doc[k + 2].lower_ in SITE_NOUN_SET)
        if value is None or m + 1 >= len(doc) or doc[m].lower_ not in _MORE_PLACES or (m + 1) not in place_starts \
                or _to_come(doc, k, m):
            continue
        if not any(_main_office_at(doc, t) or doc[t].lower_ in SINGULAR_SITE_NOUNS for t in range(k - 1)):
            continue
        return Candidate("qty", k, k + 2, doc[k].idx, doc[k + 1].idx + len(doc[k + 1].text), NUM_LOCATIONS, int(value) + 1)
    return None


def _the_other_site(doc: "Doc") -> Optional[Candidate]:
    """'the main one is downtown. the other office is in Ankeny', 'our other shop is in Elko': one
    site called "the other" is one of two (no plural site noun, which would leave more)."""
    if any(t.lower_ in _PLURAL_SITES for t in doc):
        return None
    for k, token in enumerate(doc[:-1]):
        if token.lower_ != "other" or not (k == 0 or doc[k - 1].is_punct or doc[k - 1].lower_ in _OWN):
            continue
        m = k + 1 + (doc[k + 1].is_alpha and doc[k + 1].lower_ not in SITE_NOUN_SET and k + 2 < len(doc)
                     and doc[k + 2].lower_ in SINGULAR_SITE_NOUNS)
        if m < len(doc) and doc[m].lower_ in SINGULAR_SITE_NOUNS and not (
                m + 1 < len(doc) and (doc[m + 1].lower_ in NOT_SITES_AFTER or doc[m + 1].lower_ in SITE_NOUN_SET)):
            first = doc[k - 1] if k > 0 and doc[k - 1].lower_ in _OWN else token
            return Candidate("qty", first.i, m + 1, first.idx, doc[m].idx + len(doc[m].text), NUM_LOCATIONS, 2)
    return None


def _listed_single_sites(doc: "Doc") -> Optional[Candidate]:
    """'the main office and a warehouse', 'our office plus the warehouse next door', 'HQ and
    a small showroom': a reply that opens by naming single sites, two or more, counts them."""
    k = 0
    while k < len(doc) and doc[k].lower_ in _COUNT_LEAD_INS:
        k += 1
    start, items = k, 0
    end = k
    while k < len(doc):
        n = _single_site_at(doc, k)
        if not n:
            break
        items += 1
        k += n
        end = k
        if k < len(doc) and (doc[k].lower_ in _PLUS_WORDS or doc[k].text == ","):
            k += 1
            if k < len(doc) and doc[k].lower_ in _PLUS_WORDS:
                k += 1  # ", and"
            continue
        break
    if items < 2 or (end < len(doc) and doc[end].lower_ in NOT_SITES_AFTER):
        return None
    span = doc[start:end]
    return Candidate("qty", start, end, span.start_char, span.end_char, NUM_LOCATIONS, items)


# "we have the shop in Ogden and that's it": one site, and the customer says there is no more.
_NO_MORE = (("that's", "it"), ("thats", "it"), ("that", "is", "it"), ("that's", "all"), ("thats", "all"),
            ("that", "'s", "it"), ("that", "\u2019s", "it"), ("that", "'s", "all"), ("that", "\u2019s", "all"))
_HAVING_WORDS = frozenset({"have", "got", "run", "own", "operate", "there's", "theres"})


def _one_site_and_no_more(doc: "Doc") -> Optional[Candidate]:
    """'we have the store in Casper and that's it', 'just got a shop downtown, thats all': one
    site the customer has, then words saying there is no other."""
    lows = [t.lower_ for t in doc]
    ends = [k for k in range(len(doc)) if any(tuple(lows[k : k + len(p)]) == p for p in _NO_MORE)]
    if not ends or any(low in _PLURAL_SITES for low in lows):
        return None
    sites = [k for k in range(ends[0]) if _single_site_at(doc, k) and not (k > 0 and _single_site_at(doc, k - 1))]
    if len(sites) != 1 or not any(low in _HAVING_WORDS for low in lows[max(0, sites[0] - 3) : sites[0]]):
        return None
    k = sites[0]
    last = doc[k + _single_site_at(doc, k) - 1]
    return Candidate("qty", k, last.i + 1, doc[k].idx, last.idx + len(last.text), NUM_LOCATIONS, 1)


def _one_site_plus(doc: "Doc", k: int) -> bool:
    """'a depot and yard in Enid, plus depots in Lawton and Ada': a single site named earlier in
    the sentence, then "plus" right before the plural site noun at token k, is one more."""
    m = k - 1
    while m >= 0 and doc[m].text == ",":
        m -= 1
    if m < 0 or doc[m].lower_ not in ("plus", "+"):
        return False
    return any(t.lower_ in SINGULAR_SITE_NOUNS for t in doc[_sentence_start(doc, m) : m])


def _one_or_both(doc: "Doc") -> Optional[Candidate]:
    """'our only office', 'our one and only shop': one site; 'both our stores', 'both of the
    clinics': two."""
    lows = [t.lower_ for t in doc]
    for k, low in enumerate(lows):
        if low == "both":
            m = k + 1 + (lows[k + 1 : k + 2] == ["of"])
            m += m < len(doc) and lows[m] in _OWN
            m += m < len(doc) and doc[m].is_alpha and lows[m] not in SITE_NOUN_SET and m + 1 < len(doc) and lows[m + 1] in _PLURAL_SITES
            if m < len(doc) and lows[m] in _PLURAL_SITES:
                return Candidate("qty", k, m + 1, doc[k].idx, doc[m].idx + len(doc[m].text), NUM_LOCATIONS, 2)
        if low in ("our", "my") and lows[k + 1 : k + 4] == ["one", "and", "only"] or low in ("our", "my") and lows[k + 1 : k + 2] == ["only"]:
            m = k + (4 if lows[k + 1] == "one" else 2)
            m += m < len(doc) and doc[m].is_alpha and lows[m] not in SINGULAR_SITE_NOUNS and m + 1 < len(doc) and lows[m + 1] in SINGULAR_SITE_NOUNS
            if m < len(doc) and lows[m] in SINGULAR_SITE_NOUNS:
                return Candidate("qty", k, m + 1, doc[k].idx, doc[m].idx + len(doc[m].text), NUM_LOCATIONS, 1)
    return None


def _main_office_only(doc: "Doc") -> Optional[Candidate]:
    """'just our HQ', 'only the main office', 'just our shop': one site."""
    for k in range(len(doc) - 1):
        if doc[k].lower_ in _ONLY_WORDS:
            n = _main_office_at(doc, k + 1) or _single_site_at(doc, k + 1)
            if n and k + 1 + n < len(doc) and not doc[k + 1 + n].is_punct:
                continue  # "only the office staff", "just the office has fiber": not the sites' number
            if n:
                end = doc[k + n]
                return Candidate("qty", k, k + 1 + n, doc[k].idx, end.idx + len(end.text), NUM_LOCATIONS, 1)
    return None
