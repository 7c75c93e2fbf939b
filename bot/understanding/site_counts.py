"""How many sites a customer has, from the ways they say it (num_locations).

The extractor's matcher finds counts before a site noun ("3 offices", "a dozen stores");
`site_counts` then reads what those alone miss: counts that add up ("2 warehouses and 3
stores", "HQ plus 3 branches"), a count leading a description of the sites ("five, three in
Tulsa and two in Norman", "3 total, all in Kansas"), a count in words that is the whole reply
("just the one", "a couple") or closes a clause of it ("a bakery in Reno, just the one"), a
misspelt site noun ("3 locatoins") and "just our HQ".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from bot.understanding.candidates import CITY, NUM_LOCATIONS, SERVICE, Candidate
from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

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
# Digits alone count sites only when small ("3", "only 2", "we have 4"): a bare "40" is more
# often the head count; either way the reply is marked `alone`, and the dialogue lets the
# question asked decide (bot.conversation.slot_updates).
_MAX_BARE_DIGITS = 12
# A site noun followed by one of these names people or things at the sites.
SITE_NOUN_SET = frozenset(SITE_NOUNS)
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
    counts = sorted((c for c in cands if c.kind == NUM_LOCATIONS), key=lambda c: c.i)
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
    if not counts:
        lead = (_leading_site_count(doc, others) or _count_in_words_alone(doc) or _misspelt_site_count(doc)
                or _listed_single_sites(doc) or _main_office_only(doc) or _sites_in_listed_towns(doc, others)
                or _count_of_towns(doc) or _only_count_closing_clause(doc, others))
        if lead is not None:
            counts = [lead]
    return others + counts


_CONTAINER_PREPS = frozenset({"on", "in", "at", "across", "within", "inside", "under"})
_WHERE_PREPS = frozenset({"in", "at", "near", "downtown", "outside", "around", "by"})


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
_SINGULAR_SITES = frozenset(n for n in SITE_NOUNS if not n.endswith("s") or n in ("campus", "headquarters"))


def _single_site_at(doc: "Doc", i: int) -> int:
    """Length of one site named at token i: "the warehouse", "our main office", "HQ", "a
    small showroom", "the office"; 0 if none."""
    n = _main_office_at(doc, i)
    if n:
        return n
    n = _one_site_at(doc, i, _ANY_DETERMINER)
    if n and doc[i + n - 1].lower_ in _SINGULAR_SITES:
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
        while m in town_end:
            towns += 1
            m = end = town_end[m]
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
            # "headquartered in Salt Lake City, branch offices in Provo and Ogden": one more
            main = any(t.lower_ in _HEADQUARTERED or _main_office_at(doc, t.i) for t in doc[:k])
            span = doc[k:end]
            return Candidate("qty", k, end, span.start_char, span.end_char, NUM_LOCATIONS, towns + int(main))
    return None


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


def _main_office_only(doc: "Doc") -> Optional[Candidate]:
    """'just our HQ', 'only the main office': one site."""
    for k in range(len(doc) - 1):
        if doc[k].lower_ in _ONLY_WORDS:
            n = _main_office_at(doc, k + 1)
            if n:
                end = doc[k + n]
                return Candidate("qty", k, k + 1 + n, doc[k].idx, end.idx + len(end.text), NUM_LOCATIONS, 1)
    return None


def _count_in_words_alone(doc: "Doc") -> Optional[Candidate]:
    """A reply that is only a small count in words: "just the one", "a couple", "three",
    "a dozen or so". Marked `alone`: asked for the head count, "a dozen" is people, so the
    dialogue lets the question decide (bot.conversation.slot_updates). Digits alone ("40") are
    left to the question being answered: they are as often a head count."""
    words = [t for t in doc if not (t.is_punct or t.is_space) and t.lower_ not in _BARE_COUNT_FILLER]
    if not words or len(words) > 4:
        return None
    digits = [t for t in words if t.is_digit]
    if digits and (len(words) > 1 or len(digits[0].text) > 2
                   or any(t.lower_ not in _DIGIT_FILLER for t in doc if not (t.is_punct or t.is_space or t.is_digit))):
        return None
    if [t.lower_ for t in words] == ["both"]:
        return None  # "both" answers "which of the two", not how many sites
    if not all(t.like_num or t.lower_ in ("a", "an", "and", "-") for t in words) or not any(t.like_num for t in words):
        return None
    value = parse_number_words([t.lower_ for t in words])
    if value is None or value != int(value) or not 1 <= value <= (_MAX_BARE_DIGITS if digits else _MAX_BARE_COUNT):
        return None
    start, end = words[0], words[-1]
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
    for n, token in enumerate(doc):
        if found is not None:
            break
        if token.text in _CLAUSE_ENDS and n + 1 < len(doc):
            found = _site_count_at(doc, n + 1, cands, described_by_list=False)
    return found


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
    while k < len(doc) and doc[k].like_num and not doc[k].lower_ in ("a", "an"):
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
        t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS for t in doc[k + 1 : k + 5]
    ):
        described = True  # "5 if you count the warehouse", "6 including HQ"
    elif after in _TOTAL_WORDS and (after != "in" or (len(rest) and rest[0].lower_ in ("total", "all"))):
        described = True
    elif described_by_list and after in _NOW_WORDS:
        described = True  # "three now, four by summer"
    elif described_by_list and doc[k].text in _DESCRIPTION_OPENERS and len(rest):
        places = any(c.layer == "loc" and c.i > k and not (c.needs_anchor or c.needs_place) for c in cands)
        sites = any(t.lower_ in SITE_NOUN_SET or t.lower_ in _MAIN_OFFICE_WORDS or t.lower_ in _PLACE_WORDS for t in rest)
        sub_counts = any(t.like_num and n + 1 < len(rest) and rest[n + 1].lower_ in ("in", "at", "downtown", "near")
                         for n, t in enumerate(rest))
        described = places or sites or sub_counts or rest[0].lower_ in _TOTAL_WORDS | {"all", "both"}
    if not described or (k < len(doc) and doc[k].lower_ in NOT_SITES_AFTER):
        return None
    span = doc[start:k]
    return Candidate("qty", start, k, span.start_char, span.end_char, NUM_LOCATIONS, int(value))
