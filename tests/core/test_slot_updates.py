"""Facts accumulate across turns; corrections replace; negations remove; bad values are re-asked."""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation.slot_updates import updates_from_message


def ent(entity: str, value: Any, role: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"entity": entity, "value": value}
    if role:
        item["role"] = role
    return item


def known(zip5: str) -> bool:
    return zip5 != "00000"


CANONICAL_ENTITIES = [
    ent("num_locations", 3), ent("city", "Portland"), ent("us_state", "OR"),
    ent("city", "Seattle"), ent("us_state", "WA"), ent("service", "pri"),
    ent("service", "sip"), ent("challenge", "high_cost"),
]


def test_canonical_message_fills_every_slot_at_once() -> None:
    update = updates_from_message({}, CANONICAL_ENTITIES, "We have 3 offices in Portland and Seattle ...", "inform")
    assert update.slots == {
        "states": ["OR", "WA"], "services": ["pri", "sip"], "challenges": ["high_cost"],
        "city": "Portland", "num_locations": 3.0,
    }
    assert update.problems == ()


def test_lists_grow_across_turns_and_hq_stays_first() -> None:
    current = {"states": ["OR", "WA"], "city": "Portland"}
    update = updates_from_message(current, [ent("city", "Boise"), ent("us_state", "ID")], "we also have an office in Boise", "inform")
    assert update.slots == {"states": ["OR", "WA", "ID"]}


def test_a_town_named_again_without_its_state_stays_in_the_state_known() -> None:
    # "Dublin" alone stands for Dublin, CA (the largest); after sites in Ohio it is Dublin, OH.
    text = "the line at the Dublin clinic keeps cutting out"
    at = text.index("Dublin")
    town = {"start": at, "end": at + len("Dublin")}
    entities = [{"entity": "city", "value": "Dublin", **town}, {"entity": "us_state", "value": "CA", **town}]
    assert updates_from_message({"states": ["OH"], "city": "Columbus"}, entities, text, "inform").slots == {}
    # A state named with it is believed; so is the town's own state when none is known there.
    named = [{"entity": "city", "value": "Dublin", **town},
             {"entity": "us_state", "value": "CA", "start": at + 8, "end": at + 10}]
    assert updates_from_message({"states": ["OH"], "city": "Columbus"}, named, text, "inform").slots == {"states": ["OH", "CA"]}
    assert updates_from_message({"states": ["TX"], "city": "Austin"}, entities, text, "inform").slots == {"states": ["TX", "CA"]}


def test_correction_replaces_the_number_of_sites() -> None:
    update = updates_from_message({"num_locations": 3.0}, [ent("num_locations", 4)], "actually it's 4 offices", "inform")
    assert update.slots == {"num_locations": 4.0}


def test_negated_city_is_replaced_and_its_state_kept_when_still_needed() -> None:
    current = {"states": ["OR", "WA"], "city": "Seattle"}
    entities = [ent("city", "Tacoma"), ent("us_state", "WA"), ent("city", "Seattle", "negated")]
    update = updates_from_message(current, entities, "no, Tacoma not Seattle", "inform")
    assert update.slots == {"city": "Tacoma"}


def test_negated_state_is_removed() -> None:
    current = {"states": ["OR", "WA"], "city": "Portland"}
    entities = [ent("us_state", "ID"), ent("us_state", "WA", "negated")]
    update = updates_from_message(current, entities, "Idaho, not Washington", "inform")
    assert update.slots == {"states": ["OR", "ID"]}


def test_restated_list_after_actually_replaces_it() -> None:
    current = {"services": ["pri", "sip"]}
    update = updates_from_message(current, [ent("service", "dia")], "actually we only need dedicated internet", "inform")
    assert update.slots == {"services": ["dia"]}


@pytest.mark.parametrize("value, code", [(0, "not_positive"), (-2, "not_positive")])
def test_non_positive_sites_are_refused(value: int, code: str) -> None:
    update = updates_from_message({}, [ent("num_locations", value)], f"{value} offices", "inform")
    assert update.slots == {}
    assert update.problems == ((code, str(value), "num_locations"),)
    assert update.problems_except_for("num_locations") == ()


def test_unknown_zip_is_reported_not_stored() -> None:
    update = updates_from_message({}, [ent("zip_code", "00000")], "zip 00000", "inform", known_zip=known)
    assert update.slots == {}
    assert update.problems == (("unknown_zip", "00000", "states"),)


