"""Choosing among overlapping candidates (bot.understanding.candidates.Candidate): contacts and dates
over what lies inside them, the longest match per layer, and one entity per name and value.
"""

from __future__ import annotations

from typing import Any

from bot.understanding.candidates import Candidate as _Cand
from bot.understanding.extracted_entity import ExtractedEntity


def _drop_overlapping(cands: list[_Cand], char_spans: list[_Cand]) -> list[_Cand]:
    """Emails and phones win over anything inside them; dates over counts and ZIPs."""
    out = []
    for cand in cands:
        clash = False
        for other in char_spans:
            if cand.start < other.end and other.start < cand.end:
                if other.layer == "contact" or cand.layer in ("qty", "zip"):
                    clash = True
                    break
        if not clash:
            out.append(cand)
    return out


def _resolve_overlaps(cands: list[_Cand]) -> list[_Cand]:
    """Longest match per layer (spacy.util.filter_spans); across layers, a match inside a
    longer one is dropped ("MS" in "MS Teams", "Mobile" in "T-Mobile"). Services and
    challenges may share words ("backup internet" is both)."""
    from spacy.util import filter_spans

    by_layer: dict[str, list[_Cand]] = {}
    for cand in cands:
        by_layer.setdefault(cand.layer, []).append(cand)
    kept: list[_Cand] = []
    for layer, items in by_layer.items():
        if layer == "loc":
            kept.extend(_longest_groups(items))
            continue
        spans = {}
        for cand in items:
            spans.setdefault((cand.i, cand.j), []).append(cand)
        keep = set(_filter_token_spans(list(spans), filter_spans))
        for span, group in spans.items():
            if span in keep:
                kept.extend(group)
    paired = {("service", "challenge"), ("challenge", "service")}
    result = []
    for cand in kept:
        inside = any(
            other is not cand
            and other.layer != cand.layer
            and (cand.layer, other.layer) not in paired
            and other.i <= cand.i
            and cand.j <= other.j
            and (other.j - other.i) > (cand.j - cand.i)
            for other in kept
        )
        if not inside:
            result.append(cand)
    return result


class _TokenSpan:
    """The attributes spacy.util.filter_spans reads, without building spaCy Spans."""

    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end

    def __len__(self) -> int:
        return self.end - self.start


def _filter_token_spans(spans: list[tuple[int, int]], filter_spans: Any) -> list[tuple[int, int]]:
    if len(spans) <= 1:
        return spans
    return [(s.start, s.end) for s in filter_spans([_TokenSpan(a, b) for a, b in spans])]


def _longest_groups(items: list[_Cand]) -> list[_Cand]:
    """Places: keep every reading of the longest spans (a span can be a city and a state)."""
    from spacy.util import filter_spans

    spans: dict[tuple[int, int], list[_Cand]] = {}
    for cand in items:
        spans.setdefault((cand.i, cand.j), []).append(cand)
    keep = _filter_token_spans(list(spans), filter_spans)
    return [c for span in keep for c in spans[span]]


def _dedupe(found: list[tuple[ExtractedEntity, int]]) -> list[ExtractedEntity]:
    """One entity per (name, value): the first positive mention, else the first negated one."""
    ordered = sorted(found, key=lambda pair: (pair[0].start, pair[1]))
    positive = {(e.entity, e.value) for e, _ in ordered if not e.negated}
    seen: set[tuple[str, Any]] = set()
    out = []
    for entity, _ in ordered:
        key = (entity.entity, entity.value)
        if key in seen or (entity.negated and key in positive):
            continue
        seen.add(key)
        out.append(entity)
    return out
