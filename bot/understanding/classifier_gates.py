"""When the classifier's codes are believed (the learned and union approaches): only in a message
with words of a problem or a service beyond its facts (_has_topic_evidence), and less the codes
the wording rules out (_plausible_learned): a topic said to be fine, a contract told as a fact,
codes that other words explain away (slowness read as outages, many bills read as a high price).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.understanding.all_well_clauses import _SATISFIED, _TROUBLE
from bot.understanding.candidates import (CARRIER, CHALLENGE, CITY, CONTRACT_END, EMAIL, EMPLOYEES, NUM_LOCATIONS,
                                          PHONE, SERVICE, US_STATE, ZIP_CODE)
from bot.understanding.challenge_relocation import _moves_a_service
from bot.understanding.challenge_speed import _PROMISE_WORDS, _paid_speed_shortfall
from bot.understanding.challenge_support import _DELAY_WORDS, _TOOK_WORDS, _slow_to_act
from bot.understanding.challenge_vendors import (_BILL_WORDS, _DEPENDENCE_CUES, _MANY_WORDS, _VENDOR_WORDS,
                                                 _one_vendor_wished)
from bot.understanding.clauses import _clauses
from bot.understanding.extracted_entity import ExtractedEntity
from bot.understanding.hedges import NOT_KNOWING_RE
from bot.understanding.site_nouns import PEOPLE_NOUNS, SITE_NOUN_SET
from bot.understanding.topic_classifier import CONCEPTS
from bot.understanding.topic_words import _TOPIC_JOINERS
from bot.understanding.vocabulary import Vocabulary
from bot.understanding.wordforms import stem

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc


# Entities that are facts about the customer, not problems: a message made only of them
# ("one", "we're up to 12 locations now", "Verizon", "contract ends in May") names no challenge.
_FACT_ENTITIES = frozenset({NUM_LOCATIONS, EMPLOYEES, CITY, US_STATE, ZIP_CODE, CARRIER, EMAIL, PHONE, CONTRACT_END})
# Words that say something about a problem although spaCy lists them as stop words.
_PROBLEM_STOP_WORDS = frozenset({
    "down", "out", "never", "no", "not", "nobody", "nothing", "off", "too", "cannot", "without", "over",
    "much", "more", "less", "few", "enough", "again", "always", "against", "back", "keep", "full",
    "move", "empty", "still", "serious", "call", "get", "go", "take", "put", "give", "show", "make", "made",
    "n't", "none", "noone", "up",
})
# Words that carry nothing about a problem in a reply to a form question.
_NEUTRAL_WORDS = frozenset({
    "we're", "were", "we've", "i'm", "im", "it's", "its", "that's", "there's", "theres", "here's", "ok", "okay",
    "yeah", "yep", "yes", "um", "uh", "hmm", "lol", "right", "now", "currently", "total", "altogether",
    "just", "only", "about", "around", "roughly", "approximately", "like", "maybe", "probably", "guess",
    "think", "ish", "so", "well", "oh", "hi", "hey", "hello", "thanks", "thx", "em", "them", "both", "all",
    "single", "couple", "dozen", "pair", "handful", "few", "several", "multiple", "main", "plus",
    # what is bought, named alone, is no problem ("service", "just the internet and phones")
    "service", "services", "internet", "phone", "phones", "voice", "data", "wifi", "telecom", "quality",
})
_SITE_WORDS = SITE_NOUN_SET | frozenset(PEOPLE_NOUNS)
# Word forms without one of which a message names no support problem: "i have to call 4
# companies to find whose fault it is" is about vendors, not the help desk (wordforms.stem).
_SUPPORT_CUES = frozenset(stem(w) for w in (
    "support", "help", "helpdesk", "rep", "reps", "representative", "tech", "techs", "technician", "ticket",
    "tickets", "hold", "respond", "response", "responsive", "unresponsive", "answer", "answers", "callback",
    "back", "service", "manager", "agent", "agents", "chat", "chatbot", "escalate", "escalation", "fix", "fixed",
    "fixing", "repair", "repairs", "someone", "anyone", "human", "person", "nobody",
    "care", "account", "bot", "script", "scripts", "queue", "phone tree", "email", "emails", "reply", "ghosted",
    "useless", "clueless", "rude", "show", "shows", "showed", "owns", "responsibility", "pick", "picks", "picked",
    "fault", "blame", "blames", "department", "transferred", "passed", "voicemail", "accountability", "accountable", "helpline", "hotline", "wait", "waiting",
))
# "nobody else serves us", "nobody but the co-op": no other provider (vendor_dependence), not
# nobody at the help desk.
_NO_OTHER_AFTER = frozenset({"else", "but"})


def _no_other_provider(doc: "Doc", k: int) -> bool:
    return doc[k].lower_ in ("nobody", "noone") and k + 1 < len(doc) and doc[k + 1].lower_ in _NO_OTHER_AFTER


# Word forms without one of which a message names no outage: "the stream buffers constantly"
# and "we keep outgrowing the connection" are slowness (wordforms.stem).
_FAILURE_CUES = frozenset(stem(w) for w in (
    *CONCEPTS["FAIL"], "outage", "outages", "down", "downtime", "uptime", "reliability", "reliable", "unreliable",
    "drop", "dropped", "dropping", "work", "works", "working", "broken", "break", "breaks", "hiccup", "hiccups",
    "blips", "choppy", "crackle", "jitter", "interruption", "interruptions", "sla", "storm", "storms", "rain",
    "rains", "snow", "reset", "restart", "flaky", "disconnects", "disconnected", "nothing", "dark", "dies",
    "stable", "stability", "fails", "failing", "goes", "gone", "lose", "losing", "issue", "issues", "problem",
    "problems", "trouble", "ring", "busy", "quality", "fax", "dial", "connect", "connecting", "tone", "out",
))
# Word forms without one of which a message names no price: a bill or an invoice alone is no
# complaint of cost (wordforms.stem).
_PRICE_LEVEL_CUES = frozenset(stem(w) for w in (
    *(w for w in CONCEPTS["COST"] if w not in ("bill", "billing", "invoice", "statement", "monthly")),
    *(w for w in CONCEPTS["EXCESS"] if w not in ("double", "much", "up")),
    "expensive", "pricey", "costly", "overpay", "overpaying", "overpriced", "afford", "cheap", "cheaper", "cheapest",
    "save", "saving", "savings", "fortune", "ton", "much", "more", "deal", "bucks", "dollars",
))


# Word forms without one of which a message names no slow install: "we lost internet for 2 days"
# is an outage, not a wait for a new line (wordforms.stem).
_INSTALL_CUES = frozenset(stem(w) for w in (
    "install", "installs", "installed", "installation", "installer", "provision", "provisioning", "provisioned",
    "circuit", "circuits", "turn", "activation", "activate", "activated", "hookup", "hook", "lead", "order",
    "ordered", "survey", "build", "buildout", "construction", "live", "connect", "connected", "new", "wait",
    "waiting", "waited", "still", "date", "dates", "delay", "delays", "delayed", "promised", "schedule",
    "scheduled", "light", "lit", "fiber", "drop", "permit", "permits", "move", "moved", "moving", "open",
    "opening", "change", "changes", "add", "adding", "upgrade", "took", "takes", "taking", "get", "getting", "got", "told", "quoted",
))
# Word forms without one of which a message names no relocation (wordforms.stem).
_MOVE_CUES = frozenset(stem(w) for w in (
    "move", "moving", "moved", "movin", "relocate", "relocating", "relocation", "new", "open", "opening", "opens",
    "expand", "expanding", "expansion", "lease", "build", "building", "buildout", "construction", "another",
    "second", "third", "fourth", "additional", "adding", "add", "grow", "growing", "growth", "soon",
    "coming", "upcoming", "future", "plan", "planning", "spring", "summer", "fall", "winter", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "q1", "q2", "q3", "q4", "bigger", "larger", "space", "consolidate", "consolidating", "launch",
    "acquire", "acquired", "acquisition", "buying", "bought", "remodel", "renovation", "transfer",
))
# What names the wireless service (a need for "backup" alone is need_redundancy, not it).
_WIRELESS_WORDS = frozenset({
    "lte", "4g", "5g", "cell", "cellular", "wireless", "mobile", "hotspot", "modem", "sim", "verizon", "t-mobile",
    "tmobile", "at&t", "radio", "satellite", "starlink", "mifi", "router", "cradlepoint", "inseego",
})
# Services named by a qualifier of a general word ("dark fiber", "fiber"): the classifier's
# reading of one needs a word only its own phrases use (Vocabulary.words_only_of_service).
_QUALIFIED_SERVICES = ("dark_fiber",)
# A reply this short without a joiner names one topic: the phrases' reading of it is enough.
_ONE_TOPIC_WORDS = 3
# Contract facts ("we're month to month", "the agreement expires in 2027", "we signed a 3 year
# deal") are not contract_inflexibility unless the wording complains.
# Words that state a contract's status or dates ("ends", "up in", "signed", "month to month").
_CONTRACT_STATUS = frozenset({
    "ends", "end", "ending", "ended", "expires", "expire", "expiring", "expired", "expiration", "up", "runs", "run",
    "through", "thru", "renews", "renewed", "signed", "month", "months", "year", "years", "since", "started",
    "wraps", "finishes",
})
# The most words of a reply that says only what the customer doesn't know.
_HEDGE_WORDS = 6
# Of the words above, those that complain only beside a contract word ("can't leave"), not
# in a hedge ("not sure about the contract").
_NEGATIONS = frozenset({"not", "n't", "never", "nothing", "can't", "cant", "cannot", "won't", "wont", "without"})
_CONTRACT_COMPLAINT = frozenset({
    "stuck", "locked", "lock", "trapped", "trap", "tied", "penalty", "penalties", "fee", "fees", "hate",
    "regret", "rigid", "inflexible", "flexibility", "flexible", "can't", "cant", "cannot", "won't", "wont",
    "forced", "force", "auto", "automatically", "screwed", "leave", "leaving", "cancel", "buyout",
    "long", "too", "let", "break", "breaking", "escape", "commitment", "commitments", "minimum", "ties",
    "evergreen", "without", "again", "another", "more", "not", "never", "n't", "nothing", "wiggle", "trapped",
    "termination", "terminate", "early", "liability", "liabilities", "throat", "hostage", "handcuffed", "chained",
})


def _has_topic_evidence(doc: "Doc", entities: list[ExtractedEntity]) -> bool:
    """Whether the message has a word the classifier may read a problem or a service in: one
    that is not inside a fact (a count, a place, a carrier, a date...), not a number, not a
    site or people noun and not a word of no content ("we're at 12 locations now", "one",
    "only 2", "Denver, CO")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    facts = [(e.start, e.end) for e in entities if e.entity in _FACT_ENTITIES]
    for t in doc:
        if not (t.is_alpha or "'" in t.text) or t.like_num or any(s <= t.idx < e for s, e in facts):
            continue
        low = t.lower_.replace("\u2019", "'")
        if low in _NEUTRAL_WORDS or low in _SITE_WORDS or (low in STOP_WORDS and low not in _PROBLEM_STOP_WORDS):
            continue
        return True
    return False


