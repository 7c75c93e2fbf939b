"""A question whose replies don't answer it is asked at most twice in a row.

The form validation (actions/forms.py) keeps a `MissedQuestion` in the `missed_question` slot:
the question being asked, how many replies in a row didn't answer it (not understood, out of
scope, or about something else) and the customer's own words in the replies it could not use.
After the second miss the question is not simply asked a third time (`next_step`):

- an optional question, or a follow-up to one already answered ("which internet?" beside SIP),
  is dropped; the customer's words become a note for the agent (slot `agent_notes`, kept on
  the lead, shown on the dashboard, in the Slack handoff and in the export);
- a required question is asked once more as choices: buttons, and a person;
- a required question whose choices were missed too is given up: "I'll have an agent look at
  this". That is a handoff when the conversation can't go on without the answer
  (`NEEDED_TO_GO_ON`), otherwise a note and the next question.

Plain Python: the actions only read and write the slots.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Final, Iterable, Optional, Sequence

from bot.conversation.wording import Copy, Message, default_copy
from bot.domain.slots import SLOTS_BY_NAME

#: Replies in a row that may miss a question before it is asked differently (or dropped).
MISSES_BEFORE_CHANGING_TACK: Final = 2
#: Without these there is no next step to offer: no plan without where the sites are and what
#: they need (bot/domain/guidance.py says "missing_states"/"missing_services"), no emailed plan
#: without an email address. Giving up on one of them hands the customer to a person.
NEEDED_TO_GO_ON: Final[frozenset[str]] = frozenset({"states", "services", "email"})
HANDOFF_PAYLOAD: Final = "/human_handoff"
MAX_REPLY = 200  # characters of one reply kept for the agent
MAX_REPLIES = 3  # replies kept per question
MAX_NOTES = 20


class Step(Enum):
    """What the form does instead of asking the same question again."""

    ASK_AGAIN = "ask_again"
    NOTE_AND_MOVE_ON = "note_and_move_on"
    OFFER_CHOICES = "offer_choices"
    GIVE_UP = "give_up"


@dataclass(frozen=True)
class MissedQuestion:
    """The question asked (`slot`) and the replies in a row that did not answer it."""

    slot: Optional[str] = None
    misses: int = 0
    replies: tuple[str, ...] = ()
    choices_offered: bool = False

    @classmethod
    def from_slot(cls, value: Any) -> "MissedQuestion":
        if not isinstance(value, dict) or not isinstance(value.get("slot"), str):
            return cls()
        misses = value.get("misses")
        replies = tuple(str(r) for r in value.get("replies") or () if r)
        return cls(value["slot"], misses if isinstance(misses, int) else 0, replies,
                   bool(value.get("choices_offered")))

    def to_slot(self) -> Optional[dict[str, Any]]:
        if self.slot is None:
            return None
        return {"slot": self.slot, "misses": self.misses, "replies": list(self.replies),
                "choices_offered": self.choices_offered}

    def missed(self, slot: str, reply: Optional[str] = None) -> "MissedQuestion":
        """One more reply that did not answer `slot` (a new streak if it was another question);
        `reply` is kept for the agent when given."""
        streak = self if self.slot == slot else MissedQuestion(slot)
        words = " ".join((reply or "").split())[:MAX_REPLY]
        replies = (*streak.replies, words) if words and words not in streak.replies else streak.replies
        return replace(streak, misses=streak.misses + 1, replies=replies[-MAX_REPLIES:])

    def offering_choices(self) -> "MissedQuestion":
        return replace(self, choices_offered=True)

    def shows_choices_for(self, slot: str) -> bool:
        """The question for `slot` is to be asked as choices (see `choices_for`)."""
        return self.slot == slot and self.choices_offered


def next_step(missed: MissedQuestion, *, droppable: bool, has_choices: bool) -> Step:
    """After a miss: ask again, or change tack (see the module docstring).

    `droppable`: the question may go unanswered (optional, or a follow-up to an answer).
    `has_choices`: there are choices to offer for it (`choices_for`).
    """
    if missed.misses < MISSES_BEFORE_CHANGING_TACK:
        return Step.ASK_AGAIN
    if droppable:
        return Step.NOTE_AND_MOVE_ON
    if has_choices and not missed.choices_offered:
        return Step.OFFER_CHOICES
    return Step.GIVE_UP


def hands_off(slot: str, handing_off: bool) -> bool:
    """Giving up on `slot` hands the customer to a person (unless that is under way already)."""
    return slot in NEEDED_TO_GO_ON and not handing_off


def choices_for(slot: str, handing_off: bool, copy: Optional[Copy] = None) -> Optional[Message]:
    """The question for `slot` as choices (conversation.yml `choices_<slot>`), without the
    "a person" button while a person is already on the way; None when nothing is left to offer.

    The buttons' payloads fill the slot directly, so a choice is an answer whatever the
    classifier makes of the words. The site ranges fill num_locations with their lower bound
    (`/inform{"num_locations": 6}` for "6–20"): an agent confirms the count, and a lower bound
    never makes a network look big enough to need a person when it may not be.
    """
    copy = copy or default_copy()
    message = copy.messages.get(f"choices_{slot}")
    if message is None:
        return None
    buttons = tuple(b for b in message.buttons if not (handing_off and b.get("payload") == HANDOFF_PAYLOAD))
    return Message(message.text, buttons) if buttons else None


def agent_note(slot: str, replies: Sequence[str]) -> Optional[str]:
    """'Challenges: "the phones drop when it rains" / "you know"': the question by its
    dashboard name, then the customer's words. Starts with a letter (safe in a CSV cell).
    Replies to a contact question are personal data: the note only says it was missed (the
    agent has the transcript)."""
    words = [" ".join(r.split()) for r in replies if r and r.strip()]
    if not words:
        return None
    slot_info = SLOTS_BY_NAME.get(slot)
    label = (slot_info.agent_label if slot_info else "") or slot.replace("_", " ").capitalize()
    if slot_info is not None and slot_info.personal:
        return f"{label}: not understood, see the conversation"
    return f"{label}: " + " / ".join(f'"{w}"' for w in words)


def with_note(notes: Optional[Iterable[str]], note: Optional[str]) -> list[str]:
    """`notes` plus `note` (once; the oldest are dropped past MAX_NOTES)."""
    kept = [str(n) for n in notes or () if n]
    if note and note not in kept:
        kept.append(note)
    return kept[-MAX_NOTES:]
