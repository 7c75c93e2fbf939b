"""Messages no one could read: a keyboard mash ("asdf", "jkjkjk", "sdfgh kjh") or punctuation alone
("...", "!!").

The intent classifier reads characters, so it gives such a message some intent with confidence:
"asdf" came out as `complain` at 0.78, and a complaint hands the customer to a person for
frustration; "aaaaaa" came out as `affirm` at 0.99. bot/rasa_adapters/nlu/intent_words.py makes
an unreadable message `out_of_scope`, which the forms count as a missed answer.

A message is readable when one of its words is English (pyspellchecker's dictionary, also with
a drawn-out letter shortened: "heyyy", "noooo"), chat shorthand (CHAT_SHORTHAND) or one of the
understanding's own (a carrier, a service, a place: the caller passes whether entities were
found); when it is question marks alone ("?": no idea); when it holds a digit, an "@", or a character outside ASCII (a name in
another script, an emoji beside words), which this check cannot judge. Emoji and symbols alone
("🙂🙂", "👍") are unreadable: no word says what they mean. Empty text is left to the channels.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from bot.understanding.spelling import drawn_out_shortened, english_dictionary

_WORD = re.compile(r"[a-z]+")
_NOT_JUDGED = re.compile(r"[0-9@]|[^\x00-\x7f]")

#: Shorthand of chat that is no dictionary word: a reply made of it says something.
CHAT_SHORTHAND: Final[frozenset[str]] = frozenset({
    "idk", "lol", "lmao", "wtf", "smh", "tbh", "thx", "pls", "plz", "nvm", "omg", "btw", "fyi", "brb", "imo",
    "imho", "kk", "mhm", "cya", "ikr", "jk", "rn", "bc", "cuz", "w", "wo", "u", "ur", "r", "y", "n", "k", "dunno",
    "gonna", "wanna", "gotta", "llc", "hola", "meh", "welp", "yeah", "yah", "okey", "ty", "tyvm", "ttyl", "gtg",
})


def _is_a_word(word: str) -> bool:
    if word in CHAT_SHORTHAND:
        return True
    # a drawn-out letter shortened ("noooo", "heyyy"); "aaaaaa" shortened to "a" is no word
    forms = {word} | {f for f in drawn_out_shortened(word) if len(f) > 1}
    return bool(forms & CHAT_SHORTHAND) or bool(english_dictionary().known(forms))


def _symbols_only(text: str) -> bool:
    """Emoji, other symbols, punctuation and spaces alone ("🙂🙂", "👍", "😡!!"): no word, no
    digit, no letter of any script. The classifier reads their bytes as it likes ("🙂🙂" came out
    as `complain` at 0.99, a handoff for frustration); what a face means is for the customer to
    say in words."""
    return all(unicodedata.category(c)[0] in "SPZC" or c in _EMOJI_JOINERS for c in text)


# zero-width joiner and variation selectors inside emoji sequences ("👍🏽", "❤️")
_EMOJI_JOINERS = frozenset({"\u200d", "\ufe0e", "\ufe0f"})


def is_unreadable(text: str | None, *, found_entities: bool = False) -> bool:
    """Whether `text` holds no word anyone could read (see the module's docstring)."""
    text = (text or "").strip().lower()
    if text and not found_entities and not re.search(r"[0-9@?]", text) and _symbols_only(text):
        return True
    if not text or found_entities or _NOT_JUDGED.search(text):
        return False
    words = _WORD.findall(text.replace("'", ""))
    if not words and "?" in text:
        return False  # "?" alone says "no idea" (a skip in data/nlu.yml) or "what?"
    return not any(_is_a_word(w) for w in words)
