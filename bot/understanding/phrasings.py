"""How customers name a challenge or a service in their own words: bot/data/phrasings.yml.

Two sections, both keyed by the canonical codes of bot.domain.canonical:

- `topic_words`: single words (matched on word forms, bot.understanding.wordforms) that are a
  whole answer on their own. A short reply made of one of them names the code ("pricing",
  "the outages"); inside a longer sentence they mean nothing by themselves ("what does pricing
  look like" is a question), so the extractor only uses them in short replies.
- `examples`: sentences in the customer's voice per code, and `neither` sentences that name no
  challenge and no service. The learned classifier (bot.understanding.topic_classifier) is
  trained on them when the extractor is built. A sentence listed under two codes carries both.

Validated with pydantic on load; every error names the file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import yaml
from pydantic import BaseModel, Extra, ValidationError, validator

from bot.base.schema import load_cached
from bot.base.yamldata import DATA_DIR, DataFileError
from bot.domain.canonical import CHALLENGES, SERVICES
from bot.understanding.wordforms import stem

DEFAULT_PATH = DATA_DIR / "phrasings.yml"


def _clean(text: str) -> str:
    return " ".join(text.split())


def _check_codes(value: Mapping[str, Any], codes: tuple[str, ...], kind: str) -> Mapping[str, Any]:
    unknown = [code for code in value if code not in codes]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a canonical {kind} code; expected one of: {', '.join(codes)}")
    return value


def _texts(items: list[str]) -> list[str]:
    out = []
    for item in items:
        text = _clean(item)
        if not text:
            raise ValueError("empty text")
        out.append(text)
    return out


class _CodeTexts(BaseModel, extra=Extra.forbid):
    challenges: dict[str, list[str]] = {}
    services: dict[str, list[str]] = {}

    @validator("challenges")
    def _challenge_codes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:  # noqa: N805
        return dict(_check_codes(value, CHALLENGES, "challenge"))

    @validator("services")
    def _service_codes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:  # noqa: N805
        return dict(_check_codes(value, SERVICES, "service"))

    @validator("challenges", "services", each_item=True)
    def _non_empty(cls, value: list[str]) -> list[str]:  # noqa: N805
        if not value:
            raise ValueError("needs a non-empty list")
        return _texts(value)


class _TopicWords(_CodeTexts):
    @validator("challenges", "services", each_item=True)
    def _one_word(cls, value: list[str]) -> list[str]:  # noqa: N805
        for word in value:
            if len(word.split()) != 1:
                raise ValueError(f"{word!r}: topic words are single words")
        return [w.lower() for w in value]


class _Examples(_CodeTexts):
    neither: list[str] = []

    @validator("neither")
    def _neither(cls, value: list[str]) -> list[str]:  # noqa: N805
        return _texts(value)


class _PhrasingsFile(BaseModel, extra=Extra.forbid):
    topic_words: _TopicWords
    examples: _Examples


@dataclass(frozen=True)
class Phrasings:
    """Topic words (word form -> code, per kind) and labelled example sentences."""

    challenge_words: Mapping[str, str]
    service_words: Mapping[str, str]
    # (text, challenge codes, service codes); `neither` sentences have both empty
    examples: tuple[tuple[str, frozenset[str], frozenset[str]], ...]
    path: str = ""


def _item_line(root: Optional[yaml.Node], loc: tuple[Any, ...]) -> int:
    """1-based line of the YAML node at a pydantic error location (0 when unknown)."""
    node = root
    line = root.start_mark.line + 1 if root is not None else 0
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if found is None:
                break
            node = found[1]
            line = found[0].start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _word_index(path: Path, root: Optional[yaml.Node], words: Mapping[str, list[str]], kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, items in words.items():
        for i, word in enumerate(items):
            key = stem(word)
            other = index.get(key)
            if other is not None and other != code:
                line = _item_line(root, ("topic_words", kind, code, i))
                raise DataFileError(path, line, f"topic word {word!r} is also a word of {other!r} (same word form {key!r})")
            index[key] = code
    return index


def read_phrasings(path: Union[str, Path]) -> Phrasings:
    """Load and validate a phrasings file; DataFileError with the file and line if invalid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, 0, f"cannot read file: {exc.strerror}") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DataFileError(path, mark.line + 1 if mark else 0, f"YAML syntax error: {exc.problem}") from exc
    try:
        parsed = _PhrasingsFile.parse_obj(data if data is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(part for part in first["loc"] if part != "__root__")
        where = ".".join(str(part) for part in loc)
        raise DataFileError(path, _item_line(root, loc), f"{where}: {first['msg']}") from exc
    labels: dict[str, tuple[set[str], set[str]]] = {}
    order: list[str] = []

    def add(text: str, challenge: Optional[str] = None, service: Optional[str] = None) -> None:
        if text not in labels:
            labels[text] = (set(), set())
            order.append(text)
        if challenge:
            labels[text][0].add(challenge)
        if service:
            labels[text][1].add(service)

    for code, texts in parsed.examples.challenges.items():
        for text in texts:
            add(text, challenge=code)
    for code, texts in parsed.examples.services.items():
        for text in texts:
            add(text, service=code)
    for text in parsed.examples.neither:
        if text in labels and any(labels[text]):
            raise DataFileError(path, _item_line(root, ("examples", "neither", parsed.examples.neither.index(text))),
                                f"{text!r} is listed under a code and under neither")
        add(text)
    return Phrasings(
        challenge_words=_word_index(path, root, parsed.topic_words.challenges, "challenges"),
        service_words=_word_index(path, root, parsed.topic_words.services, "services"),
        examples=tuple((t, frozenset(labels[t][0]), frozenset(labels[t][1])) for t in order),
        path=str(path),
    )


def load_phrasings(path: Optional[Union[str, Path]] = None) -> Phrasings:
    """bot/data/phrasings.yml, or another file; re-read when it changes (bot/data/README.md)."""
    return load_cached(path if path is not None else DEFAULT_PATH, read_phrasings)
