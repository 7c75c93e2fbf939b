"""How many sites a customer has, from the ways they say it (num_locations).

The extractor's matcher finds counts before a site noun ("3 offices", "a dozen stores");
`site_counts` then reads what those alone miss: counts that add up ("2 warehouses and 3
stores", "HQ plus 3 branches"), a count leading a description of the sites ("five, three in
Tulsa and two in Norman", "3 total, all in Kansas"), a count in words that is the whole reply
("just the one", "a couple") or closes a clause of it ("a bakery in Reno, just the one"), a
misspelt site noun ("3 locatoins") and "just our HQ".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Optional

from bot.understanding.candidates import CITY, NUM_LOCATIONS, SERVICE, Candidate
from bot.understanding.validators import NUMBER_WORDS, RANGE_JOINERS, TAKE_BACK_WORDS, parse_number_words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Nouns that name the sites customers count ("3 offices", "two hospitals").
SITE_NOUNS = [
    "office", "offices", "site", "sites", "location", "locations", "loc", "locs", "branch", "branches",
    "store", "stores", "building", "buildings", "facility", "facilities", "warehouse", "warehouses",
    "clinic", "clinics", "restaurant", "restaurants", "campus", "campuses", "plant", "plants",
    "shop", "shops", "school", "schools", "hotel", "hotels", "property", "properties",
    "dealership", "dealerships", "franchise", "franchises", "practice", "practices",
    "outlet", "outlets", "center", "centers", "centre", "centres", "showroom", "showrooms",
    "places", "spots", "salons", "studios", "gyms", "bars", "cafes", "pharmacies", "banks",
    # more kinds of sites customers count (singular and plural): "9 daycares", "two hospitals"
    "hospital", "hospitals", "lab", "labs", "laboratory", "laboratories", "pharmacy", "dispensary",
    "dispensaries", "daycare", "daycares", "library", "libraries", "church", "churches", "museum",
    "museums", "venue", "venues", "theater", "theaters", "theatre", "theatres", "cinema", "cinemas",
    "bakery", "bakeries", "diner", "diners", "pub", "pubs", "brewery", "breweries", "winery",
    "wineries", "farm", "farms", "ranch", "ranches", "mills", "factory", "factories", "depot",
    "depots", "garage", "garages", "station", "stations", "storefront", "storefronts", "agency",
    "agencies", "hub", "hubs", "supermarket", "supermarkets", "community", "communities",
    "college", "colleges", "spa", "spas", "salon", "studio", "gym", "cafe", "bank", "addresses",
    "motel", "motels", "resort", "resorts", "hangar", "hangars", "shelter", "shelters", "joints",
    # satellites, annexes, kiosks, data centers and "one spot" are sites too
    "satellite", "satellites", "annex", "annexes", "kiosk", "kiosks", "datacenter", "datacenters", "spot",
    "headquarters", "hq", "hqs",
    # yards, terminals and the trades' own words for a site ("3 yards", "2 marinas", "a commissary
    # kitchen", "4 rooftops" for dealers)
    "yard", "yards", "terminal", "terminals", "kitchen", "kitchens", "commissary", "commissaries", "marina",
    "marinas", "taproom", "taprooms", "rooftop", "rooftops", "chapel", "chapels", "temple", "temples",
    "mosque", "mosques", "synagogue", "synagogues", "parish", "parishes", "nursery", "nurseries",
    "greenhouse", "greenhouses", "kennel", "kennels", "laundromat", "laundromats", "washes", "complex",
    "complexes", "camp", "camps", "quarry", "quarries", "mine", "mines", "firehouse", "firehouses",
    "precinct", "precincts", "pizzeria", "pizzerias", "bistro", "bistros", "lodge", "lodges", "inn", "inns",
    "cares",  # "4 urgent cares"
    # homes run as sites (group, care, funeral homes), food pantries, halls of a campus
    "homes", "pantry", "pantries", "halls",
]
# Nouns that name the people customers count ("40 employees", "25 ppl").
PEOPLE_NOUNS = [
    "employees", "employee", "people", "staff", "users", "user", "seats", "workers", "worker",
    "ftes", "fte", "agents", "associates", "personnel", "folks", "persons", "person", "staffers",
    "team-members", "members", "heads", "emps", "employes", "employess", "empolyees", "ppl",
    "peeps",
]
# Site counting (site_counts): words joining two counts that add up ("2 warehouses and 3 stores"),
# a main office as one more site, the words before a leading count ("we have 4: ..."), what
# may follow it to mark a description of the sites ("3 total", "five, two in ...").
_COUNT_JOINERS = frozenset({"and", "plus", "+", "&", ","})
# Misspelt site nouns after a number ("3 locatoins", "4 offcies"): one edit away (two for long
# words) from one of these.
_FUZZY_SITE_NOUNS = (
    "locations", "offices", "branches", "stores", "buildings", "facilities", "warehouses", "clinics",
    "restaurants", "location",
)
# "just our HQ", "only the main office": one site.
_ONLY_WORDS = frozenset({"just", "only"})
_PLUS_WORDS = frozenset({"and", "plus", "+", "&"})
_MAIN_OFFICE = (
    ("hq",), ("headquarters",), ("main", "office"), ("head", "office"), ("corporate", "office"),
    ("home", "office"), ("main", "location"), ("main", "site"), ("main", "store"), ("main", "branch"),
    ("main", "clinic"), ("flagship",), ("corporate",), ("main", "building"), ("main", "campus"),
    ("main", "shop"), ("main", "plant"), ("main", "warehouse"), ("main", "facility"), ("corporate", "hq"),
    ("corporate", "headquarters"), ("head", "quarters"),
)
_MAIN_OFFICE_WORDS = frozenset({"hq", "headquarters", "main", "corporate", "flagship"})
_COUNT_LEAD_INS = frozenset({
    "we", "have", "we've", "got", "there", "are", "there's", "we're", "at", "just", "only", "about",
    "around", "roughly", "so", "ok", "okay", "well", "um", "uh", "it's", "its", "that's", "operate",
    "run", "currently", "right", "now", "oh", "hmm",
})
_TOTAL_WORDS = frozenset({"total", "altogether", "overall", "combined", "in"})
_NOW_WORDS = frozenset({"now", "today", "currently", "atm", "right"})
# "5 if you count the warehouse", "6 including HQ": a count, then what it takes in.
# Words that describe where sites are without naming a town ("two — downtown and the airport").
_PLACE_WORDS = frozenset({
    "downtown", "uptown", "midtown", "airport", "suburbs", "suburb", "street", "st", "avenue", "ave",
    "road", "rd", "highway", "hwy", "mall", "plaza", "northside", "southside", "eastside", "westside",
    "campus", "county", "town", "across", "side", "district", "park", "square", "blvd", "boulevard",
})
_INCLUDING_WORDS = frozenset({"if", "counting", "including", "incl", "inc", "with", "w/"})
# "Dallas and Houston, so 2", "that's 3": a count closing a description of the sites.
_CLOSING_LEAD_INS = frozenset({"so", "that's", "thats", "total", "=", "makes", "making"})
_DESCRIPTION_OPENERS = frozenset({":", "-", "—", "–", ",", "(", ";"})
_CLAUSE_ENDS = frozenset({".", ",", ";", "!", "—", "–", "-", "(", ":", "...", "…"})
# Around a count in words that is the whole reply ("just the one", "a dozen or so").
_BARE_COUNT_FILLER = frozenset({
    "just", "only", "the", "about", "around", "maybe", "we", "have", "got", "it's", "its", "it", "is", "i",
    "think", "probably", "like", "roughly", "approximately", "currently", "right", "now", "um", "uh",
    "well", "so", "ok", "okay", "oh", "we're", "there", "are", "honestly", "lol", "total", "in", "all",
    "or", "ish", "us", "yeah", "at", "moment", "mostly", "really", "for", "now",
    # the tokenizer's halves of "it's", "there's", "we've" and what points back at the sites
    "'s", "'re", "'ve", "\u2019s", "\u2019re", "\u2019ve", "of", "them", "em", "'em", "those", "these", "total",
    "altogether", "has", "had", "guess", "say", "sites", "locations", "we've", "weve", "there's", "theres",
})
# Around digits alone only these: "at 3" is a time, "for 2" and "in 5" are not counts of sites.
_DIGIT_FILLER = _BARE_COUNT_FILLER - {"at", "for", "in", "moment", "so", "or", "all", "us"}
_MAX_BARE_COUNT = 20
# Units of time, distance, speed and share: "3 days", "40 minutes", "100 meg" count neither
# sites nor people.
MEASURE_NOUNS = [
    "hour", "hours", "hr", "hrs", "day", "days", "week", "weeks", "month", "months", "year", "years", "yr", "yrs",
    "minute", "minutes", "min", "mins", "mile", "miles", "percent", "meg", "megs", "mbps", "gig", "gigs", "gbps",
    "times",  # how often: "drops a couple times a week"
]
# A site noun followed by one of these names people or things at the sites.
SITE_NOUN_SET = frozenset(SITE_NOUNS)
MEASURE_NOUN_SET = frozenset(MEASURE_NOUNS)
NOT_SITES_AFTER = frozenset(PEOPLE_NOUNS) | {
    "techs", "technicians", "managers", "manager", "phones", "lines", "circuits", "computers", "printers",
    "staff", "team", "teams", "workers", "employees",
}


def site_counts(doc: "Doc", cands: list[Candidate]) -> list[Candidate]:
    """One count of sites from the ways customers describe them:

    - "2 warehouses and 3 stores", "one main office plus 4 remote sites": the counts add up;
    - "HQ plus 3 branches", "2 sites and our main office": the main office is one more;
    - "five, three in Tulsa and two in Norman", "3 total, all in Kansas", "4 - Reno, Sparks,
      Elko and Ely": a count leading the reply, then a description of the sites, is the count.
    """
    counts = sorted((c for c in cands if c.kind == NUM_LOCATIONS and not _sites_to_come(doc, c)
                     and not _past_count(doc, c)), key=lambda c: c.i)
    if any(not _ends_of_a_link(doc, c) for c in counts):
        counts = [c for c in counts if not _ends_of_a_link(doc, c)]
    others = [c for c in cands if c.kind != NUM_LOCATIONS]
    merged: list[Candidate] = []
    for cand in counts:
        prev = merged[-1] if merged else None
        if prev is not None and all(t.lower_ in _COUNT_JOINERS for t in doc[prev.j : cand.i]) and cand.i > prev.j:
            merged[-1] = Candidate("qty", prev.i, cand.j, prev.start, cand.end, NUM_LOCATIONS, prev.payload + cand.payload)
        else:
            merged.append(cand)
    merged = _sum_counts_by_place(doc, merged, others)
    counts = [_plus_one_site(doc, _plus_one_site(doc, c, _main_office_at), _one_site_at) for c in merged]
    opening = _opening_count(doc, others)
    if opening is not None:
        return others + _said_last(doc, [opening], cands)
    chain = _site_chain(doc, counts, others)
    if chain is not None and (not counts or chain.payload > max(c.payload for c in counts)):
        counts = [chain]
    else:
        counts = [_with_main_office_apart(doc, c, others) for c in counts]
    if not counts:
        lead = (_leading_site_count(doc, others) or _count_in_words_alone(doc) or _misspelt_site_count(doc)
                or _count_of_a_list(doc, others) or _listed_single_sites(doc) or _main_office_only(doc)
                or _one_or_both(doc)
                or _sites_in_listed_towns(doc, others) or _towns_before_sites(doc, others)
                or _count_of_towns(doc) or _only_count_closing_clause(doc, others)
                or _count_clause_after_sites(doc) or _placed_single_sites(doc, others)
                or _ordinal_site(doc) or _one_site_and_no_more(doc) or _collective_count(doc)
                or _home_town_with_a_site(doc, others) or _more_besides(doc, others) or _the_other_site(doc))
        if lead is not None:
            counts = [lead]
    counts = [_under_one_roof(doc, c) for c in counts]
    return others + _said_last(doc, counts, cands)


def _said_last(doc: "Doc", counts: list[Candidate], cands: list[Candidate]) -> list[Candidate]:
    """What the customer settles on overrides what was added up: a total they state ("hq plus
    30 stores, 31 sites total"), a count after "only"/"just" ("only one location, a storefront
    in Bozeman"), and a count they revise ("3 offices, no 4", "13 stores. maybe 14. yeah 14",
    "2 restaurants, 3 if you count the catering kitchen", "18 sites in 2024, we're at 21 now")."""
    total = _stated_total(doc)
    if total is None:
        total = _settled_count(doc)
    if total is not None and (counts or any(t.lower_ in SITE_NOUN_SET for t in doc)):
        like = counts[-1] if counts else None
        return [_number_candidate(doc, total, like)]
    if not counts:
        return counts
    only = _only_count(doc)
    if only is not None:
        return [only]
    last = counts[-1]
    k = last.j
    seen = 0
    while k < len(doc) and seen < 3:
        revised = _revision_at(doc, k)
        if revised is None:
            break
        last, k, seen = _number_candidate(doc, revised, last), revised + 1, seen + 1
    return counts[:-1] + [last]


_OPENING_ENDS = frozenset({".", ":", ";", "!", "\u2014", "\u2013", "-", ",", "..."})


def _opening_count(doc: "Doc", others: list[Candidate]) -> Optional[Candidate]:
    """'three. the clinic in hays, the clinic in great bend and the billing office', 'just 2. hq is
    in lincoln and a small office in kearney', 'a couple. the bar and the restaurant next door': a
    count that is the reply's first sentence, then a description of the sites, is the count."""
    k = 0
    while k < len(doc) and doc[k].lower_ in _COUNT_LEAD_INS:
        k += 1
    start = k
    while k < len(doc) and k - start < 3 and doc[k].text not in _OPENING_ENDS:
        k += 1
    if k == start or k >= len(doc) - 1 or doc[k].text not in _OPENING_ENDS:
        return None
    if doc[k].text == "-" and not doc[k - 1].whitespace_:
        return None  # "a 3-vet practice": a hyphenated word, not a sentence ending
    words = [t.lower_ for t in doc[start:k]]
    if any(w.isdigit() and len(w) >= 4 for w in words) or (words[0] in ("a", "an") and any(w.isdigit() for w in words)):
        return None
    value = parse_number_words(words)
    if value is None or value != int(value) or not 1 <= value <= 1000:
        return None
    rest = doc[k + 1 :]
    named = sum(t.lower_ in SITE_NOUN_SET for t in rest) + sum(
        c.layer == "loc" and c.i > k and not (c.needs_anchor or c.needs_place) for c in others)
    if named < min(2, int(value)) or any(t.lower_ in NOT_SITES_AFTER for t in rest):
        return None  # "40, all at the main office": people at one site, not 40 sites
    first, last = doc[start], doc[k - 1]
    return Candidate("qty", start, k, first.idx, last.idx + len(last.text), NUM_LOCATIONS, int(value))


