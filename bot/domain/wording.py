"""Everything the assistant says, from two broker-edited files, validated on load.

- bot/data/wording/conversation.yml (`ConversationWording`): what the conversation says:
  questions, messages (handoff, outage, the plan's framing lines ...), re-asks for answers
  that can't be used, intent descriptions, and the `responses` Rasa keeps in domain.yml
  (copied there by `python -m scripts.sync_responses`).
- bot/data/wording/plan.yml (`PlanWording`): what the plan says: guideline reasons, roles,
  kinds, service names, plan steps and "why?" answers.

Code only fills {placeholders}; each template may use the words its table below lists. In
conversation.yml a placeholder naming another message ({office_closed}) is that message's text,
so one sentence is written once. Both loaders follow the reload rule of bot.base.schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from pydantic import create_model, validator

from bot.base.schema import DataModel, Invalid, NonEmptyText, check_placeholders, load_cached, placeholders, read_model
from bot.base.yamldata import DATA_DIR
from bot.domain.canonical import CHALLENGES, GUIDELINE_IDS, ROLES, SERVICES

WORDING_DIR = DATA_DIR / "wording"
CONVERSATION_PATH = WORDING_DIR / "conversation.yml"
PLAN_PATH = WORDING_DIR / "plan.yml"
MAX_ECHO = 60  # never echo more than this much of what the customer typed


def join_names(names: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# =========================================================================== conversation.yml

# Every message the code says, with the {words} it fills in. Each must be in the file.
MESSAGE_WORDS: Mapping[str, tuple[str, ...]] = {
    # forms and fallbacks
    "plan_options": (),
    "plan_unchanged": (),
    "plan_not_understood": (),
    "ask_rephrase": (),
    "ask_affirmation": ("value",),
    "something_else": (),
    "changed_answer": ("value",),
    "answer_taken": ("value",),
    "options_explained": ("word", "descriptions"),
    "sites_from_towns": ("value",),
    "unclear_service": ("word", "options"),
    "problems_besides_told": ("told",),
    "default_fallback": (),
    # handoff to a person, in and after business hours
    "office_closed": ("next_opening",),
    "handoff_in_hours": (),
    "handoff_after_hours": ("next_opening",),
    "handoff_under_way": (),
    "office_closed_note": ("next_opening",),
    "unknown_name": (),
    "plan_by_email": ("name", "email"),
    # "Email me the plan": sent at once; sending (retried); no plan yet (bot/notify/mail.py)
    "plan_emailed": ("name", "email"),
    "plan_email_on_its_way": ("name", "email"),
    "plan_email_no_plan_yet": ("name",),
    "plan_email_after_questions": ("name", "email"),
    "callback_promised": ("name", "next_opening"),
    "callback_promised_at": ("name", "callback_time", "next_opening"),
    "agent_joining": ("name",),
    "agent_unreachable": ("name",),
    # the plan message and "why?" before there is a plan
    "plan_heading": (),
    "plan_carrier": ("carrier", "role", "kind", "states"),
    "plan_carrier_no_states": ("carrier", "role", "kind"),
    "plan_next_steps": (),
    "plan_updated": (),
    "plan_before_carriers": (),
    "plan_step": ("number", "step"),
    "explain_before_plan": (),
    # the action server is down (bot/rasa_adapters/server/outage.py)
    "outage_apology": (),
    "outage_apology_with_contact": ("contact",),
    "outage_direct_line": ("support",),
}
# Messages the file adds beyond the table (e.g. for a new action) may use these.
OTHER_MESSAGE_WORDS = ("value", "word", "options")
PROBLEM_WORDS = ("value",)


@dataclass(frozen=True)
class Message:
    """A text with optional quick-reply buttons ({"title", "payload"})."""

    text: str
    buttons: tuple[dict[str, str], ...] = ()


class ButtonEntry(DataModel):
    title: NonEmptyText
    payload: NonEmptyText


class MessageEntry(DataModel):
    """`key: text`, or `key: {text: ..., buttons: [{title, payload}, ...]}`."""

    text: NonEmptyText
    buttons: List[ButtonEntry] = []

    @classmethod
    def validate(cls, value: Any) -> "MessageEntry":
        return super().validate({"text": value} if isinstance(value, str) else value)

    def to_message(self) -> Message:
        return Message(self.text, tuple({"title": b.title, "payload": b.payload} for b in self.buttons))


class ResponseVariant(DataModel):
    """One variant of a Rasa response, as domain.yml writes it."""

    text: Optional[NonEmptyText] = None
    buttons: List[ButtonEntry] = []
    image: Optional[NonEmptyText] = None
    custom: Optional[Dict[str, Any]] = None
    channel: Optional[NonEmptyText] = None
    condition: Optional[List[Dict[str, Any]]] = None

    @validator("condition", always=True)
    def _says_something(cls, value: Any, values: Dict[str, Any]) -> Any:  # noqa: N805
        if not (values.get("text") or values.get("image") or values.get("custom")):
            raise ValueError("a response needs a text (or an image or custom payload)")
        return value


class ConversationFile(DataModel):
    """The schema of conversation.yml."""

    unknown_key = "unknown section {key!r}; expected {known}"

    questions: Dict[str, MessageEntry]
    messages: Dict[str, MessageEntry]
    intent_descriptions: Dict[str, NonEmptyText]
    problems: Dict[str, NonEmptyText]
    responses: Dict[str, List[ResponseVariant]]

    @validator("messages")
    def _every_message_the_code_says(cls, messages: Dict[str, MessageEntry]) -> Dict[str, MessageEntry]:  # noqa: N805
        missing = [key for key in MESSAGE_WORDS if key not in messages]
        if missing:
            raise Invalid(f"missing {', '.join(missing)} (the code says them)")
        for key, entry in messages.items():
            words = MESSAGE_WORDS.get(key, OTHER_MESSAGE_WORDS)
            check_placeholders(entry.text, (*words, *(k for k in messages if k != key)), at=(key, "text"))
            for name in placeholders(entry.text):
                if name not in messages:
                    continue
                needed = set(MESSAGE_WORDS.get(name, ())) - set(words)
                if needed:
                    raise Invalid(f"{{{name}}} needs {', '.join(sorted(needed))}, which {key} doesn't have", at=(key, "text"))
                if any(inner in messages for inner in placeholders(messages[name].text)):
                    raise Invalid(f"{{{name}}} uses another message itself; only one level is allowed", at=(key, "text"))
        return messages

    @validator("problems")
    def _fallback_and_words(cls, problems: Dict[str, str]) -> Dict[str, str]:  # noqa: N805
        if "required" not in problems:
            raise Invalid("missing 'required' (the fallback re-ask)")
        for key, text in problems.items():
            check_placeholders(text, PROBLEM_WORDS, at=(key,))
        return problems


class ConversationWording:
    """What the conversation says, looked up by key."""

    def __init__(
        self,
        questions: Mapping[str, Message],
        messages: Mapping[str, Message],
        intent_descriptions: Mapping[str, str],
        problems: Mapping[str, str],
        responses: Optional[Mapping[str, Any]] = None,
    ) -> None:
        self.questions = dict(questions)
        self.messages = dict(messages)
        self.intent_descriptions = dict(intent_descriptions)
        self._problems = dict(problems)
        self.responses = dict(responses or {})

    def problem(self, code: str, value: object = "") -> str:
        """The re-ask for a problem code, quoting (a short form of) what the customer typed."""
        template = self._problems.get(code) or self._problems["required"]
        shown = " ".join(str(value).split())
        if len(shown) > MAX_ECHO:  # never echo a wall of text back
            shown = shown[: MAX_ECHO - 3] + "..."
        return template.format(value=shown)

    def question(self, slot: str) -> Message:
        return self.questions[slot]

    def message(self, key: str, **values: Any) -> Message:
        """Message `key` with its {words} filled in; {another_message} is that message's text."""
        message = self.messages[key]
        if not values:
            return message
        return Message(self._fill(message.text, values, key), message.buttons)

    def text(self, key: str, **values: Any) -> str:
        """Just the text of message `key`, filled in."""
        return self.message(key, **values).text

    def _fill(self, text: str, values: Mapping[str, Any], key: str) -> str:
        words = dict(values)
        for name in placeholders(text):
            if name not in words and name in self.messages and name != key:
                words[name] = self.messages[name].text.format(**values)
        return text.format(**words)


