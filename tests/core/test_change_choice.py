"""Which answer a typed reply to "Which answer would you like to change?" names."""

import pytest

from bot.conversation.change_choice import answer_named


@pytest.mark.parametrize("text, slot", [
    ("the number of stores", "num_locations"),
    ("how many clinics we have", "num_locations"),
    ("number of locations", "num_locations"),      # a count, though "locations" names places too
    ("where we're located", "states"),
    ("our locations", "states"),
    ("the services", "services"),
    ("the problems I listed", "challenges"),
    ("staff size", "employees"),
    ("who our provider is", "current_carrier"),
    ("when the contract ends", "contract_end"),
    ("hmm that one", None),                          # nothing named
    ("services and problems", None),                 # two named: the buttons again
])
def test_the_answer_a_reply_names(text: str, slot: str) -> None:
    assert answer_named(text) == slot
