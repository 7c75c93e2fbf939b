"""bot.understanding.vocabulary: the phrase file loads, validates with file:line errors, canonicalises."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.canonical import CHALLENGES, SERVICES
from bot.understanding.vocabulary import DEFAULT_PATH, load_vocabulary, normalise, phrase_variants
from bot.base.yamldata import DataFileError


def _id(value: object) -> str:
    """Short test ids: some parameters are 10 MB strings."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def test_default_file_covers_every_code(vocabulary) -> None:
    assert set(vocabulary.services) == set(SERVICES)
    assert set(vocabulary.challenges) == set(CHALLENGES)
    for phrases in list(vocabulary.services.values()) + list(vocabulary.challenges.values()):
        assert phrases and all(p == p.lower() and p.strip() == p for p in phrases)


def test_default_is_cached() -> None:
    assert load_vocabulary() is load_vocabulary()


def test_every_written_phrase_maps_back_to_its_code(vocabulary) -> None:
    for code, phrases in vocabulary.services.items():
        for phrase in phrases:
            assert vocabulary.canonical_service(phrase) == code, phrase
    for code, phrases in vocabulary.challenges.items():
        for phrase in phrases:
            assert vocabulary.canonical_challenge(phrase) == code, phrase


@pytest.mark.parametrize(
    "text, code",
    [
        ("phone lines for the alarm", "pots"),
        ("Alarm lines", "pots"),
        ("fax line", "pots"),
        ("elevator phone", "pots"),
        ("analog lines", "pots"),
        ("copper lines", "pots"),
        ("POTS", "pots"),
        ("dedicated internet", "dia"),
        ("Dedicated Fiber Internet", "dia"),
        ("DIA", "dia"),
        ("fiber internet", "dia"),
        ("symmetrical internet", "dia"),
        ("cable internet", "broadband"),
        ("DSL", "broadband"),
        ("coax", "broadband"),
        ("business broadband", "broadband"),
        ("fiber broadband", "broadband"),
        ("T1", "t1"),
        ("T-1", "t1"),
        ("t1 lines", "t1"),
        ("DS1", "t1"),
        ("integrated T1", "t1"),
        ("PRI", "pri"),
        ("PRIs", "pri"),
        ("pri's", "pri"),
        ("ISDN", "pri"),
        ("phone trunks", "pri"),
        ("PRI circuits", "pri"),
        ("SIP", "sip"),
        ("SIP trunks", "sip"),
        ("sip trunking", "sip"),
        ("VoIP trunks", "sip"),
        ("metro ethernet", "ethernet"),
        ("EPL", "ethernet"),
        ("EVPL", "ethernet"),
        ("point-to-point", "ethernet"),
        ("connect two offices", "ethernet"),
        ("MPLS", "mpls"),
        ("private network", "mpls"),
        ("IP-VPN", "mpls"),
        ("vpn between sites", "mpls"),
        ("private WAN", "mpls"),
        ("SD-WAN", "sdwan"),
        ("sdwan", "sdwan"),
        ("sd wan", "sdwan"),
        ("hosted PBX", "ucaas"),
        ("cloud phones", "ucaas"),
        ("cloud phone system", "ucaas"),
        ("a new phone system", "ucaas"),
        ("VoIP phones", "ucaas"),
        ("UCaaS", "ucaas"),
        ("Teams calling", "ucaas"),
        ("LTE backup", "wireless_backup"),
        ("4G backup", "wireless_backup"),
        ("5G failover", "wireless_backup"),
        ("cellular backup", "wireless_backup"),
        ("backup internet", "wireless_backup"),
        ("wireless failover", "wireless_backup"),
        ("4G/5G backup", "wireless_backup"),
        ("wavelength", "wavelength"),
        ("waves", "wavelength"),
        ("100G wave", "wavelength"),
        ("dark fiber", "dark_fiber"),
        ("Dark Fibre", "dark_fiber"),
        # a code itself (button payloads) and its spaced form
        ("wireless_backup", "wireless_backup"),
        ("dark_fiber", "dark_fiber"),
        ("wireless backup", "wireless_backup"),
        # one known phrase inside a longer answer
        ("we need PRIs please", "pri"),
        ("  SD-WAN!!  ", "sdwan"),
    ],
    ids=_id,
)
def test_canonical_service(vocabulary, text: str, code: str) -> None:
    assert vocabulary.canonical_service(text) == code


