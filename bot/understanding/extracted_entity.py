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
# The role of a count read from towns listed as the customer's sites ("Provo and Orem, UT": 2):
# taken, and said back, since they may have more than one site in a town.
TOWNS_LISTED_ROLE = "towns_listed"


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
    # a count of sites read from towns listed ("Provo and Orem, UT"): one site per town
    towns_listed: bool = False
