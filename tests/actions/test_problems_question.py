"""The problems question when the customer has told one problem, or a backup, before it (told_problems.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidateNeedsForm
from actions.questions import ASK_ACTIONS
from actions.slot_extraction import ActionValidateSlotMappings
from tests.actions.conftest import slot_events, tracker

WHERE_AND_HOW_MANY = {"states": ["NV"], "city": "Reno", "num_locations": 2.0}
ASKED_SERVICES = [{"event": "slot", "name": "requested_slot", "value": "services"}]
ASKED_PROBLEMS = [{"event": "slot", "name": "requested_slot", "value": "challenges"}]


def _asked_next(said: dict[str, Any], t: Any, domain: dict) -> Any:
    """What Rasa asks next: the slot the form requested, else its first empty required slot."""
    if said.get("requested_slot"):
        return said["requested_slot"]
    skipped = t.get_slot("skipped_slots") or []
    required = domain["forms"]["needs_form"]["required_slots"]
    return next((s for s in required if t.get_slot(s) is None and s not in skipped), None)


def _entity(kind: str, value: str, text: str, word: str) -> dict[str, Any]:
    start = text.index(word)
    return {"entity": kind, "value": value, "start": start, "end": start + len(word)}


async def _turn(slots: dict[str, Any], text: str, requested: str, domain: dict, events: list[dict[str, Any]],
                entities: list[dict[str, Any]] = (), intent: str = "inform") -> tuple[dict[str, Any], Any]:
    """One customer message through the slot mappings and the needs form: (slot events, tracker)."""
    t = tracker(dict(slots), text=text, intent=intent, entities=list(entities), active_loop="needs_form",
                requested_slot=requested, events=events)
    out = await ActionValidateSlotMappings().run(CollectingDispatcher(), t, domain)
    t.add_slots(out)
    form = await ValidateNeedsForm().run(CollectingDispatcher(), t, domain)
    t.add_slots(form)
    said = {**slot_events(out), **slot_events(form)}
    return {**said, "asked_next": _asked_next(said, t, domain)}, t


async def test_a_backup_asked_for_still_gets_the_problems_question(env: Any, domain: dict) -> None:
    text = "hosted voice plus a cellular failover"
    said, t = await _turn(WHERE_AND_HOW_MANY, text, "services", domain, ASKED_SERVICES, [
        _entity("service", "ucaas", text, "hosted voice"),
        _entity("service", "wireless_backup", text, "cellular failover"),
        _entity("challenge", "need_redundancy", text, "failover")])
    assert said["challenges"] == ["need_redundancy"]
    assert said["asked_next"] == "challenges"  # not the head count yet
    ask = CollectingDispatcher()
    await ASK_ACTIONS["challenges"]().run(ask, t, domain)
    [question] = ask.messages
    assert question["text"].startswith("Besides a backup connection, is anything else")
    assert "/skip" in [b["payload"] for b in question["buttons"]]


async def test_the_answer_joins_the_backup(env: Any, domain: dict) -> None:
    slots = {**WHERE_AND_HOW_MANY, "services": ["ucaas", "wireless_backup"], "challenges": ["need_redundancy"]}
    text = "the bill went up again and the lines go dead most afternoons"
    said, _ = await _turn(slots, text, "challenges", domain, ASKED_SERVICES + ASKED_PROBLEMS, [
        _entity("challenge", "high_cost", text, "bill went up"),
        _entity("challenge", "reliability", text, "go dead")])
    assert said["challenges"] == ["need_redundancy", "high_cost", "reliability"]
    assert said["asked_next"] == "employees"


async def test_a_problem_typed_without_an_entity_joins_the_backup_too(env: Any, domain: dict) -> None:
    slots = {**WHERE_AND_HOW_MANY, "services": ["ucaas", "wireless_backup"], "challenges": ["need_redundancy"]}
    said, _ = await _turn(slots, "too expensive", "challenges", domain, ASKED_SERVICES + ASKED_PROBLEMS)
    assert said["challenges"] == ["need_redundancy", "high_cost"]
    assert said["asked_next"] == "employees"


async def test_no_keeps_the_backup_and_moves_on(env: Any, domain: dict) -> None:
    slots = {**WHERE_AND_HOW_MANY, "services": ["ucaas", "wireless_backup"], "challenges": ["need_redundancy"]}
    said, t = await _turn(slots, "no", "challenges", domain, ASKED_SERVICES + ASKED_PROBLEMS, intent="deny")
    assert t.get_slot("challenges") == ["need_redundancy"]
    assert "challenges" in said["skipped_slots"]
    assert said["asked_next"] == "employees"


async def test_two_problems_told_with_the_backup_are_not_asked_about_again(env: Any, domain: dict) -> None:
    text = "sip trunks with an lte backup, the outages are killing us and the bill keeps climbing"
    said, _ = await _turn(WHERE_AND_HOW_MANY, text, "services", domain, ASKED_SERVICES, [
        _entity("service", "sip", text, "sip trunks"),
        _entity("service", "wireless_backup", text, "lte backup"),
        _entity("challenge", "need_redundancy", text, "backup"),
        _entity("challenge", "reliability", text, "outages"),
        _entity("challenge", "high_cost", text, "bill keeps climbing")])
    assert said["asked_next"] == "employees"


async def test_one_problem_told_before_the_question_still_gets_it(env: Any, domain: dict) -> None:
    text = "sip trunks please, our carrier's outages are killing us"
    said, t = await _turn(WHERE_AND_HOW_MANY, text, "services", domain, ASKED_SERVICES, [
        _entity("service", "sip", text, "sip trunks"),
        _entity("challenge", "reliability", text, "outages")])
    assert said["asked_next"] == "challenges"
    ask = CollectingDispatcher()
    await ASK_ACTIONS["challenges"]().run(ask, t, domain)
    [question] = ask.messages
    assert question["text"].startswith("Besides the outages, is anything else")
    assert "Outages" not in [b["title"] for b in question["buttons"]]


async def test_a_reply_naming_nothing_new_settles_it_with_the_words_for_the_agent(env: Any, domain: dict) -> None:
    # Pointing back at the problem told is no miss: asking again would be a loop.
    slots = {**WHERE_AND_HOW_MANY, "services": ["sip"], "challenges": ["reliability"]}
    said, t = await _turn(slots, "mainly those dropouts honestly", "challenges", domain,
                          ASKED_SERVICES + ASKED_PROBLEMS)
    assert t.get_slot("challenges") == ["reliability"]
    assert said["asked_next"] == "employees"
    assert "mainly those dropouts honestly" in str(t.get_slot("agent_notes"))


async def test_the_problems_question_waits_for_its_place(env: Any, domain: dict) -> None:
    # Said first, before the number of sites: the form asks the number of sites first.
    text = "we want a backup line in Reno, Nevada"
    said, _ = await _turn({}, text, "states", domain, [], [
        _entity("us_state", "NV", text, "Nevada"),
        _entity("challenge", "need_redundancy", text, "backup line")])
    assert said["asked_next"] == "num_locations"


async def test_the_problems_question_is_asked_once(env: Any, domain: dict) -> None:
    slots = {**WHERE_AND_HOW_MANY, "services": ["dia"], "challenges": ["need_redundancy"], "employees": 12.0}
    said, _ = await _turn(slots, "Comcast", "current_carrier", domain, ASKED_SERVICES + ASKED_PROBLEMS)
    assert said["asked_next"] == "contract_end"


async def test_a_reply_that_misses_the_problems_question_gets_it_once_more(env: Any, domain: dict) -> None:
    slots = {**WHERE_AND_HOW_MANY, "services": ["broadband", "wireless_backup"], "challenges": ["need_redundancy"]}
    text = "we're with Cox at the moment"
    said, t = await _turn(slots, text, "challenges", domain, ASKED_SERVICES + ASKED_PROBLEMS, [
        {"entity": "carrier", "value": "Cox Business", "start": 10, "end": 13}])
    assert said["asked_next"] == "challenges"
    text = "we're also paying way too much"
    said, t = await _turn({k: t.get_slot(k) for k in ("states", "city", "num_locations", "services", "challenges",
                                                       "current_carrier", "missed_question")},
                          text, "challenges", domain, ASKED_SERVICES + ASKED_PROBLEMS + ASKED_PROBLEMS,
                          [_entity("challenge", "high_cost", text, "paying way too much")])
    assert said["challenges"] == ["need_redundancy", "high_cost"]
    assert said["asked_next"] == "employees"


async def test_not_really_to_the_problems_question_keeps_the_backup(env: Any, domain: dict) -> None:
    slots = {**WHERE_AND_HOW_MANY, "services": ["ucaas", "wireless_backup"], "challenges": ["need_redundancy"]}
    said, t = await _turn(slots, "not really, costs are ok", "challenges", domain, ASKED_SERVICES + ASKED_PROBLEMS)
    assert t.get_slot("challenges") == ["need_redundancy"] and "challenges" in said["skipped_slots"]
    assert said["asked_next"] == "employees"