@pytest.mark.parametrize(
    "text, code",
    [
        ("bill is too high", "high_cost"),
        ("our phone bill is killing us", "high_cost"),
        ("too expensive", "high_cost"),
        ("it costs too much", "high_cost"),
        ("we're overpaying", "high_cost"),
        ("save money", "high_cost"),
        ("high prices", "high_cost"),
        ("never calls back", "poor_support"),
        ("our carrier never calls back", "poor_support"),
        ("bad customer service", "poor_support"),
        ("can't reach support", "poor_support"),
        ("cant reach support", "poor_support"),
        ("cannot reach support", "poor_support"),
        ("support is terrible", "poor_support"),
        ("outages", "reliability"),
        ("it keeps going down", "reliability"),
        ("drops calls", "reliability"),
        ("unreliable", "reliability"),
        ("backup", "need_redundancy"),
        ("redundancy", "need_redundancy"),
        ("failover", "need_redundancy"),
        ("a second circuit", "need_redundancy"),
        ("diverse path", "need_redundancy"),
        ("locked into a contract", "contract_inflexibility"),
        ("early termination fee", "contract_inflexibility"),
        ("inflexible contract", "contract_inflexibility"),
        ("the install took months", "slow_install"),
        ("slow installation", "slow_install"),
        ("waiting for install", "slow_install"),
        ("too many bills", "multi_site_management"),
        ("managing all our sites", "multi_site_management"),
        ("one bill for all locations", "multi_site_management"),
        ("stuck with one vendor", "vendor_dependence"),
        ("single carrier", "vendor_dependence"),
        ("all eggs in one basket", "vendor_dependence"),
        ("internet is slow", "bandwidth"),
        ("not enough bandwidth", "bandwidth"),
        ("need more speed", "bandwidth"),
        ("moving offices", "relocation"),
        ("new office", "relocation"),
        ("relocating", "relocation"),
        ("opening a new location", "relocation"),
        ("backup internet", "need_redundancy"),  # also the service wireless_backup
        ("high_cost", "high_cost"),
        ("multi site management", "multi_site_management"),
    ],
    ids=_id,
)
def test_canonical_challenge(vocabulary, text: str, code: str) -> None:
    assert vocabulary.canonical_challenge(text) == code


@pytest.mark.parametrize(
    "text",
    ["", "   ", "hello", "pri and sip", "Narnia", "🙂🙂", "<script>alert(1)</script>", "'; DROP TABLE leads; --", "x" * 10_000_000, None, 42],
    ids=_id,
)
def test_canonical_none_for_unknown_or_ambiguous(vocabulary, text) -> None:  # type: ignore[no-untyped-def]
    assert vocabulary.canonical_service(text) is None
    assert vocabulary.canonical_challenge(text) is None


def test_overlaps_resolve_to_the_longest_phrase(vocabulary) -> None:
    patterns = vocabulary.service_patterns()
    assert patterns["dedicated fiber internet"] == "dia"
    assert patterns["fiber internet"] == "dia"
    assert patterns["fiber broadband"] == "broadband"
    assert vocabulary.canonical_service("dedicated fiber internet") == "dia"


def test_variants_and_normalise() -> None:
    assert set(phrase_variants("sd-wan")) == {"sd-wan", "sd wan", "sdwan"}
    assert "dont have a backup" in phrase_variants("don't have a backup")
    assert "do not have a backup" in phrase_variants("don't have a backup")
    assert "fax lines" in phrase_variants("fax line", plural=True)
    assert "faxes" in phrase_variants("fax", plural=True)
    assert normalise("  PRI's / SD-WAN! ") == "pris sd wan"


# ---- loader validation ---------------------------------------------------------------------


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "vocabulary.yml"
    path.write_text(body, encoding="utf-8")
    return path


