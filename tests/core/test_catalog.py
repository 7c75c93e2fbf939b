"""The carrier catalog: shipped data, lookups by any name, and validation errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.catalog import US_STATES, Catalog, load_catalog, load_default_catalog, squash
from bot.domain.canonical import SERVICES
from bot.base.yamldata import DataFileError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_default_catalog()


# --------------------------------------------------------------------------- shipped data


def test_default_catalog_is_cached_and_complete(catalog: Catalog) -> None:
    assert load_default_catalog() is catalog
    names = {c.name for c in catalog.carriers}
    required = {
        "AT&T", "Verizon", "Lumen", "Frontier", "Brightspeed", "Windstream", "Consolidated",
        "Ziply Fiber", "altafiber", "Hawaiian Telcom", "Alaska Communications", "Zayo",
        "Verizon Business", "Cogent", "Comcast Business", "Spectrum Enterprise", "Cox Business",
        "Granite", "Windstream Enterprise",
    }
    assert required <= names


def test_every_state_has_exactly_one_main_incumbent(catalog: Catalog) -> None:
    for state in US_STATES:
        mains = [c for c in catalog.carriers if state in c.incumbent_states]
        assert len(mains) == 1, state
        assert catalog.incumbents(state)[0] is mains[0]


def test_every_carrier_is_sourced_and_consistent(catalog: Catalog) -> None:
    for c in catalog.carriers:
        assert c.source and all(u.startswith(("http://", "https://")) for u in c.source), c.name
        assert set(c.services) <= set(SERVICES)
        assert c.footprint <= US_STATES
        assert not (c.competitive_states & (c.incumbent_states | c.partial_incumbent_states))
        assert c.strong_states <= c.footprint


@pytest.mark.parametrize(
    "name, state, kind",
    [
        ("AT&T", "TX", "ILEC"),
        ("AT&T", "NY", "CLEC"),
        ("AT&T", "ND", None),
        ("Lumen", "CO", "ILEC"),
        ("Lumen", "FL", "ILEC"),  # partial ILEC: kept after the Brightspeed sale
        ("Lumen", "NC", "CLEC"),  # sold the ILEC to Brightspeed, kept the CLEC
        ("Brightspeed", "NC", "ILEC"),
        ("Verizon", "NY", "ILEC"),
        ("Verizon", "CA", None),
        ("Verizon Business", "CA", "CLEC"),
        ("Verizon Business", "NY", None),  # Verizon's own region: it is the ILEC there
        ("Frontier", "CT", "ILEC"),
        ("Consolidated", "VT", "ILEC"),
        ("Ziply Fiber", "OR", "ILEC"),
        ("altafiber", "OH", "ILEC"),
        ("GCI", "AK", "CLEC"),
        ("Zayo", "OR", "CLEC"),
        ("Cogent", "ND", None),
    ],
)
def test_kind_in(catalog: Catalog, name: str, state: str, kind: str | None) -> None:
    carrier = catalog.get(name)
    assert carrier is not None
    assert carrier.kind_in(state) == kind
    assert catalog.kind_in(name, state) == kind
    assert carrier.serves(state) == (kind is not None)


def test_kind_in_unknown_carrier_is_none(catalog: Catalog) -> None:
    assert catalog.kind_in("Acme Telephone", "TX") is None


@pytest.mark.parametrize(
    "typed, current",
    [
        ("tw telecom", "Lumen"),
        ("level 3", "Lumen"),
        ("centurylink", "Lumen"),
        ("qwest", "Lumen"),
        ("xo", "Verizon Business"),
        ("mcimetro", "Verizon Business"),
        ("integra", "Zayo"),
        ("electric lightwave", "Zayo"),
        ("at&t", "AT&T"),
        ("att", "AT&T"),
        ("fairpoint", "Consolidated"),
        ("cincinnati bell", "altafiber"),
        ("paetec", "Windstream Enterprise"),
        ("time warner cable", "Spectrum Enterprise"),
        ("lumen", "Lumen"),
    ],
)
def test_alias_map(catalog: Catalog, typed: str, current: str) -> None:
    assert catalog.alias_map()[typed] == current


def test_alias_map_keys_are_lowercase_and_values_current_names(catalog: Catalog) -> None:
    names = {c.name for c in catalog.carriers}
    amap = catalog.alias_map()
    assert all(k == k.lower() for k in amap)
    assert set(amap.values()) == names


@pytest.mark.parametrize(
    "typed, current",
    [
        ("AT&T", "AT&T"),
        ("At & T", "AT&T"),
        ("  TW Telecom ", "Lumen"),
        ("Level3", "Lumen"),
        ("XO Communications", "Verizon Business"),
        ("COMCAST", "Comcast Business"),
        ("Ziply", "Ziply Fiber"),
    ],
)
def test_resolve_forgives_case_spacing_and_punctuation(catalog: Catalog, typed: str, current: str) -> None:
    carrier = catalog.resolve(typed)
    assert carrier is not None and carrier.name == current


@pytest.mark.parametrize("typed", [None, "", "   ", "Acme Telephone", "the phone company"])
def test_resolve_unknown(catalog: Catalog, typed: str | None) -> None:
    assert catalog.resolve(typed) is None


@pytest.mark.parametrize(
    "typed, note",
    [
        ("tw telecom", "TW Telecom is part of Lumen today."),
        ("XO", "XO is part of Verizon Business today."),
        ("integra", "Integra is part of Zayo today."),
        ("CenturyLink", "CenturyLink is part of Lumen today."),
        ("Lumen", None),  # current name
        ("att", None),  # an alias, not an older company
        ("Acme", None),
        (None, None),
    ],
)
def test_successor_note(catalog: Catalog, typed: str | None, note: str | None) -> None:
    assert catalog.successor_note(typed) == note


def test_incumbents_main_first(catalog: Catalog) -> None:
    names = [c.name for c in catalog.incumbents("TX")]
    assert names[0] == "AT&T"
    assert {"Frontier", "Brightspeed", "Windstream", "Consolidated"} <= set(names[1:])
    assert catalog.incumbents("ZZ") == ()


def test_competitive_filters_by_service_and_ranks_strong_first(catalog: Catalog) -> None:
    oregon = catalog.competitive("OR")
    assert oregon[0].name == "Zayo"  # Electric Lightwave's own network: strong in Oregon
    assert all(c.kind_in("OR") == "CLEC" for c in oregon)
    pri = catalog.competitive("TX", "pri")
    assert pri and all("pri" in c.services for c in pri)
    assert "Cogent" not in {c.name for c in pri}


@pytest.mark.parametrize("state", ["ND", "SD"])
def test_no_coverage_states_have_only_incumbents(catalog: Catalog, state: str) -> None:
    assert catalog.competitive(state) == ()
    assert catalog.incumbents(state)[0].name == "Lumen"


def test_alaska_and_hawaii_have_one_competitor_each(catalog: Catalog) -> None:
    assert [c.name for c in catalog.competitive("AK")] == ["GCI"]
    assert [c.name for c in catalog.competitive("HI")] == ["Spectrum Enterprise"]


def test_squash() -> None:
    assert squash("AT&T") == squash("att") == "att"
    assert squash("Level 3") == "level3"


# --------------------------------------------------------------------------- validation

GOOD_ENTRY = """\
  - name: Acme Telephone
    national: false
    incumbent_states: [OR]
    services: [dia, pots]
    aliases: [acme]
    source: https://example.com/acme
