"""Faults on the real engines: a Rasa server killed, the action server down, the lead database
down. The conversation survives each; the lead ends up with every fact.

The unit tests at the bottom cover the pure parts of the guards in bot.rasa_adapters.server without a
server.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.error
from pathlib import Path
from typing import Any

import pytest

from bot.leads.store import LeadStore
from bot.base.settings import VAR_DIR
from tests.scale.conftest import (
    EXPECTED_SLOTS,
    SCRIPT,
    Cluster,
    Customer,
    assert_expected_slots,
    texts,
    turn_problems,
    user_turns,
)

OUTAGE_MARK = "carrier_advisor_outage"
SPOOL = VAR_DIR / "lead-spool.jsonl"


def _lead(cluster: Cluster, sender: str) -> Any:
    store = LeadStore(cluster.db_url, spool_path=cluster.tmp / "unused-spool.jsonl")
    try:
        return store.get(sender)
    finally:
        store.close()


def _assert_lead_has_every_fact(cluster: Cluster, sender: str) -> Any:
    lead = _lead(cluster, sender)
    assert lead is not None, f"no lead for {sender}"
    assert list(lead.states) == EXPECTED_SLOTS["states"]
    assert lead.city == EXPECTED_SLOTS["city"]
    assert lead.num_locations == 3
    assert sorted(lead.services) == EXPECTED_SLOTS["services"]
    assert list(lead.challenges) == EXPECTED_SLOTS["challenges"]
    assert lead.employees == 40
    assert lead.current_carrier == EXPECTED_SLOTS["current_carrier"]
    assert lead.contract_end == EXPECTED_SLOTS["contract_end"]
    assert lead.recommendation and lead.recommendation["carriers"]
    return lead


def _outage_replies(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("event") == "bot"
            and (e.get("metadata") or {}).get(OUTAGE_MARK)]


@pytest.mark.stack
def test_rasa_server_killed_mid_conversation_the_other_one_goes_on(
    ready_cluster: Cluster,
) -> None:
    cluster = ready_cluster
    customer = Customer(cluster)
    customer.say("a", SCRIPT[0])
    customer.say("a", SCRIPT[1])
    assert_expected_slots(customer.slots("a"), upto=2)

    # SIGKILL while the third turn is in flight on A: no shutdown, no flush, no reply.
    pid = cluster.pid("a")
    import threading

    result: dict[str, Any] = {}

    def third_turn() -> None:
        try:
            result["replies"] = customer.say("a", SCRIPT[2], timeout=60)
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            result["error"] = error

    sender = threading.Thread(target=third_turn)
    sender.start()
    time.sleep(0.05)
    cluster.stop("a", signal.SIGKILL)
    sender.join(timeout=90)
    assert cluster.process("a").returncode == -signal.SIGKILL, pid
    cluster.revive("a")  # boots in the background while the conversation goes on on B

    # Like a load balancer: a turn that got no reply is sent again, to the other server.
    if "replies" not in result:
        # B may first wait for A's lock ticket to expire (TICKET_LOCK_LIFETIME, 60 s).
        customer.say("b", SCRIPT[2], timeout=180)
    for message in SCRIPT[3:]:
        assert customer.say("b", message)

    slots = customer.slots("b")
    assert_expected_slots(slots)
    assert slots["recommendation"]["carriers"]
    events = customer.tracker("b")["events"]
    said = [turn[0]["text"] for turn in user_turns(events)]
    # No turn lost; the killed turn at most twice (A may have saved it before it died).
    counts = {message: said.count(message) for message in SCRIPT}
    killed = counts.pop(SCRIPT[2])
    assert killed in (1, 2), said
    assert counts == {message: 1 for message in SCRIPT if message != SCRIPT[2]}, said
    assert turn_problems(events) == []
    _assert_lead_has_every_fact(cluster, customer.sender)


@pytest.mark.stack
def test_action_server_down_apology_offers_a_person_and_the_conversation_resumes(
    ready_cluster: Cluster,
) -> None:
    cluster = ready_cluster
    customer = Customer(cluster)
    customer.say("b", SCRIPT[0])
    customer.say("b", SCRIPT[1])
    before = customer.slots("b")
    assert_expected_slots(before, upto=2)

    cluster.stop("actions")
    try:
        reply = texts(customer.say("b", SCRIPT[2]))
        assert "sorry" in reply.lower() and "agent" in reply.lower(), reply
        # Slots said before the outage are all still there.
        assert_expected_slots(customer.slots("b"), upto=2)
        # A contact given during the outage is acknowledged and reaches the lead.
        reply = texts(customer.say("b", "you can call me at 503-555-0123"))
        assert "+15035550123" in reply, reply
        events = customer.tracker("b")["events"]
        assert len(_outage_replies(events)) == 2  # one apology per turn, no more
        assert turn_problems(events) == []  # each outage turn still ends by listening
        lead = _lead(cluster, customer.sender)
        assert lead is not None
        assert lead.phone == "+15035550123" and lead.status == "handoff"
        assert list(lead.states) == EXPECTED_SLOTS["states"]
        assert any(line["text"] == SCRIPT[2] for line in lead.transcript)
    finally:
        cluster.ready("actions")

    # Back: the conversation goes on from where it was.
    customer.say("b", SCRIPT[2])
    for message in SCRIPT[3:]:
        customer.say("a", message)
    slots = customer.slots("a")
    assert_expected_slots(slots)
    assert slots["recommendation"]["carriers"]
    lead = _assert_lead_has_every_fact(cluster, customer.sender)
    assert lead.phone == "+15035550123"


def _spooled_for(sender: str) -> list[dict[str, Any]]:
    if not SPOOL.exists():
        return []
    entries = []
    for line in SPOOL.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("sender_id") == sender:
            entries.append(entry)
    return entries


@pytest.mark.stack
def test_lead_database_down_the_lead_is_spooled_and_replayed(ready_cluster: Cluster) -> None:
    cluster = ready_cluster
    warm = Customer(cluster)  # the action server has its lead store migrated and pooled
    for message in SCRIPT:
        warm.say("b", message)
    assert _lead(cluster, warm.sender) is not None

    customer = Customer(cluster)
    cluster.db_proxy.stop()  # the lead database is gone for the action server
    try:
        replies = []
        for message in SCRIPT:
            replies = customer.say("b", message)
            assert replies, f"no reply to {message!r} while the lead database is down"
        # The assistant kept talking: the plan was presented.
        assert customer.slots("b")["recommendation"]["carriers"]
        assert "sorry" not in texts(replies).lower()
        assert _lead(cluster, customer.sender) is None  # not written...
        spooled = _spooled_for(customer.sender)
        assert spooled, "the lead update was not spooled"  # ...but kept
        assert spooled[-1]["slots"]["employees"] == 40.0
    finally:
        cluster.db_proxy.start()

    # The next save of any lead replays the spool first: ask for a person.
    reply = texts(customer.say("b", "/human_handoff"))
    assert "agent" in reply.lower()
    lead = _assert_lead_has_every_fact(cluster, customer.sender)
    assert lead.status == "handoff"
    assert not _spooled_for(customer.sender)


# ----------------------------------------------------------------- pure parts of the guards


def test_is_unavailable_recognises_a_down_or_failing_action_server() -> None:
    import asyncio

    import aiohttp
    from rasa.shared.exceptions import RasaException
    from rasa.utils.endpoints import ClientResponseError

    from bot.rasa_adapters.server.outage import is_unavailable

    def raised_from(cause: BaseException) -> RasaException:
        try:
            try:
                raise cause
            except BaseException:
                raise RasaException("Failed to execute custom action")
        except RasaException as error:
            return error

    assert is_unavailable(raised_from(aiohttp.ClientConnectionError("refused")))
    assert is_unavailable(raised_from(ClientResponseError(500, "Internal", "boom")))
    assert is_unavailable(raised_from(ClientResponseError(404, "Not Found", "")))
    assert is_unavailable(asyncio.TimeoutError())
    assert is_unavailable(raised_from(ConnectionRefusedError()))
    assert not is_unavailable(raised_from(ClientResponseError(400, "Bad", "rejected")))
    assert not is_unavailable(RasaException("no endpoint is configured"))
    assert not is_unavailable(ValueError("a bug"))


def test_apology_offers_a_person_and_acknowledges_a_contact() -> None:
    from bot.rasa_adapters.server.outage import apology_text

    plain = apology_text(None)
    assert "Sorry" in plain and "agents" in plain and "phone number or email" in plain
    with_contact = apology_text("+15035550123")
    assert "+15035550123" in with_contact and "agents" in with_contact
    assert "(503) 555-0100" in apology_text(None, support="(503) 555-0100")


def test_contact_from_messages_keeps_the_latest_valid_values() -> None:
    from bot.rasa_adapters.server.outage import contact_from_messages

    messages = [
        {"entities": [{"entity": "phone", "value": "503-555-0123"}]},
        {"entities": [{"entity": "email", "value": "not an email"},
                      {"entity": "city", "value": "Portland"}]},
        {"entities": [{"entity": "email", "value": "Jane@Example.COM"}]},
        {},
    ]
    assert contact_from_messages(messages) == {"phone": "+15035550123",
                                               "email": "Jane@example.com"}
    assert contact_from_messages([]) == {}


def test_clip_message() -> None:
    from bot.rasa_adapters.server.outage import clip_message

    assert clip_message(None, 10) is None
    text = "short"
    assert clip_message(text, 10) is text
    assert clip_message("x" * 50, 10) == "x" * 10


def test_tracker_facts_from_a_rasa_tracker() -> None:
    from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
    from rasa.shared.core.slots import AnySlot, ListSlot, TextSlot
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_adapters.server.outage import tracker_facts

    slots = [ListSlot("states", []), TextSlot("city", []), TextSlot("phone", []),
             AnySlot("recommendation", [])]
    tracker = DialogueStateTracker.from_events("s1", [
        UserUttered("we are in Portland", parse_data={
            "intent": {"name": "inform"}, "entities": [{"entity": "city", "value": "Portland"}]},
            input_channel="rest"),
        SlotSet("states", ["OR"]),
        SlotSet("city", "Portland"),
        BotUttered("How many sites?"),
        UserUttered("call me at 503 555 0123", parse_data={
            "intent": {"name": "inform"}, "entities": [{"entity": "phone", "value": "503 555 0123"}]},
            input_channel="rest"),
    ], slots=slots)
    facts = tracker_facts(tracker)
    assert facts["slots"]["states"] == ["OR"]
    assert facts["slots"]["phone"] == "+15035550123"
    assert facts["contact"] == "+15035550123"
    assert facts["channel"] == "rest"
    assert facts["said_facts"] is True
    assert [line["role"] for line in facts["transcript"]] == ["user", "bot", "user"]


@pytest.mark.parametrize(
    "body, problem",
    [
        ({"sender": "s", "message": "hi"}, None),
        ({"sender": "s", "message": "", "metadata": {"a": 1}}, None),
        ([1, 2], "JSON object"),
        ("hi", "JSON object"),
        ({"message": "hi"}, "'sender'"),
        ({"sender": "", "message": "hi"}, "'sender'"),
        ({"sender": 5, "message": "hi"}, "'sender'"),
        ({"sender": "x" * 256, "message": "hi"}, "at most 255"),
        ({"sender": "a\nb", "message": "hi"}, "control"),
        ({"sender": "s"}, "'message'"),
        ({"sender": "s", "message": None}, "'message'"),
        ({"sender": "s", "message": "hi", "metadata": []}, "'metadata'"),
        ({"sender": "s", "message": "hi", "input_channel": 3}, "'input_channel'"),
    ],
)
def test_rest_payload_problem(body: Any, problem: str | None) -> None:
    from bot.rasa_adapters.server.http_guard import rest_payload_problem

    found = rest_payload_problem(body)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_install_is_idempotent_and_wraps_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.actions.action as action_module
    import rasa.core.run as rasa_run
    from rasa.core import lock_store, tracker_store
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.core.utils import AvailableEndpoints

    import bot.rasa_adapters.server as rasa_server

    # Undo everything after the test: the patches are process-wide.
    monkeypatch.setattr(AvailableEndpoints, "read_endpoints",
                        AvailableEndpoints.__dict__["read_endpoints"])
    for owner, name in ((RemoteAction, "run"), (RemoteAction, "_validate_action_result"),
                        (MessageProcessor, "_run_action"), (MessageProcessor, "handle_message"),
                        (tracker_store, "create_engine_kwargs"),
                        (tracker_store, "_create_from_endpoint_config"),
                        (rasa_run, "configure_app"), (action_module, "DEFAULT_REQUEST_TIMEOUT"),
                        (lock_store.LockStore, "lock"),
                        (lock_store.RedisLockStore, "issue_ticket"),
                        (lock_store.RedisLockStore, "update_lock"),
                        (lock_store.RedisLockStore, "finish_serving"),
                        (lock_store.RedisLockStore, "cleanup")):
        monkeypatch.setattr(owner, name, getattr(owner, name))
    monkeypatch.setattr(rasa_server, "_installed", False)
    monkeypatch.setenv("ACTION_TIMEOUT_S", "7")
    monkeypatch.delenv("SANIC_REQUEST_MAX_SIZE", raising=False)
    original = RemoteAction.run
    rasa_server.install()
    patched = RemoteAction.run
    rasa_server.install()
    assert RemoteAction.run is patched is not original
    assert tracker_store._create_from_endpoint_config.__module__ == (
        "bot.rasa_adapters.server.tracker_cache")
    assert action_module.DEFAULT_REQUEST_TIMEOUT == 7
    import os

    assert os.environ["SANIC_REQUEST_MAX_SIZE"] == str(256 * 1024)
    monkeypatch.delenv("SANIC_REQUEST_MAX_SIZE")


def test_guarded_action_turns_an_outage_into_an_apology(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    import asyncio

    from rasa.shared.core.events import BotUttered, FollowupAction, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_adapters.server import outage

    monkeypatch.setattr(outage, "_save_lead", lambda sender, facts: None)

    class DownAction:
        def name(self) -> str:
            return "needs_form"

        async def run(self, *args: Any) -> list[Any]:
            raise outage.ActionServerUnavailable("refused")

    tracker = DialogueStateTracker.from_events("s2", [UserUttered("hello")], slots=[])
    guarded = outage._GuardedAction(DownAction())
    assert guarded.name() == "needs_form"
    events = asyncio.run(guarded.run(None, None, tracker, None))
    assert isinstance(events[0], BotUttered) and events[0].metadata[OUTAGE_MARK]
    assert isinstance(events[1], FollowupAction) and events[1].action_name == "action_listen"


def test_compiled_response_validator_agrees_with_jsonschema() -> None:
    from jsonschema import ValidationError, validate
    from rasa.core.actions.action import RemoteAction

    from bot.rasa_adapters.server.perf import response_validator

    spec = RemoteAction.action_response_format_spec()
    good = {"events": [{"event": "slot", "name": "states", "value": ["OR"], "timestamp": None},
                       {"event": "followup", "name": "action_listen"}],
            "responses": [{"text": "How many sites?", "buttons": []}]}
    bodies = [good, {"events": "nope"}, {"events": [{"name": "x"}]},
              {"events": [{"event": "slot"}]}, {"events": [{"event": "no-such-event"}]},
              {"responses": [{"text": 5}]}, {"responses": "x"}, {}]

    def verdict(check: Any, body: Any) -> bool:
        try:
            check(body)
            return True
        except ValidationError:
            return False

    verdicts = [(verdict(lambda b: validate(b, spec), body),
                 verdict(response_validator().validate, body)) for body in bodies]
    assert all(stock == compiled for stock, compiled in verdicts), verdicts
    assert verdicts[0] == (True, True) and verdicts[1] == (False, False)
    assert response_validator() is response_validator()


def test_sqlite_tracker_engine_is_pooled_wal(tmp_path: Path) -> None:
    import sqlite3

    from sqlalchemy.pool import QueuePool

    from bot.rasa_adapters.server.perf import sqlite_engine_kwargs

    assert sqlite_engine_kwargs("postgresql://u@h/db") == {}
    assert sqlite_engine_kwargs("sqlite://") == {}
    assert sqlite_engine_kwargs("sqlite:///:memory:") == {}
    kwargs = sqlite_engine_kwargs(f"sqlite:///{tmp_path / 'tracker.db'}")
    assert kwargs["poolclass"] is QueuePool
    connection = kwargs["creator"]()
    try:
        assert isinstance(connection, sqlite3.Connection)
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    finally:
        connection.close()
