"""The second annotations of the development sets line up with them (scripts/agreement.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scripts import agreement


@pytest.mark.parametrize("name", ["v6a", "v6b", "v6c"])
def test_every_development_set_has_a_full_second_annotation(name: str) -> None:
    scores = agreement.agreement(name)
    assert set(scores) == set(agreement.KEYS)
    assert all(0.5 < s.f1 < 1.0 or s.f1 == 1.0 for s in scores.values())  # two careful readers, not noise
    assert scores["challenge"].support > 50


def test_a_second_annotation_out_of_line_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = agreement.SECOND_DIR / "nlu_dev_v6a.yml"
    items = yaml.safe_load(source.read_text(encoding="utf-8"))["annotations"]
    (tmp_path / "nlu_dev_v6a.yml").write_text(yaml.safe_dump({"annotations": items[1:]}), encoding="utf-8")
    monkeypatch.setattr(agreement, "SECOND_DIR", tmp_path)
    with pytest.raises(ValueError, match="every message's id"):
        agreement.agreement("v6a")


def test_disagreeing_on_everything_scores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = agreement.SECOND_DIR / "nlu_dev_v6b.yml"
    items = yaml.safe_load(source.read_text(encoding="utf-8"))["annotations"]
    for item in items:
        item.update(num_locations=[], challenge=[], service=[])
    (tmp_path / "nlu_dev_v6b.yml").write_text(yaml.safe_dump({"annotations": items}), encoding="utf-8")
    monkeypatch.setattr(agreement, "SECOND_DIR", tmp_path)
    assert all(s.f1 == 0.0 for s in agreement.agreement("v6b").values())
