"""bot.understanding.extraction: exact canonical entities from realistic customer messages.

Each expected entity is written "name=value"; a leading "!" means negated=True. The lists
are exact: an extra entity fails the test as much as a missing one.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.canonical import CHALLENGES, SERVICES
from bot.understanding.extraction import ENTITIES, ExtractedEntity, Extractor

TODAY = date(2026, 11, 29)


def _id(value: object) -> str:
    """Short test ids: some parameters are 10 MB strings."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def summary(entities: list[ExtractedEntity]) -> list[str]:
    return sorted(("!" if e.negated else "") + f"{e.entity}={e.value}" for e in entities)


MESSAGES = [
    # the canonical example
    (
        "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high",
        ["num_locations=3", "city=Portland", "city=Seattle", "us_state=OR", "us_state=WA", "service=pri", "service=sip", "challenge=high_cost"],
    ),
    # states, every way
    ("Oregon", ["us_state=OR"]),
    ("OR", ["us_state=OR"]),
    ("or", ["us_state=OR"]),
    ("ok", []),  # a reply, not Oklahoma
    ("OK!", []),
    ("hi", []),  # a greeting, not Hawaii
    ("Oh", []),
    ("we're in OK", ["us_state=OK"]),
    ("Tulsa, OK", ["city=Tulsa", "us_state=OK"]),
    ("Portland, Ore.", ["city=Portland", "us_state=OR"]),
    ("97201", ["zip_code=97201", "city=Portland", "us_state=OR"]),
    ("we're at 97201-1234.", ["zip_code=97201", "city=Portland", "us_state=OR"]),
    ("OR and WA", ["us_state=OR", "us_state=WA"]),
    ("I'm in IN", ["us_state=IN"]),
    ("Hi there, OK so here's the deal", []),
    ("WE HAVE 4 OFFICES IN DENVER AND NEED SIP OR PRI", ["num_locations=4", "city=Denver", "us_state=CO", "service=sip", "service=pri"]),
    ("zip 00000", ["zip_code=00000"]),  # unknown: still reported so the bot can re-ask
    # services and challenges
    ("phone lines for the alarm", ["service=pots"]),
    ("dedicated fiber internet", ["service=dia"]),
    ("our carrier never calls back", ["challenge=poor_support"]),
    ("The elevator phone and fire alarm lines need to stay on copper", ["service=pots"]),
    ("internet is slow and we need more bandwidth", ["challenge=bandwidth"]),
    ("too many bills, one bill for all locations please", ["challenge=multi_site_management"]),
    ("We want redundancy - a second circuit with a diverse path", ["challenge=need_redundancy"]),
    ("our bill is killing us and the install took months", ["challenge=high_cost", "challenge=slow_install"]),
    ("We had 3 outages last month", ["challenge=reliability"]),
    (
        "We got stuck in a 5 year contract with Frontier and the early termination fee is huge",
        ["carrier=Frontier", "challenge=contract_inflexibility"],
    ),
    (
        "Looking for dark fiber and 100G waves between our data centers in Chicago and Denver",
        ["service=dark_fiber", "service=wavelength", "num_locations=2", "city=Chicago", "us_state=IL", "city=Denver", "us_state=CO"],
    ),
    ("mobile phones are a pain, we have 4G/5G backup", ["service=wireless_backup", "challenge=need_redundancy"]),
    ("need backup internet", ["service=wireless_backup", "challenge=need_redundancy"]),
    # lowercase, typos, fragments
    (
        "we need sd wan and pri's at our seatle office",
        ["service=sdwan", "service=pri", "city=Seattle", "us_state=WA"],
    ),
    (
        "hey so we got like 5 locations all in texas, dallas houston austin and 2 in oklahoma city, bill keeps going up and att never calls back",
        ["num_locations=5", "us_state=TX", "city=Dallas", "city=Houston", "city=Austin", "city=Oklahoma City", "us_state=OK", "challenge=high_cost", "challenge=poor_support"],
    ),
    ("12 branches, 300 employees, spectrum is fine", ["num_locations=12", "employees=300"]),
    ("pris/sip", ["service=pri", "service=sip"]),
    ("t-1s and a ds1", ["service=t1"]),
    # counts
    (
        "need ethernet between our two offices, point to point, plus hosted pbx for ~80 users",
        ["service=ethernet", "num_locations=2", "service=ucaas", "employees=80"],
    ),
    ("OK, we have a single location in Mobile, AL with 50 employees", ["num_locations=1", "city=Mobile", "us_state=AL", "employees=50"]),
    ("headcount of 75 across three sites", ["employees=75", "num_locations=3"]),
    ("idk like 25 ppl", ["employees=25"]),
    ("we have 40 employees at 3 offices", ["employees=40", "num_locations=3"]),
    ("we have 40 staff at 3 offices", ["employees=40", "num_locations=3"]),
    ("a chain of 5 pizza places around Phoenix", ["num_locations=5", "city=Phoenix", "us_state=AZ"]),
    ("3 coffee shops and 2 car dealerships", ["num_locations=5"]),  # the sites add up
    ("a 24 hour store", []),
    ("20 employees per store", ["employees=20"]),
    ("we're about 5k staff in a dozen stores", ["employees=5000", "num_locations=12"]),
    ("Our HQ is in Portland, OR with 1,200 employees; remote staff of 40 in Bend", ["city=Portland", "us_state=OR", "employees=1200", "employees=40", "city=Bend"]),
    # carriers, current and former names
    ("Hi, we're with AT&T and Level 3, about 200 people across 12 branches", ["carrier=AT&T", "carrier=Lumen", "employees=200", "num_locations=12"]),
    ("Spectrum is our ISP", ["carrier=Spectrum Enterprise"]),
    ("we have XO and TW Telecom circuits", ["carrier=Verizon Business", "carrier=Lumen"]),
    ("Our MPLS contract with CenturyLink expires 03/2027, thinking SD-WAN", ["service=mpls", "carrier=Lumen", "contract_end=2027-03", "service=sdwan"]),
    ("Cincinnati Bell for now", ["carrier=altafiber"]),
    # contract end, email, phone
    (
        "Our contract with tw telecom ends next June, email bob.smith@Acme.com or call (503) 555-0123",
        ["carrier=Lumen", "contract_end=2027-06", "email=bob.smith@acme.com", "phone=+15035550123"],
    ),
    ("Contract ends in 6 months", ["contract_end=2027-05"]),
    ("our contract is up end of next year", ["contract_end=2027-12-31"]),
    ("March 2027", ["contract_end=2027-03"]),
    ("we opened 3 offices in March 2019 after moving in 6 months", ["num_locations=3"]),  # no contract talk
    ("Please call me at 503.555.0123 or email jane@acme.io", ["phone=+15035550123", "email=jane@acme.io"]),
    # places: ambiguity, aliases, words that are also places
    ("Portland, Maine", ["city=Portland", "us_state=ME"]),
    ("our offices are in Portland and Bangor, Maine", ["city=Portland", "city=Bangor", "num_locations=2", "us_state=ME"]),
    # towns listed as where the customer is are one site each (the annotation guide; session 16)
    ("Washington, DC and Seattle, Washington", ["city=Washington", "us_state=DC", "city=Seattle", "us_state=WA", "num_locations=2"]),
    ("We're in Washington", ["us_state=WA"]),
    ("We're in LA and Baton Rouge, LA", ["city=Los Angeles", "us_state=CA", "city=Baton Rouge", "us_state=LA", "num_locations=2"]),
    ("In NYC and Philly, also SF", ["city=New York City", "us_state=NY", "city=Philadelphia", "us_state=PA", "city=San Francisco", "us_state=CA"]),
    ("We are in the Twin Cities", ["city=Minneapolis", "us_state=MN"]),
    ("Our offices are in Kansas City and St. Louis", ["num_locations=2", "city=Kansas City", "city=St. Louis", "us_state=MO"]),
    ("we have 3 offices in portland or and vancouver wa", ["num_locations=3", "city=Portland", "us_state=OR", "city=Vancouver", "us_state=WA"]),
    ("boise or seattle", ["city=Boise", "us_state=ID", "city=Seattle", "us_state=WA"]),
    ("Headquartered in Salt Lake City, UT 84101, branch offices in Provo and Ogden", ["city=Salt Lake City", "us_state=UT", "zip_code=84101", "num_locations=3", "city=Provo", "city=Ogden"]),
    ("We are located at 123 Main St, Springfield, IL 62701", ["city=Springfield", "us_state=IL", "zip_code=62701"]),
    ("This is Tyler from Acme, we have offices in Tyler, TX", ["city=Tyler", "us_state=TX"]),
    ("Everett from Acme here, our offices are in Everett and Tacoma", ["num_locations=2", "city=Everett", "city=Tacoma", "us_state=WA"]),
    ("enterprise grade dedicated internet for our enterprise", ["service=dia"]),
    ("talk to Tyler about it, the CEO of Madison Partners", []),
    (
        "we're moving from Mobile to Tyler, TX",
        ["challenge=relocation", "city=Mobile", "us_state=AL", "city=Tyler", "us_state=TX"],
    ),
    ("We switched to T-Mobile", []),
    ("we're moving offices next month, new office is in Bellevue WA", ["challenge=relocation", "city=Bellevue", "us_state=WA"]),
    ("ABC Corp: 2 offices; Phoenix & Tucson AZ; need UCaaS / Teams calling", ["num_locations=2", "city=Phoenix", "city=Tucson", "us_state=AZ", "service=ucaas"]),
    # negation
    ("no, Tacoma not Seattle", ["city=Tacoma", "us_state=WA", "!city=Seattle"]),
    ("Tacoma instead of Seattle", ["city=Tacoma", "us_state=WA", "!city=Seattle"]),
    ("not Seattle, Tacoma", ["!city=Seattle", "city=Tacoma", "us_state=WA"]),
    ("Portland, not Seattle", ["city=Portland", "us_state=OR", "!city=Seattle", "!us_state=WA"]),
    ("closing the Seattle office, keeping Portland", ["!city=Seattle", "!us_state=WA", "city=Portland", "us_state=OR",
                                                      "challenge=relocation"]),  # a site closed is a change of sites
    ("we don't need PRIs or SIP, just dedicated internet", ["!service=pri", "!service=sip", "service=dia"]),
    ("We don't need POTS anymore, just SIP trunks", ["!service=pots", "service=sip"]),
    ("I'm not sure about SIP", ["service=sip"]),
    ("we don't have a backup", ["challenge=need_redundancy"]),
    # a long rambling message
    (
        "So basically we're a 200 person company, HQ in Boise ID plus 4 branch offices, our Comcast internet keeps "
        "going down (3 outages last month!!) and honestly the phone bill is killing us. We've got PRIs at HQ and "
        "alarm lines everywhere. Contract is up March 2027. Thinking SD-WAN with LTE failover? reach me at "
        "ceo@acme-widgets.com or 208-555-0142",
        [
            # the HQ plus 4 branch offices: 5 sites
            "employees=200", "city=Boise", "us_state=ID", "num_locations=5", "carrier=Comcast Business",
            "challenge=reliability", "challenge=high_cost", "service=pri", "service=pots", "contract_end=2027-03",
            "service=sdwan", "service=wireless_backup", "challenge=need_redundancy", "email=ceo@acme-widgets.com",
            "phone=+12085550142",
        ],
    ),
    # hostile input
    ("<script>alert('x')</script> 3 offices", ["num_locations=3"]),
    ("'; DROP TABLE leads; -- Portland", ["city=Portland", "us_state=OR"]),
    ("🙂 we have 2 sites in Reno 🚀", ["num_locations=2", "city=Reno", "us_state=NV"]),
]