def _read_conversation(path: Path) -> ConversationWording:
    parsed, _ = read_model(path, ConversationFile)
    return ConversationWording(
        questions={k: v.to_message() for k, v in parsed.questions.items()},
        messages={k: v.to_message() for k, v in parsed.messages.items()},
        intent_descriptions=dict(parsed.intent_descriptions),
        problems=dict(parsed.problems),
        responses={k: [v.dict(exclude_defaults=True) for v in variants] for k, variants in parsed.responses.items()},
    )


def load_conversation_wording(path: Union[str, Path, None] = None) -> ConversationWording:
    """conversation.yml (default: the shipped one), validated; errors name the file and line."""
    return load_cached(path or CONVERSATION_PATH, _read_conversation)


# =========================================================================== plan.yml

# {words} the plan steps may use (all filled in for every step, see guidance._words).
STEP_WORDS = frozenset(
    "primary primary_states primary_services secondary secondary_states pilot pilot_services "
    "redundancy rfq clecs states uncovered_states l4_services all_services "
    # site-level coverage, successors, backup media, contract timing (guidance._words, advice)
    "redundancy_medium primary_medium unserved_places hq_place local_incumbent was current "
    "successor successor_states notes end_date".split()
)
# {words} the "why?" answers may use.
EXPLAIN_WORDS = frozenset(
    "carrier role kind states services reasons primary others note served_states sold_services "
    "wanted_services guidelines".split()
)
STEPS = (
    "missing_states no_coverage end_to_end keep_primary primary_only secondary partial_coverage l4 "
    "pilot redundancy rfq negotiate site_survey compare_service diversify missing_services "
    "handoff_complex_needs handoff_enterprise handoff_no_coverage agent agent_generic portfolio "
    # below-state coverage, legacy lines and contract timing (bot/domain/guidance.py, advice.py)
    "no_carriers located located_area located_assumed local_successor legacy_t1_pri legacy_pots "
    "sip_needs_dia bandwidth_fiber contract_ended contract_start_now contract_plan_ahead "
    "contract_later co_term ownership"
).split()
EXPLANATIONS = (
    "in_plan not_alone not_serving not_selling not_needed not_competitive not_primary unknown no_plan "
    "plan_intro applied"
).split()


