"""Entities with canonical values from what a business customer types, on spaCy rules.

A blank English pipeline (tokenizer only, no statistical model, nothing downloaded) with a
PhraseMatcher for the vocabulary (bot/data/vocabulary.yml), carrier aliases (the catalog)
and US places (bot.understanding.locations), and a Matcher for counts and ZIP codes. E-mails, phone numbers
(phonenumbers) and contract dates (bot.understanding.validators.find_dates) are found on the raw text.

Entity names are the ones of domain.yml: us_state, city, zip_code, num_locations,
employees, service, challenge, carrier, contract_end, email, phone. Values are canonical
(CONTRACT.md section 4). A city also yields its state; a valid ZIP yields its city and state.
Overlaps go to the longest match (spacy.util.filter_spans); "not Seattle", "Tacoma instead of
Seattle" mark Seattle (and the state only it implied) negated. extract() never raises.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence, Union
from types import MappingProxyType

from bot.base.schema import rebuilt_when
from bot.domain.catalog import needs_capitals
from bot.understanding.candidates import (CARRIER, CHALLENGE, CITY, CONTRACT_END, EMAIL, EMPLOYEES, ENTITIES,  # noqa: F401 - re-exported
                                          NUM_LOCATIONS, PHONE, SERVICE, US_STATE, ZIP_CODE)
from bot.understanding.candidates import Candidate as _Cand
from bot.understanding.locations import Gazetteer, default_gazetteer, place_key
from bot.understanding.nlu_examples import nlu_files, read_nlu_examples
from bot.understanding.phrasings import Phrasings, load_phrasings
from bot.understanding.spelling import SpellingMender, own_words
from bot.understanding.site_counts import (MEASURE_NOUN_SET, MEASURE_NOUNS, NOT_SITES_AFTER, PEOPLE_NOUNS,
                                          SINGULAR_SITE_NOUNS, SITE_NOUN_SET, SITE_NOUNS,
                                          site_counts)
from bot.understanding.topic_classifier import CONCEPTS, LearnedTopics, load_or_train_topics
from bot.understanding.validators import (CHAT_REPLY_CODES, NUMBER_WORDS, WORD_CODES, find_dates, parse_number_words,
                                          phone_e164, validate_email)
from bot.understanding.vocabulary import Vocabulary, load_vocabulary
from bot.understanding.wordforms import stem

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)

MAX_INPUT = 2000

# Entities that can carry the role "negated" in domain.yml.
NEGATABLE = frozenset({US_STATE, CITY, SERVICE})

# How challenges and services are read (docs/nlu-evaluation.md compares them):
#   rules   - vocabulary phrases, also in other word forms, and topic words in short replies;
#   learned - the classifier of bot.understanding.topic_classifier alone;
#   union   - both: the rules' codes plus the classifier's codes above its threshold.
RULES, LEARNED, UNION = "rules", "learned", "union"
APPROACHES = (RULES, LEARNED, UNION)
DEFAULT_APPROACH = UNION
# Classifier probability from which a code is taken, per approach, chosen on the development
# sets (`python -m scripts.eval --entities-only --thresholds`; docs/nlu-evaluation.md). Union
# challenge: 0.55, the best F1 on dev + own (0.944; the rule's middle of the near-best run
# 0.55-0.65 is 0.60), taken for its recall on wording unlike ours (own batch 3: F1 0.91 at
# 0.55, 0.86 at 0.60), now that the gates of _plausible_learned keep facts out.
THRESHOLDS = {UNION: {CHALLENGE: 0.55, SERVICE: 0.80}, LEARNED: {CHALLENGE: 0.55, SERVICE: 0.40}}


@dataclass(frozen=True)
class ExtractedEntity:
    """One entity: canonical value, char offsets [start, end) into the input, its text."""

    entity: str
    value: Union[str, int]
    start: int
    end: int
    text: str
    negated: bool = False
    # a count that is the whole reply ("a dozen"): it answers whatever question was asked
    alone: bool = False


# ---- word lists (why: each keeps a known false positive out) --------------------------------

# AP abbreviations that are also words: a state only right after a city ("Seattle, Wash.").
_WORD_AP = frozenset({"Wash.", "Miss.", "Ill.", "Ind.", "Del.", "Mo.", "Pa.", "La.", "Va.", "Ga.", "Mass.", "Conn.", "Md."})
_LOC_PREPS = frozenset({"in", "at", "near", "around", "outside", "within", "across", "between", "based", "located", "headquartered", "hq", "serving"})
# "to Mobile", "from Mobile" place a city, but not a person: "talk to Tyler", "a call from Madison"
_MOVE_PREPS = frozenset({"to", "from", "into"})
_LOC_PRE_MODS = frozenset({"downtown", "greater", "metro", "the", "north", "south", "east", "west", "central", "suburban", "of"})
_PLACE_NOUNS = frozenset({
    "office", "offices", "site", "sites", "location", "locations", "branch", "branches", "hq",
    "headquarters", "area", "metro", "store", "stores", "warehouse", "campus", "building",
    "plant", "facility", "clinic", "shop", "team", "datacenter", "market",
})
_PLACE_JOINERS = frozenset({",", "and", "&", "or", "/", "plus", "+", ";"})
# Where a person's name goes (see _named_like_a_person); greetings that are also towns.
_PERSON_BEFORE = frozenset({"i'm", "im", "thanks", "thx", "hi", "hey", "hello", "dear", "mr", "ms", "mrs", "name's", "cc"})
_PERSON_BEFORE_PAIRS = frozenset({
    ("this", "is"), ("i", "am"), ("name", "is"), ("thank", "you"), ("ask", "for"), ("talk", "to"),
    ("speak", "to"), ("speak", "with"), ("talk", "with"), ("call", "me"), ("it's", "me"),
})
_GREETINGS = frozenset({"aloha", "howdy", "hello", "hiya", "greetings", "cheers", "welcome", "hola", "ciao", "shalom", "namaste"})
_SMALL_WORDS = frozenset({"of", "the", "de", "du", "la", "le", "and", "in", "on", "del", "los", "las", "el"})
# "5 pizza places", "3 coffee shops": one word naming the business may sit between the number
# and the noun, unless it is one of these ("24 hour store", "20 employees per store").
# People of a practice: "a 2-doctor practice" and "a 3 vet office" count people, "3 vet
# clinics" (a plural site noun) counts sites.
_PEOPLE_OF_A_PRACTICE = frozenset({
    "doctor", "doctors", "dentist", "dentists", "attorney", "attorneys", "lawyer", "lawyers", "physician",
    "physicians", "partner", "partners", "provider", "providers", "vet", "vets",
})
_NOT_A_BUSINESS = sorted({
    # "a 40-bed hospital": capacity, not how many sites
    "chair", "chairs", "bed", "beds", "room", "rooms", "seat", "seats", "unit", "units", "bay", "bays", "lane", "lanes", "person", "man", "woman",
    *MEASURE_NOUNS, "story", "stories", "floor", "floors",
    "per", "each", "every", "more", "less", "fewer", "other", "times", "x",
    "big", "bigger", "tiny", "little", "large", "huge", "old", "busy", "single", "only",
})
_LOC_MODS = [
    "different", "separate", "physical", "retail", "branch", "office", "remote", "total", "store",
    "satellite", "main", "small", "regional", "field", "sales", "local", "medical", "dental",
    "other", "additional", "new", "business", "corporate", "company", "us", "u.s.", "distribution",
    "call", "data", "service", "-", "operating", "active", "more", "urgent", "care", "+",
    # sizes said of the sites: "3 little offices", "one tiny shop"; "4 day cares", "2 day spas"
    "little", "tiny", "big", "large", "day",
]
# "number of locations is 4", "site count: 6": a count after the site noun.
_COUNTED_SITES = [
    "locations", "location", "sites", "site", "offices", "office", "branches", "branch", "stores", "store",
    "buildings", "facilities", "clinics", "restaurants",
]
_COUNT_GLUE = ["is", "are", "=", ":", "-", "of", "about", "around", "roughly", "approx", "approximately", "~"]
_EMP_MODS = [
    "full", "time", "-", "full-time", "fulltime", "part", "total", "remote", "office", "onsite",
    "on", "site", "staff", "team", "+", "or", "so", "odd", "plus", "ish", "in-office", "hybrid",
]
_EMP_HEADS = ["headcount", "workforce", "employees", "staff", "employee", "fte", "ftes"]
_EMP_GLUE = [
    "of", "is", "are", "about", "around", "approximately", "approx", "approx.", "roughly", "~",
    ":", "=", "-", "at", "near", "nearly", "over", "under", "just", "like", "total", "currently",
    "count", "number", "size", "some", "maybe", "probably",
]
_NUM_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|"
    "ninety|hundred|thousand|million|dozen|single|couple|half|a|an|and|-|of|both|pair"
)
# Site nouns that are also lengths ("400 yards from the office"), and what follows a distance.
_DISTANCE_SITE_NOUNS = frozenset({"yard", "yards"})
_DISTANCE_AFTER = frozenset({"from", "away", "apart", "down", "up", "off", "of", "to", "between", "across"})
_NUM_RE = r"^(?:~?\d{1,3}(?:,\d{3})+|~?\d+(?:\.\d+)?(?:k|m|ish)?|" + _NUM_WORDS + r")$"

_NEG_SINGLE = frozenset({
    "not", "no", "n't", "never", "cannot", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt",
    "won't", "wont", "can't", "cant", "isn't", "isnt", "aren't", "arent", "wasn't", "weren't",
    "haven't", "havent", "hasn't", "shouldn't", "wouldn't", "without", "except", "excluding", "minus", "nor", "neither",
    "closed", "closing", "shut", "shutting", "dropping", "drop", "dropped", "remove",
    "removing", "cancel", "cancelling", "canceling", "cancelled", "canceled", "forget", "scratch",
    "ditch", "ditching", "exclude", "instead",
})
_NEG_PAIRS = frozenset({("rather", "than"), ("other", "than"), ("rid", "of")})
_NOT_NEGATION_AFTER = frozenset({"only", "just", "sure", "certain", "yet", "one", "problem", "worries", "thanks", "matter", "doubt", "idea"})
_SCOPE_END_WORDS = frozenset({
    "but", "just", "only", "because", "since", "so", "though", "although", "however", "while",
    "we", "i", "it", "they", "our", "also", "plus", "then", "yet",
})
_REPLACING_CUES = frozenset({
    "ditch", "ditching", "drop", "dropping", "dropped", "remove", "removing", "cancel", "cancelling",
    "canceling", "cancelled", "canceled", "scratch",
})
_NEW_ACTION_VERBS = frozenset({
    "go", "move", "switch", "get", "add", "keep", "use", "want", "need", "replace", "put", "buy", "order",
    "start", "try", "migrate", "upgrade", "bring", "take", "look", "looking",
})
_SCOPE_END_PUNCT = frozenset({",", ".", ";", "!", "?", ":", "(", ")", "—", "–"})
_MAX_SCOPE = 8

_CONTRACT_CUE = re.compile(
    r"\b(?:contract|contracts|agreement|term|terms|expires?|expiring|expired|expiration|"
    r"renew|renews|renewal|renewed|locked|etf|ends|ending|end|commitment|committed|up\s+in|"
    r"month[- ]to[- ]month|out\s+of\s+contract)\b",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_DIGIT = re.compile(r"\d")
_EXTRA_NUMBER_WORDS = frozenset({"dozen", "single", "couple", "pair", "both", "half", "trio"})
# A reply of at most this many words, not a question, is short: its topic words count.
_SHORT_REPLY_WORDS = 6
# Words around a topic word in a short reply that add nothing to it. No negations ("not the
# price") and no verbs ("pricing looks fine"): with one of those, it is not an answer naming a
# problem.
_FILLER = frozenset({
    "the", "a", "an", "our", "my", "their", "its", "it", "it's", "its", "is", "was", "be", "and", "or", "plus",
    "also", "too", "both", "all", "of", "with", "for", "around", "about", "on", "in", "mostly", "mainly",
    "primarily", "honestly", "definitely", "probably", "really", "just", "maybe", "i", "guess", "think",
    "say", "would", "biggest", "big", "main", "major", "top", "number", "one", "issue", "issues",
    "problem", "problems", "concern", "concerns", "thing", "things", "stuff", "pain", "point", "points",
    "lol", "tbh", "overall", "general", "generally", "usually", "sure", "yeah", "yes", "well", "so",
    "hmm", "um", "uh", "huge", "constant", "frequent", "lately", "recently", "kind", "sort", "some",
    "lots", "lot", "bad", "poor", "terrible", "awful", "horrible", "lousy", "high", "higher", "rising",
    "slow", "lack", "ok", "okay", "like", "that", "those", "these", "them", "stuff", "area", "side",
    "department", "question", "questions", "overall", "mainly", "especially", "frankly", "personally",
    "more", "most", "than", "anything", "else", "right", "now", "always", "ongoing", "related", "time", "times",
})
# Vocabulary phrases matched only as written, not in other word forms: "backed up" (a queue)
# is not a backup, "wave" alone is a carrier more often than a wavelength.
_NO_FORM_MATCH = frozenset({"back up", "waves", "wave", "backups"})
# An install wait at least this long is a slow install (unit -> minimum count).
_SLOW_WAIT = {"day": 20, "days": 20, "week": 3, "weeks": 3, "month": 1, "months": 1}
_K_NUMBER = re.compile(r"^~?\d+(?:\.\d+)?(?:k|m|ish)$|^~\d[\d,]*(?:\.\d+)?$")


class Extractor:
    """Entity extractor over a vocabulary, a gazetteer and a carrier alias map.

    carrier_aliases maps a lowercase alias, former or current name to the catalog's current
    name ("tw telecom" -> "Lumen"). Building takes about a second; extract() about a
    millisecond per sentence.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        gazetteer: Gazetteer,
        carrier_aliases: Mapping[str, str],
        *,
        phrasings: Optional[Phrasings] = None,
        learned: Optional[LearnedTopics] = None,
        approach: str = RULES,
        spelling: Optional[SpellingMender] = None,
        cable_carriers: Iterable[str] = (),
    ) -> None:
        """`phrasings` default to bot/data/phrasings.yml (its topic words serve the rules);
        `learned` is needed by the learned and union approaches (build_extractor trains it);
        `spelling` mends slips toward our words before reading (none: read as typed)."""
        from spacy.matcher import Matcher, PhraseMatcher

        if approach not in APPROACHES:
            raise ValueError(f"approach {approach!r}: one of {', '.join(APPROACHES)}")
        if approach != RULES and learned is None:
            raise ValueError(f"approach {approach!r} needs the learned classifiers")
        self.vocabulary = vocabulary
        self.gazetteer = gazetteer
        self.phrasings = phrasings if phrasings is not None else load_phrasings()
        self.learned = learned
        self.approach = approach
        self.spelling = spelling
        # carriers whose own access network is coax: "a comcast line" is their broadband
        self.cable_carriers = frozenset(cable_carriers)
        # one-word names of a challenge ("price", "support", "outages"): a clause that only rules
        # one out ("not support") says nothing wrong
        self._topic_stems = {**{stem(v): c for v, c in vocabulary.challenge_patterns().items() if " " not in v},
                             **{stem(w): "" for w in _TOPIC_NOUNS}, **self.phrasings.challenge_words}
        self._topic_stems = {w: c for w, c in self._topic_stems.items()
                             if c != "need_redundancy" and w not in _GOOD_THING_STEMS}
        # The NLU pipeline asks twice per message (the entity-type featurizer, then the
        # extractor component): the second ask is answered from here. Per instance, so a
        # rebuilt extractor (a data file changed) starts empty.
        self._extract_cached = functools.lru_cache(maxsize=256)(self._extract)
        # lowercase alias -> catalog name
        self.carrier_aliases = {
            a.lower().strip(): n for a, n in carrier_aliases.items() if isinstance(a, str) and a.strip() and isinstance(n, str) and n
        }
        self.nlp = _blank_english()
        self._phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        # the same service and challenge phrases on word forms ("dropped calls" ~ "drops calls")
        self._form_phrases = PhraseMatcher(self.nlp.vocab, attr="NORM")
        self._matcher = Matcher(self.nlp.vocab)
        self._carrier_caps = {a.lower() for a in vocabulary.carrier_capitalised_only}
        self._build_phrases()
        self._build_form_phrases()
        self._build_matcher()

    # ---- building -----------------------------------------------------------------------

    def _add(self, kind: str, key: str, texts: Iterable[str], docs: list["Doc"]) -> None:
        """Register the spellings of one key of a kind. Matching is on lowercase tokens; a
        spelling with "." or "'" is also added as written and capitalised, because some
        affix rules depend on case (a "." splits between a lowercase and a capital letter)."""
        table = self._keys.setdefault(kind, {})
        for text in texts:
            variants = {text.lower()}
            if "." in text or "'" in text:
                variants.update((text, text.title(), text.upper()))
            for variant in variants:
                doc = self.nlp.make_doc(variant)
                tokens = tuple(t.lower_ for t in doc)
                if not tokens:
                    continue
                if tokens not in table:
                    table[tokens] = []
                    docs.append(doc)
                if key not in table[tokens]:
                    table[tokens].append(key)

    def _build_phrases(self) -> None:
        # One PhraseMatcher label per kind (few add() calls: each costs); the matched lowercase
        # tokens give the key back through self._keys.
        self._keys: dict[str, dict[tuple[str, ...], list[str]]] = {}
        by_code: dict[str, list[str]] = {}
        for variant, code in self.vocabulary.service_patterns().items():
            by_code.setdefault("S|" + code, []).append(variant)
        for variant, code in self.vocabulary.challenge_patterns().items():
            by_code.setdefault("C|" + code, []).append(variant)
        for alias in self.carrier_aliases:
            by_code.setdefault("K|" + alias, []).append(alias)
        g = self.gazetteer
        for code in g.state_codes:
            by_code.setdefault("P|" + code, []).append(code.lower())
            by_code.setdefault("N|" + code, []).append(g.state_proper_names[code])
        for ap, code in g.ap_abbreviations.items():
            by_code.setdefault("A|" + ap, []).append(ap)
        for key, code in g.state_aliases.items():
            if not self._is_city_plus_state(key):
                by_code.setdefault("T|" + code, []).extend(g.spellings(key))
        for key, forms in g.city_forms.items():
            by_code.setdefault("Y|" + key, []).extend(forms)
        for key in g.city_aliases:
            by_code.setdefault("Y|" + key, []).extend(g.spellings(key))
        for alias in g.case_sensitive_aliases:
            by_code.setdefault("X|" + alias, []).append(alias)
        docs_by_kind: dict[str, list["Doc"]] = {}
        for label, texts in by_code.items():
            kind, _, key = label.partition("|")
            self._add(kind, key, texts, docs_by_kind.setdefault(kind, []))
        for kind, docs in docs_by_kind.items():
            self._phrases.add(kind, docs)

    def _build_form_phrases(self) -> None:
        """Service and challenge phrases keyed by the word forms of their tokens (NORM is
        bot.understanding.wordforms.stem, see _blank_english). Short single words ("pri",
        "lag") and the few phrases in _NO_FORM_MATCH match only as spelled."""
        self._form_keys: dict[str, dict[tuple[str, ...], list[str]]] = {}
        docs_by_kind: dict[str, list["Doc"]] = {}
        # the phrases as written (generated spellings such as "metroe" would reduce to other words)
        for kind, phrases in (("s", self.vocabulary.services), ("c", self.vocabulary.challenges)):
            table = self._form_keys.setdefault(kind, {})
            docs = docs_by_kind.setdefault(kind, [])
            for code, variant in ((code, p) for code, items in phrases.items() for p in items):
                if variant in _NO_FORM_MATCH or (" " not in variant and len(variant) <= 4):
                    continue
                doc = self.nlp.make_doc(variant)
                forms = tuple(t.norm_ for t in doc)
                if not forms:
                    continue
                if forms not in table:
                    table[forms] = []
                    docs.append(doc)
                if code not in table[forms]:
                    table[forms].append(code)
        for kind, docs in docs_by_kind.items():
            self._form_phrases.add(kind, docs)
        # challenge phrases of two words or more, by their first word form, for matching with
        # a word or two said in between ("the bill is way too high", "never ever calls back")
        self._loose_challenges: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for forms, codes in self._form_keys.get("c", {}).items():
            if len(forms) >= 2:
                for code in codes:
                    self._loose_challenges.setdefault(forms[0], []).append((forms, code))

    def _is_city_plus_state(self, key: str) -> bool:
        """'washington dc' is a city and its state: left to the City, ST logic, which also
        reports the city."""
        words = key.split()
        for n in range(1, len(words)):
            city, state = " ".join(words[:n]), " ".join(words[n:])
            if city in self.gazetteer.cities and self.gazetteer.state(state, fuzzy=False):
                return True
        return False

    def _build_matcher(self) -> None:
        # Numbers use LIKE_NUM (widened in _blank_english to "5k", "~50", "dozen", "couple"):
        # a lexeme flag checked in C, where a REGEX predicate calls Python for every token.
        glue = {"LOWER": {"IN": ["-", "and", "a", "of"]}, "OP": "?"}
        num = [
            {"LOWER": {"IN": ["a", "an"]}, "OP": "?"},
            {"LIKE_NUM": True},
            glue,
            {"LIKE_NUM": True, "OP": "?"},
            glue,
            {"LIKE_NUM": True, "OP": "?"},
            {"LIKE_NUM": True, "OP": "?"},
        ]
        tail = [{"LIKE_NUM": True}, {"LOWER": {"IN": ["-", "and"]}, "OP": "?"}, {"LIKE_NUM": True, "OP": "?"}]
        loc_mod = {"LOWER": {"IN": _LOC_MODS}, "OP": "?"}
        emp_mod = {"LOWER": {"IN": _EMP_MODS}, "OP": "?"}
        emp_glue = {"LOWER": {"IN": _EMP_GLUE}, "OP": "*"}
        self._matcher.add(
            "LOC",
            [
                num + [loc_mod, loc_mod, {"LOWER": {"IN": SITE_NOUNS}}],
            ],
            greedy="LONGEST",
        )
        # "all 4 of our branches": the count of all the sites (only after "all": "2 of our
        # offices" is a part of them)
        self._matcher.add("LOC_ALL", [num + [{"LOWER": "of"}, {"LOWER": {"IN": ["our", "the", "my", "their"]}},
                                             loc_mod, loc_mod, {"LOWER": {"IN": SITE_NOUNS}}]], greedy="LONGEST")
        # The site noun first: "locations: 4", "sites 3", "number of locations is 4". A label of
        # its own, so that "3 offices - 45 employees" keeps its "3 offices" beside "offices - 45".
        self._matcher.add(
            "LOC_NAMED",
            [
                [{"LOWER": {"IN": ["locations", "sites", "offices", "branches", "stores"]}},
                 {"LOWER": {"IN": [":", "=", "-"]}, "OP": "?"}] + tail,
                # "number of locations is 4", "# of sites: 6", "site count: 6", "total locations 5"
                [{"LOWER": {"IN": ["number", "#", "total", "count"]}}, {"LOWER": "of", "OP": "?"},
                 {"LOWER": {"IN": _COUNTED_SITES}}, {"LOWER": {"IN": _COUNT_GLUE}, "OP": "*"}] + tail,
                [{"LOWER": {"IN": _COUNTED_SITES}}, {"LOWER": {"IN": ["count", "total", "number"]}},
                 {"LOWER": {"IN": _COUNT_GLUE}, "OP": "*"}] + tail,
            ],
            greedy="LONGEST",
        )
        # "5 pizza places", "3 coffee shops": one word naming the business between the number
        # and the noun (a label of its own: in "one big office and a tiny satellite, so 2
        # sites" the "one" is not the count, so a count of 1 is not taken this way).
        typed = {"IS_ALPHA": True, "IS_STOP": False, "LOWER": {"NOT_IN": _NOT_A_BUSINESS + PEOPLE_NOUNS + SITE_NOUNS}}
        self._matcher.add(
            "LOC_TYPED",
            [num + [loc_mod, typed, {"LOWER": {"IN": SITE_NOUNS}}],
             # "3 assisted living facilities", "16 c-stores": two words, or a hyphenated one
             num + [loc_mod, typed, typed, {"LOWER": {"IN": SITE_NOUNS}}],
             num + [{"IS_ALPHA": True}, {"ORTH": "-"}, {"LOWER": {"IN": SITE_NOUNS}}]],
            greedy="LONGEST",
        )
        self._matcher.add(
            "EMP",
            [
                num + [emp_mod, emp_mod, emp_mod, {"LOWER": {"IN": PEOPLE_NOUNS}}],
                num + [{"LOWER": "team"}, {"LOWER": "members"}],
            ],
            greedy="LONGEST",
        )
        # The number after the word ("headcount of 75"), a label of its own so that the
        # longest-match filter does not drop "40 employees" for "employees at 3 (offices)".
        self._matcher.add(
            "EMP_HEAD",
            [
                [{"LOWER": {"IN": _EMP_HEADS}}, emp_glue] + tail,
                [{"LOWER": "head"}, {"LOWER": "count"}, emp_glue] + tail,
                [{"LOWER": "staff"}, {"LOWER": "of"}] + tail,
            ],
            greedy="LONGEST",
        )
        # "the install took like 120 days", "took 5 months to get fiber installed": a long wait
        # is slow_install (checked against _SLOW_WAIT in _matcher_candidates).
        install = {"LOWER": {"IN": ["install", "installs", "installation", "installations", "provisioning", "turn-up"]}}
        took = {"LOWER": {"IN": ["took", "takes", "take", "taking"]}}
        approx = {"LOWER": {"IN": ["like", "about", "over", "almost", "nearly", "around", "roughly", "more", "than", "~"]}, "OP": "*"}
        unit = {"LOWER": {"IN": list(_SLOW_WAIT)}}
        # and "adding a site takes 90 days", "took 4 months to light the fiber", "waited 14 weeks
        # for the circuit": bringing up a new line, however it is called
        bring_up = {"LOWER": {"IN": ["install", "installed", "provision", "provisioned", "turn", "add", "light", "lit",
                                    "build", "connect", "activate", "deliver", "hook", "bring"]}}
        added = {"LOWER": {"IN": ["add", "adding", "adds", "added"]}}
        new_line = {"LOWER": {"IN": ["site", "location", "circuit", "line", "branch", "store", "office", "anything",
                                     "service", "drop", "fiber"]}}
        waited = {"LOWER": {"IN": ["wait", "waited", "waiting", "waits"]}}
        for_new = {"LOWER": {"IN": ["circuit", "circuits", "line", "fiber", "drop", "install", "installation",
                                    "installer", "turn-up", "hookup", "activation", "connection"]}}
        self._matcher.add(
            "SLOW_INSTALL",
            [
                [install, took, approx, {"LIKE_NUM": True}, unit],
                [took, {"LOWER": {"IN": ["them", "us", "me"]}, "OP": "?"}, approx, {"LIKE_NUM": True}, unit,
                 {"LOWER": "to"}, {"OP": "?"}, {"OP": "?"}, bring_up],
                [added, {"OP": "?"}, {"OP": "?"}, new_line, took, approx, {"LIKE_NUM": True}, unit],
                [waited, approx, {"LIKE_NUM": True}, unit, {"LOWER": {"IN": ["for", "on"]}}, {"OP": "?"}, {"OP": "?"},
                 for_new],
            ],
            greedy="LONGEST",
        )
        five = {"IS_DIGIT": True, "LENGTH": 5}
        self._matcher.add("ZIP", [[five], [five, {"ORTH": "-"}, {"IS_DIGIT": True, "LENGTH": 4}]], greedy="LONGEST")

    def warm_up(self) -> None:
        """Build everything built lazily (the ZIP table) and run one message."""
        self.gazetteer.zip_table()
        self.extract("We have 3 offices in Portland, OR 97201 and need SIP; bob@example.com 503-555-0123")

    # ---- extraction -------------------------------------------------------------------------

    def extract(self, text: Any, today: Optional[date] = None) -> list[ExtractedEntity]:
        """Entities in `text` (first MAX_INPUT characters), sorted by start. Never raises."""
        if not isinstance(text, str) or not text.strip():
            return []
        try:
            return list(self._extract_cached(text[:MAX_INPUT], today or date.today()))
        except Exception:  # noqa: BLE001 - one odd message must not break the conversation
            log.exception("entity extraction failed")
            return []

    def _extract(self, text: str, today: date) -> list[ExtractedEntity]:
        mended = self.spelling.mend(text) if self.spelling is not None else None
        if mended is None or not mended.edits:
            return self._read(text, today)
        out = []
        for entity in self._read(mended.text, today):
            start, end = mended.original_span(entity.start, entity.end)
            out.append(dataclasses.replace(entity, start=start, end=end, text=text[start:end]))
        return out

    def _read(self, text: str, today: date) -> list[ExtractedEntity]:
        doc = self.nlp.make_doc(text)
        all_caps = _is_all_caps(text)
        char_spans = self._raw_text_entities(text, doc, today)  # emails, phones, dates
        lowers = [t.lower_ for t in doc]
        cands = self._phrase_candidates(doc, lowers, all_caps)
        denied = [c for c in cands if c.extra.get("denied")]
        cands = [c for c in cands if not c.extra.get("denied")]
        if any(t.like_num or t.text[:1].isdigit() for t in doc):
            cands += self._matcher_candidates(doc)  # counts, ZIPs and speeds ("10mbps") need a number
        cands = _drop_overlapping(cands, char_spans)
        cands = _resolve_overlaps(cands)
        cands = site_counts(doc, cands)
        # a count read from a phone number, an address or a date ("816-555-0174 (the office
        # line...)") is none
        cands = [c for c in cands if not (c.kind == NUM_LOCATIONS and any(
            s.start < c.end and c.start < s.end for s in char_spans))]
        found: list[tuple[ExtractedEntity, int]] = []  # entity, order within a start
        for cand in char_spans:
            found.append((ExtractedEntity(cand.kind, cand.payload, cand.start, cand.end, text[cand.start : cand.end]), 0))
        found.extend(self._emit_locations(doc, [c for c in cands if c.layer in ("loc", "zip")]))
        for cand in cands:
            if cand.layer in ("loc", "zip"):
                continue
            found.append((ExtractedEntity(cand.kind, cand.payload, cand.start, cand.end, text[cand.start : cand.end],
                                          alone=bool(cand.extra.get("alone"))), 0))
            if cand.layer == "carrier" and cand.extra.get("service"):  # "verizon fios"
                found.append((ExtractedEntity(SERVICE, cand.extra["service"], cand.start, cand.end,
                                              text[cand.start : cand.end]), 1))
        entities = _dedupe(_retract(doc, self._negate(doc, found)))
        fine = _fine_clause_spans(doc, self._topic_stems) + [c.extra["denied"] for c in denied]
        if fine:
            # "nothing wrong with support, it's the price": no challenge in a clause saying all is well
            entities = [e for e in entities if not (e.entity == CHALLENGE and any(s <= e.start < f for s, f in fine))]
        entities = self._with_topics(doc, text, entities, fine)
        if _outage_only_feared(doc):
            # "if our one line goes down we're dead": no backup, not outages that happen
            entities = [e for e in entities if (e.entity, e.value) != (CHALLENGE, "reliability")]
            if not any((e.entity, e.value) == (CHALLENGE, "need_redundancy") for e in entities):
                entities.append(ExtractedEntity(CHALLENGE, "need_redundancy", 0, len(text), text))
        return sorted(entities, key=lambda e: e.start)

    # ---- challenges and services in the customer's own words ----------------------------------

    def _with_topics(self, doc: "Doc", text: str, entities: list[ExtractedEntity],
                     fine: Sequence[tuple[int, int]] = ()) -> list[ExtractedEntity]:
        """Add the codes of short replies' topic words (rules) and of the classifier (learned,
        union) that the phrases did not give; a code the customer ruled out stays out, and the
        classifier does not read the clauses that say all is well (`fine`, char ranges)."""
        if self.approach == LEARNED:
            entities = [e for e in entities if e.entity not in (SERVICE, CHALLENGE) or e.negated]
        else:
            short = self._short_reply_topics(doc, entities)
            entities = entities + [e for e in short + self._named_problem_topics(doc, entities + short)
                                   if not (e.entity == CHALLENGE and any(s <= e.start < f for s, f in fine))]
        if self.approach != RULES and self.learned is not None and _has_topic_evidence(doc, entities):
            read = text
            for s, f in fine:
                read = read[:s] + " " * (f - s) + read[f:]
            learned = self._learned_topics(read, entities) if read.strip() else []
            entities = entities + _plausible_learned(doc, entities, learned)
        return sorted(entities, key=lambda e: e.start)

    def _short_reply_topics(self, doc: "Doc", entities: list[ExtractedEntity], offset: int = 0) -> list[ExtractedEntity]:
        """"pricing, mostly", "outages and the support": in a short reply that is not a
        question, a topic word (bot/data/phrasings.yml) names its code."""
        if any(t.text == "?" for t in doc):
            return []
        words = [t for t in doc if t.is_alpha]
        if len(words) > _SHORT_REPLY_WORDS:
            # a longer reply may still open or close with a clause that is only a topic ("the
            # price, and calls drop when it's busy"): each such clause is read alone
            out: list[ExtractedEntity] = []
            for i, j in _clause_ranges(doc, _TOPIC_CLAUSE_BREAKS):
                clause_words = [t for t in doc[i:j] if t.is_alpha]
                if 0 < len(clause_words) <= _TOPIC_CLAUSE_WORDS:
                    out += self._short_reply_topics(doc[i:j].as_doc(), entities + out, offset=doc[i].idx)
            return out
        tables = ((CHALLENGE, self.phrasings.challenge_words), (SERVICE, self.phrasings.service_words))
        # a topic word inside a fact ("no contract" is a contract status) or inside a phrase
        # already read ("single vendor") names nothing more
        spans = {kind: [(e.start, e.end) for e in entities if e.entity in _FACT_ENTITIES or e.entity == kind]
                 for kind in (CHALLENGE, SERVICE)}
        topics = [(t, entity, table[t.norm_]) for t in words for entity, table in tables
                  if t.norm_ in table and not any(s <= t.idx + offset < e for s, e in spans[entity])]
        topic_tokens = {t.i for t, _, _ in topics}
        # two topic words in a row are one thing named by the last ("billing consolidation")
        topics = [(t, entity, code) for t, entity, code in topics
                  if not any(u.i == t.i + 1 and other == entity for u, other, _ in topics)]
        # Every other word is filler ("mostly the pricing, honestly"), or a word the rules
        # already read ("outages and billing"): "contract ends in May" and "the bill says
        # cincinnati bell" are facts, not answers naming a problem.
        covered = [(e.start, e.end) for e in entities]
        for t in words:
            if t.i in topic_tokens or t.lower_ in _FILLER or any(s <= t.idx + offset < e for s, e in covered):
                continue
            return []
        known = {(e.entity, e.value) for e in entities}
        if any(e.entity == CONTRACT_END for e in entities):
            known.add((CHALLENGE, "contract_inflexibility"))  # "the contract is 3 years": a term, told
        out = []
        for token, entity, code in topics:
            if (entity, code) in known:
                continue
            known.add((entity, code))
            out.append(ExtractedEntity(entity, code, token.idx + offset, token.idx + offset + len(token.text), token.text))
        return out

    def _named_problem_topics(self, doc: "Doc", entities: list[ExtractedEntity]) -> list[ExtractedEntity]:
        """"the main issue is cost", "our biggest challenges today are support and uptime": topic
        words (bot/data/phrasings.yml, and "support") said to be the problem name their codes."""
        known = {e.value for e in entities if e.entity == CHALLENGE}
        out: list[ExtractedEntity] = []
        for k, m in _problem_is_at(doc):
            for t in doc[m : m + _NAMED_TOPIC_REACH]:
                low = t.lower_
                code = self.phrasings.challenge_words.get(t.norm_) or _NAMED_TOPIC_EXTRA.get(low)
                if code is not None:
                    if code not in known:
                        known.add(code)
                        out.append(ExtractedEntity(CHALLENGE, code, t.idx, t.idx + len(t.text), t.text))
                elif not (low in _NAMED_TOPIC_FILLER or low in _TOPIC_JOINERS):
                    break
        return out

    def _learned_topics(self, text: str, entities: list[ExtractedEntity]) -> list[ExtractedEntity]:
        """The classifier's codes above its thresholds, spanning the message (the classifier
        reads it whole); the rules' own codes, positive or ruled out, are not added twice."""
        assert self.learned is not None
        known = {(e.entity, e.value) for e in entities}
        stripped = text.strip()
        start = text.index(stripped[:1]) if stripped else 0
        out = []
        seen: set[tuple[str, str]] = set()
        # A long message is read whole and sentence by sentence: a problem told in one sentence
        # among facts ("... 34 people. The renewal came in 40% higher.") is not drowned by them.
        for piece in [text] + _sentences(text):
            for entity, codes in self.learned.codes(piece).items():
                for code, _probability in codes:
                    if (entity, code) not in known and (entity, code) not in seen:
                        seen.add((entity, code))
                        out.append(ExtractedEntity(entity, code, start, start + len(stripped), stripped))
        return out

    # emails, phones, dates: char spans on the raw text
    def _raw_text_entities(self, text: str, doc: "Doc", today: date) -> list[_Cand]:
        out: list[_Cand] = []
        if "@" in text:
            for match in _EMAIL_RE.finditer(text):
                result = validate_email(match.group(0))
                if result.ok:
                    out.append(_Cand("contact", -1, -1, match.start(), match.end(), EMAIL, result.value))
        if len(_DIGIT.findall(text)) >= 7:
            import phonenumbers

            for match in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE):
                if any(c.start <= match.start < c.end for c in out):
                    continue
                e164 = phone_e164(match.number)
                if e164:
                    out.append(_Cand("contact", -1, -1, match.start, match.end, PHONE, e164))
        cue = bool(_CONTRACT_CUE.search(text))
        if not cue and sum(1 for t in doc if t.is_alpha) > 12:
            return out  # dates count only in contract talk or in a short answer (below)
        dates = [d for d in find_dates(text, today) if not any(c.start < d.end and d.start < c.end for c in out)]
        if dates:
            inside = [(d.start, d.end) for d in dates]
            other_words = sum(1 for t in doc if t.is_alpha and not any(s <= t.idx < e for s, e in inside))
            short = other_words <= 4
            for d in dates:
                if (d.strong and (cue or short)) or (not d.strong and (short or (cue and d.kind in ("status", "rel_month")))):
                    out.append(_Cand("date", -1, -1, d.start, d.end, CONTRACT_END, d.value))
        return out

    def _phrase_candidates(self, doc: "Doc", lowers: list[str], all_caps: bool) -> list[_Cand]:
        strings = self.nlp.vocab.strings
        out: list[_Cand] = []
        for match_id, i, j in self._phrases(doc):
            kind = strings[match_id]
            for key in self._keys[kind].get(tuple(lowers[i:j]), ()):
                cand = self._phrase_candidate(kind, key, doc, i, j, all_caps)
                if cand is not None:
                    out.append(cand)
        if self.approach == LEARNED:
            return [c for c in out if c.layer not in ("service", "challenge")]
        seen = {(c.layer, c.i, c.j, c.payload) for c in out}
        norms = [t.norm_ for t in doc]
        for match_id, i, j in self._form_phrases(doc):
            kind = strings[match_id]
            for code in self._form_keys[kind].get(tuple(norms[i:j]), ()):
                cand = self._phrase_candidate(kind.upper(), code, doc, i, j, all_caps)
                if cand is not None and (cand.layer, i, j, code) not in seen:
                    out.append(cand)
        out += self._loose_challenge_candidates(doc, norms, {c.payload for c in out if c.layer == "challenge"})
        out += _paired_word_candidates(doc, {c.payload for c in out if c.layer == "challenge"})
        out += _cable_candidates(doc, out)
        out += self._carrier_product_candidates(doc, out)
        out += _dependence_on_a_carrier(doc, out)
        out += _described_service_candidates(doc, out)
        out = [c for c in out if not _fiber_only_mentioned(doc, c)]
        out = [c for c in out if not _names_a_person_or_thing(doc, c) and not _names_a_data_backup(doc, c)]
        out = [_as_slow_install(doc, c) for c in out if not _one_vendor_phrase_wished(doc, c)]
        for c in out:
            denied = _challenge_denied(doc, c) or _home_line_problem(doc, c) or _backup_already_had(doc, c)
            if denied is not None:
                c.extra["denied"] = denied  # kept aside by _read, and the words not read by the classifier
        return out

    def _loose_challenge_candidates(self, doc: "Doc", norms: list[str], known: set[Any]) -> list[_Cand]:
        """Challenge phrases with up to _MAX_INSERTED words of _INSERTABLE in between ("costs
        are totally out of control", "we're at the total mercy of"), never a negation."""
        out = []
        n = len(doc)
        for i, first in enumerate(norms):
            for forms, code in self._loose_challenges.get(first, ()):
                if code in known:
                    continue
                k, inserted = i + 1, 0
                for form in forms[1:]:
                    while k < n and norms[k] != form and inserted < _MAX_INSERTED and _insertable(doc[k].lower_):
                        k += 1
                        inserted += 1
                    if k < n and norms[k] == form:
                        k += 1
                    else:
                        break
                else:
                    if inserted:
                        span = doc[i:k]
                        out.append(_Cand("challenge", i, k, span.start_char, span.end_char, CHALLENGE, code))
                        known.add(code)
        return out

    def _phrase_candidate(self, kind: str, key: str, doc: "Doc", i: int, j: int, all_caps: bool) -> Optional[_Cand]:
        span = doc[i:j]
        start, end = span.start_char, span.end_char
        if kind == "S":
            return _Cand("service", i, j, start, end, SERVICE, key)
        if kind == "C":
            return _Cand("challenge", i, j, start, end, CHALLENGE, key)
        if kind == "K":
            if not self._carrier_case_ok(key, span):
                return None
            return _Cand("carrier", i, j, start, end, CARRIER, self.carrier_aliases[key])
        return self._place_candidate(kind, key, doc, i, j, all_caps)

    def _carrier_product_candidates(self, doc: "Doc", found: list[_Cand]) -> list[_Cand]:
        """Broadband named by its product: "verizon fios", "a comcast business line", "spectrum
        business internet" (a cable operator's line, connection or internet)."""
        known = any(c.layer == "service" and c.payload == "broadband" for c in found)
        for c in found:
            if c.layer != "carrier":
                continue
            if "fios" in (t.lower_ for t in doc[c.i : c.j]):
                c.extra["service"] = "broadband"  # the carrier's name is the product: both are read
                return []
            after = [t.lower_ for t in doc[c.j : c.j + 2]]
            line = next((n for n, w in enumerate(after) if w in _CABLE_PRODUCT_WORDS), None)
            if not known and c.payload in self.cable_carriers and line is not None and all(
                    w in ("business", "biz") for w in after[:line]):
                word = doc[c.j + line]
                return [_Cand("service", word.i, word.i + 1, word.idx, word.idx + len(word.text), SERVICE, "broadband")]
        return []

    def _carrier_case_ok(self, key: str, span: "Span") -> bool:
        if needs_capitals(key, self._carrier_caps):
            return span.text.replace(" ", "").isupper()
        if key in self._carrier_caps:
            return span.text[:1].isupper()
        return True

    def _place_candidate(self, kind: str, key: str, doc: "Doc", i: int, j: int, all_caps: bool) -> Optional[_Cand]:
        span = doc[i:j]
        start, end = span.start_char, span.end_char
        g = self.gazetteer
        if kind == "P":  # a two-letter code
            text = span.text
            if all(t.is_punct or t.is_space for t in doc[:i]) and all(t.is_punct or t.is_space for t in doc[j:]):
                if key.lower() in CHAT_REPLY_CODES:
                    return None  # "ok", "Hi!": a reply, not Oklahoma or Hawaii
                return _Cand("loc", i, j, start, end, "state", key)  # the whole answer: "OR", "or"
            if text.isupper() and not all_caps:
                if key.lower() in WORD_CODES and not self._code_list_follows(doc, j):
                    # "OK, so...", "HI there", "PRI OR SIP": a word-like code must sit like a
                    # place ("in OR", "Boise, ID", "Oregon and OR") or start a list of codes
                    return _Cand("loc", i, j, start, end, "state", key, needs_place=True)
                return _Cand("loc", i, j, start, end, "state", key)
            return _Cand("loc", i, j, start, end, "state", key, needs_anchor=True, extra={"weak": True})
        if kind == "N":
            return _Cand("loc", i, j, start, end, "state", key, extra={"name": True})
        if kind == "A":
            if span.text != key:
                return None  # "ore." / "ORE." are not the AP abbreviation
            return _Cand("loc", i, j, start, end, "state", g.ap_abbreviations[key], needs_anchor=key in _WORD_AP)
        if kind == "T":
            return _Cand("loc", i, j, start, end, "state", key, extra={"alias_state": True})
        if kind == "X":
            if span.text != key:
                return None
            return _Cand("loc", i, j, start, end, "city", (g.case_sensitive_aliases[key],), extra={"alias": True})
        if kind == "Y":
            options = g.city_options(key)
            if not options:
                return None
            alias = key in g.city_aliases
            capitalised = _capitalised(span)
            if key in g.common_words:
                if not capitalised:
                    return None
                return _Cand("loc", i, j, start, end, "city", options, needs_place=True)
            lower_ok = alias or options[0].population >= g.min_lowercase_population
            person = key in g.person_names
            if not capitalised and not lower_ok:
                # a small town typed in lowercase ("the store in laramie", "great falls and
                # helena"): only where a place goes, and only a name of two words or one that
                # is no English word ("ketchikan", not "brick" or "temple")
                if " " in key.strip() or (self.spelling is not None and not self.spelling.is_english(key)):
                    return _Cand("loc", i, j, start, end, "city", options, needs_place=True,
                                 extra={"alias": alias, "person": person, "lowercase": True})
                return None
            return _Cand("loc", i, j, start, end, "city", options, needs_place=person, extra={"alias": alias, "person": person})
        return None

    def _code_list_follows(self, doc: "Doc", j: int) -> bool:
        """'OR and WA', 'OR, WA': an initial word-like code followed by more codes."""
        return (
            j + 1 < len(doc)
            and doc[j].lower_ in _PLACE_JOINERS
            and doc[j + 1].text.isupper()
            and doc[j + 1].text in self.gazetteer.state_codes
        )

    def _matcher_candidates(self, doc: "Doc") -> list[_Cand]:
        strings = self.nlp.vocab.strings
        out: list[_Cand] = []
        matches = [(strings[match_id], i, j) for match_id, i, j in self._matcher(doc)]
        # "40 employees at 3 offices": the 3 counts offices, not a headcount "employees at 3".
        loc_numbers = {_first_number(doc, i, j) for label, i, j in matches if label in ("LOC", "LOC_TYPED")}
        for label, i, j in matches:
            span = doc[i:j]
            if label == "LOC_TYPED":
                if _count_value(span) == 1:
                    continue
                if any(t.lower_ in _PEOPLE_OF_A_PRACTICE for t in span) and doc[j - 1].lower_ in SINGULAR_SITE_NOUNS:
                    continue  # "a 2-doctor practice": people
                label = "LOC"
            if label == "LOC_ALL":
                if i == 0 or doc[i - 1].lower_ != "all":
                    continue
                label = "LOC"
            if label == "LOC_NAMED":
                if (i > 0 and doc[i - 1].like_num) or (j < len(doc) and (
                        doc[j].lower_ in NOT_SITES_AFTER or doc[j].lower_ in MEASURE_NOUN_SET or doc[j].lower_ in SITE_NOUN_SET)):
                    continue  # "3 offices - 45 employees": the 45 counts people
                label = "LOC"
            if label == "EMP_HEAD":
                if _first_number(doc, i, j) in loc_numbers:
                    continue
                label = "EMP"
            if label == "ZIP":
                if i > 0 and doc[i - 1].text in ("$", "#", "+"):
                    continue  # money, a ticket number, a phone fragment
                out.append(_Cand("zip", i, j, span.start_char, span.end_char, ZIP_CODE, span[0].text))
                continue
            if label == "SLOW_INSTALL":
                if _long_wait(span):
                    out.append(_Cand("challenge", i, j, span.start_char, span.end_char, CHALLENGE, "slow_install"))
                continue
            value = _count_value(span)
            if value is None or value <= 0 or value != int(value):
                continue
            if label == "LOC" and (i > 0 and doc[i - 1].text == "$" or len(span) >= 3 and span[-2].lower_ in ("a", "an", "per")):
                continue  # "$350 a store": a price per site, not a count
            if label == "LOC" and doc[j - 1].lower_ in _DISTANCE_SITE_NOUNS and j < len(doc) and doc[j].lower_ in _DISTANCE_AFTER:
                continue  # "400 yards from the office": a distance
            if label == "LOC" and any(t.lower_ == "day" for t in span) and doc[j - 1].lower_ in SINGULAR_SITE_NOUNS:
                continue  # "a 3 day office closure": days; "3 day cares" are sites
            if label == "LOC" and j < len(doc) and doc[j].lower_ in NOT_SITES_AFTER:
                continue  # "3 office staff", "2 lab techs": people, not sites
            while i < j - 1 and doc[i].lower_ in ("and", "of", "-", "+"):
                i += 1  # "and 3 offices": the entity starts at the number
            span = doc[i:j]
            if label == "LOC" and value <= 100_000:
                out.append(_Cand("qty", i, j, span.start_char, span.end_char, NUM_LOCATIONS, int(value)))
            elif label == "EMP" and value <= 10_000_000:
                out.append(_Cand("qty", i, j, span.start_char, span.end_char, EMPLOYEES, int(value)))
        return out

    # ---- locations ----------------------------------------------------------------------------

    def _emit_locations(self, doc: "Doc", cands: list[_Cand]) -> list[tuple[ExtractedEntity, int]]:
        g = self.gazetteer
        text = doc.text
        groups: dict[tuple[int, int], list[_Cand]] = {}
        for cand in cands:
            groups.setdefault((cand.i, cand.j), []).append(cand)
        spans = sorted(groups)
        # A state right after a city (optionally after a comma) qualifies it.
        resolved: dict[tuple[int, int], tuple[str, Any]] = {}  # span -> ("city", CityInfo) | ("state", code)
        for n, span in enumerate(spans):
            group = groups[span]
            cities = [c for c in group if c.kind == "city"]
            if not cities or span in resolved:
                continue
            nxt = spans[n + 1] if n + 1 < len(spans) else None
            if nxt is None or not _adjacent(doc, span[1], nxt[0]):
                continue
            options = cities[0].payload
            for q in groups[nxt]:
                if q.kind == "state":
                    state = q.payload
                else:  # "Portland 04101": a ZIP right after the city says which Portland
                    info = g.zip(q.payload) if q.kind == ZIP_CODE else None
                    state = info.state if info else None
                if not state:
                    continue
                match = next((o for o in options if o.state == state), None)
                # a lowercase code ("portland or") counts only when the city is in that state
                if match is not None or (q.kind == "state" and not q.extra.get("weak")):
                    # "Lebanon NH" where we know no Lebanon in NH: the state, not another Lebanon
                    # (but "Oregon, Washington" is two states, whatever towns they name)
                    if match is not None:
                        resolved[span] = ("city", match)
                    elif not any(c.kind == "state" for c in group):
                        resolved[span] = ("nothing", None)
                    if q.kind == "state":
                        resolved[nxt] = ("state", state)
                    break
        # Explicit states (and ZIP states) steer ambiguous cities: "Portland ... Maine".
        hints: set[str] = set()
        for span in spans:
            for cand in groups[span]:
                if cand.kind == "state" and not (cand.needs_anchor or cand.needs_place) and not any(c.kind == "city" for c in groups[span]):
                    hints.add(cand.payload)
                elif cand.kind == ZIP_CODE:
                    info = g.zip(cand.payload)
                    if info:
                        hints.add(info.state)
        for span, (kind, value) in resolved.items():
            if kind == "state":
                hints.add(value)
        # Then the states of the cities that can only be one place: "Akron, Canton and Toledo"
        # is Canton, OH, not the larger Canton, MI.
        context = {
            c.payload[0].state for span in spans for c in groups[span]
            if c.kind == "city" and len(c.payload) == 1 and not (c.needs_place or c.needs_anchor)
        }
        # Places that stand as places on their own, for a list around a word that is also a
        # name or a word ("Charlotte and Raleigh", "Mobile and Montgomery").
        strong_starts = {
            span[0] for span in spans
            if (resolved.get(span) or ("",))[0] in ("city", "state")
            or any(c.kind in ("city", "state", ZIP_CODE) and not (c.needs_anchor or c.needs_place) for c in groups[span])
        }
        decisions: dict[tuple[int, int], Optional[tuple[str, Any]]] = {}
        last_place_end: Optional[int] = None
        place_tokens = {k for span in spans for k in range(*span)}
        for span in spans:
            decision = resolved.get(span)
            if decision is None:
                decision = self._decide(doc, span, groups[span], hints or context, last_place_end, strong_starts,
                                        place_tokens)
            if decision is not None and decision[0] == "nothing":
                decision = None
            decisions[span] = decision
            if decision is not None:
                last_place_end = span[1]
        _drop_cities_out_of_named_states(doc, decisions, hints)
        out: list[tuple[ExtractedEntity, int]] = []
        for span in spans:
            group = groups[span]
            start, end = group[0].start, group[0].end
            span_text = text[start:end]
            decision = decisions[span]
            if decision is None:
                continue
            kind, value = decision
            if kind == "city":
                out.append((ExtractedEntity(CITY, value.name, start, end, span_text), 0))
                out.append((ExtractedEntity(US_STATE, value.state, start, end, span_text), 1))
            elif kind == "state":
                out.append((ExtractedEntity(US_STATE, value, start, end, span_text), 0))
            elif kind == "zip":
                out.append((ExtractedEntity(ZIP_CODE, value, start, end, span_text), 0))
                info = g.zip(value)
                if info is not None:
                    out.append((ExtractedEntity(CITY, _zip_city_name(g, info), start, end, span_text), 1))
                    out.append((ExtractedEntity(US_STATE, info.state, start, end, span_text), 2))
        return out

    def _decide(
        self, doc: "Doc", span: tuple[int, int], group: list[_Cand], hints: set[str], last_place_end: Optional[int],
        strong_starts: frozenset[int] | set[int] = frozenset(), place_tokens: frozenset[int] | set[int] = frozenset(),
    ) -> Optional[tuple[str, Any]]:
        zips = [c for c in group if c.kind == ZIP_CODE]
        if zips:
            return ("zip", zips[0].payload)
        cities = [c for c in group if c.kind == "city"]
        states = [
            c
            for c in group
            if c.kind == "state" and not c.needs_anchor and (not c.needs_place or _placed_like_a_place(doc, span, last_place_end))
        ]
        if states and (not cities or any(c.extra.get("name") or c.extra.get("alias_state") for c in states)):
            # A state name that is also a city ("Washington", "New York") is the state unless
            # a state follows (handled by the caller); a code that is also a city alias
            # ("LA" without a city before it) is the city.
            return ("state", states[0].payload)
        if cities:
            city = cities[0]
            person = bool(city.extra.get("person"))
            if not city.extra.get("alias") and _named_like_a_person(doc, span):
                return None  # "this is Tyler", "Madison here", "thanks Austin", "Aloha!"
            if _part_of_a_name(doc, span, place_tokens) and not _placed_like_a_place(doc, span, last_place_end):
                return None  # "Lakeside Dental Group", "West Plains Credit Union"
            if city.extra.get("alias") and span[0] - 1 in place_tokens and doc[span[0]].lower_ in _PLACE_TITLE_WORDS:
                return None  # "the Tampa Bay area" is Tampa's, not "the Bay Area"
            if city.needs_place and not (
                _placed_like_a_place(doc, span, last_place_end, person=person) or _listed_before_a_place(doc, span, strong_starts)
            ):
                return None
            options = city.payload
            choice = next((o for o in options if o.state in hints), options[0])
            return ("city", choice)
        return None

    # ---- negation -----------------------------------------------------------------------------

    def _negate(self, doc: "Doc", found: list[tuple[ExtractedEntity, int]]) -> list[tuple[ExtractedEntity, int]]:
        # "closing the Seattle office": the word is a change of sites and still rules out Seattle
        scopes = _negation_scopes(doc, [(e.start, e.end) for e, _ in found
                                        if not (e.entity == CHALLENGE and e.text.lower() in _CLOSING_WORDS)])
        if not scopes:
            return found
        out = []
        for entity, order in found:
            if entity.entity in NEGATABLE and any(s <= entity.start < e for s, e in scopes):
                entity = ExtractedEntity(entity.entity, entity.value, entity.start, entity.end, entity.text, True)
            out.append((entity, order))
        return out


