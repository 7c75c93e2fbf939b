"""Customer phrases -> canonical service and challenge codes, read from bot/data/vocabulary.yml.

The YAML file is the one place for this vocabulary. This module loads and validates it against
`VocabularyFile` (every key a code of bot.domain.canonical, phrases non-empty strings, no phrase
on two codes of the same kind; errors name the file and line) and answers single-phrase questions such as a
button payload or a form answer. The free-text extractor (bot.understanding.extraction) builds its spaCy
matchers from `Vocabulary.service_patterns()` / `challenge_patterns()`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from pydantic import validator

from bot.base.schema import DataModel, Invalid, NonEmptyText, load_cached, read_model
from bot.base.yamldata import DATA_DIR
from bot.domain.canonical import CHALLENGES, SERVICES
from bot.domain.catalog import ServiceCode

DEFAULT_PATH = DATA_DIR / "vocabulary.yml"

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
    #: of carrier_capitalised_only, those not read in lowercase even in a carrier context ("with eli")
    carrier_capitalised_even_in_context: frozenset[str] = frozenset()
    unclear_services: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: service code -> words that pick it in a reply to a "which one?" question ("the regular kind")
    choice_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: phrases that hold a broad word but name nothing we quote ("wifi password"; with the
    #: phrases of products_not_quoted)
    not_services: tuple[str, ...] = ()
    #: what the carriers here don't sell, as the assistant names it -> the phrases naming it
    products_not_quoted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: broad words asked about only when wanted ("we need phones") or given as the services answer
    unclear_when_wanted: frozenset[str] = frozenset()
    path: str = ""
    _service_index: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _challenge_index: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _service_table: tuple[Mapping[str, str], int] = field(init=False, repr=False, compare=False)
    _challenge_table: tuple[Mapping[str, str], int] = field(init=False, repr=False, compare=False)
    _service_only_words: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)
    _product_patterns: tuple[tuple[str, "re.Pattern[str]"], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A few hundred phrases: the derived indexes cost about a millisecond.
        object.__setattr__(self, "services", MappingProxyType(dict(self.services)))
        object.__setattr__(self, "challenges", MappingProxyType(dict(self.challenges)))
        object.__setattr__(self, "_service_index", _with_qualified_broad_words(
            _index(self.services, plural=True), self.unclear_services, self.choice_words))
        object.__setattr__(self, "_challenge_index", _index(self.challenges, plural=False))
        object.__setattr__(self, "_service_table", _normalised_table(self._service_index))
        object.__setattr__(self, "_challenge_table", _normalised_table(self._challenge_index))
        words = {c: frozenset(re.findall(r"[a-z0-9]+", " ".join(p).lower())) for c, p in self.services.items()}
        object.__setattr__(self, "_service_only_words", {
            c: w - frozenset().union(*(o for other, o in words.items() if other != c)) for c, w in words.items()})
        # Read for every question a customer asks: one alternation per product, compiled once.
        object.__setattr__(self, "_product_patterns", tuple(
            (name, re.compile("|".join(_phrase_pattern(p) for p in phrases), re.IGNORECASE))
            for name, phrases in self.products_not_quoted.items() if phrases))

    def words_only_of_service(self, code: str) -> frozenset[str]:
        """The words of `code`'s phrases that no other service's phrases use ("dark", "unlit",
        "strands" for dark_fiber; not "fiber", which names internet too)."""
        return self._service_only_words.get(code, frozenset())

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

    def product_not_quoted(self, text: str) -> Optional[str]:
        """The name of the first product of products_not_quoted that `text` names ("cell
        phones" -> "cell phones and mobile plans"), or None."""
        return next((name for name, pattern in self._product_patterns if pattern.search(text or "")), None)

    def unclear_mentions(
        self, text: str, covered: Sequence[tuple[int, int]] = ()
    ) -> list[tuple[str, tuple[str, ...]]]:
        """Words of `unclear_services` in `text` outside the `covered` character spans (the
        service phrases already recognised there: "fiber internet" is dia, so its "internet"
        is clear), each with the codes it could mean; the order of the file."""
        found = []
        covered = [*covered, *(m.span() for phrase in self.not_services
                               for m in re.finditer(_phrase_pattern(phrase), text or "", re.IGNORECASE))]
        for word, codes in self.unclear_services.items():
            for match in re.finditer(_phrase_pattern(word), text or "", re.IGNORECASE):
                if not any(start <= match.start() and match.end() <= end for start, end in covered):
                    found.append((word, codes))
                    covered.append(match.span())  # "phone service" found: its "phone" is that one
                    break
        return found


def _phrase_pattern(phrase: str) -> str:
    """A phrase as whole words, any spaces between them."""
    return r"(?<![\w-])" + r"\s+".join(map(re.escape, phrase.split())) + r"(?![\w-])"


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


_PRICE_WORDS = frozenset({"cheap", "cheaper", "cheapest"})


def _with_qualified_broad_words(index: Mapping[str, str], unclear: Mapping[str, tuple[str, ...]],
                                choices: Mapping[str, tuple[str, ...]]) -> Mapping[str, str]:
    """`index` and a broad word qualified by a one-word choice that picks one of its codes:
    "regular internet" is broadband and "hosted phones" a cloud system, as the same words in
    reply to "which one?" would be; no question follows. Phrases written in the file win.
    A price is a wish, not a kind: "cheaper internet" may be any internet."""
    out = dict(index)
    for word, codes in unclear.items():
        for code in codes:
            others = {c for other in codes if other != code for c in choices.get(other, ())}
            for choice in choices.get(code, ()):
                if " " not in choice and choice not in others and choice not in _PRICE_WORDS:
                    out.setdefault(f"{choice} {word}", code)
    return MappingProxyType(out)


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


class Phrase(str):
    """A phrase as customers type it: lowercased, spaces collapsed, with a letter or digit."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be a non-empty string")
        phrase = " ".join(value.lower().split())
        if not normalise(phrase):
            raise ValueError(f"phrase {phrase!r} has no letters or digits")
        return phrase


def _phrases_by_code(kind: str, codes: Sequence[str]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Validators of a `code: [phrases]` section: canonical codes, every code, no phrase on two."""

    def shape(cls: Any, block: Any) -> Any:
        if not isinstance(block, dict):
            raise ValueError("must map codes to phrase lists")
        for code, items in block.items():
            if code not in codes:
                raise Invalid(f"{code!r} is not a canonical {kind} code; expected one of: {', '.join(codes)}",
                              key=str(code))
            if not isinstance(items, list) or not items:
                raise Invalid(f"{kind} {code!r} needs a non-empty list of phrases", key=str(code))
        return block

    def complete_and_unambiguous(cls: Any, block: dict[str, list[str]]) -> dict[str, list[str]]:
        owner: dict[str, tuple[str, int]] = {}  # normalised phrase -> (code, index in its list)
        for code, phrases in block.items():
            for i, phrase in enumerate(phrases):
                other = owner.setdefault(normalise(phrase), (code, i))
                if other[0] != code:
                    raise Invalid(f"phrase {phrase!r} is mapped to {other[0]!r} and to {code!r}",
                                  at=(code, i), see=other)
        missing = [code for code in codes if code not in block]
        if missing:
            raise ValueError(f"no phrases for {kind} code(s): {', '.join(missing)}")
        return block

    return shape, complete_and_unambiguous


_service_shape, _service_check = _phrases_by_code("service", SERVICES)
_challenge_shape, _challenge_check = _phrases_by_code("challenge", CHALLENGES)


class VocabularyFile(DataModel):
    """The schema of vocabulary.yml."""

    unknown_key = "unknown section {key!r}; expected {known}"

    services: Dict[str, List[Phrase]]
    challenges: Dict[str, List[Phrase]]
    unclear_services: Dict[NonEmptyText, List[ServiceCode]] = {}
    choice_words: Dict[ServiceCode, List[NonEmptyText]] = {}
    not_services: List[NonEmptyText] = []
    products_not_quoted: Dict[NonEmptyText, List[NonEmptyText]] = {}
    unclear_when_wanted: List[NonEmptyText] = []
    carrier_capitalised_only: List[NonEmptyText] = []
    carrier_capitalised_even_in_context: List[NonEmptyText] = []

    _services_shape = validator("services", pre=True, allow_reuse=True)(_service_shape)
    _services_check = validator("services", allow_reuse=True)(_service_check)
    _challenges_shape = validator("challenges", pre=True, allow_reuse=True)(_challenge_shape)
    _challenges_check = validator("challenges", allow_reuse=True)(_challenge_check)

    @validator("carrier_capitalised_even_in_context")
    def _listed_as_capitalised_only(cls, names: list[str], values: dict[str, Any]) -> list[str]:  # noqa: N805
        listed = {" ".join(w.lower().split()) for w in values.get("carrier_capitalised_only") or ()}
        for n, name in enumerate(names):
            if " ".join(name.lower().split()) not in listed:
                raise Invalid(f"{name!r} is not in carrier_capitalised_only", at=(n,))
        return names

    @validator("unclear_services")
    def _two_or_more(cls, block: dict[str, list[str]]) -> dict[str, list[str]]:  # noqa: N805
        for word, codes in block.items():
            if len(codes) < 2:
                raise Invalid("a list of two or more service codes expected", at=(word,))
        return block


def _read_vocabulary(path: Path) -> Vocabulary:
    parsed, _ = read_model(path, VocabularyFile)
    return Vocabulary(
        services={code: tuple(dict.fromkeys(items)) for code, items in parsed.services.items()},
        challenges={code: tuple(dict.fromkeys(items)) for code, items in parsed.challenges.items()},
        carrier_capitalised_only=frozenset(" ".join(w.lower().split()) for w in parsed.carrier_capitalised_only),
        carrier_capitalised_even_in_context=frozenset(" ".join(w.lower().split())
                                                      for w in parsed.carrier_capitalised_even_in_context),
        unclear_services={" ".join(w.lower().split()): tuple(codes) for w, codes in parsed.unclear_services.items()},
        choice_words={code: tuple(" ".join(w.lower().split()) for w in words) for code, words in parsed.choice_words.items()},
        not_services=tuple(" ".join(w.lower().split())
                           for w in [*parsed.not_services, *(p for ps in parsed.products_not_quoted.values() for p in ps)]),
        products_not_quoted={name: tuple(" ".join(w.lower().split()) for w in phrases)
                             for name, phrases in parsed.products_not_quoted.items()},
        unclear_when_wanted=frozenset(" ".join(w.lower().split()) for w in parsed.unclear_when_wanted),
        path=str(path),
    )


def load_vocabulary(path: Optional[Union[str, Path]] = None) -> Vocabulary:
    """Load and validate a vocabulary file (default: bot/data/vocabulary.yml), re-read when it
    changes. Raises DataFileError naming the file and line for any invalid entry.
    """
    return load_cached(path if path is not None else DEFAULT_PATH, _read_vocabulary)
