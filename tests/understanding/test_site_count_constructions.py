"""Constructions that say how many sites a customer has (num_locations), one class each, in
our own words: a site numbered by an ordinal, the main office beside a count of branches, a
count settled with "so", a count of the past, the two ends of a link beside a larger count, a
labelled list of sites, a move between two places, and kinds of sites and sizes said of them."""

from __future__ import annotations

from typing import Any

import pytest

from bot.understanding.extraction import NUM_LOCATIONS, Extractor, build_extractor


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return build_extractor()


def _counts(extractor: Extractor, text: str) -> set[Any]:
    return {e.value for e in extractor.extract(text) if e.entity == NUM_LOCATIONS and not e.negated}


# ---- a site numbered by an ordinal --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("our HQ is in Omaha with a second shop in Lincoln", 2),
        ("we're based in Provo with a third warehouse in Orem", 3),
        ("our 5th store is in Ames, the others are in Des Moines", 5),
    ],
)
def test_ordinal_site_that_exists_counts_its_number(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize(
    "text, count",
    [
        ("we have a bakery in Macon and we're opening a second in Warner Robins", 1),
        ("the gym in Yuma is doing well so we're building a second gym in Tucson", 1),
        ("we're leasing a third clinic in Durango, our first two are in Cortez", 2),
        ("a cafe in Akron now, a second cafe opening in Kent this fall", 1),
    ],
)
def test_ordinal_site_to_come_counts_the_ones_before_it(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


def test_ordinal_site_to_come_without_the_sites_now_is_no_count(extractor: Extractor) -> None:
    assert _counts(extractor, "launching a 3rd salon in Boise next spring") == set()


def test_ordinal_of_no_site_is_no_count(extractor: Extractor) -> None:
    assert _counts(extractor, "we need a second circuit at the warehouse for backup") != {2}


# ---- the main office beside a count of branches -------------------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("fiber at the main office, dsl at 4 branches", 5),
        ("our headquarters is fine but the 6 branch offices keep dropping", 7),
        ("the HQ has 40 staff and our three satellite offices have a handful each", 4),
        ("9 branches plus the main office", 10),
    ],
)
def test_main_office_named_apart_from_branches_is_one_more(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize(
    "text, count",
    [
        ("we're 8 branches, no separate headquarters", 8),   # no main office to add
        ("4 branches, the main branch is in Salem", 4),       # the main branch is one of them
    ],
)
def test_main_office_that_is_none_or_one_of_them_adds_nothing(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


# ---- a count settled with "so" -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("the shop in Reno, the garage in Sparks and the yard in Fernley. so three", 3),
        ("12 stores in the valley plus the depot in Mesa. so 13 sites", 13),
        ("the lab, the clinic and a storage room out back, so 3 i think", 3),
    ],
)
def test_count_settled_after_sites_named(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


def test_settled_number_of_people_is_no_count(extractor: Extractor) -> None:
    found = _counts(extractor, "we have two offices, one in Erie and one in Butler. about 12 people each, so 24 total")
    assert 24 not in found


def test_doubt_then_call_it_settles_the_count(extractor: Extractor) -> None:
    assert _counts(extractor, "three cafes and a food truck, not sure that counts? call it 4") == {4}


# ---- counts of the past ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "we used to have 6 stores but that was years ago",
        "we had 4 offices until the merger",
    ],
)
def test_count_of_the_past_is_no_count(extractor: Extractor, text: str) -> None:
    assert _counts(extractor, text) == set()


# ---- the two ends of a link beside a larger count -----------------------------------------------


def test_ends_of_a_link_beside_a_larger_count(extractor: Extractor) -> None:
    text = "9 clinics across the county, and we want a dedicated link between the two biggest clinics"
    assert _counts(extractor, text) == {9}


def test_range_after_between_is_still_a_count(extractor: Extractor) -> None:
    assert _counts(extractor, "between 5 and 7 stores depending on the season") == {7}


# ---- a labelled list of sites ------------------------------------------------------------------


