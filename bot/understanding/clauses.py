"""Clauses, sentences and windows of a message: the units the challenge rules read a message in
(split at punctuation and "but", never past it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


def _clause_window(doc: "Doc", k: int, width: int) -> list[int]:
    """Token indexes within `width` of k on both sides, not past punctuation or "but"."""
    out = []
    for step in (-1, 1):
        m = k + step
        while 0 <= m < len(doc) and abs(m - k) <= width and not (doc[m].is_punct or doc[m].lower_ in _CLAUSE_BREAKS):
            out.append(m)
            m += step
    return sorted(out)


_SENTENCE_PUNCT = frozenset({".", "!", "?", ";"})


_CLAUSE_BREAKS = frozenset({"but", "pero"})  # "pero": Spanish "but", in messages that mix both


def _clause_ranges(doc: "Doc", breaks: frozenset[str] = _CLAUSE_BREAKS) -> list[tuple[int, int]]:
    """Token ranges of the clauses of `doc`, split at punctuation and at `breaks` (by default
    "but"); empty clauses left out."""
    out, start = [], 0
    for t in doc:
        if t.is_punct or t.lower_ in breaks:
            if t.i > start:
                out.append((start, t.i))
            start = t.i + 1
    if start < len(doc):
        out.append((start, len(doc)))
    return out


def _clause_words(doc: "Doc", i: int, j: int) -> list[str]:
    return [t.lower_.replace("\u2019", "'") for t in doc[i:j] if t.is_alpha or "'" in t.text]


def _clauses(doc: "Doc") -> list[set[str]]:
    """The words of each clause (split at punctuation and "but"), clauses without words left out."""
    return [words for i, j in _clause_ranges(doc) if (words := set(_clause_words(doc, i, j)))]


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_MIN_SENTENCE_WORDS = 4


def _sentences(text: str) -> list[str]:
    """The sentences of a message of two or more (each of _MIN_SENTENCE_WORDS words or more);
    none for a message of one sentence."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and len(p.split()) >= _MIN_SENTENCE_WORDS]
    return parts if len(parts) >= 2 else []


# The classifier's clauses: split at punctuation, a dash and the words that join two statements
# ("the bills are ridiculous and when it dies nobody calls back").
_CLAUSE_SPLIT = re.compile(
    r"\s*[,;:.!?]+\s+|\s+-+\s+|\s+(?:and|plus|but|also|when|whenever|because|cuz|so)\s+", re.IGNORECASE)
_MIN_CLAUSE_WORDS = 4
# A clause that negates says what is not the problem ("it's not the price", "we're not moving").
_NEGATING = re.compile(r"\b(?:not|no|never)\b|n[’']?t\b", re.IGNORECASE)


def _stated_clauses(text: str) -> list[str]:
    """The clauses of _MIN_CLAUSE_WORDS words or more that negate nothing, of a message of two
    clauses or more; none for a message of one clause."""
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(text) if p and p.strip()]
    if len(parts) < 2:
        return []
    return [p for p in parts if len(p.split()) >= _MIN_CLAUSE_WORDS and not _NEGATING.search(p)]
