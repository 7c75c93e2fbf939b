"""Spelling slips in the customer's words ("redundency", "custmer servise", "bandwidht"), mended
toward the assistant's own vocabulary before entities are read.

A word is mended only when it is lowercase, no English word (the dictionary of
pyspellchecker) and no word of ours, and exactly one edit (a letter left out, added, changed or
two swapped; for a word of four letters only two swapped: "mlps") away from a word of ours: the phrases and sentences the
understanding is built from (vocabulary.yml, phrasings.yml, the NLU training data). It is
never mended toward an English word we don't use, so "sdwan" or "comcast" are not turned into
"swan" or "coast"; the name of a place or a carrier is never mended, and a word typed with a
capital is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Optional

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_MIN_LENGTH = 5
_DRAWN_OUT = re.compile(r"([a-z])\1{2,}")  # "slooow", "soooo": a letter typed three times or more
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")


@lru_cache(maxsize=1)
def english_dictionary() -> Any:
    """pyspellchecker's English dictionary, one per process (~0.1 s to load: on first use)."""
    from spellchecker import SpellChecker

    return SpellChecker(distance=1)


def drawn_out_shortened(word: str) -> tuple[str, ...]:
    """`word` with a letter typed three times or more shortened to one, then to two ("slooow":
    "slow", "sloow"); nothing when no letter is drawn out."""
    if not _DRAWN_OUT.search(word):
        return ()
    return _DRAWN_OUT.sub(r"\1", word), _DRAWN_OUT.sub(r"\1\1", word)


def _one_edit(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    changes = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + changes + inserts)


@dataclass(frozen=True)
class Mended:
    """The text with slips mended and, per mended word, (start, end) in the original text and
    (start, end) in the mended one."""

    text: str
    edits: tuple[tuple[int, int, int, int], ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Char span of the mended text -> char span of the original text."""
        return self._to_original(start, is_end=False), self._to_original(end, is_end=True)

    def _to_original(self, position: int, *, is_end: bool) -> int:
        shift = 0  # original minus mended length of the text before `position`
        for old_start, old_end, new_start, new_end in self.edits:
            if position <= new_start:
                break
            if position < new_end:  # inside a mended word: the whole original word
                return old_end if is_end else old_start
            shift = old_end - new_end
        return position + shift


class SpellingMender:
    """Mends a customer's spelling slips toward `own_words` (see the module's docstring)."""

    def __init__(self, own_words: Iterable[str], keep: Iterable[str] = (), not_toward: Iterable[str] = (),
                 counted_nouns: Iterable[str] = ()) -> None:
        """`keep`: words never mended though neither English nor ours (places, carriers:
        "socal", "albuquerque"); `not_toward`: place names, mended toward only for a letter
        missing, added or swapped; `counted_nouns`: plural nouns before which "too" is the
        number it sounds like ("too offices")."""
        words = set(own_words)
        self.counted_nouns = frozenset(counted_nouns)
        # place names: mended toward only for a letter missing, added or swapped ("pheonix",
        # "seatle"), never for a letter changed ("houlton", a town we do not know, is no "houston")
        self.places = frozenset(not_toward)
        self.own_words = frozenset(w for w in words if len(w) >= _MIN_LENGTH)
        self.own_four = frozenset(w for w in words if len(w) == _MIN_LENGTH - 1)
        self.keep = frozenset(w for w in keep if len(w) >= _MIN_LENGTH - 1)
        self._checked = False  # _drop_slips_of_ours runs on first use (it loads the dictionary)

    def _drop_slips_of_ours(self) -> None:
        """The vocabulary keeps a few slips on purpose ("dedicted internet"); as words to mend
        toward they would stop "dedicted internt" from being mended, so a word of ours that is
        no English word and one edit from an English word of ours is not one."""
        english = {w for w in self.own_words if self.is_english(w)}
        slips = {w for w in self.own_words - english if _one_edit(w) & english}
        self.own_words = self.own_words - slips

    def is_english(self, word: str) -> bool:
        """Whether pyspellchecker's English dictionary knows `word` (loaded on first use)."""
        return bool(english_dictionary().known([word]))

    def mend_word(self, word: str) -> Optional[str]:
        """The word of ours `word` is a slip of ("slooow" drawn out is "slow"), or None."""
        if not self._checked:
            self._checked = True
            self._drop_slips_of_ours()
        for short in drawn_out_shortened(word):
            if short in self.own_words or self.is_english(short):
                return short
        if len(word) == _MIN_LENGTH - 1 and word not in self.own_four and word not in self.keep \
                and not self.is_english(word):
            # four letters: only two letters swapped ("mlps", "drak"); any edit is too loose there
            swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
            close = swaps & self.own_four
            return next(iter(close)) if len(close) == 1 else None
        if len(word) < _MIN_LENGTH or word in self.own_words or word in self.keep or self.is_english(word):
            return None
        if any(self.is_english(word[:i] + "'" + word[i:]) for i in range(1, len(word))):
            return None  # a contraction typed without its apostrophe: "thats" is no "whats"
        close = {w for w in _one_edit(word) & self.own_words
                 if not (w in self.places and len(w) == len(word) and sum(a != b for a, b in zip(w, word)) == 1)}
        if len(close) > 1:
            # "trunkz": "trunks" (a letter changed) rather than "trunk" (one added)
            close = {w for w in close if len(w) == len(word)}
        return next(iter(close)) if len(close) == 1 else None

    def mend(self, text: str) -> Mended:
        """`text` with every slip mended (unchanged, with no edits, when there is none)."""
        pieces: list[str] = []
        edits: list[tuple[int, int, int, int]] = []
        last = 0
        length = 0
        for match in _WORD.finditer(text):
            word = match.group()
            before = text[match.start() - 1] if match.start() else ""
            after = text[match.end()] if match.end() < len(text) else ""
            if before.isalnum() or after.isalnum() or (before and before in "@.") or after == "@":
                continue  # inside a capitalised word, an address or a code
            fixed = self.mend_word(word)
            if word == "too" and _NEXT_WORD.match(text, match.end()) and \
                    _NEXT_WORD.match(text, match.end()).group(1).lower() in self.counted_nouns:
                fixed = "two"  # "we have too locations": "too" is English, but no adverb goes there
            if fixed is None:
                continue
            pieces.append(text[last : match.start()])
            length += match.start() - last
            edits.append((match.start(), match.end(), length, length + len(fixed)))
            pieces.append(fixed)
            length += len(fixed)
            last = match.end()
        if not edits:
            return Mended(text, ())
        pieces.append(text[last:])
        return Mended("".join(pieces), tuple(edits))


def own_words(texts: Iterable[str]) -> set[str]:
    """The lowercase words of `texts`."""
    return {w for text in texts for w in _WORD.findall(text.lower())}
