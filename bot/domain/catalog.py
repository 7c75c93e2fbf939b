"""The carrier catalog: who is the incumbent (ILEC) where, who competes (CLEC) where, what each sells.

The catalog is a YAML file a broker edits (bot/data/carriers.yml). It is validated against
`CatalogFile` when it is loaded; a problem raises DataFileError naming the file, the line and
the carrier entry.

Footprints are per state (USPS codes; the territories PR, VI, GU, AS and MP too). A carrier is
the ILEC in its `incumbent_states` (the main ILEC of that state) and `partial_incumbent_states`
(an ILEC for part of that state); it is a CLEC in its `competitive_states` (its own network there)
and, when it lists `national_services`, in every other state for those services only (sold over
other carriers' local lines). The same company can be an ILEC in one state and a CLEC in another,
never both in one state: `Carrier.kind_in(state)` answers which, and `services_in(state)` what it
sells there in that capacity (`services` as the ILEC, `clec_services` as a CLEC).

Below-state coverage (the incumbent by county or ZIP where a state is split) is in
bot.domain.coverage; this module stays at state level.

Nothing is read at import time: `load_default_catalog()` reads the file on first use and again
after it changes (bot.base.schema.load_cached).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Collection, Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Union

from pydantic import StrictBool, StrictStr, root_validator, validator

from bot.base.schema import DataModel, Invalid, NonEmptyText, dotted, load_cached, read_model
from bot.base.yamldata import DATA_DIR, line_of
from bot.domain.canonical import CHALLENGES, SERVICES

DEFAULT_CATALOG_PATH = DATA_DIR / "carriers.yml"

# USPS codes of the 50 states and DC: the contract's `states` slot holds these.
US_STATES: frozenset[str] = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)
# USPS codes of the inhabited territories: served where the catalog has carriers, else handed
# off with a reason (never dropped, never asked again).
TERRITORIES: frozenset[str] = frozenset("PR VI GU AS MP".split())
PLACES: frozenset[str] = US_STATES | TERRITORIES
# Last-mile media: what physically reaches the building. "leased" is another carrier's local
# line (resale or off-net), which is never a diverse second path beside that carrier.
MEDIA: tuple[str, ...] = ("fiber", "copper", "coax", "fixed_wireless", "cellular", "satellite")

_STATE_KEYS = ("incumbent_states", "partial_incumbent_states", "competitive_states", "strong_states")
_LIST_KEYS = _STATE_KEYS + ("services", "clec_services", "national_services", "former_names", "aliases",
                            "rides_on", "last_mile", "took_over_from")
_SERVICE_ORDER = {code: i for i, code in enumerate(SERVICES)}


def squash(name: str) -> str:
    """A forgiving lookup key: lowercase letters and digits only ("AT&T" and "att" meet)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _norm(name: str) -> str:
    return " ".join(name.lower().split())


def needs_capitals(alias: str, capitalised_only: Collection[str] = ()) -> bool:
    """Whether a lowercase `alias` names a carrier in running text only when written in capitals:
    one or two letters ("XO", not the "xo" of a sign-off), or three when listed as an everyday
    word in `capitalised_only` ("ELI", "ATT"; the vocabulary's carrier_capitalised_only)."""
    letters = alias.replace(" ", "")
    return len(letters) <= 2 or (alias in capitalised_only and len(letters) <= 3)


class Mention(NamedTuple):
    """A carrier named inside a text: where (character offsets) and which."""

    start: int
    end: int
    carrier: "Carrier"


