"""bot.conversation.corrections: spotting corrections and merging list slots across turns."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.corrections import is_correction, merge_values


def _id(value: object) -> str:
    """Short test ids: some parameters are 10 MB strings."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@pytest.mark.parametrize(
    "text",
    [
        "actually it's 4 offices",
        "Actually, 5 sites",
        "no, Tacoma not Seattle",
        "No. 4 offices",
        "no it's Boise",
        "nope, 5",
        "sorry, I meant Boise",
        "Sorry, it's Boise",
        "I meant 4",
        "Tacoma instead",
        "Tacoma instead of Seattle",
        "Tacoma, not Seattle",
        "Tacoma not Seattle",
        "not Seattle but Tacoma",
        "correction: 5 sites",
        "scratch that, 3 offices",
        "my mistake, it's Idaho",
        "that's wrong, it's 5",
        "it should be 6",
        "change it to 7",
        "wait, 4 offices",
        "oops, Oregon",
    ],
    ids=_id,
)
def test_corrections(text: str) -> None:
    assert is_correction(text)


@pytest.mark.parametrize(
    "text",
    [
        "we have 3 offices",
        "actually we also have an office in Boise",
        "sorry, we just opened a site in Boise",
        "oops, forgot the new branch in Nampa",
        "sorry for the delay, we have 3 offices",
        "sorry about that, 3 offices in Portland",
        "we don't need SIP",
        "no sip",
        "no problem, we have 3 sites",
        "no thanks",
        "not sure",
        "plus one more in Boise",
        "",
        "🙂",
        "<script>alert(1)</script>",
        "x" * 10_000_000,
        None,
        42,
    ],
    ids=_id,
)
def test_not_corrections(text) -> None:  # type: ignore[no-untyped-def]
    assert not is_correction(text)


@pytest.mark.parametrize(
    "previous, new, correction, negated, expected",
    [
        # accumulate across turns, HQ first, no duplicates
        (["OR", "WA"], ["ID"], False, [], ["OR", "WA", "ID"]),
        (["OR", "WA"], ["WA", "ID", "ID"], False, [], ["OR", "WA", "ID"]),
        ([], ["OR", "WA"], False, [], ["OR", "WA"]),
        (None, ["OR"], False, None, ["OR"]),
        (["OR"], [], False, [], ["OR"]),
        (["OR"], None, True, None, ["OR"]),
        # a correction replaces
        (["WA"], ["OR", "ID"], True, [], ["OR", "ID"]),
        (["pri", "sip"], ["dia"], True, [], ["dia"]),
        # ... unless it is about something else: every new value is already there
        (["WA", "OR"], ["WA"], True, [], ["WA", "OR"]),
        # negated values go; new ones take the first removed one's place (HQ kept first)
        (["WA", "OR"], ["ID"], True, ["WA"], ["ID", "OR"]),
        (["OR", "WA", "ID"], ["MT"], False, ["WA"], ["OR", "MT", "ID"]),
        (["pri", "sip"], [], False, ["sip"], ["pri"]),
        (["pri", "sip"], [], True, ["pri", "sip"], []),
        (["pri"], [], False, ["dia"], ["pri"]),  # negating an absent value changes nothing
        # a value both new and negated in one message counts as new
        (["WA", "OR"], ["WA"], True, ["WA"], ["WA", "OR"]),
        (["OR"], ["WA"], False, ["WA", "OR"], ["WA"]),
        (["OR", None], [None, "WA"], False, [], ["OR", "WA"]),
    ],
    ids=_id,
)
def test_merge_values(previous, new, correction, negated, expected) -> None:  # type: ignore[no-untyped-def]
    assert merge_values(previous, new, correction=correction, negated=negated) == expected


def test_merge_does_not_mutate_inputs() -> None:
    previous, new, negated = ["OR", "WA"], ["ID"], ["WA"]
    merge_values(previous, new, correction=False, negated=negated)
    assert previous == ["OR", "WA"] and new == ["ID"] and negated == ["WA"]


codes = st.lists(st.sampled_from(["OR", "WA", "ID", "CA", "NV", "MT"]), max_size=6)


@settings(max_examples=100, deadline=None)
@given(codes, codes, st.booleans(), codes)
def test_merge_properties(previous, new, correction, negated) -> None:  # type: ignore[no-untyped-def]
    merged = merge_values(previous, new, correction=correction, negated=negated)
    assert len(merged) == len(set(merged))  # no duplicates
    assert all(value in merged for value in new)  # what the customer just said is kept
    assert not any(value in merged for value in negated if value not in new)  # negated values go
    assert set(merged) <= set(previous) | set(new)
    if not correction and not negated:
        assert merged[: len(set(previous))] == list(dict.fromkeys(previous))  # order kept, HQ first


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_is_correction_never_raises(text: str) -> None:
    assert is_correction(text) in (True, False)


@pytest.mark.parametrize("text, corrects", [
    ("could you update our zip code to 97201", True),
    ("change the number of offices to 6", True),
    ("change my email to dee@tran.io", True),
    ("we plan to change our carrier to someone cheaper", False),  # a wish, not a correction
    ("we'd like to change our phone system to hosted VoIP", False),
    ("Change Healthcare", False),
])
def test_change_an_answer_to_something_corrects_it(text: str, corrects: bool) -> None:
    assert is_correction(text) is corrects
