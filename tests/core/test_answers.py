"""Free-text answers to the question just asked."""

from __future__ import annotations

from datetime import date

import pytest

from bot.conversation.answer_parsing import parse_answer
from bot.domain.catalog import load_default_catalog

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_default_catalog()


@pytest.mark.parametrize(
    "slot, text, value",
    [
        ("num_locations", "4", 4.0),
        ("num_locations", "four", 4.0),
        ("num_locations", "a dozen", 12.0),
        ("employees", "about 40", 40.0),
        ("states", "Oregon and WA", ["OR", "WA"]),
        ("states", "OK", ["OK"]),  # the states question: "OK" is Oklahoma there
        ("states", "hi", ["HI"]),
        ("states", "97201", ["OR"]),
        ("services", "PRIs", ["pri"]),
        ("challenges", "our bill is too high", ["high_cost"]),
        ("current_carrier", "CenturyLink", "Lumen"),
        ("current_carrier", "tw telecom", "Lumen"),
        ("contract_end", "March 2027", "2027-03"),
        ("email", "Jane.Doe@Example.com", "Jane.Doe@example.com"),
        ("phone", "(503) 555-0123", "+15035550123"),
        ("contact_name", "my name is Jane Doe", "Jane Doe"),
        ("contact_name", "Jane Doe", "Jane Doe"),
        ("company_name", "Acme Dental", "Acme Dental"),
        ("company_name", "oh, it's Pine Hollow Vet Clinic", "Pine Hollow Vet Clinic"),
        ("company_name", "Well Spring Bakery", "Well Spring Bakery"),  # a filler word only before a lead-in
        ("contact_name", "sorry, this is Marcus Reyes", "Marcus Reyes"),
        ("company_name", "3M", "3M"),
        ("callback_time", "tomorrow after 2pm", "tomorrow after 2pm"),
    ],
)
def test_answers_become_canonical(catalog, slot: str, text: str, value: object) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer(slot, text, "inform", catalog, TODAY)
    assert answer.value == value, answer


@pytest.mark.parametrize(
    "slot, text, problem",
    [
        ("num_locations", "0", "not_positive"),
        ("num_locations", "-3", "not_positive"),
        ("num_locations", "lots", "not_a_number"),
        ("employees", "0", "employees_not_positive"),
        ("states", "Narnia", "unknown_state"),
        ("email", "jane at acme", "bad_email"),
        ("phone", "12345", "bad_phone"),
        ("contract_end", "whenever", "bad_contract_end"),
        ("services", "something fast", "unknown_service"),
        ("contact_name", "jane@acme.com", "required"),
        ("contact_name", "1", "required"),  # a name has letters
        ("company_name", "2", "required"),
        ("states", "", "empty"),
    ],
)
def test_bad_answers_get_a_problem_not_a_value(catalog, slot: str, text: str, problem: str) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer(slot, text, "inform", catalog, TODAY)
    assert answer.value is None
    assert answer.problem == problem