# What there may be many of to manage: sites, bills, vendors, their accounts and systems.
_MANAGED_NOUNS = (SITE_NOUN_SET | _BILL_WORDS | _VENDOR_WORDS | frozenset({
    "companies", "accounts", "portals", "logins", "systems", "contracts", "numbers", "circuits", "lines", "networks",
    "setups", "departments",
}))
_MANY_CUES = _MANY_WORDS | frozenset({"each", "every", "all", "across", "between", "both", "per", "too", "own"})
_MANY_REACH = 3


def _names_many(doc: "Doc", entities: list[ExtractedEntity]) -> bool:
    """Whether the message speaks of many things to manage (multi_site_management): more than
    one site counted, a count or a word of many before a site, bill or vendor noun ("five
    bills", "each store", "different carriers", "all the branches"), or a plural of one of them
    ("the invoices", "our sites"); not one bill ("the invoice every month")."""
    if any(e.entity == NUM_LOCATIONS and isinstance(e.value, (int, float)) and e.value >= 2 for e in entities):
        return True
    lows = [t.lower_ for t in doc]
    for k, low in enumerate(lows):
        if low not in _MANAGED_NOUNS:
            continue
        before = lows[max(0, k - _MANY_REACH) : k]
        if low.endswith("s") and low not in ("bus", "status", "campus"):
            return True
        counted = any(doc[m].like_num and lows[m] not in ("a", "an", "one", "1") for m in range(max(0, k - _MANY_REACH), k))
        if counted or any(w in _MANY_CUES for w in before) or "both" in lows[k + 1 : k + 1 + _MANY_REACH]:
            return True
    return False


