"""Sites listed one after another: "HQ in Houston, 2 yards in Beaumont and Corpus Christi" is four
sites (site_counts reads the chain when it counts more than the counts in it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from bot.understanding.candidates import CITY, NUM_LOCATIONS, Candidate
from bot.understanding.site_count_words import _ANY_DETERMINER, _CHAIN_JOINERS, _OWN, _PLACE_WORDS, _TOWN_PREPS
from bot.understanding.site_mentions import (_lowercase_town_after, _main_office_at, _same_kind, _sentence_start,
                                             _single_site_at)
from bot.understanding.site_nouns import MEASURE_NOUN_SET, NOT_SITES_AFTER, SINGULAR_SITE_NOUNS, SITE_NOUN_SET
from bot.understanding.validators import parse_number_words

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# What may describe where a site is, after it: "in Hartford CT", "around Utah county", "in the
# Denver area", "across the river in Omaha", "out back", "next door".
_TAIL_PREPS = frozenset({"in", "at", "around", "near", "across", "outside", "by", "on", "off", "over", "up", "down"})
_TAIL_WORDS = _PLACE_WORDS | frozenset({
    "the", "area", "metro", "valley", "state", "region", "river", "lake", "city", "back", "out", "next",
    "door", "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "same", "street", "road", "there", "here", "is", "are", "'s", "of", "other", "greater", "our", "town",
    "interstate", "freeway", "highway", "airport", "mall", "square", "harbor", "beach", "bay", "hill",
})
# Kinds of chain items: a count candidate, one site named with "the"/"our" or a main office,
# one site named bare or with "a" ("dental practice, 1 location": the business, then its
# sites), a count placed by itself ("one in Boise").
_COUNTED, _DEFINITE, _INDEFINITE, _PLACED = "counted", "definite", "indefinite", "placed"
# "the one in Salina" after one site named: one more of its kind (after a count, one of them)
_THE_ONE = "the one"
# "a cotton gin", "the roastery": a site of a kind site_nouns does not list, counted only in a
# chain that names a site it does list ("a feed mill and an office in Dodge City": 2)
_OTHER_KIND = "other kind"
# What an unlisted noun must not be to be a site: things and people at sites, what they buy,
# what goes wrong ("the office and a fax line", "our store and a new website", "HQ and the owner").
_NOT_SITES = NOT_SITES_AFTER | MEASURE_NOUN_SET | frozenset({
    "modem", "modems", "router", "routers", "line", "phone", "system", "systems", "computer", "printer",
    "camera", "cameras", "truck", "trucks", "van", "vans", "vehicle", "vehicles", "car", "cars", "bill", "bills",
    "contract", "account", "number", "plan", "backup", "connection", "network", "internet", "wifi", "price",
    "quote", "deal", "provider", "carrier", "company", "business", "problem", "problems", "issue", "issues",
    "outage", "outages", "question", "website", "app", "cell", "hotspot", "dish", "antenna", "server", "switch",
    "firewall", "pbx", "fax", "alarm", "alarms", "owner", "boss", "wife", "husband", "partner", "son", "daughter",
    "family", "kids", "customers", "clients", "patients", "tenants", "residents", "guests", "students", "guy",
    "lease", "landlord", "budget", "time", "bit", "lot", "ton", "mess", "headache", "one", "ones", "other",
    "others", "rest", "same", "thing", "things", "stuff", "service", "services", "speed", "support", "help",
})
# Parts of a map, not sites: "the upper peninsula", "the east side".
_REGION_WORDS = frozenset({"peninsula", "coast", "valley", "side", "panhandle", "area", "region", "county", "island",
                           "islands", "basin", "plains", "hills", "mountains", "border", "corridor", "metro", "check"})
# Endings of words that describe rather than name ("the biggest", "the busiest", "our remote").
_NOT_A_NOUN = ("est", "ing", "ed", "ly", "ous", "ful", "ive", "ote")
# What may follow an unlisted site: the end of a clause, a joiner, where it is.
_AFTER_A_SITE = frozenset({"and", "n", "plus", "+", "&", ",", ";", ".", "!", "in", "at", "near", "outside", "by",
                           "over", "across", "out", "next", "up", "down", "on", "off", "-", "("})
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


def _chain_item(doc: "Doc", k: int, counts: dict[int, Candidate], places: set[int],
                first: bool = True, taken: frozenset[int] = frozenset()) -> Optional[tuple[int, int, str]]:
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
    # "the clinic in Hays and the one in Salina", "the main store and the other one by the
    # interstate": one more of the kind before, told apart by where it is
    if not first and doc[k].lower_ in ("the", "another"):
        n = k + 1 + int(k + 1 < len(doc) and doc[k + 1].lower_ == "other")
        n += int(n < len(doc) and doc[n].lower_ == "one")
        if n > k + 1 and doc[n - 1].lower_ in ("one", "other") and _place_tail(doc, n, places) > n:
            return 1, n, _THE_ONE
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
    return _site_of_another_kind(doc, k, places, taken)


def _site_of_another_kind(doc: "Doc", k: int, places: set[int], taken: frozenset[int]) -> Optional[tuple[int, int, str]]:
    """'a cotton gin', 'the roastery', 'a ReStore': one site of a kind not listed, named with
    a determiner and one to three plain words that end a clause, meet a joiner or say where it
    is; none of them a place, a service or anything else read, and its last word no thing
    or person (_NOT_SITES). `_site_chain` counts it only beside a listed site."""
    if doc[k].lower_ not in ("a", "an", "the", "our", "my") or (doc[k].lower_ in ("a", "an") and _says_what_the_business_is(doc, k)):
        return None  # "we're a small manufacturer, plant in Escanaba and ...": the business, not a site
    if k > 0 and doc[k - 1].lower_ in _TAIL_PREPS | {"into", "from", "of", "to", "with", "for"}:
        return None  # "in a strip mall", "out of a trailer": where a site is, or what it has
    n = k + 1
    while n < len(doc) and n - k <= 2 and doc[n].is_alpha and not doc[n].like_num and not doc[n].is_stop \
            and n not in places and n not in taken:
        n += 1
    if n == k + 1 or (n < len(doc) and doc[n].lower_ not in _AFTER_A_SITE and not doc[n].is_space):
        return None
    head = doc[n - 1].lower_
    if (head in _NOT_SITES or head.rstrip("s") in _NOT_SITES or head in SITE_NOUN_SET or head.endswith(_NOT_A_NOUN)
            or head in _TAIL_WORDS or head in _REGION_WORDS):
        return None
    return 1, n, _OTHER_KIND


# A site noun before one of these names the whole business, not one site: "150+ locations,
# franchise system", "a store chain".
_WHOLE_BUSINESS_NOUNS = frozenset({"system", "chain", "group", "network", "model", "brand", "business", "company", "owner", "owners"})
_BEING_WORDS = frozenset({"we're", "were", "i'm", "im", "is", "are", "am"})


def _says_what_the_business_is(doc: "Doc", k: int) -> bool:
    """Whether "a"/"an" at token k follows "we're"/"we are"/"is" ("we're a nonprofit food bank",
    "this is a family bakery", said with a word describing it): what the business is, not one of
    its sites."""
    return k > 0 and doc[k - 1].lower_ in _BEING_WORDS


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
    taken = frozenset(k for c in others if c.layer != "loc" for k in range(c.i, c.j))
    best: Optional[tuple[int, int, int, int]] = None  # items, total, i, j
    k = 0
    while k < len(doc):
        item = _chain_item(doc, k, by_start, places, taken=taken)
        if item is None or (k > 0 and doc[k - 1].lower_ == "between"):
            k += 1
            continue
        start, items, (total, end, kind) = k, 1, item
        last_start = k
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
            nxt = _chain_item(doc, m, by_start, places, first=False, taken=taken)
            if nxt is None or (m == joined and not (kind == _PLACED and nxt[2] == _PLACED)):
                break  # no joiner: only placed counts typed one after another ("2 in boise 1 in nampa")
            value, after, next_kind = nxt
            joiners = {t.lower_ for t in doc[joined:m]}
            if next_kind == _THE_ONE and kind in (_COUNTED, _PLACED):
                break  # "3 stores, the one in Ogden has ...": one of them
            if kinds[0] == _PLACED and next_kind != _PLACED:
                break  # "7 across Oregon and Washington, HQ is Portland": a count, then where HQ is
            if next_kind == _PLACED and kinds == [_COUNTED] and joiners <= {",", ";"}:
                break  # "two sites, one in Hartford and one in Stamford": the count, then its breakdown
            if items == 1 and kind in (_INDEFINITE, _OTHER_KIND) and next_kind == _COUNTED and joiners <= {",", ";"}:
                break  # "dental practice, 1 location in Scottsdale": the business, then its sites
            if kind == _COUNTED and next_kind == _DEFINITE and joined == end and after == m + 2 and _same_kind(
                    doc[after - 1].lower_, {t.lower_ for t in doc[last_start:end] if t.lower_ in SITE_NOUN_SET}):
                # "3 stores, the store in Ogden has ...": one of them, not one more ("2 stores
                # in Reno and the store in Sparks", the count placed elsewhere, and "22 branch
                # libraries + the main library", one told apart, are one more)
                break
            items += 1
            total += value
            last_start, end, kind = m, after, next_kind
            kinds.append(kind)
        if _OTHER_KIND in kinds and all(kd == _OTHER_KIND for kd in kinds):
            items = 0  # no listed site among them: "a PRI and a fax line" names no site
        if (items >= 2 or per_town) and (best is None or items > best[0]):
            best = (items, total, start, end)
        k = max(end, k + 1)
    if best is None:
        return None
    _, total, i, j = best
    span = doc[i:j]
    return Candidate("qty", i, j, span.start_char, span.end_char, NUM_LOCATIONS, total)
