"""A keyboard mash or punctuation alone is read as nothing (bot.understanding.unreadable)."""

from __future__ import annotations

import pytest

from bot.understanding.unreadable import is_unreadable


@pytest.mark.parametrize("text", ["qwfp", "hjkhjk", "zxcv bnm", "llllll", "!!!", "..", "- -", "dkdkd sls",
                                  "🙄", "🙂🙂", "👍🏽", "❤️", "😡!!"])  # emoji alone: no word says what they mean
def test_a_mash_or_punctuation_alone_is_unreadable(text: str) -> None:
    assert is_unreadable(text)


@pytest.mark.parametrize("text", [
    "yep", "nope", "meh", "soooo slow", "hiiii", "lmao", "tbh", "k", "?", "??",  # words, shorthand, "no idea"
    "12", "me@shop.com", "ok 👍", "🙂 thanks", "Łódź", "",  # digits, addresses, emoji beside words, other scripts: not judged; empty: the channels'
    "<b>hello</b>", "' OR 1=1 --",  # markup and SQL-looking text hold words
])
def test_words_shorthand_and_what_it_cannot_judge_are_readable(text: str) -> None:
    assert not is_unreadable(text)


def test_a_word_the_understanding_knows_is_readable() -> None:
    """"velocix" is no English word; when the extractor found an entity in it, it said something."""
    assert is_unreadable("velocix")
    assert not is_unreadable("velocix", found_entities=True)
