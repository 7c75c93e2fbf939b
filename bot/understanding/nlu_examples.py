"""The sentences of the Rasa NLU training data with their challenge and service codes, read
without Rasa (bot/ imports no Rasa outside bot/rasa_adapters).

data/nlu.yml and data/nlu/*.yml hold some 1,400 sentences in the customer's voice, written for
the intent classifier, with the challenges and services annotated in Rasa's inline syntax:
`[bill's way too high]{"entity": "challenge", "value": "high_cost"}` or `[sip](service)`. The
learned reader of challenges and services (bot.understanding.topic_classifier) trains on them
next to bot/data/phrasings.yml: every sentence is an example, those without a challenge
annotation are examples of what is not a challenge (thanks, goodbyes, places, questions).
Only the `nlu:` entries with an `examples` block are read; a file that is not valid YAML is
skipped (the Rasa data tests report it).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable, Optional

import yaml

from bot.base.settings import ROOT
from bot.domain.canonical import CHALLENGES, SERVICES
from bot.understanding.vocabulary import Vocabulary

NLU_DATA = ROOT / "data"
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]*)\](?:\{(?P<json>[^{}]*)\}|\((?P<name>[^)]*)\))")

Example = tuple[str, frozenset[str], frozenset[str]]  # text, challenge codes, service codes


def nlu_files(root: Path = NLU_DATA) -> list[Path]:
    """data/nlu.yml and data/nlu/*.yml, in a stable order."""
    files = [root / "nlu.yml"] if (root / "nlu.yml").is_file() else []
    return files + sorted((root / "nlu").glob("*.yml"))


def _code(entity: str, value: Optional[str], text: str, vocabulary: Vocabulary) -> Optional[str]:
    if entity == "challenge":
        candidate = value if value in CHALLENGES else vocabulary.canonical_challenge(value or text)
    elif entity == "service":
        candidate = value if value in SERVICES else vocabulary.canonical_service(value or text)
    else:
        return None
    return candidate


def parse_example(line: str, vocabulary: Vocabulary) -> Example:
    """One annotated example -> (plain text, challenge codes, service codes)."""
    challenges: set[str] = set()
    services: set[str] = set()

    def plain(match: re.Match[str]) -> str:
        text = match.group("text")
        entity, value = "", None
        if match.group("json") is not None:
            try:
                spec = json.loads("{" + match.group("json") + "}")
            except ValueError:
                spec = {}
            entity, value = str(spec.get("entity", "")), spec.get("value")
        else:
            entity, _, raw = (match.group("name") or "").partition(":")
            value = raw or None
        code = _code(entity, None if value is None else str(value), text, vocabulary)
        if code is not None:
            (challenges if entity == "challenge" else services).add(code)
        return text

    return _ANNOTATION.sub(plain, line).strip(), frozenset(challenges), frozenset(services)


def read_nlu_examples(paths: Iterable[Path], vocabulary: Vocabulary) -> list[Example]:
    """Every example of the given Rasa NLU YAML files, annotations turned into codes."""
    out: list[Example] = []
    for path in paths:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        for item in (data or {}).get("nlu") or [] if isinstance(data, dict) else []:
            block = item.get("examples") if isinstance(item, dict) else None
            if not isinstance(block, str):
                continue
            for line in block.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    example = parse_example(line[2:], vocabulary)
                    if example[0]:
                        out.append(example)
    return out
