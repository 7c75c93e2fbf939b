"""How far two people agree on the development sets: the ceiling any understanding is held to.

`python -m scripts.agreement` scores the second, independent annotation of each development set
(tests/second_annotator/nlu_dev_<name>.yml: num_locations, challenge and service of every
message, by an author who saw only the texts, the annotation guide and CONTRACT section 4)
against the set's own annotation, with the evaluation's scoring (scripts/evaluation.py): P/R/F1
of the second annotator taking the first as gold. The extractor's figures on the same sets are
in docs/nlu-evaluation.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import yaml

from scripts.evaluation import Score, entity_scores, load_examples, value_sets

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("num_locations", "challenge", "service")
SECOND_DIR = ROOT / "tests" / "second_annotator"


def agreement(name: str) -> dict[str, Score]:
    """entity -> Score of the second annotation of tests/nlu_dev_<name>.yml against the first."""
    first = load_examples(ROOT / "tests" / f"nlu_dev_{name}.yml")
    with (SECOND_DIR / f"nlu_dev_{name}.yml").open(encoding="utf-8") as handle:
        second = yaml.safe_load(handle)["annotations"]
    if [item["id"] for item in second] != list(range(len(first))):
        raise ValueError(f"{name}: the second annotation must hold every message's id, in order")
    gold = [{k: v for k, v in example.entities.items() if k in KEYS} for example in first]
    other = [value_sets({k: item.get(k) or [] for k in KEYS}) for item in second]
    scores = entity_scores(gold, other)
    return {k: scores[k] for k in KEYS if k in scores}


def main(argv: Sequence[str] = ()) -> int:
    names = list(argv) or sorted(p.stem.removeprefix("nlu_dev_") for p in SECOND_DIR.glob("nlu_dev_*.yml"))
    print(f"{'set':8} {'entity':14} {'n':>4}  P      R      F1")
    for name in names:
        for key, score in agreement(name).items():
            print(f"{name:8} {key:14} {score.support:4d}  {score.precision:.3f}  {score.recall:.3f}  {score.f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
