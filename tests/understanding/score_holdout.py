"""Scores the extractor on tests/understanding/own_holdout.yml, aggregates only, for the three
target entities (the file annotates nothing else): python -m tests.understanding.score_holdout"""

from __future__ import annotations

from pathlib import Path

from bot.understanding.extraction import DEFAULT_APPROACH, build_extractor
from scripts.evaluation import load_examples

HOLDOUT = Path(__file__).with_name("own_holdout.yml")
TARGETS = ("challenge", "service", "num_locations")


def main() -> None:
    extractor = build_extractor(DEFAULT_APPROACH)
    counts = {name: [0, 0, 0] for name in TARGETS}  # tp, fp, fn
    for example in load_examples(HOLDOUT):
        found = extractor.extract(example.text)
        for name in TARGETS:
            gold = {str(v).lower() for v in example.entities.get(name, [])}
            pred = {str(e.value).lower() for e in found if e.entity == name and not e.negated}
            counts[name][0] += len(gold & pred)
            counts[name][1] += len(pred - gold)
            counts[name][2] += len(gold - pred)
    for name, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:14s} n={tp + fn:3d}  P={p:.3f} R={r:.3f} F1={f1:.3f}")


if __name__ == "__main__":
    main()
