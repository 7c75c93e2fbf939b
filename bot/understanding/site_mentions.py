"""Where one site is named at a token ("a store", "our HQ", "the main office"), a count placed next
to it ("HQ plus 3 branches" is one more), and the small token tests the site-count readings share
(where a sentence starts, a town the gazetteer does not know, the number at a token).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from bot.understanding.candidates import NUM_LOCATIONS, Candidate
from bot.understanding.site_count_words import (_ANY_DETERMINER, _CHAIN_JOINERS, _COUNT_JOINERS, _MAX_TOWN_WORDS,
                                                _NOT_TOWN_ITEM, _NOT_TOWN_WORDS, _PLUS_WORDS)
from bot.understanding.site_nouns import MEASURE_NOUN_SET, NOT_SITES_AFTER, SINGULAR_SITE_NOUNS, SITE_NOUN_SET
from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


_MAIN_OFFICE = (
    ("hq",), ("headquarters",), ("main", "office"), ("head", "office"), ("corporate", "office"),
    ("home", "office"), ("main", "location"), ("main", "site"), ("main", "store"), ("main", "branch"),
    ("main", "clinic"), ("flagship",), ("corporate",), ("main", "building"), ("main", "campus"),
    ("main", "shop"), ("main", "plant"), ("main", "warehouse"), ("main", "facility"), ("corporate", "hq"),
    ("corporate", "headquarters"), ("head", "quarters"),
)


def _count_number(doc: "Doc", k: int) -> Optional[float]:
    """The value of token k when it can be a count of sites: a number that is no year, no part of
    a phone or a time, and counts no people, units or things ("3 days", "4 techs")."""
    token = doc[k]
    if not token.like_num or token.lower_ in ("a", "an") or (token.is_digit and len(token.text) >= 4):
        return None
    if k + 1 < len(doc) and (doc[k + 1].lower_ in NOT_SITES_AFTER or doc[k + 1].lower_ in MEASURE_NOUN_SET
                             or doc[k + 1].text in (":", "/", "%", ".") and k + 2 < len(doc) and doc[k + 2].is_digit):
        return None
    value = parse_number_words([token.lower_])
    return value if value is not None and 1 <= value <= 100_000 and value == int(value) else None


# Words of a mobile signal: "down to 2 bars", "2 bars of LTE" count the signal, not bars (the
# places that serve drinks).
_SIGNAL_WORDS = frozenset({"signal", "reception", "lte", "4g", "5g", "cell", "cellular", "coverage", "hotspot", "wireless"})
_SIGNAL_REACH = 5


def _signal_bars(doc: "Doc", i: int, j: int) -> bool:
    """Whether the count in tokens [i, j) is of the bars of a mobile signal: "bars" after the
    number, with a signal word a few words before it or right after "of"."""
    if not any(doc[k].lower_ in ("bar", "bars") for k in range(i, min(j, len(doc)))):
        return False
    lows = [t.lower_ for t in doc]
    start = max(0, i - _SIGNAL_REACH)
    # "5g" is two tokens ("5", "g"): a word and the next are read together too
    before = set(lows[start:i]) | {a + b for a, b in zip(lows[start:i], lows[start + 1 : i])}
    after = lows[j + 1 : j + 3] if j < len(doc) and lows[j] == "of" else []
    return bool(before & _SIGNAL_WORDS) or bool(after and ({after[0], "".join(after)} & _SIGNAL_WORDS))


def _lowercase_town_after(doc: "Doc", k: int) -> int:
    """After the preposition at token k, a town the gazetteer did not place, typed in lowercase
    ("1 in nampa", "1 in carson city"): up to three plain words, then the end of a clause or a
    joiner. The token after them, or k if there is none."""
    n = k + 1
    while n < len(doc) and n - k <= 3 and doc[n].is_alpha and not doc[n].is_stop and doc[n].lower_ not in _NOT_TOWN_WORDS:
        n += 1
    if n == k + 1 or (n < len(doc) and not (doc[n].is_punct or doc[n].lower_ in _CHAIN_JOINERS
                                             or _placed_count_at(doc, n))):
        return k
    return n


def _placed_count_at(doc: "Doc", n: int) -> bool:
    """Whether a count placed by itself starts at token n ("... 1 in meridian")."""
    return doc[n].like_num and n + 1 < len(doc) and doc[n + 1].lower_ in ("in", "at")


def _sentence_start(doc: "Doc", k: int) -> int:
    while k > 0 and doc[k - 1].text not in (".", "!", "?", ";"):
        k -= 1
    return k


def _single_site_at(doc: "Doc", i: int) -> int:
    """Length of one site named at token i: "the warehouse", "our main office", "HQ", "a
    small showroom", "the office"; 0 if none."""
    n = _main_office_at(doc, i)
    if n:
        return n
    n = _one_site_at(doc, i, _ANY_DETERMINER)
    if n and doc[i + n - 1].lower_ in SINGULAR_SITE_NOUNS:
        return n
    return 0