@dataclass(frozen=True)
class Carrier:
    """One carrier as the catalog holds it; states and services are kept in canonical order."""

    name: str
    national: bool
    services: tuple[str, ...]
    source: tuple[str, ...]
    incumbent_states: frozenset[str] = frozenset()
    partial_incumbent_states: frozenset[str] = frozenset()
    competitive_states: frozenset[str] = frozenset()
    strong_states: frozenset[str] = frozenset()
    former_names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    rides_on: tuple[str, ...] = ()
    notes: str = ""
    line: int = 0
    clec_services: tuple[str, ...] = ()  # what it sells where it is a CLEC (empty: `services`)
    national_services: tuple[str, ...] = ()  # sold everywhere else too, over others' local lines
    last_mile: tuple[str, ...] = ()  # MEDIA of its own access network, the usual one first
    took_over_from: tuple[str, ...] = ()  # carriers whose local phone business it runs in its ILEC states
    ownership: str = ""  # who runs it today / a pending deal, one sentence for the plan
    former_name_notes: tuple[tuple[str, str], ...] = ()  # (old name, sentence) when "part of" is not yet true

    def kind_in(self, state: str) -> Optional[str]:
        """"ILEC" where it is an incumbent, "CLEC" where it competes (own network or national
        reach), None where it is absent."""
        if state in self.incumbent_states or state in self.partial_incumbent_states:
            return "ILEC"
        if state in self.competitive_states or self.reaches(state):
            return "CLEC"
        return None

    def reaches(self, state: str) -> bool:
        """True where it sells only its `national_services`, over other carriers' lines (off-net)."""
        return bool(self.national_services) and state in US_STATES and state not in self.footprint

    def on_net(self, state: str) -> bool:
        """True where it has its own network (as ILEC or CLEC), not just national reach."""
        return state in self.footprint

    def serves(self, state: str) -> bool:
        """True when the carrier sells service in `state`, as incumbent or as competitor."""
        return self.kind_in(state) is not None

    def services_in(self, state: str) -> tuple[str, ...]:
        """What it sells in `state` in the capacity it has there (ILEC, CLEC, national reach)."""
        if state in self.incumbent_states or state in self.partial_incumbent_states:
            return self.services
        if state in self.competitive_states:
            return self.clec_services or self.services
        if self.reaches(state):
            return self.national_services
        return ()

    def sells_in(self, service: str, state: str) -> bool:
        """True when it sells `service` in `state` (see services_in)."""
        return service in self.services_in(state)

    def sells(self, service: str) -> bool:
        """True when it sells `service` somewhere (as ILEC, CLEC or nationally)."""
        return service in self.all_services

    @cached_property
    def all_services(self) -> tuple[str, ...]:
        """Every service it sells in some capacity, in canonical order."""
        found = set(self.services) | set(self.clec_services) | set(self.national_services)
        return tuple(sorted(found, key=_SERVICE_ORDER.__getitem__))

    def medium_in(self, state: str) -> str:
        """The last mile it would reach a site in `state` with: its own medium where it has its
        own network, "leased" where it resells or reaches the site off-net."""
        if self.rides_on or not self.on_net(state) or not self.last_mile:
            return "leased"
        return self.last_mile[0]

    def note_for(self, old_name: str) -> Optional[str]:
        """The catalog's own sentence for an old name (a deal not yet closed, say), else None."""
        key = squash(old_name)
        return next((text for name, text in self.former_name_notes if squash(name) == key), None)

    @cached_property
    def footprint(self) -> frozenset[str]:
        """Every state where it has its own network (national reach is not footprint)."""
        return self.incumbent_states | self.partial_incumbent_states | self.competitive_states

    @property
    def is_incumbent_somewhere(self) -> bool:
        """True for the phone companies (ILECs), wherever they also compete."""
        return bool(self.incumbent_states or self.partial_incumbent_states)


