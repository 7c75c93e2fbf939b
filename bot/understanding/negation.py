"""What a negation rules out: the scope of "not", "no", "instead of", "rather than" (Extractor._negate
marks states, cities and services inside it negated), and services taken back ("PRIs, no
scratch that, SIP").
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from bot.understanding.candidates import SERVICE
from bot.understanding.extracted_entity import ExtractedEntity

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc, Token


_NEG_SINGLE = frozenset({
    "not", "no", "n't", "never", "cannot", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt",
    "won't", "wont", "can't", "cant", "isn't", "isnt", "aren't", "arent", "wasn't", "weren't",
    "haven't", "havent", "hasn't", "shouldn't", "wouldn't", "without", "except", "excluding", "minus", "nor", "neither",
    "closed", "closing", "shut", "shutting", "dropping", "drop", "dropped", "remove",
    "removing", "cancel", "cancelling", "canceling", "cancelled", "canceled", "forget", "scratch",
    "ditch", "ditching", "exclude", "instead",
})
_NEG_PAIRS = frozenset({("rather", "than"), ("other", "than"), ("rid", "of")})
_NOT_NEGATION_AFTER = frozenset({"only", "just", "sure", "certain", "yet", "one", "problem", "worries", "thanks", "matter", "doubt", "idea"})
_SCOPE_END_WORDS = frozenset({
    "but", "just", "only", "because", "since", "so", "though", "although", "however", "while",
    "we", "i", "it", "they", "our", "also", "plus", "then", "yet",
})
_REPLACING_CUES = frozenset({
    "ditch", "ditching", "drop", "dropping", "dropped", "remove", "removing", "cancel", "cancelling",
    "canceling", "cancelled", "canceled", "scratch",
})
_NEW_ACTION_VERBS = frozenset({
    "go", "move", "switch", "get", "add", "keep", "use", "want", "need", "replace", "put", "buy", "order",
    "start", "try", "migrate", "upgrade", "bring", "take", "look", "looking",
})
_SCOPE_END_PUNCT = frozenset({",", ".", ";", "!", "?", ":", "(", ")", "—", "–"})
_MAX_SCOPE = 8


def _negation_scopes(doc: "Doc", entity_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Char ranges governed by a negation cue: from the cue to the end of its clause
    (punctuation, "but", a new subject), at most _MAX_SCOPE tokens. Cues inside an entity
    ("never calls back", "no backup") are part of that entity, not negations."""
    scopes = []
    n = len(doc)
    for k, token in enumerate(doc):
        low = token.lower_.replace("\u2019", "'")
        cue_end = None
        if low in _NEG_SINGLE:
            cue_end = k + 1
            if low == "instead" and k + 1 < n and doc[k + 1].lower_ == "of":
                cue_end = k + 2
            elif low == "instead":
                continue  # "Tacoma instead": nothing follows to negate
        elif k + 1 < n and (low, doc[k + 1].lower_) in _NEG_PAIRS:
            cue_end = k + 2
        if cue_end is None:
            continue
        if any(s <= token.idx < e for s, e in entity_spans):
            continue
        if cue_end < n and (doc[cue_end].lower_ in _NOT_NEGATION_AFTER or doc[cue_end].text in _SCOPE_END_PUNCT):
            continue
        if low == "no" and cue_end < n and doc[cue_end].lower_ == "longer":
            cue_end += 1
        stop = cue_end
        while stop < n and stop - cue_end < _MAX_SCOPE:
            t = doc[stop]
            if t.text in _SCOPE_END_PUNCT or "\n" in t.text or (stop > cue_end and t.lower_ in _SCOPE_END_WORDS):
                break
            if stop > cue_end and t.lower_ in ("and", "&", "then") and stop + 1 < n and _starts_new_action(doc[stop + 1]):
                break  # "dropping the PRI and going to SIP": the second action is not ruled out
            if stop > cue_end and low in _REPLACING_CUES and t.lower_ in ("for", "with", "to", "by"):
                break  # "ditch MPLS for SD-WAN": what replaces it is wanted
            stop += 1
        if stop > cue_end:
            scopes.append((doc[cue_end].idx, doc[stop - 1].idx + len(doc[stop - 1].text)))
    return scopes


# "PRIs, no scratch that, SIP": the customer takes back what they just said.
_RETRACTIONS = (("scratch", "that"), ("forget", "that"), ("never", "mind"), ("strike", "that"), ("no", "wait"),
                ("actually", "no"), ("i", "mean"))


def _retract(doc: "Doc", found: list[tuple[ExtractedEntity, int]]) -> list[tuple[ExtractedEntity, int]]:
    """Services named before a retraction ("no scratch that", "never mind") are ruled out when
    another service follows it."""
    lows = [t.lower_ for t in doc]
    for k in range(len(doc) - 1):
        if (lows[k], lows[k + 1]) not in _RETRACTIONS:
            continue
        cue_start, cue_end = doc[k].idx, doc[k + 1].idx + len(doc[k + 1].text)
        if not any(e.entity == SERVICE and e.start >= cue_end and not e.negated for e, _ in found):
            continue
        found = [(dataclasses.replace(e, negated=True) if e.entity == SERVICE and e.end <= cue_start else e, order)
                 for e, order in found]
    return found


def _starts_new_action(token: "Token") -> bool:
    """'going', 'moving', 'switch', 'add' after "and": a new clause with its own verb."""
    low = token.lower_
    return low in _NEW_ACTION_VERBS or (low.endswith("ing") and len(low) > 4 and low not in ("nothing", "something", "anything"))