_SINGLE_SITE_OPENERS = frozenset({"a", "an", "another", "one", "our", "second", "2nd"})
_PLACING = frozenset({"in", "at", "near", "outside"})


def _placed_single_sites(doc: "Doc", others: list[Candidate]) -> Optional[Candidate]:
    """'a plant in Dayton and another in Toledo', 'main office is in tulsa, we also have a yard in
    okc', 'HQ in pittsburgh, satellite office in erie': two or more sites named one by one, each
    placed in a town of its own ("in"/"at" and a town, known or typed as one), count one each."""
    if _moving_between_sites(doc):
        return None  # "moving from an office in Reno to a building in Sparks": one site, moved
    places = {c.i for c in others if c.layer == "loc" and c.kind == CITY}
    found: list[tuple[int, int]] = []  # (first token, token after its place)
    towns: set[str] = set()
    k = 0
    while k < len(doc):
        low = doc[k].lower_
        n = _main_office_at(doc, k)
        if not n and (low in _SINGLE_SITE_OPENERS or k == 0 or doc[k - 1].is_punct):
            m = k + (low in _SINGLE_SITE_OPENERS) + (low == "a" and k + 1 < len(doc) and doc[k + 1].lower_ in ("second", "2nd"))
            m += m < len(doc) and doc[m].is_alpha and doc[m].lower_ not in SITE_NOUN_SET and m + 1 < len(doc) \
                and doc[m + 1].lower_ in SINGULAR_SITE_NOUNS  # "a small office"
            if m < len(doc) and doc[m].lower_ in SINGULAR_SITE_NOUNS:
                m += m + 1 < len(doc) and doc[m + 1].lower_ in SINGULAR_SITE_NOUNS  # "satellite office"
                n = m + 1 - k
            elif low == "another" and m < len(doc) and doc[m].lower_ in _PLACING:
                n = 1  # "and another in Toledo"
        if not n:
            k += 1
            continue
        p = k + n
        p += p < len(doc) and doc[p].lower_ in ("is", "'s")
        if p < len(doc) and doc[p].lower_ in _PLACING:
            town = p + 1 if (p + 1) in places else None
            end = (p + 1) if town is None else p + 2
            if town is None:
                after = _unknown_town_at(doc, p + 1)
                end = after if after is not None else None
            if end is not None and doc[p + 1 : end].text.lower() not in towns and not _to_come(doc, k, p):
                towns.add(doc[p + 1 : end].text.lower())
                found.append((k, end))
                k = end
                continue
        k = p
    if len(found) < 2:
        return None
    first, last = doc[found[0][0]], doc[found[-1][1] - 1]
    return Candidate("qty", found[0][0], found[-1][1], first.idx, last.idx + len(last.text), NUM_LOCATIONS, len(found))


_MOVING_WORDS = frozenset({"moving", "move", "moved", "relocating", "relocate", "relocated"})


def _moving_between_sites(doc: "Doc") -> bool:
    """Whether the reply moves a site "from" one place "to" another ("moving from a shared office
    in Mesa to our own building in Tempe"): the two places are one site, before and after."""
    lows = [t.lower_ for t in doc]
    for k, low in enumerate(lows):
        if low in _MOVING_WORDS and "from" in lows[k + 1 : k + 4]:
            return "to" in lows[k + 2 : k + 14]
    return False


def _only_count(doc: "Doc") -> Optional[Candidate]:
    """'just the one location', 'only 2 small offices': a count after "just"/"only" (and "the")
    with a site noun in the next three words, the number of all the sites (nothing is added to
    it: "only one office, a small one over the bank")."""
    for k in range(len(doc) - 2):
        if doc[k].lower_ not in _ONLY_WORDS:
            continue
        m = k + 1 + (doc[k + 1].lower_ == "the")
        if m >= len(doc) or not doc[m].like_num or doc[m].lower_ in ("a", "an"):
            continue
        j = next((n + 1 for n in range(m + 1, min(len(doc), m + 4)) if doc[n].lower_ in SITE_NOUN_SET), None)
        value = parse_number_words([doc[m].lower_])
        if j is not None and value is not None and value == int(value) and 1 <= value <= 1000:
            return Candidate("qty", m, j, doc[m].idx, doc[j - 1].idx + len(doc[j - 1].text), NUM_LOCATIONS, int(value))
    return None


# Words that take a count back or settle it ("no", "wait", "actually", "maybe", "yeah", "well"),
# within a few words before the new number; after it, "now" dates it, "if you count ..." widens it.
_REVISION_WORDS = TAKE_BACK_WORDS | frozenset({
    "maybe", "yeah", "yes", "well", "er", "erm", "oops", "technically", "really", "prob", "probably",
    "typo", "said", "meant",
    # a doubt, then a settled number: "a storage unit, does that count? call it 3"
    "count", "counts", "call",
})
# Words that may stand right before the new number once a revision word was said ("wait no its 4").
_REVISION_LEADS = frozenset({"its", "it's", "it\u2019s", "is", "be", "at", "to", "it"})
_REVISION_GAP = 12
_NOW_AFTER = frozenset({"now", "today", "currently"})
_WIDENING_AFTER = frozenset({"if", "counting", "including", "incl", "w/"})
# After the new number, these make it a part of the sites ("2 are in Dallas", "2 of them").
_PART_AFTER = frozenset({"are", "is", "of", "in", "at", "on", "were", "'re", "’re", "by", "next", "more", "new"})


def _count_number(doc: "Doc", k: int) -> Optional[float]:
    """The value of token k when it can be a count of sites: a number that is no year, no part of
    a phone or a time, and counts no people, units or things ("3 days", "4 techs")."""
    token = doc[k]
    if not token.like_num or token.lower_ in ("a", "an") or (token.is_digit and len(token.text) >= 4):
        return None
    if k + 1 < len(doc) and (doc[k + 1].lower_ in NOT_SITES_AFTER or doc[k + 1].lower_ in MEASURE_NOUN_SET
                             or doc[k + 1].text in (":", "/", "%", ".") and k + 2 < len(doc) and doc[k + 2].is_digit):
        return None
    value = parse_number_words([token.lower_])
    return value if value is not None and 1 <= value <= 100_000 and value == int(value) else None


def _revision_at(doc: "Doc", k: int) -> Optional[int]:
    """Token index of a number after token k that revises the count before it, or None."""
    for n in range(k, min(len(doc), k + _REVISION_GAP + 1)):
        if doc[n].text in (".", "!", "?") and n + 1 < len(doc) and not doc[n + 1].like_num and n > k + 1 \
                and not {t.lower_ for t in doc[k:n]} & _REVISION_WORDS:
            return None  # the next sentence, with nothing taken back
        if _count_number(doc, n) is None:
            continue
        after = doc[n + 1].lower_ if n + 1 < len(doc) else ""
        if after in _PART_AFTER:
            continue  # "2 of them", "2 are in Dallas": a part of the sites
        between = {t.lower_ for t in doc[k:n]}
        # the word before the number revises ("no wait 5", "maybe 3", "well 2 real ones", "wait
        # no its 4"), not "forgot the new one"
        lead = n > k and (doc[n - 1].lower_ in _REVISION_WORDS or doc[n - 1].is_punct
                          or doc[n - 1].lower_ in _REVISION_LEADS)
        but_its = "but" in between and doc[n - 1].lower_ in _REVISION_LEADS  # "12 stores but its 21"
        if (between & _REVISION_WORDS and lead) or but_its or after in _NOW_AFTER or _widens(doc, n + 1):
            return n
    return None


_COUNTING_WORDS = frozenset({"count", "counts", "counting", "include", "includes", "including", "add", "adding"})


