"""Which answer a typed reply to "Which answer would you like to change?" names.

The question comes with buttons, but a customer may type "the number of sites" or "my
challenges" instead; that reply had been read as new facts, and the plan came back unchanged.
"""

from __future__ import annotations

import re
from typing import Final, Mapping, Optional

from bot.domain.slots import CHANGEABLE_SLOTS
from bot.understanding.site_counts import SITE_NOUNS

_SITES: Final = "(?:" + "|".join(sorted(map(re.escape, SITE_NOUNS), key=len, reverse=True)) + ")"

# Words that name each changeable answer. The number of sites is tried before the places, as
# "the number of locations" names a count, not where the sites are.
_NAMES: Final[Mapping[str, tuple[str, ...]]] = {
    "num_locations": (rf"number\s+of\s+{_SITES}", rf"how\s+many\s+{_SITES}", rf"{_SITES}\s+count"),
    "states": (r"locations?", r"where", r"states?", r"city", r"cities", r"address", r"zip(?:\s*code)?", r"places?"),
    "services": (r"services?", r"what\s+we\s+need", r"needs"),
    "challenges": (r"challenges?", r"problems?", r"issues?", r"pain\s+points?", r"what'?s\s+not\s+working"),
    "employees": (r"employees?", r"staff", r"head\s*count", r"people"),
    "current_carrier": (r"carriers?", r"providers?"),
    "contract_end": (r"contract", r"end\s+date", r"renewal", r"expir\w*"),
}
_PATTERNS: Final = {slot: re.compile(r"\b(?:" + "|".join(words) + r")\b") for slot, words in _NAMES.items()
                    if slot in CHANGEABLE_SLOTS}


def answer_named(text: Optional[str]) -> Optional[str]:
    """The one changeable slot the words name ("the number of sites" -> num_locations), else
    None (none named, or several)."""
    low = (text or "").lower().replace("’", "'")
    named = [slot for slot, pattern in _PATTERNS.items() if pattern.search(low)]
    if "num_locations" in named and "states" in named and not re.search(r"\b(?:where|states?|city|cities|address|zip)\b", low):
        named.remove("states")  # "number of locations" is the count
    return named[0] if len(named) == 1 else None
