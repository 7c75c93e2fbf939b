"""A contract that holds the customer (contract_inflexibility) told without a set phrase: held
until a date or for a term ("stuck with them until June"), or a long term demanded by the
carrier ("they want a 3 year contract just to add a line").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


_HELD_WORDS = frozenset({"stuck", "locked", "tied", "trapped"})
_UNTIL_WORDS = frozenset({"until", "till", "til", "thru", "through"})


def _held_until(doc: "Doc", lows: Sequence[str], k: int) -> bool:
    """Whether "stuck", "locked", "tied" at `k` is held by a term: "until June", "for 3 more
    years", "till 2028" within a few words."""
    after = lows[k + 1 : k + 6]
    if any(w in _UNTIL_WORDS for w in after):
        return True
    counted = any(a == "for" and (b[:1].isdigit() or parse_number_words([b]) is not None) for a, b in zip(after, after[1:]))
    return counted and any(w.rstrip("s") in ("year", "month", "yr") for w in after)


# "they want a 3 year contract just to add a line", "made us sign a 36-month term": a long term
# demanded of the customer (contract_inflexibility), not a term told as a fact ("we signed a 3
# year deal in 2023").
_TERM_NOUNS = frozenset({"contract", "contracts", "deal", "term", "commitment", "agreement"})
_DEMAND_VERBS = frozenset({
    "want", "wants", "wanted", "require", "requires", "required", "make", "makes", "made", "force", "forces",
    "forced", "insist", "insists", "insisted", "demand", "demands", "demanded", "push", "pushing", "pushed",
})
_DEMAND_REACH = 6


def _term_demanded(doc: "Doc") -> Optional[tuple[int, int]]:
    """Token span of a long term (two years or more) the carrier demands ("wants a 3 year
    contract"), if any; not one the customer wants ("we want a 2 year deal")."""
    lows = [t.lower_ for t in doc]
    for k, low in enumerate(lows):
        if low not in _TERM_NOUNS:
            continue
        months = _term_months(lows, k)
        if months is None or months < 24:
            continue
        for m in range(k - 1, max(-1, k - _DEMAND_REACH - 3), -1):
            if doc[m].text in (".", ";", "!", "?", ","):
                break
            if lows[m] in _DEMAND_VERBS and not (m and lows[m - 1] in _CUSTOMER_SUBJECTS):
                return m, k + 1
    return None


_CUSTOMER_SUBJECTS = frozenset({"we", "i", "we'd", "i'd", "we'll", "i'll", "also", "really", "just"})


def _term_months(lows: Sequence[str], k: int) -> Optional[float]:
    """The length in months of the term named just before the noun at `k` ("3 year", "36-month",
    "five-year"), or None."""
    for m in range(k - 1, max(-1, k - 4), -1):
        word = lows[m]
        unit = next((u for u in ("year", "yr", "month", "mo") if word.rstrip("s") == u or word.endswith("-" + u)), None)
        if unit is None:
            continue
        figure = word.rsplit("-", 1)[0] if "-" in word else (lows[m - 2] if m >= 2 and lows[m - 1] == "-" else
                                                            (lows[m - 1] if m else ""))
        number = parse_number_words([figure])
        if number is None:
            return None
        return number * (12 if unit in ("year", "yr") else 1)
    return None