def _widens(doc: "Doc", k: int) -> bool:
    """'... counting the lab', '... if you count the kiosk', '... if the annex counts' after a
    number: it takes in more sites ("6 if the new lab is done by then" is sites to come)."""
    if k >= len(doc):
        return False
    if doc[k].lower_ in _WIDENING_AFTER - {"if"}:
        return True
    return doc[k].lower_ == "if" and any(t.lower_ in _COUNTING_WORDS for t in doc[k + 1 : k + 6])


def _number_candidate(doc: "Doc", k: int, like: Optional[Candidate]) -> Candidate:
    token = doc[k]
    value = parse_number_words([token.lower_])
    return Candidate("qty", k, k + 1, token.idx, token.idx + len(token.text), NUM_LOCATIONS,
                     int(value) if value is not None else (like.payload if like is not None else 0))


def _people_before(doc: "Doc", k: int) -> bool:
    """Whether the nearest noun of sites or people before token k (in its sentence) names people."""
    for m in range(k - 1, -1, -1):
        low = doc[m].lower_
        if low in (".", "!", "?", ";") or low in SITE_NOUN_SET:
            return False
        if low in NOT_SITES_AFTER:
            return True
    return False


_TOTAL_AFTER = frozenset({"total", "altogether", "combined", "overall", "all"})
_TOTAL_BEFORE = frozenset({"total", "totals"})


def _stated_total(doc: "Doc") -> Optional[int]:
    """Token index of a number the customer calls the total of their sites: "31 sites total",
    "so 5 total", "5 in total", "total of 6 locations", or None."""
    for k in range(len(doc)):
        if _count_number(doc, k) is None:
            continue
        m = k + 1
        if m < len(doc) and doc[m].lower_ in SITE_NOUN_SET:
            m += 1
        after = [t.lower_ for t in doc[m : m + 2]]
        before = [t.lower_ for t in doc[max(0, k - 3) : k]]
        if _people_before(doc, k) and m == k + 1:
            continue  # "12 attorneys plus staff so ~25 total": people
        if (after[:1] and after[0] in _TOTAL_AFTER and (after[0] != "all" or after[1:] == ["told"])) or after == ["in", "total"]:
            return k
        if before and before[-1] in ("of", ":", "=", "is") and any(w in _TOTAL_BEFORE for w in before) and m > k + 1:
            return k
    return None


_CONTAINER_PREPS = frozenset({"on", "in", "at", "across", "within", "inside", "under"})
_WHERE_PREPS = frozenset({"in", "at", "near", "downtown", "outside", "around", "by"})


_ADDING_WORDS = frozenset({"adding", "add", "opening", "open", "building", "build", "acquiring", "buying", "another"})


def _sites_to_come(doc: "Doc", cand: Candidate) -> bool:
    """'we're adding two more sites', 'opening 3 new stores': sites to come, not how many there
    are (a count, not a total: the question of the total is still open)."""
    before = doc[cand.i - 1].lower_ if cand.i else ""
    inside = {t.lower_ for t in doc[cand.i : cand.j]}
    return before in _ADDING_WORDS or "more" in inside


# "we used to have 5 offices", "we had 3 stores until covid": a count of the past.
_PAST_AFTER = frozenset({"until", "till", "til", "before", "pre", "prior"})
_PAST_WINDOW = 4


def _past_count(doc: "Doc", cand: Candidate) -> bool:
    """'used to have 5 offices', 'used to be one office', 'we had 3 stores until 2020': a count
    the customer no longer has, so not how many sites there are now."""
    start = _sentence_start(doc, cand.i)
    before = [t.lower_ for t in doc[max(start, cand.i - _PAST_WINDOW) : cand.i]]
    if any(w == "used" and nxt == "to" for w, nxt in zip(before, before[1:])):
        return True
    after = {t.lower_ for t in doc[cand.j : cand.j + _PAST_WINDOW]}
    return cand.i > 0 and doc[cand.i - 1].lower_ == "had" and bool(after & _PAST_AFTER)


_LINK_DETERMINERS = frozenset({"the", "our", "my", "their"})


def _ends_of_a_link(doc: "Doc", cand: Candidate) -> bool:
    """'6 centers ... a wave between the two main centers': the two ends of a link, which
    another count in the reply outnumbers (alone, "between our two buildings" says there are
    two; "between 8 and 10 clinics" is a range)."""
    return cand.i >= 2 and doc[cand.i - 2].lower_ == "between" and doc[cand.i - 1].lower_ in _LINK_DETERMINERS


# Words that set a count of branches apart from the main office: "HQ ... our 3 branch offices".
_APART_FROM_MAIN = frozenset({"branch", "branches", "satellite", "satellites", "field", "remote"})
_NO_WORDS = frozenset({"no", "not", "without", "nor", "never"})


def _with_main_office_apart(doc: "Doc", cand: Candidate, others: list[Candidate]) -> Candidate:
    """'fiber at HQ, cable at 3 branches', 'the main office is fine ... our two satellite
    offices': a count of branches (or satellites, field or remote sites) leaves the main office
    out, so a main office named elsewhere in the reply is one more site; so does a main office
    placed in one town beside a count placed in another ("the main office in Reno ... the 2
    small offices in Elko and Ely"). Not when the main office is one of them ("the main branch"
    among "4 branches", "4 offices in Idaho, the main office in Boise") or already counted."""
    states = {c.i for c in others if c.layer == "loc" and c.kind != CITY}
    branches = bool({t.lower_ for t in doc[cand.i : cand.j]} & _APART_FROM_MAIN)
    count_town = _town_named_after(doc, cand.j, states)
    if not branches and count_town is None:
        return cand
    if any(t.lower_ in _MAIN_OFFICE_WORDS for t in doc[cand.i : cand.j]):
        return cand  # "HQ and 3 branches": added already
    for k in range(len(doc)):
        if cand.i - 1 <= k < cand.j:
            continue
        n = _main_office_at(doc, k)
        if not n or (k > 0 and _main_office_at(doc, k - 1)):
            continue
        if any(t.lower_ in _NO_WORDS or t.lower_ in _INCLUDING_WORDS for t in doc[max(0, k - 2) : k]):
            continue  # "6 branches, no separate HQ", "5 branches including the main office"
        words = {t.lower_ for t in doc[k : k + n]}
        after = doc[k + n].lower_ if k + n < len(doc) else ""
        if words & _APART_FROM_MAIN or after in NOT_SITES_AFTER or after in SITE_NOUN_SET:
            continue  # "the main branch" is a branch; "main office staff" are people
        if not branches:
            main_town = _town_named_after(doc, k + n, states)
            if main_town is None or main_town == count_town:
                continue
        return Candidate("qty", cand.i, cand.j, cand.start, cand.end, NUM_LOCATIONS, cand.payload + 1, extra=cand.extra)
    return cand


def _town_named_after(doc: "Doc", j: int, states: set[int]) -> Optional[str]:
    """The town after "in" at token j ("in mount vernon and ...", "in Reno is fine"): up to three
    plain words, in lowercase; None when no such name is there ("in total", "in the area", a
    state: token indices in `states`)."""
    if j + 1 >= len(doc) or doc[j].lower_ != "in" or (j + 1) in states:
        return None
    n = j + 1
    while n < len(doc) and n - j <= _MAX_TOWN_WORDS and doc[n].is_alpha and not doc[n].is_stop \
            and doc[n].lower_ not in _NOT_TOWN_ITEM and doc[n].lower_ not in _NOT_TOWN_WORDS \
            and doc[n].lower_ not in SITE_NOUN_SET:
        n += 1
    return doc[j + 1 : n].text.lower() if n > j + 1 else None


# "a second office in Carmel" (two sites), "opening a third store" (two now, one to come).
_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10}
_ORDINAL_SUFFIX = re.compile(r"^(\d{1,2})(?:nd|rd|th)$")
_ORDINAL_DETERMINERS = frozenset({"a", "an", "our", "my", "the", "its", "their"})
# Words of a site to come, before the ordinal ("opening a second store", "sign a lease on a
# third") or after its noun ("a second location opening in May").
_TO_COME_BEFORE = frozenset({
    "opening", "open", "building", "build", "adding", "add", "buying", "buy", "acquiring", "acquire",
    "lease", "leasing", "planning", "plan", "launching", "launch", "getting", "will", "gonna", "future",
    "expanding", "expand",
})
# What tells of the sites there are now, beside one to come: "we're in Reno now", "our first is
# in Elko", "the other two are in Elko", "a cafe in Reno and we're opening a second".
_NOW_ANCHORS = frozenset({"now", "currently", "today", "first", "existing", "current", "other", "others"})
_TO_COME_AFTER = frozenset({"opening", "opens", "coming", "planned", "going", "under", "soon", "next"})
_TO_COME_WINDOW = 6
# What an ordinal numbers that is no site: "3rd floor", "2nd street", "a second circuit".
_NOT_NUMBERED_SITES = frozenset({
    "floor", "story", "storey", "level", "suite", "street", "st", "avenue", "ave", "shift", "time", "line",
    "circuit", "quarter", "year", "phase", "round", "party", "opinion", "carrier", "provider", "vendor",
})


def _ordinal_value(token: "Token") -> Optional[int]:
    """2 for "second" or "2nd", up to the tenth (or "12th"); None for anything else."""
    low = token.lower_
    if low in _ORDINALS:
        return _ORDINALS[low]
    match = _ORDINAL_SUFFIX.match(low)
    return int(match.group(1)) if match and int(match.group(1)) >= 2 else None


def _ordinal_site(doc: "Doc") -> Optional[Candidate]:
    """'we're in Houma with a second office in Thibodaux' (2), 'our 3rd location is in Eugene'
    (3): a site numbered by an ordinal means as many sites; when it is still to come ('opening
    a second store in May', 'adding a third site') the ones before it are the sites now.
    "opening a second in Biloxi" names no noun after the ordinal: a site noun said before it
    tells what it counts."""
    for k in range(1, len(doc) - 1):
        value = _ordinal_value(doc[k])
        if value is None or doc[k - 1].lower_ not in _ORDINAL_DETERMINERS:
            continue
        head = next((m for m in range(k + 1, min(len(doc), k + 4)) if doc[m].lower_ in SINGULAR_SITE_NOUNS), None)
        if head is not None and not all(doc[m].is_alpha and not doc[m].like_num for m in range(k + 1, head)):
            head = None
        if doc[k + 1].lower_ in _NOT_NUMBERED_SITES:
            continue  # "the 2nd floor office", "a second line": the ordinal numbers something else
        if head is not None and head + 1 < len(doc) and (doc[head + 1].lower_ in NOT_SITES_AFTER
                                                         or doc[head + 1].lower_ in SITE_NOUN_SET):
            continue  # "a second office manager", "a second store building" (read at its head)
        if head is None:
            named_before = any(t.lower_ in SINGULAR_SITE_NOUNS for t in doc[: k - 1])
            if not (named_before and doc[k + 1].lower_ in ("in", "at", "one")):
                continue
            head = k
        to_come = _to_come(doc, k, head + 1)
        now = value - 1 if to_come else value
        if now < 1 or (to_come and not _sites_now_told(doc, k, head + 1)):
            continue  # "opening a 2nd clinic next month" alone does not say how many there are
        last = doc[head]
        return Candidate("qty", k, head + 1, doc[k].idx, last.idx + len(last.text), NUM_LOCATIONS, now)
    return None


