"""What the customer settles on overrides what was added up (bot.understanding.site_counts): a
total they state ("31 sites total"), a count after "only"/"just", a count they revise ("3
offices, no 4", "2 restaurants, 3 if you count the catering kitchen").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from bot.understanding.candidates import NUM_LOCATIONS, Candidate
from bot.understanding.site_count_words import _MAIN_OFFICE_WORDS, _ONLY_WORDS
from bot.understanding.site_mentions import _count_number, _signal_bars
from bot.understanding.site_nouns import NOT_SITES_AFTER, SITE_NOUN_SET
from bot.understanding.validators import TAKE_BACK_WORDS, parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


def _said_last(doc: "Doc", counts: list[Candidate], cands: list[Candidate]) -> list[Candidate]:
    """What the customer settles on overrides what was added up: a total they state ("hq plus
    30 stores, 31 sites total"), a count after "only"/"just" ("only one location, a storefront
    in Bozeman"), and a count they revise ("3 offices, no 4", "13 stores. maybe 14. yeah 14",
    "2 restaurants, 3 if you count the catering kitchen", "18 sites in 2024, we're at 21 now"), and
    the count now after counts of the past ("had 9, sold 3, so I'm down to 6")."""
    total = _stated_total(doc)
    if total is None:
        total = _settled_count(doc)
    if total is None:
        total = _count_now(doc)
    if total is not None and (counts or any(t.lower_ in SITE_NOUN_SET for t in doc)):
        like = counts[-1] if counts else None
        return [_number_candidate(doc, total, like)]
    changed = _count_after_changes(doc)
    if changed is not None and changed.payload >= 1:
        return [changed]
    if not counts:
        return counts
    only = _only_count(doc)
    if only is not None:
        return [only]
    last = counts[-1]
    said = _said_instead(doc, last)
    if said is not None:
        return counts[:-1] + [_number_candidate(doc, said, last)]
    k = last.j
    seen = 0
    while k < len(doc) and seen < 3:
        revised = _revision_at(doc, k)
        if revised is None:
            break
        last, k, seen = _number_candidate(doc, revised, last), revised + 1, seen + 1
    return counts[:-1] + [last]


def _only_count(doc: "Doc") -> Optional[Candidate]:
    """'just the one location', 'only 2 small offices': a count after "just"/"only" (and "the")
    with a site noun in the next three words, the number of all the sites (nothing is added to
    it: "only one office, a small one over the bank")."""
    for k in range(len(doc) - 2):
        if doc[k].lower_ not in _ONLY_WORDS:
            continue
        m = k + 1 + (doc[k + 1].lower_ == "the")
        if m >= len(doc) or not doc[m].like_num or doc[m].lower_ in ("a", "an"):
            continue
        j = next((n + 1 for n in range(m + 1, min(len(doc), m + 4)) if doc[n].lower_ in SITE_NOUN_SET), None)
        value = parse_number_words([doc[m].lower_])
        if j is not None and value is not None and value == int(value) and 1 <= value <= 1000:
            return Candidate("qty", m, j, doc[m].idx, doc[j - 1].idx + len(doc[j - 1].text), NUM_LOCATIONS, int(value))
    return None


# Words that take a count back or settle it ("no", "wait", "actually", "maybe", "yeah", "well"),
# within a few words before the new number; after it, "now" dates it, "if you count ..." widens it.
_REVISION_WORDS = TAKE_BACK_WORDS | frozenset({
    "maybe", "yeah", "yes", "well", "er", "erm", "oops", "technically", "really", "prob", "probably",
    "typo", "said", "meant",
    # a doubt, then a settled number: "a storage unit, does that count? call it 3"
    "count", "counts", "call",
})
# Words that may stand right before the new number once a revision word was said ("wait no its 4").
_REVISION_LEADS = frozenset({"its", "it's", "it\u2019s", "is", "be", "at", "to", "it"})
_REVISION_GAP = 12
_NOW_AFTER = frozenset({"now", "today", "currently"})
_WIDENING_AFTER = frozenset({"if", "counting", "including", "incl", "w/"})
# After the new number, these make it a part of the sites ("2 are in Dallas", "2 of them").
_PART_AFTER = frozenset({"are", "is", "of", "in", "at", "on", "were", "'re", "’re", "by", "next", "more", "new"})


def _revision_at(doc: "Doc", k: int) -> Optional[int]:
    """Token index of a number after token k that revises the count before it, or None."""
    for n in range(k, min(len(doc), k + _REVISION_GAP + 1)):
        if doc[n].text in (".", "!", "?") and n + 1 < len(doc) and not doc[n + 1].like_num and n > k + 1 \
                and not {t.lower_ for t in doc[k:n]} & _REVISION_WORDS:
            return None  # the next sentence, with nothing taken back
        if _count_number(doc, n) is None:
            continue
        after = doc[n + 1].lower_ if n + 1 < len(doc) else ""
        if after in _PART_AFTER:
            continue  # "2 of them", "2 are in Dallas": a part of the sites
        between = {t.lower_ for t in doc[k:n]}
        # the word before the number revises ("no wait 5", "maybe 3", "well 2 real ones", "wait
        # no its 4"), not "forgot the new one"
        lead = n > k and (doc[n - 1].lower_ in _REVISION_WORDS or doc[n - 1].is_punct
                          or doc[n - 1].lower_ in _REVISION_LEADS)
        but_its = "but" in between and doc[n - 1].lower_ in _REVISION_LEADS  # "12 stores but its 21"
        if (between & _REVISION_WORDS and lead) or but_its or after in _NOW_AFTER or _widens(doc, n + 1):
            return n
    return None


_COUNTING_WORDS = frozenset({"count", "counts", "counting", "include", "includes", "including", "add", "adding"})


def _widens(doc: "Doc", k: int) -> bool:
    """'... counting the lab', '... if you count the kiosk', '... if the annex counts' after a
    number: it takes in more sites ("6 if the new lab is done by then" is sites to come)."""
    if k >= len(doc):
        return False
    if doc[k].lower_ in _WIDENING_AFTER - {"if"}:
        return True
    return doc[k].lower_ == "if" and any(t.lower_ in _COUNTING_WORDS for t in doc[k + 1 : k + 6])


def _number_candidate(doc: "Doc", k: int, like: Optional[Candidate]) -> Candidate:
    token = doc[k]
    value = parse_number_words([token.lower_])
    return Candidate("qty", k, k + 1, token.idx, token.idx + len(token.text), NUM_LOCATIONS,
                     int(value) if value is not None else (like.payload if like is not None else 0))


def _people_before(doc: "Doc", k: int) -> bool:
    """Whether the nearest noun of sites or people before token k (in its sentence) names people."""
    for m in range(k - 1, -1, -1):
        low = doc[m].lower_
        if low in (".", "!", "?", ";") or low in SITE_NOUN_SET:
            return False
        if low in NOT_SITES_AFTER:
            return True
    return False


_TOTAL_AFTER = frozenset({"total", "altogether", "combined", "overall", "all"})
_TOTAL_BEFORE = frozenset({"total", "totals"})


def _stated_total(doc: "Doc") -> Optional[int]:
    """Token index of a number the customer calls the total of their sites: "31 sites total",
    "so 5 total", "5 in total", "total of 6 locations", or None."""
    for k in range(len(doc)):
        if _count_number(doc, k) is None:
            continue
        m = k + 1
        if m < len(doc) and doc[m].lower_ in SITE_NOUN_SET:
            m += 1
        after = [t.lower_ for t in doc[m : m + 2]]
        before = [t.lower_ for t in doc[max(0, k - 3) : k]]
        if _people_before(doc, k) and m == k + 1:
            continue  # "12 attorneys plus staff so ~25 total": people
        if (after[:1] and after[0] in _TOTAL_AFTER and (after[0] != "all" or after[1:] == ["told"])) or after == ["in", "total"]:
            return k
        if before and before[-1] in ("of", ":", "=", "is") and any(w in _TOTAL_BEFORE for w in before) and m > k + 1:
            return k
    return None


# "..., so three", "so 4 now, 3 after", "so 28 sites": a count settling what was described.
_SETTLING_LEADS = frozenset({"so", "that's", "thats", "making", "makes"})
_MAKING_WORDS = frozenset({"make", "makes", "making"})
_SETTLED_AFTER = frozenset({"now", "total", "in", "all", "altogether", "i", "sites", "locations", "today"})


def _settled_count(doc: "Doc") -> Optional[int]:
    """Token index of a count after "so"/"that's" opening a clause or after "make(s)", after sites
    were named ("the office in Reno, the shop in Elko, so two", "... so 4 now, 3 after", "adding
    a depot, which would make 5"): the customer's own sum, which overrides what was added up (a
    site to come counts when the customer sums it in); None when there is none."""
    for k in range(1, len(doc)):
        lead = doc[k - 1].lower_
        if not (lead in _SETTLING_LEADS and (k == 1 or doc[k - 2].is_punct) or lead in _MAKING_WORDS):
            continue  # "so three" opens a clause; "which would make 3" may close one
        if _count_number(doc, k) is None or doc[k].lower_ in ("both", "half") or _people_before(doc, k):
            continue  # "15 people each, so 30 total": people
        after = doc[k + 1] if k + 1 < len(doc) else None
        if after is not None and not (after.is_punct or after.lower_ in _SETTLED_AFTER or after.lower_ in SITE_NOUN_SET):
            continue
        if any(t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS for t in doc[: k - 1]):
            return k
    return None


# After counts of the past, the count now: "... so I'm down to 6", "so it's four now", "we're at
# five now", "sold all but 2 of them". A past word must come first: "3 now, 2 more next year" is
# read by the revision rule above.
_PAST_WORDS = frozenset({
    "had", "used", "was", "were", "closed", "sold", "shut", "lost", "merged", "bought", "acquired", "picked",
    "opened", "added", "consolidated", "downsized", "grew", "expanded",
})


def _count_now(doc: "Doc") -> Optional[int]:
    """Token index of the count the customer has now, said after a word of the past: "down to
    N", "all but N", or N (and a site noun) followed by "now"/"today"; None when there is none."""
    past = False
    for k in range(len(doc)):
        if doc[k].lower_ in _PAST_WORDS:
            past = True
            continue
        if not past or _count_number(doc, k) is None or _people_before(doc, k) or _signal_bars(doc, k, k + 2):
            continue  # not "the signal was down to 2 bars" either
        before = [t.lower_ for t in doc[max(0, k - 2) : k]]
        noun = k + 1 < len(doc) and doc[k + 1].lower_ in SITE_NOUN_SET
        m = k + 1 + int(noun)
        # "so it's four now", "we're at five now", "3 stores now"; not "I'm 71 now"
        now = m < len(doc) and doc[m].lower_ in _NOW_AFTER and (noun or before[-1:] in (["at"], ["its"], ["'s"], ["\u2019s"], ["so"]))
        if before in (["down", "to"], ["all", "but"]) or now:
            return k
    return None