@pytest.mark.parametrize("text", ["skip", "not sure", "I don't know", "n/a", "rather not say"])
def test_skip_words(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    assert parse_answer("employees", text, "inform", catalog, TODAY).skipped


def test_skip_intent(catalog) -> None:  # type: ignore[no-untyped-def]
    assert parse_answer("contract_end", "hmm", "skip", catalog, TODAY).skipped


@pytest.mark.parametrize(
    "slot, text, intent, value",
    [
        ("employees", "idk like 25 ppl", "skip", 25.0),
        ("employees", "not sure, maybe 40", "inform", 40.0),
        ("num_locations", "no, 4 offices", "deny", 4.0),
        ("contract_end", "not sure, March 2027 I think", "skip", "2027-03"),
    ],
)
def test_a_hedge_with_an_answer_in_it_is_the_answer(catalog, slot: str, text: str, intent: str,  # type: ignore[no-untyped-def]
                                                    value: object) -> None:
    answer = parse_answer(slot, text, intent, catalog, TODAY)
    assert not answer.skipped and answer.value == value


@pytest.mark.parametrize("slot, text", [("contact_name", "idk"), ("company_name", "rather not say"),
                                        ("employees", "no idea"), ("current_carrier", "not sure")])
def test_a_bare_hedge_is_still_a_skip(catalog, slot: str, text: str) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer(slot, text, "skip", catalog, TODAY)
    assert answer.skipped and answer.value is None


def test_unknown_carrier_moves_on_with_a_note(catalog) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer("current_carrier", "Bob's Telephone Shack", "inform", catalog, TODAY)
    assert answer.skipped and answer.problem == "unknown_carrier"


@pytest.mark.parametrize("text, name", [
    ("hey, I'm Priya", "Priya"),  # the name after its lead-in
    ("folks call me Bo", "Bo"),
    ("Priya here", "Priya here"),
    ("Luis from the front desk", "Luis from the front desk"),
    ("Ana and Tom", "Ana and Tom"),
    ("Marta Ruiz, I run the front office", "Marta Ruiz"),  # the name, then words about them
])
def test_a_name_in_a_sentence_is_the_name(catalog, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    assert parse_answer("contact_name", text, "inform", catalog, TODAY).value == name


@pytest.mark.parametrize("text", ["yes please send it to me", "we'd like it today", "you have it already", "me"])
def test_a_sentence_about_something_else_is_no_name(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer("contact_name", text, "inform", catalog, TODAY)
    assert answer.value is None and answer.problem == "not_a_name"
    # a company's name may hold such words ("Out of the Box", "We Fix It LLC")
    assert parse_answer("company_name", "We Fix It LLC", "inform", catalog, TODAY).value == "We Fix It LLC"


def test_a_button_payload_is_no_unknown_carrier(catalog) -> None:  # type: ignore[no-untyped-def]
    # "Email me the plan" pressed on an earlier turn while the carrier is asked: the button's
    # intent acts, its payload is not a carrier to note for the agent
    assert not parse_answer("current_carrier", "/email_plan", "email_plan", catalog, TODAY).answers(skippable=True)
    assert parse_answer("current_carrier", "Bob's Telephone Shack", "inform", catalog, TODAY).answers(skippable=True)


@pytest.mark.parametrize("slot", ["callback_time", "company_name", "contact_name", "num_locations", "current_carrier"])
@pytest.mark.parametrize("payload", ["/email_plan", '/inform{"num_locations": 3}'])
def test_a_button_payload_is_no_text_answer_to_any_question(catalog, slot: str, payload: str) -> None:  # type: ignore[no-untyped-def]
    # A payload's entities fill their slots by the domain's mappings; as text it would have
    # been a call time "/email_plan" or a company named after a JSON object.
    answer = parse_answer(slot, payload, "inform", catalog, TODAY)
    assert answer.value is None and not answer.answers(skippable=True)


# A reply to "who is your carrier?" that wraps the name in other words (our own wording).
@pytest.mark.parametrize("text, value", [
    ("frontier, I'm fairly sure", "Frontier"),  # an everyday word is the carrier when asked
    ("honestly i think it's spectrum", "Spectrum Enterprise"),
    ("we're on windstream for now", "Windstream"),
    ("cox. been with them forever", "Cox Business"),
    ("comcast and comcast business", "Comcast Business"),  # one carrier named twice
    ("we don't have cox anymore, it's verizon now", "Verizon"),  # the negated one is ruled out
    ("verizon, not at&t", "Verizon"),
    ("not sure, maybe lumen", "Lumen"),  # the hedge's negation ends with its clause
])
def test_a_carrier_named_inside_the_reply_is_the_answer(catalog, text: str, value: str) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer("current_carrier", text, "inform", catalog, TODAY)
    assert answer.value == value and not answer.skipped


@pytest.mark.parametrize("text", [
    "we left frontier last year for comcast",  # two carriers: no single answer
    "at&t for phones and cox for internet",
    "not frontier anymore",  # the only one named is ruled out
    "we never used spectrum",
    "do you work with cox?",  # a question about a carrier, not theirs
    "some local outfit, hugs xo",  # a two-letter alias in lowercase is no carrier
    "our cousin's company",
])
def test_no_single_carrier_named_moves_on_with_the_words(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer("current_carrier", text, "inform", catalog, TODAY)
    assert answer.value is None and answer.skipped and answer.problem == "unknown_carrier" and answer.shown == text


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "'; DROP TABLE leads; --", "🙂" * 3000, "x" * 100_000])
def test_hostile_text_never_raises(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    for slot in ("states", "num_locations", "employees", "services", "challenges", "current_carrier",
                 "contract_end", "email", "phone", "contact_name", "company_name", "callback_time"):
        answer = parse_answer(slot, text, "inform", catalog, TODAY)
        if slot in ("num_locations", "employees"):
            assert answer.value is None or answer.value >= 1  # "alert(1)" does contain a number
        elif slot == "callback_time":
            assert answer.value == text.strip()[:100]
        else:
            assert answer.value is None, (slot, answer)


@pytest.mark.parametrize("slot, text, expected", [
    # numbers of other things are left out of a count: days, people asked for sites, sites asked for people
    ("employees", "the bill is brutal and last winter we were down for 3 days", None),
    ("employees", "we lost internet for 2 days, we're about 45 people", 45.0),
    ("employees", "4 offices", None),
    ("num_locations", "down for 3 days last month", None),
    ("num_locations", "3 offices, 40 people", 3.0),
])
def test_a_count_leaves_out_the_numbers_of_other_things(slot: str, text: str, expected: object) -> None:
    from bot.domain.catalog import load_default_catalog

    assert parse_answer(slot, text, "inform", load_default_catalog()).value == expected


@pytest.mark.parametrize("slot, text", [
    ("employees", "the line cuts out a couple times a day"),   # how often, not how many people
    ("num_locations", "it's gone down three times since monday"),
])
def test_how_often_is_no_count(catalog, slot: str, text: str) -> None:  # type: ignore[no-untyped-def]
    assert parse_answer(slot, text, "inform", catalog, TODAY).value is None


def test_a_head_count_beside_how_often(catalog) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer("employees", "maybe 60, and it drops 4 times a week", "inform", catalog, TODAY)
    assert answer.value == 60


@pytest.mark.parametrize(
    "text, count",
    [
        # a count of the past is not the answer; the count now is, or the past less what closed
        ("it used to be four, now it's three", 3.0),
        ("we had 5 clinics before the merger, now just the one", 1.0),
        ("used to have 7 stores but we closed 3 of them", 4.0),
        ("we had 6 offices till 2021, sold 2", 4.0),
        ("we've had 3 offices for years", 3.0),  # "have had": now
        ("had 2 and still have 2", 2.0),  # no time before, no "now" or closing after: the count
        ("used to have 9", None),  # only the past: asked again
        ("we had 4, closed 4", None),  # nothing left is no count of sites to serve
        # read as the extractor reads a past count and its changes, the site noun unsaid
        ("had three and bought one more last spring", 4.0),
        ("we had 8, shut down 2 over the summer", 6.0),
        ("had 5, sold 2, and we're at 3 now", 3.0),  # the count now said wins over the sum
    ],
)
def test_a_count_of_the_past_is_not_the_count_of_sites(catalog, text: str, count) -> None:  # type: ignore[no-untyped-def]
    assert parse_answer("num_locations", text, "inform", catalog, today=TODAY).value == count


@pytest.mark.parametrize("text, value, problem", [
    ("july-ish", "2027-07", None),
    ("october ish", "2027-10", None),
    ("not until 2029", None, "contract_end_year_only"),  # a year is no month: asked with the year
    ("2028 probably", None, "contract_end_year_only"),
    ("the paperwork is in a drawer somewhere", None, "bad_contract_end"),
])
def test_contract_end_said_loosely(catalog, text: str, value, problem) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer("contract_end", text, "inform", catalog, today=date(2026, 12, 7))
    assert (answer.value, answer.problem) == (value, problem)


@pytest.mark.parametrize("text, states", [
    ("the kc area", ["MO"]),  # a short name of bot/data/city_aliases.yml, two letters long
    ("sf and la", ["CA", "LA"]),  # "la" is Louisiana's code first, as before
    ("phx metro", ["AZ"]),
    ("xq", None),
])
def test_a_city_s_short_name_answers_the_states_question(catalog, text: str, states) -> None:  # type: ignore[no-untyped-def]
    assert parse_answer("states", text, "inform", catalog, today=TODAY).value == states


@pytest.mark.parametrize("slot, text, value, skipped", [
    # "I don't know" said other ways is a skip of an optional question
    ("contract_end", "can't remember", None, True),
    ("contract_end", "I'd have to check", None, True),
    ("current_carrier", "let me look and get back to you", None, True),
    ("employees", "next", None, True),
    # no contract is free now, not a skip
    ("contract_end", "we don't have a contract", "2026-12", False),
    ("contract_end", "no contract", "2026-12", False),
    # a name that opens with a skip word is a name
    ("company_name", "Next Level Dental", "Next Level Dental", False),
    ("company_name", "Pass Creek Farms", "Pass Creek Farms", False),
    ("company_name", "no thanks", None, True),
])
def test_skips_said_other_ways_and_names_that_only_look_like_one(catalog, slot: str, text: str, value, skipped: bool) -> None:  # type: ignore[no-untyped-def]
    answer = parse_answer(slot, text, "inform", catalog, today=date(2026, 12, 7))
    assert (answer.value, answer.said_skip) == (value, skipped)


@pytest.mark.parametrize("slot, text, value", [
    ("num_locations", "9 guys and me", None),  # people, not sites
    ("employees", "9 guys", 9.0),
    ("employees", "not until 2029", None),  # a year is no head count
    ("employees", "since 2015, about 35 people", 35.0),
])
def test_people_and_years_are_no_count_of_sites_nor_head_count(catalog, slot: str, text: str, value) -> None:  # type: ignore[no-untyped-def]
    assert parse_answer(slot, text, "inform", catalog, today=TODAY).value == value


@pytest.mark.parametrize("slot, text, value", [
    # the number that names what was asked wins over a number of something we have no word for
    ("num_locations", "we had 2 outages last week, 3 offices", 3.0),
    ("num_locations", "got hit 4 times this month. anyway 2 stores", 2.0),
    ("num_locations", "3 offices, no wait 4", 4.0),  # what follows it still counts
    ("num_locations", "2 or 3 shops", 3.0),
    ("employees", "3 trucks out back and 12 people", 12.0),
    ("employees", "we run 2 shifts, about 30 people total", 30.0),
])
def test_the_number_that_names_what_was_asked_is_the_answer(catalog, slot: str, text: str, value) -> None:  # type: ignore[no-untyped-def]
    assert parse_answer(slot, text, "inform", catalog, today=TODAY).value == value


def test_the_customers_own_phone_system_is_no_hosted_one_as_the_services_answer(catalog) -> None:  # type: ignore[no-untyped-def]
    kept = "we keep our existing phone system, just want the calls over SIP"
    assert parse_answer("services", kept, "inform", catalog, today=TODAY).value != ["ucaas"]
    assert parse_answer("services", "a new phone system", "inform", catalog, today=TODAY).value == ["ucaas"]