# Speeds: "10 meg", "1.5 mbps", "25 down", "3mbps". At or below SLOW_MBPS a line is slow for a
# business today (a T1 is 1.5); a figure asked for ("we need 10 meg") is no complaint.
_SPEED_TOKEN = r"^\d+(?:\.\d+)?(?:meg|megs|mb|mbps|mbit|kbps)$"
SLOW_MBPS = 25
_WANTING_SPEED = frozenset({"need", "needs", "want", "wants", "least", "minimum", "min", "require", "requires", "get"})
_DOWN_VERBS = frozenset({"were", "was", "been", "go", "went", "goes", "is", "are", "be", "being"})


def _slow_speed(doc: "Doc", i: int, j: int) -> bool:
    """Whether doc[i:j] states a slow speed the customer has ("the dsl is 3 meg", "like 10 meg on
    a good day", "25 down"), not one they ask for or a count of days down."""
    text = doc[i:j].text.lower().replace(" ", "")
    match = re.match(r"(\d+(?:\.\d+)?)", text)
    if match is None:
        return False
    value = float(match.group(1))
    if "kb" in text:
        value /= 1000
    if text[len(match.group(1)):].startswith("g"):
        value *= 1000  # "1 gig"
    if doc[j - 1].lower_ == "down" and (i > 0 and doc[i - 1].lower_ in _DOWN_VERBS or j < len(doc) and doc[j].lower_ in ("for", "days", "hours")):
        return False  # "we were down 3 days", "down for a week"
    before = {t.lower_ for t in doc[max(0, i - 3) : i]}
    return 0 < value <= SLOW_MBPS and not before & _WANTING_SPEED


