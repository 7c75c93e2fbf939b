"""bot.understanding.locations: states, ZIPs and cities resolve to canonical values; aliases validate."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.understanding.locations import CityInfo, Gazetteer, ZipInfo, place_key, resolve_city, resolve_state, resolve_zip
from bot.base.yamldata import DataFileError

BAD_INPUTS = ["", "   ", None, 42, "🙂", "<script>alert(1)</script>", "'; DROP TABLE leads; --", "x" * 10_000_000]


def _id(value: object) -> str:
    """Short test ids: some parameters are 10 MB strings."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@pytest.mark.parametrize(
    "text, code",
    [
        ("Oregon", "OR"),
        ("oregon", "OR"),
        ("OREGON", "OR"),
        ("OR", "OR"),
        ("or", "OR"),
        ("Ore.", "OR"),
        ("ore", "OR"),
        ("  Oregon  ", "OR"),
        ("the state of Oregon", "OR"),
        ("Oregon state", "OR"),
        ("Washington", "WA"),
        ("Wash.", "WA"),
        ("Washington state", "WA"),
        ("Calif.", "CA"),
        ("cali", "CA"),
        ("New York", "NY"),
        ("new  york", "NY"),
        ("N.Y.", "NY"),
        ("North Carolina", "NC"),
        ("West Virginia", "WV"),
        ("W.Va.", "WV"),
        ("District of Columbia", "DC"),
        ("DC", "DC"),
        ("D.C.", "DC"),
        ("Washington DC", "DC"),
        ("Washington, D.C.", "DC"),
        ("Tennesee", "TN"),  # one-letter typo of a long name
        ("Conneticut", "CT"),
        ("Massachusets", "MA"),
        ("Hawaii", "HI"),
        ("Texas", "TX"),
    ],
    ids=_id,
)
def test_resolve_state(text: str, code: str) -> None:
    assert resolve_state(text) == code


@pytest.mark.parametrize(
    "text",
    ["Narnia", "Puerto Rico", "PR", "GU", "Guam", "Main", "Oregano x", "XX", "41", "Ontario", *BAD_INPUTS],
    ids=_id,
)
def test_resolve_state_unknown(text) -> None:  # type: ignore[no-untyped-def]
    assert resolve_state(text) is None


def test_all_fifty_states_and_dc(gazetteer) -> None:
    assert len(gazetteer.state_codes) == 51 and "DC" in gazetteer.state_codes
    for code, name in gazetteer.state_proper_names.items():
        assert resolve_state(name) == code
        assert resolve_state(code.lower()) == code


@pytest.mark.parametrize(
    "text, expected",
    [
        ("97201", ZipInfo("97201", "Portland", "OR")),
        ("97201-1234", ZipInfo("97201", "Portland", "OR")),
        (" 97201 ", ZipInfo("97201", "Portland", "OR")),
        ("04101", ZipInfo("04101", "Portland", "ME")),
        ("20500", ZipInfo("20500", "Washington", "DC")),
        ("84101", ZipInfo("84101", "Salt Lake City", "UT")),
        ("99501", ZipInfo("99501", "Anchorage", "AK")),
    ],
    ids=_id,
)
def test_resolve_zip(text: str, expected: ZipInfo) -> None:
    assert resolve_zip(text) == expected


@pytest.mark.parametrize(
    "text",
    ["00000", "0000", "972011", "9720a", "ABCDE", "00601", "09001", "97201-12", *BAD_INPUTS],
    ids=_id,
)
def test_resolve_zip_unknown(text) -> None:  # type: ignore[no-untyped-def]
    # 00601 is Puerto Rico and 09001 a military ZIP: outside the 50 states and DC
    assert resolve_zip(text) is None


@pytest.mark.parametrize(
    "name, hint, city, state",
    [
        ("Portland", None, "Portland", "OR"),  # the largest Portland
        ("portland", None, "Portland", "OR"),
        ("Portland", "ME", "Portland", "ME"),
        ("Portland", "Maine", "Portland", "ME"),
        ("Portland, Maine", None, "Portland", "ME"),
        ("Portland ME", None, "Portland", "ME"),
        ("portland or", None, "Portland", "OR"),
        ("Portland, Ore.", None, "Portland", "OR"),
        ("Seattle", "OR", "Seattle", "WA"),  # a hint is a preference, not a filter
        ("SLC", None, "Salt Lake City", "UT"),
        ("NYC", None, "New York City", "NY"),
        ("New York", None, "New York City", "NY"),
        ("Philly", None, "Philadelphia", "PA"),
        ("Vegas", None, "Las Vegas", "NV"),
        ("SF", None, "San Francisco", "CA"),
        ("Twin Cities", None, "Minneapolis", "MN"),
        ("LA", None, "Los Angeles", "CA"),
        ("seatle", None, "Seattle", "WA"),
        ("St. Louis", None, "St. Louis", "MO"),
        ("saint louis", None, "St. Louis", "MO"),
        ("St Paul", None, "Saint Paul", "MN"),
        ("Ft. Worth", None, "Fort Worth", "TX"),
        ("Salt Lake City UT", None, "Salt Lake City", "UT"),
        ("Washington", None, "Washington", "DC"),
        ("Washington, DC", None, "Washington", "DC"),
        ("Canon City", None, "Cañon City", "CO"),
        ("Coeur d'Alene", None, "Coeur d'Alene", "ID"),
        ("Winston-Salem", None, "Winston-Salem", "NC"),
        ("Kansas City", None, "Kansas City", "MO"),
        ("Kansas City, KS", None, "Kansas City", "KS"),
    ],
    ids=_id,
)
def test_resolve_city(name: str, hint, city: str, state: str) -> None:  # type: ignore[no-untyped-def]
    info = resolve_city(name, hint)
    assert info is not None and (info.name, info.state) == (city, state)
    assert info.population > 0


