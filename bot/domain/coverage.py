"""The incumbent below state level: which phone company serves a county or ZIP of a split state.

bot/data/coverage.yml lists areas (counties or ZIPs of one state) whose incumbent is not the
state's main one (Las Vegas is Lumen's, Reno AT&T's). `Coverage.locate()` finds the county of
the head office from its ZIP code or city through the installed `zipcodes` package (its county
field; nothing is fetched at run time) and returns the area it falls in, with the level used:
"zip", "county" or "state" (the fallback: no ZIP or city, or no area lists it).

The catalog (bot.domain.catalog) stays at state level; the guidance engine asks this module
first for the head-office state and uses the state level elsewhere.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, List, Literal, Mapping, Optional, Union

from pydantic import StrictStr, root_validator, validator

from bot.base.schema import DataModel, Invalid, NonEmptyText, dotted, load_cached, read_model
from bot.base.yamldata import DATA_DIR, line_of
from bot.domain.catalog import StateCode

DEFAULT_COVERAGE_PATH = DATA_DIR / "coverage.yml"
Level = Literal["zip", "county", "state"]
_SUFFIX = re.compile(r"\s+(county|parish|borough|census area|municipio|city and borough|city)$")


def county_key(name: str) -> str:
    """"Clark County" and "clark" meet (so do "Charlottesville City" and "Charlottesville")."""
    return _SUFFIX.sub("", " ".join(name.lower().replace(".", "").split()))


@dataclass(frozen=True)
class Area:
    """Counties or ZIPs of one state whose incumbent is `incumbent` (a catalog name)."""

    state: str
    counties: frozenset[str]  # county_key() of each county
    zips: tuple[str, ...]  # five digits, or a three-digit prefix
    incumbent: str
    was: str
    competitors: tuple[str, ...]
    basis: str
    source: tuple[str, ...]
    line: int = 0

    def has_zip(self, zip_code: str) -> bool:
        return any(zip_code == z or (len(z) == 3 and zip_code.startswith(z)) for z in self.zips)


@dataclass(frozen=True)
class Location:
    """Where the head office is, as far as the coverage data can tell, and how it was found."""

    state: str
    level: Level
    county: Optional[str] = None  # as zipcodes spells it ("Clark County")
    area: Optional[Area] = None  # the listed area it falls in (None at state level)


@dataclass(frozen=True)
class Coverage:
    """All areas of one coverage file, by state."""

    areas: tuple[Area, ...]
    path: str = ""

    @property
    def split_states(self) -> frozenset[str]:
        """States with at least one area: there the state-level incumbent may be wrong."""
        return frozenset(a.state for a in self.areas)

    def in_state(self, state: str) -> tuple[Area, ...]:
        return tuple(a for a in self.areas if a.state == state)

    def locate(self, state: str, city: Optional[str] = None, zip_code: Optional[str] = None) -> Location:
        """The head office's area: by its ZIP (listed ZIP, then the ZIP's county), else by its
        city's county, else the state level. A ZIP or city of another state is ignored."""
        areas = self.in_state(state)
        if not areas:
            return Location(state, "state")  # one incumbent state-wide: no lookup needed
        zip_code = (zip_code or "").strip()
        if re.fullmatch(r"\d{5}", zip_code):
            listed = next((a for a in areas if a.has_zip(zip_code)), None)
            if listed is not None:
                return Location(state, "zip", county_of_zip(zip_code, state), listed)
            county = county_of_zip(zip_code, state)
            if county:
                return Location(state, "county", county, _by_county(areas, county))
        if city and city.strip():
            county = county_of_city(city, state)
            if county:
                return Location(state, "county", county, _by_county(areas, county))
        return Location(state, "state")


def _by_county(areas: tuple[Area, ...], county: str) -> Optional[Area]:
    key = county_key(county)
    return next((a for a in areas if key in a.counties), None)


# --------------------------------------------------------------------------- zipcodes


@lru_cache(maxsize=1)
def _zip_rows() -> tuple[Mapping[str, tuple[str, str]], Mapping[tuple[str, str], str]]:
    """ZIP -> (state, county) and (state, city) -> its most common county, from zipcodes'
    42,000 rows (read once, about a second; only when a ZIP or city has to be placed)."""
    import zipcodes

    by_zip: dict[str, tuple[str, str]] = {}
    counties: dict[tuple[str, str], Counter[str]] = {}
    for row in zipcodes.list_all():
        state, county = row.get("state") or "", row.get("county") or ""
        if not county:
            continue
        by_zip[row["zip_code"]] = (state, county)
        for city in [row.get("city") or "", *(row.get("acceptable_cities") or [])]:
            if city:
                counties.setdefault((state, _city_key(city)), Counter())[county] += 1
    by_city = {key: found.most_common(1)[0][0] for key, found in counties.items()}
    return by_zip, by_city


