"""Questions for words too broad to record: "we need SIP and internet" -> which internet?

A broad word becomes a pending `Clarification` (slot `pending_clarifications`); the needs form
asks it as its question of that turn, so no other question follows it in the same turn
(actions/forms.py), and asks it again before it finishes if the customer talked about something
else meanwhile. It is resolved as soon as one of the services it could mean is known.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.conversation.wording import Copy, Message, default_copy
from bot.domain.guidance import GuidanceCopy, load_default_copy
from bot.domain.wording import load_plan_wording
from bot.understanding.extraction import WANT_VERBS
from bot.understanding.vocabulary import Vocabulary, load_vocabulary


@dataclass(frozen=True)
class Clarification:
    """A broad word the customer used ("internet"), the service codes it could mean, and how
    many times the assistant has asked which one."""

    word: str
    codes: tuple[str, ...]
    asked: int = 0

    def to_slot(self) -> dict[str, Any]:
        return {"word": self.word, "codes": list(self.codes), "asked": self.asked}

    @classmethod
    def from_slot(cls, value: Any) -> Optional["Clarification"]:
        """The slot form back; None for anything else (a hand-edited tracker)."""
        if not isinstance(value, dict) or not isinstance(value.get("word"), str):
            return None
        codes = tuple(str(c) for c in value.get("codes") or ())
        asked = value.get("asked")
        return cls(value["word"], codes, asked if isinstance(asked, int) else 0) if codes else None

    def resolved_by(self, services: Iterable[str]) -> bool:
        """A service the word could mean is known: nothing left to ask."""
        return bool(set(self.codes) & set(services or ()))


def read_pending(value: Any) -> list[Clarification]:
    """The `pending_clarifications` slot as Clarifications."""
    found = (Clarification.from_slot(item) for item in (value if isinstance(value, list) else ()))
    return [c for c in found if c is not None]


def pending_to_slot(pending: Sequence[Clarification]) -> Optional[list[dict[str, Any]]]:
    return [c.to_slot() for c in pending] or None


def update_pending(
    pending: Sequence[Clarification], mentioned: Sequence[Clarification], services: Iterable[str]
) -> list[Clarification]:
    """What is still to clarify after a message: the pending ones and the newly `mentioned` ones
    (each word once, the oldest first), less those the known `services` resolve."""
    known = list(services or ())
    words = {c.word for c in pending}
    merged = [*pending, *(c for c in mentioned if c.word not in words)]
    return [c for c in merged if not c.resolved_by(known)]


def which_to_ask(pending: Sequence[Clarification]) -> Clarification:
    """The which-one question to ask of several pending: the one already asked, again (a
    question the customer has just seen), unless it was asked twice: then one not asked yet."""
    most = max(pending, key=lambda c: c.asked)
    fresh = next((c for c in pending if c.asked == 0), None)
    return fresh if fresh is not None and (most.asked == 0 or most.asked >= 2) else most


def mark_asked(pending: Sequence[Clarification], asked: Clarification) -> list[Clarification]:
    return [replace(c, asked=c.asked + 1) if c.word == asked.word else c for c in pending]


_CLAUSE_END = re.compile(r"[.;!?,\n]|\bbut\b", re.IGNORECASE)


def _clause_at(text: str, start: int, end: int) -> tuple[int, int]:
    """Character range of the clause around text[start:end] (split at punctuation and "but")."""
    before = [m.end() for m in _CLAUSE_END.finditer(text, 0, start)]
    after = _CLAUSE_END.search(text, end)
    return (before[-1] if before else 0), (after.start() if after else len(text))


def _in_a_complaint(text: str, word: str, complaints: Sequence[tuple[int, int]]) -> bool:
    """The broad word names what hurts, not what is wanted: its clause holds a challenge and
    no word that asks for a service ("our internet went down twice", not "we need internet,
    the bill is too high")."""
    pattern = r"(?<![\w-])" + r"\s+".join(map(re.escape, word.split())) + r"(?![\w-])"
    for match in re.finditer(pattern, text, re.IGNORECASE):
        start, end = _clause_at(text, match.start(), match.end())
        words = set(re.findall(r"[a-z']+", text[start:end].lower()))
        wants = words & WANT_VERBS
        # "... it keeps going down. Also phones.": a clause naming only the word adds it to a list
        listed = not words - set(word.split()) - _LISTING_WORDS
        if wants or listed or not any(s < end and start < e for s, e in complaints):
            return False
    return True


# Words around a broad word that add it to what was said: "also phones", "and the phones too".
_LISTING_WORDS = frozenset({"also", "and", "plus", "too", "the", "as", "well", "oh"})


# Words that rule a broad word out in its clause: "phones are already on an app", "we don't
# need internet there". A broad word said only that way is no service wanted.
_RULED_OUT = frozenset({"no", "not", "don't", "dont", "doesn't", "doesnt", "without", "already", "never", "n't"})


def _ruled_out(text: str, word: str) -> bool:
    """Every mention of `word` is in a clause that rules it out (see _RULED_OUT)."""
    pattern = r"(?<![\w-])" + r"\s+".join(map(re.escape, word.split())) + r"(?![\w-])"
    mentions = list(re.finditer(pattern, text, re.IGNORECASE))
    for match in mentions:
        start, end = _clause_at(text, match.start(), match.end())
        relative = _RELATIVE.search(text, match.end(), end)
        if relative is not None:
            # "internet that doesn't go down": what follows "that" describes the word, not rules it out
            end = relative.start()
        if not set(re.findall(r"[a-z']+", text[start:end].lower().replace("\u2019", "'"))) & _RULED_OUT:
            return False
    return bool(mentions)


_RELATIVE = re.compile(r"\b(?:that|which|who)\b", re.IGNORECASE)


def _wanted(text: str, word: str) -> bool:
    """Some mention of `word` is in a clause that asks for something ("we need phones")."""
    pattern = r"(?<![\w-])" + r"\s+".join(map(re.escape, word.split())) + r"(?![\w-])"
    for match in re.finditer(pattern, text, re.IGNORECASE):
        start, end = _clause_at(text, match.start(), match.end())
        if set(re.findall(r"[a-z']+", text[start:end].lower())) & WANT_VERBS:
            return True
    return False


def unclear_mentions(
    text: str,
    covered: Sequence[tuple[int, int]],
    known_services: Iterable[str],
    *,
    complaints: Sequence[tuple[int, int]] = (),
    answering_services: bool = False,
    vocabulary: Optional[Vocabulary] = None,
) -> list[Clarification]:
    """One Clarification per broad word in `text` (bot/data/vocabulary.yml `unclear_services`)
    that no recognised phrase covers, that none of its services already answers and that is
    not only the subject of a complaint (`complaints`: the challenges' character spans) nor
    only ruled out ("phones are already on an app"). Words said in passing as often as wanted
    (vocabulary.yml `unclear_when_wanted`: "phones") count only when `answering_services` (the
    reply to the services question) or in a clause that asks for something."""
    vocabulary = vocabulary or load_vocabulary()
    known = set(known_services or ())
    return [Clarification(word, tuple(codes)) for word, codes in vocabulary.unclear_mentions(text, covered)
            if not known & set(codes) and not _in_a_complaint(text or "", word, complaints)
            and not _ruled_out(text or "", word)
            and (answering_services or word not in vocabulary.unclear_when_wanted or _wanted(text or "", word))]


def clarification_question(
    clarification: Clarification, *, copy: Optional[Copy] = None, names: Optional[GuidanceCopy] = None
) -> Message:
    """"When you say "internet", do you mean A or B?", each option a button that says the
    service as an entity."""
    copy = copy or default_copy()
    names = names or load_default_copy()
    labels = [names.services.get(code, code) for code in clarification.codes]
    options = ", ".join(labels[:-1]) + " or " + labels[-1]
    buttons = tuple(
        {"title": label[:1].upper() + label[1:], "payload": "/inform" + json.dumps({"service": code})}
        for code, label in zip(clarification.codes, labels)
    )
    return Message(copy.message("unclear_service", word=clarification.word, options=options).text, buttons)


# A reply to "do you mean A or B?" that asks what the options are: "what's the difference?",
# "which one should we get?", "idk which", "what do you recommend?".
_ASKS_ABOUT_THE_OPTIONS = re.compile(
    r"\b(?:diff(?:erence|erences|erent)?|what(?:'s| is| are|s)? (?:those|these|they|the options|that|each)"
    r"|what do(?:es)? (?:that|those|these|they|it|each|they both) mean|mean(?:s|ing)? what|explain"
    r"|what (?:do|would) you (?:recommend|suggest|think)|which (?:one |is |would |do |should )*"
    r"(?:you |we |i )?(?:better|best|cheaper|recommend|suggest|need|get|pick|choose|go with)"
    r"|(?:not sure|don'?t know|dont know|dunno|idk|no idea|no clue)(?: about)? (?:which|what|the difference)"
    r"|help (?:me |us )?(?:choose|pick|decide))\b", re.IGNORECASE)


def asks_about_the_options(text: str) -> bool:
    """Whether a reply to a which-one question asks what its options are or which to take
    ("what's the difference?", "which would you recommend?", "no idea which"), rather than
    choosing one or saying anything else."""
    return bool(_ASKS_ABOUT_THE_OPTIONS.search((text or "").replace("\u2019", "'")))


def options_explained(
    clarification: Clarification,
    *,
    copy: Optional[Copy] = None,
    names: Optional[GuidanceCopy] = None,
    descriptions: Optional[Mapping[str, str]] = None,
) -> Message:
    """The which-one question again, each option with what it is (plan.yml
    service_descriptions), with the same buttons: for "what's the difference?"."""
    copy = copy or default_copy()
    descriptions = descriptions if descriptions is not None else load_plan_wording().service_descriptions
    question = clarification_question(clarification, copy=copy, names=names)
    names = names or load_default_copy()
    lines = "\n".join(
        f"\u2022 {names.services.get(code, code)[:1].upper()}{names.services.get(code, code)[1:]}: {descriptions[code]}"
        for code in clarification.codes if code in descriptions)
    return Message(copy.message("options_explained", word=clarification.word, descriptions=lines).text,
                   question.buttons)


def unclear_service_questions(
    text: str,
    covered: Sequence[tuple[int, int]],
    known_services: Iterable[str],
    *,
    complaints: Sequence[tuple[int, int]] = (),
    vocabulary: Optional[Vocabulary] = None,
    copy: Optional[Copy] = None,
    names: Optional[GuidanceCopy] = None,
) -> list[Message]:
    """One "do you mean A or B?" per broad word in `text` (see `unclear_mentions`)."""
    return [clarification_question(c, copy=copy, names=names)
            for c in unclear_mentions(text, covered, known_services, complaints=complaints, vocabulary=vocabulary)]


# Words of a service's name that pick nothing ("a cloud phone system": "a couple of PRIs" is no
# cloud system).
_NAME_FILLER = frozenset({"a", "an", "the", "of", "for", "and", "or", "your", "our"})


def chosen_option(text: str, clarification: Clarification, *, names: Optional[GuidanceCopy] = None,
                  vocabulary: Optional[Vocabulary] = None) -> Optional[str]:
    """The option a free-text reply picks ("the dedicated one" -> dia, "the regular kind,
    nothing fancy" -> broadband): the one code whose name, or whose choice words
    (vocabulary.yml), the reply uses and the other codes' don't ("internet" picks nothing)."""
    names = names or load_default_copy()
    vocabulary = vocabulary or load_vocabulary()
    low = " ".join(re.findall(r"[a-z0-9]+", (text or "").lower().replace("-", " ")))
    said = set(low.split()) - set(re.findall(r"[a-z0-9]+", clarification.word.lower()))  # not the broad word
    words = {code: (set(re.findall(r"[a-z0-9]+", names.services.get(code, code).lower())) - _NAME_FILLER) | {code}
             for code in clarification.codes}
    phrases = {code: {" ".join(re.findall(r"[a-z0-9]+", p)) for p in vocabulary.choice_words.get(code, ())}
               for code in clarification.codes}

    def uses(code: str) -> set[str]:
        return (said & words[code]) | {p for p in phrases[code] if re.search(rf"\b{re.escape(p)}\b", low)}

    used = {code: uses(code) for code in clarification.codes}
    picked = [code for code in clarification.codes
              if used[code] - set().union(*(used[c] for c in clarification.codes if c != code))]
    return picked[0] if len(picked) == 1 else None
