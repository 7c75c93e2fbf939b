"""Corrections across turns: does a message correct an earlier answer, and how list slots merge.

List slots (states, services, challenges) accumulate: "we also have an office in Boise" adds
ID. A correction ("actually it's Oregon and Idaho", "no, Tacoma not Seattle") replaces what
it corrects, and negated values ("not Seattle", "we don't need SIP") are removed.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

_MAX_INPUT = 2000

# Cues that on their own say "I am correcting something".
_STRONG = re.compile(
    r"\b(?:"
    r"i\s+meant|i\s+mean|meant\s+to\s+say|correction|correcting|instead|rather\s+than|"
    r"scratch\s+that|strike\s+that|my\s+mistake|my\s+bad|typo|"
    r"should\s+(?:be|have\s+been|have\s+said|say|read)|"
    r"(?:change|update)\s+(?:it|that|this|(?:my|our|the)\s+(?:state|city|town|zip(?:\s+code)?|"
    r"locations?|sites?|offices?|number(?:\s+of\s+\w+)?|count|headcount|email|phone(?:\s+number)?|"
    r"name|company(?:\s+name)?|answer|services?))\s+to|"
    r"make\s+(?:it|that)|"
    r"(?:that'?s|that\s+is|it'?s|was)\s+wrong|not\s+right|incorrect|"
    r"not\s+\w+(?:\s+\w+)?\s*,?\s+but"
    r")\b",
    re.IGNORECASE,
)
# Cues that correct unless the message adds to what was said ("actually we also have ...").
# A leading "no" corrects when it stands alone ("no, ...") or starts a restatement ("no it's
# 5"); "no problem", "no SIP" are not corrections.
_WEAK = re.compile(
    r"^\s*(?:no|nope|nah)\s*(?:[,.!:;-]|$)"
    r"|^\s*(?:no|nope|nah)\s+(?=(?:it|it'?s|its|we|we'?re|i|i'?m|that|that'?s|the|actually|just|only|make)\b)"
    r"|\b(?:actually|sorry|oops|wait)\b",
    re.IGNORECASE,
)
# "Tacoma not Seattle", "Tacoma, not Seattle": short answers that swap one value for another.
_X_NOT_Y = re.compile(r"^\W*[\w.' -]{1,40}?,?\s+not\s+[\w.' -]{1,40}\W*$", re.IGNORECASE)
_ADDITIVE = re.compile(
    r"\b(?:also|too|as\s+well|another|additional|in\s+addition|plus|and\s+one\s+more|one\s+more|"
    # a site opened or added ("actually we just opened one in Delaware") moves no main office
    r"opened|added|new\s+(?:one|office|site|location|store|shop|branch|clinic))\b",
    re.IGNORECASE,
)
# A site left out of an earlier answer: "make that 4, forgot the warehouse in Pueblo West"
# corrects the count and adds a site; the main office stays.
_FORGOTTEN = re.compile(r"\b(?:forgot|forgotten|left\s+out|missed|didn'?t\s+(?:mention|count)|"
                        r"should\s+have\s+mentioned)\b", re.IGNORECASE)


def adds_a_site(text: Any) -> bool:
    """Whether the message adds a site to what was said ("we also have one in Boise", "forgot
    the warehouse in Pueblo West"), correction or not: its town is no new main office."""
    return isinstance(text, str) and bool(_ADDITIVE.search(text[:_MAX_INPUT]) or _FORGOTTEN.search(text[:_MAX_INPUT]))


def is_correction(text: Any) -> bool:
    """True when the message corrects an earlier answer.

    "actually it's 4 offices", "no, Tacoma not Seattle", "sorry, I meant Boise", "Tacoma
    instead", "correction: 5 sites" -> True. "actually we also have an office in Boise"
    (adds), "sorry for the delay, we have 3 offices" (politeness) -> False.
    """
    if not isinstance(text, str):
        return False
    text = text[:_MAX_INPUT]
    if _STRONG.search(text) or _X_NOT_Y.match(text):
        return True
    if _ADDITIVE.search(text):
        return False
    match = _WEAK.search(text)
    if not match:
        return False
    cue = match.group(0).strip(" ,.!:;-").lower()
    if cue == "sorry":
        # "sorry" corrects only when it is about the answer, not about the delay
        return bool(re.search(r"\bsorry\b\s*[,.!-]?\s*(?:it'?s|its|it\s+is|that'?s|we|we'?re|i|the|no|not|make)\b", text, re.IGNORECASE)) and not re.search(
            r"\bsorry\s+(?:for|about)\b", text, re.IGNORECASE
        )
    return True


def _unique(values: Iterable[Any]) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value is not None and value not in seen:
            seen.append(value)
    return seen


def merge_values(
    previous: Sequence[Any] | None,
    new: Sequence[Any] | None,
    *,
    correction: bool,
    negated: Sequence[Any] | None = (),
) -> list[Any]:
    """Merge a list slot's earlier values with this turn's, keeping order (HQ first).

    - No correction: previous + new, without duplicates ("also Boise" adds ID at the end).
    - Negated values are removed; new values take the place of the first removed one, so
      "no, Tacoma not Seattle" keeps the HQ position ([WA(Seattle)...] stays first).
    - A correction with new values and nothing negated replaces the list: "actually it's
      Oregon and Idaho" -> [OR, ID]. When all its new values are already in the list, the
      correction is about something else ("no, Tacoma not Seattle" leaves states [WA, OR]
      alone: Tacoma is in WA too) and the list is kept.
    - A value both new and negated in one message counts as new: a positive mention beats
      an implied negation.
    """
    previous_list = _unique(previous or ())
    new_list = _unique(new or ())
    removed = [v for v in _unique(negated or ()) if v not in new_list]
    if correction and new_list and not removed:
        if all(v in previous_list for v in new_list):
            return previous_list
        return new_list
    position = next((i for i, v in enumerate(previous_list) if v in removed), None)
    kept = [v for v in previous_list if v not in removed]
    if position is None:
        insert_at = len(kept)
    else:
        insert_at = sum(1 for v in previous_list[:position] if v not in removed)
    additions = [v for v in new_list if v not in kept]
    return kept[:insert_at] + additions + kept[insert_at:]