@dataclass(frozen=True)
class Catalog:
    """All carriers of one catalog file, with the lookups the engine and the extractor need."""

    carriers: tuple[Carrier, ...]
    path: str = ""
    _by_name: Mapping[str, Carrier] = field(default_factory=dict, repr=False, compare=False)
    _aliases: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _squashed: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    _former: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)
    # Per-state indexes, built once at load: the engine asks these questions many times.
    _incumbents: Mapping[str, tuple[Carrier, ...]] = field(default_factory=dict, repr=False, compare=False)
    _competitive: Mapping[str, tuple[Carrier, ...]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, carriers: Iterable[Carrier], path: str = "") -> "Catalog":
        """Index `carriers` (already validated) by name, alias and former name."""
        ordered = tuple(sorted(carriers, key=lambda c: c.name.lower()))
        by_name = {c.name.lower(): c for c in ordered}
        aliases: dict[str, str] = {}
        squashed: dict[str, str] = {}
        former: dict[str, tuple[str, str]] = {}
        for c in ordered:
            for typed in (c.name, *c.former_names, *c.aliases):
                aliases.setdefault(_norm(typed), c.name)
                squashed.setdefault(squash(typed), c.name)
            for old in c.former_names:
                former.setdefault(_norm(old), (old, c.name))
                former.setdefault(squash(old), (old, c.name))
        incumbents = {
            state: tuple([c for c in ordered if state in c.incumbent_states]
                         + [c for c in ordered if state in c.partial_incumbent_states])
            for state in sorted(PLACES)
        }
        # Own network before national reach; then strong locally, regional before national.
        competitive = {
            state: tuple(sorted((c for c in ordered if c.kind_in(state) == "CLEC"),
                                key=lambda c: (not c.on_net(state), state not in c.strong_states,
                                               c.national, c.name)))
            for state in sorted(PLACES)
        }
        return cls(ordered, path, by_name, aliases, squashed, former, incumbents, competitive)

    def get(self, name: str) -> Optional[Carrier]:
        """The carrier whose current name is `name` (case-insensitive), else None."""
        return self._by_name.get(_norm(name))

    def alias_map(self) -> dict[str, str]:
        """Lowercase current names, former names and aliases → current catalog name."""
        return dict(self._aliases)

    def resolve(self, name_typed: Optional[str]) -> Optional[Carrier]:
        """The carrier a customer means by `name_typed` (any old name or alias), else None."""
        if not name_typed or not name_typed.strip():
            return None
        current = self._aliases.get(_norm(name_typed)) or self._squashed.get(squash(name_typed))
        return self._by_name.get(current.lower()) if current else None

    def mentions(self, text: Optional[str], capitalised_only: Collection[str] = ()) -> tuple[Mention, ...]:
        """Every carrier named inside `text` by a name, former name or alias written as whole
        words ("i believe it's windstream", "we're on level 3"), in text order; the longest name wins
        ("spectrum business" over "spectrum"). Very short aliases count only in capitals
        (`needs_capitals`), so a stray "xo" is no XO."""
        found: list[Mention] = []
        for match in self._mention_re.finditer(text or ""):
            typed = match.group()
            key = _norm(typed)
            if needs_capitals(key, capitalised_only) and not typed.replace(" ", "").isupper():
                continue
            carrier = self.resolve(key)
            if carrier is not None:
                found.append(Mention(match.start(), match.end(), carrier))
        return tuple(found)

    def mentioned(self, text: Optional[str], capitalised_only: Collection[str] = ()) -> tuple[Carrier, ...]:
        """The distinct carriers `mentions` finds in `text`, in the order first named."""
        return tuple(dict.fromkeys(m.carrier for m in self.mentions(text, capitalised_only)))

    @cached_property
    def _mention_re(self) -> "re.Pattern[str]":
        # One pattern for every spelling, longest first so that the regex engine's first
        # alternative that fits is the longest name; any run of spaces between words.
        spellings = sorted(self._aliases, key=lambda a: (-len(a), a))
        alternatives = "|".join(re.escape(a).replace("\\ ", r"\s+") for a in spellings)
        return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)

    def successor_note(self, name_typed: Optional[str]) -> Optional[str]:
        """"TW Telecom is part of Lumen today" when `name_typed` is a former name, else None."""
        if not name_typed:
            return None
        hit = self._former.get(_norm(name_typed)) or self._former.get(squash(name_typed))
        if hit is None:
            return None
        old, current = hit
        carrier = self._by_name.get(current.lower())
        own = carrier.note_for(old) if carrier else None
        return own or f"{old} is part of {current} today."

    def local_successor(self, carrier: Optional[Carrier], state: str) -> Optional[Carrier]:
        """Who runs `carrier`'s old local phone lines in `state` today, when another company took
        them over there (CenturyLink's lines in North Carolina are Brightspeed's), else None."""
        if carrier is None or carrier.kind_in(state) == "ILEC":
            return None
        return next((c for c in self.incumbents(state) if carrier.name in c.took_over_from), None)

    def incumbents(self, state: str) -> tuple[Carrier, ...]:
        """The ILECs of `state`: the main one first, then the partial ones by name."""
        return self._incumbents.get(state, ())

    def main_incumbent(self, state: str) -> Optional[Carrier]:
        """The ILEC serving most of `state`, else the first partial one, else None."""
        found = self.incumbents(state)
        return found[0] if found else None

    def competitive(self, state: str, service: Optional[str] = None) -> tuple[Carrier, ...]:
        """CLECs of `state` (selling `service` when given), strongest local first, then by name.

        "Strong" means the catalog marks the state in `strong_states` (dense own network there);
        regional carriers come before national ones, because the guidance values local focus.
        """
        ranked = self._competitive.get(state, ())
        if service is None:
            return ranked
        return tuple(c for c in ranked if c.sells_in(service, state))

    def kind_in(self, name: str, state: str) -> Optional[str]:
        """Shortcut for `resolve(name).kind_in(state)`; None for an unknown carrier."""
        carrier = self.resolve(name)
        return carrier.kind_in(state) if carrier else None