@pytest.mark.parametrize("name", ["Narnia", "la", "Atlantis, OR", "Chinatown", *BAD_INPUTS], ids=_id)
def test_resolve_city_unknown(name) -> None:  # type: ignore[no-untyped-def]
    # "la" is a word (only "LA" is Los Angeles); "Chinatown" is ignored by city_aliases.yml
    assert resolve_city(name) is None


def test_city_options_are_largest_first(gazetteer) -> None:
    options = gazetteer.city_options("portland")
    assert [o.state for o in options][:2] == ["OR", "ME"]
    assert options == tuple(sorted(options, key=lambda c: -c.population))
    assert gazetteer.city_in_state("portland", "ME") == CityInfo("Portland", "ME", options[1].population)
    assert gazetteer.city_in_state("seattle", "OR") is None


def test_place_key() -> None:
    assert place_key("St. Louis") == "st louis"
    assert place_key("Winston-Salem") == "winston salem"
    assert place_key("Cañon City") == "canon city"
    assert place_key("O’Fallon") == "o'fallon"


def test_gazetteer_words_that_need_care(gazetteer) -> None:
    assert "mobile" in gazetteer.common_words and "tyler" in gazetteer.person_names
    assert gazetteer.ap_abbreviations["Ore."] == "OR" and gazetteer.ap_abbreviations["D.C."] == "DC"
    assert "Alaska" not in gazetteer.ap_abbreviations  # AP writes it out: not an abbreviation


# ---- city_aliases.yml validation ----------------------------------------------------------------


def _aliases(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "city_aliases.yml"
    path.write_text(body, encoding="utf-8")
    return path


def test_custom_aliases_file(tmp_path: Path) -> None:
    path = _aliases(tmp_path, "aliases:\n  rip city: Portland, OR\nstate_aliases:\n  beaver state: OR\n")
    g = Gazetteer(path)
    assert g.city("Rip City") == CityInfo("Portland", "OR", g.city_options("portland")[0].population)
    assert g.state("Beaver State") == "OR"
    assert g.spellings("rip city") == ("rip city",)


@pytest.mark.parametrize(
    "body, line, message",
    [
        ("aliases:\n  slc: Salt Lake City, UT\n  gotham: Gotham City, NY\n", 3, "Gotham City"),
        ("aliases:\n  slc: Salt Lake City, XX\n", 2, "'XX'"),
        ("aliases:\n  slc: Salt Lake City\n", 2, "City, ST"),
        ("aliases:\n  pdx: Portland, ME\n  seatle: Seattle, OR\n", 3, "in OR"),
        ("state_aliases:\n  cali: CA\n  narnia: NA\n", 3, "USPS"),
        ("common_words:\n  - mobile\n  - ''\n", 3, "non-empty"),
        ("ignore:\n  - Chinatown\n  - Atlantis\n", 3, "Atlantis"),
        ("aliases:\n  x: Portland, OR\nextras: 1\n", 3, "unknown section"),
        ("aliases: [unclosed\n", 2, "YAML syntax"),  # where the parser notices: end of file
    ],
    ids=_id,
)
def test_aliases_file_errors_name_the_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    with pytest.raises(DataFileError) as err:
        Gazetteer(_aliases(tmp_path, body))
    assert err.value.line == line, str(err.value)
    assert message in str(err.value)
    assert "city_aliases.yml" in str(err.value)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_resolvers_never_raise(text: str) -> None:
    code = resolve_state(text)
    assert code is None or (len(code) == 2 and code.isupper())
    info = resolve_city(text, text[:2])
    assert info is None or isinstance(info, CityInfo)
    assert resolve_zip(text) is None or resolve_zip(text).zip_code.isdigit()  # type: ignore[union-attr]
