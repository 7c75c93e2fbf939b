"""Customer phrases -> canonical service and challenge codes, read from bot/data/vocabulary.yml.

The YAML file is the one place for this vocabulary. This module loads and validates it
(every key a code of bot.domain.canonical, phrases non-empty strings, no phrase on two codes of the
same kind; errors name the file and line) and answers single-phrase questions such as a
button payload or a form answer. The free-text extractor (bot.understanding.extraction) builds its spaCy
matchers from `Vocabulary.service_patterns()` / `challenge_patterns()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import yaml

from bot.domain.canonical import CHALLENGES, SERVICES
from bot.base.yamldata import DATA_DIR, DataFileError, LineDict, line_of, load_yaml

DEFAULT_PATH = DATA_DIR / "vocabulary.yml"

_SECTIONS = ("services", "challenges", "unclear_services", "carrier_capitalised_only")

# Contractions customers type in three ways; each phrase is matched in all of them.
_CONTRACTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("can't", ("cant", "cannot", "can not")),
    ("don't", ("dont", "do not")),
    ("doesn't", ("doesnt", "does not")),
    ("didn't", ("didnt", "did not")),
    ("won't", ("wont", "will not")),
    ("isn't", ("isnt", "is not")),
    ("aren't", ("arent", "are not")),
    ("we're", ("we are",)),
)

_NON_WORD = re.compile(r"[^0-9a-z&]+")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
# Input beyond this is ignored: an answer to one question is never longer.
_MAX_SCAN_CHARS = 2000


def normalise(text: str) -> str:
    """Lowercase, drop apostrophes, turn other punctuation into spaces, collapse spaces.

    "SD-WAN" -> "sd wan", "PRI's" -> "pris", "  Dark   Fiber! " -> "dark fiber".
    """
    text = _APOSTROPHES.sub("", text.lower())
    return " ".join(_NON_WORD.sub(" ", text).split())


def _plural(phrase: str) -> Optional[str]:
    last = phrase.rsplit(" ", 1)[-1]
    if not last or not last[-1].isalnum() or last.endswith("s"):
        return None
    if last.endswith(("x", "ch", "sh")):
        return phrase + "es"
    return phrase + "s"


def phrase_variants(phrase: str, *, plural: bool = False) -> tuple[str, ...]:
    """The spellings a phrase is matched in: as written, hyphens as spaces or dropped,
    contractions spelled out or without the apostrophe, and (for services) a plural."""
    base = " ".join(phrase.lower().split())
    forms = {base}
    if "-" in base:
        forms.add(base.replace("-", " "))
        forms.add(base.replace("-", ""))
    for contraction, spellings in _CONTRACTIONS:
        for form in list(forms):
            if contraction in form:
                forms.update(form.replace(contraction, s) for s in spellings)
    forms.update(f.replace("'", "\u2019") for f in list(forms) if "'" in f)  # phones type ’
    if plural:
        forms.update(p for p in (_plural(f) for f in list(forms)) if p)
    forms.discard("")
    return tuple(sorted(forms))


@dataclass(frozen=True)
class Vocabulary:
    """The phrases of every service and challenge code (lowercase, as written in the YAML)."""

    services: Mapping[str, tuple[str, ...]]
    challenges: Mapping[str, tuple[str, ...]]
    carrier_capitalised_only: frozenset[str] = frozenset()
    unclear_services: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    path: str = ""
    _service_index: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _challenge_index: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _service_table: tuple[Mapping[str, str], int] = field(init=False, repr=False, compare=False)
    _challenge_table: tuple[Mapping[str, str], int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A few hundred phrases: the derived indexes cost about a millisecond.
        object.__setattr__(self, "services", MappingProxyType(dict(self.services)))
        object.__setattr__(self, "challenges", MappingProxyType(dict(self.challenges)))
        object.__setattr__(self, "_service_index", _index(self.services, plural=True))
        object.__setattr__(self, "_challenge_index", _index(self.challenges, plural=False))
        object.__setattr__(self, "_service_table", _normalised_table(self._service_index))
        object.__setattr__(self, "_challenge_table", _normalised_table(self._challenge_index))

    def service_patterns(self) -> Mapping[str, str]:
        """Every spelling to match in free text (see phrase_variants) -> service code."""
        return self._service_index

    def challenge_patterns(self) -> Mapping[str, str]:
        """Every spelling to match in free text -> challenge code."""
        return self._challenge_index

    def canonical_service(self, text: str) -> Optional[str]:
        """The service code for one phrase ("PRIs", "sd-wan", "pots", "Dark fiber"), or None.

        Case, spacing and punctuation do not matter. A code itself is accepted. When the
        text is not one known phrase but contains phrases of exactly one code ("we need
        PRIs please"), that code; several codes or none give None.
        """
        return _canonical(text, self._service_table, SERVICES)

    def canonical_challenge(self, text: str) -> Optional[str]:
        """The challenge code for one phrase ("our bill is too high"), or None (see above)."""
        return _canonical(text, self._challenge_table, CHALLENGES)

    def unclear_mentions(
        self, text: str, covered: Sequence[tuple[int, int]] = ()
    ) -> list[tuple[str, tuple[str, ...]]]:
        """Words of `unclear_services` in `text` outside the `covered` character spans (the
        service phrases already recognised there: "fiber internet" is dia, so its "internet"
        is clear), each with the codes it could mean; the order of the file."""
        found = []
        for word, codes in self.unclear_services.items():
            pattern = r"(?<![\w-])" + r"\s+".join(map(re.escape, word.split())) + r"(?![\w-])"
            for match in re.finditer(pattern, text or "", re.IGNORECASE):
                if not any(start <= match.start() and match.end() <= end for start, end in covered):
                    found.append((word, codes))
                    break
        return found


def _index(phrases: Mapping[str, tuple[str, ...]], *, plural: bool) -> Mapping[str, str]:
    """Spelling -> code. Written phrases win over generated spellings of another code."""
    index: dict[str, str] = {}
    for code, items in phrases.items():
        for phrase in items:
            index[phrase] = code
    for code, items in phrases.items():
        for phrase in items:
            for variant in phrase_variants(phrase, plural=plural):
                index.setdefault(variant, code)
    return MappingProxyType(index)


def _normalised_table(index: Mapping[str, str]) -> tuple[Mapping[str, str], int]:
    """Normalised spelling -> code, and the longest spelling in words."""
    table: dict[str, str] = {}
    for variant, code in index.items():
        table.setdefault(normalise(variant), code)
    longest = max((key.count(" ") + 1 for key in table), default=1)
    return MappingProxyType(table), longest


def _canonical(text: Any, normalised: tuple[Mapping[str, str], int], codes: Iterable[str]) -> Optional[str]:
    if not isinstance(text, str):
        return None
    key = normalise(text[:_MAX_SCAN_CHARS])
    if not key:
        return None
    for code in codes:
        if key in (code, code.replace("_", " ")):
            return code
    table, longest = normalised
    if key in table:
        return table[key]
    words = key.split()
    found: set[str] = set()
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            code = table.get(" ".join(words[i : i + n]))
            if code is not None:
                found.add(code)
                i += n
                break
        else:
            i += 1
    return found.pop() if len(found) == 1 else None


def yaml_item_line(path: Union[str, Path], *keys: Union[str, int]) -> int:
    """Line of the YAML node at keys (mapping keys or list indexes) in a file; 0 if not found.

    bot.base.yamldata gives the lines of mappings and keys; the line of one list item needs the
    node tree, composed again here only when an error is being reported.
    """
    try:
        node = yaml.compose(Path(path).read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                node = next(v for k, v in node.value if k.value == key)
            elif isinstance(node, yaml.SequenceNode):
                node = node.value[int(key)]
            else:
                return 0
        return node.start_mark.line + 1
    except Exception:  # noqa: BLE001 - only used to improve an error message
        return 0


def _read_codes(
    path: Path, data: LineDict, section: str, codes: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    block = data.get(section)
    if not isinstance(block, dict):
        raise DataFileError(path, line_of(data, section), f"'{section}' must map codes to phrase lists")
    owner: dict[str, tuple[str, int]] = {}  # normalised phrase -> (code, index in its list)
    result: dict[str, tuple[str, ...]] = {}
    for code, items in block.items():
        key_line = line_of(block, str(code))
        if code not in codes:
            raise DataFileError(
                path, key_line, f"{code!r} is not a canonical {section[:-1]} code; expected one of: {', '.join(codes)}"
            )
        if not isinstance(items, list) or not items:
            raise DataFileError(path, key_line, f"{section[:-1]} {code!r} needs a non-empty list of phrases")
        phrases: list[str] = []
        for i, phrase in enumerate(items):
            if not isinstance(phrase, str) or not phrase.strip():
                line = yaml_item_line(path, section, code, i) or key_line
                raise DataFileError(path, line, f"phrase #{i + 1} of {code!r} must be a non-empty string")
            phrase = " ".join(phrase.lower().split())
            norm = normalise(phrase)
            if not norm:
                line = yaml_item_line(path, section, code, i) or key_line
                raise DataFileError(path, line, f"phrase {phrase!r} of {code!r} has no letters or digits")
            other = owner.get(norm)
            if other is not None and other[0] != code:
                line = yaml_item_line(path, section, code, i) or key_line
                first = yaml_item_line(path, section, other[0], other[1])
                raise DataFileError(
                    path, line, f"phrase {phrase!r} is mapped to {other[0]!r} (line {first}) and to {code!r}"
                )
            owner.setdefault(norm, (code, i))
            if phrase not in phrases:
                phrases.append(phrase)
        result[code] = tuple(phrases)
    missing = [code for code in codes if code not in result]
    if missing:
        raise DataFileError(path, line_of(data, section), f"no phrases for {section[:-1]} code(s): {', '.join(missing)}")
    return result


def _read_vocabulary(path: Path) -> Vocabulary:
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise DataFileError(path, 1, "expected a mapping with 'services' and 'challenges'")
    for key in data:
        if key not in _SECTIONS:
            raise DataFileError(path, line_of(data, str(key)), f"unknown section {key!r}; expected {', '.join(_SECTIONS)}")
    services = _read_codes(path, data, "services", SERVICES)
    challenges = _read_codes(path, data, "challenges", CHALLENGES)
    words = data.get("carrier_capitalised_only") or []
    if not isinstance(words, list):
        raise DataFileError(path, line_of(data, "carrier_capitalised_only"), "expected a list of words")
    for i, word in enumerate(words):
        if not isinstance(word, str) or not word.strip():
            line = yaml_item_line(path, "carrier_capitalised_only", i) or line_of(data, "carrier_capitalised_only")
            raise DataFileError(path, line, "carrier_capitalised_only entries must be non-empty strings")
    return Vocabulary(
        services=services,
        challenges=challenges,
        carrier_capitalised_only=frozenset(" ".join(w.lower().split()) for w in words),
        unclear_services=_read_unclear(path, data),
        path=str(path),
    )


def _read_unclear(path: Path, data: LineDict) -> dict[str, tuple[str, ...]]:
    block = data.get("unclear_services") or {}
    if not isinstance(block, dict):
        raise DataFileError(path, line_of(data, "unclear_services"), "'unclear_services' must map words to service codes")
    result: dict[str, tuple[str, ...]] = {}
    for word, codes in block.items():
        line = line_of(block, str(word))
        if not isinstance(word, str) or not word.strip():
            raise DataFileError(path, line, "unclear_services: every word must be non-empty text")
        if not isinstance(codes, list) or len(codes) < 2 or any(c not in SERVICES for c in codes):
            raise DataFileError(path, line, f"unclear_services.{word}: a list of two or more service codes "
                                            f"expected; codes are: {', '.join(SERVICES)}")
        result[" ".join(word.lower().split())] = tuple(codes)
    return result


@lru_cache(maxsize=1)
def _default_vocabulary() -> Vocabulary:
    return _read_vocabulary(DEFAULT_PATH)


def load_vocabulary(path: Optional[Union[str, Path]] = None) -> Vocabulary:
    """Load and validate a vocabulary file (default: bot/data/vocabulary.yml, cached).

    Raises DataFileError naming the file and line for any invalid entry.
    """
    if path is None:
        return _default_vocabulary()
    return _read_vocabulary(Path(path))
