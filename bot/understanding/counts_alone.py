"""A count in words or digits that is the whole reply ("just the one", "a dozen or so", "25ish") or
closes a clause of it ("a bakery in Reno, just the one"): it answers the count question asked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from bot.understanding.candidates import NUM_LOCATIONS, SERVICE, Candidate
from bot.understanding.site_count_words import _CLAUSE_ENDS, _COUNT_LEAD_INS, _NOW_WORDS, _ONLY_WORDS
from bot.understanding.site_nouns import NOT_SITES_AFTER, SITE_NOUN_SET
from bot.understanding.validators import NUMBER_WORDS, RANGE_JOINERS, parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc, Token


# Around a count in words that is the whole reply ("just the one", "a dozen or so").
_BARE_COUNT_FILLER = frozenset({
    "just", "only", "the", "about", "around", "maybe", "we", "have", "got", "it's", "its", "it", "is", "i",
    "think", "probably", "like", "roughly", "approximately", "currently", "right", "now", "um", "uh",
    "well", "so", "ok", "okay", "oh", "we're", "there", "are", "honestly", "lol", "total", "in", "all",
    "or", "ish", "us", "yeah", "at", "moment", "mostly", "really", "for", "now",
    # the tokenizer's halves of "it's", "there's", "we've" and what points back at the sites
    "'s", "'re", "'ve", "\u2019s", "\u2019re", "\u2019ve", "of", "them", "em", "'em", "those", "these", "total",
    "altogether", "has", "had", "guess", "say", "sites", "locations", "we've", "weve", "there's", "theres",
    # a count that corrects one said back ("actually 3", "oh wait, 4")
    "actually", "wait", "sorry", "oops",
})
# Around digits alone only these: "at 3" is a time, "for 2" and "in 5" are not counts of sites.
_DIGIT_FILLER = _BARE_COUNT_FILLER - {"at", "for", "in", "moment", "so", "or", "all", "us"}
_MAX_BARE_COUNT = 20


# A count that is the whole reply may be hedged ("25ish", "roughly 30", "a dozen give or take",
# "lots, like 70") or settled after a first guess ("thirty something, let's say 35", "between 8
# and 10, let's go with 9"): these words say so, and the number after a settling word counts.
_HEDGE_WORDS = frozenset({
    "ish", "~", "approx", "give", "take", "or", "so", "something", "odd", "lots", "many", "bunch",
    "handful", "few", "some", "say", "let's", "lets", "let", "go", "with", "call", "i'd", "id", "guess",
    "between", "to", "than", "more", "less", "over", "under", "plus", "maybe", "prob", "possibly",
    "sure", "not", "exactly", "precisely", "give-or-take", "count", "counting", "last", "i'm", "a",
})
_SETTLING_WORDS = frozenset({"say", "with", "it", "think", "guess", "call", "so", "prob", "probably", "maybe"})
# "100" alone is a count; four digits alone are more often a year or a code. A count alone is
# marked `alone` and the dialogue lets the question asked decide: asked nothing, only a small one
# is sites (bot.conversation.slot_updates.UNASKED_COUNT_MAX).
_MAX_BARE_REPLY = 999
# "a dozen of us", "just us four": the reply counts people.
_PEOPLE_MARKERS = frozenset({"us"})
# Two numbers joined by these are a range ("6 or 7", "between 10 and 12"): its top counts (the
# annotation guide, docs/nlu-evaluation.md).
_RANGE_WORDS = RANGE_JOINERS | {"and", "between"}
# Digits that are part of a phone number, a date or a time ("(425) 555-0168", "12/31", "3:30").
_NOT_A_COUNT_DIGITS = re.compile(r"\d\s*[/:().]\s*\d|\(\s*\d|\d\s+\d|\d-\d{3}|\d\s*%")
# What may stand around a count that is the whole reply (words, digits).
_AROUND_A_COUNT = _BARE_COUNT_FILLER | _HEDGE_WORDS | _RANGE_WORDS
_AROUND_DIGITS = _DIGIT_FILLER | _HEDGE_WORDS | _RANGE_WORDS


def _number_word(token: "Token") -> Optional[str]:
    """The token as a number word or digits ("25ish" -> "25", "~30" -> "30"), or None."""
    low = token.lower_
    stripped = low.strip("~+")
    if stripped.endswith("ish") and stripped[:-3].isdigit():
        return stripped[:-3]
    if token.like_num and low not in ("a", "an", "half"):
        return stripped
    if low in NUMBER_WORDS:
        return low  # (a slip in one, "eigth", was mended before: bot.understanding.spelling)
    return None


def _number_groups(words: list["Token"]) -> list[tuple[int, float, int]]:
    """(position of its first word, value, position after it) of each number said in `words`:
    "twenty-two", "two dozen", "a dozen and a half" (18), "25ish"."""
    groups: list[tuple[int, float, int]] = []
    k = 0
    while k < len(words):
        if _number_word(words[k]) is None and not (
            words[k].lower_ in ("a", "an", "half") and any(_number_word(w) is not None for w in words[k + 1 : k + 3])
        ):
            k += 1
            continue
        start, parts = k, []
        while k < len(words):
            word = _number_word(words[k])
            low = words[k].lower_
            if word is not None:
                parts.append(word)
            elif low in ("a", "an", "-", "half") or (low == "and" and k + 1 < len(words) and not words[k + 1].is_digit and (
                    _number_word(words[k + 1]) is not None or words[k + 1].lower_ in ("a", "an"))):
                parts.append(low)
            else:
                break
            k += 1
        half = parts[-3:] == ["and", "a", "half"] or parts[-2:] == ["and", "half"]
        if half:
            parts = parts[: -3 if parts[-2] == "a" else -2]
        value = parse_number_words(parts)
        if value is not None:
            groups.append((start, value * 1.5 if half else value, k))
    return groups


def _count_in_words_alone(doc: "Doc") -> Optional[Candidate]:
    """A reply that is only a count: "just the one", "a couple", "three", "15", "25ish",
    "twenty-two", "a dozen give or take", "thirty something, let's say 35". Marked `alone`: a
    count with nothing around it answers the question asked ("a dozen" asked for the head
    count is people), so the dialogue lets the question decide (bot.conversation.slot_updates)."""
    words = [t for t in doc if not (t.is_punct or t.is_space) or t.text == "~"]
    if not words or len(words) > 10 or any(t.lower_ in _PEOPLE_MARKERS for t in words):
        return None
    groups = _number_groups(words)
    inside = {k for start, _, end in groups for k in range(start, end)}
    others = [t for k, t in enumerate(words) if k not in inside]
    if not groups or any(t.lower_ not in _AROUND_A_COUNT for t in others):
        return None
    if [t.lower_ for t in words] == ["both"]:
        return None  # "both" answers "which of the two", not how many sites
    if _NOT_A_COUNT_DIGITS.search(doc.text) or any(any(c.isdigit() for c in t.text) for t in others):
        return None
    values = {value for _, value, _ in groups}
    if len(values) > 1:
        # two numbers: the one a settling word leads to ("let's say 35"), else the top of a range
        settled = [g for g in groups if g[0] > 0 and words[g[0] - 1].lower_ in _SETTLING_WORDS and g is not groups[0]]
        between = [t.lower_ for t in words[groups[0][2] : groups[1][0]]]
        if settled:
            groups = settled[-1:]
        elif len(groups) == 2 and between and all(w in _RANGE_WORDS for w in between) and groups[0][1] < groups[1][1]:
            groups = groups[1:]  # the top of a range (the annotation guide)
        else:
            return None
    start_k, value, end_k = groups[-1]
    digits = any(t.is_digit for t in words[start_k:end_k])
    if value != int(value) or not 1 <= value <= (_MAX_BARE_REPLY if digits else 100_000):
        return None
    lows = [t.lower_ for t in words]
    if digits and (any(t.lower_ not in _AROUND_DIGITS for t in others)
                   or (lows[0] == "so" and start_k == 1)):
        return None  # "at 3", "for 2": a time, not a count; "so 2" closes a description, not a reply
    start, end = words[start_k], words[end_k - 1]
    return Candidate("qty", start.i, end.i + 1, start.idx, end.idx + len(end.text), NUM_LOCATIONS, int(value),
                     extra={} if _the_one(lows) else {"alone": True})


def _the_one(lows: list[str]) -> bool:
    """"just the one", "only the one": the idiom points at the one place the customer has, so it
    counts a site whatever was asked (the annotation guide), unlike "one" or "just one"."""
    return any(lows[k] in _ONLY_WORDS and lows[k + 1 : k + 3] == ["the", "one"] for k in range(len(lows) - 2))


def _clause_bounds(doc: "Doc") -> list[tuple[int, int]]:
    """Token ranges of the clauses of `doc`, split at _CLAUSE_ENDS; a hyphen inside a word
    ("twenty-five", "T-Mobile") splits nothing."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for token in doc:
        inside_word = token.text == "-" and token.i > 0 and not doc[token.i - 1].whitespace_
        if token.text in _CLAUSE_ENDS and not inside_word:
            bounds.append((start, token.i))
            start = token.i + 1
    bounds.append((start, len(doc)))
    return [(i, j) for i, j in bounds if j > i]