def _to_come(doc: "Doc", i: int, j: int) -> bool:
    """Whether the site named in tokens i..j is still to come: a word of opening, building or
    leasing shortly before it in its sentence ("we're opening a second cafe"), or of coming right
    after it ("a second location opening in May")."""
    start = _sentence_start(doc, i)
    before = {t.lower_ for t in doc[max(start, i - _TO_COME_WINDOW) : i]}
    after = {t.lower_ for t in doc[j : j + 2]}
    return bool(before & _TO_COME_BEFORE or after & _TO_COME_AFTER)


def _sites_now_told(doc: "Doc", i: int, j: int) -> bool:
    """Whether the reply, outside tokens i..j, tells of the sites there are now: a site noun, a
    word of now ("first", "currently"), or where "we're" ("we're in Reno", "we're a cafe in Elko")."""
    for k, token in enumerate(doc):
        if i <= k < j:
            continue
        if token.lower_ in SITE_NOUN_SET or token.lower_ in _NOW_ANCHORS:
            return True
        if token.lower_ in ("we're", "were", "we") and any(t.lower_ == "in" for t in doc[k + 1 : k + 5]) \
                and not any(t.i >= i for t in doc[k + 1 : k + 5]):
            return True
    return False


# Words placing the business in its home town: "we're in Reno", "based out of Elko".
_PRESENCE_WORDS = frozenset({"we're", "were", "based", "located", "headquartered", "out"})


