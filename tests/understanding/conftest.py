"""The extractors the understanding tests read with, built once per session (a build trains or
loads the classifiers)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.understanding.extraction import UNION, build_extractor


@pytest.fixture(scope="session")
def union() -> Any:
    extractor = build_extractor(UNION)
    extractor.warm_up()
    return extractor


@pytest.fixture(scope="session")
def rules() -> Any:
    extractor = build_extractor("rules")
    extractor.warm_up()
    return extractor