def _city_key(city: str) -> str:
    key = " ".join(city.lower().replace(".", "").split())
    return re.sub(r"^(saint|st)\s", "st ", key)


def county_of_zip(zip_code: str, state: str) -> Optional[str]:
    """The county of a five-digit ZIP when it lies in `state`, else None."""
    found = _zip_rows()[0].get(zip_code)
    return found[1] if found and found[0] == state else None


def county_of_city(city: str, state: str) -> Optional[str]:
    """The county most of `city`'s ZIPs lie in, within `state`, else None."""
    return _zip_rows()[1].get((state, _city_key(city)))


# --------------------------------------------------------------------------- loading


class ZipText(str):
    """Five digits, or a three-digit ZIP prefix."""

    @classmethod
    def __get_validators__(cls) -> Any:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> str:
        text = str(value).strip()
        if not re.fullmatch(r"\d{3}|\d{5}", text):
            raise ValueError(f"{value!r} is not a five-digit ZIP or a three-digit prefix")
        return text


class AreaEntry(DataModel):
    """One area of coverage.yml (see the file's header)."""

    state: StateCode
    counties: List[NonEmptyText] = []
    zips: List[ZipText] = []
    incumbent: NonEmptyText
    was: StrictStr = ""
    competitors: List[NonEmptyText] = []
    basis: Literal["research", "sourced", "background"]
    source: List[str] = []
    notes: StrictStr = ""

    @validator("source", pre=True)
    def _urls(cls, value: Any) -> Any:  # noqa: N805
        urls = [value] if isinstance(value, str) else value
        for url in urls or []:
            if not isinstance(url, str) or not re.match(r"^https?://\S+$", url.strip()):
                raise ValueError(f"source {url!r} is not an http(s) URL")
        return urls

    @root_validator(skip_on_failure=True)
    def _somewhere(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if not values["counties"] and not values["zips"]:
            raise Invalid("an area needs counties or zips", key="state")
        if values["basis"] == "sourced" and not values["source"]:
            raise Invalid("basis 'sourced' needs a source URL", key="basis")
        return values


class CoverageFile(DataModel):
    """coverage.yml: areas, no county or ZIP in two areas of one state."""

    areas: List[AreaEntry]

    @validator("areas")
    def _each_place_once(cls, areas: list[AreaEntry]) -> list[AreaEntry]:  # noqa: N805
        seen: dict[tuple[str, str], int] = {}
        for index, area in enumerate(areas):
            for place in [county_key(c) for c in area.counties] + list(area.zips):
                key = (area.state, place)
                if key in seen:
                    raise Invalid(f"{area.state} {place!r} is already in area #{seen[key] + 1}", at=(index,))
                seen[key] = index
        return areas


def _where(loc: tuple[Any, ...], data: Any) -> Optional[str]:
    if len(loc) < 2 or loc[0] != "areas" or not isinstance(loc[1], int):
        return None
    rest = dotted(loc[2:])
    return f"area #{loc[1] + 1}" + (f", {rest}" if rest else "")


def _read_coverage(path: Path) -> Coverage:
    parsed, data = read_model(path, CoverageFile, _where)
    return Coverage(tuple(
        Area(
            state=entry.state,
            counties=frozenset(county_key(c) for c in entry.counties),
            zips=tuple(entry.zips),
            incumbent=entry.incumbent,
            was=entry.was.strip(),
            competitors=tuple(entry.competitors),
            basis=entry.basis,
            source=tuple(entry.source),
            line=line_of(data["areas"], index),
        )
        for index, entry in enumerate(parsed.areas)
    ), str(path))


def load_coverage(path: Union[str, Path]) -> Coverage:
    """Read and validate a coverage file; DataFileError names the file, line and area."""
    return load_cached(path, _read_coverage)


def load_default_coverage() -> Coverage:
    """bot/data/coverage.yml (re-read when it changes)."""
    return load_coverage(DEFAULT_COVERAGE_PATH)
