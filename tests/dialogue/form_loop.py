"""A small in-process stand-in for Rasa's dialogue loop, driving the real custom actions.

Why this level: a conversation through a real Rasa server costs about a second of CPU per
turn on these 2-core machines, so the property test's many random conversations could not run
in `make test`. The dialogue behaviour under test lives in the custom actions anyway (form
validation, slot extraction, the ask actions, recommendation and handoff); Rasa's part is
mechanical: after each message it runs `action_validate_slot_mappings`, then the active
form, the way `rasa.core.actions.forms.FormAction` does (validate with the slots set since
the message, reject the turn when nothing was filled so a rule answers it, ask the next empty
required slot with `action_ask_<slot>`, stop when a validation sets `requested_slot` to None),
then the rules of data/rules/*.yml and any `FollowupAction`. `Conversation` does exactly that
over the real action classes, the real domain.yml and a real SQLite lead store, in
milliseconds a turn. What it leaves out is NLU: each message comes with the intent, confidence
and entities the test chooses, which lets a test play a classifier that gets them wrong. That
Rasa itself follows the rules is covered by tests/test_stories.yml (`rasa test core`).
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.change_answer import ActionChangeAnswer
from actions.forms import ValidateContactForm, ValidateNeedsForm
from actions.handoff import ActionHandoff, ActionSubmitLead
from actions.questions import ASK_ACTIONS, ActionOutOfScope
from actions.recommendation import ActionExplain, ActionRecommend
from actions.slot_extraction import ActionValidateSlotMappings

VALIDATIONS = {"needs_form": ValidateNeedsForm(), "contact_form": ValidateContactForm()}
CUSTOM_ACTIONS: Dict[str, Action] = {
    a.name(): a for a in (ActionValidateSlotMappings(), ActionRecommend(), ActionExplain(),
                          ActionHandoff(), ActionSubmitLead(), ActionChangeAnswer(), ActionOutOfScope())
}
CUSTOM_ACTIONS.update({f"action_ask_{slot}": cls() for slot, cls in ASK_ACTIONS.items()})

# data/rules/forms.yml and handoff.yml: what answers a message a form rejected, and whether the
# form then asks its question again.
LOOP_RULES: Dict[str, Dict[str, List[str]]] = {
    "needs_form": {
        "faq": ["utter_faq", "needs_form"],
        "out_of_scope": ["action_out_of_scope", "needs_form"],
        "greet": ["utter_greet", "needs_form"],
        "ask_why": ["action_explain", "needs_form"],
        "human_handoff": ["action_deactivate_loop", "action_handoff"],
        "complain": ["action_deactivate_loop", "action_handoff"],
    },
    "contact_form": {
        "faq": ["utter_faq", "contact_form"],
        "out_of_scope": ["action_out_of_scope", "contact_form"],
        "human_handoff": ["action_handoff", "contact_form"],
        "complain": ["action_handoff"],
    },
}
# data/rules.yml and handoff.yml without an active form.
RULES: Dict[str, List[str]] = {
    "greet": ["utter_greet"],
    "goodbye": ["utter_goodbye"],
    "affirm": ["utter_anything_else"],
    "deny": ["utter_no_problem"],
    "thank": ["utter_you_are_welcome"],
    "faq": ["utter_faq"],
    "out_of_scope": ["action_out_of_scope"],
    "ask_why": ["action_explain"],
    "inform": ["needs_form"],
    "skip": ["needs_form"],
    "change_answer": ["utter_ask_which_answer"],
    "email_plan": ["contact_form"],
    "human_handoff": ["action_handoff"],
    "complain": ["action_handoff"],
    "nlu_fallback": ["action_default_ask_affirmation"],
}
AFTER_FORM = {"needs_form": "action_recommend", "contact_form": "action_submit_lead"}
_clock = itertools.count(1_764_600_000)


@dataclass
class BotMessage:
    action: str
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


@dataclass
class Turn:
    """One customer message and everything the assistant did about it."""

    text: str
    intent: str
    confidence: float
    actions: List[str] = field(default_factory=list)
    messages: List[BotMessage] = field(default_factory=list)

    @property
    def questions(self) -> List[BotMessage]:
        """What the forms asked this turn (`action_ask_<slot>`)."""
        return [m for m in self.messages if m.action.startswith("action_ask_")]


def payload_message(payload: str) -> tuple[str, List[Dict[str, Any]]]:
    """A button payload as Rasa's RegexInterpreter reads it: `/intent{"entity": value}`."""
    match = re.fullmatch(r"/(\w+)(\{.*\})?", payload.strip())
    if not match:
        raise ValueError(f"not a payload: {payload!r}")
    entities = json.loads(match.group(2)) if match.group(2) else {}
    return match.group(1), [{"entity": k, "value": v} for k, v in entities.items()]