def _home_town_with_a_site(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'we're out of Casper with a yard in Douglas', 'based in Ogden with a shop in Logan': the
    business in its home town, then "with" one site in another town, is two sites."""
    towns = {c.i: c.j for c in cands if c.layer == "loc" and c.kind == CITY}
    for k in range(2, len(doc) - 3):
        if doc[k].lower_ != "with" or doc[k + 1].lower_ not in ("a", "an", "one"):
            continue
        m = k + 2 + (doc[k + 2].is_alpha and doc[k + 2].lower_ not in SITE_NOUN_SET)
        if m + 1 >= len(doc) or doc[m].lower_ not in SINGULAR_SITE_NOUNS or doc[m + 1].lower_ not in _TOWN_PREPS:
            continue
        there = towns.get(m + 2) or _unknown_town_at(doc, m + 2)
        start = _sentence_start(doc, k)
        home = next((t for t in range(start, k) if t in towns and any(
            w.lower_ in _PRESENCE_WORDS for w in doc[max(start, t - 3) : t])), None)
        if there is None or home is None or doc[home : towns[home]].text.lower() == doc[m + 2 : there].text.lower():
            continue
        return Candidate("qty", home, there, doc[home].idx, doc[there - 1].idx + len(doc[there - 1].text), NUM_LOCATIONS, 2)
    return None


_MORE_PLACES = frozenset({"in", "at", "across", "around", "near", "downtown"})


def _more_besides(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'our main location is downtown. we have 2 more in Mesa and Tempe': "have N more" placed in
    known places, after a site was named, is that site and N more ("we'll have 2 more in Mesa
    next year" and "2 more in the pipeline" are not)."""
    place_starts = {c.i for c in cands if c.layer == "loc" and not c.needs_anchor}
    for k in range(1, len(doc) - 2):
        if doc[k + 1].lower_ != "more" or doc[k - 1].lower_ not in _HAVING_WORDS | {"are"}:
            continue
        value = _count_number(doc, k)
        m = k + 2 + (doc[k + 2].lower_ in SITE_NOUN_SET)
        if value is None or m + 1 >= len(doc) or doc[m].lower_ not in _MORE_PLACES or (m + 1) not in place_starts \
                or _to_come(doc, k, m):
            continue
        if not any(_main_office_at(doc, t) or doc[t].lower_ in SINGULAR_SITE_NOUNS for t in range(k - 1)):
            continue
        return Candidate("qty", k, k + 2, doc[k].idx, doc[k + 1].idx + len(doc[k + 1].text), NUM_LOCATIONS, int(value) + 1)
    return None


def _the_other_site(doc: "Doc") -> Optional[Candidate]:
    """'the main one is downtown. the other office is in Ankeny', 'our other shop is in Elko': one
    site called "the other" is one of two (no plural site noun, which would leave more)."""
    if any(t.lower_ in _PLURAL_SITES for t in doc):
        return None
    for k, token in enumerate(doc[:-1]):
        if token.lower_ != "other" or not (k == 0 or doc[k - 1].is_punct or doc[k - 1].lower_ in _OWN):
            continue
        m = k + 1 + (doc[k + 1].is_alpha and doc[k + 1].lower_ not in SITE_NOUN_SET and k + 2 < len(doc)
                     and doc[k + 2].lower_ in SINGULAR_SITE_NOUNS)
        if m < len(doc) and doc[m].lower_ in SINGULAR_SITE_NOUNS and not (
                m + 1 < len(doc) and (doc[m + 1].lower_ in NOT_SITES_AFTER or doc[m + 1].lower_ in SITE_NOUN_SET)):
            first = doc[k - 1] if k > 0 and doc[k - 1].lower_ in _OWN else token
            return Candidate("qty", first.i, m + 1, first.idx, doc[m].idx + len(doc[m].text), NUM_LOCATIONS, 2)
    return None


# "a pair of shops", "a trio of clinics": a noun of a number before the sites.
_COLLECTIVES = {"pair": 2, "duo": 2, "trio": 3, "quartet": 4}


def _collective_count(doc: "Doc") -> Optional[Candidate]:
    """'a trio of cafes', 'a pair of our stores': as many sites as the noun of a number says."""
    for k in range(1, len(doc) - 2):
        value = _COLLECTIVES.get(doc[k].lower_)
        if value is None or doc[k - 1].lower_ not in ("a", "an") or doc[k + 1].lower_ != "of":
            continue
        m = k + 2 + (doc[k + 2].lower_ in _OWN or doc[k + 2].lower_ == "their")
        m += m + 1 < len(doc) and doc[m].is_alpha and doc[m].lower_ not in SITE_NOUN_SET and doc[m + 1].lower_ in _PLURAL_SITES
        if m < len(doc) and doc[m].lower_ in _PLURAL_SITES and not (m + 1 < len(doc) and doc[m + 1].lower_ in NOT_SITES_AFTER):
            return Candidate("qty", k - 1, m + 1, doc[k - 1].idx, doc[m].idx + len(doc[m].text), NUM_LOCATIONS, value)
    return None


# "a bakery + cafe, same building": the sites named share one.
_ONE_PLACE_NOUNS = frozenset({"building", "address", "location", "site", "property", "roof", "lot", "premises", "place"})


def _under_one_roof(doc: "Doc", cand: Candidate) -> Candidate:
    """'a brewery + taproom, same building', 'shop and office under one roof': sites named one by
    one (no number said) and then said to share one building are one site."""
    if any(t.like_num for t in doc[cand.i : cand.j]):
        return cand
    after = [t.lower_ for t in doc[cand.j : cand.j + 5] if not t.is_punct]
    shared = any(w in ("same", "one", "single") and nxt in _ONE_PLACE_NOUNS for w, nxt in zip(after, after[1:])) \
        and "each" not in after  # "one building each" keeps them apart
    if not shared:
        return cand
    return Candidate("qty", cand.i, cand.j, cand.start, cand.end, NUM_LOCATIONS, 1, extra=cand.extra)


# "..., so three", "so 4 now, 3 after", "so 28 sites": a count settling what was described.
_SETTLING_LEADS = frozenset({"so", "that's", "thats", "making", "makes"})
_MAKING_WORDS = frozenset({"make", "makes", "making"})
_SETTLED_AFTER = frozenset({"now", "total", "in", "all", "altogether", "i", "sites", "locations", "today"})


def _settled_count(doc: "Doc") -> Optional[int]:
    """Token index of a count after "so"/"that's" opening a clause or after "make(s)", after sites
    were named ("the office in Reno, the shop in Elko, so two", "... so 4 now, 3 after", "adding
    a depot, which would make 5"): the customer's own sum, which overrides what was added up (a
    site to come counts when the customer sums it in); None when there is none."""
    for k in range(1, len(doc)):
        lead = doc[k - 1].lower_
        if not (lead in _SETTLING_LEADS and (k == 1 or doc[k - 2].is_punct) or lead in _MAKING_WORDS):
            continue  # "so three" opens a clause; "which would make 3" may close one
        if _count_number(doc, k) is None or doc[k].lower_ in ("both", "half") or _people_before(doc, k):
            continue  # "15 people each, so 30 total": people
        after = doc[k + 1] if k + 1 < len(doc) else None
        if after is not None and not (after.is_punct or after.lower_ in _SETTLED_AFTER or after.lower_ in SITE_NOUN_SET):
            continue
        if any(t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS for t in doc[: k - 1]):
            return k
    return None


def _sum_counts_by_place(doc: "Doc", counts: list[Candidate], others: list[Candidate]) -> list[Candidate]:
    """Two counts of sites in one reply: "2 offices in Denver and 3 in Boulder" add up (each
    is placed, then joined); in "two buildings on one campus" the second holds the first."""
    out: list[Candidate] = []
    places = {k for c in others if c.layer == "loc" for k in range(c.i, c.j)}
    for cand in counts:
        prev = out[-1] if out else None
        if prev is None:
            out.append(cand)
            continue
        between = doc[prev.j : cand.i]
        if cand.i > 0 and doc[cand.i - 1].lower_ in _CONTAINER_PREPS and cand.payload < prev.payload:
            continue  # "two buildings on one campus": the campus holds them
        words = [t for t in between if not t.is_punct]
        placed = (len(words) >= 3 and words[0].lower_ in _WHERE_PREPS and words[-1].lower_ in _COUNT_JOINERS
                  and all(t.i in places or t.lower_ in _WHERE_PREPS or t.lower_ in _COUNT_JOINERS for t in words))
        if placed:
            out[-1] = Candidate("qty", prev.i, cand.j, prev.start, cand.end, NUM_LOCATIONS, prev.payload + cand.payload)
        else:
            out.append(cand)
    return [_with_placed_counts(doc, c, places) for c in out]


def _with_placed_counts(doc: "Doc", cand: Candidate, places: set[int]) -> Candidate:
    """'3 stores in Reno, 2 in Sparks and 1 in Elko': the counts after the first, each placed
    ("in" a known place), add up."""
    total, k = cand.payload, cand.j
    end = cand
    while True:
        m = k
        if not (m < len(doc) and doc[m].lower_ in _WHERE_PREPS and m + 1 < len(doc) and (m + 1) in places):
            break
        m += 1
        while m < len(doc) and m in places:
            m += 1
        joined = m
        while m < len(doc) and (doc[m].lower_ in _COUNT_JOINERS or doc[m].text in (",", ";")):
            m += 1
        if m == joined or m >= len(doc) or not doc[m].like_num or doc[m].lower_ in ("a", "an"):
            break
        value = parse_number_words([doc[m].lower_])
        after = doc[m + 1].lower_ if m + 1 < len(doc) else ""
        if value is None or value != int(value) or value < 1 or (after not in _WHERE_PREPS and after not in SITE_NOUN_SET):
            break
        total += int(value)
        k = m + 1
        while k < len(doc) and doc[k].lower_ in SITE_NOUN_SET:
            k += 1
        end = Candidate("qty", cand.i, k, cand.start, doc[k - 1].idx + len(doc[k - 1].text), NUM_LOCATIONS, total)
    return end if total != cand.payload else cand


# ---- sites listed one after another: "HQ in Houston, 2 yards in Beaumont and Corpus Christi" ----

# What may describe where a site is, after it: "in Hartford CT", "around Utah county", "in the
# Denver area", "across the river in Omaha", "out back", "next door".
_TAIL_PREPS = frozenset({"in", "at", "around", "near", "across", "outside", "by", "on", "off", "over", "up", "down"})
_TAIL_WORDS = _PLACE_WORDS | frozenset({
    "the", "area", "metro", "valley", "state", "region", "river", "lake", "city", "back", "out", "next",
    "door", "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "same", "street", "road", "there", "here", "is", "are", "'s", "of", "other", "greater", "our", "town",
})
_CHAIN_JOINERS = frozenset({"and", "plus", "+", "&", ",", ";"})
# Kinds of chain items: a count candidate, one site named with "the"/"our" or a main office,
# one site named bare or with "a" ("dental practice, 1 location": the business, then its
# sites), a count placed by itself ("one in Boise").
_COUNTED, _DEFINITE, _INDEFINITE, _PLACED = "counted", "definite", "indefinite", "placed"
_MAX_TAIL = 8


def _place_tail(doc: "Doc", k: int, places: set[int], states: frozenset[int] = frozenset()) -> int:
    """The token after what describes where a site is, from token k ("in Springfield MA", "is in
    Hartford CT", "in the valley", "around the state", "out back", "in lewiston, idaho" with the
    token indices of `states`); k if nothing does."""
    m = k
    if m < len(doc) and doc[m].lower_ in ("is", "are", "'s") and m + 1 < len(doc) and doc[m + 1].lower_ in _TAIL_PREPS:
        m += 1
    while m < len(doc) and (doc[m].lower_ in _TAIL_PREPS or (m == k and doc[m].lower_ in ("out", "next", "downtown"))):
        n = m + 1
        stop = min(len(doc), m + 1 + _MAX_TAIL)
        while n < stop and (n in places or doc[n].lower_ in _TAIL_WORDS or (doc[n].is_title and doc[n].is_alpha)
                            or (doc[n].lower_ in ("and", "&", ",") and n + 1 < len(doc) and n + 1 in places and n - 1 in places)):
            n += 1
        if n == m + 1 and doc[m].lower_ in _TOWN_PREPS:
            n = _lowercase_town_after(doc, m)  # "in lewiston": a town the gazetteer did not place
            n = n + 1 if n == m else n
        if n == m + 1 and doc[m].lower_ not in ("out", "next", "downtown"):
            break  # "in" then nothing of a place: no tail
        if n + 1 < len(doc) and doc[n].text == "," and (n + 1) in states:
            n += 2  # "in Lewiston, Idaho": the state after a comma
            while n < len(doc) and n in states:
                n += 1
        m = n
    return m


_TOWN_PREPS = frozenset({"in", "at", "near", "outside"})


def _chain_item(doc: "Doc", k: int, counts: dict[int, Candidate], places: set[int],
                first: bool = True) -> Optional[tuple[int, int, str]]:
    """(sites, token after, kind) of one site or count of sites starting at token k: a count
    candidate ("3 retail stores"), one site named ("the admin building", "our main office",
    "HQ", "a small branch", "warehouse" opening a clause), or a count placed by itself ("one in
    Boise", "1 in reno")."""
    if k >= len(doc):
        return None
    if k in counts:
        return counts[k].payload, counts[k].j, _COUNTED
    n = _main_office_at(doc, k)
    if n:
        if not first and k + n < len(doc) and doc[k + n].lower_ in ("is", "'s", "\u2019s", "sits"):
            return None  # "4 yards, HQ is in Joplin": where one of them is, not one more
        return 1, k + n, _DEFINITE
    determiner = doc[k].lower_ if doc[k].lower_ in _ANY_DETERMINER and doc[k].lower_ != "1" else None
    opens_clause = k == 0 or doc[k - 1].is_punct or doc[k - 1].lower_ in _CHAIN_JOINERS
    m = k + int(determiner is not None)
    for width in (0, 1, 2):  # up to two words of description: "the central prep kitchen"
        head = m + width
        if head >= len(doc) or (determiner is None and not opens_clause):
            break
        if doc[head].lower_ in SINGULAR_SITE_NOUNS and all(doc[x].is_alpha and not doc[x].like_num for x in range(m, head)):
            if head + 1 < len(doc) and (doc[head + 1].lower_ in NOT_SITES_AFTER or doc[head + 1].lower_ in SITE_NOUN_SET
                                        or doc[head + 1].lower_ in _WHOLE_BUSINESS_NOUNS):
                return None  # "office staff", "store managers"; "the office building" is read at its head
            if determiner in ("a", "an") and head > m and _says_what_the_business_is(doc, k):
                return None  # "we're a food bank, a warehouse and 2 pantries": the business, then its sites
            kind = _DEFINITE if determiner in ("the", "our", "my") else _INDEFINITE
            return 1, head + 1, kind
        if not doc[head].is_alpha or doc[head].is_stop:
            break
    # "and 2 small ones": a count of the same kind of site as the one before
    if not first and doc[k].like_num and doc[k].lower_ not in ("a", "an", "both", "half"):
        for width in (1, 2, 3):
            if k + width < len(doc) and doc[k + width].lower_ == "ones" and all(
                    doc[x].is_alpha for x in range(k + 1, k + width)):
                value = parse_number_words([doc[k].lower_])
                if value is not None and value == int(value) and value >= 1:
                    return int(value), k + width + 1, _COUNTED
    # "one in Boise", "1 in reno", "four in Iowa": a count placed, standing for sites
    if doc[k].like_num and doc[k].lower_ not in ("a", "an", "both", "half") and k + 1 < len(doc) \
            and doc[k + 1].lower_ in ("in", "at", "near", "across", "over", "down", "up", "outside"):
        if _main_office_at(doc, k + 2) or _single_site_at(doc, k + 2):
            return None  # "7 lines at the main office, 3 at the branch": things at one site
        if doc[k + 1].lower_ == "at" and k + 2 < len(doc) and doc[k + 2].lower_ in _OWN:
            return None  # "100 mbps at hq, 50 at the others": things (or speeds) at sites
        value = parse_number_words([doc[k].lower_])
        if value is not None and value == int(value) and 1 <= value <= 1000:
            end = _place_tail(doc, k + 1, places) if k + 1 < len(doc) else k + 1
            if end == k + 1:
                end = _lowercase_town_after(doc, k + 1)
            if end > k + 1:
                return int(value), end, _PLACED
    return None


# A site noun before one of these names the whole business, not one site: "150+ locations,
# franchise system", "a store chain".
_WHOLE_BUSINESS_NOUNS = frozenset({"system", "chain", "group", "network", "model", "brand", "business", "company", "owner", "owners"})
_BEING_WORDS = frozenset({"we're", "were", "i'm", "im", "is", "are", "am"})


def _says_what_the_business_is(doc: "Doc", k: int) -> bool:
    """Whether "a"/"an" at token k follows "we're"/"we are"/"is" ("we're a nonprofit food bank",
    "this is a family bakery", said with a word describing it): what the business is, not one of
    its sites."""
    return k > 0 and doc[k - 1].lower_ in _BEING_WORDS


_NOT_TOWN_WORDS = frozenset({"total", "all", "general", "particular", "person", "mind", "case", "fact", "addition"})


def _lowercase_town_after(doc: "Doc", k: int) -> int:
    """After the preposition at token k, a town the gazetteer did not place, typed in lowercase
    ("1 in nampa", "1 in carson city"): up to three plain words, then the end of a clause or a
    joiner. The token after them, or k if there is none."""
    n = k + 1
    while n < len(doc) and n - k <= 3 and doc[n].is_alpha and not doc[n].is_stop and doc[n].lower_ not in _NOT_TOWN_WORDS:
        n += 1
    if n == k + 1 or (n < len(doc) and not (doc[n].is_punct or doc[n].lower_ in _CHAIN_JOINERS)):
        return k
    return n


def _sentence_start(doc: "Doc", k: int) -> int:
    while k > 0 and doc[k - 1].text not in (".", "!", "?", ";"):
        k -= 1
    return k


def _towns_between(i: int, j: int, others: list[Candidate]) -> int:
    return len({c.i for c in others if c.layer == "loc" and c.kind == CITY and i <= c.i < j})


def _site_chain(doc: "Doc", counts: list[Candidate], others: list[Candidate]) -> Optional[Candidate]:
    """Sites listed one after another, each maybe placed, add up: "HQ, 2 warehouses, 1
    showroom" (4), "a warehouse in Reno NV and our main office in Sacramento" (2), "4 stores
    in the Denver area and one in Colorado Springs" (5), "HQ in Tallahassee + 4 field offices
    around the state" (5), "HQ in Overland Park, one branch each in Lee's Summit and
    Independence" (3). Two items at least. Not a chain: a count then its breakdown ("two
    sites, one in Hartford and one in Stamford" is 2), the business then its sites ("dental
    practice, 1 location"), two sites linked ("between the plant and the office")."""
    by_start = {c.i: c for c in counts}
    # a town after "in" is placed by the preposition, even a lowercase or ambiguous one ("in reno")
    places = {k for c in others if c.layer == "loc" for k in range(c.i, c.j)}
    states = frozenset(k for c in others if c.layer == "loc" and c.kind == "state" and doc[c.i].text[:1].isalpha()
                       and doc[c.i].lower_ not in _TOWN_PREPS for k in range(c.i, c.j))
    best: Optional[tuple[int, int, int, int]] = None  # items, total, i, j
    k = 0
    while k < len(doc):
        item = _chain_item(doc, k, by_start, places)
        if item is None or (k > 0 and doc[k - 1].lower_ == "between"):
            k += 1
            continue
        start, items, (total, end, kind) = k, 1, item
        kinds, value = [kind], total
        per_town = False  # "one office each" after the towns: the count stands alone
        while True:
            m = _place_tail(doc, end, places, states)
            if m < len(doc) and doc[m].lower_ == "each" and value == 1 and kind != _PLACED:
                tail_end = _place_tail(doc, m + 1, places)
                after_towns = _towns_between(m + 1, tail_end, others)
                before_towns = _towns_between(_sentence_start(doc, start), start, others)
                if after_towns >= 2:
                    # "one branch each in Lee's Summit and Independence": one per town named
                    total += after_towns - 1
                    m = end = tail_end
                elif items == 1 and before_towns >= 2:
                    # "Chicago + Milwaukee + Minneapolis, one office each": one per town named before
                    total, per_town = before_towns, True
                    break
            joined = m
            while m < len(doc) and doc[m].lower_ in _CHAIN_JOINERS:
                m += 1
            if m == joined:
                break
            nxt = _chain_item(doc, m, by_start, places, first=False)
            if nxt is None:
                break
            value, after, next_kind = nxt
            joiners = {t.lower_ for t in doc[joined:m]}
            if kinds[0] == _PLACED and next_kind != _PLACED:
                break  # "7 across Oregon and Washington, HQ is Portland": a count, then where HQ is
            if next_kind == _PLACED and kinds == [_COUNTED] and joiners <= {",", ";"}:
                break  # "two sites, one in Hartford and one in Stamford": the count, then its breakdown
            if items == 1 and kind == _INDEFINITE and next_kind == _COUNTED and joiners <= {",", ";"}:
                break  # "dental practice, 1 location in Scottsdale": the business, then its sites
            items += 1
            total += value
            end, kind = after, next_kind
            kinds.append(kind)
        if (items >= 2 or per_town) and (best is None or items > best[0]):
            best = (items, total, start, end)
        k = max(end, k + 1)
    if best is None:
        return None
    _, total, i, j = best
    span = doc[i:j]
    return Candidate("qty", i, j, span.start_char, span.end_char, NUM_LOCATIONS, total)


def _misspelt_site_count(doc: "Doc") -> Optional[Candidate]:
    """'3 locatoins', 'two offcies': a count before a near-spelling of a site noun."""
    import jellyfish

    for k in range(len(doc) - 1):
        token, noun = doc[k], doc[k + 1]
        low = noun.lower_
        if not token.like_num or not noun.is_alpha or len(low) < 6 or low in SITE_NOUN_SET:
            continue
        limit = 2 if len(low) >= 8 else 1
        if any(jellyfish.damerau_levenshtein_distance(low, known) <= limit for known in _FUZZY_SITE_NOUNS):
            value = parse_number_words([token.lower_])
            if value is not None and value == int(value) and 1 <= value <= 100_000:
                return Candidate("qty", k, k + 2, token.idx, noun.idx + len(noun.text), NUM_LOCATIONS, int(value))
    return None


_ANY_DETERMINER = ("a", "an", "one", "the", "our", "my", "1")
SINGULAR_SITE_NOUNS = frozenset(n for n in SITE_NOUNS if not n.endswith("s") or n in ("campus", "headquarters"))


def _single_site_at(doc: "Doc", i: int) -> int:
    """Length of one site named at token i: "the warehouse", "our main office", "HQ", "a
    small showroom", "the office"; 0 if none."""
    n = _main_office_at(doc, i)
    if n:
        return n
    n = _one_site_at(doc, i, _ANY_DETERMINER)
    if n and doc[i + n - 1].lower_ in SINGULAR_SITE_NOUNS:
        return n
    return 0


def _listed_single_sites(doc: "Doc") -> Optional[Candidate]:
    """'the main office and a warehouse', 'our office plus the warehouse next door', 'HQ and
    a small showroom': a reply that opens by naming single sites, two or more, counts them."""
    k = 0
    while k < len(doc) and doc[k].lower_ in _COUNT_LEAD_INS:
        k += 1
    start, items = k, 0
    end = k
    while k < len(doc):
        n = _single_site_at(doc, k)
        if not n:
            break
        items += 1
        k += n
        end = k
        if k < len(doc) and (doc[k].lower_ in _PLUS_WORDS or doc[k].text == ","):
            k += 1
            if k < len(doc) and doc[k].lower_ in _PLUS_WORDS:
                k += 1  # ", and"
            continue
        break
    if items < 2 or (end < len(doc) and doc[end].lower_ in NOT_SITES_AFTER):
        return None
    span = doc[start:end]
    return Candidate("qty", start, end, span.start_char, span.end_char, NUM_LOCATIONS, items)


# "offices in Tulsa, Norman and OKC": a plural site noun, one of these, then the towns.
_IN_TOWNS = frozenset({"in", "across", "at"})
_PLURAL_SITES = frozenset(n for n in SITE_NOUNS if n.endswith("s") and n not in ("campus", "headquarters", "hqs"))
# "shops in 3 towns", "we're spread across 4 cities": a count of the towns the sites are in.
_TOWN_NOUNS = frozenset({"towns", "cities", "communities", "neighborhoods", "neighbourhoods", "suburbs"})
_HEADQUARTERED = frozenset({"headquartered", "hq'd", "hqd"})
_SPREAD_WORDS = frozenset({"we're", "were", "are", "spread", "located", "based", "operate", "operating", "present"})


def _sites_in_listed_towns(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'offices in Tulsa, Norman and OKC', 'stores across Boise & Nampa': a site noun before a
    list of two or more towns is one site per town (a state after a town is skipped)."""
    town_end = {c.i: c.j for c in cands if c.layer == "loc" and c.kind == CITY}
    state_end = {c.i: c.j for c in cands if c.layer == "loc" and c.kind == "state"}
    for k in range(len(doc) - 2):
        if doc[k].lower_ not in _PLURAL_SITES:
            continue
        m = k + 1
        if doc[m].lower_ in ("are", "were") and m + 1 < len(doc):
            m += 1  # "our offices are in ..."
        if doc[m].lower_ not in _IN_TOWNS:
            continue
        m = end = m + 1
        towns = 0
        while True:
            if m in town_end:
                m = town_end[m]
            else:
                m = _unknown_town_at(doc, m)  # "houlton", "watford city": towns the gazetteer lacks
                if m is None:
                    break
            towns += 1
            end = m
            if m + 1 < len(doc) and doc[m].text == "," and (m + 1) in state_end:
                m = state_end[m + 1]  # "Tulsa, OK"
            elif m in state_end:
                m = state_end[m]
            if m < len(doc) and doc[m].lower_ in _COUNT_JOINERS:
                m += 1
                if m < len(doc) and doc[m].lower_ in ("and", "&"):
                    m += 1  # ", and"
            else:
                break
        if towns >= 2:
            # "headquartered in Salt Lake City, branch offices in Provo and Ogden", "offices in
            # a, b and c, HQ in d": one more
            main = any(t.lower_ in _HEADQUARTERED or _main_office_at(doc, t.i) for t in doc
                       if t.i < k or t.i >= end) or _one_site_plus(doc, k)
            span = doc[k:end]
            return Candidate("qty", k, end, span.start_char, span.end_char, NUM_LOCATIONS, towns + int(main))
    return None


_TOWN_JOINERS = frozenset({",", "and", "&", "+", "/"})


def _towns_before_sites(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'Reno and Elko stores', 'Austin, Waco & Tyler offices': towns listed right before a plural
    site noun are one site each; a main office named elsewhere ("Boise HQ, Nampa and Eagle
    branches") is one more."""
    town_start = {c.j: c.i for c in cands if c.layer == "loc" and c.kind == CITY}
    for k in range(2, len(doc)):
        if doc[k].lower_ not in _PLURAL_SITES or k not in town_start:
            continue
        m, towns = k, 0
        while m in town_start:
            m = town_start[m]
            towns += 1
            n = m
            while n > 0 and doc[n - 1].lower_ in _TOWN_JOINERS:
                n -= 1
            if n == m or n not in town_start:
                break
            m = n
        if towns >= 2:
            main = any(_main_office_at(doc, t.i) for t in doc if t.i < m or t.i > k)
            span = doc[m : k + 1]
            return Candidate("qty", m, k + 1, span.start_char, span.end_char, NUM_LOCATIONS, towns + int(main))
    return None


# "we have the shop in Ogden and that's it": one site, and the customer says there is no more.
_NO_MORE = (("that's", "it"), ("thats", "it"), ("that", "is", "it"), ("that's", "all"), ("thats", "all"),
            ("that", "'s", "it"), ("that", "\u2019s", "it"), ("that", "'s", "all"), ("that", "\u2019s", "all"))
_HAVING_WORDS = frozenset({"have", "got", "run", "own", "operate", "there's", "theres"})


def _one_site_and_no_more(doc: "Doc") -> Optional[Candidate]:
    """'we have the store in Casper and that's it', 'just got a shop downtown, thats all': one
    site the customer has, then words saying there is no other."""
    lows = [t.lower_ for t in doc]
    ends = [k for k in range(len(doc)) if any(tuple(lows[k : k + len(p)]) == p for p in _NO_MORE)]
    if not ends or any(low in _PLURAL_SITES for low in lows):
        return None
    sites = [k for k in range(ends[0]) if _single_site_at(doc, k) and not (k > 0 and _single_site_at(doc, k - 1))]
    if len(sites) != 1 or not any(low in _HAVING_WORDS for low in lows[max(0, sites[0] - 3) : sites[0]]):
        return None
    k = sites[0]
    last = doc[k + _single_site_at(doc, k) - 1]
    return Candidate("qty", k, last.i + 1, doc[k].idx, last.idx + len(last.text), NUM_LOCATIONS, 1)


def _one_site_plus(doc: "Doc", k: int) -> bool:
    """'a depot and yard in Enid, plus depots in Lawton and Ada': a single site named earlier in
    the sentence, then "plus" right before the plural site noun at token k, is one more."""
    m = k - 1
    while m >= 0 and doc[m].text == ",":
        m -= 1
    if m < 0 or doc[m].lower_ not in ("plus", "+"):
        return False
    return any(t.lower_ in SINGULAR_SITE_NOUNS for t in doc[_sentence_start(doc, m) : m])


# Words that make a list item no town: "offices in rural areas and small towns".
_NOT_TOWN_ITEM = frozenset({
    "rural", "small", "big", "several", "many", "different", "various", "other", "area", "areas", "towns",
    "cities", "places", "states", "counties", "county", "parts", "regions", "region", "suburbs", "downtown",
    "same", "each", "every", "all", "both", "need", "needs", "want", "have", "has", "had", "use", "using",
    "town", "state", "metro", "nearby",
})
_MAX_TOWN_WORDS = 3


def _unknown_town_at(doc: "Doc", m: int) -> Optional[int]:
    """The token after a town name of one to three plain words starting at token m ("houlton",
    "fort kent", "watford city", "red lodge": a site noun may end a name, not begin it) that ends at a joiner, a comma or the end of a clause; None
    when the words there are no such name ("i mostly work from home", "rural areas")."""
    n = m
    while n < len(doc) and n - m < _MAX_TOWN_WORDS and doc[n].is_alpha and not doc[n].is_stop \
            and doc[n].lower_ not in _NOT_TOWN_ITEM and (n > m or doc[n].lower_ not in SITE_NOUN_SET) \
            and doc[n].lower_ not in NOT_SITES_AFTER and not doc[n].like_num:
        n += 1
    if n == m:
        return None
    if n < len(doc) and not (doc[n].is_punct or doc[n].lower_ in _COUNT_JOINERS or doc[n].lower_ in ("and", "&")):
        return None  # the words go on: no name of a town
    return n


def _count_of_towns(doc: "Doc") -> Optional[Candidate]:
    """'shops in 3 towns', 'we're spread across four cities': as many sites as towns, when a
    site noun or a word of being there ("we're", "spread", "located") comes before."""
    for k in range(1, len(doc) - 1):
        token, noun = doc[k], doc[k + 1]
        if not token.like_num or noun.lower_ not in _TOWN_NOUNS or doc[k - 1].lower_ not in _IN_TOWNS:
            continue
        before = {t.lower_ for t in doc[:k - 1]}
        if not (before & (SITE_NOUN_SET | _SPREAD_WORDS)):
            continue
        value = parse_number_words([token.lower_])
        if value is not None and value == int(value) and 2 <= value <= 1000:
            return Candidate("qty", k, k + 2, token.idx, noun.idx + len(noun.text), NUM_LOCATIONS, int(value))
    return None


_OWN = frozenset({"our", "my", "the"})


_LIST_OPENERS = frozenset({":", "-", ".", ",", "\u2014", "\u2013", "("})
_LIST_JOINERS = frozenset({",", "and", "&", "+", "/", "plus"})
_MAX_ITEM_WORDS = 3


def _list_items(doc: "Doc", k: int) -> tuple[int, int]:
    """(items, token after) of a list starting at token k: items of one to three words joined
    by commas, "and", "&" ("savannah, brunswick and statesboro"); (0, k) when none."""
    items, m, words = 0, k, 0
    while m < len(doc):
        token = doc[m]
        if token.lower_ in _LIST_JOINERS or token.text == ")":
            if words == 0 and items == 0:
                return 0, k
            items += words > 0
            words = 0
        elif token.is_alpha and not token.like_num:
            words += 1
            if words > _MAX_ITEM_WORDS:
                return 0, k
        else:
            break
        m += 1
    return items + (words > 0), m


def _count_of_a_list(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'three: savannah, brunswick and statesboro', 'two. Mobile and Daphne': a count opening the
    reply followed by a list of as many names, places the gazetteer need not know; 'Locations:
    Tempe, Mesa, Gilbert, Chandler': a plural site noun, a colon, then the list."""
    labelled = _labelled_site_list(doc, cands)
    if labelled is not None:
        return labelled
    if any(c.kind == SERVICE for c in cands):
        return None  # "two: sip and broadband" lists services
    k = 0
    while k < len(doc) and doc[k].lower_ in _COUNT_LEAD_INS:
        k += 1
    if k + 2 < len(doc) and doc[k].like_num and doc[k + 1].text in _LIST_OPENERS:
        value = parse_number_words([doc[k].lower_])
        items, end = _list_items(doc, k + 2)
        if value is not None and items == value >= 2 and all(t.is_punct for t in doc[end:]):
            return Candidate("qty", k, k + 1, doc[k].idx, doc[k].idx + len(doc[k].text), NUM_LOCATIONS, int(value))
    return None


_SENTENCE_ENDS = frozenset({".", ";", "!", "\n"})


def _labelled_site_list(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """'Locations: Tempe, Mesa, Gilbert', 'Carrier: Cox. Sites: Ogden, Provo. Problem: ...': a
    plural site noun opening a sentence or a field, a colon, then a list of names to the end of
    that sentence, counts one site per name: each a place or a site ("Sites: need fiber, phones"
    lists no sites)."""
    place_starts = {c.i for c in cands if c.layer == "loc" and not c.needs_anchor}
    for k in range(len(doc) - 2):
        if doc[k].lower_ not in _PLURAL_SITES or doc[k + 1].text != ":":
            continue
        if k > 0 and not (doc[k - 1].is_punct or doc[k - 1].is_space or doc[k - 1].lower_ in _OWN):
            continue  # "we need new phones at two sites: ..." is a list of what, not of all the sites
        items, end = _list_items(doc, k + 2)
        named = sum(t.i in place_starts or t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS
                    for t in doc[k + 2 : end])
        if items >= 2 and named >= items and (end == len(doc) or doc[end].text.strip() in _SENTENCE_ENDS
                                              or doc[end].is_space or all(t.is_punct for t in doc[end:])):
            last = doc[end - 1]
            return Candidate("qty", k, end, doc[k].idx, last.idx + len(last.text), NUM_LOCATIONS, items)
    return None


def _one_or_both(doc: "Doc") -> Optional[Candidate]:
    """'our only office', 'our one and only shop': one site; 'both our stores', 'both of the
    clinics': two."""
    lows = [t.lower_ for t in doc]
    for k, low in enumerate(lows):
        if low == "both":
            m = k + 1 + (lows[k + 1 : k + 2] == ["of"])
            m += m < len(doc) and lows[m] in _OWN
            m += m < len(doc) and doc[m].is_alpha and lows[m] not in SITE_NOUN_SET and m + 1 < len(doc) and lows[m + 1] in _PLURAL_SITES
            if m < len(doc) and lows[m] in _PLURAL_SITES:
                return Candidate("qty", k, m + 1, doc[k].idx, doc[m].idx + len(doc[m].text), NUM_LOCATIONS, 2)
        if low in ("our", "my") and lows[k + 1 : k + 4] == ["one", "and", "only"] or low in ("our", "my") and lows[k + 1 : k + 2] == ["only"]:
            m = k + (4 if lows[k + 1] == "one" else 2)
            m += m < len(doc) and doc[m].is_alpha and lows[m] not in SINGULAR_SITE_NOUNS and m + 1 < len(doc) and lows[m + 1] in SINGULAR_SITE_NOUNS
            if m < len(doc) and lows[m] in SINGULAR_SITE_NOUNS:
                return Candidate("qty", k, m + 1, doc[k].idx, doc[m].idx + len(doc[m].text), NUM_LOCATIONS, 1)
    return None


def _main_office_only(doc: "Doc") -> Optional[Candidate]:
    """'just our HQ', 'only the main office', 'just our shop': one site."""
    for k in range(len(doc) - 1):
        if doc[k].lower_ in _ONLY_WORDS:
            n = _main_office_at(doc, k + 1) or _single_site_at(doc, k + 1)
            if n and k + 1 + n < len(doc) and not doc[k + 1 + n].is_punct:
                continue  # "only the office staff", "just the office has fiber": not the sites' number
            if n:
                end = doc[k + n]
                return Candidate("qty", k, k + 1 + n, doc[k].idx, end.idx + len(end.text), NUM_LOCATIONS, 1)
    return None


# A count that is the whole reply may be hedged ("25ish", "roughly 30", "a dozen give or take",
# "lots, like 70") or settled after a first guess ("thirty something, let's say 35", "between 8
# and 10, let's go with 9"): these words say so, and the number after a settling word counts.
_HEDGE_WORDS = frozenset({
    "ish", "~", "approx", "give", "take", "or", "so", "something", "odd", "lots", "many", "bunch",
    "handful", "few", "some", "say", "let's", "lets", "let", "go", "with", "call", "i'd", "id", "guess",
    "between", "to", "than", "more", "less", "over", "under", "plus", "maybe", "prob", "possibly",
    "sure", "not", "exactly", "precisely", "give-or-take", "count", "counting", "last", "i'm", "a",
})
_SETTLING_WORDS = frozenset({"say", "with", "it", "think", "guess", "call", "so", "prob", "probably", "maybe"})
# "100" alone is a count; four digits alone are more often a year or a code. A count alone is
# marked `alone` and the dialogue lets the question asked decide: asked nothing, only a small one
# is sites (bot.conversation.slot_updates.UNASKED_COUNT_MAX).
_MAX_BARE_REPLY = 999
# "a dozen of us", "just us four": the reply counts people.
_PEOPLE_MARKERS = frozenset({"us"})
# Two numbers joined by these are a range ("6 or 7", "between 10 and 12"): its top counts (the
# annotation guide, docs/nlu-evaluation.md).
_RANGE_WORDS = RANGE_JOINERS | {"and", "between"}
# Digits that are part of a phone number, a date or a time ("(425) 555-0168", "12/31", "3:30").
_NOT_A_COUNT_DIGITS = re.compile(r"\d\s*[/:().]\s*\d|\(\s*\d|\d\s+\d|\d-\d{3}|\d\s*%")
# What may stand around a count that is the whole reply (words, digits).
_AROUND_A_COUNT = _BARE_COUNT_FILLER | _HEDGE_WORDS | _RANGE_WORDS
_AROUND_DIGITS = _DIGIT_FILLER | _HEDGE_WORDS | _RANGE_WORDS


def _number_word(token: "Token") -> Optional[str]:
    """The token as a number word or digits ("25ish" -> "25", "~30" -> "30"), or None."""
    low = token.lower_
    stripped = low.strip("~+")
    if stripped.endswith("ish") and stripped[:-3].isdigit():
        return stripped[:-3]
    if token.like_num and low not in ("a", "an", "half"):
        return stripped
    if low in NUMBER_WORDS:
        return low  # (a slip in one, "eigth", was mended before: bot.understanding.spelling)
    return None


def _number_groups(words: list["Token"]) -> list[tuple[int, float, int]]:
    """(position of its first word, value, position after it) of each number said in `words`:
    "twenty-two", "two dozen", "a dozen and a half" (18), "25ish"."""
    groups: list[tuple[int, float, int]] = []
    k = 0
    while k < len(words):
        if _number_word(words[k]) is None and not (
            words[k].lower_ in ("a", "an", "half") and any(_number_word(w) is not None for w in words[k + 1 : k + 3])
        ):
            k += 1
            continue
        start, parts = k, []
        while k < len(words):
            word = _number_word(words[k])
            low = words[k].lower_
            if word is not None:
                parts.append(word)
            elif low in ("a", "an", "-", "half") or (low == "and" and k + 1 < len(words) and not words[k + 1].is_digit and (
                    _number_word(words[k + 1]) is not None or words[k + 1].lower_ in ("a", "an"))):
                parts.append(low)
            else:
                break
            k += 1
        half = parts[-3:] == ["and", "a", "half"] or parts[-2:] == ["and", "half"]
        if half:
            parts = parts[: -3 if parts[-2] == "a" else -2]
        value = parse_number_words(parts)
        if value is not None:
            groups.append((start, value * 1.5 if half else value, k))
    return groups


def _count_in_words_alone(doc: "Doc") -> Optional[Candidate]:
    """A reply that is only a count: "just the one", "a couple", "three", "15", "25ish",
    "twenty-two", "a dozen give or take", "thirty something, let's say 35". Marked `alone`: a
    count with nothing around it answers the question asked ("a dozen" asked for the head
    count is people), so the dialogue lets the question decide (bot.conversation.slot_updates)."""
    words = [t for t in doc if not (t.is_punct or t.is_space) or t.text == "~"]
    if not words or len(words) > 10 or any(t.lower_ in _PEOPLE_MARKERS for t in words):
        return None
    groups = _number_groups(words)
    inside = {k for start, _, end in groups for k in range(start, end)}
    others = [t for k, t in enumerate(words) if k not in inside]
    if not groups or any(t.lower_ not in _AROUND_A_COUNT for t in others):
        return None
    if [t.lower_ for t in words] == ["both"]:
        return None  # "both" answers "which of the two", not how many sites
    if _NOT_A_COUNT_DIGITS.search(doc.text) or any(any(c.isdigit() for c in t.text) for t in others):
        return None
    values = {value for _, value, _ in groups}
    if len(values) > 1:
        # two numbers: the one a settling word leads to ("let's say 35"), else the top of a range
        settled = [g for g in groups if g[0] > 0 and words[g[0] - 1].lower_ in _SETTLING_WORDS and g is not groups[0]]
        between = [t.lower_ for t in words[groups[0][2] : groups[1][0]]]
        if settled:
            groups = settled[-1:]
        elif len(groups) == 2 and between and all(w in _RANGE_WORDS for w in between) and groups[0][1] < groups[1][1]:
            groups = groups[1:]  # the top of a range (the annotation guide)
        else:
            return None
    start_k, value, end_k = groups[-1]
    digits = any(t.is_digit for t in words[start_k:end_k])
    if value != int(value) or not 1 <= value <= (_MAX_BARE_REPLY if digits else 100_000):
        return None
    lows = [t.lower_ for t in words]
    if digits and (any(t.lower_ not in _AROUND_DIGITS for t in others)
                   or (lows[0] == "so" and start_k == 1)):
        return None  # "at 3", "for 2": a time, not a count; "so 2" closes a description, not a reply
    start, end = words[start_k], words[end_k - 1]
    return Candidate("qty", start.i, end.i + 1, start.idx, end.idx + len(end.text), NUM_LOCATIONS, int(value),
                     extra={"alone": True})


def _clause_bounds(doc: "Doc") -> list[tuple[int, int]]:
    """Token ranges of the clauses of `doc`, split at _CLAUSE_ENDS; a hyphen inside a word
    ("twenty-five", "T-Mobile") splits nothing."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for token in doc:
        inside_word = token.text == "-" and token.i > 0 and not doc[token.i - 1].whitespace_
        if token.text in _CLAUSE_ENDS and not inside_word:
            bounds.append((start, token.i))
            start = token.i + 1
    bounds.append((start, len(doc)))
    return [(i, j) for i, j in bounds if j > i]


def _only_count_closing_clause(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """"a bakery in Reno, just the one", "two shops downtown - only the two": a
    clause of only "just"/"only", maybe "the", and a small count in words, among filler,
    counts the sites. A noun after the count is what it counts ("just one question", "only one
    of our phones"), so such a clause is no count of sites; nor one after a clause ending in a
    service or a thing ("SIP trunks, just two"). Marked `alone` (the question asked decides,
    as for `_count_in_words_alone`) unless the clause names sites ("just the one of our sites")."""
    for i, j in _clause_bounds(doc):
        words = [t for t in doc[i:j] if not (t.is_punct or t.is_space)]
        k = next((n for n, t in enumerate(words) if t.lower_ in _ONLY_WORDS), None)
        if k is None or any(t.lower_ not in _BARE_COUNT_FILLER for t in words[:k]):
            continue
        m = k + 1 + int(k + 1 < len(words) and words[k + 1].lower_ == "the")
        n = m
        while n < len(words) and words[n].like_num and not words[n].is_digit and words[n].lower_ not in ("a", "an"):
            n += 1
        if n == m or any(t.lower_ not in _BARE_COUNT_FILLER for t in words[n:]) or _counts_things_before(doc, i, cands):
            continue
        value = parse_number_words([t.lower_ for t in words[m:n]])
        if value is None or value != int(value) or not 1 <= value <= _MAX_BARE_COUNT:
            continue
        first, last = words[k], words[n - 1]
        alone = not any(t.lower_ in SITE_NOUN_SET for t in words)
        return Candidate("qty", first.i, last.i + 1, first.idx, last.idx + len(last.text), NUM_LOCATIONS, int(value),
                         extra={"alone": True} if alone else {})
    return None


_AROUND_A_COUNT_NOW = _COUNT_LEAD_INS | _NOW_WORDS | _BARE_COUNT_FILLER | {"to", "be", "exact", "precise"}


def _count_clause_after_sites(doc: "Doc") -> Optional[Candidate]:
    """"a small chain of coffee shops, 6 right now", "every time we open a new site ... we have
    12 now": a clause that is only a count and a word of now, in a reply that names sites."""
    if not any(t.lower_ in SITE_NOUN_SET for t in doc):
        return None
    for i, j in _clause_bounds(doc):
        words = [t for t in doc[i:j] if not (t.is_punct or t.is_space)]
        nums = [n for n, t in enumerate(words) if t.like_num and t.lower_ not in ("a", "an", "both", "half")]
        after = [t.lower_ for t in words[nums[0] + 1 :]] if len(nums) == 1 else []
        if len(nums) != 1 or not (set(after) & _NOW_WORDS or after[:3] in (["to", "be", "exact"], ["to", "be", "precise"])):
            continue
        if any(t.lower_ not in _AROUND_A_COUNT_NOW for n, t in enumerate(words) if n != nums[0]):
            continue
        token = words[nums[0]]
        value = parse_number_words([token.lower_])
        if value is not None and value == int(value) and 1 <= value <= 100_000 and not (token.is_digit and len(token.text) >= 4):
            return Candidate("qty", token.i, token.i + 1, token.idx, token.idx + len(token.text), NUM_LOCATIONS, int(value))
    return None


def _counts_things_before(doc: "Doc", i: int, cands: list[Candidate]) -> bool:
    """Whether the clause before token i ends by naming a service or things at the sites
    ("we need SIP trunks, just two", "40 phones, only the one"): a count after it counts those."""
    k = i - 1  # the clause end
    return k >= 1 and (doc[k - 1].lower_ in NOT_SITES_AFTER or any(c.kind == SERVICE and c.j == k for c in cands))


def _main_office_at(doc: "Doc", i: int) -> int:
    """Length in tokens of a main-office phrase starting at token i ("HQ", "the main office"), or 0."""
    k = i
    if k < len(doc) and doc[k].lower_ in ("our", "the", "a", "one"):
        k += 1
    for phrase in _MAIN_OFFICE:
        n = len(phrase)
        if tuple(t.lower_ for t in doc[k : k + n]) == phrase:
            return k + n - i
    return 0


def _one_site_at(doc: "Doc", i: int, determiners: tuple[str, ...] = ("a", "an", "one")) -> int:
    """Length of "a showroom", "one small warehouse" (a single site) starting at token i, or 0;
    with wider `determiners`, "the warehouse", "our office" too."""
    if i >= len(doc) or doc[i].lower_ not in determiners:
        return 0
    for n in (2, 3):
        if i + n <= len(doc) and doc[i + n - 1].lower_ in SITE_NOUN_SET and (n == 2 or doc[i + 1].is_alpha):
            return n
    return 0


def _plus_one_site(doc: "Doc", cand: Candidate, site_at: Callable[["Doc", int], int]) -> Candidate:
    """The count and one more site that `site_at(doc, i)` (its length in tokens, or 0) names
    on the other side of "plus"/"and": '3 branches and the HQ', 'HQ plus 3 branches' (with
    `_main_office_at`), 'a couple warehouses and a showroom', 'a warehouse and 3 stores'
    (with `_one_site_at`)."""
    j = cand.j
    if j + 1 < len(doc) and doc[j].lower_ in _PLUS_WORDS:
        n = site_at(doc, j + 1)
        if n:
            last = doc[j + n]
            return Candidate("qty", cand.i, j + 1 + n, cand.start, last.idx + len(last.text), NUM_LOCATIONS,
                             cand.payload + 1)
    if cand.i >= 2 and doc[cand.i - 1].lower_ in _PLUS_WORDS:
        for n in range(1, 5):
            i = cand.i - 1 - n
            if i >= 0 and site_at(doc, i) == n:
                return Candidate("qty", i, cand.j, doc[i].idx, cand.end, NUM_LOCATIONS, cand.payload + 1)
    return cand


def _leading_site_count(doc: "Doc", cands: list[Candidate]) -> Optional[Candidate]:
    """A count opening the reply and followed by a description of the sites, or opening any
    clause and followed by "total" ("Portland + Seattle offices, 3 in total") (see site_counts)."""
    found = _site_count_at(doc, 0, cands, described_by_list=True)
    asked = _after_echoed_question(doc)
    if found is None and asked is not None:
        found = _site_count_at(doc, asked, cands, described_by_list=True)
    for n, token in enumerate(doc):
        if found is not None:
            break
        if token.text in _CLAUSE_ENDS and n + 1 < len(doc):
            found = _site_count_at(doc, n + 1, cands, described_by_list=False)
    return found


def _after_echoed_question(doc: "Doc") -> Optional[int]:
    """'how many locations? 2 if you count the shed': the customer repeats the question, then
    answers it as a reply would open. The token after the question mark, or None."""
    lows = [t.lower_ for t in doc]
    for k in range(len(doc) - 2):
        if lows[k : k + 2] == ["how", "many"]:
            end = next((m for m in range(k + 2, min(len(doc), k + 6)) if doc[m].text == "?"), None)
            return end + 1 if end is not None and end + 1 < len(doc) else None
    return None


def _names_sites(span: "Span", cands: list[Candidate]) -> bool:
    """Whether a stretch of the reply names places or sites."""
    places = any(c.layer == "loc" and span.start <= c.i < span.end and not (c.needs_anchor or c.needs_place) for c in cands)
    return places or any(t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS for t in span)


def _site_count_at(doc: "Doc", k: int, cands: list[Candidate], *, described_by_list: bool) -> Optional[Candidate]:
    opening = k
    while k < len(doc) and (doc[k].lower_ in _COUNT_LEAD_INS | _CLOSING_LEAD_INS or doc[k].is_punct and k == 0):
        k += 1
    closing = any(t.lower_ in _CLOSING_LEAD_INS for t in doc[opening:k])
    start = k
    while k < len(doc) and (doc[k].like_num and not doc[k].lower_ in ("a", "an") or (
            # "sixty-five": a hyphen inside a number said in words
            k > start and doc[k].text == "-" and not doc[k - 1].whitespace_ and k + 1 < len(doc) and doc[k + 1].like_num)):
        k += 1
    if k == start:
        return None
    words = [t.lower_ for t in doc[start:k]]
    if any(len(w) >= 4 and w.isdigit() for w in words):
        return None  # a year, a ZIP, a phone fragment
    value = parse_number_words(words)
    if value is None or value < 1 or value != int(value) or value > 100_000:
        return None
    if all(t.is_punct for t in doc[k:]):
        # "Dallas and Houston, so 2", "offices downtown and by the airport, that's 2": a count
        # closing the reply after the sites were named
        if closing and opening > 0 and _names_sites(doc[:opening], cands):
            span = doc[start:k]
            return Candidate("qty", start, k, span.start_char, span.end_char, NUM_LOCATIONS, int(value))
        return None
    after = doc[k].lower_
    rest = doc[k + 1 :]
    described = False
    if described_by_list and after in _PLUS_WORDS and _single_site_at(doc, k + 1):
        # "three plus a warehouse", "4 and the HQ": one more site
        n = _single_site_at(doc, k + 1)
        span = doc[start : k + 1 + n]
        return Candidate("qty", start, k + 1 + n, span.start_char, span.end_char, NUM_LOCATIONS, int(value) + 1)
    if described_by_list and after in _INCLUDING_WORDS and any(
        t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS for t in doc[k + 1 : k + 6]
    ):
        described = True  # "5 if you count the warehouse", "6 including HQ"
    elif after in _TOTAL_WORDS and (after != "in" or (len(rest) and rest[0].lower_ in ("total", "all"))):
        described = True
    elif described_by_list and after in _NOW_WORDS:
        described = True  # "three now, four by summer"
    elif described_by_list and after in ("across", "in", "around") and any(
            c.layer == "loc" and c.i in (k + 1, k + 2) and not c.needs_anchor for c in cands):
        described = True  # "7 across Oregon and Washington", "3 in Boise": where the sites are
    elif described_by_list and doc[k].text in _DESCRIPTION_OPENERS and len(rest):
        places = any(c.layer == "loc" and c.i > k and not (c.needs_anchor or c.needs_place) for c in cands)
        sites = any(t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS or t.lower_ in _PLACE_WORDS for t in rest)
        sub_counts = any(t.like_num and n + 1 < len(rest) and rest[n + 1].lower_ in ("in", "at", "downtown", "near")
                         for n, t in enumerate(rest))
        described = places or sites or sub_counts or rest[0].lower_ in _TOTAL_WORDS | {"all", "both"} \
            or (rest[0].lower_ in _INCLUDING_WORDS - {"if", "with"}  # "seven, counting the one opening in May"
                and not any(t.lower_ in NOT_SITES_AFTER for t in rest))
    if not described or (k < len(doc) and doc[k].lower_ in NOT_SITES_AFTER):
        return None
    span = doc[start:k]
    return Candidate("qty", start, k, span.start_char, span.end_char, NUM_LOCATIONS, int(value))
