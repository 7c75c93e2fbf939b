"""Slowness of the connection (the bandwidth challenge) told by figures or words: a slow speed the
customer has ("the dsl is 3 meg"), a speed paid for and a lower one had ("we pay for 300 meg and
get 40"), words of slowness said of the line and not of people.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# Speeds: "10 meg", "1.5 mbps", "25 down", "3mbps". At or below SLOW_MBPS a line is slow for a
# business today (a T1 is 1.5); a figure asked for ("we need 10 meg") is no complaint.
_SPEED_TOKEN = r"^\d+(?:\.\d+)?(?:meg|megs|mb|mbps|mbit|kbps)$"
SLOW_MBPS = 25
_WANTING_SPEED = frozenset({"need", "needs", "want", "wants", "least", "minimum", "min", "require", "requires", "get"})
_DOWN_VERBS = frozenset({"were", "was", "been", "go", "went", "goes", "is", "are", "be", "being"})


def _slow_speed(doc: "Doc", i: int, j: int) -> bool:
    """Whether doc[i:j] states a slow speed the customer has ("the dsl is 3 meg", "like 10 meg on
    a good day", "25 down"), not one they ask for or a count of days down."""
    text = doc[i:j].text.lower().replace(" ", "")
    match = re.match(r"(\d+(?:\.\d+)?)", text)
    if match is None:
        return False
    value = float(match.group(1))
    if "kb" in text:
        value /= 1000
    if text[len(match.group(1)):].startswith("g"):
        value *= 1000  # "1 gig"
    if doc[j - 1].lower_ == "down" and (i > 0 and doc[i - 1].lower_ in _DOWN_VERBS or j < len(doc) and doc[j].lower_ in ("for", "days", "hours")):
        return False  # "we were down 3 days", "down for a week"
    before = {t.lower_ for t in doc[max(0, i - 3) : i]}
    return 0 < value <= SLOW_MBPS and not before & _WANTING_SPEED


_SLOW_WORDS = frozenset({"slow", "slower", "slowest", "sluggish", "crawls", "crawling", "laggy", "lagging", "chokes", "choking",
                         "bogs", "bogged", "slowness", "slowdowns"})
# Near a word of slowness, these make it slowness of people or of work, not of the connection.
_SLOW_PEOPLE_WORDS = frozenset({
    "support", "respond", "response", "responses", "responding", "install", "installs", "installation", "fix",
    "fixing", "repair", "repairs", "answer", "answers", "callback", "callbacks", "ticket", "tickets", "tech",
    "techs", "technician", "turnaround", "provisioning", "quote", "quotes", "billing", "rep", "reps", "service",
    "team", "staff", "pay", "paying", "process", "processes", "onboarding", "sales", "order", "orders", "helpdesk",
})
_SPEED_UNITS = frozenset({"meg", "megs", "mbps", "mb", "mbs", "mbit", "megabit", "megabits", "gig", "gigs", "gbps"})
# The units of a speed figure (_slow_speed): those, kilobits, and "25 down"
_SPEED_FIGURE_UNITS = _SPEED_UNITS | {"kbps", "kb", "down"}
_NOT_ENOUGH = frozenset({
    "n't", "not", "enough", "cut", "cutting", "barely", "doesnt", "isnt", "aint", "slow", "more", "upgrade",
    "max", "maxed", "insufficient", "inadequate", "nowhere",
})


# "we pay for 300 meg and get 40", "they promised a gig, we see 200": a speed paid for or
# promised, and a lower one had (bandwidth, not the price: the money is the speed's measure).
_PROMISE_WORDS = frozenset({"pay", "pays", "paying", "paid", "promised", "promise", "promises", "sold", "advertised",
                            "billed", "supposedly", "supposed"})
_HAD_SPEED_WORDS = frozenset({"get", "gets", "getting", "got", "see", "seeing", "saw", "actually", "receive",
                              "receiving", "measure", "tests", "test", "shows", "show"})
_SHORTFALL_REACH = 8
# Words after a bare speed figure: "we pay for 500 and get 80", "20 on a good day"
_BARE_FIGURE_AFTER = frozenset({"and", "but", "yet", "on", "in", "at", "most", "max", "tops", "if", "when", "symmetrical",
                                "symmetric", "up", "down"})


def _speed_figure(doc: "Doc", k: int) -> Optional[float]:
    """The megabits of a speed figure at `k` ("300", "300 meg", "a gig", "1 gig"), or None."""
    low = doc[k].lower_
    after = doc[k + 1].lower_ if k + 1 < len(doc) else ""
    if low in ("a", "one") and after in _GIG_UNITS:
        return 1000.0
    if not low[:1].isdigit():
        return None
    if after.isalpha() and after not in _SPEED_FIGURE_UNITS and after not in _BARE_FIGURE_AFTER:
        return None  # "2 lines", "3 bills": a count of something else
    number = parse_number_words([low.rstrip("+")])
    return number * 1000 if number is not None and after in _GIG_UNITS else number


_GIG_UNITS = frozenset({"gig", "gigs", "gigabit", "gbps"})


def _paid_speed_shortfall(doc: "Doc") -> Optional[tuple[int, int]]:
    """Token span of a speed paid for or promised followed by a lower one had, if any."""
    lows = [t.lower_ for t in doc]
    n = len(doc)
    for k, low in enumerate(lows):
        if low not in _PROMISE_WORDS:
            continue
        for m in range(k + 1, min(n, k + 7)):
            promised = _speed_figure(doc, m)
            if promised is None or doc[m - 1].text == "$":
                continue
            for h in range(m + 1, min(n, m + _SHORTFALL_REACH)):
                if lows[h] not in _HAD_SPEED_WORDS:
                    continue
                for f in range(h + 1, min(n, h + 4)):
                    had = _speed_figure(doc, f)
                    if had is not None and had < promised:
                        return k, f + 1
            break
    return None
