"""Many vendors or bills to manage (multi_site_management) and reliance on one carrier
(vendor_dependence): "five different bills", "too dependent on Spectrum", and one vendor wished
for ("we want one provider for all of it"), which is consolidation, not dependence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from bot.understanding.candidates import CHALLENGE
from bot.understanding.candidates import Candidate as _Cand
from bot.understanding.wordforms import stem

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


_MANY_WORDS = frozenset({"different", "separate", "multiple", "several", "many", "various", "individual"})
_SYSTEM_WORDS = frozenset({"systems", "portals", "logins", "accounts"})
_COMPANY_WORDS = frozenset({"companies"})
_BILL_WORDS = frozenset({"bill", "bills", "invoice", "invoices", "statement", "statements", "accounts"})
_VENDOR_WORDS = frozenset({"vendor", "vendors", "carrier", "carriers", "provider", "providers", "telcos", "isps"})


# "too dependent on Spectrum", "a hostage to Verizon", "we rely on AT&T for everything": one
# named carrier relied on (vendor_dependence; "we depend on the internet" names no carrier).
_DEPENDENCE_WORDS = frozenset({"dependent", "dependant", "reliant", "hostage", "beholden", "captive", "depend", "depends",
                               "rely", "relies", "relying", "depending"})
_DEPENDENCE_LINKS = frozenset({"on", "to", "upon"})


def _dependence_on_a_carrier(doc: "Doc", found: list[_Cand]) -> list[_Cand]:
    """vendor_dependence for a carrier named right after a word of depending on it."""
    if any(c.layer == "challenge" and c.payload == "vendor_dependence" for c in found):
        return []
    for c in found:
        if c.layer != "carrier" or c.i < 2:
            continue
        link, word = doc[c.i - 1].lower_, doc[c.i - 2].lower_
        if link in _DEPENDENCE_LINKS and word in _DEPENDENCE_WORDS:
            span = doc[c.i - 2 : c.i]  # the words, not the carrier's name (it stays a carrier)
            return [_Cand("challenge", c.i - 2, c.i, span.start_char, span.end_char, CHALLENGE, "vendor_dependence")]
    return []


# "we want one provider for everything", "ideally a single vendor to manage it all": one
# vendor wished for (consolidating many: multi_site_management), not reliance on one.
_WISH_WORDS = frozenset({"want", "wants", "wanted", "love", "like", "ideally", "prefer", "need", "needs", "looking",
                         "hoping", "rather", "get", "just"})
_ONE_WORDS = frozenset({"one", "single", "1"})
_ONE_VENDOR_NOUNS = _VENDOR_WORDS | frozenset({"company", "partner", "bill", "invoice", "source", "roof", "contact"})
_ALL_OF_IT = frozenset({"all", "both", "everything", "every", "each", "everywhere", "across"})
_DEPENDENCE_CUES = frozenset(stem(w) for w in (
    "stuck", "only", "depend", "dependent", "dependence", "reliant", "rely", "relying", "mercy", "hostage", "leverage",
    "locked", "monopoly", "captive", "same", "eggs", "basket", "nobody", "else", "trapped", "cornered",
))
_WISH_REACH = 4


def _one_vendor_phrase_wished(doc: "Doc", cand: _Cand) -> bool:
    """Whether a vendor_dependence phrase of one vendor ("single provider") is wished for ("we'd
    like a single provider for all our shops"), in a message with no word of dependence."""
    if cand.layer != "challenge" or cand.payload != "vendor_dependence" or doc[cand.i].lower_ not in _ONE_WORDS:
        return False
    wished = _one_vendor_wished(doc)
    return wished is not None and wished[0] < cand.i < wished[1] and not any(
        stem(t.lower_) in _DEPENDENCE_CUES for t in doc)


def _one_vendor_wished(doc: "Doc") -> Optional[tuple[int, int]]:
    """Token span of a wish for one vendor or one bill ("want one company to handle it"), if any."""
    lows = [t.lower_ for t in doc]
    for k, low in enumerate(lows):
        if low not in _WISH_WORDS:
            continue
        for m in range(k + 1, min(len(doc), k + 1 + _WISH_REACH)):
            if doc[m].is_punct:
                break
            if lows[m] in _ONE_WORDS and any(w in _ONE_VENDOR_NOUNS for w in lows[m + 1 : m + 3]):
                return k, m + 3
    return None
