"""How customers name a challenge or a service in their own words: bot/data/phrasings.yml.

Two sections, both keyed by the canonical codes of bot.domain.canonical:

- `topic_words`: single words (matched on word forms, bot.understanding.wordforms) that are a
  whole answer on their own. A short reply made of one of them names the code ("pricing",
  "the outages"); inside a longer sentence they mean nothing by themselves ("what does pricing
  look like" is a question), so the extractor only uses them in short replies.
- `examples`: sentences in the customer's voice per code, and `neither` sentences that name no
  challenge and no service. The learned classifier (bot.understanding.topic_classifier) is
  trained on them when the extractor is built. A sentence listed under two codes carries both.
  `examples.messages` holds whole customer messages, each with all its codes (none: it names no
  problem and no service), as written by several authors in their own voices (the file says who).

Validated on load against `PhrasingsFile` (bot.base.schema, pydantic); every error names the
file and the line. Re-read when the file changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from pydantic import validator

from bot.base.schema import DataModel, Invalid, NonEmptyText, load_cached, read_model
from bot.base.yamldata import DATA_DIR
from bot.domain.canonical import CHALLENGES, SERVICES
from bot.domain.catalog import ChallengeCode, ServiceCode
from bot.understanding.wordforms import stem

DEFAULT_PATH = DATA_DIR / "phrasings.yml"


def _codes_of(kind: str, codes: Sequence[str]) -> Callable[..., Any]:
    """Validator of a `code: [texts]` block: canonical codes, each with a non-empty list."""

    def check(cls: Any, block: Any) -> Any:
        if not isinstance(block, dict):
            raise ValueError(f"must map {kind} codes to lists")
        for code, items in block.items():
            if code not in codes:
                raise Invalid(f"{code!r} is not a canonical {kind} code; expected one of: {', '.join(codes)}", key=str(code))
            if not isinstance(items, list) or not items:
                raise Invalid(f"{kind} {code!r} needs a non-empty list", key=str(code))
        return block

    return check


def _one_word_each(cls: Any, block: Dict[str, List[str]]) -> Dict[str, List[str]]:
    """Topic words are single words, each on one code (compared by word form)."""
    owner: dict[str, tuple[str, int]] = {}
    for code, words in block.items():
        for i, word in enumerate(words):
            if len(word.split()) != 1:
                raise Invalid(f"{word!r}: a topic word is a single word", at=(code, i))
            other = owner.setdefault(stem(word), (code, i))
            if other[0] != code:
                raise Invalid(f"topic word {word!r} is also a word of {other[0]!r}", at=(code, i), see=other)
    return block


class _ByCode(DataModel):
    challenges: Dict[str, List[NonEmptyText]] = {}
    services: Dict[str, List[NonEmptyText]] = {}

    _challenge_codes = validator("challenges", pre=True, allow_reuse=True)(_codes_of("challenge", CHALLENGES))
    _service_codes = validator("services", pre=True, allow_reuse=True)(_codes_of("service", SERVICES))


class TopicWords(_ByCode):
    """`topic_words:` of phrasings.yml."""

    _challenge_words = validator("challenges", allow_reuse=True)(_one_word_each)
    _service_words = validator("services", allow_reuse=True)(_one_word_each)


class LabelledMessage(DataModel):
    """One whole message of `examples.messages` with all its codes."""

    text: NonEmptyText
    challenges: List[ChallengeCode] = []
    services: List[ServiceCode] = []


class Examples(_ByCode):
    """`examples:` of phrasings.yml."""

    neither: List[NonEmptyText] = []
    messages: List[LabelledMessage] = []

    @validator("neither")
    def _not_also_under_a_code(cls, texts: List[str], values: Dict[str, Any]) -> List[str]:  # noqa: N805
        coded = {" ".join(t.split()) for block in (values.get("challenges") or {}, values.get("services") or {})
                 for items in block.values() for t in items}
        for i, text in enumerate(texts):
            if " ".join(text.split()) in coded:
                raise Invalid(f"{text!r} is listed under a code and under neither", at=(i,))
        return texts


class PhrasingsFile(DataModel):
    """The schema of phrasings.yml."""

    unknown_key = "unknown section {key!r}; expected {known}"

    topic_words: TopicWords
    examples: Examples


@dataclass(frozen=True)
class Phrasings:
    """Topic words (word form -> code, per kind) and labelled example sentences."""

    challenge_words: Mapping[str, str]
    service_words: Mapping[str, str]
    # (text, challenge codes, service codes); `neither` sentences have both empty
    examples: tuple[tuple[str, frozenset[str], frozenset[str]], ...]
    path: str = ""


def _read_phrasings(path: Path) -> Phrasings:
    parsed, _ = read_model(path, PhrasingsFile)
    labels: dict[str, tuple[set[str], set[str]]] = {}
    blocks = [(code, texts, 0) for code, texts in parsed.examples.challenges.items()]
    blocks += [(code, texts, 1) for code, texts in parsed.examples.services.items()]
    blocks += [("", parsed.examples.neither, 0)]
    for code, texts, kind in blocks:
        for text in texts:
            text = " ".join(text.split())
            known = labels.setdefault(text, (set(), set()))
            if code:
                known[kind].add(code)
    for message in parsed.examples.messages:
        known = labels.setdefault(" ".join(message.text.split()), (set(), set()))
        known[0].update(message.challenges)
        known[1].update(message.services)
    words = parsed.topic_words
    return Phrasings(
        challenge_words={stem(w.lower()): code for code, items in words.challenges.items() for w in items},
        service_words={stem(w.lower()): code for code, items in words.services.items() for w in items},
        examples=tuple((t, frozenset(c), frozenset(s)) for t, (c, s) in labels.items()),
        path=str(path),
    )


def read_phrasings(path: Union[str, Path]) -> Phrasings:
    """Load and validate a phrasings file; DataFileError with the file and line if invalid."""
    return _read_phrasings(Path(path))


def load_phrasings(path: Optional[Union[str, Path]] = None) -> Phrasings:
    """bot/data/phrasings.yml (or another file), re-read when it changes."""
    return load_cached(path if path is not None else DEFAULT_PATH, _read_phrasings)
