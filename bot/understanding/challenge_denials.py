"""Challenge phrases that do not complain, kept aside by the extractor (the classifier does not
read their words either): a phrase right after a plain negation ("we're not overpaying"), a
slow line at home, a backup the customer already has, backups that are copies of data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from bot.understanding.candidates import Candidate as _Cand
from bot.understanding.challenge_constructions import _LINE_NOUNS
from bot.understanding.clauses import _SENTENCE_PUNCT, _clause_ranges
from bot.understanding.site_nouns import SITE_NOUN_SET

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# "we're not overpaying", "it isn't expensive", "not locked in or anything": a challenge phrase
# right after a plain negation is denied (phrases holding their own negation, "not reliable",
# "no backup", are read whole; "not only expensive" and "not just slow" still complain).
_DENIALS = frozenset({"not", "n't", "never", "isn't", "isnt", "aren't", "arent", "wasn't", "wasnt", "weren't",
                      "doesn't", "doesnt", "don't", "dont"})
# "no es caro": Spanish puts "no" before the verb ("no" alone is no denial in English: "no backup")
_SPANISH_COPULAS = frozenset({"es", "está", "esta", "son", "están", "estan", "fue", "era"})
_GOAL_WORDS = frozenset({"so", "want", "wants", "wish", "hope", "would", "need", "ideally", "to", "rather", "prefer",
                         "that", "which"})
_DENIAL_FILLER = frozenset({"really", "that", "too", "so", "even", "being", "be", "getting", "exactly", "actually",
                            "currently", "overly", "very", "all", "been"})


def _challenge_denied(doc: "Doc", cand: _Cand) -> Optional[tuple[int, int]]:
    """The char range from the negation to the end of a challenge phrase right after a plain
    negation ("not overpaying"), or None."""
    if cand.layer != "challenge" or cand.i == 0:
        return None
    k = cand.i - 1
    if doc[k].lower_ in _SPANISH_COPULAS and k > 0 and doc[k - 1].lower_ == "no":
        return doc[k - 1].idx, cand.end  # "no es caro", "no está lento"
    if doc[k].lower_ in _DENIAL_FILLER and k > 0:
        k -= 1
    if doc[k].lower_.replace("\u2019", "'") not in _DENIALS:
        return None
    # "so we're not all eggs in one basket", "a line that doesn't cut out": a goal, not a denial
    if any(t.lower_ in _GOAL_WORDS for t in doc[max(0, k - 3) : k]):
        return None
    return doc[k].idx, cand.end


# "my internet at home keeps buffering", "the home wifi drops": the customer's own house, not
# the business (unless the clause names the business too: "faster at home than at the office").
_HOME_LINE_CODES = frozenset({"bandwidth", "reliability"})
_BUSINESS_WORDS = SITE_NOUN_SET | frozenset({"business", "work", "company", "we", "our", "us", "staff", "team"})


def _home_line_problem(doc: "Doc", cand: _Cand) -> Optional[tuple[int, int]]:
    """The char range of the sentence of a slow or failing line at home, or None."""
    if cand.layer != "challenge" or cand.payload not in _HOME_LINE_CODES:
        return None
    for i, j in _clause_ranges(doc):
        if not i <= cand.i < j:
            continue
        lows = [t.lower_ for t in doc[i:j]]
        home = any(a in ("at", "my") and b in ("home", "house") for a, b in zip(lows, lows[1:])) or any(
            a == "home" and b in _LINE_NOUNS | {"network", "connection"} for a, b in zip(lows, lows[1:]))
        if home and not any(w in _BUSINESS_WORDS for w in lows):
            # the whole sentence: "..., help" pleads about the same home line
            start = next((m + 1 for m in range(cand.i - 1, -1, -1) if doc[m].text in _SENTENCE_PUNCT), 0)
            end = next((m for m in range(cand.j, len(doc)) if doc[m].text in _SENTENCE_PUNCT), len(doc) - 1)
            return doc[start].idx, doc[end].idx + len(doc[end].text)
    return None


# "we already have an lte backup, so that's covered", "cable plus a T1 as the backup": a backup
# the customer has (no need_redundancy), unless more is wished for in the same clause.
_HAVE_WORDS = frozenset({"have", "has", "had", "got", "'ve", "run", "use", "using"})
_SETTLED_WORDS = frozenset({"covered", "handled", "sorted", "fine", "solid", "set"})
_MORE_WISHED = frozenset({"need", "needs", "want", "wants", "another", "better", "real", "proper", "more", "add",
                          "no", "n't", "not", "without", "lack", "nothing", "zero", "if"})


def _backup_already_had(doc: "Doc", cand: _Cand) -> Optional[tuple[int, int]]:
    """The char range of a clause telling of a backup already had, or None."""
    if cand.layer != "challenge" or cand.payload != "need_redundancy":
        return None
    for i, j in _clause_ranges(doc):
        if not i <= cand.i < j:
            continue
        lows = [t.lower_.replace("\u2019", "'") for t in doc[i:j]]
        if any(w in _MORE_WISHED for w in lows):
            return None
        had = any(w in _HAVE_WORDS for w in lows) and ("already" in lows or any(
            a == "as" and b in ("a", "the", "our") and c.startswith("backup") for a, b, c in zip(lows, lows[1:], lows[2:])))
        if had or "already" in lows and any(w in _SETTLED_WORDS for w in lows):
            return doc[i].idx, doc[j - 1].idx + len(doc[j - 1].text)
    return None


# "the nightly backups to the cloud", "uploading our server backups": copies of data, not a
# second connection (need_redundancy).
_DATA_BACKUP_WORDS = frozenset({
    "nightly", "daily", "weekly", "overnight", "cloud", "data", "file", "files", "server", "servers", "offsite",
    "off-site", "database", "footage", "camera", "image", "images", "upload", "uploads", "uploading",
    "sync", "syncing", "restore", "restores",
})
_BACKUP_WORDS = frozenset({"backup", "backups", "back-ups"})


def _names_a_data_backup(doc: "Doc", cand: _Cand) -> bool:
    """Whether a need_redundancy phrase of one word ("backups") is a copy of data: a data word
    just before it ("nightly backups", "upload our backups") or "of"/"to the cloud" after it."""
    if cand.layer != "challenge" or cand.payload != "need_redundancy" or cand.j - cand.i != 1:
        return False
    if doc[cand.i].lower_ not in _BACKUP_WORDS:
        return False
    before = [t.lower_ for t in doc[max(0, cand.i - 3) : cand.i]]
    after = [t.lower_ for t in doc[cand.j : cand.j + 3]]
    return any(w in _DATA_BACKUP_WORDS for w in before) or after[:1] == ["of"] or "cloud" in after
