"""Challenges and services named by topic words rather than phrases (Extractor._short_reply_topics,
Extractor._named_problem_topics): a short reply that is only topics ("pricing, mostly"), and
topics said to be the problem ("the main issue is cost").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.understanding.challenge_denials import _DENIALS

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# A reply of at most this many words, not a question, is short: its topic words count.
_SHORT_REPLY_WORDS = 6
# Words around a topic word in a short reply that add nothing to it. No negations ("not the
# price") and no verbs ("pricing looks fine"): with one of those, it is not an answer naming a
# problem.
_FILLER = frozenset({
    "the", "a", "an", "our", "my", "their", "its", "it", "it's", "its", "is", "was", "be", "and", "or", "plus",
    "also", "too", "both", "all", "of", "with", "for", "around", "about", "on", "in", "mostly", "mainly",
    "primarily", "honestly", "definitely", "probably", "really", "just", "maybe", "i", "guess", "think",
    "say", "would", "biggest", "big", "main", "major", "top", "number", "one", "issue", "issues",
    "problem", "problems", "concern", "concerns", "thing", "things", "stuff", "pain", "point", "points",
    "lol", "tbh", "overall", "general", "generally", "usually", "sure", "yeah", "yes", "well", "so",
    "hmm", "um", "uh", "huge", "constant", "frequent", "lately", "recently", "kind", "sort", "some",
    "lots", "lot", "bad", "poor", "terrible", "awful", "horrible", "lousy", "high", "higher", "rising",
    "slow", "lack", "ok", "okay", "like", "that", "those", "these", "them", "stuff", "area", "side",
    "department", "question", "questions", "overall", "mainly", "especially", "frankly", "personally",
    "more", "most", "than", "anything", "else", "right", "now", "always", "ongoing", "related", "time", "times",
    # a ranking of them: "cost and reliability, in that order", "support first, then price"
    "order", "first", "then", "priority",
})


_TOPIC_CLAUSE_WORDS = 3
_TOPIC_CLAUSE_BREAKS = frozenset({"and", "but", "plus", "also", "&"})


# "the main issue is cost", "biggest challenges today are cost and support": a word of problem,
# "is"/"are", then topic words (Extractor._named_problem_topics).
_PROBLEM_NOUNS = frozenset({
    "issue", "issues", "problem", "problems", "challenge", "challenges", "concern", "concerns", "headache",
    "headaches", "complaint", "complaints", "gripe", "gripes", "thing", "priority", "priorities", "pain",
})
_PROBLEM_NOUN_FILLER = frozenset({"today", "now", "right", "currently", "honestly", "really", "though", "tho", "here",
                                  "for", "us", "me", "overall", "lately"})
_IS_WORDS = frozenset({"is", "are", "was", "were", "'s", "=", ":", "-"})
_NAMED_TOPIC_FILLER = frozenset({"the", "our", "their", "just", "mostly", "really", "probably", "definitely", "honestly",
                                 "simply", "then", "its", "it's", "overall", "total", "monthly", "customer"})
_NAMED_TOPIC_EXTRA = {"support": "poor_support"}
_NAMED_TOPIC_REACH = 6


def _problem_is_at(doc: "Doc") -> list[tuple[int, int]]:
    """(index of the problem word, index after "is") of each "<problem> is ..." not negated."""
    lows = [t.lower_.replace("\u2019", "'") for t in doc]
    out = []
    for k, low in enumerate(lows):
        if low not in _PROBLEM_NOUNS:
            continue
        m = k + 1
        while m < len(lows) and m <= k + 2 and lows[m] in _PROBLEM_NOUN_FILLER:
            m += 1
        if m < len(lows) and lows[m] in _IS_WORDS and not (m + 1 < len(lows) and lows[m + 1] in _DENIALS | {"no"}):
            out.append((k, m + 1))
    return out


# Words joining two topics in a reply ("price and reliability", "cost, support").
_TOPIC_JOINERS = frozenset({"and", "&", ",", "plus", "+", "/", "also", "both", "as", "well", ";"})
