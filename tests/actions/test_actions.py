"""The actions as the action server runs them: slots in, events and messages out."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.change_answer import ActionChangeAnswer
from actions.forms import ValidateContactForm, ValidateNeedsForm
from actions.handoff import ActionDefaultFallback, ActionHandoff, ActionSubmitLead
from actions.questions import ASK_ACTIONS, ActionDefaultAskAffirmation, ActionOutOfScope
from actions.recommendation import ActionExplain, ActionRecommend
from actions.slot_extraction import ActionValidateSlotMappings
from bot.conversation.wording import default_copy
from tests.actions.conftest import AFTER_HOURS, slot_events, texts, tracker

CANONICAL = "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high"
ENTITIES = [
    {"entity": "num_locations", "value": 3}, {"entity": "city", "value": "Portland"},
    {"entity": "us_state", "value": "OR"}, {"entity": "city", "value": "Seattle"},
    {"entity": "us_state", "value": "WA"}, {"entity": "service", "value": "pri"},
    {"entity": "service", "value": "sip"}, {"entity": "challenge", "value": "high_cost"},
]
NEEDS = {"states": ["OR", "WA"], "city": "Portland", "num_locations": 3.0, "services": ["pri", "sip"],
         "challenges": ["high_cost", "reliability"], "employees": 40.0, "current_carrier": "Lumen"}
MISSED_SERVICES_ONCE = {"slot": "services", "misses": 1, "replies": [], "choices_offered": False}
INTERNET = [{"word": "internet", "codes": ["dia", "broadband"], "asked": 0}]
CONTACT = {"contact_name": "Jane Doe", "company_name": "Acme Dental", "email": "jane@example.com",
           "phone": "+15035550123"}


async def test_slot_mappings_fill_canonical_slots(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    events = await ActionValidateSlotMappings().run(dispatcher, tracker(text=CANONICAL, entities=ENTITIES), domain)
    assert slot_events(events) == {"states": ["OR", "WA"], "services": ["pri", "sip"],
                                   "challenges": ["high_cost"], "city": "Portland", "num_locations": 3.0}


async def test_slot_mappings_ignore_a_why_question(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    t = tracker(text="why not Cogent?", intent="ask_why", entities=[{"entity": "carrier", "value": "Cogent"}])
    assert await ActionValidateSlotMappings().run(dispatcher, t, domain) == []


async def test_unknown_zip_is_re_asked(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    t = tracker(text="00000", entities=[{"entity": "zip_code", "value": "00000"}])
    assert await ActionValidateSlotMappings().run(dispatcher, t, domain) == []
    assert "00000" in texts(dispatcher)


async def test_needs_form_takes_a_bare_number(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    t = tracker({"states": ["OR"]}, text="4", active_loop="needs_form", requested_slot="num_locations")
    events = await ValidateNeedsForm().run(dispatcher, t, domain)
    assert slot_events(events) == {"num_locations": 4.0}  # Rasa then asks the next question


async def test_needs_form_re_asks_an_unknown_state(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    t = tracker({}, text="Narnia", active_loop="needs_form", requested_slot="states")
    events = await ValidateNeedsForm().run(dispatcher, t, domain)
    assert slot_events(events)["states"] is None  # keeps the form asking
    assert "Narnia" in texts(dispatcher)


async def test_optional_question_can_be_skipped(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    slots = {k: v for k, v in NEEDS.items() if k not in ("employees", "current_carrier")}
    t = tracker(slots, text="skip", intent="skip", active_loop="needs_form", requested_slot="employees")
    events = await ValidateNeedsForm().run(dispatcher, t, domain)
    assert slot_events(events)["skipped_slots"] == ["employees"]
    assert slot_events(events)["requested_slot"] == "current_carrier"


async def test_required_question_cannot_be_skipped(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    t = tracker({"states": ["OR"]}, text="skip", intent="skip", active_loop="needs_form", requested_slot="services")
    events = await ValidateNeedsForm().run(dispatcher, t, domain)
    assert "skipped_slots" not in slot_events(events)
    assert "need that one" in texts(dispatcher)


async def test_a_question_mid_form_is_left_to_the_rules(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    t = tracker({}, text="what is a clec", intent="faq", active_loop="needs_form", requested_slot="states")
    assert await ValidateNeedsForm().run(dispatcher, t, domain) == []


async def test_callback_time_only_asked_after_hours(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    form = ValidateContactForm()
    slots = form.domain_slots(domain)
    day = tracker({**CONTACT, "handoff_reason": "user_request", "after_hours": False})
    assert "callback_time" not in await form.required_slots(slots, dispatcher, day, domain)
    # all contact details known in business hours: the form is done
    assert slot_events(await form.run(dispatcher, day, domain)) == {"requested_slot": None}
    night = tracker({**CONTACT, "handoff_reason": "user_request", "after_hours": True})
    assert "callback_time" in await form.required_slots(slots, dispatcher, night, domain)
    email_plan = tracker({**CONTACT, "after_hours": True})
    assert "callback_time" not in await form.required_slots(slots, dispatcher, email_plan, domain)


async def test_recommend_sets_the_contract_shape_and_saves_the_lead(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    events = await ActionRecommend().run(dispatcher, tracker(NEEDS), domain)
    rec = slot_events(events)["recommendation"]
    assert set(rec) == {"carriers", "guidelines", "plan", "handoff", "handoff_reason"}
    assert {"R1", "P1"} <= set(rec["guidelines"])
    assert "Lumen" in texts(dispatcher)
    assert [b["title"] for b in dispatcher.messages[-1]["buttons"]] == ["Talk to an agent", "Email me the plan", "Change an answer"]
    lead = env["store"].get("test-sender")
    assert lead is not None and lead.status == "new" and list(lead.states) == ["OR", "WA"]


async def test_facts_said_with_a_request_for_a_person_are_kept(env: Any, dispatcher: CollectingDispatcher,
                                                                domain: dict) -> None:
    text = "Two yoga studios in Tempe, AZ. Can I chat with a rep?"
    t = tracker({}, text=text, intent="human_handoff", entities=[
        {"entity": "num_locations", "value": 2, "start": 0, "end": 17},
        {"entity": "city", "value": "Tempe", "start": 21, "end": 26},
        {"entity": "us_state", "value": "AZ", "start": 28, "end": 30}])
    slots = slot_events(await ActionValidateSlotMappings().run(dispatcher, t, domain))
    assert slots["num_locations"] == 2 and slots["states"] == ["AZ"] and slots["city"] == "Tempe"


async def test_a_plan_nothing_changed_is_not_shown_again(env: Any, domain: dict) -> None:
    first = CollectingDispatcher()
    rec = slot_events(await ActionRecommend().run(first, tracker(NEEDS), domain))["recommendation"]
    again = CollectingDispatcher()  # "Kim Osei" typed after the plan: the same facts
    events = await ActionRecommend().run(again, tracker({**NEEDS, "recommendation": rec, "employees": 30.0},
                                                        text="Kim Osei"), domain)
    assert events == []
    [message] = again.messages
    assert "Lumen" not in message["text"] and "doesn't change your plan" in message["text"]
    assert [b["title"] for b in message["buttons"]] == ["Talk to an agent", "Email me the plan", "Change an answer"]
    changed = CollectingDispatcher()  # a fact that changes it: the new plan is shown
    events = await ActionRecommend().run(changed, tracker({**NEEDS, "recommendation": rec, "services": ["pots"]}), domain)
    assert slot_events(events)["recommendation"] != rec and "Lumen" in texts(changed)
    assert changed.messages[0]["text"] == default_copy().message("plan_updated").text  # said as a change
    assert not any(m.get("text") == default_copy().message("plan_updated").text for m in first.messages)


async def test_recommend_hands_off_when_no_competitor_serves(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    # issue 13: North Dakota has Midco now; Guam has no carrier on file, so it is handed off.
    slots = {"states": ["GU"], "num_locations": 1.0, "services": ["pri"], "challenges": ["high_cost"]}
    events = await ActionRecommend().run(dispatcher, tracker(slots), domain)
    assert slot_events(events)["handoff_reason"] == "no_coverage"
    assert ("followup", "action_handoff") in [(e["event"], e.get("name")) for e in events]


async def test_explain_names_the_guidelines(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    rec_events = await ActionRecommend().run(CollectingDispatcher(), tracker(NEEDS), domain)
    rec = slot_events(rec_events)["recommendation"]
    pilot = next(c["name"] for c in rec["carriers"] if c["role"] == "pilot")
    t = tracker({**NEEDS, "recommendation": rec}, text=f"why {pilot}?", intent="ask_why",
                entities=[{"entity": "carrier", "value": pilot}])
    await ActionExplain().run(dispatcher, t, domain)
    answer = texts(dispatcher)
    assert pilot in answer
    pick = next(c for c in rec["carriers"] if c["name"] == pilot)
    named = [gid for gid in pick["guidelines"] if f"({gid})." in answer]
    assert "R2" in named and "S1" in named, answer  # a pilot's reasons, each with its guideline id


async def test_handoff_in_business_hours_then_submit_pauses_and_posts(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    events = await ActionHandoff().run(dispatcher, tracker(NEEDS, text="can I talk to someone", intent="human_handoff"), domain)
    assert slot_events(events) == {"handoff_reason": "user_request", "after_hours": False}
    assert "join this chat" in texts(dispatcher)
    slots = {**NEEDS, **CONTACT, "handoff_reason": "user_request", "after_hours": False}
    submit = await ActionSubmitLead().run(dispatcher, tracker(slots), domain)
    assert [e["event"] for e in submit] == ["pause"]
    assert len(env["slack"].handoffs) == 1
    lead = env["store"].get("test-sender")
    assert lead.status == "handoff" and lead.paused and lead.phone == "+15035550123"


async def test_after_hours_handoff_promises_a_callback(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    env["at"](AFTER_HOURS)
    events = await ActionHandoff().run(dispatcher, tracker(NEEDS, text="call me", intent="human_handoff"), domain)
    assert slot_events(events)["after_hours"] is True
    assert "closed" in texts(dispatcher)
    slots = {**NEEDS, **CONTACT, "handoff_reason": "user_request", "after_hours": True, "callback_time": "tomorrow 9am"}
    submit = await ActionSubmitLead().run(dispatcher, tracker(slots), domain)
    assert submit == []
    assert env["slack"].handoffs == []
    lead = env["store"].get("test-sender")
    assert lead.status == "callback" and lead.after_hours


async def test_frustration_and_low_confidence_reasons(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    events = await ActionHandoff().run(dispatcher, tracker(text="this is useless", intent="complain"), domain)
    assert slot_events(events)["handoff_reason"] == "frustration"
    events = await ActionDefaultFallback().run(dispatcher, tracker(text="blorp", intent="nlu_fallback"), domain)
    assert slot_events(events)["handoff_reason"] == "low_confidence"


async def test_change_answer_forgets_the_answer_and_the_plan(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    t = tracker({**NEEDS, "slot_to_change": "services", "recommendation": {"x": 1}}, intent="change_answer")
    events = slot_events(await ActionChangeAnswer().run(dispatcher, t, domain))
    assert events["services"] is None and events["recommendation"] is None


async def test_a_typed_choice_of_the_answer_to_change(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    events = await ActionChangeAnswer().run(dispatcher, tracker(NEEDS, text="the employee count I gave you"), domain)
    assert slot_events(events)["employees"] is None and slot_events(events)["recommendation"] is None
    assert dispatcher.messages == []


async def test_a_typed_choice_with_the_new_answer_keeps_it(env: Any, dispatcher: CollectingDispatcher,
                                                          domain: dict) -> None:
    t = tracker(NEEDS, text="how many sites: 5 now", events=[])
    t.events.append({"event": "slot", "name": "num_locations", "value": 5.0})  # read from this message
    t.add_slots([{"event": "slot", "name": "num_locations", "value": 5.0}])
    slots = slot_events(await ActionChangeAnswer().run(dispatcher, t, domain))
    assert "num_locations" not in slots and slots["recommendation"] is None


async def test_a_new_fact_given_instead_of_the_answer_to_change_is_the_change(
        env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    # "sorry, we just opened a site in Nampa": no answer named, but the facts changed.
    before = [{"event": "slot", "name": "states", "value": ["OR", "WA"]}]
    t = tracker(NEEDS, text="sorry, we just opened a site in Boise", events=before)
    t.events.append({"event": "slot", "name": "states", "value": ["OR", "WA", "ID"]})
    t.add_slots([{"event": "slot", "name": "states", "value": ["OR", "WA", "ID"]}])
    slots = slot_events(await ActionChangeAnswer().run(dispatcher, t, domain))
    assert slots["recommendation"] is None and "states" not in slots
    assert dispatcher.messages == []


async def test_which_answer_is_never_asked_a_third_time_in_a_row(env: Any, domain: dict) -> None:
    asked = [{"event": "action", "name": "utter_ask_which_answer"}]
    missed = [{"event": "user", "text": "hmm"},
              {"event": "bot", "text": "Which answer?", "metadata": {"utter_action": "utter_ask_which_answer"}}]
    for earlier, reply in (([], "utter_ask_which_answer"), (asked + missed, "plan_unchanged")):
        dispatcher = CollectingDispatcher()
        await ActionChangeAnswer().run(dispatcher, tracker(NEEDS, text="the thing", events=[{"event": "user"}] + earlier),
                                       domain)
        said = dispatcher.messages[0]
        if reply == "plan_unchanged":
            assert said["text"].startswith("That doesn't change your plan above")
            assert [b["payload"] for b in said["buttons"]] == ["/human_handoff", "/email_plan", "/change_answer"]
        else:
            assert said["response"] == reply


async def test_a_typed_reply_that_names_no_answer_asks_again(env: Any, dispatcher: CollectingDispatcher,
                                                            domain: dict) -> None:
    events = await ActionChangeAnswer().run(dispatcher, tracker(NEEDS, text="hmm the thing"), domain)
    assert dispatcher.messages[0]["response"] == "utter_ask_which_answer"
    assert ("followup", "action_listen") in [(e["event"], e.get("name")) for e in events]


async def test_every_form_question_has_an_action(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    for form in domain["forms"].values():
        for slot in form["required_slots"]:
            assert f"action_ask_{slot}" in domain["actions"]
            await ASK_ACTIONS[slot]().run(dispatcher, tracker(), domain)
    assert len(dispatcher.messages) == len(ASK_ACTIONS)


async def test_did_you_mean_uses_plain_words(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    t = tracker(text="sip maybe", intent="nlu_fallback", entities=[{"entity": "service", "value": "sip"}])
    t.latest_message["intent_ranking"] = [{"name": "nlu_fallback"}, {"name": "inform", "confidence": 0.3}]
    await ActionDefaultAskAffirmation().run(dispatcher, t, domain)
    message = dispatcher.messages[0]
    assert "telling me about your sites or services" in message["text"]
    assert message["buttons"][0]["payload"] == '/inform{"service": ["sip"]}'


async def test_words_not_understood_after_the_plan_get_its_options(env: Any, domain: dict) -> None:
    # A name typed before a button is pressed is no "did you mean yes?".
    plan = {**NEEDS, "recommendation": {"carriers": []}}
    ranking = [{"name": "nlu_fallback"}, {"name": "affirm", "confidence": 0.05}]
    dispatcher = CollectingDispatcher()
    t = tracker(plan, text="Kim Lee", intent="nlu_fallback")
    t.latest_message["intent_ranking"] = ranking
    await ActionDefaultAskAffirmation().run(dispatcher, t, domain)
    [message] = dispatcher.messages
    assert message["text"].startswith("Sorry, I didn't catch that.")
    assert [b["payload"] for b in message["buttons"]] == ["/human_handoff", "/email_plan", "/change_answer"]
    # A plan-related intent is still worth a "did you mean ...?"; so is anything in a form.
    for slots, top in ((plan, "email_plan"), ({**plan, "requested_slot": "email"}, "affirm")):
        dispatcher = CollectingDispatcher()
        t = tracker(slots, text="hmm", intent="nlu_fallback")
        t.latest_message["intent_ranking"] = [{"name": "nlu_fallback"}, {"name": top, "confidence": 0.3}]
        await ActionDefaultAskAffirmation().run(dispatcher, t, domain)
        assert dispatcher.messages[0]["text"].startswith("Just to be sure")


def test_action_server_registers_exactly_the_domain_actions(domain: dict) -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(domain["actions"])


async def test_form_keeps_quiet_when_the_customer_corrects_something_else(env: Any, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker({"states": ["OR", "WA"], "num_locations": 4.0}, text="actually it's 4 offices",
                active_loop="needs_form", requested_slot="services")
    # what action_validate_slot_mappings set after this message
    t.events.append({"event": "slot", "name": "num_locations", "value": 4.0})
    events = await ValidateNeedsForm().run(dispatcher, t, domain)
    # keeps the form asking about services; a reply about something else missed the question
    assert slot_events(events) == {"services": None, "missed_question": MISSED_SERVICES_ONCE}
    assert dispatcher.messages == []


async def test_unknown_zip_during_the_location_question_is_said_once(env: Any, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    t = tracker({"services": ["sip"]}, text="00000", entities=[{"entity": "zip_code", "value": "00000"}],
                active_loop="needs_form", requested_slot="states")
    assert await ActionValidateSlotMappings().run(dispatcher, t, domain) == []
    await ValidateNeedsForm().run(dispatcher, t, domain)
    assert [m["text"] for m in dispatcher.messages] == [
        "I couldn't find the ZIP code 00000. Could you check it, or tell me the city and state instead?"
    ]


async def test_a_correction_that_changes_no_slot_is_not_taken_as_an_answer(env: Any, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "city", "value": "Tacoma"}, {"entity": "us_state", "value": "WA"},
                {"entity": "city", "value": "Seattle", "role": "negated"}]
    t = tracker({"states": ["OR", "WA"], "city": "Portland", "num_locations": 3.0}, text="no, Tacoma not Seattle",
                entities=entities, active_loop="needs_form", requested_slot="services")
    events = await ValidateNeedsForm().run(dispatcher, t, domain)
    assert slot_events(events) == {"services": None, "missed_question": MISSED_SERVICES_ONCE}
    assert dispatcher.messages == []


async def test_a_callback_time_that_looks_like_goodbye_is_still_the_answer(env: Any, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**CONTACT, "handoff_reason": "user_request", "after_hours": True}
    t = tracker(slots, text="tomorrow after 9am, bye", intent="goodbye", active_loop="contact_form",
                requested_slot="callback_time")
    events = await ValidateContactForm().run(dispatcher, t, domain)
    assert slot_events(events)["callback_time"] == "tomorrow after 9am, bye"


async def test_core_fallback_right_after_a_restart_just_listens(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    events = await ActionDefaultFallback().run(dispatcher, tracker(text="/restart", intent="restart"), domain)
    assert [(e["event"], e.get("name")) for e in events] == [("followup", "action_listen")]
    assert dispatcher.messages == []


async def test_a_former_carrier_name_is_understood_and_its_successor_named(
        env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    text = "we're on TW Telecom in Denver"
    carrier = {"entity": "carrier", "value": "Lumen", "start": 9, "end": 19}
    events = await ActionValidateSlotMappings().run(dispatcher, tracker(text=text, entities=[carrier]), domain)
    assert slot_events(events) == {"current_carrier": "Lumen"}
    assert texts(dispatcher) == "TW Telecom is part of Lumen today."


async def test_a_carrier_under_its_own_name_gets_no_note(
        env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    carrier = {"entity": "carrier", "value": "Lumen", "start": 0, "end": 5}
    t = tracker(text="Lumen", entities=[carrier], active_loop="needs_form", requested_slot="current_carrier")
    events = await ActionValidateSlotMappings().run(dispatcher, t, domain)
    assert slot_events(events) == {"current_carrier": "Lumen"}
    assert texts(dispatcher) == ""


async def test_internet_beside_a_known_service_gets_a_which_one_question(
        env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    text = "we need SIP and internet"
    t = tracker({"states": ["OR"], "num_locations": 2.0}, text=text,
                entities=[{"entity": "service", "value": "sip", "start": 8, "end": 11}])
    events = await ActionValidateSlotMappings().run(dispatcher, t, domain)
    # Not asked here: the needs form asks it as its question of this turn (one question a turn).
    assert slot_events(events) == {"services": ["sip"], "pending_clarifications": INTERNET}
    assert dispatcher.messages == []
    t.add_slots(events)
    form = await ValidateNeedsForm().run(dispatcher, t, domain)  # the form starts
    assert slot_events(form)["requested_slot"] == "services"
    t.add_slots(form)
    ask = await ASK_ACTIONS["services"]().run(dispatcher, t, domain)
    [question] = dispatcher.messages
    assert "dedicated internet or business broadband" in question["text"]
    assert [b["payload"] for b in question["buttons"]] == ['/inform{"service": "dia"}',
                                                         '/inform{"service": "broadband"}']
    assert slot_events(ask) == {"pending_clarifications": [{**INTERNET[0], "asked": 1}]}


async def test_internet_as_the_answer_to_the_services_question_is_asked_about_once(
        env: Any, domain: dict) -> None:
    slots = {"states": ["ID"], "num_locations": 3.0}
    t = tracker(slots, text="internet", active_loop="needs_form", requested_slot="services")
    validation = CollectingDispatcher()
    events = await ActionValidateSlotMappings().run(validation, t, domain)
    assert slot_events(events) == {"pending_clarifications": INTERNET}
    t.add_slots(events)
    events = await ValidateNeedsForm().run(validation, t, domain)
    assert validation.messages == []  # no "I don't know that service"
    assert slot_events(events).get("services") is None
    assert "missed_question" not in slot_events(events)  # a fair answer, not a miss
    ask = CollectingDispatcher()
    await ASK_ACTIONS["services"]().run(ask, t, domain)
    [question] = ask.messages
    assert '"internet"' in question["text"] and len(question["buttons"]) == 2


async def test_the_services_question_is_the_usual_one_otherwise(env: Any, dispatcher: CollectingDispatcher,
                                                               domain: dict) -> None:
    t = tracker({"states": ["ID"]}, text="3 offices", active_loop="needs_form", requested_slot="num_locations")
    await ASK_ACTIONS["services"]().run(dispatcher, t, domain)
    assert dispatcher.messages[0]["text"].startswith("Which services do you need?")


async def test_a_correction_is_said_back(env: Any, dispatcher: CollectingDispatcher, domain: dict) -> None:
    t = tracker({"states": ["OR", "WA"], "num_locations": 3.0}, text="actually it's 4 offices",
                entities=[{"entity": "num_locations", "value": 4}])
    events = await ActionValidateSlotMappings().run(dispatcher, t, domain)
    assert slot_events(events) == {"num_locations": 4.0}
    assert texts(dispatcher) == "Got it, I've updated that: 4 sites."


async def test_an_answer_to_the_question_asked_is_taken_not_updated(env: Any, dispatcher: CollectingDispatcher,
                                                                   domain: dict) -> None:
    """"Which phones?" answered beside the internet already chosen: the answer is noted, not
    told back as if it corrected something."""
    t = tracker({"states": ["OR"], "num_locations": 2.0, "services": ["dia"]}, text="the hosted kind",
                entities=[{"entity": "service", "value": "ucaas"}], active_loop="needs_form", requested_slot="services")
    events = await ActionValidateSlotMappings().run(dispatcher, t, domain)
    assert slot_events(events)["services"] == ["dia", "ucaas"]
    assert texts(dispatcher) == "Noted: dedicated internet and a cloud phone system."


async def test_facts_told_instead_of_the_answer_are_said_back(env: Any, dispatcher: CollectingDispatcher,
                                                              domain: dict) -> None:
    """"Which services?" answered with problems: they are kept and said back, and the question
    comes again (a form's re-ask) without looking as if they were ignored."""
    t = tracker({"states": ["OH"], "num_locations": 3.0}, text="the bills are brutal and it drops every day",
                entities=[{"entity": "challenge", "value": "high_cost"}, {"entity": "challenge", "value": "reliability"}],
                active_loop="needs_form", requested_slot="services")
    events = await ActionValidateSlotMappings().run(dispatcher, t, domain)
    assert slot_events(events)["challenges"] == ["high_cost", "reliability"]
    assert texts(dispatcher) == "Noted: the cost and the outages."


async def test_a_count_told_where_the_sites_were_asked_is_said_back(env: Any, dispatcher: CollectingDispatcher,
                                                                    domain: dict) -> None:
    """"Where are your sites?" answered "3": their number, said back before the place is asked again."""
    t = tracker({"services": ["sip"]}, text="3", entities=[{"entity": "num_locations", "value": 3, "role": "count_alone"}],
                active_loop="needs_form", requested_slot="states")
    events = await ActionValidateSlotMappings().run(dispatcher, t, domain)
    assert slot_events(events)["num_locations"] == 3.0
    assert texts(dispatcher) == "Noted: 3 sites."


async def test_an_answer_with_more_facts_is_not_said_back(env: Any, dispatcher: CollectingDispatcher,
                                                         domain: dict) -> None:
    t = tracker({"states": ["OH"]}, text="3 shops, the bills are brutal",
                entities=[{"entity": "num_locations", "value": 3}, {"entity": "challenge", "value": "high_cost"}],
                active_loop="needs_form", requested_slot="num_locations")
    events = await ActionValidateSlotMappings().run(dispatcher, t, domain)
    assert slot_events(events)["challenges"] == ["high_cost"]
    assert dispatcher.messages == []


async def test_out_of_scope_names_the_product_asked_about(dispatcher: CollectingDispatcher, domain: dict) -> None:
    from bot.conversation.wording import default_copy

    await ActionOutOfScope().run(dispatcher, tracker({}, text="any chance you sell television packages?",
                                                     intent="out_of_scope"), domain)
    assert [m["text"] for m in dispatcher.messages] == [
        default_copy().message("product_not_quoted", value="TV service").text]


async def test_facts_with_a_question_about_a_product_not_quoted_keep_the_facts_and_answer_it(
        dispatcher: CollectingDispatcher, domain: dict) -> None:
    text = "2 dental offices in Boise, and do you do our cell phones?"
    t = tracker({}, text=text, intent="inform", entities=[
        {"entity": "num_locations", "value": 2, "start": 0, "end": 1},
        {"entity": "city", "value": "Boise", "start": 23, "end": 28},
        {"entity": "us_state", "value": "ID", "start": 23, "end": 28}])
    events = await ActionValidateSlotMappings().run(dispatcher, t, domain)
    assert slot_events(events)["num_locations"] == 2
    assert "cell phones and mobile plans" in " ".join(m.get("text") or "" for m in dispatcher.messages)


@pytest.mark.parametrize("text, entities, reply", [
    ("hjkl;", [], "rephrase"),  # a mash: "say it another way", not "outside what I can help with"
    ("...", [], "rephrase"),
    ("what's the weather in Reno", [], "out_of_scope"),
    ("velocix", [{"entity": "carrier", "value": "Velocix", "start": 0, "end": 7}], "out_of_scope"),
])
async def test_out_of_scope_asks_an_unreadable_message_again(text: str, entities: list, reply: str,
                                                             dispatcher: CollectingDispatcher, domain: dict) -> None:
    from bot.conversation.wording import default_copy

    assert await ActionOutOfScope().run(dispatcher, tracker({}, text=text, intent="out_of_scope", entities=entities),
                                        domain) == []
    if reply == "rephrase":
        assert [m["text"] for m in dispatcher.messages] == [default_copy().message("ask_rephrase").text]
    else:
        assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]