class GuidelineEntry(DataModel):
    title: NonEmptyText
    plain: NonEmptyText


def _texts_model(name: str, keys: Iterable[str], words: frozenset[str] = frozenset()) -> type[DataModel]:
    """A section with exactly `keys`, each a non-empty text using only {words}."""

    def only_known_words(cls: Any, text: str) -> str:
        check_placeholders(text, words)
        return text

    return create_model(  # type: ignore[no-any-return]
        name,
        __base__=DataModel,
        __validators__={"_words": validator("*", allow_reuse=True)(only_known_words)},
        **{key: (NonEmptyText, ...) for key in keys},
    )


class _GuidelineSection(DataModel):
    unknown_key = "unknown guideline id {key!r}; expected {known}"


_Guidelines = create_model("Guidelines", __base__=_GuidelineSection,
                           **{gid: (GuidelineEntry, ...) for gid in GUIDELINE_IDS})


class PlanFile(DataModel):
    """The schema of plan.yml."""

    unknown_key = "unknown section {key!r}; expected {known}"

    guidelines: _Guidelines  # type: ignore[valid-type]
    roles: _texts_model("Roles", ROLES)  # type: ignore[valid-type]
    role_names: _texts_model("RoleNames", ROLES)  # type: ignore[valid-type]
    kinds: _texts_model("Kinds", ("ILEC", "CLEC"))  # type: ignore[valid-type]
    services: _texts_model("ServiceNames", SERVICES)  # type: ignore[valid-type]
    service_descriptions: _texts_model("ServiceDescriptions", SERVICES)  # type: ignore[valid-type]
    challenges: _texts_model("ChallengeNames", CHALLENGES)  # type: ignore[valid-type]
    steps: _texts_model("Steps", STEPS, STEP_WORDS)  # type: ignore[valid-type]
    explain: _texts_model("Explanations", EXPLANATIONS, EXPLAIN_WORDS)  # type: ignore[valid-type]


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True)
class PlanWording:
    """The texts of plan.yml, validated."""

    titles: Mapping[str, str]
    plain: Mapping[str, str]
    roles: Mapping[str, str]
    role_names: Mapping[str, str]
    kinds: Mapping[str, str]
    services: Mapping[str, str]
    service_descriptions: Mapping[str, str]
    challenges: Mapping[str, str]
    steps: Mapping[str, str]
    explain: Mapping[str, str]

    def step(self, key: str, words: Mapping[str, str]) -> str:
        """Fill in step `key`; words not given become empty."""
        return self.steps[key].format_map(_Blank(words))

    def explanation(self, key: str, **words: str) -> str:
        """Fill in explanation template `key`."""
        return self.explain[key].format_map(_Blank(words))

    def service_names(self, codes: Iterable[str]) -> str:
        """"T1 lines and PRI phone trunks" for ("t1", "pri")."""
        return join_names([self.services.get(c, c) for c in codes])


def _read_plan(path: Path) -> PlanWording:
    parsed, _ = read_model(path, PlanFile)
    guidelines = parsed.guidelines.dict()
    return PlanWording(
        titles={gid: entry["title"] for gid, entry in guidelines.items()},
        plain={gid: entry["plain"] for gid, entry in guidelines.items()},
        roles=parsed.roles.dict(),
        role_names=parsed.role_names.dict(),
        kinds=parsed.kinds.dict(),
        services=parsed.services.dict(),
        service_descriptions=parsed.service_descriptions.dict(),
        challenges=parsed.challenges.dict(),
        steps=parsed.steps.dict(),
        explain=parsed.explain.dict(),
    )


def load_plan_wording(path: Union[str, Path, None] = None) -> PlanWording:
    """plan.yml (default: the shipped one), validated; errors name the file and line."""
    return load_cached(path or PLAN_PATH, _read_plan)
