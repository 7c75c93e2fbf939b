"""Challenges named by two kinds of word in one clause rather than by a set phrase ("five different
bills", "a 4th store opening in May", "50 meg just doesn't cut it"), and the words that may stand
inside a set phrase without changing it ("costs are totally out of control").

The constructions of each topic are in challenge_cost, challenge_contract, challenge_relocation,
challenge_speed, challenge_support and challenge_vendors; _paired_word_candidates reads them all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Optional

from bot.understanding.candidates import CHALLENGE
from bot.understanding.candidates import Candidate as _Cand
from bot.understanding.challenge_contract import _HELD_WORDS, _held_until, _term_demanded
from bot.understanding.challenge_cost import (_CONTRACT_FEE_WORDS, _FEE_CUES, _FEE_WORDS, _MONEY_SIGNS, _judged_dear,
                                              _money_figure, _price_rise)
from bot.understanding.challenge_relocation import (_CLOSING_WORDS, _LEASE_WORDS, _MOVING_WORDS, _NEW_SITE_WORDS,
                                                    _NEXT_SITE_WORDS, _OPENING_PAIRS, _OPENING_WORDS,
                                                    _SITE_CHANGE_VERBS, _STANDS_ALONE_AFTER, _WHEN_WORDS,
                                                    _moves_a_service)
from bot.understanding.challenge_speed import (_NOT_ENOUGH, _SLOW_PEOPLE_WORDS, _SLOW_WORDS, _SPEED_FIGURE_UNITS,
                                               _SPEED_TOKEN, _SPEED_UNITS, _paid_speed_shortfall, _slow_speed)
from bot.understanding.challenge_support import (_BAD_WORDS, _LINKING_VERBS, _SUPPORT_NOUNS, _TOOK_WORDS, _WAIT_UNITS,
                                                 _slow_to_act)
from bot.understanding.challenge_vendors import (_ALL_OF_IT, _BILL_WORDS, _COMPANY_WORDS, _MANY_WORDS, _SYSTEM_WORDS,
                                                 _VENDOR_WORDS, _one_vendor_wished)
from bot.understanding.clauses import _clause_window
from bot.understanding.negation import _NEG_SINGLE
from bot.understanding.site_nouns import SITE_NOUN_SET
from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# Words a customer puts inside a challenge phrase without changing it (no negations).
_INSERTABLE = frozenset({
    "way", "really", "so", "just", "totally", "completely", "very", "super", "always", "constantly", "basically",
    "literally", "pretty", "all", "ever", "even", "still", "on", "like", "damn", "freaking", "stupid", "whole",
    "entire", "brand", "absolutely", "insanely", "ridiculously", "simply", "honestly", "seriously", "total",
    "real", "truly", "frankly", "kinda", "sorta", "a", "the", "our", "their", "its", "my", "this", "that",
    "current", "main", "long", "big", "huge", "massive", "crazy", "randomly", "often", "frequently", "again",
    "sometimes", "regularly", "usually", "also", "lately", "recently", "of", "ridiculous", "stupidly", "far",
    "much", "bit", "little", "some", "new", "old", "existing", "phone", "internet", "telecom", "monthly",
})
_MAX_INSERTED = 2
# Adverbs in -ly only say how much ("painfully slow", "constantly dropping"), except these,
# which say how little or how often a thing is, or are no adverbs.
_NOT_INSERTABLE_LY = frozenset({
    "only", "hardly", "barely", "rarely", "seldom", "scarcely", "early", "daily", "weekly", "monthly", "yearly",
    "family", "supply", "apply", "reply", "july", "italy", "ugly", "friendly", "likely", "unlikely", "rely",
    "occasionally", "partly", "slightly", "mostly", "nearly", "almost",
})


def _insertable(low: str) -> bool:
    """Whether a word may stand inside a challenge phrase without changing it."""
    return low in _INSERTABLE or (len(low) >= 5 and low.endswith("ly") and low.isalpha() and low not in _NOT_INSERTABLE_LY)


# "the internet is a nightmare": a bad verdict on the line itself is that it does not work (reliability).
_LINE_NOUNS = frozenset({"internet", "phones", "phone", "wifi", "wi-fi", "connection", "network", "pbx", "voip"})
_BAD_VERDICTS = frozenset({
    "disaster", "nightmare", "awful", "terrible", "horrible", "garbage", "trash", "junk", "crap", "crappy",
    "unusable", "sucks", "atrocious", "abysmal", "dreadful",
})
# "the bill for the phones is a disaster": the verdict is on another topic
_VERDICT_OF_ANOTHER_TOPIC = frozenset({"bill", "bills", "price", "pricing", "cost", "invoice", "rate", "rates", "contract",
                                       "support", "install", "installation", "billing"})


def _paired_word_candidates(doc: "Doc", known: set[Any]) -> list[_Cand]:
    out: list[_Cand] = []

    def add(code: str, i: int, j: int) -> None:
        # a construction's code spans one word of it where a longer span could hide a carrier,
        # a service or a place inside it ("stuck with Lumen until June")
        if code not in known:
            span = doc[i:j]
            out.append(_Cand("challenge", i, j, span.start_char, span.end_char, CHALLENGE, code))
            known.add(code)

    lows = [t.lower_.replace("\u2019", "'") for t in doc]
    n = len(doc)
    verdict: Optional[tuple[int, int]] = None  # a bad verdict on the line, used when nothing else is said
    for k, low in enumerate(lows):
        before = [w for w in lows[max(0, k - 2) : k]]
        # "five different bills", "invoices from 4 carriers", "9 bills": many bills or vendors
        if low in _BILL_WORDS or low in _VENDOR_WORDS:
            minimum = 2 if low in _BILL_WORDS else 3
            count = None
            for m in range(max(0, k - 2), k):
                if doc[m].like_num and not doc[m].lower_ in ("a", "an", "couple", "pair", "both", "single", "half"):
                    count = parse_number_words([doc[m].lower_])
            if (count is not None and count >= minimum) or (low.endswith("s") and any(w in _MANY_WORDS for w in before)):
                if not any(w in _NEG_SINGLE for w in lows[max(0, k - 4) : k]):
                    add("multi_site_management", max(0, k - 2), k + 1)
        # "4 separate phone systems", "three different internet companies": many of them, counted
        # (a word may name what they are), or said to be many
        if low in _SYSTEM_WORDS or low in _COMPANY_WORDS:
            count = next((parse_number_words([lows[m]]) for m in range(max(0, k - 3), k)
                          if doc[m].like_num and lows[m] not in ("a", "an", "couple", "pair", "both", "single", "half")), None)
            minimum = 2 if low in _SYSTEM_WORDS else 3
            many = count >= minimum if count is not None else any(w in _MANY_WORDS for w in lows[max(0, k - 3) : k])
            if many and not any(w in _NEG_SINGLE for w in lows[max(0, k - 4) : k]):
                add("multi_site_management", k, k + 1)
        # "they take days to show up", "took 2 weeks to fix it": the carrier slow to act
        if low in _TOOK_WORDS:
            acted = _slow_to_act(doc, lows, k)
            if acted is not None:
                add("poor_support", k, k + 1)
        # "they want 20% more at renewal", "the bill went from 600 to 940": a price that rises
        if _price_rise(doc, lows, k):
            add("high_cost", k, k + 1)
        # "$320 a month for two lines, which seems insane", "900 a month alone": a sum judged
        if _money_figure(doc, lows, k) and _judged_dear(doc, lows, k):
            add("high_cost", k, k + 1)
        # "stuck with them until June", "locked in for 3 more years": a term that holds them
        if low in _HELD_WORDS and _held_until(doc, lows, k):
            add("contract_inflexibility", k, k + 1)
        # "a second showroom opens this winter", "two more stores going up next year"
        opening = low in _OPENING_WORDS or (k + 1 < n and (low, lows[k + 1]) in _OPENING_PAIRS)
        if opening:
            window = _clause_window(doc, k, 5)
            if any(lows[m] in _NEW_SITE_WORDS or lows[m] in SITE_NOUN_SET for m in window) and not any(
                lows[m] in _NEG_SINGLE for m in range(max(0, k - 3), k)
            ):
                add("relocation", k, k + 1)  # the word alone: the window may hold a count of sites
        # "we sign the lease on a bigger place": a new lease
        if low in ("lease", "leases"):
            window = _clause_window(doc, k, 4)
            if any(lows[m] in _LEASE_WORDS for m in window):
                add("relocation", k, k + 1)
        # "spectrum is slow", "it's embarrassingly slow", "expensive, slow, and locked in": slowness
        # said of the connection, not of people ("slow to respond", "support is slow")
        if low in _SLOW_WORDS:
            near = lows[max(0, k - 3) : k + 2]  # "support is slow", "slow support"
            if not any(w in _SLOW_PEOPLE_WORDS for w in near) and not (k + 1 < n and lows[k + 1] == "to"):
                add("bandwidth", k, k + 1)
        # "lousy service", "the reps are useless", "support has been awful": a bad word for support
        if low in _SUPPORT_NOUNS:
            before = lows[max(0, k - 2) : k]
            after = lows[k + 1 : k + 4]
            bad_after = bool(after) and after[0] in _LINKING_VERBS and any(w in _BAD_WORDS for w in after[1:3])
            if any(w in _BAD_WORDS for w in before) or bad_after:
                add("poor_support", max(0, k - 2), min(n, k + 4))
        # "45 minutes on hold", "an hour of hold music": waiting to reach someone
        if low == "hold" and k > 0 and lows[k - 1] in ("on", "of"):
            window = _clause_window(doc, k, 4)
            if any(lows[m] in _WAIT_UNITS for m in window) or (k + 1 < n and lows[k + 1] == "music"):
                add("poor_support", k - 1, k + 1)
        # "some new fee on the invoice", "hidden fees": charges that creep in
        if low in _FEE_WORDS:
            window = _clause_window(doc, k, 3)
            if any(lows[m] in _FEE_CUES for m in window) and not any(lows[m] in _CONTRACT_FEE_WORDS for m in window):
                add("high_cost", k, k + 1)
        # "$$$", "💸💸": money, said with signs
        signs = all(c in _MONEY_SIGNS for c in doc[k].text)
        if signs and (doc[k].text != "$" or (k + 1 < n and all(c in _MONEY_SIGNS for c in doc[k + 1].text))):
            add("high_cost", k, k + 1)
        # "closing the toledo office", "shutting down the old plant": a site closed is a change of sites
        if low in _CLOSING_WORDS:
            window = lows[k + 1 : k + 6]
            if any(w in SITE_NOUN_SET for w in window) or (window[:1] == ["down"] and any(w in SITE_NOUN_SET for w in lows[k + 2 : k + 7])):
                add("relocation", k, k + 1)  # the word alone: the places after it stay places
        # "adding 6 to 8 more", "building a second plant", "a 5th under construction", "purchase a third"
        if low in _SITE_CHANGE_VERBS:
            nexts = [m for m in range(k + 1, min(n, k + 5)) if lows[m] in _NEXT_SITE_WORDS]
            for m in nexts[:1]:
                after = lows[m + 1] if m + 1 < n else ""
                # the next site named ("a second plant"), or the word standing for it ("purchase
                # a third in Surfside", "adding 6 to 8 more next year"), not "more bandwidth"
                if any(w in SITE_NOUN_SET for w in lows[m + 1 : m + 4]) or after in _STANDS_ALONE_AFTER \
                        or (after == "" or doc[m + 1].is_punct) and lows[m] != "new":
                    add("relocation", k, k + 1)
        if low == "construction" and k > 0 and lows[k - 1] == "under":
            add("relocation", k - 1, k + 1)
        # "the internet is a nightmare", "our phones have been a disaster": a bad verdict on the
        # line itself, when nothing more specific is said, is that it does not work (reliability)
        if low in _LINE_NOUNS and verdict is None and not any(w in _VERDICT_OF_ANOTHER_TOPIC for w in lows[max(0, k - 4) : k]):
            window = [m for m in _clause_window(doc, k, 6) if m > k]
            if any(lows[m] in _BAD_VERDICTS for m in window) and not any(
                    lows[m] in _NEG_SINGLE or lows[m] == "home" or lows[m] in _VERDICT_OF_ANOTHER_TOPIC
                    for m in _clause_window(doc, k, 6)):
                verdict = (k, max(window) + 1)
        # "moving across the river to Cambridge in March", "relocating in the spring": a move with a
        # when or a where ("moving to SIP" is none)
        if low in _MOVING_WORDS and not _moves_a_service(doc, k):
            window = lows[k + 1 : k + 8]
            if any(w in _WHEN_WORDS or w in SITE_NOUN_SET or w in ("across", "building", "space", "suite") for w in window):
                add("relocation", k, k + 1)
        # "the dsl is 3 meg", "10mbps", "25 down": a slow speed the customer has
        if (low in _SPEED_FIGURE_UNITS and k > 0 and doc[k - 1].like_num and _slow_speed(doc, k - 1, k + 1)) or (
                re.match(_SPEED_TOKEN, low) and _slow_speed(doc, k, k + 1)):
            add("bandwidth", k - 1 if low in _SPEED_FIGURE_UNITS else k, k + 1)
        # "50 meg for 80 people just doesn't cut it": a speed that is not enough
        if low in _SPEED_UNITS and k > 0 and doc[k - 1].like_num:
            window = [m for m in _clause_window(doc, k, 7) if m > k]
            if any(lows[m] in _NOT_ENOUGH for m in window):
                add("bandwidth", k - 1, max(window) + 1)
    shortfall = _paid_speed_shortfall(doc)
    if shortfall is not None:
        add("bandwidth", shortfall[0], shortfall[0] + 1)
    demanded = _term_demanded(doc)
    if demanded is not None:
        add("contract_inflexibility", demanded[1] - 1, demanded[1])
    wished = _one_vendor_wished(doc)
    if wished is not None and any(lows[m] in _ALL_OF_IT for m in range(wished[1], min(n, wished[1] + 6))):
        add("multi_site_management", wished[0], wished[0] + 1)  # "one vendor to manage all of it": many to consolidate
    if verdict is not None and not known:
        add("reliability", *verdict)
    return out