def _said_instead(doc: "Doc", count: Candidate) -> Optional[int]:
    """Token index of the number said instead of a count ruled out: "it's 5 not 6 locations",
    "5, not 6 offices" (the count after "not" is the one taken back); None otherwise."""
    k = count.i
    if k >= 2 and doc[k - 1].lower_ == "not":
        n = k - 2 - int(doc[k - 2].text == ",")
        if n >= 0 and _count_number(doc, n) is not None:
            return n
    return None


# A count of the past and what changed since: "had 9 branches and closed 3" (6), "we had 3
# buildings and just picked up 2 more" (5).
_HAD_LEADS = (("had",), ("used", "to", "have"), ("used", "to", "run"), ("used", "to", "manage"), ("used", "to", "be"))
_FEWER = frozenset({"closed", "sold", "shut", "lost", "dropped", "shuttered"})
_MORE = frozenset({"picked", "bought", "added", "acquired", "opened", "took"})
_CHANGE_FILLER = frozenset({"down", "up", "on", "over", "another", "off"})
# What may follow the number of sites closed or added ("closed 3 of them last year", "picked up
# 2 more"); another noun counts other things ("closed 1 line", "lost 2 customers").
_AFTER_A_CHANGE = frozenset({
    "of", "more", "others", "other", "last", "this", "in", "at", "since", "ago", "and", "but", "so", "when",
    "during", "back", "to", "recently", "already", "new", "over", "after", "before", "because", "that", "which",
    "too", "also", "now", "years", "year", "months", "month", "ourselves", "from", "with",
})