def test_known_zip_is_stored() -> None:
    update = updates_from_message({}, [ent("zip_code", "97201"), ent("us_state", "OR"), ent("city", "Portland")], "97201", "inform", known_zip=known)
    assert update.slots == {"zip_code": "97201", "states": ["OR"], "city": "Portland"}


def test_carrier_in_a_why_question_is_not_the_current_carrier() -> None:
    assert updates_from_message({}, [ent("carrier", "Cogent")], "why not Cogent?", "ask_why").slots == {}


@pytest.mark.parametrize("text", [
    "we're with CenturyLink right now",
    "we're on TW Telecom in Denver, 2 sites",
    "been on qwest since forever",
    "switching from Level 3",
])
def test_carrier_with_a_cue_is_the_current_carrier(text: str) -> None:
    update = updates_from_message({}, [ent("carrier", "Lumen")], text, "inform")
    assert update.slots == {"current_carrier": "Lumen"}


def test_carrier_named_without_a_cue_outside_the_question_is_not_assumed_ours() -> None:
    update = updates_from_message({}, [ent("carrier", "Zayo")], "is Zayo any good in Denver", "inform")
    assert "current_carrier" not in update.slots


def test_a_carrier_named_for_what_it_provides_is_theirs() -> None:
    text = "spectrum for the internet and windstream for phones"
    entities = [{"entity": "carrier", "value": "Spectrum Enterprise", "start": 0, "end": 8},
                {"entity": "carrier", "value": "Windstream", "start": 30, "end": 40}]
    assert updates_from_message({}, entities, text, "inform").slots == {"current_carrier": "Spectrum Enterprise"}
    # asked about, not theirs
    question = "would windstream for phones be cheaper?"
    entities = [{"entity": "carrier", "value": "Windstream", "start": 6, "end": 16}]
    assert "current_carrier" not in updates_from_message({}, entities, question, "inform").slots


def test_carrier_named_alone_answers_the_carrier_question() -> None:
    update = updates_from_message({}, [ent("carrier", "AT&T")], "AT&T", "inform", requested_slot="current_carrier")
    assert update.slots == {"current_carrier": "AT&T"}


def test_nothing_said_changes_nothing() -> None:
    update = updates_from_message({"states": ["OR"]}, [], "hmm", "inform")
    assert update.slots == {} and update.problems == ()


@pytest.mark.parametrize(
    "current, entities, text, expected",
    [
        # a branch was corrected: the main office (and the states) stay
        ({"states": ["OR", "WA"], "city": "Portland"},
         [ent("city", "Tacoma"), ent("us_state", "WA"), ent("city", "Seattle", "negated")],
         "no, Tacoma not Seattle", {}),
        # a bare correction moves the main office
        ({"states": ["WA"], "city": "Seattle"}, [ent("city", "Tacoma"), ent("us_state", "WA")],
         "actually the HQ is in Tacoma", {"city": "Tacoma"}),
        # moving the HQ keeps the site it moved from (Oregon stays)
        ({"states": ["OR", "WA"], "city": "Portland"},
         [ent("city", "Tacoma"), ent("us_state", "WA"), ent("city", "Portland", "negated"),
          ent("us_state", "OR", "negated")],
         "sorry, the HQ is in Tacoma, not Portland", {"city": "Tacoma"}),
        # a correction of the count that adds a forgotten site: the main office stays
        ({"states": ["ID"], "city": "Boise", "num_locations": 2.0},
         [ent("num_locations", 3), ent("city", "Nampa"), ent("us_state", "ID")],
         "make that 3, I left out the shop in Nampa", {"num_locations": 3.0}),
    ],
)
def test_the_main_office_moves_only_when_it_is_corrected(current: dict[str, Any], entities: list[dict[str, Any]],
                                                         text: str, expected: dict[str, Any]) -> None:
    assert updates_from_message(current, entities, text, "inform").slots == expected


def test_ruling_out_a_city_without_the_hq_drops_its_state() -> None:
    current = {"states": ["OR", "WA"], "city": "Seattle"}
    entities = [ent("city", "Boise"), ent("us_state", "ID"), ent("city", "Portland", "negated"),
                ent("us_state", "OR", "negated")]
    update = updates_from_message(current, entities, "Boise, not Portland", "inform")
    assert sorted(update.slots["states"]) == ["ID", "WA"]