# Words a customer puts inside a challenge phrase without changing it (no negations).
_INSERTABLE = frozenset({
    "way", "really", "so", "just", "totally", "completely", "very", "super", "always", "constantly", "basically",
    "literally", "pretty", "all", "ever", "even", "still", "on", "like", "damn", "freaking", "stupid", "whole",
    "entire", "brand", "absolutely", "insanely", "ridiculously", "simply", "honestly", "seriously", "total",
    "real", "truly", "frankly", "kinda", "sorta", "a", "the", "our", "their", "its", "my", "this", "that",
    "current", "main", "long", "big", "huge", "massive", "crazy", "randomly", "often", "frequently", "again",
    "sometimes", "regularly", "usually", "also", "lately", "recently", "of", "ridiculous", "stupidly", "far",
    "much", "bit", "little", "some", "new", "old", "existing", "phone", "internet", "telecom", "monthly",
})
_MAX_INSERTED = 2
# Adverbs in -ly only say how much ("painfully slow", "constantly dropping"), except these,
# which say how little or how often a thing is, or are no adverbs.
_NOT_INSERTABLE_LY = frozenset({
    "only", "hardly", "barely", "rarely", "seldom", "scarcely", "early", "daily", "weekly", "monthly", "yearly",
    "family", "supply", "apply", "reply", "july", "italy", "ugly", "friendly", "likely", "unlikely", "rely",
    "occasionally", "partly", "slightly", "mostly", "nearly", "almost",
})