# --------------------------------------------------------------------------- loading


class StateCode(str):
    """A USPS code of the 50 states, DC or a territory (PR, VI, GU, AS, MP)."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> str:
        if not isinstance(value, str) or value.strip() not in PLACES:
            raise ValueError(f"unknown state code {value!r} (use USPS codes such as OR, WA)")
        return value.strip()


class Medium(str):
    """A last-mile medium (MEDIA)."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> str:
        if value not in MEDIA:
            raise ValueError(f"unknown last-mile medium {value!r}; expected one of: {', '.join(MEDIA)}")
        return str(value)


class ServiceCode(str):
    """A service code of the contract (bot.domain.canonical.SERVICES)."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> str:
        if value not in _SERVICE_ORDER:
            raise ValueError(f"unknown service {value!r}; expected one of: {', '.join(SERVICES)}")
        return str(value)


class ChallengeCode(str):
    """A challenge code of the contract (bot.domain.canonical.CHALLENGES)."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> str:
        if value not in CHALLENGES:
            raise ValueError(f"{value!r} is not a canonical challenge code; expected one of: {', '.join(CHALLENGES)}")
        return str(value)


def _listed_once(items: list[str], field: Any) -> list[str]:
    seen: set[str] = set()
    for item in items:
        if item.lower() in seen:
            raise ValueError(f"{item!r} is listed twice in '{field.name}'")
        seen.add(item.lower())
    return items


