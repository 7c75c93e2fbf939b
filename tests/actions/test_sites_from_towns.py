"""Towns listed with no count ("Provo and Orem, UT") are one site each (the annotation guide);
the assistant says so and invites a correction, since it will not ask how many sites there are."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidateNeedsForm
from actions.slot_extraction import ActionValidateSlotMappings
from bot.conversation.wording import default_copy
from bot.understanding.extracted_entity import TOWNS_LISTED_ROLE
from tests.actions.conftest import slot_events, tracker

ASKED_WHERE = [{"event": "slot", "name": "requested_slot", "value": "states"}]


def _entities(text: str, count_role: str = TOWNS_LISTED_ROLE) -> list[dict[str, Any]]:
    found = []
    for kind, value, word in (("city", "Lehi", "Lehi"), ("city", "American Fork", "American Fork"), ("us_state", "UT", "UT")):
        start = text.index(word)
        found.append({"entity": kind, "value": value, "start": start, "end": start + len(word)})
    found.append({"entity": "num_locations", "value": 2, "start": 0, "end": len(text), "role": count_role})
    return found


async def _where_answered(text: str, slots: dict[str, Any], entities: list[dict[str, Any]], domain: dict,
                          requested: str = "states") -> tuple[CollectingDispatcher, dict[str, Any], Any]:
    t = tracker(dict(slots), text=text, intent="inform", entities=entities, active_loop="needs_form",
                requested_slot=requested, events=[{"event": "slot", "name": "requested_slot", "value": requested}])
    dispatcher = CollectingDispatcher()
    out = await ActionValidateSlotMappings().run(dispatcher, t, domain)
    t.add_slots(out)
    form = await ValidateNeedsForm().run(CollectingDispatcher(), t, domain)
    return dispatcher, {**slot_events(out), **slot_events(form)}, t


async def test_towns_listed_are_taken_as_sites_and_said_back(env: Any, domain: dict) -> None:
    text = "Lehi and American Fork, UT"
    dispatcher, said, _ = await _where_answered(text, {}, _entities(text), domain)
    assert said["num_locations"] == 2
    assert said["states"] == ["UT"]
    expected = default_copy().message("sites_from_towns", value=2).text
    assert [m["text"] for m in dispatcher.messages].count(expected) == 1
    assert "2 sites" in expected and "how many" in expected


async def test_a_count_that_was_asked_is_not_said_back_as_a_guess(env: Any, domain: dict) -> None:
    text = "Lehi and American Fork, UT"
    dispatcher, said, _ = await _where_answered(text, {"states": ["UT"]}, _entities(text), domain,
                                                requested="num_locations")
    assert said["num_locations"] == 2
    assert not any("one in each town" in (m.get("text") or "") for m in dispatcher.messages)


async def test_a_count_said_in_words_is_not_said_back_as_a_guess(env: Any, domain: dict) -> None:
    text = "Lehi and American Fork, UT"
    dispatcher, said, _ = await _where_answered(text, {}, _entities(text, count_role=""), domain)
    assert said["num_locations"] == 2
    assert not any("one in each town" in (m.get("text") or "") for m in dispatcher.messages)


def _after_towns_said_back(text: str) -> list[dict[str, Any]]:
    """The events of a turn that listed towns (taken as 2 sites and said back), then the services question."""
    return [{"event": "user", "text": text, "parse_data": {"intent": {"name": "inform"}, "entities": _entities(text)}},
            {"event": "bot", "text": default_copy().message("sites_from_towns", value=2).text},
            {"event": "slot", "name": "requested_slot", "value": "services"}]


async def _reply(text: str, requested: str, domain: dict) -> dict[str, Any]:
    history = _after_towns_said_back("Lehi and American Fork, UT")
    count = {"entity": "num_locations", "value": 3, "start": text.index("3"), "end": text.index("3") + 1,
             "role": "count_alone"}
    t = tracker({"states": ["UT"], "city": "Lehi", "num_locations": 2.0}, text=text, intent="inform", entities=[count],
                active_loop="needs_form", requested_slot=requested, events=history)
    return slot_events(await ActionValidateSlotMappings().run(CollectingDispatcher(), t, domain))


async def test_a_count_alone_after_the_say_back_corrects_the_number_of_sites(env: Any, domain: dict) -> None:
    # "If you have more than that, just tell me how many": "actually 3" while services are asked
    assert (await _reply("actually 3", "services", domain)).get("num_locations") == 3


async def test_a_number_answering_the_head_count_is_no_correction_of_the_sites(env: Any, domain: dict) -> None:
    assert "num_locations" not in await _reply("about 3", "employees", domain)


async def test_towns_listed_after_a_count_told_leave_the_count(env: Any, domain: dict) -> None:
    # "3 offices" told first: two of them may be in Lehi, so the towns don't make it 2
    text = "Lehi and American Fork, UT"
    dispatcher, said, t = await _where_answered(text, {"num_locations": 3.0}, _entities(text), domain)
    assert t.get_slot("num_locations") == 3.0 and "num_locations" not in said
    assert not any("one in each town" in (m.get("text") or "") for m in dispatcher.messages)