def _insertable(low: str) -> bool:
    """Whether a word may stand inside a challenge phrase without changing it."""
    return low in _INSERTABLE or (len(low) >= 5 and low.endswith("ly") and low.isalpha() and low not in _NOT_INSERTABLE_LY)

# "a new office manager", "the new site lead": a relocation phrase naming a person or a thing.
_COMPOUND_AFTER = frozenset({
    "manager", "managers", "director", "coordinator", "admin", "administrator", "staff", "team", "hire",
    "hires", "employee", "employees", "furniture", "layout", "lead", "supervisor", "assistant", "receptionist",
})


# Challenges named by two kinds of word in one clause rather than by a set phrase:
# "five different bills", "a 4th store opening in May", "50 meg just doesn't cut it".
# A change of sites (relocation): closing one, or adding the next.
_CLOSING_WORDS = frozenset({"closing", "close", "shutting", "shut", "consolidating", "folding", "merging", "selling"})
_SITE_CHANGE_VERBS = frozenset({
    "add", "adding", "open", "opening", "build", "building", "buy", "buying", "purchase", "purchasing", "lease",
    "leased", "leasing", "acquire", "acquiring", "opens",
})
_ORDINALS = frozenset({"second", "third", "fourth", "fifth", "sixth", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th"})
_NEXT_SITE_WORDS = _ORDINALS | {"another", "new", "more", "additional", "extra"}
_LINE_NOUNS = frozenset({"internet", "phones", "phone", "wifi", "wi-fi", "connection", "network", "pbx", "voip"})
_BAD_VERDICTS = frozenset({
    "disaster", "nightmare", "awful", "terrible", "horrible", "garbage", "trash", "junk", "crap", "crappy",
    "unusable", "sucks", "atrocious", "abysmal", "dreadful",
})
# "the bill for the phones is a disaster": the verdict is on another topic
_VERDICT_OF_ANOTHER_TOPIC = frozenset({"bill", "bills", "price", "pricing", "cost", "invoice", "rate", "rates", "contract",
                                       "support", "install", "installation", "billing"})
_MOVING_WORDS = frozenset({"moving", "relocating", "move", "relocate", "movin"})
_WHEN_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "spring",
    "summer", "fall", "autumn", "winter",
})
_STANDS_ALONE_AFTER = frozenset({"in", "at", "next", "this", "by", "soon", "later", "over", "out", "down", "up", "across"})
_MANY_WORDS = frozenset({"different", "separate", "multiple", "several", "many", "various", "individual"})
_SYSTEM_WORDS = frozenset({"systems", "portals", "logins", "accounts"})
_COMPANY_WORDS = frozenset({"companies"})
_TOOK_WORDS = frozenset({"took", "takes", "take", "taking"})
# What a carrier does for a customer: slow at it, it is poor support (not an install: _NEW_LINE_CUES).
_CARRIER_ACTIONS = frozenset({
    "fix", "show", "come", "respond", "answer", "call", "change", "ship", "replace", "repair", "send", "return",
    "reply", "resolve", "credit", "refund", "escalate", "roll", "swap", "update", "release", "port",
})
_DELAY_WORDS = frozenset({"forever", "ages", "days", "weeks", "months", "hours", "week", "month", "day", "eternity"})
_HELD_WORDS = frozenset({"stuck", "locked", "tied", "trapped"})
_UNTIL_WORDS = frozenset({"until", "till", "til", "thru", "through"})
_BILL_WORDS = frozenset({"bill", "bills", "invoice", "invoices", "statement", "statements", "accounts"})
_VENDOR_WORDS = frozenset({"vendor", "vendors", "carrier", "carriers", "provider", "providers", "telcos", "isps"})
_OPENING_WORDS = frozenset({"opening", "opens", "launching", "launches"})
_OPENING_PAIRS = frozenset({("going", "up"), ("coming", "online"), ("to", "open"), ("will", "open"), ("breaking", "ground")})
_NEW_SITE_WORDS = frozenset({
    "new", "another", "more", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "next", "additional", "extra",
})
_LEASE_WORDS = frozenset({"new", "bigger", "larger", "sign", "signing", "signed", "another", "second"})
_SLOW_WORDS = frozenset({"slow", "slower", "slowest", "sluggish", "crawls", "crawling", "laggy", "lagging", "chokes", "choking",
                         "bogs", "bogged", "slowness", "slowdowns"})