class CarrierEntry(DataModel):
    """One carrier of carriers.yml (see the file's header for what each key means)."""

    unknown_key = "unknown key {key!r} (known: {known})"

    name: NonEmptyText
    national: StrictBool
    incumbent_states: List[StateCode] = []
    partial_incumbent_states: List[StateCode] = []
    competitive_states: List[StateCode] = []
    strong_states: List[StateCode] = []
    services: List[ServiceCode]
    clec_services: List[ServiceCode] = []
    national_services: List[ServiceCode] = []
    last_mile: List[Medium] = []
    former_names: List[NonEmptyText] = []
    former_name_notes: Dict[NonEmptyText, NonEmptyText] = {}
    aliases: List[NonEmptyText] = []
    rides_on: List[NonEmptyText] = []
    took_over_from: List[NonEmptyText] = []
    ownership: StrictStr = ""
    source: List[str]
    notes: StrictStr = ""

    _once = validator(*_LIST_KEYS, allow_reuse=True)(_listed_once)

    @validator("source", pre=True)
    def _one_or_more_urls(cls, value: Any) -> Any:  # noqa: N805
        urls = [value] if isinstance(value, str) else value
        if not isinstance(urls, list) or not urls:
            raise ValueError("missing source: give the URL(s) that back this footprint")
        for url in urls:
            if not isinstance(url, str) or not re.match(r"^https?://\S+$", url.strip()):
                raise ValueError(f"source {url!r} is not an http(s) URL")
        return [u.strip() for u in urls]

    @validator("services")
    def _at_least_one_service(cls, value: list[str]) -> list[str]:  # noqa: N805
        if not value:
            raise ValueError("'services' must list at least one service code")
        return value

    @validator("former_name_notes")
    def _notes_for_former_names(cls, value: dict[str, str], values: dict[str, Any]) -> dict[str, str]:  # noqa: N805
        known = {squash(n) for n in values.get("former_names", [])}
        stray = [name for name in value if squash(name) not in known]
        if stray:
            raise ValueError(f"former_name_notes for {', '.join(stray)}, which are not in former_names")
        return value

    # One kind per state: kind_in() must have a single answer.
    @validator("partial_incumbent_states")
    def _not_also_main(cls, value: list[str], values: dict[str, Any]) -> list[str]:  # noqa: N805
        _no_overlap(value, values.get("incumbent_states", []))
        return value

    @validator("competitive_states")
    def _not_also_incumbent(cls, value: list[str], values: dict[str, Any]) -> list[str]:  # noqa: N805
        _no_overlap(value, values.get("incumbent_states", []) + values.get("partial_incumbent_states", []))
        return value

    @validator("strong_states")
    def _inside_footprint(cls, value: list[str], values: dict[str, Any]) -> list[str]:  # noqa: N805
        footprint = {s for key in _STATE_KEYS[:3] for s in values.get(key, [])}
        stray = sorted(set(value) - footprint)
        if stray:
            raise ValueError(f"strong_states {', '.join(stray)} are outside its footprint")
        return value

    @root_validator(skip_on_failure=True)
    def _has_footprint(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if not any(values[key] for key in _STATE_KEYS[:3]):
            raise Invalid("no footprint: list incumbent_states, partial_incumbent_states or competitive_states",
                          key="name")
        return values


def _no_overlap(states: list[str], other: list[str]) -> None:
    overlap = sorted(set(states) & set(other))
    if overlap:
        raise ValueError(f"state(s) {', '.join(overlap)} listed twice: a carrier is main ILEC, partial ILEC "
                         "or CLEC in a state, only one of them")


class CatalogFile(DataModel):
    """carriers.yml: the list of carriers, whose names, aliases and main incumbents are unique."""

    carriers: List[CarrierEntry]

    @validator("carriers")
    def _unique_across_entries(cls, carriers: list[CarrierEntry]) -> list[CarrierEntry]:  # noqa: N805
        if not carriers:
            raise ValueError("'carriers' must be a non-empty list")
        _check_cross_entry(carriers)
        return carriers


def _check_cross_entry(carriers: list[CarrierEntry]) -> None:
    """Names, aliases and main incumbents must be unique across the whole file."""
    # Keys are squashed ("AT&T" == "att") so that two carriers can never answer the same typed
    # name; within one carrier "AT&T" and "att" may coexist, an exact repeat may not.
    owner: dict[str, str] = {}
    index_of: dict[str, int] = {}
    for index, carrier in enumerate(carriers):
        if carrier.name in index_of or squash(carrier.name) in owner:
            other = owner.get(squash(carrier.name), carrier.name)
            raise Invalid(f"duplicate carrier name (see {other!r})", at=(index,), key="name")
        index_of[carrier.name] = index
        exact: set[str] = set()
        for key, names in (("name", (carrier.name,)), ("former_names", carrier.former_names),
                           ("aliases", carrier.aliases)):
            for typed in names:
                k = squash(typed)
                if not k:
                    raise Invalid(f"{typed!r} has no letters or digits", at=(index,), key=key)
                if _norm(typed) in exact or owner.get(k, carrier.name) != carrier.name:
                    raise Invalid(f"duplicate alias {typed!r} (already used by {owner.get(k, carrier.name)!r})",
                                  at=(index,), key=key)
                exact.add(_norm(typed))
                owner[k] = carrier.name
    main_of: dict[str, str] = {}
    for index, carrier in enumerate(carriers):
        for state in sorted(carrier.incumbent_states):
            if state in main_of:
                raise Invalid(f"{state} already has {main_of[state]!r} as its main incumbent "
                              "(use partial_incumbent_states for a second ILEC)", at=(index,), key="incumbent_states")
            main_of[state] = carrier.name
        for ridden in carrier.rides_on:
            if ridden not in index_of:
                raise Invalid(f"rides_on names unknown carrier {ridden!r}", at=(index,), key="rides_on")
        for previous in carrier.took_over_from:
            if previous not in index_of:
                raise Invalid(f"took_over_from names unknown carrier {previous!r}", at=(index,), key="took_over_from")


def _where(loc: tuple[Any, ...], data: Any) -> Optional[str]:
    """"carrier 'Zayo', services" (or "carrier #3" before it has a name) for an entry's errors."""
    if len(loc) < 2 or loc[0] != "carriers" or not isinstance(loc[1], int):
        return None
    entries = data.get("carriers") if isinstance(data, dict) else None
    entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
    name = entry.get("name") if isinstance(entry, dict) else None
    head = f"carrier {name.strip()!r}" if isinstance(name, str) and name.strip() else f"carrier #{loc[1] + 1}"
    rest = dotted(loc[2:])
    return f"{head}, {rest}" if rest else head


def _read_catalog(path: Path) -> Catalog:
    parsed, data = read_model(path, CatalogFile, _where)
    carriers = [
        Carrier(
            name=entry.name,
            national=entry.national,
            services=tuple(sorted(set(entry.services), key=_SERVICE_ORDER.__getitem__)),
            source=tuple(entry.source),
            incumbent_states=frozenset(entry.incumbent_states),
            partial_incumbent_states=frozenset(entry.partial_incumbent_states),
            competitive_states=frozenset(entry.competitive_states),
            strong_states=frozenset(entry.strong_states),
            former_names=tuple(entry.former_names),
            aliases=tuple(entry.aliases),
            rides_on=tuple(entry.rides_on),
            notes=entry.notes.strip(),
            line=line_of(data["carriers"], index),
            clec_services=tuple(sorted(set(entry.clec_services), key=_SERVICE_ORDER.__getitem__)),
            national_services=tuple(sorted(set(entry.national_services), key=_SERVICE_ORDER.__getitem__)),
            last_mile=tuple(entry.last_mile),
            took_over_from=tuple(entry.took_over_from),
            ownership=" ".join(entry.ownership.split()),
            former_name_notes=tuple((old, " ".join(text.split())) for old, text in entry.former_name_notes.items()),
        )
        for index, entry in enumerate(parsed.carriers)
    ]
    return Catalog.build(carriers, str(path))


def load_catalog(path: Union[str, Path]) -> Catalog:
    """Read and validate a catalog file; DataFileError names the file, line and entry."""
    return load_cached(path, _read_catalog)


def load_default_catalog() -> Catalog:
    """The catalog shipped in bot/data/carriers.yml (re-read when it changes)."""
    return load_catalog(DEFAULT_CATALOG_PATH)