def _unknown_town_at(doc: "Doc", m: int) -> Optional[int]:
    """The token after a town name of one to three plain words starting at token m ("houlton",
    "fort kent", "watford city", "red lodge": a site noun may end a name, not begin it) that ends at a joiner, a comma or the end of a clause; None
    when the words there are no such name ("i mostly work from home", "rural areas")."""
    n = m
    while n < len(doc) and n - m < _MAX_TOWN_WORDS and doc[n].is_alpha and not doc[n].is_stop \
            and doc[n].lower_ not in _NOT_TOWN_ITEM and (n > m or doc[n].lower_ not in SITE_NOUN_SET) \
            and doc[n].lower_ not in NOT_SITES_AFTER and not doc[n].like_num:
        n += 1
    if n == m:
        return None
    if n < len(doc) and not (doc[n].is_punct or doc[n].lower_ in _COUNT_JOINERS or doc[n].lower_ in ("and", "&")):
        return None  # the words go on: no name of a town
    return n


def _main_office_at(doc: "Doc", i: int) -> int:
    """Length in tokens of a main-office phrase starting at token i ("HQ", "the main office"), or 0."""
    k = i
    if k < len(doc) and doc[k].lower_ in ("our", "the", "a", "one"):
        k += 1
    for phrase in _MAIN_OFFICE:
        n = len(phrase)
        if tuple(t.lower_ for t in doc[k : k + n]) == phrase:
            if k + n < len(doc) and doc[k + n].lower_ in SINGULAR_SITE_NOUNS:
                n += 1  # "the flagship store", "HQ office": the noun after is the same site
            return k + n - i
    return 0


def _one_site_at(doc: "Doc", i: int, determiners: tuple[str, ...] = ("a", "an", "one")) -> int:
    """Length of "a showroom", "one small warehouse" (a single site) starting at token i, or 0;
    with wider `determiners`, "the warehouse", "our office" too."""
    if i >= len(doc) or doc[i].lower_ not in determiners:
        return 0
    for n in (2, 3):
        if i + n <= len(doc) and doc[i + n - 1].lower_ in SITE_NOUN_SET and (n == 2 or doc[i + 1].is_alpha):
            return n
    return 0


def _plus_one_site(doc: "Doc", cand: Candidate, site_at: Callable[["Doc", int], int]) -> Candidate:
    """The count and one more site that `site_at(doc, i)` (its length in tokens, or 0) names
    on the other side of "plus"/"and": '3 branches and the HQ', 'HQ plus 3 branches' (with
    `_main_office_at`), 'a couple warehouses and a showroom', 'a warehouse and 3 stores'
    (with `_one_site_at`)."""
    j = cand.j
    if j + 1 < len(doc) and doc[j].lower_ in _PLUS_WORDS:
        n = site_at(doc, j + 1)
        if n:
            last = doc[j + n]
            return Candidate("qty", cand.i, j + 1 + n, cand.start, last.idx + len(last.text), NUM_LOCATIONS,
                             cand.payload + 1)
    if cand.i >= 2 and doc[cand.i - 1].lower_ in _PLUS_WORDS:
        for n in range(1, 5):
            i = cand.i - 1 - n
            if i >= 0 and site_at(doc, i) == n:
                return Candidate("qty", i, cand.j, doc[i].idx, cand.end, NUM_LOCATIONS, cand.payload + 1)
    return cand