def _valid_body(services_extra: str = "", challenges_extra: str = "") -> str:
    services = "\n".join(f"  {code}:\n    - phrase for {code}" for code in SERVICES)
    challenges = "\n".join(f"  {code}:\n    - words for {code}" for code in CHALLENGES)
    return f"services:\n{services}\n{services_extra}challenges:\n{challenges}\n{challenges_extra}"


def test_minimal_valid_file_loads(tmp_path: Path) -> None:
    vocab = load_vocabulary(_write(tmp_path, _valid_body()))
    assert vocab.canonical_service("phrase for pri") == "pri"
    assert vocab.canonical_challenge("words for relocation") == "relocation"


def test_unknown_code_names_file_and_line(tmp_path: Path) -> None:
    body = "services:\n  pri:\n    - pri\n  fax_machine:\n    - fax\n"
    with pytest.raises(DataFileError) as err:
        load_vocabulary(_write(tmp_path, body))
    assert err.value.line == 4
    assert "vocabulary.yml:4" in str(err.value) and "fax_machine" in str(err.value)


def test_phrase_on_two_services_names_its_line(tmp_path: Path) -> None:
    body = _valid_body().replace("  sip:\n    - phrase for sip", "  sip:\n    - phrase for sip\n    - Phrase For PRI")
    path = _write(tmp_path, body)
    lines = path.read_text().splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if "Phrase For PRI" in line)
    with pytest.raises(DataFileError) as err:
        load_vocabulary(path)
    assert err.value.line == expected
    assert "'pri'" in str(err.value) and "'sip'" in str(err.value)


def test_same_phrase_for_a_service_and_a_challenge_is_fine(tmp_path: Path) -> None:
    body = _valid_body().replace("    - words for need_redundancy", "    - words for need_redundancy\n    - phrase for wireless_backup")
    vocab = load_vocabulary(_write(tmp_path, body))
    assert vocab.canonical_service("phrase for wireless_backup") == "wireless_backup"
    assert vocab.canonical_challenge("phrase for wireless_backup") == "need_redundancy"


@pytest.mark.parametrize(
    "replacement, message",
    [
        ("    - ''", "non-empty string"),
        ("    - 42", "non-empty string"),
        ("    - '!!!'", "no letters or digits"),
    ],
    ids=_id,
)
def test_bad_phrase_names_its_line(tmp_path: Path, replacement: str, message: str) -> None:
    body = _valid_body().replace("    - phrase for mpls", "    - phrase for mpls\n" + replacement)
    path = _write(tmp_path, body)
    expected = path.read_text().splitlines().index(replacement) + 1
    with pytest.raises(DataFileError) as err:
        load_vocabulary(path)
    assert err.value.line == expected and message in str(err.value)


def test_empty_list_missing_code_unknown_section_and_syntax(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="non-empty list"):
        load_vocabulary(_write(tmp_path, _valid_body().replace("  ucaas:\n    - phrase for ucaas", "  ucaas: []")))
    with pytest.raises(DataFileError, match="no phrases for service code"):
        load_vocabulary(_write(tmp_path, _valid_body().replace("  ucaas:\n    - phrase for ucaas\n", "")))
    with pytest.raises(DataFileError, match="unknown section") as err:
        load_vocabulary(_write(tmp_path, _valid_body() + "extras:\n  - x\n"))
    assert err.value.line > 0
    with pytest.raises(DataFileError, match="YAML syntax"):
        load_vocabulary(_write(tmp_path, "services:\n  pri: [unclosed\n"))
    with pytest.raises(DataFileError, match="cannot read"):
        load_vocabulary(tmp_path / "missing.yml")


def test_shipped_file_is_the_default() -> None:
    assert DEFAULT_PATH.name == "vocabulary.yml" and DEFAULT_PATH.exists()


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_canonical_never_raises_and_is_canonical(text: str) -> None:
    vocab = load_vocabulary()
    assert vocab.canonical_service(text) in (None, *SERVICES)
    assert vocab.canonical_challenge(text) in (None, *CHALLENGES)