# "every blip costs us orders", "we lose money when it drops", "$20k an hour in lost sales":
# money lost to downtime.
_LOSS_VERBS = frozenset({"lose", "loses", "losing", "lost", "costs", "costing"})
_LOSS_OBJECTS = frozenset({
    "money", "sales", "sale", "orders", "order", "revenue", "business", "customers", "customer", "jobs", "deals",
    "bookings", "appointments", "patients", "productivity", "income", "thousands", "hundreds", "millions", "dearly",
})
_PRICE_WORDS = frozenset(stem(w) for w in (
    "bill", "billing", "invoice", "price", "pricing", "rate", "charge", "fee", "pay", "paying", "paid", "expensive",
    "pricey", "cheap", "cheaper", "budget", "spend", "spending", "month", "monthly", "mo", "quote", "renewal",
    "contract", "overpay", "overpaying", "afford", "fortune", "save", "savings",
))


def _price_named(doc: "Doc") -> bool:
    """Whether the message names a price other than by paying for something ("$650 a month",
    "the bill", "expensive", "a fee")."""
    return any(stem(t.lower_) in _PRICE_WORDS and t.lower_ not in _PROMISE_WORDS for t in doc) or any(
        t.text[:1] == "$" for t in doc)


def _money_only_lost(doc: "Doc") -> bool:
    """Whether the message speaks of money only as lost to downtime ("every outage costs us
    orders", "when it drops we lose money"): a loss verb with what is lost (or a sum) just
    after it, and no word of a price paid (bill, rate, fee, pay, monthly...) anywhere."""
    lows = [t.lower_ for t in doc]
    loss = False
    for k, low in enumerate(lows):
        if low in _LOSS_VERBS or (low == "cost" and lows[k + 1 : k + 2] in (["us"], ["me"], ["them"])):
            after = lows[k + 1 : k + 4]
            if any(w in _LOSS_OBJECTS or w[:1] == "$" or w[:1].isdigit() for w in after):
                loss = True
    return loss and not any(stem(w) in _PRICE_WORDS for w in lows)