# Near a word of slowness, these make it slowness of people or of work, not of the connection.
_SLOW_PEOPLE_WORDS = frozenset({
    "support", "respond", "response", "responses", "responding", "install", "installs", "installation", "fix",
    "fixing", "repair", "repairs", "answer", "answers", "callback", "callbacks", "ticket", "tickets", "tech",
    "techs", "technician", "turnaround", "provisioning", "quote", "quotes", "billing", "rep", "reps", "service",
    "team", "staff", "pay", "paying", "process", "processes", "onboarding", "sales", "order", "orders", "helpdesk",
})
_SUPPORT_NOUNS = frozenset({"support", "service", "helpdesk", "reps", "rep", "techs", "technicians", "staff"})
_LINKING_VERBS = frozenset({"is", "are", "was", "were", "'s", "has", "have", "seems", "feels", "got", "gets", "been"})
_BAD_WORDS = frozenset({
    "lousy", "awful", "terrible", "horrible", "bad", "poor", "crappy", "crap", "garbage", "useless", "nonexistent",
    "non-existent", "atrocious", "abysmal", "pathetic", "worst", "sucks", "joke", "rude", "clueless", "incompetent",
    "unhelpful", "shoddy", "subpar", "dreadful", "worse", "trash",
})
_WAIT_UNITS = frozenset({"min", "mins", "minutes", "minute", "hour", "hours", "hr", "hrs", "forever", "ages", "eternity", "hour-long"})
_FEE_WORDS = frozenset({"fee", "fees", "surcharge", "surcharges", "charges"})
_FEE_CUES = frozenset({"new", "hidden", "extra", "junk", "added", "more", "another", "random", "surprise", "keep", "keeps",
                       "mystery", "bogus", "crazy", "ridiculous", "insane"})
_CONTRACT_FEE_WORDS = frozenset({"termination", "cancellation", "early", "etf", "install", "installation", "setup"})
_MONEY_SIGNS = frozenset("$💸💰🤑💵💲")
_SPEED_UNITS = frozenset({"meg", "megs", "mbps", "mb", "mbs", "mbit", "megabit", "megabits", "gig", "gigs", "gbps"})
# The units of a speed figure (_slow_speed): those, kilobits, and "25 down"
_SPEED_FIGURE_UNITS = _SPEED_UNITS | {"kbps", "kb", "down"}
_NOT_ENOUGH = frozenset({
    "n't", "not", "enough", "cut", "cutting", "barely", "doesnt", "isnt", "aint", "slow", "more", "upgrade",
    "max", "maxed", "insufficient", "inadequate", "nowhere",
})


def _slow_to_act(doc: "Doc", lows: Sequence[str], k: int) -> Optional[int]:
    """The end of "takes days to show up", "took 2 weeks to fix it" from `k` (a form of take),
    or None: a delay, then "to" and something a carrier does for its customer."""
    end = min(len(doc), k + 7)
    to = next((m for m in range(k + 1, end) if lows[m] == "to"), None)
    if to is None or to + 1 >= len(doc) or not any(w in _DELAY_WORDS for w in lows[k + 1 : to]):
        return None
    action = lows[to + 1]
    return to + 2 if action in _CARRIER_ACTIONS else None


_RISE_WORDS = frozenset({
    "more", "higher", "increase", "increased", "hike", "jump", "jumped", "up", "raise", "raised", "rose", "went",
    "gone", "climbed", "shot", "doubled", "extra",
})
_PRICE_NOUNS = frozenset({"bill", "bills", "price", "prices", "pricing", "rate", "rates", "cost", "costs", "invoice",
                          "renewal", "renew", "quote", "charge", "charges"})
# After a figure, what makes it a count or a speed, not money: "30% more staff", "from 50 to 100 meg"
_NOT_MONEY_AFTER = _SPEED_FIGURE_UNITS | SITE_NOUN_SET | frozenset(PEOPLE_NOUNS) | {"percent", "people", "users", "lines"}


def _price_rise(doc: "Doc", lows: Sequence[str], k: int) -> bool:
    """Whether a price rise starts at `k`: a percentage with a word of rising ("20% more",
    "up 30%") in a message naming a price, or "from 600 to 940" after a price noun or a verb
    of rising."""
    window = lows[max(0, k - 4) : k + 3]
    if lows[k] == "%" and k > 0 and doc[k - 1].like_num or (lows[k].endswith("%") and lows[k][:1].isdigit()):
        after = lows[k + 1 : k + 3]
        if after[:1] and after[0] in _NOT_MONEY_AFTER or any(w in _NOT_MONEY_AFTER for w in after[1:2]):
            return False
        return any(w in _RISE_WORDS for w in window) and any(w in _PRICE_NOUNS for w in lows)
    if lows[k] != "from" or not any(w in _RISE_WORDS or w in _PRICE_NOUNS for w in lows[max(0, k - 4) : k]):
        return False
    figures = [m for m in range(k + 1, min(len(doc), k + 6)) if lows[m].lstrip("$").replace(",", "")[:1].isdigit()]
    if len(figures) < 2 or "to" not in lows[figures[0] : figures[1]]:
        return False
    low, high = (parse_number_words([lows[m].lstrip("$").replace(",", "")]) for m in figures[:2])
    after = lows[figures[1] + 1] if figures[1] + 1 < len(doc) else ""
    return low is not None and high is not None and high > low and after not in _NOT_MONEY_AFTER


_PER_MONTH = frozenset({"/mo", "/month", "monthly", "/mth", "mo", "month", "grand"})
# Words judging a sum too high ("which seems insane", "900 a month alone", "brutal").
_DEAR_VERDICTS = frozenset({
    "insane", "crazy", "high", "steep", "ridiculous", "absurd", "outrageous", "alone", "brutal", "nuts", "wild",
    "robbery", "expensive", "pricey", "fortune", "bananas", "painful", "killing", "obscene", "astronomical",
})
_VERDICT_REACH = 10


def _money_figure(doc: "Doc", lows: Sequence[str], k: int) -> bool:
    """Whether a sum of money is at `k`: "$320", "$ 1,100", "650 a month", "900/mo", "4 grand"."""
    word = lows[k]
    if word.startswith("$") and any(c.isdigit() for c in word):
        return True
    if not word[:1].isdigit():
        return False
    if k and lows[k - 1] == "$":
        return True
    after = lows[k + 1 : k + 3]
    return bool(after) and (after[0] in _PER_MONTH or after in (["a", "month"], ["per", "month"], ["a", "mo"]))


def _judged_dear(doc: "Doc", lows: Sequence[str], k: int) -> bool:
    """Whether a word judging a sum too high is near `k`, in the same sentence."""
    for step in (-1, 1):
        m = k + step
        while 0 <= m < len(doc) and abs(m - k) <= _VERDICT_REACH and doc[m].text not in _SENTENCE_PUNCT:
            if lows[m] in _DEAR_VERDICTS:
                return True
            m += step
    return False


def _held_until(doc: "Doc", lows: Sequence[str], k: int) -> bool:
    """Whether "stuck", "locked", "tied" at `k` is held by a term: "until June", "for 3 more
    years", "till 2028" within a few words."""
    after = lows[k + 1 : k + 6]
    if any(w in _UNTIL_WORDS for w in after):
        return True
    counted = any(a == "for" and (b[:1].isdigit() or parse_number_words([b]) is not None) for a, b in zip(after, after[1:]))
    return counted and any(w.rstrip("s") in ("year", "month", "yr") for w in after)


def _paired_word_candidates(doc: "Doc", known: set[Any]) -> list[_Cand]:
    out: list[_Cand] = []

    def add(code: str, i: int, j: int) -> None:
        # a construction's code spans one word of it where a longer span could hide a carrier,
        # a service or a place inside it ("stuck with Lumen until June")
        if code not in known:
            span = doc[i:j]
            out.append(_Cand("challenge", i, j, span.start_char, span.end_char, CHALLENGE, code))
            known.add(code)

    lows = [t.lower_.replace("\u2019", "'") for t in doc]
    n = len(doc)
    verdict: Optional[tuple[int, int]] = None  # a bad verdict on the line, used when nothing else is said
    for k, low in enumerate(lows):
        before = [w for w in lows[max(0, k - 2) : k]]
        # "five different bills", "invoices from 4 carriers", "9 bills": many bills or vendors
        if low in _BILL_WORDS or low in _VENDOR_WORDS:
            minimum = 2 if low in _BILL_WORDS else 3
            count = None
            for m in range(max(0, k - 2), k):
                if doc[m].like_num and not doc[m].lower_ in ("a", "an", "couple", "pair", "both", "single", "half"):
                    count = parse_number_words([doc[m].lower_])
            if (count is not None and count >= minimum) or (low.endswith("s") and any(w in _MANY_WORDS for w in before)):
                if not any(w in _NEG_SINGLE for w in lows[max(0, k - 4) : k]):
                    add("multi_site_management", max(0, k - 2), k + 1)
        # "4 separate phone systems", "three different internet companies": many of them, counted
        # (a word may name what they are), or said to be many
        if low in _SYSTEM_WORDS or low in _COMPANY_WORDS:
            count = next((parse_number_words([lows[m]]) for m in range(max(0, k - 3), k)
                          if doc[m].like_num and lows[m] not in ("a", "an", "couple", "pair", "both", "single", "half")), None)
            minimum = 2 if low in _SYSTEM_WORDS else 3
            many = count >= minimum if count is not None else any(w in _MANY_WORDS for w in lows[max(0, k - 3) : k])
            if many and not any(w in _NEG_SINGLE for w in lows[max(0, k - 4) : k]):
                add("multi_site_management", k, k + 1)
        # "they take days to show up", "took 2 weeks to fix it": the carrier slow to act
        if low in _TOOK_WORDS:
            acted = _slow_to_act(doc, lows, k)
            if acted is not None:
                add("poor_support", k, k + 1)
        # "they want 20% more at renewal", "the bill went from 600 to 940": a price that rises
        if _price_rise(doc, lows, k):
            add("high_cost", k, k + 1)
        # "$320 a month for two lines, which seems insane", "900 a month alone": a sum judged
        if _money_figure(doc, lows, k) and _judged_dear(doc, lows, k):
            add("high_cost", k, k + 1)
        # "stuck with them until June", "locked in for 3 more years": a term that holds them
        if low in _HELD_WORDS and _held_until(doc, lows, k):
            add("contract_inflexibility", k, k + 1)
        # "a second showroom opens this winter", "two more stores going up next year"
        opening = low in _OPENING_WORDS or (k + 1 < n and (low, lows[k + 1]) in _OPENING_PAIRS)
        if opening:
            window = _clause_window(doc, k, 5)
            if any(lows[m] in _NEW_SITE_WORDS or lows[m] in SITE_NOUN_SET for m in window) and not any(
                lows[m] in _NEG_SINGLE for m in range(max(0, k - 3), k)
            ):
                add("relocation", k, k + 1)  # the word alone: the window may hold a count of sites
        # "we sign the lease on a bigger place": a new lease
        if low in ("lease", "leases"):
            window = _clause_window(doc, k, 4)
            if any(lows[m] in _LEASE_WORDS for m in window):
                add("relocation", k, k + 1)
        # "spectrum is slow", "it's embarrassingly slow", "expensive, slow, and locked in": slowness
        # said of the connection, not of people ("slow to respond", "support is slow")
        if low in _SLOW_WORDS:
            near = lows[max(0, k - 3) : k + 2]  # "support is slow", "slow support"
            if not any(w in _SLOW_PEOPLE_WORDS for w in near) and not (k + 1 < n and lows[k + 1] == "to"):
                add("bandwidth", k, k + 1)
        # "lousy service", "the reps are useless", "support has been awful": a bad word for support
        if low in _SUPPORT_NOUNS:
            before = lows[max(0, k - 2) : k]
            after = lows[k + 1 : k + 4]
            bad_after = bool(after) and after[0] in _LINKING_VERBS and any(w in _BAD_WORDS for w in after[1:3])
            if any(w in _BAD_WORDS for w in before) or bad_after:
                add("poor_support", max(0, k - 2), min(n, k + 4))
        # "45 minutes on hold", "an hour of hold music": waiting to reach someone
        if low == "hold" and k > 0 and lows[k - 1] in ("on", "of"):
            window = _clause_window(doc, k, 4)
            if any(lows[m] in _WAIT_UNITS for m in window) or (k + 1 < n and lows[k + 1] == "music"):
                add("poor_support", k - 1, k + 1)
        # "some new fee on the invoice", "hidden fees": charges that creep in
        if low in _FEE_WORDS:
            window = _clause_window(doc, k, 3)
            if any(lows[m] in _FEE_CUES for m in window) and not any(lows[m] in _CONTRACT_FEE_WORDS for m in window):
                add("high_cost", k, k + 1)
        # "$$$", "💸💸": money, said with signs
        signs = all(c in _MONEY_SIGNS for c in doc[k].text)
        if signs and (doc[k].text != "$" or (k + 1 < n and all(c in _MONEY_SIGNS for c in doc[k + 1].text))):
            add("high_cost", k, k + 1)
        # "closing the toledo office", "shutting down the old plant": a site closed is a change of sites
        if low in _CLOSING_WORDS:
            window = lows[k + 1 : k + 6]
            if any(w in SITE_NOUN_SET for w in window) or (window[:1] == ["down"] and any(w in SITE_NOUN_SET for w in lows[k + 2 : k + 7])):
                add("relocation", k, k + 1)  # the word alone: the places after it stay places
        # "adding 6 to 8 more", "building a second plant", "a 5th under construction", "purchase a third"
        if low in _SITE_CHANGE_VERBS:
            nexts = [m for m in range(k + 1, min(n, k + 5)) if lows[m] in _NEXT_SITE_WORDS]
            for m in nexts[:1]:
                after = lows[m + 1] if m + 1 < n else ""
                # the next site named ("a second plant"), or the word standing for it ("purchase
                # a third in Surfside", "adding 6 to 8 more next year"), not "more bandwidth"
                if any(w in SITE_NOUN_SET for w in lows[m + 1 : m + 4]) or after in _STANDS_ALONE_AFTER \
                        or (after == "" or doc[m + 1].is_punct) and lows[m] != "new":
                    add("relocation", k, k + 1)
        if low == "construction" and k > 0 and lows[k - 1] == "under":
            add("relocation", k - 1, k + 1)
        # "the internet is a nightmare", "our phones have been a disaster": a bad verdict on the
        # line itself, when nothing more specific is said, is that it does not work (reliability)
        if low in _LINE_NOUNS and verdict is None and not any(w in _VERDICT_OF_ANOTHER_TOPIC for w in lows[max(0, k - 4) : k]):
            window = [m for m in _clause_window(doc, k, 6) if m > k]
            if any(lows[m] in _BAD_VERDICTS for m in window) and not any(
                    lows[m] in _NEG_SINGLE or lows[m] == "home" or lows[m] in _VERDICT_OF_ANOTHER_TOPIC
                    for m in _clause_window(doc, k, 6)):
                verdict = (k, max(window) + 1)
        # "moving across the river to Cambridge in March", "relocating in the spring": a move with a
        # when or a where ("moving to SIP" is none)
        if low in _MOVING_WORDS and not _moves_a_service(doc, k):
            window = lows[k + 1 : k + 8]
            if any(w in _WHEN_WORDS or w in SITE_NOUN_SET or w in ("across", "building", "space", "suite") for w in window):
                add("relocation", k, k + 1)
        # "the dsl is 3 meg", "10mbps", "25 down": a slow speed the customer has
        if (low in _SPEED_FIGURE_UNITS and k > 0 and doc[k - 1].like_num and _slow_speed(doc, k - 1, k + 1)) or (
                re.match(_SPEED_TOKEN, low) and _slow_speed(doc, k, k + 1)):
            add("bandwidth", k - 1 if low in _SPEED_FIGURE_UNITS else k, k + 1)
        # "50 meg for 80 people just doesn't cut it": a speed that is not enough
        if low in _SPEED_UNITS and k > 0 and doc[k - 1].like_num:
            window = [m for m in _clause_window(doc, k, 7) if m > k]
            if any(lows[m] in _NOT_ENOUGH for m in window):
                add("bandwidth", k - 1, max(window) + 1)
    shortfall = _paid_speed_shortfall(doc)
    if shortfall is not None:
        add("bandwidth", shortfall[0], shortfall[0] + 1)
    demanded = _term_demanded(doc)
    if demanded is not None:
        add("contract_inflexibility", demanded[1] - 1, demanded[1])
    wished = _one_vendor_wished(doc)
    if wished is not None and any(lows[m] in _ALL_OF_IT for m in range(wished[1], min(n, wished[1] + 6))):
        add("multi_site_management", wished[0], wished[0] + 1)  # "one vendor to manage all of it": many to consolidate
    if verdict is not None and not known:
        add("reliability", *verdict)
    return out


