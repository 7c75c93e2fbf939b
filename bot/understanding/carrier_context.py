"""A carrier named in lowercase whose name is also an everyday word (bot/data/vocabulary.yml,
carrier_capitalised_only: "spectrum", "frontier", "consolidated"): it names the carrier where the
words around it say a carrier is meant.

- before it, a word that tells what a business is on or leaves: "we're on spectrum", "with
  frontier since 2015", "switching from consolidated", "we use lumen", "got charter";
- after it, what it is for or what it is: "spectrum for internet", "consolidated is our
  provider", "frontier dsl".

The plain word stays a word: "a wide spectrum of services" and "the new frontier" have no such
context, and after a context word the next word must not carry the name on as a noun phrase
("with granite countertops", "we have charter schools", "on spectrum of"): it may only be the
end of the clause, a word that starts another phrase ("on spectrum and ...", "on frontier since
2015") or what the carrier sells ("on frontier dsl"). Read by bot.understanding.extraction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Span, Token


# Words right before a carrier a business is on, has, or leaves ("switching from" ends in "from").
_CARRIER_BEFORE = frozenset({
    "on", "with", "from", "use", "uses", "used", "using", "through", "thru", "via", "have", "has", "had", "got",
})
# After these a name ending in "ed" is a verb: "we have consolidated our lines".
_PERFECT_TENSE = frozenset({"have", "has", "had", "got"})
# What a carrier sells, said right after its name ("frontier dsl", "spectrum internet") or after
# "for" ("spectrum for internet", "frontier for our phones").
_SOLD_WORDS = frozenset({
    "internet", "dsl", "fiber", "fibre", "broadband", "voip", "mpls", "tv", "wifi", "phones", "phone", "voice",
    "lines", "line", "circuits", "circuit", "service", "services", "connection", "cable", "data", "calls",
    "everything", "both",
})
# Words between "for" and what is sold: "for our phones", "for all the internet".
_FOR_FILLER = frozenset({"our", "the", "all", "both", "business", "just", "only", "my", "its", "their"})
# Words that may follow the name after a context word: they start another phrase, so the name
# was no word of a noun phrase ("on spectrum and comcast", "with frontier since 2015").
_NEXT_PHRASE = frozenset({
    "and", "but", "or", "so", "since", "for", "at", "in", "right", "now", "currently", "today", "is", "was", "are",
    "were", "has", "had", "'s", "’s", "been", "which", "who", "that", "because", "until", "till", "here", "there",
    "too", "also", "though", "still", "anymore", "already", "rn", "atm", "plus", "&", "+", "/",
    "contract", "ends", "expires", "keeps", "raised",
})
# The carrier's business line may follow its name: "we're on spectrum business", "with charter
# business internet" (but not "we have charter business in the summer").
_LINE_WORDS = frozenset({"business", "enterprise"})
# A word before the name that makes it the everyday word even where a product follows
# ("a wide spectrum internet", "full-spectrum internet marketing").
_WORD_USE_BEFORE = frozenset({"wide", "broad", "full", "whole", "entire", "-"})
# "<name> is our carrier", "consolidated is the only option up here".
_IS_WORDS = frozenset({"is", "'s", "’s", "was", "are"})
_OUR_WORDS = frozenset({"our", "the", "my"})
_CARRIER_NOUNS = frozenset({
    "carrier", "carriers", "provider", "providers", "isp", "vendor", "telco", "company", "option", "choice",
})
_NOUN_REACH = 3  # "our current internet provider": up to two words before the noun


def named_as_a_carrier(span: "Span") -> bool:
    """Whether the words around `span` (a lowercase carrier name) say it names the carrier."""
    doc = span.doc
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    after = [t.lower_ for t in doc[span.end : span.end + _NOUN_REACH + 2]]
    if _said_of_a_carrier(after):
        return True
    if after and after[0] in _SOLD_WORDS and before not in _WORD_USE_BEFORE:
        return True  # "frontier dsl", "we're on spectrum internet"
    if before not in _CARRIER_BEFORE:
        return False
    if before in _PERFECT_TENSE and span.text.lower().endswith("ed"):
        return False  # "we have consolidated": a verb
    k = span.end
    if k < len(doc) and doc[k].lower_ in _LINE_WORDS:  # "on spectrum business", "... business internet"
        return k + 1 >= len(doc) or _ends_a_phrase(doc[k + 1]) or doc[k + 1].lower_ in _SOLD_WORDS
    return k >= len(doc) or _ends_a_phrase(doc[k]) or doc[k].lower_ in _NEXT_PHRASE


def _ends_a_phrase(token: "Token") -> bool:
    return token.is_punct and token.text != "-"


def _said_of_a_carrier(after: list[str]) -> bool:
    """'... for internet', 'for our phones', '... is our carrier', 'is the only option'."""
    if after[:1] == ["for"]:
        rest = after[1:]
        while rest and rest[0] in _FOR_FILLER:
            rest = rest[1:]
        return bool(rest) and rest[0] in _SOLD_WORDS
    if len(after) >= 3 and after[0] in _IS_WORDS and after[1] in _OUR_WORDS:
        return any(w in _CARRIER_NOUNS for w in after[2 : 2 + _NOUN_REACH])
    return False