# "out back", "out of state", "out in the field": "out" that says where, not that a line is out
# ("the line is out at the shop", "phones out of service" are outages).
_WHERE_AFTER_OUT = frozenset({"back", "front", "here", "there", "west", "east", "north", "south"})
_PLACES_OUT_OF = frozenset({"town", "state", "country", "area", "the"})
_OUT_IN = frozenset({"field", "country", "sticks", "boonies"})


def _out_somewhere(doc: "Doc", k: int) -> bool:
    """Whether token k is "out" saying where something is ("out back", "out of town", "out in
    the field"), not that a line is out."""
    if doc[k].lower_ != "out" or k + 1 >= len(doc):
        return False
    after = [t.lower_ for t in doc[k + 1 : k + 4]]
    return (after[0] in _WHERE_AFTER_OUT or (after[0] == "of" and after[1:2] != [] and after[1] in _PLACES_OUT_OF
                                              and "service" not in after)
            or (after[0] == "in" and bool(set(after[1:]) & _OUT_IN)))


def _codes_other_words_explain(doc: "Doc", entities: list[ExtractedEntity]) -> set[str]:
    """Challenge codes of the classifier that other words of the message explain away: slowness
    read as outages, many bills read as high prices, one bill read as many, a speed short of
    the one paid for or money lost to downtime read as a price, one vendor wished for read as
    dependence on one."""
    out: set[str] = set()
    told = {e.value for e in entities if e.entity == CHALLENGE and not e.negated}
    failure = any(stem(t.lower_) in _FAILURE_CUES and not _out_somewhere(doc, t.i) for t in doc)
    if "bandwidth" in told and not failure:
        out.add("reliability")  # "the stream buffers", "we keep outgrowing the connection"
    if not failure and any(_out_somewhere(doc, t.i) for t in doc):
        out.add("reliability")  # "3 trucks out back": where things are, not a line that is out
    if "multi_site_management" in told and not any(stem(t.lower_) in _PRICE_LEVEL_CUES or t.text[:1] == "$" for t in doc):
        out.add("high_cost")  # "9 different bills", "matching invoices from 6 providers"
    if not _names_many(doc, entities):
        out.add("multi_site_management")  # "the invoice shocks me every month": one bill, its size
    if _paid_speed_shortfall(doc) is not None and not _price_named(doc):
        out.add("high_cost")  # "paying for 300 meg and getting 40": the speed falls short
    if _money_only_lost(doc):
        out.add("high_cost")  # "every outage costs us orders": the price of downtime
    if _asks_for_prices(doc):
        out.add("high_cost")  # "need a quote for phones", "looking for pricing": why they came
    if _one_vendor_wished(doc) is not None and not any(stem(t.lower_) in _DEPENDENCE_CUES for t in doc):
        out.add("vendor_dependence")  # "we want one provider for all of it": consolidation
    lows = [t.lower_ for t in doc]
    if any(w in _TOOK_WORDS and _slow_to_act(doc, lows, k) is not None for k, w in enumerate(lows)) and not any(
            stem(w) in _NEW_LINE_CUES for w in lows):
        out.add("slow_install")  # "they take days to show up": a fix awaited, not a new line
    if "slow_install" in told and "relocation" not in told and any(
            w in _TOOK_WORDS and any(v in _DELAY_WORDS for v in lows[k + 1 : k + 5]) for k, w in enumerate(lows)):
        out.add("relocation")  # "adding a site takes months": the wait for its lines (_as_slow_install)
    return out


