"""The pieces behind reading answers in the customer's own words (bot/understanding):
word forms, phrasings.yml and its loader, the Rasa NLU examples reader, the topic classifier
and its cache. Examples are our own, in the customer's voice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.base.yamldata import DataFileError
from bot.domain.canonical import CHALLENGES, SERVICES
from bot.understanding.nlu_examples import parse_example, read_nlu_examples
from bot.understanding.phrasings import load_phrasings, read_phrasings
from bot.understanding.wordforms import stem, stems


@pytest.mark.parametrize(
    "a, b",
    [("outages", "outage"), ("dropped", "drops"), ("dropping", "drop"), ("pricing", "price"), ("companies", "company"),
     ("faxes", "fax"), ("T1s", "t1"), ("installed", "install"), ("speeds", "speed"), ("invoices", "invoice")],
)
def test_word_forms_meet(a: str, b: str) -> None:
    assert stem(a) == stem(b)


@pytest.mark.parametrize("word", ["need", "sip", "bill", "speed", "pri", "lte"])
def test_short_words_and_double_letters_keep_their_form(word: str) -> None:
    assert stem(word) == word


def test_stems_of_a_message() -> None:
    assert stems("Calls keep dropping, the pricing isn’t great") == ["call", "keep", "drop", "the", "pric", "isn't", "great"]


# ---- phrasings.yml ------------------------------------------------------------------------------


def test_the_shipped_phrasings_load_with_every_code() -> None:
    phrasings = load_phrasings()
    challenges = {c for _, codes, _ in phrasings.examples for c in codes}
    services = {s for _, _, codes in phrasings.examples for s in codes}
    assert challenges == set(CHALLENGES) and services == set(SERVICES)
    assert sum(1 for _, c, s in phrasings.examples if not c and not s) >= 200  # what is not a problem
    assert set(phrasings.challenge_words.values()) <= set(CHALLENGES)
    assert load_phrasings() is phrasings  # cached while the file is unchanged


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("topic_words:\n  challenges:\n    high_cost: [pricing]\n    reliability: [prices]\nexamples: {}\n", 4,
         "also a word of 'high_cost'"),
        ("topic_words: {}\nexamples:\n  challenges:\n    sluggish: [it is slow]\n", 4, "not a canonical challenge code"),
        ("topic_words: {}\nexamples:\n  neither:\n    - hello\n    - ''\n", 5, "non-empty"),
        ("topic_words: {}\nexamples: {}\nnotes: hi\n", 3, "unknown section 'notes'"),
        ("topic_words: {}\nexamples:\n  challenges:\n    high_cost: [we pay too much]\n  neither:\n    - fine\n    - we pay too much\n", 7,
         "under a code and under neither"),
        ("topic_words:\n  services:\n    pots: [copper lines]\nexamples: {}\n", 3, "single word"),
        ("topic_words: {}\nexamples:\n  services:\n    pots: []\n", 4, "non-empty list"),
        ("topic_words: {}\nexamples:\n  messages:\n    - text: it costs a lot\n      challenges: [high_cost]\n"
         "    - text: it drops\n      challenges: [outages]\n", 7, "not a canonical challenge code"),
        ("topic_words: {}\nexamples:\n  messages:\n    - text: fine\n      services: [sip]\n      mood: calm\n", 6,
         "unknown key 'mood'"),
    ],
)
def test_phrasings_errors_name_the_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "phrasings.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as error:
        read_phrasings(path)
    assert error.value.line == line and message in str(error.value) and str(path) in str(error.value)


def test_a_whole_message_carries_all_its_codes(tmp_path: Path) -> None:
    path = tmp_path / "phrasings.yml"
    path.write_text(
        "topic_words: {}\nexamples:\n  challenges:\n    high_cost: [it's pricey]\n  messages:\n"
        "    - text: \"it's  pricey\"\n      challenges: [reliability]\n      services: [sip]\n"
        "    - text: two stores in Reno\n",
        encoding="utf-8",
    )
    phrasings = read_phrasings(path)
    assert dict((t, (c, s)) for t, c, s in phrasings.examples) == {
        "it's pricey": ({"high_cost", "reliability"}, {"sip"}),  # the same text under a code: both
        "two stores in Reno": (set(), set()),
    }


def test_a_sentence_under_two_codes_carries_both(tmp_path: Path) -> None:
    path = tmp_path / "phrasings.yml"
    path.write_text(
        "topic_words:\n  challenges:\n    high_cost: [Pricing]\nexamples:\n  challenges:\n"
        "    high_cost: [it's pricey and it drops]\n    reliability: [it's pricey and it drops]\n"
        "  services:\n    sip: [sip trunks please]\n  neither: [thanks]\n",
        encoding="utf-8",
    )
    phrasings = read_phrasings(path)
    assert dict((t, (c, s)) for t, c, s in phrasings.examples) == {
        "it's pricey and it drops": (frozenset({"high_cost", "reliability"}), frozenset()),
        "sip trunks please": (frozenset(), frozenset({"sip"})),
        "thanks": (frozenset(), frozenset()),
    }
    assert phrasings.challenge_words == {stem("pricing"): "high_cost"}


# ---- the Rasa NLU examples, without Rasa --------------------------------------------------------


def test_rasa_annotations_become_codes(vocabulary) -> None:  # type: ignore[no-untyped-def]
    text, challenges, services = parse_example(
        'we have [3](num_locations) sites, [PRIs]{"entity": "service", "value": "pri"} and [sip](service), '
        '[the bill is way too high]{"entity": "challenge", "value": "high_cost"}', vocabulary)
    assert text == "we have 3 sites, PRIs and sip, the bill is way too high"
    assert challenges == {"high_cost"} and services == {"pri", "sip"}


def test_the_nlu_files_are_read(tmp_path: Path, vocabulary) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n    - our [internet keeps dropping]{"entity": "challenge", '
        '"value": "reliability"}\n    - two offices\n- synonym: pri\n  examples: |\n    - pris\n', encoding="utf-8")
    broken = tmp_path / "broken.yml"
    broken.write_text("nlu: [", encoding="utf-8")
    assert read_nlu_examples([path, broken], vocabulary) == [
        ("our internet keeps dropping", frozenset({"reliability"}), frozenset()),
        ("two offices", frozenset(), frozenset()),
        ("pris", frozenset(), frozenset()),
    ]


# ---- the topic classifier -----------------------------------------------------------------------

TOY_EXAMPLES = [
    ("our bill is way too expensive", frozenset({"high_cost"}), frozenset()),
    ("we pay far too much every month", frozenset({"high_cost"}), frozenset()),
    ("the invoice keeps climbing", frozenset({"high_cost"}), frozenset()),
    ("the line goes dead every week", frozenset({"reliability"}), frozenset()),
    ("calls keep cutting out", frozenset({"reliability"}), frozenset()),
    ("the internet dies all the time", frozenset({"reliability"}), frozenset()),
    ("we want hosted phones", frozenset(), frozenset({"ucaas"})),
    ("cloud phones for the office", frozenset(), frozenset({"ucaas"})),
    ("thanks a lot", frozenset(), frozenset()),
    ("we are in Boise", frozenset(), frozenset()),
    ("hello there", frozenset(), frozenset()),
    ("three offices", frozenset(), frozenset()),
]


def test_the_classifier_learns_codes_of_both_kinds() -> None:
    from bot.understanding.topic_classifier import train_topics

    learned = train_topics(TOY_EXAMPLES, {"challenge": 0.5, "service": 0.5})
    assert set(learned.classifiers["challenge"].codes) == {"high_cost", "reliability"}
    assert [c for c, _ in learned.codes("the line keeps going dead")["challenge"]] == ["reliability"]
    services = learned.classifiers["service"]
    assert services.probabilities("cloud phones please")["ucaas"] > services.probabilities("the line is dead")["ucaas"]
    probabilities = learned.classifiers["challenge"].probabilities("we pay too much for the bill")
    assert probabilities["high_cost"] > probabilities["reliability"]


def test_the_trained_classifiers_are_cached_by_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.understanding import topic_classifier

    topic_classifier.load_or_train_topics(TOY_EXAMPLES, {"challenge": 0.5}, cache_dir=tmp_path)
    cached = list(tmp_path.glob("topics-*.pickle"))
    assert len(cached) == 1

    def no_training(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("trained again although nothing changed")

    monkeypatch.setattr(topic_classifier, "train_topics", no_training)
    again = topic_classifier.load_or_train_topics(TOY_EXAMPLES, {"challenge": 0.6}, cache_dir=tmp_path)
    assert again.thresholds == {"challenge": 0.6}  # thresholds are not part of the cache
    assert [c for c, _ in again.codes("calls keep cutting out")["challenge"]] == ["reliability"]
    monkeypatch.undo()
    changed = TOY_EXAMPLES + [("the phones keep ringing out", frozenset({"reliability"}), frozenset())]
    assert topic_classifier.fingerprint(changed) != topic_classifier.fingerprint(TOY_EXAMPLES)
    topic_classifier.load_or_train_topics(changed, {}, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("topics-*.pickle"))) == 1  # the old one is replaced


def test_a_broken_cache_file_means_training_again(tmp_path: Path) -> None:
    from bot.understanding import topic_classifier

    path = tmp_path / f"topics-{topic_classifier.fingerprint(TOY_EXAMPLES)}.pickle"
    path.write_bytes(b"not a pickle")
    learned = topic_classifier.load_or_train_topics(TOY_EXAMPLES, {"challenge": 0.5}, cache_dir=tmp_path)
    assert [c for c, _ in learned.codes("we pay far too much")["challenge"]] == ["high_cost"]


def test_cached_objects_of_another_code_version_mean_training_again(tmp_path: Path) -> None:
    import pickle

    from bot.understanding import topic_classifier

    path = tmp_path / f"topics-{topic_classifier.fingerprint(TOY_EXAMPLES)}.pickle"
    path.write_bytes(pickle.dumps({"challenge": object()}))
    learned = topic_classifier.load_or_train_topics(TOY_EXAMPLES, {"challenge": 0.5}, cache_dir=tmp_path)
    assert [c for c, _ in learned.codes("the line goes dead again")["challenge"]] == ["reliability"]


# ---- a count alone answers the question being asked ---------------------------------------------


def test_a_count_alone_is_marked(extractor) -> None:  # type: ignore[no-untyped-def]
    (count,) = extractor.extract("a dozen")
    assert (count.entity, count.value, count.alone) == ("num_locations", 12, True)
    assert not any(e.alone for e in extractor.extract("a dozen stores"))


@pytest.mark.parametrize("requested, expected", [(None, {}), ("num_locations", {"num_locations": 12.0}), ("employees", {})])
def test_a_count_alone_fills_sites_only_when_they_were_asked(requested, expected) -> None:  # type: ignore[no-untyped-def]
    # Asked nothing, "a dozen" says what it counts no more than asked the head count: the
    # annotation guide's bare number, no count (the sites known stay as they are).
    from bot.conversation.slot_updates import updates_from_message

    entity = {"entity": "num_locations", "value": 12, "role": "count_alone"}
    update = updates_from_message({"num_locations": 3.0}, [entity], "a dozen", "inform", requested_slot=requested)
    assert {k: v for k, v in update.slots.items() if k == "num_locations"} == expected
    sites = {"entity": "num_locations", "value": 12}  # "a dozen stores" is sites whatever was asked
    assert updates_from_message({}, [sites], "a dozen stores", "inform", requested_slot="employees").slots == {"num_locations": 12.0}


@pytest.mark.parametrize("text", ["just the one", "only the one, always has been", "a bakery in Reno, just the one"])
def test_just_the_one_counts_a_site_whatever_was_asked(extractor, text: str) -> None:  # type: ignore[no-untyped-def]
    counts = [e for e in extractor.extract(text) if e.entity == "num_locations"]
    assert [(e.value, e.alone) for e in counts] == [(1, False)]


@pytest.mark.parametrize("text", ["one", "just one", "we have 4", "um four maybe five"])
def test_a_bare_number_is_a_count_alone(extractor, text: str) -> None:  # type: ignore[no-untyped-def]
    assert all(e.alone for e in extractor.extract(text) if e.entity == "num_locations")


@pytest.mark.parametrize("requested, expected", [(None, {}), ("num_locations", {"num_locations": 40.0}), ("employees", {})])
def test_a_larger_count_alone_fills_sites_only_when_they_were_asked(requested, expected) -> None:  # type: ignore[no-untyped-def]
    from bot.conversation.slot_updates import updates_from_message

    entity = {"entity": "num_locations", "value": 40, "role": "count_alone"}
    update = updates_from_message({}, [entity], "40", "inform", requested_slot=requested)
    assert {k: v for k, v in update.slots.items() if k == "num_locations"} == expected


@pytest.mark.parametrize("known, expected", [({}, {"num_locations": 3.0}), ({"num_locations": 5.0}, {})])
def test_a_count_alone_to_where_the_sites_are_counts_them_when_no_count_is_known(known, expected) -> None:  # type: ignore[no-untyped-def]
    # "Where are your sites?" answered "3": the question names the sites, so it is their number
    # (the place is asked again); a count already told is not replaced by it.
    from bot.conversation.slot_updates import updates_from_message

    entity = {"entity": "num_locations", "value": 3, "role": "count_alone"}
    update = updates_from_message(known, [entity], "3", "inform", requested_slot="states")
    assert {k: v for k, v in update.slots.items() if k == "num_locations"} == expected