# "they want a 3 year contract just to add a line", "made us sign a 36-month term": a long term
# demanded of the customer (contract_inflexibility), not a term told as a fact ("we signed a 3
# year deal in 2023").
_TERM_NOUNS = frozenset({"contract", "contracts", "deal", "term", "commitment", "agreement"})
_DEMAND_VERBS = frozenset({
    "want", "wants", "wanted", "require", "requires", "required", "make", "makes", "made", "force", "forces",
    "forced", "insist", "insists", "insisted", "demand", "demands", "demanded", "push", "pushing", "pushed",
})
_DEMAND_REACH = 6


def _term_demanded(doc: "Doc") -> Optional[tuple[int, int]]:
    """Token span of a long term (two years or more) the carrier demands ("wants a 3 year
    contract"), if any; not one the customer wants ("we want a 2 year deal")."""
    lows = [t.lower_ for t in doc]
    for k, low in enumerate(lows):
        if low not in _TERM_NOUNS:
            continue
        months = _term_months(lows, k)
        if months is None or months < 24:
            continue
        for m in range(k - 1, max(-1, k - _DEMAND_REACH - 3), -1):
            if doc[m].text in (".", ";", "!", "?", ","):
                break
            if lows[m] in _DEMAND_VERBS and not (m and lows[m - 1] in _CUSTOMER_SUBJECTS):
                return m, k + 1
    return None


_CUSTOMER_SUBJECTS = frozenset({"we", "i", "we'd", "i'd", "we'll", "i'll", "also", "really", "just"})


def _term_months(lows: Sequence[str], k: int) -> Optional[float]:
    """The length in months of the term named just before the noun at `k` ("3 year", "36-month",
    "five-year"), or None."""
    for m in range(k - 1, max(-1, k - 4), -1):
        word = lows[m]
        unit = next((u for u in ("year", "yr", "month", "mo") if word.rstrip("s") == u or word.endswith("-" + u)), None)
        if unit is None:
            continue
        figure = word.rsplit("-", 1)[0] if "-" in word else (lows[m - 2] if m >= 2 and lows[m - 1] == "-" else
                                                            (lows[m - 1] if m else ""))
        number = parse_number_words([figure])
        if number is None:
            return None
        return number * (12 if unit in ("year", "yr") else 1)
    return None


# "we pay for 300 meg and get 40", "they promised a gig, we see 200": a speed paid for or
# promised, and a lower one had (bandwidth, not the price: the money is the speed's measure).
_PROMISE_WORDS = frozenset({"pay", "pays", "paying", "paid", "promised", "promise", "promises", "sold", "advertised",
                            "billed", "supposedly", "supposed"})
_HAD_SPEED_WORDS = frozenset({"get", "gets", "getting", "got", "see", "seeing", "saw", "actually", "receive",
                              "receiving", "measure", "tests", "test", "shows", "show"})
_SHORTFALL_REACH = 8
# Words after a bare speed figure: "we pay for 500 and get 80", "20 on a good day"
_BARE_FIGURE_AFTER = frozenset({"and", "but", "yet", "on", "in", "at", "most", "max", "tops", "if", "when", "symmetrical",
                                "symmetric", "up", "down"})


def _speed_figure(doc: "Doc", k: int) -> Optional[float]:
    """The megabits of a speed figure at `k` ("300", "300 meg", "a gig", "1 gig"), or None."""
    low = doc[k].lower_
    after = doc[k + 1].lower_ if k + 1 < len(doc) else ""
    if low in ("a", "one") and after in _GIG_UNITS:
        return 1000.0
    if not low[:1].isdigit():
        return None
    if after.isalpha() and after not in _SPEED_FIGURE_UNITS and after not in _BARE_FIGURE_AFTER:
        return None  # "2 lines", "3 bills": a count of something else
    number = parse_number_words([low.rstrip("+")])
    return number * 1000 if number is not None and after in _GIG_UNITS else number


_GIG_UNITS = frozenset({"gig", "gigs", "gigabit", "gbps"})


def _paid_speed_shortfall(doc: "Doc") -> Optional[tuple[int, int]]:
    """Token span of a speed paid for or promised followed by a lower one had, if any."""
    lows = [t.lower_ for t in doc]
    n = len(doc)
    for k, low in enumerate(lows):
        if low not in _PROMISE_WORDS:
            continue
        for m in range(k + 1, min(n, k + 7)):
            promised = _speed_figure(doc, m)
            if promised is None or doc[m - 1].text == "$":
                continue
            for h in range(m + 1, min(n, m + _SHORTFALL_REACH)):
                if lows[h] not in _HAD_SPEED_WORDS:
                    continue
                for f in range(h + 1, min(n, h + 4)):
                    had = _speed_figure(doc, f)
                    if had is not None and had < promised:
                        return k, f + 1
            break
    return None


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


_TOPIC_CLAUSE_WORDS = 3
_TOPIC_CLAUSE_BREAKS = frozenset({"and", "but", "plus", "also", "&"})


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


def _clause_window(doc: "Doc", k: int, width: int) -> list[int]:
    """Token indexes within `width` of k on both sides, not past punctuation or "but"."""
    out = []
    for step in (-1, 1):
        m = k + step
        while 0 <= m < len(doc) and abs(m - k) <= width and not (doc[m].is_punct or doc[m].lower_ == "but"):
            out.append(m)
            m += step
    return sorted(out)




def _names_a_person_or_thing(doc: "Doc", cand: _Cand) -> bool:
    return (cand.layer == "challenge" and cand.payload == "relocation" and cand.j < len(doc)
            and doc[cand.j].lower_ in _COMPOUND_AFTER)


# "too dependent on Spectrum", "a hostage to Verizon", "we rely on AT&T for everything": one
# named carrier relied on (vendor_dependence; "we depend on the internet" names no carrier).
_DEPENDENCE_WORDS = frozenset({"dependent", "dependant", "reliant", "hostage", "beholden", "captive", "depend", "depends",
                               "rely", "relies", "relying", "depending"})
_DEPENDENCE_LINKS = frozenset({"on", "to", "upon"})


def _dependence_on_a_carrier(doc: "Doc", found: list[_Cand]) -> list[_Cand]:
    """vendor_dependence for a carrier named right after a word of depending on it."""
    if any(c.layer == "challenge" and c.payload == "vendor_dependence" for c in found):
        return []
    for c in found:
        if c.layer != "carrier" or c.i < 2:
            continue
        link, word = doc[c.i - 1].lower_, doc[c.i - 2].lower_
        if link in _DEPENDENCE_LINKS and word in _DEPENDENCE_WORDS:
            span = doc[c.i - 2 : c.i]  # the words, not the carrier's name (it stays a carrier)
            return [_Cand("challenge", c.i - 2, c.i, span.start_char, span.end_char, CHALLENGE, "vendor_dependence")]
    return []


# "the main issue is cost", "biggest challenges today are cost and support": a word of problem,
# "is"/"are", then topic words (Extractor._named_problem_topics).
_PROBLEM_NOUNS = frozenset({
    "issue", "issues", "problem", "problems", "challenge", "challenges", "concern", "concerns", "headache",
    "headaches", "complaint", "complaints", "gripe", "gripes", "thing", "priority", "priorities", "pain",
})
_PROBLEM_NOUN_FILLER = frozenset({"today", "now", "right", "currently", "honestly", "really", "though", "tho", "here",
                                  "for", "us", "me", "overall", "lately"})
_IS_WORDS = frozenset({"is", "are", "was", "were", "'s", "=", ":", "-"})
_NAMED_TOPIC_FILLER = frozenset({"the", "our", "their", "just", "mostly", "really", "probably", "definitely", "honestly",
                                 "simply", "then", "its", "it's", "overall", "total", "monthly", "customer"})
_NAMED_TOPIC_EXTRA = {"support": "poor_support"}
_NAMED_TOPIC_REACH = 6


def _problem_is_at(doc: "Doc") -> list[tuple[int, int]]:
    """(index of the problem word, index after "is") of each "<problem> is ..." not negated."""
    lows = [t.lower_.replace("\u2019", "'") for t in doc]
    out = []
    for k, low in enumerate(lows):
        if low not in _PROBLEM_NOUNS:
            continue
        m = k + 1
        while m < len(lows) and m <= k + 2 and lows[m] in _PROBLEM_NOUN_FILLER:
            m += 1
        if m < len(lows) and lows[m] in _IS_WORDS and not (m + 1 < len(lows) and lows[m + 1] in _DENIALS | {"no"}):
            out.append((k, m + 1))
    return out


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


# "we're not overpaying", "it isn't expensive", "not locked in or anything": a challenge phrase
# right after a plain negation is denied (phrases holding their own negation, "not reliable",
# "no backup", are read whole; "not only expensive" and "not just slow" still complain).
_DENIALS = frozenset({"not", "n't", "never", "isn't", "isnt", "aren't", "arent", "wasn't", "wasnt", "weren't",
                      "doesn't", "doesnt", "don't", "dont"})
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


_SENTENCE_PUNCT = frozenset({".", "!", "?", ";"})

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


# ---- when the classifier's codes are believed ------------------------------------------------

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
# "support has been fine", "the price is ok": a topic named as not a problem. Unless a word of
# trouble is there too ("fine until it goes down"), the classifier's codes are not taken.
_SATISFIED = frozenset({
    "fine", "ok", "okay", "good", "great", "happy", "solid", "reasonable", "satisfied", "pleased",
    "excellent", "perfect", "decent", "acceptable", "smooth", "smoothly", "stable",
    "quick", "painless",  # "the install was quick"
})
_TROUBLE = frozenset({
    "not", "no", "n't", "never", "but", "except", "until", "although", "though", "however", "too", "slow",
    "bad", "poor", "terrible", "awful", "worse", "worst", "problem", "problems", "issue", "issues", "down",
    "out", "drop", "drops", "dropping", "expensive", "high", "hate", "need", "want", "isn't", "wasn't",
    "aren't", "don't", "doesn't", "didn't", "can't", "cant", "won't", "wont", "nobody", "nothing",
    "isnt", "wasnt", "arent", "dont", "doesnt", "didnt", "enough", "faster", "quicker", "more",
})
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
# A reply this short without a joiner names one topic: the phrases' reading of it is enough.
_ONE_TOPIC_WORDS = 3
# Words joining two topics in a reply ("price and reliability", "cost, support").
_TOPIC_JOINERS = frozenset({"and", "&", ",", "plus", "+", "/", "also", "both", "as", "well", ";"})
# Contract facts ("we're month to month", "the agreement expires in 2027", "we signed a 3 year
# deal") are not contract_inflexibility unless the wording complains.
# Words that state a contract's status or dates ("ends", "up in", "signed", "month to month").
_CONTRACT_STATUS = frozenset({
    "ends", "end", "ending", "ended", "expires", "expire", "expiring", "expired", "expiration", "up", "runs", "run",
    "through", "thru", "renews", "renewed", "signed", "month", "months", "year", "years", "since", "started",
    "wraps", "finishes",
})
_CONTRACT_COMPLAINT = frozenset({
    "stuck", "locked", "lock", "trapped", "trap", "tied", "penalty", "penalties", "fee", "fees", "hate",
    "regret", "rigid", "inflexible", "flexibility", "flexible", "can't", "cant", "cannot", "won't", "wont",
    "forced", "force", "auto", "automatically", "screwed", "leave", "leaving", "cancel", "buyout",
    "long", "too", "let", "break", "breaking", "escape", "commitment", "commitments", "minimum", "ties",
    "evergreen", "without", "again", "another", "more", "not", "never", "n't", "nothing", "wiggle", "trapped",
    "termination", "terminate", "early", "liability", "liabilities", "throat", "hostage", "handcuffed", "chained",
})


_CLAUSE_BREAKS = frozenset({"but"})


def _clause_ranges(doc: "Doc", breaks: frozenset[str] = _CLAUSE_BREAKS) -> list[tuple[int, int]]:
    """Token ranges of the clauses of `doc`, split at punctuation and at `breaks` (by default
    "but"); empty clauses left out."""
    out, start = [], 0
    for t in doc:
        if t.is_punct or t.lower_ in breaks:
            if t.i > start:
                out.append((start, t.i))
            start = t.i + 1
    if start < len(doc):
        out.append((start, len(doc)))
    return out


def _clause_words(doc: "Doc", i: int, j: int) -> list[str]:
    return [t.lower_.replace("\u2019", "'") for t in doc[i:j] if t.is_alpha or "'" in t.text]


