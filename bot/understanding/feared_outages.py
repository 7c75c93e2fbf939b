"""An outage feared, not had: "if our one line goes down we're dead" names a missing backup
(need_redundancy), not outages that happen (reliability).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# An outage feared, not had: "if the line goes down", "in case it fails", "should the fiber get cut",
# "paranoid about it going down".
_FEAR_OPENERS = frozenset({"if", "should", "case", "whenever", "paranoid", "afraid", "scared", "terrified", "nervous",
                           "si"})  # Spanish "si se cae": if it goes down
# Openers that fear an outage only where the message speaks of one line or of a backup it lacks:
# "whenever it goes down we're done, it's our only line" (not "whenever it rains the line dies").
_SINGLE_LINE_OPENERS = frozenset({"whenever"})
_SINGLE_LINE_WORDS = frozenset({"one", "only", "single", "sole", "backup", "failover", "redundancy", "redundant", "second"})
# "whenever it rains the line dies": what brings the failure, so the failure is had, not feared
_FAILURE_CAUSES = frozenset({
    "rain", "rains", "raining", "storm", "storms", "stormy", "snow", "snows", "snowing", "wind", "windy", "busy",
    "hot", "heat", "cold", "ice", "thunderstorm", "thunderstorms", "everyone", "everybody",
})
_FAILURE_WORDS = frozenset({
    "down", "out", "fails", "fail", "failed", "dies", "die", "dead", "drops", "drop", "cut", "offline", "outage",
    "outages", "crashes", "crash", "breaks", "dark", "cae", "caiga",
})
_OUTAGE_HAD_WORDS = frozenset({
    "again", "constantly", "always", "weekly", "daily", "often", "twice", "times",
    "week", "month", "last", "yesterday", "today", "happened", "happens", "still", "had",
})
# "keeps dropping" is an outage had, "keeps me up at night" is not; "every week" is, "every store" not.
_KEEP_WORDS = frozenset({"keep", "keeps", "kept"})
_EVERY_TIME_WORDS = frozenset({"day", "week", "month", "morning", "afternoon", "evening", "night", "time", "storm",
                               "hour", "couple", "other", "few", "single"})
_FEAR_REACH = 6
_PEOPLE_WHO_CANCEL = frozenset({"we", "i", "you"})


def _outage_had_word(lows: Sequence[str], k: int) -> bool:
    """Whether the word at `k` says an outage happens: "again", "weekly", "keeps dropping",
    "every week"."""
    word = lows[k]
    if word in _OUTAGE_HAD_WORDS:
        return True
    after = lows[k + 1 : k + 3]
    if word in _KEEP_WORDS:
        return any(w in _FAILURE_WORDS or w.endswith("ing") for w in after)
    return word == "every" and bool(after) and after[0] in _EVERY_TIME_WORDS


def _outage_only_feared(doc: "Doc") -> bool:
    """Whether every failure the message names is feared, not had: "if our one line goes down
    we're dead", "should the fiber get cut we'd have nothing", "paranoid about it going down"
    ("when"/"whenever" only where one line or a missing backup is spoken of, and not after a
    cause: "whenever it rains the line dies" is an outage had)."""
    lows = [t.lower_.replace("\u2019", "'") for t in doc]
    # "if we drop a line": the customer cancelling, not the line failing
    failures = [k for k, w in enumerate(lows) if w in _FAILURE_WORDS and not (k and lows[k - 1] in _PEOPLE_WHO_CANCEL)]
    if not failures or any(_outage_had_word(lows, k) for k in range(len(lows))):
        return False
    single = any(w in _SINGLE_LINE_WORDS for w in lows) or any(a == "plan" and b == "b" for a, b in zip(lows, lows[1:]))
    feared = set()
    for k, word in enumerate(lows):
        if word not in _FEAR_OPENERS or (word == "case" and not (k and lows[k - 1] == "in")):
            continue
        near = [m for m in failures if k < m <= k + _FEAR_REACH]
        if not near or (word in _SINGLE_LINE_OPENERS and (
                not single or any(w in _FAILURE_CAUSES for w in lows[k + 1 : near[0]]))):
            continue
        # the failure feared and what it would bring, to the end of the sentence
        end = next((m for m in range(near[0], len(doc)) if doc[m].text in (".", "!", "?", ";")), len(doc))
        feared.update(m for m in failures if k < m < end)
    return bool(feared) and all(m in feared for m in failures)
