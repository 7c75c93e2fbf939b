"""Clauses saying a topic is no problem: "support has been fine", "no complaints about
reliability", "not price": no challenge is read in them, and the classifier does not read them.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

from bot.understanding.clauses import _clause_ranges, _clause_words
from bot.understanding.wordforms import stem

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# "support has been fine", "the price is ok": a topic named as not a problem. Unless a word of
# trouble is there too ("fine until it goes down"), the classifier's codes are not taken.
_SATISFIED = frozenset({
    "fine", "ok", "okay", "good", "great", "happy", "solid", "reasonable", "satisfied", "pleased",
    "excellent", "perfect", "decent", "acceptable", "smooth", "smoothly", "stable",
    "quick", "painless",  # "the install was quick"
})
_TROUBLE = frozenset({
    "not", "no", "n't", "never", "but", "except", "until", "although", "though", "however", "too", "slow",
    "bad", "poor", "terrible", "awful", "worse", "worst", "problem", "problems", "issue", "issues", "down",
    "out", "drop", "drops", "dropping", "expensive", "high", "hate", "need", "want", "isn't", "wasn't",
    "aren't", "don't", "doesn't", "didn't", "can't", "cant", "won't", "wont", "nobody", "nothing",
    "isnt", "wasnt", "arent", "dont", "doesnt", "didnt", "enough", "faster", "quicker", "more",
})


# A clause saying a topic is no problem: "no complaints about reliability", "nothing wrong with
# support", "not worried about price", "we never have outages", "support's actually decent".
_ALL_WELL_NEGATORS = frozenset({"no", "nothing", "never", "not", "n't", "zero", "without", "none", "isn't", "aren't",
                                "wasn't", "don't", "doesn't", "haven't", "hasn't", "rarely", "seldom",
                                # typed without the apostrophe
                                "isnt", "arent", "wasnt", "dont", "doesnt", "havent", "hasnt"})
_PROBLEM_WORDS = frozenset({
    "complaint", "complaints", "complain", "complaining", "issue", "issues", "problem", "problems", "trouble",
    "troubles", "wrong", "worried", "worry", "worries", "unhappy", "concerned", "concern", "concerns", "outage",
    "outages", "downtime", "bad", "gripes", "gripe", "beef", "deal",  # "isn't a big deal"
})
_ALL_WELL_REACH = 4  # words from the negator to the problem word ("never had any real problems")


# Topics named by a word the phrases give no code alone ("support" may be good or bad).
_TOPIC_NOUNS = ("support", "service", "reliability", "outages", "outage", "uptime", "downtime", "customer")
# Topics that are good things: "no backup", "zero accountability" complain of their absence.
_GOOD_THING_STEMS = frozenset(stem(w) for w in (
    "accountability", "affordability", "dependability", "flexibility", "stability", "visibility", "resilience",
    "resiliency", "continuity", "responsiveness", "uptime", "diversification", "leverage", "savings", "saving",
    "consolidation", "growth", "expansion", "capacity", "speed", "throughput", "callback", "escalation",
))
# Words around a topic ruled out in a clause of its own: "not price", "it's not the support".
_RULED_OUT_FILLER = frozenset({"it's", "its", "it", "is", "the", "our", "that", "really", "so", "much", "about", "even",
                               "and", "or", "nor", "just", "either", "neither", "honestly", "tbh"})


def _ruled_out_topic(words: list[str], topic_words: Mapping[str, str]) -> bool:
    """'not price', 'no, not support', 'it's not the bill': a negator and a topic word only."""
    negators = [w for w in words if w in _ALL_WELL_NEGATORS or w.endswith("n't")]
    topics = [w for w in words if stem(w) in topic_words]
    rest = [w for w in words if w not in negators and w not in topics and w not in _RULED_OUT_FILLER]
    return bool(negators) and bool(topics) and not rest and words.index(negators[0]) < words.index(topics[0])


def _fine_clause_spans(doc: "Doc", topic_words: Mapping[str, str] = MappingProxyType({})) -> list[tuple[int, int]]:
    """Char ranges of the clauses (split at punctuation and "but") that say a topic is no
    problem: a word of satisfaction and none of trouble ("the speed is fine", "support's
    actually decent"), a negation of a problem word and no other trouble ("no complaints
    about reliability", "nothing wrong with support or reliability", "we never have outages"),
    or a topic ruled out ("not price. not support. speed.": `topic_words`, phrasings.yml)."""
    spans: list[tuple[int, int]] = []
    for i, j in _clause_ranges(doc):
        clause = doc[i:j]
        words = _clause_words(doc, i, j)
        if not words:
            continue
        if _ruled_out_topic(words, topic_words):
            spans.append((clause.start_char, clause.end_char))
            continue
        bag = set(words)
        # "ok honestly the big thing is ...": a first "ok"/"great" is a discourse marker
        said_well = set(words[1:]) if len(words) > 1 and words[0] in _SATISFIED else bag
        if any(a == "good" and b == "day" for a, b in zip(words, words[1:])):
            said_well = said_well - {"good"}  # "20 meg on a good day": the best it gets
        satisfied = bool(said_well & _SATISFIED) and not bag & _TROUBLE
        negated_problem = False
        for n, word in enumerate(words):
            if word in _ALL_WELL_NEGATORS or word.endswith("n't"):
                if any(w in _PROBLEM_WORDS for w in words[n + 1 : n + 1 + _ALL_WELL_REACH]):
                    negated_problem = True
        if negated_problem:
            others = bag - _ALL_WELL_NEGATORS - _PROBLEM_WORDS
            negated_problem = not {w for w in others if not w.endswith("n't")} & (_TROUBLE | {"until", "since", "except"})
        if satisfied or negated_problem:
            spans.append((clause.start_char, clause.end_char))
    return spans
