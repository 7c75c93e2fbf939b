"""Custom actions in the Rasa server's process (ACTIONS_MODE=inprocess, the embedded default):
configuration, and `RemoteAction` through `InProcessActionEndpoint` answering and failing as
it does over HTTP (bot.rasa_adapters.server.inprocess_actions). The real conversations in
both modes are in tests/e2e (test_both_action_modes.py) and tests/scale (http)."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

from bot.base.settings import Settings
from bot.rasa_adapters.server import outage
from bot.rasa_adapters.server.inprocess_actions import InProcessActionEndpoint, in_process
from bot.runtime.deployment import endpoints_config
from bot.runtime.launcher import ALL_SERVICES, services_to_start

# ------------------------------------------------------------------------------ configuration


def test_embedded_default_runs_the_actions_in_the_rasa_server() -> None:
    settings = Settings.from_env({})
    assert settings.actions_mode == "inprocess" and settings.actions_in_process
    endpoint = endpoints_config(settings)["action_endpoint"]
    assert endpoint == {"url": "http://127.0.0.1:5055/webhook", "type": "inprocess",
                        "package": "actions"}
    # The action server still runs on ACTIONS_PORT (CONTRACT section 2); it is just not called.
    assert services_to_start(settings, ALL_SERVICES) == list(ALL_SERVICES)


def test_http_mode_keeps_the_action_server() -> None:
    settings = Settings.from_env({"ACTIONS_MODE": "HTTP", "ACTIONS_PORT": "6055"})
    assert settings.actions_mode == "http" and not settings.actions_in_process
    assert endpoints_config(settings)["action_endpoint"] == {
        "url": "http://127.0.0.1:6055/webhook"}
    assert services_to_start(settings, ALL_SERVICES) == list(ALL_SERVICES)


def test_unknown_actions_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="ACTIONS_MODE"):
        Settings.from_env({"ACTIONS_MODE": "sidecar"})


def test_endpoints_file_selects_the_endpoint(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    from rasa.core.utils import AvailableEndpoints

    from bot.rasa_adapters.server import inprocess_actions

    monkeypatch.setattr(AvailableEndpoints, "read_endpoints",
                        AvailableEndpoints.__dict__["read_endpoints"])
    inprocess_actions.install()
    for mode, expected in (("inprocess", InProcessActionEndpoint), ("http", None)):
        path = tmp_path / f"endpoints-{mode}.yml"
        config = endpoints_config(Settings.from_env({"ACTIONS_MODE": mode}))
        path.write_text(yaml.safe_dump(config))
        endpoint = AvailableEndpoints.read_endpoints(str(path)).action
        if expected:
            assert isinstance(endpoint, expected) and endpoint.package == "actions"
            assert endpoint.executor.actions  # the actions package is loaded at start-up
        else:
            assert type(endpoint).__name__ == "EndpointConfig"
            assert endpoint.url == "http://127.0.0.1:5055/webhook"
    assert in_process(None) is None


# ------------------------------------------------------------------- the executor in process

ACTIONS = '''
from rasa_sdk import Action
from rasa_sdk.events import SlotSet
from rasa_sdk.interfaces import ActionExecutionRejection


class Answer(Action):
    def name(self):
        return "{prefix}_answer"

    async def run(self, dispatcher, tracker, domain):
        states = tracker.get_slot("states")
        states.append("WA")  # changes the action's own copy only
        dispatcher.utter_message(response="utter_hello", name="Ann")
        dispatcher.utter_message(text="plain", buttons=[{{"title": "Yes", "payload": "/yes"}}])
        return [SlotSet("states", states), SlotSet("seen", tracker.latest_message["text"])]


class Reject(Action):
    def name(self):
        return "{prefix}_reject"

    def run(self, dispatcher, tracker, domain):
        raise ActionExecutionRejection(self.name(), "not now")


class Broken(Action):
    def name(self):
        return "{prefix}_broken"

    async def run(self, dispatcher, tracker, domain):
        raise RuntimeError("bug")


class Slow(Action):
    def name(self):
        return "{prefix}_slow"

    async def run(self, dispatcher, tracker, domain):
        import asyncio
        await asyncio.sleep(5)
        return []
'''


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A throw-away rasa-sdk actions package (a unique name: the executor registers every
    rasa-sdk Action class of the process)."""
    name = f"inproc_{uuid.uuid4().hex[:8]}"
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / name / "acts.py").write_text(textwrap.dedent(ACTIONS.format(prefix=name)))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for module in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[module]


DOMAIN = Domain.from_dict({
    "slots": {"states": {"type": "list", "mappings": [{"type": "custom"}]},
              "seen": {"type": "text", "mappings": [{"type": "custom"}]}},
    "responses": {"utter_hello": [{"text": "Hello {name}"}]},
})


def _run(package: str, action: str, **timeout: Any) -> tuple[list[Any], Any]:
    tracker = DialogueStateTracker.from_events(
        "someone", [UserUttered("we are in Oregon"), SlotSet("states", ["OR"])], DOMAIN.slots)
    endpoint = InProcessActionEndpoint(package=package)
    output = CollectingOutputChannel()
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    events = asyncio.run(RemoteAction(f"{package}_{action}", endpoint).run(output, nlg, tracker,
                                                                          DOMAIN))
    return events, tracker


def test_an_action_answers_as_over_http(package: str) -> None:
    events, tracker = _run(package, "answer")
    bot = [e for e in events if isinstance(e, BotUttered)]
    assert [b.text for b in bot] == ["Hello Ann", "plain"]
    assert bot[1].data["buttons"] == [{"title": "Yes", "payload": "/yes"}]
    slots = {e.key: e.value for e in events if isinstance(e, SlotSet)}
    assert slots == {"states": ["OR", "WA"], "seen": "we are in Oregon"}
    assert tracker.get_slot("states") == ["OR"]  # Rasa's tracker was not changed in place


def test_a_rejection_is_rasas_action_execution_rejection(package: str) -> None:
    with pytest.raises(ActionExecutionRejection, match="not now"):
        _run(package, "reject")


@pytest.mark.parametrize("action", ["broken", "no_such_action"])
def test_a_failing_or_unknown_action_counts_as_the_action_server_down(package: str,
                                                                      action: str) -> None:
    with pytest.raises(RasaException) as raised:
        _run(package, action)
    # What the outage guard looks at: a 500 / 404 from "the action server".
    assert outage.is_unavailable(raised.value)


def test_a_slow_action_times_out(package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.actions.action as rasa_action

    monkeypatch.setattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT", 0.2)
    with pytest.raises(asyncio.TimeoutError) as raised:
        _run(package, "slow")
    assert outage.is_unavailable(raised.value)


def test_our_actions_package_runs_in_process() -> None:
    from bot.base.settings import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("someone", [UserUttered("hi")], domain.slots)
    endpoint = InProcessActionEndpoint()
    events = asyncio.run(RemoteAction("action_ask_states", endpoint).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
        tracker, domain))
    assert any(isinstance(e, BotUttered) and e.text for e in events)