def _only_count_closing_clause(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """"a bakery in Reno, just the one", "two shops downtown - only the two": a
    clause of only "just"/"only", maybe "the", and a small count in words, among filler,
    counts the sites. A noun after the count is what it counts ("just one question", "only one
    of our phones"), so such a clause is no count of sites; nor one after a clause ending in a
    service or a thing ("SIP trunks, just two"). Marked `alone` (the question asked decides,
    as for `_count_in_words_alone`) unless the clause names sites ("just the one of our sites")."""
    for i, j in _clause_bounds(doc):
        words = [t for t in doc[i:j] if not (t.is_punct or t.is_space)]
        k = next((n for n, t in enumerate(words) if t.lower_ in _ONLY_WORDS), None)
        if k is None or any(t.lower_ not in _BARE_COUNT_FILLER for t in words[:k]):
            continue
        m = k + 1 + int(k + 1 < len(words) and words[k + 1].lower_ == "the")
        n = m
        while n < len(words) and words[n].like_num and not words[n].is_digit and words[n].lower_ not in ("a", "an"):
            n += 1
        if n == m or any(t.lower_ not in _BARE_COUNT_FILLER for t in words[n:]) or _counts_things_before(doc, i, cands):
            continue
        value = parse_number_words([t.lower_ for t in words[m:n]])
        if value is None or value != int(value) or not 1 <= value <= _MAX_BARE_COUNT:
            continue
        first, last = words[k], words[n - 1]
        alone = not any(t.lower_ in SITE_NOUN_SET for t in words) and not _the_one([t.lower_ for t in words])
        return Candidate("qty", first.i, last.i + 1, first.idx, last.idx + len(last.text), NUM_LOCATIONS, int(value),
                         extra={"alone": True} if alone else {})
    return None


_AROUND_A_COUNT_NOW = _COUNT_LEAD_INS | _NOW_WORDS | _BARE_COUNT_FILLER | {"to", "be", "exact", "precise"}


def _count_clause_after_sites(doc: "Doc") -> Optional[Candidate]:
    """"a small chain of coffee shops, 6 right now", "every time we open a new site ... we have
    12 now": a clause that is only a count and a word of now, in a reply that names sites."""
    if not any(t.lower_ in SITE_NOUN_SET for t in doc):
        return None
    for i, j in _clause_bounds(doc):
        words = [t for t in doc[i:j] if not (t.is_punct or t.is_space)]
        nums = [n for n, t in enumerate(words) if t.like_num and t.lower_ not in ("a", "an", "both", "half")]
        after = [t.lower_ for t in words[nums[0] + 1 :]] if len(nums) == 1 else []
        if len(nums) != 1 or not (set(after) & _NOW_WORDS or after[:3] in (["to", "be", "exact"], ["to", "be", "precise"])):
            continue
        if any(t.lower_ not in _AROUND_A_COUNT_NOW for n, t in enumerate(words) if n != nums[0]):
            continue
        token = words[nums[0]]
        value = parse_number_words([token.lower_])
        if value is not None and value == int(value) and 1 <= value <= 100_000 and not (token.is_digit and len(token.text) >= 4):
            return Candidate("qty", token.i, token.i + 1, token.idx, token.idx + len(token.text), NUM_LOCATIONS, int(value))
    return None


def _counts_things_before(doc: "Doc", i: int, cands: list[Candidate]) -> bool:
    """Whether the clause before token i ends by naming a service or things at the sites
    ("we need SIP trunks, just two", "40 phones, only the one"): a count after it counts those."""
    k = i - 1  # the clause end
    return k >= 1 and (doc[k - 1].lower_ in NOT_SITES_AFTER or any(c.kind == SERVICE and c.j == k for c in cands))