@pytest.mark.parametrize("text, expected", MESSAGES, ids=[m[0][:40] for m in MESSAGES])
def test_messages(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert summary(extractor.extract(text, TODAY)) == sorted(expected)


def test_at_least_forty_messages() -> None:
    assert len(MESSAGES) >= 40


def test_offsets_and_order(extractor: Extractor) -> None:
    text = "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high"
    entities = extractor.extract(text, TODAY)
    assert [e.start for e in entities] == sorted(e.start for e in entities)
    for entity in entities:
        assert text[entity.start : entity.end] == entity.text
    by_name = {(e.entity, e.value): e.text for e in entities}
    assert by_name[("us_state", "OR")] == "Portland"  # implied by the city, at the city's offsets
    assert by_name[("service", "pri")] == "PRIs"
    assert by_name[("challenge", "high_cost")] == "bill is too high"
    assert by_name[("num_locations", 3)] == "3 offices"


def test_values_are_typed(extractor: Extractor) -> None:
    entities = extractor.extract("3 offices, 50 employees, zip 97201", TODAY)
    values = {e.entity: e.value for e in entities}
    assert values["num_locations"] == 3 and isinstance(values["num_locations"], int)
    assert values["employees"] == 50 and isinstance(values["employees"], int)
    assert values["zip_code"] == "97201"


def test_input_is_capped(extractor: Extractor) -> None:
    text = "x " * 5000 + "Portland"
    assert extractor.extract(text, TODAY) == []
    assert summary(extractor.extract("Portland " + "x" * 10_000_000, TODAY)) == ["city=Portland", "us_state=OR"]


@pytest.mark.parametrize("text", ["", "   ", None, 42, b"Portland", ["Portland"]], ids=_id)
def test_nothing_from_nothing(extractor: Extractor, text) -> None:  # type: ignore[no-untyped-def]
    assert extractor.extract(text, TODAY) == []


def test_a_failure_inside_returns_nothing(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    monkeypatch.setattr(extractor, "_emit_locations", boom)
    assert extractor.extract("3 offices in Portland", TODAY) == []


def test_default_extractor_uses_the_catalog() -> None:
    from bot.understanding.extraction import build_default_extractor

    default = build_default_extractor()
    assert default is build_default_extractor()
    assert summary(default.extract("we're on tw telecom and XO", TODAY)) == ["carrier=Lumen", "carrier=Verizon"]  # issue 13: one Verizon entry



# ---- answers in the customer's own words (issue 11) ---------------------------------------------
# Our own examples, in the customer's voice; none is taken from the issue or from an evaluation set.

SEVERAL_CHALLENGES = [
    # one problem found must not hide another, whatever the order or the glue between them
    ("it's pricey, the line drops every week, and their support never calls back",
     ["challenge=high_cost", "challenge=reliability", "challenge=poor_support"]),
    ("we're locked into a contract and the internet is sluggish",
     ["challenge=contract_inflexibility", "challenge=bandwidth"]),
    ("too many bills from too many carriers, plus we have no backup",
     ["challenge=multi_site_management", "challenge=need_redundancy"]),
    ("moving this fall; also the bill keeps going up", ["challenge=relocation", "challenge=high_cost"]),
    ("outages and billing", ["challenge=reliability", "challenge=high_cost"]),
    ("the T1 keeps going down and we're overpaying for it", ["service=t1", "challenge=reliability", "challenge=high_cost"]),
]

COUNTS_IN_WORDS = [
    ("just the one", ["num_locations=1"]),
    ("a couple", ["num_locations=2"]),
    ("a dozen or so", ["num_locations=12"]),
    ("seven", ["num_locations=7"]),
    ("40", ["num_locations=40"]),  # digits alone: a count marked alone, the question asked decides
    ("we run nine daycares", ["num_locations=9"]),
    ("two hospitals and a lab", ["num_locations=3"]),
    ("four, two in Lincoln and two in Omaha", ["num_locations=4", "city=Lincoln", "city=Omaha", "us_state=NE"]),
    ("we have 3 - Akron, Canton and Toledo", ["num_locations=3", "city=Akron", "city=Canton", "city=Toledo", "us_state=OH"]),
    ("6 in total", ["num_locations=6"]),
    ("our HQ plus 2 branches", ["num_locations=3"]),
    ("2 branches and the main office", ["num_locations=3"]),
    ("one main office plus 4 remote sites", ["num_locations=5"]),
    ("number of locations is 8", ["num_locations=8"]),
    ("5 locatoins", ["num_locations=5"]),
    ("just our HQ", ["num_locations=1"]),
    ("3 lab techs", []),  # people at a site, not sites
]

# "just the one" closing a clause of a longer message (our own wording)
CLAUSE_COUNTS = [
    ("a small law office in Boise, just the one", ["num_locations=1", "city=Boise", "us_state=ID"]),
    ("we run a bakery in Eugene - only the one for now", ["num_locations=1", "city=Eugene", "us_state=OR"]),
    ("a print shop in Fresno (just the one)", ["num_locations=1", "city=Fresno", "us_state=CA"]),
    ("two shops in Omaha; only the two", ["num_locations=2", "city=Omaha", "us_state=NE"]),
    ("Tacoma... it's only one", ["num_locations=1", "city=Tacoma", "us_state=WA"]),
    ("in Salem, only twenty-two", ["city=Salem", "us_state=OR"]),  # not a small count
    ("just one question, do you do SIP", ["service=sip"]),  # a noun after the count is what it counts
    ("only one more thing, we're in Akron", ["city=Akron", "us_state=OH"]),
    ("only one of our printers works", []),
    ("one of us will call back", []),  # "one" alone inside a longer sentence
    ("we need SIP trunks, just two", ["service=sip"]),  # counts the trunks, not the sites
    ("we have 30 printers, only the one", []),
]

TOWN_TRAPS = [
    ("Aloha! we need new phone lines", ["service=pots"]),  # a greeting, not Aloha, OR
    ("hi, this is Tyler, our shop is in Boise", ["city=Boise", "us_state=ID"]),
    ("Madison here, we have 2 offices in Fresno", ["num_locations=2", "city=Fresno", "us_state=CA"]),
    ("thanks Austin", []),
    ("I'm Chester and our warehouse is in Chester, PA", ["city=Chester", "us_state=PA"]),
    ("we're in Lebanon NH", ["city=Lebanon", "us_state=NH"]),  # the small town of NH (ZIP table), not Lebanon, TN
    ("we're in Lebanon ND", ["us_state=ND"]),  # no Lebanon in ND: not another state's Lebanon
    ("Charlotte and Raleigh", ["city=Charlotte", "city=Raleigh", "us_state=NC", "num_locations=2"]),
    ("Mobile and Montgomery, Alabama", ["city=Mobile", "city=Montgomery", "us_state=AL", "num_locations=2"]),
    ("oregon, washington, california", ["us_state=OR", "us_state=WA", "us_state=CA"]),
    ("we're in Springfield, the one in Illinois", ["city=Springfield", "us_state=IL"]),
]

SHORT_REPLIES = [
    ("pricing, mostly", ["challenge=high_cost"]),
    ("escalations", ["challenge=poor_support"]),
    ("stability honestly", ["challenge=reliability"]),
    ("provisioning", ["challenge=slow_install"]),
    ("pricing looks fine to us", []),  # a verb: a statement about pricing, not a problem named
    ("contract w/ Frontier ends 2027-09-30", ["carrier=Frontier", "contract_end=2027-09-30"]),
    ("what about pricing?", []),  # a question
]

NEGATION_SCOPE = [
    ("we're dropping the PRI and going to SIP", ["!service=pri", "service=sip"]),
    ("ditch the MPLS for SD-WAN", ["!service=mpls", "service=sdwan"]),
    ("our calls dropped twice today", ["challenge=reliability"]),  # "dropped" here is the problem
]


@pytest.mark.parametrize(
    "text, expected", SEVERAL_CHALLENGES + COUNTS_IN_WORDS + CLAUSE_COUNTS + TOWN_TRAPS + SHORT_REPLIES + NEGATION_SCOPE,
    ids=_id
)
def test_own_words(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert summary(extractor.extract(text, TODAY)) == sorted(expected)


@pytest.mark.parametrize("text, alone", [
    ("a dental lab in Tulsa, only two", True),  # the question asked decides (a head count?)
    ("a dental lab in Tulsa. locations? just two", False),  # the clause names sites
    ("a dental lab in Tulsa, only the one", False),  # "the one": the place they have (the guide)
])
def test_a_count_closing_a_clause_is_marked_alone_unless_it_names_sites(extractor: Extractor, text: str,
                                                                          alone: bool) -> None:
    [count] = [e for e in extractor.extract(text, TODAY) if e.entity == "num_locations"]
    assert count.alone is alone


class _FixedTopics:
    """A stand-in for the learned classifiers: the same codes for every message."""

    def __init__(self, codes: dict[str, list[tuple[str, float]]]) -> None:
        self._codes = codes
        self.thresholds: dict[str, float] = {}

    def codes(self, text: str) -> dict[str, list[tuple[str, float]]]:
        return self._codes

    def probabilities(self, kind: str, text: str) -> dict[str, float]:
        return dict(self._codes.get(kind, []))


def _with_topics(extractor: Extractor, approach: str, codes: dict[str, list[tuple[str, float]]]) -> Extractor:
    from bot.understanding.extraction import Extractor as _Extractor

    return _Extractor(extractor.vocabulary, extractor.gazetteer, extractor.carrier_aliases,
                      phrasings=extractor.phrasings, learned=_FixedTopics(codes), approach=approach)  # type: ignore[arg-type]


def test_union_adds_the_classifier_codes_the_rules_missed(extractor: Extractor) -> None:
    union = _with_topics(extractor, "union", {"challenge": [("poor_support", 0.9), ("high_cost", 0.7)], "service": []})
    text = "  the bill is too high and nobody there ever picks up  "
    entities = union.extract(text, TODAY)
    assert summary(entities) == ["challenge=high_cost", "challenge=poor_support"]  # high_cost once
    learned = next(e for e in entities if e.value == "poor_support")
    assert learned.text == text.strip() and text[learned.start : learned.end] == learned.text


def test_union_never_revives_what_the_customer_ruled_out(extractor: Extractor) -> None:
    union = _with_topics(extractor, "union", {"challenge": [], "service": [("pri", 0.95), ("sip", 0.9)]})
    assert summary(union.extract("we don't need PRIs, just SIP", TODAY)) == ["!service=pri", "service=sip"]


def test_learned_approach_reads_challenges_and_services_only_from_the_classifier(extractor: Extractor) -> None:
    learned = _with_topics(extractor, "learned", {"challenge": [("reliability", 0.8)], "service": []})
    assert summary(learned.extract("3 offices in Reno, the bill is too high", TODAY)) == [
        "challenge=reliability", "city=Reno", "num_locations=3", "us_state=NV"]


def test_approaches_need_the_classifiers(vocabulary, gazetteer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        Extractor(vocabulary, gazetteer, {}, approach="union")
    with pytest.raises(ValueError):
        Extractor(vocabulary, gazetteer, {}, approach="guess")


@pytest.fixture(scope="module")
def union_extractor() -> Extractor:
    """The default extractor (rules and the trained classifiers; cached after the first run)."""
    from bot.understanding.extraction import build_extractor

    return build_extractor("union")


@pytest.mark.parametrize(
    "text, code",
    [
        ("our phones stop working every time it storms", "reliability"),
        ("it took the phone company almost half a year to hook up the new clinic", "slow_install"),
        ("the helpline keeps us waiting forever and then hangs up on us", "poor_support"),
        ("honestly we just spend way too much on all of this", "high_cost"),
    ],
    ids=_id,
)
def test_the_classifier_reads_paraphrases(union_extractor: Extractor, text: str, code: str) -> None:
    found = [e.value for e in union_extractor.extract(text, TODAY) if e.entity == "challenge"]
    assert code in found and len(found) <= 2


@pytest.mark.parametrize("text", ["thanks, have a good one", "we're in Kent and Renton, WA", "skip", "Verizon"], ids=_id)
def test_the_classifier_stays_quiet_on_plain_facts_and_small_talk(union_extractor: Extractor, text: str) -> None:
    assert not [e for e in union_extractor.extract(text, TODAY) if e.entity in ("challenge", "service")]


def _check_canonical(extractor: Extractor, text: str, entities: list[ExtractedEntity]) -> None:
    states = extractor.gazetteer.state_codes
    for e in entities:
        assert e.entity in ENTITIES
        assert 0 <= e.start < e.end <= len(text) and text[e.start : e.end] == e.text
        if e.entity == "us_state":
            assert e.value in states
        elif e.entity == "service":
            assert e.value in SERVICES
        elif e.entity == "challenge":
            assert e.value in CHALLENGES
        elif e.entity == "zip_code":
            assert isinstance(e.value, str) and len(e.value) == 5 and e.value.isdigit()
        elif e.entity in ("num_locations", "employees"):
            assert isinstance(e.value, int) and e.value > 0
        elif e.entity == "contract_end":
            assert isinstance(e.value, str) and len(e.value) in (7, 10)
            date.fromisoformat(e.value if len(e.value) == 10 else e.value + "-01")
        elif e.entity == "phone":
            assert isinstance(e.value, str) and e.value.startswith("+") and e.value[1:].isdigit()
        elif e.entity == "email":
            assert "@" in str(e.value)
        elif e.entity == "carrier":
            assert e.value in set(extractor.carrier_aliases.values())
        if e.negated:
            assert e.entity in ("us_state", "city", "service")


WORDS = st.sampled_from(
    "we have 3 offices in Portland and Seattle need PRIs SIP bill is too high OR or WA Ore. not no instead of "
    "97201 00000 AT&T XO Mobile mobile a dozen sites employees March 2027 next June , . ! ? 🙂 <b> ' ; -- "
    "503-555-0123 bob@acme.com sd-wan T-1 LA NYC Washington DC Kansas City St. Louis".split()
)


@settings(max_examples=150, deadline=None)
@given(st.lists(WORDS, max_size=25).map(" ".join))
def test_property_word_soup_is_canonical(extractor: Extractor, text: str) -> None:
    _check_canonical(extractor, text, extractor.extract(text, TODAY))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_property_any_text_never_raises(extractor: Extractor, text: str) -> None:
    entities = extractor.extract(text, TODAY)
    assert isinstance(entities, list)
    _check_canonical(extractor, text, entities)


@pytest.mark.parametrize("text, services", [
    ("we'd like SIP trunking into our existing phone system", {"sip"}),    # their PBX, fed by trunks
    ("two PRIs that feed the phone system at HQ", {"pri"}),
    ("we want a new phone system in the cloud", {"ucaas"}),                # asked for: hosted
    ("looking for a phone system for 12 desks", {"ucaas"}),
])
def test_the_customers_own_phone_system_beside_trunks_is_no_hosted_one(extractor: Extractor, text: str,
                                                                       services: set) -> None:
    assert {e.value for e in extractor.extract(text, TODAY) if e.entity == "service"} == services
