"""Word forms: a small suffix stripper so "dropped calls", "drops calls" and "dropping call"
meet on one form ("drop call").

No spaCy lemmatizer works offline here (spaCy's English lemmatizer needs the
spacy-lookups-data tables, which are not installed), and customers' grammar is loose anyway,
so this is deliberately crude and symmetric: a phrase and a message are reduced the same way,
and only equality of the reduced forms matters, never the forms themselves.
"""

from __future__ import annotations

import re
from functools import lru_cache

_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1$")  # "dropp" -> "drop", but not "fill" -> "fil"
_KEEP_DOUBLE = ("ll", "ss", "zz", "ff")


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """The reduced form of one word: lowercase, plural and -ing/-ed/-e endings off.

    "outages" -> "outag", "outage" -> "outag", "pricing" -> "pric", "dropped" -> "drop",
    "companies" -> "company", "faxes" -> "fax". Words of three letters or fewer, and words with
    digits ("t1s" excepted: a trailing plural s goes), are only lowercased.
    """
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) >= 3 and w[-1] == "s" and any(c.isdigit() for c in w) and w[:-1].isalnum():
        return w[:-1]  # "t1s", "ds3s"
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith(("xes", "ches", "shes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) > 5:
        w = w[:-3]
        if _DOUBLE.search(w) and not w.endswith(_KEEP_DOUBLE):
            w = w[:-1]
    elif w.endswith("ied") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ed") and len(w) > 4 and not w.endswith("eed"):
        w = w[:-2]
        if _DOUBLE.search(w) and not w.endswith(_KEEP_DOUBLE):
            w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def stems(text: str) -> list[str]:
    """The reduced forms of the words of a text ("Calls keep dropping" -> call keep drop)."""
    return [stem(w) for w in _WORD.findall(text.lower().replace("\u2019", "'"))]
