"""Words that several of the site-count readings share (bot.understanding.site_counts): joiners of
counts that add up, words of a main office, lead-ins of a count, words around a count alone.
"""

from __future__ import annotations

from bot.understanding.site_nouns import SITE_NOUNS


# Site counting (site_counts): words joining two counts that add up ("2 warehouses and 3 stores"),
# a main office as one more site, the words before a leading count ("we have 4: ..."), what
# may follow it to mark a description of the sites ("3 total", "five, two in ...").
_COUNT_JOINERS = frozenset({"and", "n", "plus", "+", "&", ","})  # "n": "2 stores n a warehouse"
# "just our HQ", "only the main office": one site.
_ONLY_WORDS = frozenset({"just", "only"})
_PLUS_WORDS = frozenset({"and", "n", "plus", "+", "&"})
_MAIN_OFFICE_WORDS = frozenset({"hq", "headquarters", "main", "corporate", "flagship"})
_COUNT_LEAD_INS = frozenset({
    "we", "have", "we've", "got", "there", "are", "there's", "we're", "at", "just", "only", "about",
    "around", "roughly", "so", "ok", "okay", "well", "um", "uh", "it's", "its", "that's", "operate",
    "run", "currently", "right", "now", "oh", "hmm", "actually", "wait",
})
_NOW_WORDS = frozenset({"now", "today", "currently", "atm", "right"})
# Words that describe where sites are without naming a town ("two — downtown and the airport").
_PLACE_WORDS = frozenset({
    "downtown", "uptown", "midtown", "airport", "suburbs", "suburb", "street", "st", "avenue", "ave",
    "road", "rd", "highway", "hwy", "mall", "plaza", "northside", "southside", "eastside", "westside",
    "campus", "county", "town", "across", "side", "district", "park", "square", "blvd", "boulevard",
})
# "5 if you count the warehouse", "6 including HQ": a count, then what it takes in.
_INCLUDING_WORDS = frozenset({"if", "counting", "including", "incl", "inc", "with", "w/"})
_CLAUSE_ENDS = frozenset({".", ",", ";", "!", "—", "–", "-", "(", ":", "...", "…"})
_CHAIN_JOINERS = frozenset({"and", "n", "plus", "+", "&", ",", ";"})


_TOWN_PREPS = frozenset({"in", "at", "near", "outside"})


_NOT_TOWN_WORDS = frozenset({"total", "all", "general", "particular", "person", "mind", "case", "fact", "addition"})


_ANY_DETERMINER = ("a", "an", "one", "the", "our", "my", "1")
_PLURAL_SITES = frozenset(n for n in SITE_NOUNS if n.endswith("s") and n not in ("campus", "headquarters", "hqs"))


# Words that make a list item no town: "offices in rural areas and small towns".
_NOT_TOWN_ITEM = frozenset({
    "rural", "small", "big", "several", "many", "different", "various", "other", "area", "areas", "towns",
    "cities", "places", "states", "counties", "county", "parts", "regions", "region", "suburbs", "downtown",
    "same", "each", "every", "all", "both", "need", "needs", "want", "have", "has", "had", "use", "using",
    "town", "state", "metro", "nearby",
})
_MAX_TOWN_WORDS = 3


_OWN = frozenset({"our", "my", "the"})
