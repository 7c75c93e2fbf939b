"""The carrier catalog: who is the incumbent (ILEC) where, who competes (CLEC) where, what each sells.

The catalog is a YAML file a broker edits (bot/data/carriers.yml). It is validated when it is
loaded; every problem raises DataFileError naming the file, the line and the carrier entry.

Footprints are per state (USPS codes). A carrier is the ILEC in its `incumbent_states` (the main
ILEC of that state) and `partial_incumbent_states` (an ILEC for part of that state); it is a CLEC
in its `competitive_states`. The same company can be an ILEC in one state and a CLEC in another,
never both in one state: `Carrier.kind_in(state)` answers which.

Nothing is read at import time: `load_default_catalog()` reads the file once and caches it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

from bot.domain.canonical import SERVICES
from bot.base.yamldata import DATA_DIR, DataFileError, LineDict, line_of, load_yaml

DEFAULT_CATALOG_PATH = DATA_DIR / "carriers.yml"

# USPS codes of the 50 states and DC: the contract's `states` slot holds these.
US_STATES: frozenset[str] = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)

_STATE_KEYS = ("incumbent_states", "partial_incumbent_states", "competitive_states", "strong_states")
_LIST_KEYS = _STATE_KEYS + ("services", "former_names", "aliases", "rides_on")
_REQUIRED_KEYS = ("name", "national", "services", "source")
_KNOWN_KEYS = frozenset(_LIST_KEYS + _REQUIRED_KEYS + ("notes",))
_SERVICE_ORDER = {code: i for i, code in enumerate(SERVICES)}


def squash(name: str) -> str:
    """A forgiving lookup key: lowercase letters and digits only ("AT&T" and "att" meet)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _norm(name: str) -> str:
    return " ".join(name.lower().split())


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

    def kind_in(self, state: str) -> Optional[str]:
        """"ILEC" where it is an incumbent, "CLEC" where it competes, None where it is absent."""
        if state in self.incumbent_states or state in self.partial_incumbent_states:
            return "ILEC"
        if state in self.competitive_states:
            return "CLEC"
        return None

    def serves(self, state: str) -> bool:
        """True when the carrier sells service in `state`, as incumbent or as competitor."""
        return self.kind_in(state) is not None

    def sells(self, service: str) -> bool:
        """True when `service` (a contract service code) is in its catalog entry."""
        return service in self.services

    @property
    def footprint(self) -> frozenset[str]:
        """Every state it serves."""
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
            for state in sorted(US_STATES)
        }
        competitive = {
            state: tuple(sorted((c for c in ordered if state in c.competitive_states),
                                key=lambda c: (state not in c.strong_states, c.national, c.name)))
            for state in sorted(US_STATES)
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

    def successor_note(self, name_typed: Optional[str]) -> Optional[str]:
        """"TW Telecom is part of Lumen today" when `name_typed` is a former name, else None."""
        if not name_typed:
            return None
        hit = self._former.get(_norm(name_typed)) or self._former.get(squash(name_typed))
        if hit is None:
            return None
        old, current = hit
        return f"{old} is part of {current} today."

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
        return tuple(c for c in ranked if service in c.services)

    def kind_in(self, name: str, state: str) -> Optional[str]:
        """Shortcut for `resolve(name).kind_in(state)`; None for an unknown carrier."""
        carrier = self.resolve(name)
        return carrier.kind_in(state) if carrier else None


# --------------------------------------------------------------------------- loading


def load_catalog(path: Union[str, Path]) -> Catalog:
    """Read and validate a catalog file; DataFileError names the file, line and entry."""
    path = Path(path)
    data = load_yaml(path)
    if not isinstance(data, LineDict) or "carriers" not in data:
        raise DataFileError(path, line_of(data), "expected a mapping with a 'carriers:' list")
    entries = data["carriers"]
    if not isinstance(entries, list) or not entries:
        raise DataFileError(path, line_of(data, "carriers"), "'carriers' must be a non-empty list")
    carriers = [_parse_entry(path, entry, index) for index, entry in enumerate(entries, 1)]
    _check_cross_entry(path, carriers, entries)
    return Catalog.build(carriers, str(path))


@functools.lru_cache(maxsize=1)
def load_default_catalog() -> Catalog:
    """The catalog shipped in bot/data/carriers.yml, read once per process."""
    return load_catalog(DEFAULT_CATALOG_PATH)


def _parse_entry(path: Path, entry: Any, index: int) -> Carrier:
    if not isinstance(entry, LineDict):
        raise DataFileError(path, line_of(entry), f"carrier #{index} must be a mapping")
    label = f"carrier #{index}"
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DataFileError(path, line_of(entry, "name"), f"{label}: 'name' must be a non-empty text")
    name = name.strip()
    label = f"carrier {name!r}"

    def fail(key: str, message: str) -> DataFileError:
        return DataFileError(path, line_of(entry, key), f"{label}: {message}")

    for key in entry:
        if key not in _KNOWN_KEYS:
            raise fail(str(key), f"unknown key {key!r} (known: {', '.join(sorted(_KNOWN_KEYS))})")
    for key in _REQUIRED_KEYS:
        if key not in entry:
            raise DataFileError(path, line_of(entry), f"{label}: missing '{key}'")
    if not isinstance(entry["national"], bool):
        raise fail("national", "'national' must be true or false")

    lists = {key: _text_list(entry, key, fail) for key in _LIST_KEYS}
    for key in _STATE_KEYS:
        for code in lists[key]:
            if code not in US_STATES:
                raise fail(key, f"unknown state code {code!r} in {key} (use USPS codes such as OR, WA)")
    for code in lists["services"]:
        if code not in _SERVICE_ORDER:
            raise fail("services", f"unknown service code {code!r} (known: {', '.join(SERVICES)})")
    if not lists["services"]:
        raise fail("services", "'services' must list at least one service code")

    main, partial, comp = (frozenset(lists[k]) for k in _STATE_KEYS[:3])
    # One kind per state: kind_in() must have a single answer.
    for key, overlap in (("partial_incumbent_states", main & partial),
                         ("competitive_states", comp & (main | partial))):
        if overlap:
            raise fail(key, f"state(s) {', '.join(sorted(overlap))} listed twice: a carrier is "
                            "main ILEC, partial ILEC or CLEC in a state, only one of them")
    if not (main or partial or comp):
        raise fail("name", "no footprint: list incumbent_states, partial_incumbent_states or competitive_states")
    stray = sorted(frozenset(lists["strong_states"]) - (main | partial | comp))
    if stray:
        raise fail("strong_states", f"strong_states {', '.join(stray)} are outside its footprint")

    sources = _sources(entry, fail)
    notes = entry.get("notes", "")
    if not isinstance(notes, str):
        raise fail("notes", "'notes' must be text")
    return Carrier(
        name=name,
        national=entry["national"],
        services=tuple(sorted(set(lists["services"]), key=_SERVICE_ORDER.__getitem__)),
        source=sources,
        incumbent_states=main,
        partial_incumbent_states=partial,
        competitive_states=comp,
        strong_states=frozenset(lists["strong_states"]),
        former_names=tuple(lists["former_names"]),
        aliases=tuple(lists["aliases"]),
        rides_on=tuple(lists["rides_on"]),
        notes=notes.strip(),
        line=line_of(entry),
    )


def _text_list(entry: LineDict, key: str, fail: Any) -> list[str]:
    value = entry.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(key, f"'{key}' must be a list of texts, e.g. [OR, WA]")
    items = [v.strip() for v in value]
    seen: set[str] = set()
    for item in items:
        if item.lower() in seen:
            raise fail(key, f"{item!r} is listed twice in '{key}'")
        seen.add(item.lower())
    return items


def _sources(entry: LineDict, fail: Any) -> tuple[str, ...]:
    raw = entry.get("source")
    urls = [raw] if isinstance(raw, str) else raw
    if not isinstance(urls, list) or not urls:
        raise fail("source", "missing source: give the URL(s) that back this footprint")
    for url in urls:
        if not isinstance(url, str) or not re.match(r"^https?://\S+$", url.strip()):
            raise fail("source", f"source {url!r} is not an http(s) URL")
    return tuple(u.strip() for u in urls)


def _check_cross_entry(path: Path, carriers: list[Carrier], entries: list[Any]) -> None:
    """Names, aliases and main incumbents must be unique across the whole file."""
    # Keys are squashed ("AT&T" == "att") so that two carriers can never answer the same typed
    # name; within one carrier "AT&T" and "att" may coexist, an exact repeat may not.
    owner: dict[str, str] = {}
    by_name: dict[str, tuple[Carrier, Any]] = {}
    for carrier, entry in zip(carriers, entries):
        if carrier.name in by_name or squash(carrier.name) in owner:
            other = owner.get(squash(carrier.name), carrier.name)
            raise DataFileError(path, line_of(entry, "name"),
                                f"carrier {carrier.name!r}: duplicate carrier name (see {other!r})")
        by_name[carrier.name] = (carrier, entry)
        exact: set[str] = set()
        for key, names in (("name", (carrier.name,)), ("former_names", carrier.former_names),
                           ("aliases", carrier.aliases)):
            for typed in names:
                k = squash(typed)
                if not k:
                    raise DataFileError(path, line_of(entry, key),
                                        f"carrier {carrier.name!r}: {typed!r} has no letters or digits")
                if _norm(typed) in exact or owner.get(k, carrier.name) != carrier.name:
                    raise DataFileError(
                        path, line_of(entry, key),
                        f"carrier {carrier.name!r}: duplicate alias {typed!r} "
                        f"(already used by {owner.get(k, carrier.name)!r})",
                    )
                exact.add(_norm(typed))
                owner[k] = carrier.name
    main_of: dict[str, str] = {}
    for carrier, entry in by_name.values():
        for state in sorted(carrier.incumbent_states):
            if state in main_of:
                raise DataFileError(
                    path, line_of(entry, "incumbent_states"),
                    f"carrier {carrier.name!r}: {state} already has {main_of[state]!r} as its main "
                    "incumbent (use partial_incumbent_states for a second ILEC)",
                )
            main_of[state] = carrier.name
        for ridden in carrier.rides_on:
            if ridden not in by_name:
                raise DataFileError(
                    path, line_of(entry, "rides_on"),
                    f"carrier {carrier.name!r}: rides_on names unknown carrier {ridden!r}",
                )