def _counts_sites_after(doc: "Doc", k: int) -> bool:
    return k >= len(doc) or not doc[k].is_alpha or doc[k].lower_ in SITE_NOUN_SET or doc[k].lower_ in _AFTER_A_CHANGE


def _count_after_changes(doc: "Doc", sites_asked: bool = False) -> Optional[Candidate]:
    """The count now from a count of sites of the past and the sites closed or added since,
    when no count of now is said (its payload, which may be 0 or less); None when the message
    says no such thing. A site noun must follow the past count unless the message answers the
    sites question ("used to have 6 but closed 2" is 4 then)."""
    lows = [t.lower_ for t in doc]
    for k in range(len(doc)):
        had = next((lead for lead in _HAD_LEADS if tuple(lows[max(0, k - len(lead)) : k]) == lead), None)
        value = _count_number(doc, k) if had else None
        if value is None or not (sites_asked or any(w in SITE_NOUN_SET for w in lows[k + 1 : k + 4])):
            continue
        for m in range(k + 2, min(len(doc), k + 16)):
            sign = -1 if lows[m] in _FEWER else 1 if lows[m] in _MORE else 0
            if not sign:
                continue
            n = m + 1 + int(m + 1 < len(doc) and lows[m + 1] in _CHANGE_FILLER)
            change = _count_number(doc, n) if n < len(doc) and _counts_sites_after(doc, n + 1) else None
            if change is None:
                return None
            token = doc[n]  # the count now may be none left ("had 4, closed 4"): the caller decides
            return Candidate("qty", k, n + 1, doc[k].idx, token.idx + len(token.text), NUM_LOCATIONS,
                             int(value + sign * change))
    return None


def count_after_changes(reply: str) -> Optional[Candidate]:
    """In a reply to the sites question, the count now from a past count and the sites closed
    or added since ("used to have 6 but closed 2", "we had 3 and picked up 2 more"): the
    extractor's reading, with the site noun free to go unsaid. Its span runs from the past
    count to the change."""
    from bot.understanding.spacy_english import blank_english

    return _count_after_changes(blank_english()(reply), sites_asked=True)
