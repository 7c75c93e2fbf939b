"""What the entity extractor gives back (bot.understanding.extraction): one entity with its
canonical value and where it stands in the customer's text. A module of its own so that the rule
modules the extractor draws on can build and read entities without importing the extractor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

# The role a count alone carries in Rasa's entities: the question asked decides what it counts
# (bot.conversation.slot_updates), so a message read with nothing asked has no count of sites.
COUNT_ALONE_ROLE = "count_alone"


@dataclass(frozen=True)
class ExtractedEntity:
    """One entity: canonical value, char offsets [start, end) into the input, its text."""

    entity: str
    value: Union[str, int]
    start: int
    end: int
    text: str
    negated: bool = False
    # a count that is the whole reply ("a dozen"): it answers whatever question was asked
    alone: bool = False