def test_labelled_list_of_sites_inside_a_longer_message(extractor: Extractor) -> None:
    text = "Provider: Cox. Locations: Ogden, Logan, Layton, Provo. Issue: outages every week"
    assert _counts(extractor, text) == {4}


# ---- a move between two places -----------------------------------------------------------------


def test_moving_from_one_place_to_another_is_not_two_sites(extractor: Extractor) -> None:
    text = "relocating from a small office in Mesa to a new building in Chandler next month"
    assert 2 not in _counts(extractor, text)


# ---- kinds of sites and sizes said of them -----------------------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("we run 5 group homes in the county", 5),
        ("2 food pantries and a thrift store", 3),
        ("we rent 4 tiny offices downtown", 4),
        ("it's only one little shop", 1),
    ],
)
def test_kinds_and_sizes_of_sites(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize(
    "text, count",
    [
        ("80+ stores, a franchise network", 80),            # the franchise is the whole business
        ("we're a nonprofit clinic, warehouse + 3 outlets", 4),  # what the business is, then its sites
    ],
)
def test_the_whole_business_is_no_site(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize(
    "text, count",
    [
        ("we own 2 day spas near the lake", 2),              # "day" before the site noun
        ("we run 6 day camps every summer", 6),
    ],
)
def test_compound_site_nouns_opening_with_day(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


# ---- sites placed one by one, a town then its state ---------------------------------------------


def test_placed_site_with_state_after_a_comma_then_another(extractor: Extractor) -> None:
    text = "we have one shop in pocatello, idaho and one down the road in blackfoot"
    assert _counts(extractor, text) == {2}


# ---- towns right before a plural site noun ------------------------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("Tulsa HQ, Norman and Edmond branches, around 60 people", 3),
        ("our Reno and Elko stores both need fiber", 2),
    ],
)
def test_towns_listed_before_a_plural_site_noun(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


# ---- the customer echoes the question, then answers ---------------------------------------------


def test_count_after_an_echoed_question(extractor: Extractor) -> None:
    text = "how many sites? 3 counting the warehouse out by the highway. the office is in Casper"
    assert _counts(extractor, text) == {3}


# ---- a site to come summed in by the customer ---------------------------------------------------


def test_site_to_come_counts_when_the_customer_sums_it_in(extractor: Extractor) -> None:
    text = "we have a shop in Ogden and a shop in Provo, and we're adding a kiosk in Logan which would make 3"
    assert _counts(extractor, text) == {3}


# ---- one site, then "that's it" ----------------------------------------------------------------


def test_one_site_then_no_more(extractor: Extractor) -> None:
    assert _counts(extractor, "we've got the office in Casper and that's it") == {1}


def test_no_more_after_services_is_no_count(extractor: Extractor) -> None:
    assert _counts(extractor, "we need fiber and a phone system and that's it") == set()


# ---- one site, then "plus" sites in listed towns ------------------------------------------------


def test_single_site_plus_sites_in_listed_towns(extractor: Extractor) -> None:
    text = "we're a freight outfit: a depot in Enid OK, plus depots in Lawton, Ardmore and Ada"
    assert _counts(extractor, text) == {4}


# ---- numbers of things at sites ----------------------------------------------------------------


def test_speeds_at_sites_are_no_count(extractor: Extractor) -> None:
    assert _counts(extractor, "200 mbps at the main office, 25 at the others") == set()


# ---- a count, then what it takes in -------------------------------------------------------------


def test_count_then_counting_a_site_to_come(extractor: Extractor) -> None:
    assert _counts(extractor, "nine, counting the one we open in june") == {9}


def test_count_then_counting_people_is_no_site_count(extractor: Extractor) -> None:
    assert 30 not in _counts(extractor, "30, counting the part-time staff")


# ---- nouns of a number --------------------------------------------------------------------------


@pytest.mark.parametrize("text, count", [("a pair of clinics", 2), ("we run a trio of small cafes", 3)])
def test_noun_of_a_number_before_sites(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


# ---- sites named one by one that share a building -----------------------------------------------


def test_sites_sharing_one_building_are_one(extractor: Extractor) -> None:
    assert _counts(extractor, "a bakery + cafe, same building, downtown Boise") == {1}


def test_sites_named_one_by_one_elsewhere_stay_apart(extractor: Extractor) -> None:
    assert _counts(extractor, "the main office and a warehouse") == {2}


def test_site_to_come_beside_the_other_sites(extractor: Extractor) -> None:
    text = "we're opening our 6th salon in Ogden in may, the other 5 are around Provo"
    assert _counts(extractor, text) == {5}


# ---- a main office in one town beside a count placed in others -----------------------------------


def test_main_office_in_one_town_and_a_count_in_others(extractor: Extractor) -> None:
    text = "the main office in yakima is fine but the 3 small offices in selah, naches and tieton are on dsl"
    assert _counts(extractor, text) == {4}


def test_count_in_the_same_town_as_the_main_office_adds_nothing(extractor: Extractor) -> None:
    text = "the main office in yakima is fine, and the 3 small offices in yakima are on dsl"
    assert _counts(extractor, text) == {3}


# ---- the home town, then "with" a site elsewhere -------------------------------------------------


def test_home_town_with_a_site_in_another_town(extractor: Extractor) -> None:
    text = "we're a roofer based in Pueblo with a yard in Canon City. 25 guys in the field"
    assert _counts(extractor, text) == {2}


# ---- "have N more" after a site was named --------------------------------------------------------


def test_n_more_after_a_named_site(extractor: Extractor) -> None:
    text = "our main office is on Elm St in Wichita. we have 3 more in Derby, Andover and Hutchinson"
    assert _counts(extractor, text) == {4}


def test_n_more_still_to_come_is_no_count(extractor: Extractor) -> None:
    assert _counts(extractor, "the office is in Reno and we have 2 more in the pipeline") == set()


# ---- what looks like these constructions and is not ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "our server closet is on the 3rd floor of the office",   # an ordinal of a floor
        "we had a 4 day office closure after the storm",          # days, not sites
        "Sites: need fiber, phones and a firewall",               # a label, then no places
    ],
)
def test_lookalikes_are_no_count(extractor: Extractor, text: str) -> None:
    assert _counts(extractor, text) == set()


def test_branches_including_the_main_office_add_nothing(extractor: Extractor) -> None:
    assert _counts(extractor, "7 branches including the main office") == {7}


def test_sites_listed_after_we_are_without_a_description_all_count(extractor: Extractor) -> None:
    assert _counts(extractor, "we're a clinic, a lab and a pharmacy") == {3}


def test_count_in_a_state_and_the_main_office_in_one_of_its_towns_add_nothing(extractor: Extractor) -> None:
    assert _counts(extractor, "the main office in Boise is fine but the 4 offices in Idaho are slow") == {4}


# ---- "the other" site ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("HQ is on 5th Ave in Fargo. the other office is out in Minot", 2),
        ("our other shop has no fiber at all", 2),
    ],
)
def test_the_other_site_is_one_of_two(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


def test_the_other_sites_leave_the_count_open(extractor: Extractor) -> None:
    assert _counts(extractor, "the other offices are all on cable") == set()


# ---- the count now, after counts of the past -----------------------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("we had 12 shops before the pandemic, we're down to 7", 7),
        ("had eight branches, shut three of them, so it's five now", 5),
        ("two offices merged with a third last year so we are at three now", 3),
        ("we used to run 6 clinics, sold all but 2", 2),
        ("I'm 64 now, we used to have 4 stores and closed 1 so we're at 3 today", 3),
    ],
)
def test_the_count_now_wins_over_the_past(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


def test_an_age_now_is_no_count_now(extractor: Extractor) -> None:
    assert _counts(extractor, "we used to have 5 salons and sold all but 3, I'm 70 now") == {3}


# ---- a site of another kind a few words after the count -----------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("6 frozen yogurt stores + a commissary kitchen", 7),
        ("11 kiosks across Phoenix plus the warehouse", 12),
        ("2 dental clinics and our billing office", 3),
    ],
)
def test_a_site_of_another_kind_after_the_count_adds_one(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


def test_a_site_of_the_counted_kind_is_one_of_them(extractor: Extractor) -> None:
    assert _counts(extractor, "4 offices across Utah and the office manager wants fiber") == {4}


def test_just_the_one_is_a_count_and_a_bare_number_a_reply(extractor: Extractor) -> None:
    assert [(e.value, e.alone) for e in extractor.extract("just the one") if e.entity == NUM_LOCATIONS] == [(1, False)]
    assert [(e.value, e.alone) for e in extractor.extract("uh four i think") if e.entity == NUM_LOCATIONS] == [(4, True)]


@pytest.mark.parametrize("text, count", [("sorry, it's 7 not 8 stores", 7), ("9, not 10 branches", 9)])
def test_the_number_said_instead_of_a_count_ruled_out(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


# ---- a count broken down by place ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("three clinics in Kansas, two in Wichita and one in Salina", 3),  # the state holds the towns
        ("4 shops in Tulsa, 3 in Tulsa and 1 in Tulsa", 4),  # the place comes again
        ("2 stores in Boise, 1 in Nampa and 1 in Eagle", 4),  # another town: they add up
    ],
)
def test_a_count_broken_down_by_place_is_the_count(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize(
    "text, count",
    [
        ("we had 7 gyms and sold 2 of them in the spring", 5),
        ("used to have 4 dealerships, shut down 1", 3),
        ("we had 2 clinics and bought 3 more from a retiring doctor", 5),
    ],
)
def test_a_count_of_the_past_and_the_sites_closed_or_added_since(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


def test_things_closed_or_lost_are_no_sites(extractor: Extractor) -> None:
    assert _counts(extractor, "we had 3 offices and lost 2 big clients this year") == {3}


@pytest.mark.parametrize(
    "text, count",
    [
        ("6 branches, the branch on Main St has a PRI", 6),  # "the branch": one of the six
        ("we've got 2 salons and the salon downtown floods every spring", 2),
        ("3 yards in Tulsa and the yard in Enid", 4),  # the count placed, the one named elsewhere: one more
        ("2 gyms and the office", 3),  # another kind of site: one more
        ("12 member branches plus the main branch", 13),  # one told apart from the others: one more
    ],
)
def test_the_site_named_with_the_is_one_of_those_counted(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize("text", ["reception drops to 1 bar in the back office", "we get 2 bars of 5g on a good day",
                                  "cell signal went down to 3 bars after they built next door"])
def test_bars_of_a_signal_are_no_sites(extractor: Extractor, text: str) -> None:
    assert _counts(extractor, text) == set()


def test_bars_that_serve_drinks_are_sites(extractor: Extractor) -> None:
    assert _counts(extractor, "we run 3 bars and a brewery, the LTE backup is flaky") == {4}


@pytest.mark.parametrize(
    "text, count",
    [
        ("4 in fresno 2 in clovis", 6),  # placed counts typed one after another, no comma
        ("1 in Tacoma 1 in Olympia 1 in Lacey", 3),
        ("too clinics in town", 2),  # "too" before sites: the number it sounds like
        ("we have way too many offices", None),  # ... not before "many"
        ("cpl of warehouses", 2),  # texting shorthand of a number word
        ("3 salons n a spa", 4),  # "n" for "and"
    ],
)
def test_counts_typed_in_a_hurry(extractor: Extractor, text: str, count) -> None:  # type: ignore[no-untyped-def]
    assert _counts(extractor, text) == ({count} if count is not None else set())


# ---- towns listed as where the customer is (the guide: places listed as their own sites) -------


@pytest.mark.parametrize(
    "text, count",
    [
        ("Lehi and American Fork, UT", 2),
        ("we're in Provo and Orem, Utah", 2),
        ("Logan, Ogden and Provo", 3),
        ("hi, we are located in Tulsa and Norman. need fiber at both", 2),
        ("need new phones. We're in Tulsa and Norman", 2),
        ("lehi and american fork utah", 2),
        ("Bismarck ND and Moorhead MN. Midco at one, Lumen at the other", 2),
        ("Boise 83702 and Nampa 83651", 2),  # a ZIP after a town
        ("Tulsa 74103, Norman too", 2),
    ],
)
def test_towns_listed_alone_are_one_site_each(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize(
    "text",
    [
        "we serve Provo and Orem",  # customers' towns, not sites
        "our customers are in Provo and Orem",
        "moving the office from Provo to Orem",
        "we're in Provo",  # one place named alone: no count
        "Utah and Idaho",  # states are no sites
        "point to point between Provo and Orem",
    ],
)
def test_towns_not_listed_as_sites_are_no_count(extractor: Extractor, text: str) -> None:
    assert _counts(extractor, text) == set()


@pytest.mark.parametrize(
    "text, count",
    [
        ("the shop in Provo and the one in Orem", 2),
        ("Two. The main store and the one out past the mall.", 2),
        ("our garage downtown and the other one by the freeway", 2),
        ("the flagship store and three kiosks", 4),
        ("HQ office plus 2 branches", 3),
    ],
)
def test_the_one_after_a_site_is_one_more(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize(
    "text, count",
    [
        ("4 clinics, the one in Orem keeps dropping", 4),  # one of them
        ("2 in Provo, the one in Orem is new", 2),
    ],
)
def test_the_one_after_a_count_is_one_of_them(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize("text, count", [("actually 4", 4), ("oh wait, 4", 4), ("actually 4, two in Orem", 4)])
def test_a_count_correcting_one_said_back(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


# ---- a site of a kind the nouns do not list, beside one they do --------------------------------


@pytest.mark.parametrize(
    "text, count",
    [
        ("a lumber mill and an office in Bend", 2),
        ("the main office and the roastery", 2),
        ("4 salons plus the training academy", 5),
        ("a grain elevator and a seed store in Minot", 2),
        ("our shop in Fargo and a parts counter in Moorhead", 2),
    ],
)
def test_a_site_of_an_unlisted_kind_beside_a_listed_one(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize(
    "text, count",
    [
        ("a PRI and a fax line at the office", None),  # things at a site
        ("a cable modem and a router in Boise", None),
        ("six clinics, the busiest in Lincoln", 6),  # a word describing one of them
        ("we're a small bakery, a shop in Hood River and a kitchen in The Dalles", 2),  # the business
        ("the office and a new website", None),
        ("we rent space in a strip mall and a unit in a business park", None),  # where, not which sites
    ],
)
def test_no_site_of_an_unlisted_kind(extractor: Extractor, text: str, count: Any) -> None:
    assert _counts(extractor, text) == ({count} if count else set())


@pytest.mark.parametrize(
    "text, count",
    [
        ("we haul out of Pocatello and Idaho Falls with 30 trucks", 2),
        ("a CPA firm located in Logan and Ogden", 2),
        ("an insurance agency based in Lehi and Sandy, 12 people", 2),
    ],
)
def test_towns_after_where_the_business_is_based(extractor: Extractor, text: str, count: int) -> None:
    assert _counts(extractor, text) == {count}


@pytest.mark.parametrize("text", ["we moved out of Logan and Ogden last year", "we deliver to Logan and Ogden"])
def test_towns_left_or_served_are_no_sites(extractor: Extractor, text: str) -> None:
    assert _counts(extractor, text) == set()


@pytest.mark.parametrize("text, sites", [
    ("we run fourty stores", [40]),  # a misspelt number word is read as it is, not "mended" to "fourth"
    ("a couple three warehouses", [3]),  # two or three: a range, at its top (the guide)
    ("we've got a couple of shops", [2]),
])
def test_number_words_as_customers_type_them(union: Any, text: str, sites: list[Any]) -> None:
    assert [e.value for e in union.extract(text) if e.entity == "num_locations"] == sites


@pytest.mark.parametrize("text, sites", [
    ("Logan UT + Ogden UT, that's where our gyms are", [2]),  # the towns, then where the sites are
    ("Boise and Nampa, that's where we're hoping to open stores", []),  # planned, not sites
])
def test_towns_then_where_the_sites_are(union: Any, text: str, sites: list[Any]) -> None:
    assert [e.value for e in union.extract(text) if e.entity == "num_locations"] == sites