# A quote asked for is why the customer came, not a price too high: "need a quote for phones",
# "looking for pricing on internet". Unless the price is judged too ("better pricing", "$900").
_QUOTE_NOUNS = frozenset({"quote", "quotes", "pricing", "estimate", "estimates", "proposal", "proposals", "bid", "bids"})
_REQUEST_WORDS = frozenset({"need", "needs", "want", "wants", "get", "getting", "send", "looking", "request",
                            "requesting", "give", "like", "can", "could", "please", "for", "some", "a", "an"})
_PRICE_JUDGED_WORDS = frozenset(stem(w) for w in (
    *CONCEPTS["EXCESS"], "expensive", "pricey", "costly", "overpay", "overpaying", "overpriced", "afford", "cheaper",
    "cheapest", "save", "saving", "savings", "fortune", "better", "lower", "less", "reduce", "cut", "high", "higher",
    "bill", "bills", "paying", "pay", "spend", "spending"))


def _asks_for_prices(doc: "Doc") -> bool:
    """Whether the message asks for prices ("get me a quote on SIP", "looking for pricing")
    and judges none; "pricing." alone or "the quote for renewal made us choke" judge one."""
    lows = [t.lower_ for t in doc]
    asked = any(w in _QUOTE_NOUNS and any(v in _REQUEST_WORDS for v in lows[max(0, k - 3):k])
                for k, w in enumerate(lows))
    return asked and not {stem(w) for w in lows} & _PRICE_JUDGED_WORDS and not any(
        t.text[:1] == "$" for t in doc)


