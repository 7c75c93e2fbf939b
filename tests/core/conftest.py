"""Fixtures of the language-layer tests: one extractor and one gazetteer per test session."""

from __future__ import annotations

import os
from datetime import date

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

# A fixed "today" for every date expectation (a Sunday in late November).
TODAY = date(2026, 11, 29)

# The carriers the extractor tests mention, as the catalog's alias_map() spells them; explicit
# so these tests do not depend on bot/data/carriers.yml.
CARRIER_ALIASES = {
    "at&t": "AT&T",
    "att": "AT&T",
    "at and t": "AT&T",
    "level 3": "Lumen",
    "level3": "Lumen",
    "tw telecom": "Lumen",
    "centurylink": "Lumen",
    "us west": "Lumen",
    "lumen": "Lumen",
    "xo": "Verizon Business",
    "verizon business": "Verizon Business",
    "verizon": "Verizon",
    "verizon fios": "Verizon",
    "spectrum": "Spectrum Enterprise",
    "charter": "Spectrum Enterprise",
    "frontier": "Frontier",
    "comcast": "Comcast Business",
    "cincinnati bell": "altafiber",
    "consolidated": "Consolidated",
    "eli": "Zayo",
    "zayo": "Zayo",
    "ziply fiber": "Ziply Fiber",
}


@pytest.fixture(scope="session")
def today() -> date:
    return TODAY


@pytest.fixture(scope="session")
def gazetteer():  # type: ignore[no-untyped-def]
    from bot.understanding.locations import default_gazetteer

    return default_gazetteer()


@pytest.fixture(scope="session")
def vocabulary():  # type: ignore[no-untyped-def]
    from bot.understanding.vocabulary import load_vocabulary

    return load_vocabulary()


@pytest.fixture(scope="session")
def extractor(vocabulary, gazetteer):  # type: ignore[no-untyped-def]
    """Built once per session (about a second, plus importing spaCy)."""
    from bot.understanding.extraction import Extractor

    built = Extractor(vocabulary, gazetteer, CARRIER_ALIASES)
    built.warm_up()
    return built
