"""The carrier catalog: shipped data, lookups by any name, and validation errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.catalog import PLACES, US_STATES, Catalog, load_catalog, load_default_catalog, needs_capitals, squash
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
        "Cogent", "Comcast Business", "Spectrum Enterprise", "Cox Business",
        "Granite", "Windstream Enterprise",
        # issue 13: the carriers a broker would quote that were missing, and Puerto Rico's
        "T-Mobile", "Lightpath", "Astound Business Solutions", "Mediacom Business", "Sparklight Business",
        "Midco", "C Spire", "FirstLight", "Everstream", "Segra", "Claro Puerto Rico", "Liberty Puerto Rico",
    }
    assert required <= names
    # issue 13: Verizon is one entry (ILEC and out-of-region CLEC), so it can reach a multi-state network
    assert "Verizon Business" not in names and catalog.resolve("Verizon Business").name == "Verizon"


def test_every_state_has_exactly_one_main_incumbent(catalog: Catalog) -> None:
    for state in US_STATES:
        mains = [c for c in catalog.carriers if state in c.incumbent_states]
        assert len(mains) == 1, state
        assert catalog.incumbents(state)[0] is mains[0]


def test_every_carrier_is_sourced_and_consistent(catalog: Catalog) -> None:
    for c in catalog.carriers:
        assert c.source and all(u.startswith(("http://", "https://")) for u in c.source), c.name
        assert set(c.all_services) <= set(SERVICES)
        assert c.footprint <= PLACES
        assert not (c.competitive_states & (c.incumbent_states | c.partial_incumbent_states))
        assert c.strong_states <= c.footprint


@pytest.mark.parametrize(
    "name, state, kind",
    [
        ("AT&T", "TX", "ILEC"),
        ("AT&T", "NY", "CLEC"),
        ("AT&T", "ND", "CLEC"),  # issue 13: national MPLS/DIA over other carriers' lines
        ("AT&T", "NV", "ILEC"),  # partial: Reno (Las Vegas is Lumen's)
        ("Lumen", "NV", "ILEC"),
        ("Lumen", "CO", "ILEC"),
        ("Lumen", "FL", "ILEC"),  # partial ILEC: kept after the Brightspeed sale
        ("Lumen", "NC", "CLEC"),  # sold the ILEC to Brightspeed, kept the CLEC
        ("Brightspeed", "NC", "ILEC"),
        ("Verizon", "NY", "ILEC"),
        ("Verizon", "CA", "CLEC"),  # issue 13: one Verizon entry; out of region it is a CLEC (MCImetro/XO)
        ("Claro Puerto Rico", "PR", "ILEC"),
        ("Liberty Puerto Rico", "PR", "CLEC"),
        ("Frontier", "CT", "ILEC"),
        ("Consolidated", "VT", "ILEC"),
        ("Ziply Fiber", "OR", "ILEC"),
        ("altafiber", "OH", "ILEC"),
        ("GCI", "AK", "CLEC"),
        ("Zayo", "OR", "CLEC"),
        ("Cogent", "ND", None),
        ("Midco", "ND", "CLEC"),
        ("altafiber", "IN", "ILEC"),  # issue 13: altafiber was missing IN
        ("Cox Business", "ID", None),  # issue 13: Cox in ID and MA was doubtful
        ("Cox Business", "MA", None),
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
        ("xo", "Verizon"),
        ("mcimetro", "Verizon"),
        ("verizon business", "Verizon"),
        ("embarq", "Lumen"),
        ("crown castle fiber", "Zayo"),
        ("sprint wireline", "Cogent"),
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
        ("XO Communications", "Verizon"),
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
        ("XO", "XO is part of Verizon today."),
        # a deal reported but not confirmed here says so instead of "part of"
        ("Crown Castle Fiber", "Crown Castle agreed in March 2025 to sell its fiber business to Zayo; a May 2026 "
                               "report says the sale closed, which we have not confirmed."),
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
def test_dakotas_have_midco(catalog: Catalog, state: str) -> None:
    # issue 13: North and South Dakota are not "no coverage" states (Midco), Lumen is the ILEC.
    assert catalog.competitive(state)[0].name == "Midco"
    assert catalog.incumbents(state)[0].name == "Lumen"


def test_alaska_and_hawaii_have_their_own_competitors_first(catalog: Catalog) -> None:
    # Own networks first (GCI, Spectrum, T-Mobile's cellular), then national carriers off-net.
    assert [c.name for c in catalog.competitive("AK")][:2] == ["GCI", "T-Mobile"]
    assert [c.name for c in catalog.competitive("HI")][:2] == ["Spectrum Enterprise", "T-Mobile"]
    assert {c.name for c in catalog.competitive("HI") if not c.on_net("HI")} == {"AT&T", "Lumen", "Verizon"}


def test_service_lists_depend_on_ilec_or_clec(catalog: Catalog) -> None:
    # issue 13: Lumen sells no analog lines or broadband where Brightspeed has the old CenturyLink
    # lines; AT&T sells no analog lines in New York.
    lumen, att = catalog.get("Lumen"), catalog.get("AT&T")
    assert lumen is not None and att is not None
    assert "pots" in lumen.services_in("CO") and "pots" not in lumen.services_in("NC")
    assert "broadband" not in lumen.services_in("NC")
    assert "pots" in att.services_in("TX") and "pots" not in att.services_in("NY")
    assert set(att.services_in("NE")) >= {"mpls", "dia"} and "pots" not in att.services_in("NE")
    assert [c.name for c in catalog.competitive("NC", "pots")] == ["Granite"]


def test_local_successor(catalog: Catalog) -> None:
    lumen = catalog.resolve("CenturyLink")
    assert catalog.local_successor(lumen, "NC").name == "Brightspeed"
    assert catalog.local_successor(lumen, "CO") is None  # Lumen is still the ILEC there
    assert catalog.local_successor(catalog.get("Frontier"), "WA").name == "Ziply Fiber"


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
    ("unknown last-mile medium", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: [dia]
    last_mile: [fiber, carrier_pigeon]
    source: https://example.com/bad
""", "last_mile", ["Bad Co", "carrier_pigeon"]),
    ("note for a name that is not a former name", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    competitive_states: [OR]
    services: [dia]
    former_names: [Old Co]
    former_name_notes: {Other Co: sold}
    source: https://example.com/bad
""", "former_name_notes", ["Bad Co", "Other Co"]),
    ("took_over_from unknown carrier", GOOD_ENTRY + """\
  - name: Bad Co
    national: false
    partial_incumbent_states: [OR]
    services: [dia]
    took_over_from: [Nobody]
    source: https://example.com/bad
""", "took_over_from", ["Bad Co", "Nobody"]),
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


# --------------------------------------------------------------------------- carriers named inside a text
# Our own wording: a reply to "who is your carrier?" that wraps the name in other words.


@pytest.mark.parametrize("text, names", [
    ("i believe it's windstream", ["Windstream"]),
    ("Zayo, as far as I remember", ["Zayo"]),
    ("we buy from spectrum business today", ["Spectrum Enterprise"]),  # the longest name, once
    ("the lines are level   3 ones", ["Lumen"]),  # any run of spaces between the words
    ("cox for the office, at&t for the warehouse", ["Cox Business", "AT&T"]),  # in text order
    ("centurylink and then qwest, same company", ["Lumen"]),  # one carrier by two old names
    ("comcastic service", []),  # inside another word: no carrier
    ("a wide frontiers of options", []),
    ("nothing here", []),
    ("", []),
])
def test_mentioned_finds_whole_word_names(catalog: Catalog, text: str, names: list[str]) -> None:
    assert [c.name for c in catalog.mentioned(text)] == names


def test_mentions_give_where_each_name_is(catalog: Catalog) -> None:
    text = "moving from rcn to Zayo"
    assert [(text[m.start:m.end], m.carrier.name) for m in catalog.mentions(text)] == [
        ("rcn", "Astound Business Solutions"), ("Zayo", "Zayo")]


@pytest.mark.parametrize("text, names", [
    ("hugs and kisses xo", []),  # two letters: only in capitals
    ("XO was our old provider", ["Verizon"]),
    ("eli said to call", []),  # three letters listed as an everyday word: only in capitals
    ("ELI, years ago", ["Zayo"]),
    ("rcn i think", ["Astound Business Solutions"]),  # three letters not listed: any case
])
def test_very_short_names_count_only_in_capitals(catalog: Catalog, text: str, names: list[str]) -> None:
    assert [c.name for c in catalog.mentioned(text, capitalised_only={"eli", "att"})] == names


def test_needs_capitals_follows_the_vocabulary_rule() -> None:
    assert needs_capitals("xo") and needs_capitals("eli", {"eli"})
    assert not needs_capitals("eli") and not needs_capitals("cox", {"eli"})
    assert not needs_capitals("spectrum", {"spectrum"})  # longer words only need a capital letter in free text
