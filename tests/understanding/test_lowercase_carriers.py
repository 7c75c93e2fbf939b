"""A carrier whose name is also an everyday word (vocabulary.yml carrier_capitalised_only), typed
in lowercase: the carrier where the words around say a carrier is meant
(bot.understanding.carrier_context), a plain word everywhere else."""

from __future__ import annotations

import pytest

from bot.base.yamldata import DataFileError
from bot.understanding.extraction import CARRIER, Extractor
from bot.understanding.vocabulary import load_vocabulary


def _carriers(extractor: Extractor, text: str) -> set[str]:
    return {e.value for e in extractor.extract(text) if e.entity == CARRIER and not e.negated}


@pytest.mark.parametrize(
    "text, carrier",
    [
        ("both shops are on frontier at the moment", "Frontier"),
        ("we've been with consolidated for years", "Consolidated"),
        ("thinking of leaving spectrum", None),  # "leaving" is no context word
        ("we're moving away from charter", "Spectrum Enterprise"),
        ("the office uses lumen", "Lumen"),
        ("all our sites go through granite", "Granite"),
        ("we got spectrum, and it's flaky", "Spectrum Enterprise"),
        ("currently have att at the warehouse", "AT&T"),
        ("frontier for our phones and the internet", "Frontier"),
        ("we pay spectrum for all the internet", "Spectrum Enterprise"),
        ("lumen is our main provider", "Lumen"),
        ("consolidated's the only choice out here", "Consolidated"),
        ("the frontier dsl at the clinic crawls", "Frontier"),
        ("we're on spectrum business", "Spectrum Enterprise"),
    ],
)
def test_lowercase_name_in_a_carrier_context(rules: Extractor, text: str, carrier: str) -> None:
    assert _carriers(rules, text) == ({carrier} if carrier else set())


@pytest.mark.parametrize(
    "text",
    [
        "a wide spectrum of services",  # the YAML comment's plain words
        "the new frontier",
        "level 3 support",
        "on the autism spectrum",
        "kitchens with granite countertops",  # a noun phrase after the context word
        "we have charter schools as customers",
        "we run charter boats, we have charter business all summer",
        "we have consolidated our invoices",  # a verb after "have"
        "we have consolidated, and it saved money",
        "a full spectrum internet marketing shop",
        "from spectrum of options to pick",
        "I met with eli from accounting",  # names that stay plain words even after a context word
        "prices on peak and off peak",
        "our suite is on level 3",
        "we use mint for the budget",
        "wow, on wow it's bad",
    ],
)
def test_everyday_words_stay_plain_words(rules: Extractor, text: str) -> None:
    assert _carriers(rules, text) == set()


def test_capitalised_names_still_count_anywhere(rules: Extractor) -> None:
    assert _carriers(rules, "Spectrum keeps raising the price") == {"Spectrum Enterprise"}
    assert _carriers(rules, "we spoke with ELI about a circuit") == {"Zayo"}


def test_in_context_exceptions_must_be_capitalised_only_names(tmp_path) -> None:
    source = load_vocabulary().path
    text = open(source, encoding="utf-8").read() + "  - spectral\n"
    path = tmp_path / "vocabulary.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match="spectral"):
        load_vocabulary(path)