def _clauses(doc: "Doc") -> list[set[str]]:
    """The words of each clause (split at punctuation and "but"), clauses without words left out."""
    return [words for i, j in _clause_ranges(doc) if (words := set(_clause_words(doc, i, j)))]


# A clause saying a topic is no problem: "no complaints about reliability", "nothing wrong with
# support", "not worried about price", "we never have outages", "support's actually decent".
_ALL_WELL_NEGATORS = frozenset({"no", "nothing", "never", "not", "n't", "zero", "without", "none", "isn't", "aren't",
                                "wasn't", "don't", "doesn't", "haven't", "hasn't", "rarely", "seldom",
                                # typed without the apostrophe
                                "isnt", "arent", "wasnt", "dont", "doesnt", "havent", "hasnt"})
_PROBLEM_WORDS = frozenset({
    "complaint", "complaints", "complain", "complaining", "issue", "issues", "problem", "problems", "trouble",
    "troubles", "wrong", "worried", "worry", "worries", "unhappy", "concerned", "concern", "concerns", "outage",
    "outages", "downtime", "bad", "gripes", "gripe", "beef", "deal",  # "isn't a big deal"
})
_ALL_WELL_REACH = 4  # words from the negator to the problem word ("never had any real problems")


# Topics named by a word the phrases give no code alone ("support" may be good or bad).
_TOPIC_NOUNS = ("support", "service", "reliability", "outages", "outage", "uptime", "downtime", "customer")
# Topics that are good things: "no backup", "zero accountability" complain of their absence.
_GOOD_THING_STEMS = frozenset(stem(w) for w in (
    "accountability", "affordability", "dependability", "flexibility", "stability", "visibility", "resilience",
    "resiliency", "continuity", "responsiveness", "uptime", "diversification", "leverage", "savings", "saving",
    "consolidation", "growth", "expansion", "capacity", "speed", "throughput", "callback", "escalation",
))
# Words around a topic ruled out in a clause of its own: "not price", "it's not the support".
_RULED_OUT_FILLER = frozenset({"it's", "its", "it", "is", "the", "our", "that", "really", "so", "much", "about", "even",
                               "and", "or", "nor", "just", "either", "neither", "honestly", "tbh"})


def _ruled_out_topic(words: list[str], topic_words: Mapping[str, str]) -> bool:
    """'not price', 'no, not support', 'it's not the bill': a negator and a topic word only."""
    negators = [w for w in words if w in _ALL_WELL_NEGATORS or w.endswith("n't")]
    topics = [w for w in words if stem(w) in topic_words]
    rest = [w for w in words if w not in negators and w not in topics and w not in _RULED_OUT_FILLER]
    return bool(negators) and bool(topics) and not rest and words.index(negators[0]) < words.index(topics[0])


def _fine_clause_spans(doc: "Doc", topic_words: Mapping[str, str] = MappingProxyType({})) -> list[tuple[int, int]]:
    """Char ranges of the clauses (split at punctuation and "but") that say a topic is no
    problem: a word of satisfaction and none of trouble ("the speed is fine", "support's
    actually decent"), a negation of a problem word and no other trouble ("no complaints
    about reliability", "nothing wrong with support or reliability", "we never have outages"),
    or a topic ruled out ("not price. not support. speed.": `topic_words`, phrasings.yml)."""
    spans: list[tuple[int, int]] = []
    for i, j in _clause_ranges(doc):
        clause = doc[i:j]
        words = _clause_words(doc, i, j)
        if not words:
            continue
        if _ruled_out_topic(words, topic_words):
            spans.append((clause.start_char, clause.end_char))
            continue
        bag = set(words)
        # "ok honestly the big thing is ...": a first "ok"/"great" is a discourse marker
        said_well = set(words[1:]) if len(words) > 1 and words[0] in _SATISFIED else bag
        if any(a == "good" and b == "day" for a, b in zip(words, words[1:])):
            said_well = said_well - {"good"}  # "20 meg on a good day": the best it gets
        satisfied = bool(said_well & _SATISFIED) and not bag & _TROUBLE
        negated_problem = False
        for n, word in enumerate(words):
            if word in _ALL_WELL_NEGATORS or word.endswith("n't"):
                if any(w in _PROBLEM_WORDS for w in words[n + 1 : n + 1 + _ALL_WELL_REACH]):
                    negated_problem = True
        if negated_problem:
            others = bag - _ALL_WELL_NEGATORS - _PROBLEM_WORDS
            negated_problem = not {w for w in others if not w.endswith("n't")} & (_TROUBLE | {"until", "since", "except"})
        if satisfied or negated_problem:
            spans.append((clause.start_char, clause.end_char))
    return spans


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
_MIN_SENTENCE_WORDS = 4


