"""A customer talks to the real servers over REST; the slots are read through the token-protected API."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from bot.runtime.launcher import Stack
from tests.e2e.conftest import RestClient, texts

CANONICAL = "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high"


def test_greeting_says_it_is_a_virtual_assistant(customer: RestClient) -> None:
    reply = texts(customer.say("hi"))
    assert "virtual assistant" in reply.lower()


def test_canonical_message_fills_five_slots_in_one_turn(customer: RestClient) -> None:
    customer.say("hi")
    customer.say(CANONICAL)
    slots = customer.slots()
    assert slots["states"] == ["OR", "WA"]
    assert slots["city"] == "Portland"
    assert slots["num_locations"] == 3.0
    assert sorted(slots["services"]) == ["pri", "sip"]
    assert slots["challenges"] == ["high_cost"]


def test_full_qualification_ends_with_a_recommendation(customer: RestClient) -> None:
    customer.say(CANONICAL)
    customer.say("about 40 employees")
    carrier_replies = customer.say("we're with CenturyLink")
    assert any("CenturyLink is part of Lumen today." in (r.get("text") or "") for r in carrier_replies)
    replies = customer.say("the contract ends in March 2027")
    slots = customer.slots()
    assert slots["employees"] == 40.0
    assert slots["current_carrier"] == "Lumen"
    assert slots["contract_end"] == "2027-03"
    rec = slots["recommendation"]
    assert rec is not None
    assert {"R1", "P1"} <= set(rec["guidelines"])
    assert rec["carriers"], rec
    for carrier in rec["carriers"]:
        assert set(carrier["states"]) <= {"OR", "WA"}
        assert set(carrier["services"]) <= {"pri", "sip"}
    buttons = [b["title"] for r in replies for b in r.get("buttons") or []]
    assert "Talk to an agent" in buttons


@pytest.mark.parametrize(
    "message, slot, expected",
    [
        ("we are in Oregon", "states", ["OR"]),
        ("our HQ is in Portland, Ore.", "states", ["OR"]),
        ("zip is 97201", "states", ["OR"]),
        ("we need phone lines for the alarm", "services", ["pots"]),
        ("we want dedicated fiber internet", "services", ["dia"]),
        ("our carrier never calls back", "challenges", ["poor_support"]),
    ],
)
def test_customer_words_become_canonical_values(
    customer: RestClient, message: str, slot: str, expected: list[str]
) -> None:
    customer.say(message)
    assert customer.slots()[slot] == expected


def test_corrections_replace_what_was_said(customer: RestClient) -> None:
    customer.say("we have 3 offices in Portland and Seattle")
    replies = customer.say("actually it's 4 offices")
    assert customer.slots()["num_locations"] == 4.0
    assert any(r.get("text") == "Got it, I've updated that: 4 sites." for r in replies), replies
    customer.say("no, Tacoma not Seattle")
    slots = customer.slots()
    assert slots["states"] == ["OR", "WA"]
    assert slots["city"] == "Portland"  # a branch was corrected, not the main office
    replies = customer.say("sorry, the HQ is in Tacoma, not Portland")
    assert customer.slots()["city"] == "Tacoma"
    assert customer.slots()["states"] == ["OR", "WA"]  # the Portland site is still there
    assert any(r.get("text") == "Got it, I've updated that: main office in Tacoma." for r in replies), replies


def test_unknown_zip_is_re_asked_and_nothing_is_lost(customer: RestClient) -> None:
    customer.say("we need SIP trunks")
    reply = texts(customer.say("00000"))
    assert "00000" in reply
    slots = customer.slots()
    assert slots["services"] == ["sip"]
    assert slots["zip_code"] is None
    assert slots["states"] is None


def test_zero_sites_is_re_asked(customer: RestClient) -> None:
    customer.say("we have offices in Ohio and need PRIs")
    reply = texts(customer.say("0"))
    assert "at least 1" in reply
    assert customer.slots()["num_locations"] is None


def test_digression_answers_then_returns_to_the_question(customer: RestClient) -> None:
    customer.say("we have 2 offices in Denver")
    reply = texts(customer.say("what is a CLEC?"))
    assert "competitive local exchange carrier" in reply.lower()
    assert "services" in reply.lower()  # the form asks its next question again


@pytest.mark.parametrize(
    "payload",
    ["", "🙂🙂🙂", "<script>alert(1)</script>", "'; DROP TABLE leads; --", "x" * 5000],
)
def test_odd_input_gets_an_answer(customer: RestClient, payload: str) -> None:
    replies = customer.say(payload)
    assert isinstance(replies, list)
    assert customer.tracker()["latest_message"] is not None


def test_malformed_json_is_a_clear_http_error(stack) -> None:  # type: ignore[no-untyped-def]
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=b'{"sender": "x", "message": ',
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert 400 <= error.value.code < 500


def test_tracker_needs_the_token(stack) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{stack.rasa_url}/conversations/someone/tracker", timeout=30)
    assert error.value.code == 401


def test_restart_forgets_the_conversation(customer: RestClient) -> None:
    customer.say("we have 2 offices in Boston")
    reply = texts(customer.say("/restart"))
    assert "not following" not in reply and "agent" not in reply  # a fresh start, not a handoff
    slots = customer.slots()
    assert slots["states"] is None and slots["handoff_reason"] is None


def test_health_of_web_app(stack) -> None:  # type: ignore[no-untyped-def]
    with urllib.request.urlopen(f"{stack.web_url}/health", timeout=10) as response:
        assert json.loads(response.read())["status"] == "ok"


GUIDANCE_EXAMPLES = [
    # one state, a few sites, high cost, T1s/PRIs: a CLEC pilot beside the incumbent
    # (one problem told in the first message: "Besides the cost, ...?" comes next, told_problems.py)
    (["3 offices in Dallas Texas, we need T1s and PRIs, our bill is too high", "no", "25 employees",
      "AT&T", "June 2027"], {"states": ["TX"]}, {"pilot", "primary"}, {"S1", "S2", "R2", "M1"}, None),  # issue 13: no R4 (both services critical)
    # many states, MPLS, enterprise head count: national primary, CLEC redundancy, a person
    (["we have 40 sites in Texas, California, New York and Illinois and need MPLS and SD-WAN, managing all the sites is a nightmare",
      "no", "2000 employees", "AT&T", "skip"], {}, {"primary", "redundancy"}, {"L2", "L3", "L5", "R3", "M1"}, "enterprise"),
    # issue 13: North Dakota is no "no coverage" state: Midco competes in Fargo
    (["one office in Fargo North Dakota, need PRIs, bill too high", "no", "12 people", "skip", "skip"],
     {"states": ["ND"]}, {"primary", "pilot"}, {"S1", "R2"}, None),
]


@pytest.mark.parametrize("messages, slots, roles, guidelines, handoff", GUIDANCE_EXAMPLES)
def test_guidance_examples_over_rest(
    customer: RestClient, messages: list[str], slots: dict, roles: set, guidelines: set, handoff: str | None
) -> None:
    from bot.domain.catalog import load_default_catalog
    from bot.domain.guidance import recommend
    from bot.domain.profile import CustomerProfile

    for message in messages:
        customer.say(message)
    state = customer.slots()
    for name, value in slots.items():
        assert state[name] == value
    rec = state["recommendation"]
    assert rec is not None, state
    # the conversation's plan is exactly what the engine says for the facts it collected
    assert rec == recommend(CustomerProfile.from_slots(state), load_default_catalog()).to_dict()
    assert roles <= {c["role"] for c in rec["carriers"]}
    assert guidelines | {"R1"} <= set(rec["guidelines"])
    assert rec["handoff_reason"] == handoff
    if handoff:
        assert state["handoff_reason"] == handoff


def test_internet_is_clarified_with_buttons_and_a_tap_answers_it(customer: RestClient) -> None:
    customer.say("hi")
    customer.say("3 offices in Boise")
    replies = customer.say("internet")
    texts = [r.get("text") or "" for r in replies]
    assert any("dedicated internet or business broadband" in t for t in texts), texts
    assert not any(t.startswith("Which services do you need?") for t in texts), texts
    buttons = [b for r in replies for b in r.get("buttons") or []]
    broadband = next(b for b in buttons if b["title"] == "Business broadband")
    customer.say(broadband["payload"])
    assert customer.slots()["services"] == ["broadband"]


def test_a_plain_answer_skips_the_classifier_and_a_question_does_not(customer: RestClient) -> None:
    # bot/rasa_adapters/server/answer_first.py: the answer to the question just asked is
    # labelled by the answer parser; entities still fill what else the customer said.
    customer.say("we need SIP trunks")
    assert customer.slots()["requested_slot"] == "states"
    customer.say("Ohio")
    customer.say("2")  # the number of sites
    customer.say("what is a CLEC?")
    user_events = [e for e in customer.tracker()["events"] if e["event"] == "user"]
    by_text = {e["text"]: e["parse_data"] for e in user_events}
    for answer in ("Ohio", "2"):
        assert by_text[answer].get("answered_by") == "answer_parser", by_text[answer]
        assert by_text[answer]["intent"]["name"] == "inform"
    assert by_text["Ohio"]["entities"] and by_text["Ohio"]["entities"][0]["value"] == "OH"
    question = by_text["what is a CLEC?"]
    assert "answered_by" not in question and question["intent"]["name"] == "faq"
    slots = customer.slots()
    assert slots["states"] == ["OH"] and slots["num_locations"] == 2.0


def test_the_server_froze_its_start_up_objects(stack: Stack, customer: RestClient) -> None:
    # bot/rasa_adapters/server/gc_freeze.py runs after start-up; the server says how many.
    customer.say("hi")
    log = stack.logs["rasa"].read_text(errors="replace")
    assert re.search(r"gc: [1-9]\d{5,} objects frozen after start-up", log), log[-2000:]