# Word forms of a new line being brought up (an install), unlike a fix awaited.
_NEW_LINE_CUES = frozenset(stem(w) for w in (
    "install", "installs", "installation", "installer", "provision", "provisioning", "activation", "activate",
    "turn-up", "order", "lead", "build", "buildout", "construction", "hookup", "survey", "new", "circuit", "drop",
))


def _plausible_learned(doc: "Doc", entities: list[ExtractedEntity], learned: list[ExtractedEntity],
                       vocabulary: Vocabulary) -> list[ExtractedEntity]:
    """The classifier's challenges, less those the wording rules out: a topic said to be fine
    ("support has been fine"), a contract named only as a fact ("contract ends in June",
    "we're month to month") and codes other words explain away (_codes_other_words_explain).
    `vocabulary` is the extractor's own, so a qualified service is judged by the words it was built with."""
    if not learned:
        return learned
    words = {t.lower_.replace("\u2019", "'") for t in doc}
    if not words & _WIRELESS_WORDS:
        # "backup", "failover": a need, not the wireless service unless something wireless is named
        learned = [e for e in learned if (e.entity, e.value) != (SERVICE, "wireless_backup")]
    from spacy.lang.en.stop_words import STOP_WORDS  # loaded with the doc's spaCy

    for code in _QUALIFIED_SERVICES:
        if not words & (vocabulary.words_only_of_service(code) - STOP_WORDS):
            # "fiber" alone is internet over fiber: the classifier leans to dark fiber too
            learned = [e for e in learned if (e.entity, e.value) != (SERVICE, code)]
    alpha = [t for t in doc if t.is_alpha]
    if (len(alpha) <= _ONE_TOPIC_WORDS and not any(t.lower_ in _TOPIC_JOINERS for t in doc)
            and any(e.entity == CHALLENGE and not e.negated for e in entities)):
        # a short reply of one topic the phrases already read ("single vendor", "one bill")
        learned = [e for e in learned if e.entity != CHALLENGE]
    if words & _SATISFIED and not words & _TROUBLE and all(clause & _SATISFIED for clause in _clauses(doc)):
        return [e for e in learned if e.entity != CHALLENGE]
    if not any(stem(t.lower_) in _SUPPORT_CUES and not _no_other_provider(doc, t.i) for t in doc):
        learned = [e for e in learned if (e.entity, e.value) != (CHALLENGE, "poor_support")]
    if not any(stem(t.lower_) in _INSTALL_CUES for t in doc):
        learned = [e for e in learned if (e.entity, e.value) != (CHALLENGE, "slow_install")]
    ruled_out = _codes_other_words_explain(doc, entities)
    learned = [e for e in learned if not (e.entity == CHALLENGE and e.value in ruled_out)]
    facts = [(e.start, e.end) for e in entities if e.entity in _FACT_ENTITIES]
    if not any(stem(t.lower_) in _MOVE_CUES and not _moves_a_service(doc, t.i)
               for t in doc if not any(s <= t.idx < e for s, e in facts)):
        # relocation is a change of sites: "the office and a warehouse next door" is where they are
        learned = [e for e in learned if (e.entity, e.value) != (CHALLENGE, "relocation")]
    dates = [(e.start, e.end) for e in entities if e.entity == CONTRACT_END]
    free = {t.lower_.replace("\u2019", "'") for t in doc if not any(s <= t.idx < e for s, e in dates)}
    if (dates or words & _CONTRACT_STATUS) and not free & _CONTRACT_COMPLAINT:
        return [e for e in learned if (e.entity, e.value) != (CHALLENGE, "contract_inflexibility")]
    if (NOT_KNOWING_RE.search(doc.text) and sum(t.is_alpha for t in doc) <= _HEDGE_WORDS
            and not free & _CONTRACT_COMPLAINT - _NEGATIONS):
        # "no clue on the contract", "not sure about the contract": a short reply of what they
        # don't know, no complaint (a longer one may go on to complain: "..., it's a nightmare")
        return [e for e in learned if (e.entity, e.value) != (CHALLENGE, "contract_inflexibility")]
    return learned