"""


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "carriers.yml"
    path.write_text(body, encoding="utf-8")
    return path


def test_minimal_catalog_loads(tmp_path: Path) -> None:
    cat = load_catalog(_write(tmp_path, "carriers:\n" + GOOD_ENTRY))
    acme = cat.get("acme telephone")
    assert acme is not None and acme.kind_in("OR") == "ILEC"
    assert acme.line == 2
    assert cat.path.endswith("carriers.yml")


BAD_CASES = [
    # (label, yaml body, text of the line the error must name (searched after the good entry;
    #  "<end>": the last line), words the message must contain)
    ("unknown service", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: [dia, smoke_signals]
    source: https://example.com/bad
""", "smoke_signals", ["Bad Co", "smoke_signals"]),
    ("unknown state", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR, XX]
    services: [dia]
    source: https://example.com/bad
""", "XX]", ["Bad Co", "XX"]),
    ("unknown key (kind)", GOOD_ENTRY + """\
  - name: Bad Co
    kind: CLEC
    national: false
    competitive_states: [OR]
    services: [dia]
    source: https://example.com/bad
""", "kind:", ["Bad Co", "kind"]),
    ("missing source", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: [dia]
""", "name: Bad Co", ["Bad Co", "source"]),
    ("empty source", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: [dia]
    source: []
""", "source: []", ["Bad Co", "source"]),
    ("bad URL", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: [dia]
    source: [see the website]
""", "source: [see", ["Bad Co", "URL"]),
    ("duplicate alias across carriers", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: [dia]
    aliases: [ACME]
    source: https://example.com/bad
""", "aliases: [ACME]", ["Bad Co", "duplicate alias", "Acme Telephone"]),
    ("duplicate former name within a carrier", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: [dia]
    former_names: [Old Co, old co]
    source: https://example.com/bad
""", "former_names", ["Bad Co", "old co", "twice"]),
    ("duplicate carrier name", GOOD_ENTRY + GOOD_ENTRY.replace("[acme]", "[]"), "name: Acme",
     ["Acme Telephone", "duplicate carrier name"]),
    ("ILEC and CLEC in one state", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    partial_incumbent_states: [WA]
    competitive_states: [OR, WA]
    services: [dia]
    source: https://example.com/bad
""", "competitive_states: [OR, WA]", ["Bad Co", "WA"]),
    ("two main incumbents", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    incumbent_states: [OR]
    services: [dia]
    source: https://example.com/bad
""", "incumbent_states: [OR]", ["Bad Co", "OR", "Acme Telephone"]),
    ("national not a bool", GOOD_ENTRY + """\
  - name: Bad Co
    national: maybe
    competitive_states: [OR]
    services: [dia]
    source: https://example.com/bad
""", "national: maybe", ["Bad Co", "national"]),
    ("missing name", GOOD_ENTRY + """\
  - national: false
    competitive_states: [OR]
    services: [dia]
    source: https://example.com/bad
""", "- national: false", ["carrier #2", "name"]),
    ("no footprint", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    services: [dia]
    source: https://example.com/bad
""", "name: Bad Co", ["Bad Co", "footprint"]),
    ("strong outside footprint", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    strong_states: [WA]
    services: [dia]
    source: https://example.com/bad
""", "strong_states", ["Bad Co", "WA"]),
    ("rides_on unknown carrier", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: [dia]
    rides_on: [Nobody]
    source: https://example.com/bad
""", "rides_on", ["Bad Co", "Nobody"]),
    ("state listed twice", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR, OR]
    services: [dia]
    source: https://example.com/bad
""", "[OR, OR]", ["Bad Co", "twice"]),
    ("services not a list", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: dia
    source: https://example.com/bad
""", "services:", ["Bad Co", "services"]),
    ("no services", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: []
    source: https://example.com/bad
""", "services:", ["Bad Co", "services"]),
    ("YAML syntax error", GOOD_ENTRY + "  - name: [unclosed\n", "<end>", ["YAML"]),
]


def _line_of(text: str, marker: str) -> int:
    lines = text.splitlines()
    if marker == "<end>":
        return len(lines) + 1  # the parser reports the end of the stream
    first_bad = 2 + GOOD_ENTRY.count("\n")  # the good entry occupies the lines before
    return next(i for i, line in enumerate(lines, 1) if i >= first_bad and marker in line)


@pytest.mark.parametrize("label, body, marker, words", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_validation_errors_name_file_line_and_entry(
    tmp_path: Path, label: str, body: str, marker: str, words: list[str]
) -> None:
    text = "carriers:\n" + body
    path = _write(tmp_path, text)
    line = _line_of(text, marker)
    with pytest.raises(DataFileError) as err:
        load_catalog(path)
    assert err.value.path == str(path)
    assert err.value.line == line, str(err.value)
    assert str(err.value).startswith(f"{path}:{line}: ")
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize("body", ["", "carriers: []\n", "- name: x\n", "carriers: nope\n"])
def test_top_level_shape(tmp_path: Path, body: str) -> None:
    with pytest.raises(DataFileError) as err:
        load_catalog(_write(tmp_path, body))
    assert "carriers" in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as err:
        load_catalog(tmp_path / "nope.yml")
    assert "nope.yml" in str(err.value)
