"""Services the vocabulary's phrases do not name by themselves: "cable" as broadband where a site is
on it (not cabling), services described rather than named ("a direct private link between the
sites" is Ethernet, "an internet connection that's ours alone" is dedicated internet), and
"fiber" only talked about, not wanted.
"""

from __future__ import annotations

import re

from typing import TYPE_CHECKING

from bot.understanding.candidates import SERVICE
from bot.understanding.candidates import Candidate as _Cand
from bot.understanding.clauses import _clause_window

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# "cable" is broadband when it is what a site is on ("comcast cable", "cable at 3 branches",
# "cable + lte", "we're on cable"), not cabling ("a cable run", "the cable got cut").
_CABLE_WORDS = frozenset({"cable", "coax"})
_CABLING_AFTER = frozenset({
    "run", "runs", "running", "pull", "pulls", "pulled", "drop", "drops", "work", "installer", "installers",
    "contractor", "contractors", "tray", "trays", "management", "guy", "guys", "company", "companies", "tv", "box",
    "boxes", "bill", "got", "was", "is", "cut", "cuts", "card", "plant",
})
# ...or the kind of line picked ("the cable one", "the cable kind", "internet over cable").
_CABLE_CONTEXT_AFTER = frozenset({"at", "in", "for", "everywhere", "+", "and", ",", "w/", "with", "/", "&", "only",
                                   "line", "lines", "connection", "connections", "service", "plan", "circuit",
                                   "one", "kind", "type", "option", "sort", "variety", "package"})
# What a cable operator sells as its line: "a comcast line", "spectrum business internet".
_CABLE_PRODUCT_WORDS = frozenset({"internet", "line", "lines", "connection", "connections", "modem", "broadband", "cable"})
_CABLE_CONTEXT_BEFORE = frozenset({"+", "and", ",", "on", "have", "use", "using", "cheap", "business", "plus", "&", "/", "basic",
                                    "over", "via", "through", "thru", "regular", "standard", "normal", "plain"})


def _cable_candidates(doc: "Doc", found: list[_Cand]) -> list[_Cand]:
    taken = {k for c in found if c.layer in ("service", "carrier") for k in range(c.i, c.j)}
    carrier_ends = {c.j for c in found if c.layer == "carrier"}
    out = []
    for k, token in enumerate(doc):
        if token.lower_ not in _CABLE_WORDS or k in taken:
            continue
        after = doc[k + 1].lower_ if k + 1 < len(doc) else ""
        before = doc[k - 1].lower_ if k else ""
        if after in _CABLING_AFTER:
            continue
        if k in carrier_ends or after in _CABLE_CONTEXT_AFTER or before in _CABLE_CONTEXT_BEFORE or after == "":
            out.append(_Cand("service", k, k + 1, token.idx, token.idx + len(token.text), SERVICE, "broadband"))
    return out


# Services described rather than named: "a direct private link between the plant and the
# warehouse" is Ethernet between the sites; "an internet connection that's ours alone, not
# shared" is dedicated internet.
_LINK_WORDS = frozenset({"link", "links", "connection", "connections", "circuit", "circuits", "tie", "ties", "line"})
_NOT_A_LINK_WORDS = frozenset({"internet", "phone", "phones", "cable", "voice", "wifi", "isp", "web"})
_UNSHARED = (("not", "shared"), ("ours", "alone"), ("to", "ourselves"), ("nobody", "else"), ("not", "share"),
             ("unshared",), ("n't", "shared"))
_CONNECTION_WORDS = frozenset({"internet", "connection", "line", "circuit", "pipe", "bandwidth"})


# "fiber" alone is dedicated internet when it is wanted ("we need fiber", a short reply), not
# when it is only talked about ("if the fiber gets cut", "they own the only fiber into the park").
_FIBER_WORDS = frozenset({"fiber", "fibre"})
# Words that ask for a service (also bot.conversation.clarify: "internet" in a complaint is none).
WANT_VERBS = frozenset({
    "need", "needs", "want", "wants", "looking", "get", "getting", "add", "adding", "upgrade", "upgrading", "switch",
    "move", "moving", "quote", "quotes", "price", "pricing", "interested", "considering", "thinking", "like",
    "order", "buy", "install", "prefer", "require", "requires", "shopping",
    # what is to be changed: "sort out the phones", "set up internet", "replace our phone system"
    "sort", "set", "setup", "replace", "replacing", "overhaul", "redo", "modernize",
})
_WANT_WORDS = WANT_VERBS | {"have", "has", "on", "use", "using", "with", "run", "plus", "+", "and"}
_SHORT_FIBER_REPLY = 4


def _fiber_only_mentioned(doc: "Doc", cand: _Cand) -> bool:
    if cand.layer != "service" or cand.j - cand.i != 1 or doc[cand.i].lower_ not in _FIBER_WORDS:
        return False
    if sum(t.is_alpha for t in doc) <= _SHORT_FIBER_REPLY:
        return False
    before = [t.lower_ for t in doc[max(0, cand.i - 4) : cand.i]]
    return not any(w in _WANT_WORDS for w in before)


def _described_service_candidates(doc: "Doc", found: list[_Cand]) -> list[_Cand]:
    known = {c.payload for c in found if c.layer == "service"}
    lows = [t.lower_.replace("\u2019", "'") for t in doc]
    out: list[_Cand] = []
    for k, low in enumerate(lows):
        if "ethernet" not in known and low in _LINK_WORDS and "between" in lows[k + 1 : k + 3]:
            window = _clause_window(doc, k, 4)
            if not any(lows[m] in _NOT_A_LINK_WORDS for m in window):
                out.append(_Cand("service", k, k + 1, doc[k].idx, doc[k].idx + len(doc[k].text), SERVICE, "ethernet"))
                known.add("ethernet")
        if "dia" not in known and any(tuple(lows[k : k + len(p)]) == p for p in _UNSHARED):
            window = _clause_window(doc, k, 8)
            if any(lows[m] in _CONNECTION_WORDS for m in window):
                out.append(_Cand("service", k, k + 1, doc[k].idx, doc[k].idx + len(doc[k].text), SERVICE, "dia"))
                known.add("dia")
    return out


# "our phone system" beside trunks is the customer's own PBX, which the trunks feed ("SIP trunks
# for the phone system", "a PRI that feeds our phone system", "keep our own phone system"): no
# hosted phone system (ucaas) is asked for. Said alone ("we need a phone system") it still is.
_OWN_PHONE_SYSTEM = re.compile(r"\b(?:our|own|existing|current|the|my|present)\s+(?:[a-z-]+\s+)?phone\s+system\b",
                               re.IGNORECASE)
_PBX_CONTEXT = re.compile(r"\b(?:sip|pris?|trunks?|trunking|pbx|keep|keeping|feeds?)\b", re.IGNORECASE)


def names_own_phone_system(text: str) -> bool:
    """Whether the "phone system" of `text` is the customer's own PBX (see above); read by the
    extractor and by the reply to the services question (bot.conversation.answer_parsing)."""
    return bool(_OWN_PHONE_SYSTEM.search(text or "")) and bool(_PBX_CONTEXT.search(text or ""))


def _own_phone_system(doc: "Doc", cand: _Cand) -> bool:
    """A "phone system" phrase read as ucaas that names the customer's own PBX."""
    return (cand.layer == "service" and cand.payload == "ucaas"
            and [t.lower_ for t in doc[cand.i : cand.j]] == ["phone", "system"] and names_own_phone_system(doc.text))
