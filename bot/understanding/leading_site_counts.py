"""A count leading the reply, then a description of the sites: "five, three in Tulsa and two in
Norman", "3 total, all in Kansas", "4 - Reno, Sparks, Elko and Ely".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from bot.understanding.candidates import NUM_LOCATIONS, Candidate
from bot.understanding.site_count_words import (_CLAUSE_ENDS, _COUNT_LEAD_INS, _INCLUDING_WORDS, _MAIN_OFFICE_WORDS,
                                                _NOW_WORDS, _PLACE_WORDS, _PLUS_WORDS)
from bot.understanding.site_mentions import _single_site_at
from bot.understanding.site_nouns import NOT_SITES_AFTER, SITE_NOUN_SET
from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc, Span


_TOTAL_WORDS = frozenset({"total", "altogether", "overall", "combined", "in"})
# "Dallas and Houston, so 2", "that's 3": a count closing a description of the sites.
_CLOSING_LEAD_INS = frozenset({"so", "that's", "thats", "total", "=", "makes", "making"})
_DESCRIPTION_OPENERS = frozenset({":", "-", "—", "–", ",", "(", ";"})


_OPENING_ENDS = frozenset({".", ":", ";", "!", "\u2014", "\u2013", "-", ",", "..."})


def _opening_count(doc: "Doc", others: list[Candidate]) -> Optional[Candidate]:
    """'three. the clinic in hays, the clinic in great bend and the billing office', 'just 2. hq is
    in lincoln and a small office in kearney', 'a couple. the bar and the restaurant next door': a
    count that is the reply's first sentence, then a description of the sites, is the count."""
    k = 0
    while k < len(doc) and doc[k].lower_ in _COUNT_LEAD_INS:
        k += 1
    start = k
    while k < len(doc) and k - start < 3 and doc[k].text not in _OPENING_ENDS:
        k += 1
    if k == start or k >= len(doc) - 1 or doc[k].text not in _OPENING_ENDS:
        return None
    if doc[k].text == "-" and not doc[k - 1].whitespace_:
        return None  # "a 3-vet practice": a hyphenated word, not a sentence ending
    words = [t.lower_ for t in doc[start:k]]
    if any(w.isdigit() and len(w) >= 4 for w in words) or (words[0] in ("a", "an") and any(w.isdigit() for w in words)):
        return None
    value = parse_number_words(words)
    if value is None or value != int(value) or not 1 <= value <= 1000:
        return None
    rest = doc[k + 1 :]
    named = sum(t.lower_ in SITE_NOUN_SET for t in rest) + sum(
        c.layer == "loc" and c.i > k and not (c.needs_anchor or c.needs_place) for c in others)
    if named < min(2, int(value)) or any(t.lower_ in NOT_SITES_AFTER for t in rest):
        return None  # "40, all at the main office": people at one site, not 40 sites
    first, last = doc[start], doc[k - 1]
    return Candidate("qty", start, k, first.idx, last.idx + len(last.text), NUM_LOCATIONS, int(value))


