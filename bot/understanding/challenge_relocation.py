"""A change of sites (the relocation challenge): sites opened, added, closed or moved to, and what
is not one: a service moved ("moving our phones to SIP"), a person or thing named with "new"
("a new office manager"), the wait for a new site's lines (slow_install).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from bot.understanding.candidates import Candidate as _Cand
from bot.understanding.challenge_support import _DELAY_WORDS, _TOOK_WORDS
from bot.understanding.site_nouns import SITE_NOUN_SET
from bot.understanding.wordforms import stem

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# "a new office manager", "the new site lead": a relocation phrase naming a person or a thing.
_COMPOUND_AFTER = frozenset({
    "manager", "managers", "director", "coordinator", "admin", "administrator", "staff", "team", "hire",
    "hires", "employee", "employees", "furniture", "layout", "lead", "supervisor", "assistant", "receptionist",
})


# A change of sites (relocation): closing one, or adding the next.
_CLOSING_WORDS = frozenset({"closing", "close", "shutting", "shut", "consolidating", "folding", "merging", "selling"})
_SITE_CHANGE_VERBS = frozenset({
    "add", "adding", "open", "opening", "build", "building", "buy", "buying", "purchase", "purchasing", "lease",
    "leased", "leasing", "acquire", "acquiring", "opens",
})
_ORDINALS = frozenset({"second", "third", "fourth", "fifth", "sixth", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th"})
_NEXT_SITE_WORDS = _ORDINALS | {"another", "new", "more", "additional", "extra"}
_MOVING_WORDS = frozenset({"moving", "relocating", "move", "relocate", "movin"})
_WHEN_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "spring",
    "summer", "fall", "autumn", "winter",
})
_STANDS_ALONE_AFTER = frozenset({"in", "at", "next", "this", "by", "soon", "later", "over", "out", "down", "up", "across"})
_OPENING_WORDS = frozenset({"opening", "opens", "launching", "launches"})
_OPENING_PAIRS = frozenset({("going", "up"), ("coming", "online"), ("to", "open"), ("will", "open"), ("breaking", "ground")})
_NEW_SITE_WORDS = frozenset({
    "new", "another", "more", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "next", "additional", "extra",
})
_LEASE_WORDS = frozenset({"new", "bigger", "larger", "sign", "signing", "signed", "another", "second"})


def _names_a_person_or_thing(doc: "Doc", cand: _Cand) -> bool:
    return (cand.layer == "challenge" and cand.payload == "relocation" and cand.j < len(doc)
            and doc[cand.j].lower_ in _COMPOUND_AFTER)


# "adding a site takes forever", "the buildout is taking months": the wait for a new site's
# lines (slow_install), not the change of sites itself.
_WAIT_REACH = 6
_BEFORE_TAKING = frozenset({"is", "was", "has", "keeps", "always", "still", "usually", "typically"})


def _as_slow_install(doc: "Doc", cand: _Cand) -> _Cand:
    """A relocation phrase followed by a form of take and a delay is slow_install."""
    if cand.layer != "challenge" or cand.payload != "relocation":
        return cand
    after = [t.lower_ for t in doc[cand.j : cand.j + _WAIT_REACH]]
    took = next((n for n, w in enumerate(after) if w in _TOOK_WORDS), None)
    # the phrase is what takes long ("adding a site takes months", "the buildout is taking
    # forever"), not a clause before it ("every time we open a new site it takes months")
    if took is not None and not (took == 0 or (took == 1 and after[0] in _BEFORE_TAKING)):
        return cand
    if took is None or not any(w in _DELAY_WORDS or (w[:1].isdigit() and w.endswith("+")) for w in after[took + 1 :]):
        return cand
    return dataclasses.replace(cand, payload="slow_install")


# "moving our phones to a hosted system", "we have 90 days to move off the T1s": a service
# moved, not a site (relocation).
_MIGRATION_TARGETS = frozenset({
    "sip", "voip", "hosted", "cloud", "system", "ucaas", "sd-wan", "sdwan", "mpls", "teams", "fiber", "off", "away",
    "ethernet", "dia", "broadband", "pbx", "platform", "provider", "carrier", "vendor", "everyone", "phones",
})
_MIGRATION_VERBS = frozenset(stem(w) for w in ("move", "moving", "moved", "migrate", "migrating", "switch", "switching"))


def _moves_a_service(doc: "Doc", k: int) -> bool:
    """Whether the word at `k` moves a service rather than a site ("moving our phones to SIP")."""
    if stem(doc[k].lower_) not in _MIGRATION_VERBS:
        return False
    after = [t.lower_ for t in doc[k + 1 : k + 6]]
    if after[:1] in (["off"], ["away"]):
        return True
    to = next((n for n, w in enumerate(after) if w == "to"), None)
    targets = after[:to] + after[to + 1 :] if to is not None else after[:3]
    return any(w in _MIGRATION_TARGETS for w in targets) and not any(w in SITE_NOUN_SET for w in after)
