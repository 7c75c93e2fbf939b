"""A reply to a name question that is only places and services is no name (bot.conversation.name_replies),
read with the real extractor."""

from __future__ import annotations

import pytest

from bot.conversation.name_replies import reads_as_facts_only


def _spans(extractor, text: str) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    return [(e.entity, e.start, e.end) for e in extractor.extract(text)]


@pytest.mark.parametrize("reply", [
    "Springfield, Illinois", "Boise ID", "we're in Spokane, WA 99201", "in Tulsa and Norman, Oklahoma",
    "hosted voip", "just the PRI lines", "59801",
    "the regular phone lines please",  # a service picked, still answering "which?"
])
def test_places_and_services_alone_are_facts(extractor, reply: str) -> None:  # type: ignore[no-untyped-def]
    assert reads_as_facts_only(reply, _spans(extractor, reply))


@pytest.mark.parametrize("reply", [
    # a name that holds a place or a service word, a first name that is also a town, a person
    "Spokane Fiber Collective", "Tulsa SIP Partners LLC", "Austin", "Tyler Brooks", "Maria Gonzalez",
    "Boise Family Dental", "Al", "Me", "Basic Broadband Co",
    "Tulsa Norman", "Provo",  # towns alone: people and firms are named after towns
    "Virginia Hale", "Georgia",  # a state's name first is a person's name too
])
def test_a_name_with_other_words_is_a_name(extractor, reply: str) -> None:  # type: ignore[no-untyped-def]
    assert not reads_as_facts_only(reply, _spans(extractor, reply))


def test_no_spans_no_facts() -> None:
    # entities without character spans (a button, a test double) say nothing of the words
    assert not reads_as_facts_only("Boise ID", [("city", None, None), ("us_state", None, None)])
    assert not reads_as_facts_only("", [])
