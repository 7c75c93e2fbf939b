"""A price too high (the high_cost challenge) told without a set phrase: a price that rises ("20%
more at renewal", "from 600 to 940"), a sum judged dear ("$320 a month, which seems insane"),
fees that creep in, money said with signs ("$$$").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from bot.understanding.challenge_speed import _SPEED_FIGURE_UNITS
from bot.understanding.clauses import _SENTENCE_PUNCT
from bot.understanding.site_nouns import PEOPLE_NOUNS, SITE_NOUN_SET
from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


_FEE_WORDS = frozenset({"fee", "fees", "surcharge", "surcharges", "charges"})
_FEE_CUES = frozenset({"new", "hidden", "extra", "junk", "added", "more", "another", "random", "surprise", "keep", "keeps",
                       "mystery", "bogus", "crazy", "ridiculous", "insane"})
_CONTRACT_FEE_WORDS = frozenset({"termination", "cancellation", "early", "etf", "install", "installation", "setup"})
_MONEY_SIGNS = frozenset("$💸💰🤑💵💲")


_RISE_WORDS = frozenset({
    "more", "higher", "increase", "increased", "hike", "jump", "jumped", "up", "raise", "raised", "rose", "went",
    "gone", "climbed", "shot", "doubled", "extra",
})
_PRICE_NOUNS = frozenset({"bill", "bills", "price", "prices", "pricing", "rate", "rates", "cost", "costs", "invoice",
                          "renewal", "renew", "quote", "charge", "charges"})
# After a figure, what makes it a count or a speed, not money: "30% more staff", "from 50 to 100 meg"
_NOT_MONEY_AFTER = _SPEED_FIGURE_UNITS | SITE_NOUN_SET | frozenset(PEOPLE_NOUNS) | {"percent", "people", "users", "lines"}


def _price_rise(doc: "Doc", lows: Sequence[str], k: int) -> bool:
    """Whether a price rise starts at `k`: a percentage with a word of rising ("20% more",
    "up 30%") in a message naming a price, or "from 600 to 940" after a price noun or a verb
    of rising."""
    window = lows[max(0, k - 4) : k + 3]
    if lows[k] == "%" and k > 0 and doc[k - 1].like_num or (lows[k].endswith("%") and lows[k][:1].isdigit()):
        after = lows[k + 1 : k + 3]
        if after[:1] and after[0] in _NOT_MONEY_AFTER or any(w in _NOT_MONEY_AFTER for w in after[1:2]):
            return False
        return any(w in _RISE_WORDS for w in window) and any(w in _PRICE_NOUNS for w in lows)
    if lows[k] != "from" or not any(w in _RISE_WORDS or w in _PRICE_NOUNS for w in lows[max(0, k - 4) : k]):
        return False
    figures = [m for m in range(k + 1, min(len(doc), k + 6)) if lows[m].lstrip("$").replace(",", "")[:1].isdigit()]
    if len(figures) < 2 or "to" not in lows[figures[0] : figures[1]]:
        return False
    low, high = (parse_number_words([lows[m].lstrip("$").replace(",", "")]) for m in figures[:2])
    after = lows[figures[1] + 1] if figures[1] + 1 < len(doc) else ""
    return low is not None and high is not None and high > low and after not in _NOT_MONEY_AFTER


_PER_MONTH = frozenset({"/mo", "/month", "monthly", "/mth", "mo", "month", "grand"})
# Words judging a sum too high ("which seems insane", "900 a month alone", "brutal").
_DEAR_VERDICTS = frozenset({
    "insane", "crazy", "high", "steep", "ridiculous", "absurd", "outrageous", "alone", "brutal", "nuts", "wild",
    "robbery", "expensive", "pricey", "fortune", "bananas", "painful", "killing", "obscene", "astronomical",
})
_VERDICT_REACH = 10


def _money_figure(doc: "Doc", lows: Sequence[str], k: int) -> bool:
    """Whether a sum of money is at `k`: "$320", "$ 1,100", "650 a month", "900/mo", "4 grand"."""
    word = lows[k]
    if word.startswith("$") and any(c.isdigit() for c in word):
        return True
    if not word[:1].isdigit():
        return False
    if k and lows[k - 1] == "$":
        return True
    after = lows[k + 1 : k + 3]
    return bool(after) and (after[0] in _PER_MONTH or after in (["a", "month"], ["per", "month"], ["a", "mo"]))


def _judged_dear(doc: "Doc", lows: Sequence[str], k: int) -> bool:
    """Whether a word judging a sum too high is near `k`, in the same sentence."""
    for step in (-1, 1):
        m = k + step
        while 0 <= m < len(doc) and abs(m - k) <= _VERDICT_REACH and doc[m].text not in _SENTENCE_PUNCT:
            if lows[m] in _DEAR_VERDICTS:
                return True
            m += step
    return False
