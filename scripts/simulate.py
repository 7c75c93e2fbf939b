"""`make simulate`: simulated customers (tests/simulator/personas.yml) talk to the real assistant
over REST, each like a person would, and the conversations are scored.

For every persona (a fresh sender id each): send its opening; after each bot reply read the
tracker (`requested_slot`, `active_loop`, the events of the turn) and the buttons offered, and
answer the question asked with the persona's next phrasing for that slot (a button the way a
person would tap it where the persona has no words of its own, or where the bot asks "do you
mean A or B?"). When the plan is shown the persona plays its ending (talk to an agent, email me
the plan with the contact form, or goodbye). A conversation stops after the ending, when the
conversation is paused, when the persona gives up (one question asked --give-up-after times in a
row, 5: it closes the chat without a word), or after --max-turns customer messages (30).

Scores per run: share of conversations reaching a plan (slot `recommendation`) or a handoff
(action_handoff ran / `handoff_reason` set / conversation paused); customer turns to the plan
(median, p90); re-asks per conversation (the question just answered is asked again) and the most
consecutive asks of one question; fallback rate (customer turns where nlu_fallback or a fallback
action ran); slot accuracy against each persona's fact sheet on the tracker's final slots.

Writes <out>/report.json and <out>/transcripts/<persona>.md for each failing conversation
(no plan/handoff, a question asked 3+ times in a row, or slot accuracy < 1; every conversation
with SIMULATE_ALL_TRANSCRIPTS=1, to read what changed between two runs); prints a table and
one JSON object as the last line. Exit 1 when a persona fails the gate: no plan/handoff, a
question asked more than twice in a row, or slot accuracy below --min-slot-accuracy (0.0).

Usage: .venv/bin/python -m scripts.simulate [--personas PATH] [--only ID[,ID]] [--out DIR]
       [--url http://127.0.0.1:5005 [--token T]] [--workers 3] [--min-slot-accuracy 0.0]
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.runtime.launcher import launch_stack  # noqa: E402  (the only import of the bot's code)

DEFAULT_PERSONAS = ROOT / "tests" / "simulator" / "personas.yml"
# Written after the training data changed and never used for error analysis: the honest figure.
SEALED_PERSONAS = ROOT / "tests" / "simulator" / "personas_sealed.yml"
PERSONA_SETS = (DEFAULT_PERSONAS, SEALED_PERSONAS)
DEFAULT_OUT = ROOT / "results" / "simulate"
MAX_TURNS = 30
MAX_ASKS_IN_A_ROW = 2  # the gate: a question asked a third time in a row fails the persona
GIVE_UP_AFTER = 5  # a person closes the chat when the same question comes a fifth time in a row
# A Tuesday at 10:30 in the office's time zone (as tests/e2e): business hours, so a handoff
# means "an agent joins" and the contact form asks no callback time.
DEFAULT_BOT_NOW = "2026-12-01T10:30:00-08:00"

STYLES = ("terse", "rambling", "off_topic", "corrector", "wants_human", "typo", "mixed")
ENDINGS = ("contact", "human", "goodbye")
FORMS = ("needs_form", "contact_form")
NEEDS_SLOTS = ("states", "num_locations", "services", "challenges", "employees",
               "current_carrier", "contract_end")
CONTACT_SLOTS = ("contact_name", "company_name", "email", "phone", "callback_time")
FACT_SLOTS = ("states", "city", "zip_code", "num_locations", "services", "challenges", "employees",
              "current_carrier", "contract_end", "contact_name", "company_name", "email", "phone")
ANSWER_SLOTS = NEEDS_SLOTS + CONTACT_SLOTS
OPTIONAL_SLOTS = {"challenges", "employees", "current_carrier", "contract_end",
                  "company_name", "callback_time"}
# Facts no question asks for: they count for slot accuracy whenever the fact sheet has them.
NEVER_ASKED = {"city", "zip_code"}
FALLBACK_ACTIONS = {"action_default_fallback", "action_two_stage_fallback",
                    "action_default_ask_rephrase", "action_default_ask_affirmation"}
LIST_SLOTS = {"states", "services", "challenges"}
NUMBER_SLOTS = {"num_locations", "employees"}
# Which slot an entity in a button payload fills.
ENTITY_SLOT = {"us_state": "states", "city": "city", "zip_code": "zip_code",
               "num_locations": "num_locations", "employees": "employees", "service": "services",
               "challenge": "challenges", "carrier": "current_carrier",
               "contract_end": "contract_end", "email": "email", "phone": "phone"}
# Plain words a person would recognise on a button, per canonical value.
LABELS: dict[str, tuple[str, ...]] = {
    "t1": ("t1", "t1 lines", "ds1"), "pri": ("pri", "pris", "pris / t1s", "isdn"),
    "sip": ("sip", "sip trunks"), "dia": ("dedicated internet", "fiber internet"),
    "broadband": ("broadband", "business broadband", "cable internet"),
    "ethernet": ("ethernet", "metro ethernet", "point to point"), "mpls": ("mpls",),
    "sdwan": ("sd-wan",), "ucaas": ("cloud phone system", "hosted phones"),
    "pots": ("phone lines", "analog lines"), "wireless_backup": ("lte backup", "wireless backup"),
    "wavelength": ("wavelength",), "dark_fiber": ("dark fiber",),
    "high_cost": ("costs too much", "price", "bill too high"),
    "poor_support": ("poor support", "bad support"), "reliability": ("outages", "reliability"),
    "need_redundancy": ("need a backup", "redundancy"),
    "contract_inflexibility": ("locked into a contract", "contract"),
    "slow_install": ("slow installs",), "multi_site_management": ("managing many sites",),
    "vendor_dependence": ("one vendor for everything",), "bandwidth": ("not enough bandwidth",),
    "relocation": ("moving offices",),
}
# What a person types when they run out of their own words (canonical value -> words).
PLAIN: dict[str, str] = {
    "t1": "T1 lines", "pri": "PRIs", "sip": "SIP trunks", "dia": "dedicated internet",
    "broadband": "business broadband", "ethernet": "metro ethernet", "mpls": "MPLS",
    "sdwan": "SD-WAN", "ucaas": "a cloud phone system", "pots": "analog phone lines",
    "wireless_backup": "LTE backup", "wavelength": "a wavelength", "dark_fiber": "dark fiber",
    "high_cost": "the bill is too high", "poor_support": "poor support",
    "reliability": "outages", "need_redundancy": "we need a backup line",
    "contract_inflexibility": "we're locked into a contract", "slow_install": "slow installs",
    "multi_site_management": "managing all our sites", "vendor_dependence": "we depend on one vendor",
    "bandwidth": "not enough bandwidth", "relocation": "we're moving offices",
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
SKIP_WORDS = re.compile(r"^\s*(skip|pass|n/?a|no idea|not sure|i'?d rather not|rather not|dunno|idk)\b",
                        re.IGNORECASE)
# A customer asking for a person (not one saying "we can never reach a human at the carrier").
WANTS_PERSON = re.compile(
    r"\b(talk to|speak (to|with)|put me through|get me|connect me|i'?d like|i want|i'?d rather|a real)\b"
    r"[^.?!]*\b(human|person|agents?|someone|somebody|representative|people)\b",
    re.IGNORECASE)
GREETING = re.compile(r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|morning)\b[\s!.]*$",
                      re.IGNORECASE)
CHOICE_PROMPT = re.compile(r"\b(do|did) you mean\b", re.IGNORECASE)


# ------------------------------------------------------------------------------ personas


@dataclass
class Persona:
    id: str
    style: str
    facts: dict[str, Any]
    opening: list[str]
    answers: dict[str, list[str]]
    ending: str
    ending_text: Optional[str] = None
    opening_gives: list[str] = field(default_factory=list)
    interjections: dict[int, str] = field(default_factory=dict)
    note: str = ""
    persona_set: str = "development"  # "sealed" for personas_sealed.yml


def load_personas(path: Path, only: Optional[Sequence[str]] = None) -> list[Persona]:
    """Read and check the personas file; `only` keeps those ids (in the file's order)."""
    raw = yaml.safe_load(path.read_text())
    items = raw.get("personas") if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items:
        raise SystemExit(f"{path}: expected a non-empty list under `personas:`")
    personas: list[Persona] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"{path}: persona #{i + 1} ({item.get('id') if isinstance(item, dict) else '?'})"
        if not isinstance(item, dict) or not item.get("id"):
            raise SystemExit(f"{where}: needs an id")
        pid = str(item["id"])
        if pid in seen:
            raise SystemExit(f"{where}: duplicate id")
        seen.add(pid)
        style = item.get("style")
        if style not in STYLES:
            raise SystemExit(f"{where}: style must be one of {', '.join(STYLES)}")
        ending = item.get("ending", "goodbye")
        if ending not in ENDINGS:
            raise SystemExit(f"{where}: ending must be one of {', '.join(ENDINGS)}")
        facts = dict(item.get("facts") or {})
        unknown = set(facts) - set(FACT_SLOTS)
        if unknown:
            raise SystemExit(f"{where}: unknown fact slots {sorted(unknown)}")
        answers = {}
        for slot, phrasings in (item.get("answers") or {}).items():
            if slot not in ANSWER_SLOTS:
                raise SystemExit(f"{where}: answers for unknown slot {slot!r}")
            if isinstance(phrasings, str):
                phrasings = [phrasings]
            if not isinstance(phrasings, list) or not all(isinstance(p, str) for p in phrasings):
                raise SystemExit(f"{where}: answers.{slot} must be a list of strings")
            answers[slot] = phrasings
        opening = item.get("opening")
        opening_list = [opening] if isinstance(opening, str) else list(opening or [])
        if not opening_list:
            raise SystemExit(f"{where}: needs an opening message")
        interjections = {}
        for entry in item.get("interjections") or []:
            interjections[int(entry["after_turn"])] = str(entry["text"])
        personas.append(Persona(
            id=pid, style=style, facts=facts, opening=[str(o) for o in opening_list],
            answers=answers, ending=ending, ending_text=item.get("ending_text"),
            opening_gives=list(item.get("opening_gives") or []), interjections=interjections,
            note=str(item.get("note") or ""),
            persona_set="sealed" if "sealed" in path.stem else "development",
        ))
    if only:
        wanted = set(only)
        missing = wanted - {p.id for p in personas}
        if missing:
            raise SystemExit(f"no persona with id {', '.join(sorted(missing))} in {path}")
        personas = [p for p in personas if p.id in wanted]
    return personas


# ------------------------------------------------------------------------------ REST client


class Client:
    """A customer on the REST channel, and an agent's view of the tracker."""

    def __init__(self, url: str, token: Optional[str], sender: str) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.sender = sender

    def _open(self, request: urllib.request.Request | str, timeout: float) -> Any:
        for attempt in range(3):
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                    return json.loads(response.read() or b"null")
            except urllib.error.HTTPError:
                raise
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if attempt == 2:
                    raise
                time.sleep(1 + attempt)
        return None

    def say(self, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": self.sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook", data=body,
            headers={"Content-Type": "application/json"}, method="POST")
        return list(self._open(request, timeout=120) or [])

    def tracker(self) -> dict[str, Any]:
        query = f"?token={urllib.parse.quote(self.token)}" if self.token else ""
        sender = urllib.parse.quote(self.sender, safe="")
        return dict(self._open(f"{self.url}/conversations/{sender}/tracker{query}", timeout=60) or {})


# ------------------------------------------------------------------------------ one conversation


@dataclass
class Turn:
    n: int                      # 1-based customer turn
    text: str                   # what the customer sent (a payload when a button was tapped)
    kind: str                   # opening | answer | button | interjection | ending | volunteer | rephrase
    slot: Optional[str]         # the slot the customer meant to answer
    button_title: Optional[str]
    replies: list[dict[str, Any]]
    intents: list[str]
    actions: list[str]
    requested_slot: Optional[str]
    active_loop: Optional[str]
    asked: Optional[str]        # the question open after this turn (a form's requested slot)
    fallback: bool


def _buttons(replies: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [dict(b) for r in replies for b in (r.get("buttons") or [])
            if isinstance(b, Mapping) and b.get("payload")]


def _payload(payload: str) -> tuple[str, dict[str, Any]]:
    """'/inform{"service": "dia"}' -> ("inform", {"service": "dia"})."""
    match = re.match(r"^/(\w+)(\{.*\})?\s*$", payload.strip(), re.DOTALL)
    if not match:
        return "", {}
    entities: dict[str, Any] = {}
    if match.group(2):
        try:
            entities = dict(json.loads(match.group(2)))
        except (ValueError, TypeError):
            entities = {}
    return match.group(1), entities


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _active_loop(tracker: Mapping[str, Any]) -> Optional[str]:
    loop = tracker.get("active_loop") or {}
    return loop.get("name") if isinstance(loop, Mapping) else None


class Conversation:
    """One persona's conversation, played turn by turn."""

    def __init__(self, persona: Persona, client: Client, max_turns: int = MAX_TURNS,
                 give_up_after: int = GIVE_UP_AFTER) -> None:
        self.p = persona
        self.client = client
        self.max_turns = max_turns
        self.give_up_after = give_up_after
        self.turns: list[Turn] = []
        self.asked_count: dict[str, int] = {}
        self.first_buttons: dict[str, list[str]] = {}
        self.opening = list(persona.opening)
        self.tracker: dict[str, Any] = {}
        self.seen_events = 0
        self.plan_turn: Optional[int] = None
        self.handoff_turn: Optional[int] = None
        self.handoff_asked_for = False  # the message that led to the handoff asked for a person
        self.ending_done = False
        self.finished_reason = ""
        self.error: Optional[str] = None

    # ---- what the persona says

    def generated_answer(self, slot: str) -> Optional[str]:
        """Plain words for a fact, when the persona's own phrasings are used up."""
        value = self.p.facts.get(slot)
        if value is None:
            if slot == "callback_time":
                return "tomorrow morning"
            return None
        if slot == "states":
            city = self.p.facts.get("city")
            return f"{city}, {value[0]}" if city else ", ".join(value)
        if slot in ("services", "challenges"):
            return " and ".join(PLAIN.get(v, v) for v in value)
        if slot in NUMBER_SLOTS:
            return str(int(value))
        if slot == "contract_end":
            parts = str(value).split("-")
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}" if len(parts) >= 2 else str(value)
        if slot == "phone":
            digits = str(value)[-10:]
            return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
        return str(value)

    def button_score(self, button: Mapping[str, str], slot: Optional[str]) -> float:
        """How well a button matches what this persona would say (0..1)."""
        intent, entities = _payload(button.get("payload", ""))
        if intent != "inform" and not entities:
            return 0.0
        target_slots = [slot] if slot else list(self.p.facts)
        best = 0.0
        current = (self.tracker.get("slots") or {})
        for entity, value in entities.items():
            entity_slot = ENTITY_SLOT.get(entity)
            if entity_slot not in target_slots:
                continue
            facts = [str(v).lower() for v in _as_list(self.p.facts.get(entity_slot))]
            values = [str(v).lower() for v in _as_list(value)]
            if any(v in facts for v in values):
                have = [str(v).lower() for v in _as_list(current.get(entity_slot))]
                best = max(best, 0.9 if all(v in have for v in values) else 1.0)
        title = (button.get("title") or "").lower()
        for target in target_slots:
            for fact in _as_list(self.p.facts.get(target)):
                for label in LABELS.get(str(fact), (str(fact).lower(),)):
                    ratio = difflib.SequenceMatcher(None, title, label).ratio()
                    if ratio >= 0.6:
                        best = max(best, 0.5 * ratio)
        return best

    def best_button(self, buttons: Sequence[Mapping[str, str]], slot: Optional[str]) -> Optional[dict[str, str]]:
        scored = sorted(((self.button_score(b, slot), i) for i, b in enumerate(buttons)), reverse=True)
        if scored and scored[0][0] > 0:
            return dict(buttons[scored[0][1]])
        return None

    def answer(self, slot: str, replies: list[dict[str, Any]]) -> tuple[str, str, Optional[str]]:
        """(text, kind, button title) answering `slot` for the k-th time."""
        k = self.asked_count.get(slot, 0)
        self.asked_count[slot] = k + 1
        buttons = _buttons(replies)
        payloads = [b["payload"] for b in buttons]
        prompt = any(CHOICE_PROMPT.search(r.get("text") or "") for r in replies)
        first = self.first_buttons.get(slot)
        if buttons and first is None and not prompt:
            self.first_buttons[slot] = payloads  # the question's own quick replies
        choice = bool(buttons) and (prompt or (first is not None and payloads != first))
        if choice:
            # "Do you mean A or B?": a person taps the one they mean.
            button = self.best_button(buttons, slot)
            if button:
                return button["payload"], "button", button.get("title")
        phrasings = self.p.answers.get(slot, [])
        if k < len(phrasings):
            return phrasings[k], "answer", None
        if buttons:
            button = self.best_button(buttons, slot)
            if button:
                return button["payload"], "button", button.get("title")
        generated = self.generated_answer(slot)
        if generated and k == len(phrasings):
            return generated, "answer", None
        if phrasings:
            return phrasings[-1], "answer", None
        if generated:
            return generated, "answer", None
        return ("skip" if slot in OPTIONAL_SLOTS else "I'm not sure"), "answer", None

    def volunteer(self) -> tuple[str, str, Optional[str]]:
        """Nothing asked and no plan yet: the persona tells the next thing it knows."""
        slots = self.tracker.get("slots") or {}
        for slot in NEEDS_SLOTS:
            if slots.get(slot) in (None, []) and (slot in self.p.facts or slot in self.p.answers):
                text, kind, title = self.answer(slot, [])
                return text, "volunteer", title
        return "so what would you recommend for us?", "volunteer", None

    def intended_intent(self, text: str, kind: str) -> str:
        if kind == "ending" and self.p.ending == "goodbye":
            return "goodbye"
        if WANTS_PERSON.search(text):
            return "human_handoff"
        if GREETING.match(text):
            return "greet"
        if SKIP_WORDS.match(text):
            return "skip"
        return "inform"

    # ---- the loop

    def goal(self) -> Optional[str]:
        if self.plan_turn is not None:
            return "plan"
        if self.handoff_turn is not None:
            return "handoff"
        return None

    def next_message(self) -> Optional[tuple[str, str, Optional[str], Optional[str]]]:
        """(text, kind, slot, button title), or None to stop."""
        n = len(self.turns)
        slots = self.tracker.get("slots") or {}
        active = _active_loop(self.tracker)
        requested = slots.get("requested_slot") if active in FORMS else None
        last = self.turns[-1] if self.turns else None
        replies = last.replies if last else []
        if self.opening:
            text = self.opening.pop(0)
            return text, "opening", None, None
        _, _, _, streak, streak_slot = self.ask_stats()
        if self.give_up_after and streak >= self.give_up_after:
            # The customer closes the chat (saying so could read as a complaint, i.e. a handoff).
            self.finished_reason = f"gave up: {streak_slot} asked {streak}x in a row"
            return None
        recent = ["\n".join(r.get("text") or "" for r in t.replies) for t in self.turns[-self.give_up_after:]]
        if self.give_up_after and len(recent) == self.give_up_after and len(set(recent)) == 1 and recent[0]:
            self.finished_reason = f"gave up: the assistant said the same thing {len(recent)}x"
            return None
        if n in self.p.interjections and self.goal() is None:
            return self.p.interjections[n], "interjection", None, None
        if self.goal() is not None:
            if self.tracker.get("paused") or (last and "action_submit_lead" in last.actions):
                self.finished_reason = "paused" if self.tracker.get("paused") else "lead submitted"
                return None
            if active == "contact_form" and requested in CONTACT_SLOTS:
                has_words = requested in self.p.answers or requested in self.p.facts
                if not has_words and requested not in OPTIONAL_SLOTS and requested != "callback_time":
                    self.finished_reason = f"persona has no {requested}"
                    return "sorry, I have to run. bye", "ending", None, None
                text, kind, title = self.answer(requested, replies)
                return text, kind, requested, title
            plan_buttons = [b for b in _buttons(replies)
                            if _payload(b["payload"])[0] in ("human_handoff", "email_plan")]
            if plan_buttons and not self.ending_done:
                self.ending_done = True
                if self.p.ending_text:
                    return self.p.ending_text, "ending", None, None
                if self.p.ending == "goodbye":
                    return "thanks, that's helpful. bye!", "ending", None, None
                want = "human_handoff" if self.p.ending == "human" else "email_plan"
                for b in plan_buttons:
                    if _payload(b["payload"])[0] == want:
                        return b["payload"], "ending", None, b.get("title")
                return ("I'd like to talk to an agent" if want == "human_handoff"
                        else "please email me the plan"), "ending", None, None
            self.finished_reason = "nothing more to say"
            return None
        if last and "action_default_ask_affirmation" in last.actions:
            # "Did you mean ...?": tap it if that is what the persona meant, else say it again.
            meant = self.intended_intent(last.text, last.kind)
            for b in _buttons(replies):
                if _payload(b["payload"])[0] == meant:
                    return b["payload"], "button", last.slot, b.get("title")
            if last.slot:
                text, _, title = self.answer(last.slot, replies)
                return text, "rephrase", last.slot, title
        if requested:
            text, kind, title = self.answer(requested, replies)
            return text, kind, requested, title
        if last and "action_default_ask_rephrase" in last.actions and last.slot:
            text, _, title = self.answer(last.slot, replies)
            return text, "rephrase", last.slot, title
        text, kind, title = self.volunteer()
        return text, kind, None, title

    def play(self) -> None:
        try:
            self.tracker = self.client.tracker()
            self.seen_events = len(self.tracker.get("events") or [])
            while len(self.turns) < self.max_turns:
                step = self.next_message()
                if step is None:
                    break
                text, kind, slot, title = step
                replies = self.client.say(text)
                self.tracker = self.client.tracker()
                self.record(text, kind, slot, title, replies)
                if kind == "ending" and (self.p.ending == "goodbye" or self.finished_reason):
                    self.finished_reason = self.finished_reason or "said goodbye"
                    break
                if self.tracker.get("paused"):
                    self.finished_reason = "paused"
                    break
            else:
                self.finished_reason = f"turn limit ({self.max_turns})"
        except Exception as exc:  # noqa: BLE001 - one broken conversation must not stop the run
            self.error = f"{type(exc).__name__}: {exc}"
            self.finished_reason = "error"

    def record(self, text: str, kind: str, slot: Optional[str], title: Optional[str],
               replies: list[dict[str, Any]]) -> None:
        events = list(self.tracker.get("events") or [])
        new = events[self.seen_events:] if len(events) >= self.seen_events else events
        self.seen_events = len(events)
        intents = [((e.get("parse_data") or {}).get("intent") or {}).get("name") or ""
                   for e in new if e.get("event") == "user"]
        actions = [e.get("name") or "" for e in new if e.get("event") == "action"]
        slots = self.tracker.get("slots") or {}
        active = _active_loop(self.tracker)
        requested = slots.get("requested_slot")
        asked = requested if active in FORMS and requested else None
        clarifying = any(e.get("event") == "slot" and e.get("name") == "pending_clarifications"
                         and e.get("value") for e in new)
        if asked and clarifying:
            # "When you say internet, which one?" follows an answer that filled the slot: a
            # different question than the slot's own, so it is its own streak.
            asked = f"{asked} (which one?)"
        fallback = "nlu_fallback" in intents or any(a in FALLBACK_ACTIONS for a in actions)
        n = len(self.turns) + 1
        self.turns.append(Turn(n, text, kind, slot, title, replies, intents, actions,
                               requested, active, asked, fallback))
        if self.plan_turn is None and slots.get("recommendation"):
            self.plan_turn = n
        if self.handoff_turn is None and (
                "action_handoff" in actions or slots.get("handoff_reason") or self.tracker.get("paused")):
            self.handoff_turn = n
            self.handoff_asked_for = (_payload(text)[0] == "human_handoff"
                                      or bool(WANTS_PERSON.search(text)))

    # ---- scoring

    def ask_stats(self) -> tuple[int, int, Optional[str], int, Optional[str]]:
        """(re-asks, most consecutive asks of one question, that question, the streak open
        after the last turn, its question).

        A question is asked again "after an answer" when the customer's message answered (or
        tried to answer) that very slot and the same slot is requested again. A digression the
        persona starts itself (an interjection) doesn't count as an answer, and doesn't end the
        streak either."""
        re_asks = 0
        best, best_slot = 0, None
        streak, streak_slot = 0, None
        previous: Optional[str] = None
        for turn in self.turns:
            if turn.active_loop == "action_two_stage_fallback" or (turn.asked is None and turn.fallback):
                continue  # "did you mean ...?": counted as a fallback, the question is still open
            asked = turn.asked
            if asked is None:
                streak, streak_slot = 0, None
            elif asked == previous and asked == streak_slot:
                if turn.slot == asked or turn.kind in ("answer", "button", "rephrase", "volunteer"):
                    streak += 1
                    re_asks += 1
            else:
                streak, streak_slot = 1, asked
            if streak > best:
                best, best_slot = streak, streak_slot
            previous = asked
        return re_asks, best, best_slot, streak, streak_slot

    def in_play(self, slot: str) -> bool:
        """Whether a fact had its chance: asked at some point, stated in the opening, never
        asked by design (city, ZIP), or filled anyway."""
        if slot in NEVER_ASKED or slot in self.p.opening_gives:
            return True
        if any(t.asked == slot for t in self.turns):
            return True
        value = (self.tracker.get("slots") or {}).get(slot)
        return value not in (None, [])

    def slot_results(self) -> dict[str, dict[str, Any]]:
        slots = self.tracker.get("slots") or {}
        results: dict[str, dict[str, Any]] = {}
        for slot, expected in self.p.facts.items():
            if not self.in_play(slot):
                continue
            actual = slots.get(slot)
            results[slot] = {"expected": expected, "actual": actual, "ok": same_value(slot, expected, actual)}
        return results


def same_value(slot: str, expected: Any, actual: Any) -> bool:
    if actual in (None, []):
        return False
    if slot == "states":
        exp, act = [str(v).upper() for v in _as_list(expected)], [str(v).upper() for v in _as_list(actual)]
        return set(exp) == set(act) and exp[:1] == act[:1]  # every site's state, HQ first
    if slot in LIST_SLOTS:
        return {str(v) for v in _as_list(expected)} == {str(v) for v in _as_list(actual)}
    if slot in NUMBER_SLOTS:
        try:
            return float(expected) == float(actual)
        except (TypeError, ValueError):
            return False
    if slot in ("email", "city", "contact_name", "company_name", "current_carrier"):
        return " ".join(str(expected).split()).casefold() == " ".join(str(actual).split()).casefold()
    return str(expected).strip() == str(actual).strip()


# ------------------------------------------------------------------------------ a run


def play_persona(persona: Persona, url: str, token: Optional[str], max_turns: int,
                 give_up_after: int = GIVE_UP_AFTER) -> Conversation:
    sender = f"sim-{persona.id}-{uuid.uuid4().hex[:8]}"
    conversation = Conversation(persona, Client(url, token, sender), max_turns, give_up_after)
    conversation.play()
    return conversation


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-q * len(ordered) // 100)))
    return float(ordered[min(rank, len(ordered)) - 1])


def score(conversation: Conversation, min_slot_accuracy: float) -> dict[str, Any]:
    re_asks, max_asks, loop_slot, _, _ = conversation.ask_stats()
    slot_results = conversation.slot_results()
    compared = len(slot_results)
    correct = sum(1 for r in slot_results.values() if r["ok"])
    accuracy = correct / compared if compared else 1.0
    outcome = conversation.goal()
    reason = (conversation.tracker.get("slots") or {}).get("handoff_reason")
    # A handoff nobody asked for: the assistant read a plain answer as a request for a person
    # or as frustration, or gave up (two-stage fallback). Guidance handoffs (multi-state,
    # enterprise, no coverage) are meant.
    unrequested = (conversation.handoff_turn is not None and not conversation.handoff_asked_for
                   and reason in ("user_request", "frustration", "low_confidence"))
    fallback_turns = sum(1 for t in conversation.turns if t.fallback)
    gate: list[str] = []
    if outcome is None:
        gate.append("no plan or handoff")
    if max_asks > MAX_ASKS_IN_A_ROW:
        gate.append(f"{loop_slot} asked {max_asks}x in a row")
    if accuracy < min_slot_accuracy:
        gate.append(f"slot accuracy {accuracy:.2f} < {min_slot_accuracy}")
    if conversation.error:
        gate.append(f"error: {conversation.error}")
    failing = bool(gate) or max_asks >= 3 or accuracy < 1.0
    return {
        "id": conversation.p.id,
        "style": conversation.p.style,
        "sender": conversation.client.sender,
        "outcome": outcome,
        "handoff_reason": reason,
        "handoff_unrequested": unrequested,
        "turns": len(conversation.turns),
        "turns_to_plan": conversation.plan_turn,
        "turns_to_handoff": conversation.handoff_turn,
        "finished": conversation.finished_reason,
        "re_asks": re_asks,
        "max_consecutive_asks": max_asks,
        "loop_slot": loop_slot if max_asks > 1 else None,
        "fallback_turns": fallback_turns,
        "slot_accuracy": round(accuracy, 3),
        "slots_compared": compared,
        "slot_mismatches": {s: {"expected": r["expected"], "actual": r["actual"]}
                            for s, r in slot_results.items() if not r["ok"]},
        "gate_failures": gate,
        "persona_set": conversation.p.persona_set,
        "passed_gate": not gate,
        "failing": failing,
        "error": conversation.error,
        "_slot_results": slot_results,
    }


def summarise(rows: list[dict[str, Any]], min_slot_accuracy: float, elapsed_s: float) -> dict[str, Any]:
    n = len(rows)
    to_plan = [r["turns_to_plan"] for r in rows if r["turns_to_plan"] is not None]
    turns = sum(r["turns"] for r in rows)
    per_slot: dict[str, list[bool]] = {}
    for r in rows:
        for slot, result in r["_slot_results"].items():
            per_slot.setdefault(slot, []).append(bool(result["ok"]))
    compared = sum(len(v) for v in per_slot.values())
    correct = sum(sum(v) for v in per_slot.values())
    loops: dict[str, int] = {}
    for r in rows:
        if r["max_consecutive_asks"] > MAX_ASKS_IN_A_ROW and r["loop_slot"]:
            loops[r["loop_slot"]] = loops.get(r["loop_slot"], 0) + 1
    return {
        "personas": n,
        "reached_plan_or_handoff": round(sum(1 for r in rows if r["outcome"]) / n, 3) if n else 0.0,
        "reached_plan": round(sum(1 for r in rows if r["outcome"] == "plan") / n, 3) if n else 0.0,
        "reached_handoff_only": round(sum(1 for r in rows if r["outcome"] == "handoff") / n, 3) if n else 0.0,
        "turns_to_plan_median": statistics.median(to_plan) if to_plan else None,
        "turns_to_plan_p90": percentile(to_plan, 90),
        "re_asks_per_conversation": round(sum(r["re_asks"] for r in rows) / n, 2) if n else 0.0,
        "max_consecutive_asks": max((r["max_consecutive_asks"] for r in rows), default=0),
        "conversations_with_a_question_asked_3x": sum(1 for r in rows if r["max_consecutive_asks"] >= 3),
        "looping_questions": dict(sorted(loops.items(), key=lambda kv: -kv[1])),
        "handoffs_unrequested": [f"{r['id']} ({r['handoff_reason']})" for r in rows if r["handoff_unrequested"]],
        "fallback_rate": round(sum(r["fallback_turns"] for r in rows) / turns, 3) if turns else 0.0,
        "customer_turns": turns,
        "slot_accuracy_mean": round(statistics.mean(r["slot_accuracy"] for r in rows), 3) if n else None,
        "slot_accuracy_micro": round(correct / compared, 3) if compared else None,
        "slot_accuracy_per_slot": {s: round(sum(v) / len(v), 3) for s, v in sorted(per_slot.items())},
        "min_slot_accuracy": min_slot_accuracy,
        "failing_conversations": sum(1 for r in rows if r["failing"]),
        "gate_failures": sum(1 for r in rows if not r["passed_gate"]),
        "gate_failed_ids": [r["id"] for r in rows if not r["passed_gate"]],
        "passed": all(r["passed_gate"] for r in rows),
        "elapsed_s": round(elapsed_s, 1),
    }


def transcript(conversation: Conversation, row: Mapping[str, Any]) -> str:
    p = conversation.p
    lines = [f"# {p.id} ({p.style})", ""]
    if p.note:
        lines += [f"_{p.note}_", ""]
    lines += [
        f"- sender: `{row['sender']}`",
        f"- outcome: {row['outcome'] or 'none'} (finished: {row['finished']})",
        f"- turns: {row['turns']}, to plan: {row['turns_to_plan']}, re-asks: {row['re_asks']}, "
        f"max asks in a row: {row['max_consecutive_asks']} ({row['loop_slot'] or '-'})",
        f"- fallback turns: {row['fallback_turns']}, slot accuracy: {row['slot_accuracy']}",
        f"- gate: {'; '.join(row['gate_failures']) or 'passed'}",
    ]
    if conversation.error:
        lines.append(f"- error: {conversation.error}")
    lines += ["", "## Conversation", ""]
    for t in conversation.turns:
        said = f"[button: {t.button_title}] {t.text}" if t.button_title else t.text
        lines.append(f"**{t.n}. customer** ({t.kind}{', for ' + t.slot if t.slot else ''}): {said}")
        for reply in t.replies:
            text = (reply.get("text") or "").strip()
            if text:
                lines.append(f"> bot: {text}")
            buttons = [b.get("title") for b in reply.get("buttons") or [] if isinstance(b, Mapping)]
            if buttons:
                lines.append(f"> buttons: {' | '.join(str(b) for b in buttons)}")
        if not t.replies:
            lines.append("> (no reply)")
        note = f"intent {','.join(t.intents) or '-'}; actions {', '.join(a for a in t.actions if a != 'action_listen') or '-'}"
        lines.append(f"  `{note}; asked next: {t.asked or '-'}{'; FALLBACK' if t.fallback else ''}`")
        lines.append("")
    lines += ["## Slots (expected vs final)", "", "| slot | expected | final | ok |", "| --- | --- | --- | --- |"]
    for slot, result in row["_slot_results"].items():
        lines.append(f"| {slot} | {json.dumps(result['expected'])} | {json.dumps(result['actual'])} | "
                     f"{'yes' if result['ok'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def run_simulation(
    personas: Sequence[Persona],
    url: str,
    token: Optional[str],
    out_dir: Path,
    workers: int = 3,
    max_turns: int = MAX_TURNS,
    min_slot_accuracy: float = 0.0,
    quiet: bool = False,
    give_up_after: int = GIVE_UP_AFTER,
) -> dict[str, Any]:
    """Play every persona against the assistant at `url`; write the report and transcripts."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        conversations = list(pool.map(lambda p: play_persona(p, url, token, max_turns, give_up_after), personas))
    rows = [score(c, min_slot_accuracy) for c in conversations]
    elapsed = time.monotonic() - started
    summary = summarise(rows, min_slot_accuracy, elapsed)
    by_set = {name: summarise([r for r in rows if r["persona_set"] == name], min_slot_accuracy, elapsed)
              for name in sorted({r["persona_set"] for r in rows})}
    out_dir.mkdir(parents=True, exist_ok=True)
    transcripts = out_dir / "transcripts"
    shutil.rmtree(transcripts, ignore_errors=True)
    transcripts.mkdir(parents=True, exist_ok=True)
    for conversation, row in zip(conversations, rows):
        if row["failing"] or os.environ.get("SIMULATE_ALL_TRANSCRIPTS"):
            path = transcripts / f"{row['id']}.md"
            path.write_text(transcript(conversation, row))
            row["transcript"] = str(path.relative_to(out_dir))
    public_rows = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    report = {"summary": summary, "summary_by_set": by_set, "conversations": public_rows, "url": url}
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    if not quiet:
        print_table(public_rows, summary)
        for name, s in by_set.items():
            print(f"{name:12} personas {s['personas']}: plan or handoff {s['reached_plan_or_handoff']:.0%}, "
                  f"turns to plan median {s['turns_to_plan_median']} p90 {s['turns_to_plan_p90']}, "
                  f"slot accuracy {s['slot_accuracy_micro']}, gate failures {s['gate_failures']}")
    return report


def print_table(rows: Sequence[Mapping[str, Any]], summary: Mapping[str, Any]) -> None:
    header = f"{'persona':38} {'style':11} {'outcome':8} {'turns':>5} {'plan@':>5} {'reask':>5} {'max':>3} {'loop':15} {'fb':>3} {'acc':>5}  gate"
    print(header)
    print("-" * len(header))
    for r in rows:
        outcome = (r["outcome"] or "-") + ("*" if r["handoff_unrequested"] else "")
        print(f"{r['id'][:38]:38} {r['style']:11} {outcome:8} {r['turns']:>5} "
              f"{(r['turns_to_plan'] if r['turns_to_plan'] is not None else '-'):>5} {r['re_asks']:>5} "
              f"{r['max_consecutive_asks']:>3} {(r['loop_slot'] or '-')[:15]:15} {r['fallback_turns']:>3} "
              f"{r['slot_accuracy']:>5.2f}  {'ok' if r['passed_gate'] else 'FAIL: ' + '; '.join(r['gate_failures'])}")
    print("-" * len(header))
    s = summary
    print(f"plan or handoff {s['reached_plan_or_handoff']:.0%} (plan {s['reached_plan']:.0%}) | "
          f"turns to plan median {s['turns_to_plan_median']} p90 {s['turns_to_plan_p90']} | "
          f"re-asks/conv {s['re_asks_per_conversation']} | max asks in a row {s['max_consecutive_asks']} | "
          f"fallback rate {s['fallback_rate']:.1%} | slot accuracy {s['slot_accuracy_micro']} | "
          f"gate failures {s['gate_failures']}/{s['personas']}")
    if s["handoffs_unrequested"]:
        print(f"* handoff nobody asked for: {', '.join(s['handoffs_unrequested'])}")


# ------------------------------------------------------------------------------ the stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stack_env(tmp: Path, token: str, bot_now: str) -> dict[str, str]:
    """A private stack: free ports, a throwaway database, no Slack/Redis/RabbitMQ from the
    caller's environment (a simulated handoff must never reach a real sales channel)."""
    return {
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "BOT_API_TOKEN": token,
        "DATABASE_URL": f"sqlite:///{tmp / 'simulate.db'}",
        "BOT_NOW": bot_now,
        "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "SLACK_CHANNEL": "",
        "SALES_SLACK_CHANNEL": "", "REDIS_URL": "", "RABBITMQ_URL": "",
    }


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.simulate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--personas", type=Path, nargs="+", default=list(PERSONA_SETS),
                        help="persona files (default: the development set and the sealed set)")
    parser.add_argument("--only", action="append", default=[], metavar="ID",
                        help="play only this persona (repeat, or comma-separate)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--url", help="an already-running Rasa server (no stack is started)")
    parser.add_argument("--token", default=os.environ.get("BOT_API_TOKEN"),
                        help="BOT_API_TOKEN of the server at --url (default: $BOT_API_TOKEN)")
    parser.add_argument("--workers", type=int, default=3, help="conversations at a time")
    parser.add_argument("--max-turns", type=int, default=MAX_TURNS)
    parser.add_argument("--give-up-after", type=int, default=GIVE_UP_AFTER,
                        help="the persona leaves when one question comes this many times in a row (0: never)")
    parser.add_argument("--min-slot-accuracy", type=float, default=0.0)
    parser.add_argument("--bot-now", default=DEFAULT_BOT_NOW,
                        help="BOT_NOW of the stack this script starts")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    only = [i.strip() for item in args.only for i in item.split(",") if i.strip()]
    personas = [p for path in args.personas for p in load_personas(path)]
    if only:
        missing = set(only) - {p.id for p in personas}
        if missing:
            raise SystemExit(f"no persona with id {', '.join(sorted(missing))}")
        personas = [p for p in personas if p.id in set(only)]
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    if args.url:
        report = run_simulation(personas, args.url, args.token, out, args.workers,
                                args.max_turns, args.min_slot_accuracy, give_up_after=args.give_up_after)
    else:
        with tempfile.TemporaryDirectory(prefix="carrier-advisor-simulate-") as tmp:
            token = secrets.token_urlsafe(16)
            env = stack_env(Path(tmp), token, args.bot_now)
            log_dir = out / "logs"
            print(f"starting the Rasa and action servers (logs in {log_dir}) ...", file=sys.stderr, flush=True)
            with launch_stack(env, services=("actions", "rasa"), log_dir=log_dir) as stack:
                print(f"playing {len(personas)} personas against {stack.rasa_url} ...", file=sys.stderr, flush=True)
                report = run_simulation(personas, stack.rasa_url, token, out, args.workers,
                                        args.max_turns, args.min_slot_accuracy, give_up_after=args.give_up_after)
    summary = report["summary"]
    print(f"report: {out / 'report.json'}; transcripts of failing conversations: {out / 'transcripts'}")
    print(json.dumps(summary, default=str))
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