_ONE_SITE_DETERMINERS = tuple(d for d in _ANY_DETERMINER if not d.isdigit())  # "a", "the", "our"; not "1 office"
_PLUS_GAP = 4  # words between the count and "plus": "4 franchise bakeries + ...", "8 kiosks around Houston plus ..."


def _same_kind(noun: str, counted: set[str]) -> bool:
    """'office' is of the kind of '3 offices': the one site named is then one of them."""
    return any(noun == c or noun + "s" == c or noun + "es" == c or noun[:-1] + "ies" == c for c in counted)


def _plus_one_site_later(doc: "Doc", cand: Candidate) -> Candidate:
    """The count and one more site of another kind named after "plus"/"and" a few words on, in
    the same clause: "4 franchise bakeries + a central kitchen", "8 kiosks around Houston plus the
    warehouse", "3 stores and our office" (5, 9, 4). A site of the counted kind is one of them:
    for "4 clinics and the clinic in Provo" this rule adds nothing."""
    counted = {doc[k].lower_ for k in range(cand.i, cand.j) if doc[k].lower_ in SITE_NOUN_SET}
    if not counted:
        return cand
    for j in range(cand.j, min(len(doc), cand.j + _PLUS_GAP + 1)):
        token = doc[j]
        if token.lower_ in _PLUS_WORDS:
            n = _one_site_at(doc, j + 1, _ONE_SITE_DETERMINERS) or _main_office_at(doc, j + 1)
            last = doc[j + n] if n else None
            if last is None or _same_kind(last.lower_, counted) or last.lower_ not in SINGULAR_SITE_NOUNS:
                return cand
            return Candidate("qty", cand.i, j + 1 + n, cand.start, last.idx + len(last.text), NUM_LOCATIONS,
                             cand.payload + 1)
        if token.is_punct or token.like_num:
            return cand
    return cand


# Words that set counted sites apart from the one they belong to: "two outlying clinics".
_SET_APART = frozenset({"satellite", "satellites", "outlying", "remote", "outlier", "outpost", "outposts"})
# Sites that hold the ones counted after "with": "a campus with 3 satellite buildings" is the campus.
_HOLDING_SITES = frozenset({"campus", "building", "complex", "property", "facility", "site", "location", "park"})
_WITH_GAP = 6  # words from the site to "with": "a rural hospital out in western Kansas with ..."


def _plus_one_site_with(doc: "Doc", cand: Candidate) -> Candidate:
    """The count and the one site it belongs to, named before "with": "a rural hospital in
    Kansas with two outlying clinics", "our plant with 2 remote yards" (3). Only for sites set
    apart ("satellite", "outlying", "remote"): "a practice with 3 offices" is 3."""
    if cand.i == 0 or doc[cand.i - 1].lower_ != "with":
        return cand
    inside = {doc[k].lower_ for k in range(cand.i, cand.j)}
    counted = inside & SITE_NOUN_SET
    if not counted or not inside & _SET_APART:
        return cand
    start = _sentence_start(doc, cand.i)
    for k in range(cand.i - 2, max(start, cand.i - 2 - _WITH_GAP) - 1, -1):
        n = _single_site_at(doc, k)
        if not n:
            continue
        noun = doc[k + n - 1].lower_
        if _same_kind(noun, counted) or noun in _HOLDING_SITES or noun in _SET_APART:
            return cand
        if any(t.like_num or t.lower_ in SITE_NOUN_SET for t in doc[k + n : cand.i - 1]):
            return cand  # another site or count between: not the one the count belongs to
        return Candidate("qty", k, cand.j, doc[k].idx, cand.end, NUM_LOCATIONS, cand.payload + 1)
    return cand
