"""The spaCy pipeline the extractor tokenizes with: a blank English one (no statistical model,
nothing downloaded) whose tokens suit our matchers (see _blank_english).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.understanding.validators import NUMBER_WORDS
from bot.understanding.wordforms import stem


# Every number word the count parser reads (bot.understanding.validators: "dozen", "couple",
# "fourty", Spanish "dos"), but not the scale letters ("k", "mm"), which are words alone.
_EXTRA_NUMBER_WORDS = NUMBER_WORDS - {"k", "mm"}
_K_NUMBER = re.compile(r"^~?\d+(?:\.\d+)?(?:k|m|ish)$|^~\d[\d,]*(?:\.\d+)?$")


def _blank_english() -> Any:
    """spacy.blank("en") with three changes, set through the language defaults (changing a
    built tokenizer reloads its special cases, a second each time):

    - it also splits on every "/" ("4G/5G", "PRI/SIP"), so each side can match alone;
    - LIKE_NUM also holds for "5k", "~50", "50ish", "dozen", "couple" (see _build_matcher);
    - NORM is the word form of bot.understanding.wordforms.stem ("outages" -> "outag"), which
      the second phrase matcher of services and challenges compares;
    - it has no tokenizer exceptions. Their matcher pass cost up to 1 ms per message with a
      contraction in it ("we're"), ten times the rest of tokenizing, and they are
      case-sensitive ("Ore." one token, "ore." two). Without them tokens are plain affix
      splits ("don't" stays one token, "Ore." is "Ore" + "."), the same in patterns and text.
    """
    from spacy.lang.en import English

    from spacy.attrs import LIKE_NUM, NORM
    from spacy.lang.en.lex_attrs import like_num as english_like_num

    def like_num(text: str) -> bool:
        low = text.lower()
        return bool(english_like_num(text) or low in _EXTRA_NUMBER_WORDS or _K_NUMBER.match(low))

    class _Defaults(English.Defaults):  # type: ignore[misc,valid-type]
        infixes = list(English.Defaults.infixes) + [r"/"]
        tokenizer_exceptions: dict[str, Any] = {}
        lex_attr_getters = {**English.Defaults.lex_attr_getters, LIKE_NUM: like_num, NORM: stem}

    class _AdvisorEnglish(English):  # type: ignore[misc,valid-type]
        Defaults = _Defaults

    return _AdvisorEnglish()


@lru_cache(maxsize=1)
def blank_english() -> Any:
    """One tokenizer of _blank_english per process, for readers of a single reply that need
    the extractor's tokens without the extractor (bot.conversation.answer_parsing)."""
    return _blank_english()
