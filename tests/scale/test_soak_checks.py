"""The pure parts of `make soak` (scripts/soak.py): how it decides that a turn was kept, and
how it measures memory. The soak itself runs for half an hour and is not part of `make test`."""

from __future__ import annotations

import os

from scripts.soak import CLIP_CHARS, group_rss_mb, same_turn, slope_mb_per_min, turn_check


def test_a_stored_turn_is_the_message_stripped_and_clipped() -> None:
    assert same_turn("hi", "hi")
    assert same_turn("", "   ")  # Rasa strips; an empty message is still a turn
    assert same_turn(None, "")
    huge = "lorem ipsum " * 1000
    assert same_turn(huge.strip()[:CLIP_CHARS], huge)
    assert not same_turn("hi", "hi there")
    assert not same_turn("", huge)


def test_turn_check_finds_lost_and_doubled_turns() -> None:
    said = ["hi", "about 40 employees", "about 40 employees", "March 2027"]
    assert turn_check(["hi", "about 40 employees", "March 2027"], {"about 40 employees"},
                      said) == ([], 1, [])
    # Doubled without having been resent: reported, not excused.
    assert turn_check(["hi", "about 40 employees", "March 2027"], set(), said) == \
        ([], 0, ["about 40 employees"])
    # Answered but not in the tracker, or not in the order it was said.
    assert turn_check(["hi", "we're with CenturyLink"], set(), said)[0] == \
        ["we're with CenturyLink"]
    assert turn_check(["March 2027", "hi"], set(), said)[0] == ["hi"]


def test_slope_is_megabytes_per_minute() -> None:
    assert slope_mb_per_min([(0, 100), (60, 102), (120, 104)]) == 2.0
    assert slope_mb_per_min([(0, 100), (60, 100)]) is None  # too few points to judge


def test_group_rss_counts_this_process_group() -> None:
    rss = group_rss_mb(os.getpgid(0))
    assert rss is not None and rss > 10
    assert group_rss_mb(2**22 + 12345) is None


def test_messages_stored_alike_count_together() -> None:
    # "" and "   " are both stored as "": two answered, two stored, nothing doubled.
    assert turn_check(["", "hi", "   "], set(), ["", "hi", ""]) == ([], 0, [])
    assert turn_check(["", "hi"], set(), ["", "hi", ""]) == ([], 0, [""])