def _leading_site_count(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """A count opening the reply and followed by a description of the sites, or opening any
    clause and followed by "total" ("Portland + Seattle offices, 3 in total") (see site_counts)."""
    found = _site_count_at(doc, 0, cands, described_by_list=True)
    asked = _after_echoed_question(doc)
    if found is None and asked is not None:
        found = _site_count_at(doc, asked, cands, described_by_list=True)
    for n, token in enumerate(doc):
        if found is not None:
            break
        if token.text in _CLAUSE_ENDS and n + 1 < len(doc):
            found = _site_count_at(doc, n + 1, cands, described_by_list=False)
    return found


def _after_echoed_question(doc: "Doc") -> Optional[int]:
    """'how many locations? 2 if you count the shed': the customer repeats the question, then
    answers it as a reply would open. The token after the question mark, or None."""
    lows = [t.lower_ for t in doc]
    for k in range(len(doc) - 2):
        if lows[k : k + 2] == ["how", "many"]:
            end = next((m for m in range(k + 2, min(len(doc), k + 6)) if doc[m].text == "?"), None)
            return end + 1 if end is not None and end + 1 < len(doc) else None
    return None


def _names_sites(span: "Span", cands: list[Candidate]) -> bool:
    """Whether a stretch of the reply names places or sites."""
    places = any(c.layer == "loc" and span.start <= c.i < span.end and not (c.needs_anchor or c.needs_place) for c in cands)
    return places or any(t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS for t in span)


def _site_count_at(doc: "Doc", k: int, cands: list[Candidate], *, described_by_list: bool) -> Optional[Candidate]:
    opening = k
    while k < len(doc) and (doc[k].lower_ in _COUNT_LEAD_INS | _CLOSING_LEAD_INS or doc[k].is_punct and k == 0):
        k += 1
    closing = any(t.lower_ in _CLOSING_LEAD_INS for t in doc[opening:k])
    start = k
    while k < len(doc) and (doc[k].like_num and not doc[k].lower_ in ("a", "an") or (
            # "sixty-five": a hyphen inside a number said in words
            k > start and doc[k].text == "-" and not doc[k - 1].whitespace_ and k + 1 < len(doc) and doc[k + 1].like_num)):
        k += 1
    if k == start:
        return None
    words = [t.lower_ for t in doc[start:k]]
    if any(len(w) >= 4 and w.isdigit() for w in words):
        return None  # a year, a ZIP, a phone fragment
    value = parse_number_words(words)
    if value is None or value < 1 or value != int(value) or value > 100_000:
        return None
    if all(t.is_punct for t in doc[k:]):
        # "Dallas and Houston, so 2", "offices downtown and by the airport, that's 2": a count
        # closing the reply after the sites were named
        if closing and opening > 0 and _names_sites(doc[:opening], cands):
            span = doc[start:k]
            return Candidate("qty", start, k, span.start_char, span.end_char, NUM_LOCATIONS, int(value))
        return None
    after = doc[k].lower_
    rest = doc[k + 1 :]
    described = False
    if described_by_list and after in _PLUS_WORDS and _single_site_at(doc, k + 1):
        # "three plus a warehouse", "4 and the HQ": one more site
        n = _single_site_at(doc, k + 1)
        span = doc[start : k + 1 + n]
        return Candidate("qty", start, k + 1 + n, span.start_char, span.end_char, NUM_LOCATIONS, int(value) + 1)
    if described_by_list and after in _INCLUDING_WORDS and any(
        t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS for t in doc[k + 1 : k + 6]
    ):
        described = True  # "5 if you count the warehouse", "6 including HQ"
    elif after in _TOTAL_WORDS and (after != "in" or (len(rest) and rest[0].lower_ in ("total", "all"))):
        described = True
    elif described_by_list and after in _NOW_WORDS:
        described = True  # "three now, four by summer"
    elif described_by_list and after in ("across", "in", "around") and any(
            c.layer == "loc" and c.i in (k + 1, k + 2) and not c.needs_anchor for c in cands):
        described = True  # "7 across Oregon and Washington", "3 in Boise": where the sites are
    elif described_by_list and doc[k].text in _DESCRIPTION_OPENERS and len(rest):
        places = any(c.layer == "loc" and c.i > k and not (c.needs_anchor or c.needs_place) for c in cands)
        sites = any(t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS or t.lower_ in _PLACE_WORDS for t in rest)
        sub_counts = any(t.like_num and n + 1 < len(rest) and rest[n + 1].lower_ in ("in", "at", "downtown", "near")
                         for n, t in enumerate(rest))
        described = places or sites or sub_counts or rest[0].lower_ in _TOTAL_WORDS | {"all", "both"} \
            or (rest[0].lower_ in _INCLUDING_WORDS - {"if", "with"}  # "seven, counting the one opening in May"
                and not any(t.lower_ in NOT_SITES_AFTER for t in rest))
    if not described or (k < len(doc) and doc[k].lower_ in NOT_SITES_AFTER):
        return None
    span = doc[start:k]
    return Candidate("qty", start, k, span.start_char, span.end_char, NUM_LOCATIONS, int(value))