def _sentences(text: str) -> list[str]:
    """The sentences of a message of two or more (each of _MIN_SENTENCE_WORDS words or more);
    none for a message of one sentence."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and len(p.split()) >= _MIN_SENTENCE_WORDS]
    return parts if len(parts) >= 2 else []


# An outage feared, not had: "if the line goes down", "in case it fails", "should the fiber get cut",
# "paranoid about it going down".
_FEAR_OPENERS = frozenset({"if", "should", "case", "whenever", "paranoid", "afraid", "scared", "terrified", "nervous"})
# Openers that fear an outage only where the message speaks of one line or of a backup it lacks:
# "whenever it goes down we're done, it's our only line" (not "whenever it rains the line dies").
_SINGLE_LINE_OPENERS = frozenset({"whenever"})
_SINGLE_LINE_WORDS = frozenset({"one", "only", "single", "sole", "backup", "failover", "redundancy", "redundant", "second"})
# "whenever it rains the line dies": what brings the failure, so the failure is had, not feared
_FAILURE_CAUSES = frozenset({
    "rain", "rains", "raining", "storm", "storms", "stormy", "snow", "snows", "snowing", "wind", "windy", "busy",
    "hot", "heat", "cold", "ice", "thunderstorm", "thunderstorms", "everyone", "everybody",
})
_FAILURE_WORDS = frozenset({
    "down", "out", "fails", "fail", "failed", "dies", "die", "dead", "drops", "drop", "cut", "offline", "outage",
    "outages", "crashes", "crash", "breaks", "dark",
})
_OUTAGE_HAD_WORDS = frozenset({
    "again", "constantly", "always", "weekly", "daily", "often", "twice", "times",
    "week", "month", "last", "yesterday", "today", "happened", "happens", "still", "had",
})
# "keeps dropping" is an outage had, "keeps me up at night" is not; "every week" is, "every store" not.
_KEEP_WORDS = frozenset({"keep", "keeps", "kept"})
_EVERY_TIME_WORDS = frozenset({"day", "week", "month", "morning", "afternoon", "evening", "night", "time", "storm",
                               "hour", "couple", "other", "few", "single"})
_FEAR_REACH = 6
_PEOPLE_WHO_CANCEL = frozenset({"we", "i", "you"})


def _outage_had_word(lows: Sequence[str], k: int) -> bool:
    """Whether the word at `k` says an outage happens: "again", "weekly", "keeps dropping",
    "every week"."""
    word = lows[k]
    if word in _OUTAGE_HAD_WORDS:
        return True
    after = lows[k + 1 : k + 3]
    if word in _KEEP_WORDS:
        return any(w in _FAILURE_WORDS or w.endswith("ing") for w in after)
    return word == "every" and bool(after) and after[0] in _EVERY_TIME_WORDS


def _outage_only_feared(doc: "Doc") -> bool:
    """Whether every failure the message names is feared, not had: "if our one line goes down
    we're dead", "should the fiber get cut we'd have nothing", "paranoid about it going down"
    ("when"/"whenever" only where one line or a missing backup is spoken of, and not after a
    cause: "whenever it rains the line dies" is an outage had)."""
    lows = [t.lower_.replace("\u2019", "'") for t in doc]
    # "if we drop a line": the customer cancelling, not the line failing
    failures = [k for k, w in enumerate(lows) if w in _FAILURE_WORDS and not (k and lows[k - 1] in _PEOPLE_WHO_CANCEL)]
    if not failures or any(_outage_had_word(lows, k) for k in range(len(lows))):
        return False
    single = any(w in _SINGLE_LINE_WORDS for w in lows) or any(a == "plan" and b == "b" for a, b in zip(lows, lows[1:]))
    feared = set()
    for k, word in enumerate(lows):
        if word not in _FEAR_OPENERS or (word == "case" and not (k and lows[k - 1] == "in")):
            continue
        near = [m for m in failures if k < m <= k + _FEAR_REACH]
        if not near or (word in _SINGLE_LINE_OPENERS and (
                not single or any(w in _FAILURE_CAUSES for w in lows[k + 1 : near[0]]))):
            continue
        # the failure feared and what it would bring, to the end of the sentence
        end = next((m for m in range(near[0], len(doc)) if doc[m].text in (".", "!", "?", ";")), len(doc))
        feared.update(m for m in failures if k < m < end)
    return bool(feared) and all(m in feared for m in failures)


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


def _codes_other_words_explain(doc: "Doc", entities: list[ExtractedEntity]) -> set[str]:
    """Challenge codes of the classifier that other words of the message explain away: slowness
    read as outages, many bills read as high prices, one bill read as many, a speed short of
    the one paid for or money lost to downtime read as a price, one vendor wished for read as
    dependence on one."""
    out: set[str] = set()
    told = {e.value for e in entities if e.entity == CHALLENGE and not e.negated}
    if "bandwidth" in told and not any(stem(t.lower_) in _FAILURE_CUES for t in doc):
        out.add("reliability")  # "the stream buffers", "we keep outgrowing the connection"
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


# "we want one provider for everything", "ideally a single vendor to manage it all": one
# vendor wished for (consolidating many: multi_site_management), not reliance on one.
_WISH_WORDS = frozenset({"want", "wants", "wanted", "love", "like", "ideally", "prefer", "need", "needs", "looking",
                         "hoping", "rather", "get", "just"})
_ONE_WORDS = frozenset({"one", "single", "1"})
_ONE_VENDOR_NOUNS = _VENDOR_WORDS | frozenset({"company", "partner", "bill", "invoice", "source", "roof", "contact"})
_ALL_OF_IT = frozenset({"all", "both", "everything", "every", "each", "everywhere", "across"})
_DEPENDENCE_CUES = frozenset(stem(w) for w in (
    "stuck", "only", "depend", "dependent", "dependence", "reliant", "rely", "relying", "mercy", "hostage", "leverage",
    "locked", "monopoly", "captive", "same", "eggs", "basket", "nobody", "else", "trapped", "cornered",
))
_WISH_REACH = 4


def _one_vendor_phrase_wished(doc: "Doc", cand: _Cand) -> bool:
    """Whether a vendor_dependence phrase of one vendor ("single provider") is wished for ("we'd
    like a single provider for all our shops"), in a message with no word of dependence."""
    if cand.layer != "challenge" or cand.payload != "vendor_dependence" or doc[cand.i].lower_ not in _ONE_WORDS:
        return False
    wished = _one_vendor_wished(doc)
    return wished is not None and wished[0] < cand.i < wished[1] and not any(
        stem(t.lower_) in _DEPENDENCE_CUES for t in doc)


def _one_vendor_wished(doc: "Doc") -> Optional[tuple[int, int]]:
    """Token span of a wish for one vendor or one bill ("want one company to handle it"), if any."""
    lows = [t.lower_ for t in doc]
    for k, low in enumerate(lows):
        if low not in _WISH_WORDS:
            continue
        for m in range(k + 1, min(len(doc), k + 1 + _WISH_REACH)):
            if doc[m].is_punct:
                break
            if lows[m] in _ONE_WORDS and any(w in _ONE_VENDOR_NOUNS for w in lows[m + 1 : m + 3]):
                return k, m + 3
    return None


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


def _plausible_learned(doc: "Doc", entities: list[ExtractedEntity], learned: list[ExtractedEntity]) -> list[ExtractedEntity]:
    """The classifier's challenges, less those the wording rules out: a topic said to be fine
    ("support has been fine"), a contract named only as a fact ("contract ends in June",
    "we're month to month") and codes other words explain away (_codes_other_words_explain)."""
    if not learned:
        return learned
    words = {t.lower_.replace("\u2019", "'") for t in doc}
    if not words & _WIRELESS_WORDS:
        # "backup", "failover": a need, not the wireless service unless something wireless is named
        learned = [e for e in learned if (e.entity, e.value) != (SERVICE, "wireless_backup")]
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
    return learned


# ---- helpers ----------------------------------------------------------------------------------


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _capitalised(span: "Span") -> bool:
    words = [t.text for t in span if t.is_alpha or "'" in t.text]
    significant = [w for w in words if w.lower() not in _SMALL_WORDS] or words
    return bool(significant) and all(w[:1].isupper() for w in significant)


def _adjacent(doc: "Doc", end: int, start: int) -> bool:
    """Tokens end..start are nothing or one comma ("Portland, OR", "Portland OR")."""
    between = [t.text for t in doc[end:start]]
    return between in ([], [","])


def _placed_like_a_place(doc: "Doc", span: tuple[int, int], last_place_end: Optional[int], *, person: bool = False) -> bool:
    """Where a place goes: after "in"/"at"/... ("to"/"from" too unless the word is also a
    person's name), before "office"/"area", or in a list right after another place."""
    i, j = span
    preps = _LOC_PREPS if person else _LOC_PREPS | _MOVE_PREPS
    before = [t.lower_ for t in doc[max(0, i - 2) : i]]
    if before and before[-1] in preps:
        return True
    if len(before) == 2 and before[0] in preps and before[1] in _LOC_PRE_MODS:
        return True
    if j < len(doc) and doc[j].lower_ in _PLACE_NOUNS:
        return True
    if last_place_end is not None and last_place_end <= i:
        between = [t.lower_ for t in doc[last_place_end:i]]
        if len(between) <= 2 and all(w in _PLACE_JOINERS for w in between):
            return True  # a list of places: "Portland and Mobile", "dallas houston austin"
    return False


def _named_like_a_person(doc: "Doc", span: tuple[int, int]) -> bool:
    """A one-word name where a person (or a greeting) goes: "this is Tyler", "I'm Chester",
    "Madison here", "thanks Austin", "hi Jordan", "ask for Marion", "Aloha!" opening the message."""
    i, j = span
    if j - i != 1:
        return False
    before = tuple(t.lower_.replace("\u2019", "'") for t in doc[max(0, i - 2) : i])
    if before and (before[-1] in _PERSON_BEFORE or before in _PERSON_BEFORE_PAIRS):
        return True
    after = doc[j].lower_ if j < len(doc) else ""
    if after in ("here", "speaking") and i <= 2:
        return True
    if i == 0 and doc[0].lower_ in _GREETINGS:
        return True
    return False


# Capitalised words that go with a place rather than make a name of it ("Tampa Bay area",
# "Denver Metro", "Seattle Office").
_PLACE_TITLE_WORDS = _PLACE_NOUNS | _LOC_PRE_MODS | frozenset({
    "bay", "area", "valley", "county", "region", "downtown", "uptown", "midtown", "airport", "beach", "springs",
    "heights", "harbor", "island", "lake", "metroplex", "suburbs", "city", "township", "parish", "i",
})


def _part_of_a_name(doc: "Doc", span: tuple[int, int], place_tokens: frozenset[int] | set[int]) -> bool:
    """A town inside a name of capitalised words that are no place: "Lakeside Dental Group",
    "West Plains Credit Union", "Union Street Bakery", "Denver Fiber Works" (a company, a
    street). A word that places it ("in Union", "Springfield Office") wins over this."""
    i, j = span

    def of_a_name(k: int) -> bool:
        if k < 0 or k >= len(doc) or k in place_tokens:
            return False
        token = doc[k]
        sentence_start = k == 0 or doc[k - 1].text in (".", "!", "?", ":", "\n")
        return (token.is_alpha and token.text[:1].isupper() and not token.text.isupper()
                and not token.is_stop and token.lower_ not in _PLACE_TITLE_WORDS and not (k < i and sentence_start))

    return of_a_name(i - 1) or of_a_name(j)


def _listed_before_a_place(doc: "Doc", span: tuple[int, int], strong_starts: frozenset[int] | set[int]) -> bool:
    """'Charlotte and Raleigh': a name followed (through "and", a comma...) by a clear place."""
    j = span[1]
    for k in range(j + 1, min(len(doc), j + 3) + 1):
        if k in strong_starts and all(t.lower_ in _PLACE_JOINERS for t in doc[j:k]):
            return True
    return False


def _drop_cities_out_of_named_states(doc: "Doc", decisions: dict[tuple[int, int], Optional[tuple[str, Any]]],
                                     hints: set[str]) -> None:
    """A city must agree with the states the customer names: with the states named and another
    city there in one of them, a one-word city elsewhere that nothing in the wording marks as
    a place ("in X", "X office", "X, ST") is a word or a name, not a second place."""
    if not hints:
        return
    cities = {span: d[1] for span, d in decisions.items() if d is not None and d[0] == "city"}
    if not any(info.state in hints for info in cities.values()):
        return
    for span, info in cities.items():
        if info.state in hints or span[1] - span[0] != 1:
            continue
        i, j = span
        before = doc[i - 1].lower_ if i > 0 else ""
        after = doc[j].lower_ if j < len(doc) else ""
        if before in _LOC_PREPS or before in _MOVE_PREPS or after in _PLACE_NOUNS:
            continue
        decisions[span] = None


def _long_wait(span: "Span") -> bool:
    """'install took like 120 days': the number before the unit reaches _SLOW_WAIT."""
    for k, token in enumerate(span):
        minimum = _SLOW_WAIT.get(token.lower_)
        if minimum is not None and k > 0:
            number = parse_number_words([span[k - 1].lower_])
            return number is not None and number >= minimum
    return False


def _zip_city_name(g: Gazetteer, info: Any) -> str:
    """The ZIP's post-office city under the gazetteer's proper name when it knows the city
    ("New York" -> "New York City", "Saint Louis" -> "St. Louis")."""
    city = g.city_in_state(place_key(info.city), info.state)
    return city.name if city is not None else info.city


def _first_number(doc: "Doc", i: int, j: int) -> Optional[int]:
    """Index of the first number-like token in doc[i:j]."""
    return next((k for k in range(i, j) if doc[k].like_num), None)


def _count_value(span: "Span") -> Optional[float]:
    words = []
    for token in span:
        text = token.lower_
        if text.endswith("ish") and text[:-3].replace(".", "").isdigit():
            text = text[:-3]
        words.append(text.strip("~"))
    # the number is the leading run for "3 offices", the trailing run for "headcount of 75"
    number_words = _leading_number(words) or _leading_number(words[::-1])[::-1]
    if not number_words:
        return None
    value = parse_number_words(number_words)
    return _range_top(span, value)


def _range_top(span: "Span", value: Optional[float]) -> Optional[float]:
    """A count said as a range is noted at its top, as the customer may have that many sites to
    serve (the annotation guide, docs/nlu-evaluation.md; the site buttons' "6-20" is a bucket,
    not a range said): "6 or 7 locations" and "5 to 6 branches" read the number next to the
    noun already; "5-6 offices" and "between 8 and 10 sites", where the matcher starts at the
    first number, take the one after "-"/"and"/"or"/"to" when larger."""
    doc = span.doc
    if value is None:
        return value
    numbers = [t for t in span if t.like_num and t.lower_ not in ("a", "an")]
    if len(numbers) == 2 and doc[numbers[0].i + 1].lower_ in ("-", "and", "or", "to", "–"):
        high = parse_number_words([numbers[1].lower_])
        return high if high is not None and value < high <= value * 10 else value
    return value


_NUM_TOKEN = re.compile(_NUM_RE)


def _leading_number(words: list[str]) -> list[str]:
    run = []
    for word in words:
        if _NUM_TOKEN.match(word) or _NUM_TOKEN.match("~" + word):
            run.append(word)
        else:
            break
    while run and run[-1] in ("a", "an", "and", "of", "-"):
        run.pop()
    while run and run[0] in ("and", "of", "-"):
        run.pop(0)
    return run


def _drop_overlapping(cands: list[_Cand], char_spans: list[_Cand]) -> list[_Cand]:
    """Emails and phones win over anything inside them; dates over counts and ZIPs."""
    out = []
    for cand in cands:
        clash = False
        for other in char_spans:
            if cand.start < other.end and other.start < cand.end:
                if other.layer == "contact" or cand.layer in ("qty", "zip"):
                    clash = True
                    break
        if not clash:
            out.append(cand)
    return out


def _resolve_overlaps(cands: list[_Cand]) -> list[_Cand]:
    """Longest match per layer (spacy.util.filter_spans); across layers, a match inside a
    longer one is dropped ("MS" in "MS Teams", "Mobile" in "T-Mobile"). Services and
    challenges may share words ("backup internet" is both)."""
    from spacy.util import filter_spans

    by_layer: dict[str, list[_Cand]] = {}
    for cand in cands:
        by_layer.setdefault(cand.layer, []).append(cand)
    kept: list[_Cand] = []
    for layer, items in by_layer.items():
        if layer == "loc":
            kept.extend(_longest_groups(items))
            continue
        spans = {}
        for cand in items:
            spans.setdefault((cand.i, cand.j), []).append(cand)
        keep = set(_filter_token_spans(list(spans), filter_spans))
        for span, group in spans.items():
            if span in keep:
                kept.extend(group)
    paired = {("service", "challenge"), ("challenge", "service")}
    result = []
    for cand in kept:
        inside = any(
            other is not cand
            and other.layer != cand.layer
            and (cand.layer, other.layer) not in paired
            and other.i <= cand.i
            and cand.j <= other.j
            and (other.j - other.i) > (cand.j - cand.i)
            for other in kept
        )
        if not inside:
            result.append(cand)
    return result


class _TokenSpan:
    """The attributes spacy.util.filter_spans reads, without building spaCy Spans."""

    __slots__ = ("start", "end")

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end

    def __len__(self) -> int:
        return self.end - self.start


def _filter_token_spans(spans: list[tuple[int, int]], filter_spans: Any) -> list[tuple[int, int]]:
    if len(spans) <= 1:
        return spans
    return [(s.start, s.end) for s in filter_spans([_TokenSpan(a, b) for a, b in spans])]


def _longest_groups(items: list[_Cand]) -> list[_Cand]:
    """Places: keep every reading of the longest spans (a span can be a city and a state)."""
    from spacy.util import filter_spans

    spans: dict[tuple[int, int], list[_Cand]] = {}
    for cand in items:
        spans.setdefault((cand.i, cand.j), []).append(cand)
    keep = _filter_token_spans(list(spans), filter_spans)
    return [c for span in keep for c in spans[span]]


def _negation_scopes(doc: "Doc", entity_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Char ranges governed by a negation cue: from the cue to the end of its clause
    (punctuation, "but", a new subject), at most _MAX_SCOPE tokens. Cues inside an entity
    ("never calls back", "no backup") are part of that entity, not negations."""
    scopes = []
    n = len(doc)
    for k, token in enumerate(doc):
        low = token.lower_.replace("\u2019", "'")
        cue_end = None
        if low in _NEG_SINGLE:
            cue_end = k + 1
            if low == "instead" and k + 1 < n and doc[k + 1].lower_ == "of":
                cue_end = k + 2
            elif low == "instead":
                continue  # "Tacoma instead": nothing follows to negate
        elif k + 1 < n and (low, doc[k + 1].lower_) in _NEG_PAIRS:
            cue_end = k + 2
        if cue_end is None:
            continue
        if any(s <= token.idx < e for s, e in entity_spans):
            continue
        if cue_end < n and (doc[cue_end].lower_ in _NOT_NEGATION_AFTER or doc[cue_end].text in _SCOPE_END_PUNCT):
            continue
        if low == "no" and cue_end < n and doc[cue_end].lower_ == "longer":
            cue_end += 1
        stop = cue_end
        while stop < n and stop - cue_end < _MAX_SCOPE:
            t = doc[stop]
            if t.text in _SCOPE_END_PUNCT or "\n" in t.text or (stop > cue_end and t.lower_ in _SCOPE_END_WORDS):
                break
            if stop > cue_end and t.lower_ in ("and", "&", "then") and stop + 1 < n and _starts_new_action(doc[stop + 1]):
                break  # "dropping the PRI and going to SIP": the second action is not ruled out
            if stop > cue_end and low in _REPLACING_CUES and t.lower_ in ("for", "with", "to", "by"):
                break  # "ditch MPLS for SD-WAN": what replaces it is wanted
            stop += 1
        if stop > cue_end:
            scopes.append((doc[cue_end].idx, doc[stop - 1].idx + len(doc[stop - 1].text)))
    return scopes


# "PRIs, no scratch that, SIP": the customer takes back what they just said.
_RETRACTIONS = (("scratch", "that"), ("forget", "that"), ("never", "mind"), ("strike", "that"), ("no", "wait"),
                ("actually", "no"), ("i", "mean"))


def _retract(doc: "Doc", found: list[tuple[ExtractedEntity, int]]) -> list[tuple[ExtractedEntity, int]]:
    """Services named before a retraction ("no scratch that", "never mind") are ruled out when
    another service follows it."""
    lows = [t.lower_ for t in doc]
    for k in range(len(doc) - 1):
        if (lows[k], lows[k + 1]) not in _RETRACTIONS:
            continue
        cue_start, cue_end = doc[k].idx, doc[k + 1].idx + len(doc[k + 1].text)
        if not any(e.entity == SERVICE and e.start >= cue_end and not e.negated for e, _ in found):
            continue
        found = [(dataclasses.replace(e, negated=True) if e.entity == SERVICE and e.end <= cue_start else e, order)
                 for e, order in found]
    return found


def _starts_new_action(token: "Token") -> bool:
    """'going', 'moving', 'switch', 'add' after "and": a new clause with its own verb."""
    low = token.lower_
    return low in _NEW_ACTION_VERBS or (low.endswith("ing") and len(low) > 4 and low not in ("nothing", "something", "anything"))


def _dedupe(found: list[tuple[ExtractedEntity, int]]) -> list[ExtractedEntity]:
    """One entity per (name, value): the first positive mention, else the first negated one."""
    ordered = sorted(found, key=lambda pair: (pair[0].start, pair[1]))
    positive = {(e.entity, e.value) for e, _ in ordered if not e.negated}
    seen: set[tuple[str, Any]] = set()
    out = []
    for entity, _ in ordered:
        key = (entity.entity, entity.value)
        if key in seen or (entity.negated and key in positive):
            continue
        seen.add(key)
        out.append(entity)
    return out


def _blank_english() -> Any:
    """spacy.blank("en") with three changes, set through the language defaults (changing a
    built tokenizer reloads its special cases, a second each time):

    - it also splits on every "/" ("4G/5G", "PRI/SIP"), so each side can match alone;
    - LIKE_NUM also holds for "5k", "~50", "50ish", "dozen", "couple" (see _build_matcher);
    - NORM is the word form of bot.understanding.wordforms.stem ("outages" -> "outag"), which
      the second phrase matcher of services and challenges compares;
    - it has no tokenizer exceptions. Their matcher pass cost up to 1 ms per message with a
      contraction in it ("we're"), ten times the rest of tokenizing, and they are
      case-sensitive ("Ore." one token, "ore." two). Without them tokens are plain affix
      splits ("don't" stays one token, "Ore." is "Ore" + "."), the same in patterns and text.
    """
    from spacy.lang.en import English

    from spacy.attrs import LIKE_NUM, NORM
    from spacy.lang.en.lex_attrs import like_num as english_like_num

    def like_num(text: str) -> bool:
        low = text.lower()
        return bool(english_like_num(text) or low in _EXTRA_NUMBER_WORDS or _K_NUMBER.match(low))

    class _Defaults(English.Defaults):  # type: ignore[misc,valid-type]
        infixes = list(English.Defaults.infixes) + [r"/"]
        tokenizer_exceptions: dict[str, Any] = {}
        lex_attr_getters = {**English.Defaults.lex_attr_getters, LIKE_NUM: like_num, NORM: stem}

    class _AdvisorEnglish(English):  # type: ignore[misc,valid-type]
        Defaults = _Defaults

    return _AdvisorEnglish()


def topic_examples(phrasings: Phrasings, vocabulary: Vocabulary) -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """What the classifiers learn from: phrasings.yml's sentences, then the Rasa NLU training
    sentences with their annotations (bot.understanding.nlu_examples); a sentence in both
    carries the codes of both."""
    labels: dict[str, tuple[set[str], set[str]]] = {}
    for text, challenges, services in list(phrasings.examples) + read_nlu_examples(nlu_files(), vocabulary):
        known = labels.setdefault(text, (set(), set()))
        known[0].update(challenges)
        known[1].update(services)
    return [(text, frozenset(c), frozenset(s)) for text, (c, s) in labels.items()]


def build_extractor(approach: str = DEFAULT_APPROACH, thresholds: Optional[Mapping[str, float]] = None) -> Extractor:
    """An extractor over vocabulary.yml, phrasings.yml, the default gazetteer and the catalog's
    carrier aliases, reading challenges and services by `approach` (APPROACHES). The learned
    and union approaches load their classifiers (trained on first use, then cached:
    bot.understanding.topic_classifier)."""
    from bot.domain.catalog import load_default_catalog

    if approach not in APPROACHES:
        raise ValueError(f"approach {approach!r}: one of {', '.join(APPROACHES)}")
    phrasings, vocabulary = load_phrasings(), load_vocabulary()
    examples = topic_examples(phrasings, vocabulary)
    learned = None
    if approach != RULES:
        learned = load_or_train_topics(examples, {**THRESHOLDS[approach], **(thresholds or {})})
    # the words a slip is mended toward: those the understanding is built from, and number words
    terms = own_words(list(vocabulary.service_patterns()) + list(vocabulary.challenge_patterns()) + list(NUMBER_WORDS))
    words = own_words([text for text, _, _ in examples]) | terms
    catalog = load_default_catalog()
    gazetteer, aliases = default_gazetteer(), catalog.alias_map()
    places = own_words(list(gazetteer.cities) + list(gazetteer.city_aliases) + list(gazetteer.state_names)
                       + list(gazetteer.state_aliases))
    names = places | own_words(list(aliases))
    cable = [c.name for c in catalog.carriers if "coax" in c.last_mile]
    return Extractor(vocabulary, gazetteer, aliases, phrasings=phrasings, learned=learned, approach=approach,
                     # a place name that is also a word of our terms ("cloud" of "cloud phones") is mended
                     # toward as the term it is
                     spelling=SpellingMender(words, keep=names, not_toward=places - terms),
                     cable_carriers=cable)


def _default_catalog() -> Any:
    from bot.domain.catalog import load_default_catalog

    return load_default_catalog()


@rebuilt_when(load_vocabulary, default_gazetteer, _default_catalog, load_phrasings)
def build_default_extractor() -> Extractor:
    """The process-wide extractor (DEFAULT_APPROACH), warmed up so the first customer message
    is fast; built again when one of its data files changed (bot/data/README.md)."""
    extractor = build_extractor(DEFAULT_APPROACH)
    extractor.warm_up()
    return extractor