def transcript(turns: Sequence[Turn]) -> str:
    """The conversation as text, for assertion messages."""
    lines = []
    for turn in turns:
        lines.append(f"> {turn.text!r} [{turn.intent} {turn.confidence:.2f}]  {' '.join(turn.actions)}")
        lines.extend(f"    {m.action}: {m.text[:90]}" for m in turn.messages)
    return "\n".join(lines)


class Conversation:
    """One conversation: send messages with `say`, read what happened in `turns`."""

    def __init__(self, sender: str, domain: Dict[str, Any]) -> None:
        self.sender = sender
        self.domain = domain
        self.slots: Dict[str, Any] = {name: None for name in domain["slots"]}
        self.slots["requested_slot"] = None
        self.events: List[Dict[str, Any]] = []
        self.active_loop: Optional[str] = None
        self.latest: Dict[str, Any] = {}
        self.followup: Optional[str] = None
        self.turns: List[Turn] = []
        self.ran: List[str] = []  # every action, in order
        self.paused = False

    # --- the customer's side -------------------------------------------------------------------

    async def say(self, text: str, intent: str = "inform", confidence: float = 0.95,
                  entities: Sequence[Dict[str, Any]] = ()) -> Turn:
        """The customer says `text`, which the (imagined) NLU read as `intent` with `entities`."""
        self.latest = {"text": text, "intent": {"name": intent, "confidence": confidence},
                       "entities": [dict(e) for e in entities],
                       "intent_ranking": [{"name": intent, "confidence": confidence}]}
        self.events.append({"event": "user", "text": text, "timestamp": float(next(_clock)),
                            "parse_data": self.latest, "input_channel": "rest"})
        turn = Turn(text, intent, confidence)
        self.turns.append(turn)
        await self._run_action("action_validate_slot_mappings", turn)
        await self._respond(turn)
        return turn

    async def click(self, button: Dict[str, str]) -> Turn:
        intent, entities = payload_message(button["payload"])
        return await self.say(button["payload"], intent, 1.0, entities)

    # --- Rasa's side ---------------------------------------------------------------------------

    async def _respond(self, turn: Turn) -> None:
        intent = turn.intent
        if self.active_loop:
            form = self.active_loop
            if await self._run_form(form, turn, after_message=True):
                await self._after_form(form, turn)
                return
            # rejected: the rule for this digression answers, maybe back to the form
            steps = LOOP_RULES[form].get(intent) or RULES.get(intent, [])
            await self._run_steps(steps, turn)
            return
        await self._run_steps(RULES.get(intent, []), turn)

    async def _run_steps(self, steps: Sequence[str], turn: Turn) -> None:
        for name in steps:
            if name in VALIDATIONS:
                if await self._run_form(name, turn, after_message=False):
                    await self._after_form(name, turn)
                return
            if name == "action_deactivate_loop":
                self._apply_all([{"event": "active_loop", "name": None},
                                 {"event": "slot", "name": "requested_slot", "value": None}], turn)
                continue
            await self._run_action(name, turn)
            if await self._follow(turn):
                return

    async def _follow(self, turn: Turn) -> bool:
        """Run a pending FollowupAction (and whatever it leads to). True if there was one."""
        if not self.followup:
            return False
        name, self.followup = self.followup, None
        await self._run_steps([name], turn)
        return True

    async def _after_form(self, form: str, turn: Turn) -> None:
        """The form ran; if it finished, its FollowupAction or its rule comes next."""
        if self.active_loop == form:
            return
        if not await self._follow(turn):
            await self._run_steps([AFTER_FORM[form]], turn)

    async def _run_form(self, form: str, turn: Turn, after_message: bool) -> bool:
        """FormAction.run. False when the form rejected the message (nothing filled)."""
        self.ran.append(form)
        turn.actions.append(form)
        validation = VALIDATIONS[form]
        required = list(self.domain["forms"][form]["required_slots"])
        activating = self.active_loop != form
        events: List[Dict[str, Any]] = [{"event": "active_loop", "name": form}] if activating else []
        requested = None if activating else self.slots.get("requested_slot")
        if activating:
            candidates = {s: self.slots[s] for s in required if self.slots.get(s) is not None}
        elif after_message:
            candidates = self._set_since_message(set(required) | {requested})
        else:
            candidates = {}
        dispatcher = CollectingDispatcher()
        tracker = self._tracker(extra=[{"event": "action", "name": form}]
                                + [{"event": "slot", "name": k, "value": v} for k, v in candidates.items()],
                                active_loop=self.active_loop)
        validated = await validation.run(dispatcher, tracker, self.domain)
        some_validated = any(e.get("event") == "slot" and e.get("name") != "requested_slot" for e in validated)
        if after_message and not activating and requested and not candidates and not some_validated:
            self.events.append({"event": "action", "name": form})
            self.events.append({"event": "action_execution_rejected", "name": form})
            self._say(dispatcher, form, turn)  # (a rejecting validation says nothing)
            return False
        events += validated
        events += await self._request_next_slot(form, required, events, turn, dispatcher)
        self.events.append({"event": "action", "name": form})
        self._say(dispatcher, form, turn)
        if self._requested_after(events) is None and any(
                e.get("event") == "slot" and e.get("name") == "requested_slot" for e in events):
            events.append({"event": "active_loop", "name": None})
        self._apply_all(events, turn)
        return True

    async def _request_next_slot(self, form: str, required: List[str], so_far: List[Dict[str, Any]],
                                 turn: Turn, dispatcher: CollectingDispatcher) -> List[Dict[str, Any]]:
        if any(e.get("event") == "slot" and e.get("name") == "requested_slot" for e in so_far) \
                and self._requested_after(so_far) is None:
            return [{"event": "slot", "name": "requested_slot", "value": None}]
        slot = next((e.get("value") for e in so_far
                     if e.get("event") == "slot" and e.get("name") == "requested_slot"), None)
        events: List[Dict[str, Any]] = []
        slots = dict(self.slots)
        slots.update({e["name"]: e.get("value") for e in so_far if e.get("event") == "slot"})
        if not slot:
            slot = next((s for s in required if slots.get(s) is None), None)
            events.append({"event": "slot", "name": "requested_slot", "value": slot})
        if not slot:
            return events
        # the question is asked with everything the form did so far
        self._say(dispatcher, form, turn)
        dispatcher.messages.clear()
        ask = CollectingDispatcher()
        tracker = self._tracker(extra=[{"event": "action", "name": form}, *so_far, *events],
                                slots=slots | {"requested_slot": slot}, active_loop=form)
        name = f"action_ask_{slot}"
        asked = await CUSTOM_ACTIONS[name].run(ask, tracker, self.domain)
        self.ran.append(name)
        turn.actions.append(name)
        self._say(ask, name, turn)
        return events + list(asked)

    @staticmethod
    def _requested_after(events: Sequence[Dict[str, Any]]) -> Optional[str]:
        """The last value given to requested_slot in `events` (None also when never given)."""
        last = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == "requested_slot"]
        return last[-1] if last else None

    def _set_since_message(self, names: set) -> Dict[str, Any]:
        found: Dict[str, Any] = {}
        for event in reversed(self.events):
            if event.get("event") == "user":
                break
            if event.get("event") == "slot" and event.get("name") in names:
                found.setdefault(event["name"], event.get("value"))
        return found

    async def _run_action(self, name: str, turn: Turn) -> None:
        self.ran.append(name)
        turn.actions.append(name)
        if name.startswith("utter_"):
            turn.messages.append(BotMessage(name, name))
            self.events.append({"event": "action", "name": name})
            self.events.append({"event": "bot", "text": name, "timestamp": float(next(_clock))})
            return
        action = CUSTOM_ACTIONS[name]
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, self._tracker(active_loop=self.active_loop), self.domain)
        self.events.append({"event": "action", "name": name})
        self._say(dispatcher, name, turn)
        self._apply_all(list(events), turn)

    def _say(self, dispatcher: CollectingDispatcher, action: str, turn: Turn) -> None:
        for message in dispatcher.messages:
            text = message.get("text") or ""
            buttons = list(message.get("buttons") or [])
            turn.messages.append(BotMessage(action, text, buttons))
            self.events.append({"event": "bot", "text": text, "data": {"buttons": buttons},
                                "timestamp": float(next(_clock))})
        dispatcher.messages.clear()

    def _apply_all(self, events: Sequence[Dict[str, Any]], turn: Turn) -> None:
        for event in events:
            kind = event.get("event")
            if kind == "slot":
                self.slots[event["name"]] = event.get("value")
            elif kind == "active_loop":
                self.active_loop = event.get("name")
            elif kind == "followup":
                self.followup = event.get("name")
            elif kind == "pause":
                self.paused = True
            self.events.append(dict(event))

    def _tracker(self, extra: Sequence[Dict[str, Any]] = (), slots: Optional[Dict[str, Any]] = None,
                 active_loop: Optional[str] = None) -> Tracker:
        values = dict(slots if slots is not None else self.slots)
        for event in extra:
            if event.get("event") == "slot":
                values[event["name"]] = event.get("value")
        return Tracker(
            sender_id=self.sender,
            slots=values,
            latest_message=self.latest,
            events=[*self.events, *extra],
            paused=self.paused,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name=(extra[0].get("name") if extra else "action_listen"),
        )
