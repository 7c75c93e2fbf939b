"""bot.understanding.validators: one answer -> canonical value or a reason; never raises on any input."""

from __future__ import annotations

from datetime import date

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.understanding import validators as v
from bot.understanding.locations import CityInfo

TODAY = date(2026, 11, 29)
HUGE = "x" * 10_000_000
HOSTILE = ["🙂🙂🙂", "<script>alert('x')</script>", "'; DROP TABLE leads; --", "\x00\x01\x02", "\u202e\u200b", HUGE]
EMPTY = ["", "   ", "\n\t", None, 42, ["4"]]


def _id(value: object) -> str:
    """Short test ids: some parameters are 10 MB strings."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _assert_result(result: v.Result, *, ok: bool, value=None, reason=None) -> None:  # type: ignore[no-untyped-def]
    assert result.ok is ok, result
    if ok:
        assert result.value == value and result.reason is None
    else:
        assert result.value is None and result.reason == reason and result.hint


# ---- email --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("bob@acme.com", "bob@acme.com"),
        ("Bob.Smith@Example.COM", "Bob.Smith@example.com"),  # domain lowercased, local part kept
        ("my email is jane@acme.io.", "jane@acme.io"),
        ("mailto:bob@acme.com", "bob@acme.com"),
        ("<b>ops+telecom@acme-corp.co</b>", "ops+telecom@acme-corp.co"),
    ],
    ids=_id,
)
def test_email_valid(text: str, value: str) -> None:
    _assert_result(v.validate_email(text), ok=True, value=value)


@pytest.mark.parametrize("text", ["bob", "bob@acme", "bob@localhost", "bob@acme.test", "@acme.com", "bob@@acme.com", *HOSTILE], ids=_id)
def test_email_invalid(text: str) -> None:
    _assert_result(v.validate_email(text), ok=False, reason=v.INVALID_EMAIL)


# ---- phone --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("503-555-0123", "+15035550123"),  # 555-01XX: reserved for fiction, accepted (see below)
        ("(503) 555 0123", "+15035550123"),
        ("+1 503 555 0123", "+15035550123"),
        ("1-503-555-0123", "+15035550123"),
        ("503.555.0123", "+15035550123"),
        ("5035550123", "+15035550123"),
        ("call me at (206) 555-0100 ext 12", "+12065550100"),
        ("503-228-1234", "+15032281234"),
        ("800-555-0100", "+18005550100"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
    ids=_id,
)
def test_phone_valid(text: str, value: str) -> None:
    _assert_result(v.validate_phone(text), ok=True, value=value)


@pytest.mark.parametrize("text", ["555-0123", "123-456-7890", "(555) 555-5555", "911", "phone", "503-555", *HOSTILE], ids=_id)
def test_phone_invalid(text: str) -> None:
    _assert_result(v.validate_phone(text), ok=False, reason=v.INVALID_PHONE)


def test_phonenumbers_metadata_accepts_555_test_numbers() -> None:
    # What the pinned phonenumbers says today: a well-formed number in a real area code.
    number = phonenumbers.parse("503-555-0123", "US")
    assert phonenumbers.is_valid_number(number)


def test_555_test_numbers_survive_stricter_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    # Should metadata ever refuse the 555 exchange, the area-code check keeps test numbers
    # valid in real area codes and still refuses them in unassigned ones.
    real = phonenumbers.is_valid_number

    def strict(number):  # type: ignore[no-untyped-def]
        return False if str(number.national_number)[3:6] == "555" else real(number)

    monkeypatch.setattr(phonenumbers, "is_valid_number", strict)
    _assert_result(v.validate_phone("503-555-0123"), ok=True, value="+15035550123")
    _assert_result(v.validate_phone("503-555-1234"), ok=False, reason=v.INVALID_PHONE)  # not 01XX
    _assert_result(v.validate_phone("123-555-0123"), ok=False, reason=v.INVALID_PHONE)


# ---- counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("4", 4),
        ("four", 4),
        ("Four.", 4),
        ("a dozen", 12),
        ("half a dozen", 6),
        ("4 offices", 4),
        ("we have 4 offices", 4),
        ("about 12 branches", 12),
        ("one", 1),
        ("single", 1),
        ("a single location", 1),
        ("just one site", 1),
        ("twenty-five", 25),
        ("two hundred and fifty", 250),
        ("1,200", 1200),
        ("a couple", 2),
        ("3 or 4", 4),  # a range at its top, as the extractor reads it
        ("eight to ten offices", 10),
        ("2, no wait, 3 with the new annex", 3),  # a number taken back
        ("12-15", 15),
        ("100000", 100_000),
    ],
    ids=_id,
)
def test_parse_count(text: str, value: int) -> None:
    _assert_result(v.parse_count(text), ok=True, value=value)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("0", v.NOT_POSITIVE),
        ("zero", v.NOT_POSITIVE),
        ("none", v.NOT_POSITIVE),
        ("-3", v.NOT_POSITIVE),
        ("minus 2", v.NOT_POSITIVE),
        ("100001", v.TOO_LARGE),
        ("a million", v.TOO_LARGE),
        ("2.5", v.NOT_WHOLE),
        ("Narnia", v.NOT_A_NUMBER),
        ("lots", v.NOT_A_NUMBER),
        ("🙂🙂🙂", v.NOT_A_NUMBER),
        ("<script>alert('x')</script>", v.NOT_A_NUMBER),
        (HUGE, v.NOT_A_NUMBER),
        ("", v.EMPTY),
        (None, v.EMPTY),
    ],
    ids=_id,
)
def test_parse_count_refused(text, reason: str) -> None:  # type: ignore[no-untyped-def]
    _assert_result(v.parse_count(text), ok=False, reason=reason)


@pytest.mark.parametrize(
    "text, value",
    [("50", 50), ("fifty", 50), ("about 200 people", 200), ("5k", 5000), ("1.5k", 1500), ("1,200 employees", 1200), ("2 million", 2_000_000),
     ("roughly 45, give or take", 45),  # a comma after the number ends it
     ("25, sorry, 35 since the merger", 35), ("eighty - actually make that ninety", 90)],  # taken back
    ids=_id,
)
def test_parse_headcount(text: str, value: int) -> None:
    _assert_result(v.parse_headcount(text), ok=True, value=value)


@pytest.mark.parametrize("text, reason", [("0", v.NOT_POSITIVE), ("-10", v.NOT_POSITIVE), ("20 million", v.TOO_LARGE), ("many", v.NOT_A_NUMBER)], ids=_id)
def test_parse_headcount_refused(text: str, reason: str) -> None:
    _assert_result(v.parse_headcount(text), ok=False, reason=reason)


@pytest.mark.parametrize(
    "words, value",
    [(["4"], 4), (["a", "dozen"], 12), (["two", "dozen"], 24), (["one", "thousand", "two", "hundred"], 1200), (["a"], None), (["of"], None), (["5k"], 5000)],
    ids=_id,
)
def test_parse_number_words(words: list[str], value) -> None:  # type: ignore[no-untyped-def]
    assert v.parse_number_words(words) == value


# ---- contract end -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("March 2027", "2027-03"),
        ("march 2027", "2027-03"),
        ("Mar. 2027", "2027-03"),
        ("March of 2027", "2027-03"),
        ("March '27", "2027-03"),
        ("03/2027", "2027-03"),
        ("3-2027", "2027-03"),
        ("2027-03", "2027-03"),
        ("2027-03-31", "2027-03-31"),
        ("3/31/2027", "2027-03-31"),
        ("3/31/27", "2027-03-31"),
        ("31/03/2027", "2027-03-31"),  # the first number can't be a month
        ("March 31, 2027", "2027-03-31"),
        ("31st of March 2027", "2027-03-31"),
        ("end of March 2027", "2027-03-31"),
        ("next June", "2027-06"),
        ("next December", "2026-12"),  # the first December after this month
        ("this December", "2026-12"),
        ("june", "2027-06"),
        ("in 6 months", "2027-05"),
        ("six months from now", "2027-05"),
        ("18 months left", "2028-05"),
        ("in a year", "2027-11"),
        ("in 2 years", "2028-11"),
        ("in a couple of months", "2027-01"),
        ("in 3 weeks", "2026-12-20"),
        ("end of next year", "2027-12-31"),
        ("end of the year", "2026-12-31"),
        ("year end", "2026-12-31"),
        ("end of 2027", "2027-12-31"),
        ("Q3 2027", "2027-09-30"),
        ("end of next month", "2026-12-31"),
        ("our contract is up next June I think", "2027-06"),
        ("month-to-month", "2026-11"),  # free now
        ("we're out of contract", "2026-11"),
    ],
    ids=_id,
)
def test_parse_contract_end(text: str, value: str) -> None:
    assert v.parse_contract_end(text, TODAY) == value
    _assert_result(v.validate_contract_end(text, TODAY), ok=True, value=value)


@pytest.mark.parametrize(
    "text",
    ["2027", "soon", "we may switch", "this may help", "6 months ago", "2027-02-30", "13/2027", "sometime", "", *HOSTILE, *EMPTY],
    ids=_id,
)
def test_parse_contract_end_none(text) -> None:  # type: ignore[no-untyped-def]
    assert v.parse_contract_end(text, TODAY) is None
    assert not v.validate_contract_end(text, TODAY).ok


def test_next_month_name_is_after_today() -> None:
    assert v.parse_contract_end("next June", date(2026, 3, 10)) == "2026-06"
    assert v.parse_contract_end("next June", date(2026, 6, 10)) == "2027-06"
    assert v.parse_contract_end("june", date(2026, 6, 10)) == "2026-06"


@pytest.mark.parametrize(
    "text, value",
    [
        ("next fall", "2027-10"),
        ("it's up in the spring", "2027-04"),
        ("summer '27", "2027-07"),
        ("end of summer 2027", "2027-08"),
        ("autumn", "2027-10"),
        ("by this winter", "2027-01"),
        ("early 2027", "2027-02"),
        ("mid next year", "2027-06"),
        ("late 2027", "2027-11"),
        ("the first half of 2028", "2028-06"),
        ("the end of next spring", "2027-05"),
        ("end of this fall", "2026-11"),  # said in late November: now
    ],
)
def test_seasons_and_parts_of_a_year_are_months(text: str, value: str) -> None:
    assert v.parse_contract_end(text, TODAY) == value


def test_a_season_is_after_today_and_next_is_the_one_after() -> None:
    assert v.parse_contract_end("this fall", date(2026, 3, 10)) == "2026-10"
    assert v.parse_contract_end("next fall", date(2026, 10, 10)) == "2027-10"


@pytest.mark.parametrize("text", ["prices fall every year", "the winter storms knocked us out", "we fall back to LTE"])
def test_a_season_word_in_passing_is_no_date(text: str) -> None:
    assert v.find_dates(text, TODAY) == []


def test_find_dates_offsets() -> None:
    text = "Our contract ends March 2027, renewal talks in 6 months"
    found = v.find_dates(text, TODAY)
    assert [(text[d.start : d.end], d.value, d.strong) for d in found] == [
        ("March 2027", "2027-03", True),
        ("in 6 months", "2027-05", True),
    ]
    assert [d.strong for d in v.find_dates("6 months", TODAY)] == [False]


# ---- places -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, codes",
    [
        ("Oregon", ["OR"]),
        ("OR", ["OR"]),
        ("or", ["OR"]),
        ("Oregon and Washington", ["OR", "WA"]),
        ("oregon or washington", ["OR", "WA"]),
        ("OR, WA", ["OR", "WA"]),
        ("or, wa, id", ["OR", "WA", "ID"]),
        ("New York / New Jersey", ["NY", "NJ"]),
        ("we have sites in oregon and also some in washington", ["OR", "WA"]),
        ("Portland and Boise", ["OR", "ID"]),  # via their cities
        ("Portland, Ore. and Seattle, Wash.", ["OR", "WA"]),
        ("97201", ["OR"]),
        ("Washington DC", ["DC"]),
        ("D.C. and Maryland", ["DC", "MD"]),
        ("Tennesee", ["TN"]),
        ("Texas, Texas and Texas", ["TX"]),
        ("I'm in Texas", ["TX"]),
        # two-letter words among codes: "in" before a place, "or" between two, a greeting first
        ("2 in nv", ["NV"]),
        ("tx and in az", ["TX", "AZ"]),
        ("ny or nj", ["NY", "NJ"]),
        ("ok, fl", ["FL"]),
        ("in", ["IN"]),
        ("in, oh", ["IN", "OH"]),
    ],
    ids=_id,
)
def test_validate_states(text: str, codes: list[str]) -> None:
    _assert_result(v.validate_states(text), ok=True, value=codes)


@pytest.mark.parametrize("text", ["Narnia", "the moon", "Puerto Rico", "00000", "in the", *HOSTILE], ids=_id)
def test_validate_states_unknown(text: str) -> None:
    _assert_result(v.validate_states(text), ok=False, reason=v.UNKNOWN_STATE)


@pytest.mark.parametrize("text, value", [("97201", "97201"), ("97201-1234", "97201"), ("zip is 04101.", "04101")], ids=_id)
def test_validate_zip(text: str, value: str) -> None:
    _assert_result(v.validate_zip(text), ok=True, value=value)


@pytest.mark.parametrize(
    "text, reason",
    [("00000", v.UNKNOWN_ZIP), ("99999", v.UNKNOWN_ZIP), ("9720", v.NOT_A_ZIP), ("abcde", v.NOT_A_ZIP), ("972011", v.NOT_A_ZIP), ("", v.EMPTY), *[(h, v.NOT_A_ZIP) for h in HOSTILE]],
    ids=_id,
)
def test_validate_zip_refused(text: str, reason: str) -> None:
    _assert_result(v.validate_zip(text), ok=False, reason=reason)


def test_validate_city() -> None:
    result = v.validate_city("Portland, Maine")
    assert result.ok and isinstance(result.value, CityInfo) and (result.value.name, result.value.state) == ("Portland", "ME")
    assert v.validate_city("slc.").value.name == "Salt Lake City"  # type: ignore[union-attr]
    assert v.validate_city("Portland", "ME").value.state == "ME"  # type: ignore[union-attr]
    _assert_result(v.validate_city("Narnia"), ok=False, reason=v.UNKNOWN_CITY)
    _assert_result(v.validate_city("<script>"), ok=False, reason=v.UNKNOWN_CITY)


@pytest.mark.parametrize("func", [v.validate_email, v.validate_phone, v.parse_count, v.parse_headcount, v.validate_states, v.validate_zip, v.validate_city], ids=_id)
@pytest.mark.parametrize("text", EMPTY, ids=_id)
def test_empty_answers(func, text) -> None:  # type: ignore[no-untyped-def]
    _assert_result(func(text), ok=False, reason=v.EMPTY)


def test_hints_never_echo_the_answer() -> None:
    evil = "<script>alert('x')</script>"
    for result in (v.validate_email(evil), v.validate_phone(evil), v.parse_count(evil), v.validate_states(evil), v.validate_zip(evil)):
        assert not result.ok and "<" not in (result.hint or "")


def test_unexpected_errors_become_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    monkeypatch.setattr(v, "first_number", boom)
    _assert_result(v.parse_count("4"), ok=False, reason=v.ERROR)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_validators_never_raise(text: str) -> None:
    for func in (v.validate_email, v.validate_phone, v.parse_count, v.parse_headcount, v.validate_states, v.validate_zip, v.validate_city):
        result = func(text)
        assert isinstance(result, v.Result) and (result.ok == (result.reason is None))
    count = v.parse_count(text)
    assert not count.ok or (isinstance(count.value, int) and 1 <= count.value <= v.MAX_LOCATIONS)
    states = v.validate_states(text)
    assert not states.ok or all(len(c) == 2 and c.isupper() for c in states.value)  # type: ignore[union-attr]
    end = v.parse_contract_end(text, TODAY)
    assert end is None or (len(end) in (7, 10) and end[:2] == "20")
    phone = v.validate_phone(text)
    assert not phone.ok or phone.value.startswith("+")  # type: ignore[union-attr]
