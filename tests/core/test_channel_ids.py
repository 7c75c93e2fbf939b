"""Issue 14: conversation ids are namespaced per channel; the REST guard enforces it."""

from __future__ import annotations

from bot.base.conversation_ids import is_reserved_sender, slack_conversation_id
from bot.rasa_adapters.server.http_guard import rest_payload_problem


def test_slack_ids_are_namespaced_once() -> None:
    assert slack_conversation_id("T0NORTH", "U0123ABCD") == "slack:T0NORTH:U0123ABCD"
    assert slack_conversation_id(None, "U0123ABCD") == "slack:-:U0123ABCD"
    assert slack_conversation_id("T0NORTH", "slack:T0NORTH:U1") == "slack:T0NORTH:U1"
    assert is_reserved_sender("SLACK:T:U") and not is_reserved_sender("U0123ABCD")


def test_rest_cannot_use_a_slack_id_or_an_oversized_channel() -> None:
    ok = {"sender": "U0123ABCD", "message": "hi"}  # CONTRACT section 3: any other string
    assert rest_payload_problem(ok) is None
    assert "reserved" in rest_payload_problem({**ok, "sender": "slack:T0NORTH:U0123ABCD"})
    assert "input_channel" in rest_payload_problem({**ok, "input_channel": "x" * 65})
    assert "input_channel" in rest_payload_problem({**ok, "input_channel": "web\x00"})
    assert rest_payload_problem({**ok, "input_channel": "partner-site"}) is None
