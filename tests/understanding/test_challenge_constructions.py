"""Challenges read by construction, not by one phrase: each test names a class of wording the
extractor reads (or keeps out) and checks it on sentences of our own, in words no development
set uses. Every case names the codes that must be there and, where a wrong reading is likely,
the codes that must not."""

from __future__ import annotations

from typing import Any

import pytest

from bot.understanding.extraction import CHALLENGE, UNION, build_extractor


@pytest.fixture(scope="module")
def extractor() -> Any:
    built = build_extractor(UNION)
    built.warm_up()
    return built


def _challenges(extractor: Any, text: str) -> set[str]:
    return {e.value for e in extractor.extract(text) if e.entity == CHALLENGE and not e.negated}


def _check(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    found = _challenges(extractor, text)
    assert present <= found, f"{text!r}: missing {present - found}, read {found}"
    assert not absent & found, f"{text!r}: wrongly read {absent & found}"


# ---- words of one kind with their siblings ---------------------------------------------------


@pytest.mark.parametrize(
    "text, present, absent",
    [
        # the carrier cutting calls short, passing them on, stalling, missing visits, holding
        ("the rep hangs up on me every time I ask about the credit", {"poor_support"}, set()),
        ("I always get transferred around between departments", {"poor_support"}, set()),
        ("they keep dragging their feet on the number port", {"poor_support"}, set()),
        ("their field tech was a no-show on tuesday", {"poor_support"}, set()),
        ("half my morning is spent sitting on hold", {"poor_support"}, set()),
    ],
)
def test_support_failures_named_by_what_the_carrier_does(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("our voice lines crackle constantly", {"reliability"}, set()),
        ("the guest network hiccups all afternoon", {"reliability"}, set()),
        ("the point of sale keeps crashing on us", {"reliability"}, set()),
        ("every thunderstorm the whole shop goes dark", {"reliability"}, set()),
        ("honestly the internet is down a lot", {"reliability"}, set()),
        ("the carrier keeps missing their sla on the circuit", {"reliability"}, set()),
    ],
)
def test_outages_named_by_crackle_hiccup_crash_and_darkness(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("training videos keep buffering in the break room", {"bandwidth"}, {"reliability"}),
        ("the connection isn't fast enough for our designers", {"bandwidth"}, set()),
        ("the dsl can't keep up with the security cameras", {"bandwidth"}, set()),
        ("by noon our leased line is maxed", {"bandwidth"}, set()),
    ],
)
def test_slowness_named_by_buffering_and_lines_that_cannot_keep_up(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("out here they charge whatever they want", {"high_cost"}, set()),
        ("the phone side alone costs us a fortune", {"high_cost"}, set()),
        ("what they bill for two lines is highway robbery", {"high_cost"}, set()),
        ("the monthly price needs to come down", {"high_cost"}, set()),
        ("we're after the cheapest option that works", {"high_cost"}, set()),
        ("the price went up again this spring", {"high_cost"}, set()),
    ],
)
def test_cost_named_by_prices_set_at_will_and_prices_going_up(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("the service agreement renews automatically", {"contract_inflexibility"}, set()),
        ("they won't add bandwidth unless we re-sign", {"contract_inflexibility"}, set()),
        ("we're stuck in contracts with nearly every provider", {"contract_inflexibility"}, set()),
    ],
)
def test_contract_named_by_renewal_without_asking_and_a_new_term(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


# ---- constructions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("we're paying for 400 meg and speed tests show 60", {"bandwidth"}, {"high_cost"}),
        ("the plan says a gig but we see maybe 150", set(), {"high_cost"}),
        ("they sold us 1 gig and we get about 300", {"bandwidth"}, {"high_cost"}),
        ("we pay for 2 lines and get 1 bill", set(), {"bandwidth"}),
    ],
)
def test_a_speed_paid_for_and_a_lower_one_had_is_bandwidth(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("the carrier requires a three-year agreement to add fiber", {"contract_inflexibility"}, set()),
        ("they made us sign a 36-month term for one extra circuit", {"contract_inflexibility"}, set()),
        ("we signed a 3 year deal last spring", set(), {"contract_inflexibility"}),
        ("we'd like a 2 year contract", set(), {"contract_inflexibility"}),
    ],
)
def test_a_long_term_demanded_by_the_carrier_is_contract_inflexibility(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("adding a branch takes 60 days with them", {"slow_install"}, {"relocation"}),
        ("we waited 12 weeks for the fiber drop", {"slow_install"}, set()),
        ("it took them 4 months to light the circuit", {"slow_install"}, set()),
        ("opening a new store takes them months", {"slow_install"}, {"relocation"}),
        ("we're opening a new store in june", {"relocation"}, {"slow_install"}),
    ],
)
def test_the_wait_for_a_new_line_is_slow_install(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("the carrier takes weeks to send a tech", {"poor_support"}, {"slow_install"}),
        ("it took them 10 days to fix our phones", {"poor_support"}, {"slow_install"}),
    ],
)
def test_a_carrier_slow_to_act_is_poor_support(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("we're stuck with them until next fall", {"contract_inflexibility"}, set()),
        ("locked in for 2 more years with the cable company", {"contract_inflexibility"}, set()),
    ],
)
def test_held_by_a_term_until_a_date_is_contract_inflexibility(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("at renewal they asked for 25% more", {"high_cost"}, set()),
        ("our invoice jumped from 450 to 720", {"high_cost"}, set()),
        ("we grew from 20 to 45 people", set(), {"high_cost"}),
    ],
)
def test_a_price_that_rises_is_high_cost(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("we have failover already, so the main issue is cost", {"high_cost"}, {"need_redundancy"}),
        ("our biggest challenges today are support and uptime", {"poor_support", "reliability"}, set()),
        ("my biggest concern is the monthly pricing", {"high_cost"}, set()),
        ("the thing is, we're growing", set(), {"high_cost", "poor_support"}),
    ],
)
def test_topic_words_said_to_be_the_problem_name_their_codes(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("we pay $480 a month for two phone lines which feels insane", {"high_cost"}, set()),
        ("the t1 is 700 a month alone", {"high_cost"}, set()),
        ("they quoted 5 grand a month, brutal", {"high_cost"}, set()),
        ("we pay $300 a month and it's fine", set(), {"high_cost"}),
    ],
)
def test_a_sum_judged_too_high_is_high_cost(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("we run four separate phone systems", {"multi_site_management"}, set()),
        ("we deal with three different internet companies", {"multi_site_management"}, set()),
        ("with all these accounts I lose track of what each shop pays", {"multi_site_management"}, set()),
        ("we'd like a single provider to handle all our shops", {"multi_site_management"}, {"vendor_dependence"}),
        ("we're stuck with a single provider", {"vendor_dependence"}, set()),
    ],
)
def test_many_systems_or_one_vendor_wished_for_is_multi_site_management(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


# ---- what is not the challenge it looks like -----------------------------------------------


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("the nightly server backups never finish before morning", set(), {"need_redundancy"}),
        ("we want an lte backup at each store", {"need_redundancy"}, set()),
    ],
)
def test_copies_of_data_are_not_a_backup_line(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("we already run a cellular backup, so that part's handled", set(), {"need_redundancy"}),
        ("our fiber has a cable line as the backup", set(), {"need_redundancy"}),
        ("we have no backup at all", {"need_redundancy"}, set()),
        ("we need a backup line for the clinic", {"need_redundancy"}, set()),
    ],
)
def test_a_backup_already_had_is_no_need_for_one(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("if the internet ever dies our registers stop, so we'd like failover at every store", {"need_redundancy"}, {"reliability"}),
        ("the owner is nervous about the line going down and wants a second one", {"need_redundancy"}, {"reliability"}),
        ("the line keeps going down every week", {"reliability"}, set()),
        ("if we drop the extra lines will the price come down", set(), {"need_redundancy"}),
    ],
)
def test_an_outage_feared_is_a_need_for_a_backup_not_outages(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("we want to be sure we're not overpaying", set(), {"high_cost"}),
        ("we aren't locked in, just want a lower price", {"high_cost"}, {"contract_inflexibility"}),
        ("we'd add a second carrier so we aren't at the mercy of one", {"vendor_dependence"}, set()),
        ("all I need is a connection that doesn't cut out", {"reliability"}, set()),
    ],
)
def test_a_challenge_phrase_right_after_a_negation_is_denied(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("the wifi at my house is slow, any advice", set(), {"bandwidth"}),
        ("our office line is slower than my home internet", {"bandwidth"}, set()),
    ],
)
def test_a_line_at_home_is_not_the_business_line(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("the invoice makes me wince every month", {"high_cost"}, {"multi_site_management"}),
        ("I spend hours reconciling invoices from five carriers", {"multi_site_management"}, {"high_cost"}),
        ("each time the connection blinks we lose sales", set(), {"high_cost"}),
        ("nobody else sells fiber in our park", {"vendor_dependence"}, {"poor_support"}),
        ("we're far too dependent on Comcast", {"vendor_dependence"}, set()),
        ("we depend on the internet for everything", set(), {"vendor_dependence"}),
        ("we're thinking of moving our phones to a hosted system", set(), {"relocation"}),
        ("we're moving the office to a new building in march", {"relocation"}, set()),
    ],
)
def test_the_classifier_reading_explained_away_by_other_words(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


@pytest.mark.parametrize(
    "text, present, absent",
    [
        # each problem in a clause of its own: the whole sentence dilutes each code, the clause
        # reads it clearly (extraction.CLAUSE_THRESHOLDS)
        ("our phone bills are ridiculous and when the internet dies nobody at the cable company calls us back",
         {"high_cost", "reliability", "poor_support"}, set()),
        ("the monthly charges are absurd and whenever the connection drops we wait days for a tech",
         {"high_cost", "reliability", "poor_support"}, set()),
        ("the statements are nuts and the phones cut out when it snows", {"high_cost", "reliability"}, set()),
        # a clause that negates names what is not the problem
        ("it's not the price, it's that the reps never call back", {"poor_support"}, {"high_cost"}),
        ("we're not moving anytime soon, the calls just keep cutting out", {"reliability"}, {"relocation"}),
    ],
)
def test_several_problems_in_one_sentence_are_each_read(extractor: Any, text: str, present: set[str], absent: set[str]) -> None:
    _check(extractor, text, present, absent)


# ---- a pick among the options offered is no problem ("do you mean A or B?" -> "the cheaper one")


@pytest.mark.parametrize("text", ["the cheaper one", "the faster option please", "I'd go with the cheaper one",
                                  "the less expensive one I guess"])
def test_a_pick_among_options_names_no_problem(extractor: Any, text: str) -> None:
    assert _challenges(extractor, text) == set()


@pytest.mark.parametrize("text, code", [("cheaper", "high_cost"), ("we pay too much, want the cheaper one", "high_cost"),
                                        ("it drops out, that's the one thing", "reliability")])
def test_a_problem_beside_or_without_a_pick_is_still_read(extractor: Any, text: str, code: str) -> None:
    assert code in _challenges(extractor, text)
