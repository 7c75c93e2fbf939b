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

The Extractor builds the matchers and weighs their candidates; the rules it applies are in
modules of bot.understanding by topic: whether a name is a place (place_context), the count
patterns (count_patterns), a head count said as the owner plus staff (owner_head_counts), a
carrier's everyday-word name in lowercase (carrier_context), negation scopes (negation),
overlapping candidates (candidate_overlaps), clauses and sentences (clauses); services not named by a phrase
(service_rules); challenges told without a set phrase (challenge_constructions, reading
challenge_cost, challenge_contract, challenge_relocation, challenge_speed, challenge_support and
challenge_vendors), phrases that do not complain (challenge_denials), topic words
(topic_words), clauses saying all is well (all_well_clauses), outages only feared
(feared_outages) and when the classifier's codes are believed (classifier_gates).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence

from bot.base.schema import rebuilt_when
from bot.domain.catalog import needs_capitals
from bot.understanding.all_well_clauses import _GOOD_THING_STEMS, _TOPIC_NOUNS, _fine_clause_spans
from bot.understanding.candidate_overlaps import _dedupe, _drop_overlapping, _resolve_overlaps
from bot.understanding.candidates import (CARRIER, CHALLENGE, CITY, CONTRACT_END, EMAIL, EMPLOYEES, ENTITIES,  # noqa: F401 - re-exported
                                          NUM_LOCATIONS, PHONE, SERVICE, US_STATE, ZIP_CODE)
from bot.understanding.candidates import Candidate as _Cand
from bot.understanding.carrier_context import named_as_a_carrier
from bot.understanding.challenge_constructions import _MAX_INSERTED, _insertable, _paired_word_candidates
from bot.understanding.challenge_denials import (_backup_already_had, _challenge_denied, _home_line_problem,
                                                 _names_a_data_backup)
from bot.understanding.challenge_relocation import _CLOSING_WORDS, _as_slow_install, _names_a_person_or_thing
from bot.understanding.challenge_vendors import _dependence_on_a_carrier, _one_vendor_phrase_wished
from bot.understanding.classifier_gates import _FACT_ENTITIES, _has_topic_evidence, _plausible_learned
from bot.understanding.clauses import _clause_ranges, _sentences, _stated_clauses
from bot.understanding.count_patterns import (_COUNT_GLUE, _COUNTED_SITES, _DISTANCE_AFTER, _DISTANCE_SITE_NOUNS,
                                              _EMP_GLUE, _EMP_HEADS, _EMP_MODS, _LOC_MODS, _NOT_A_BUSINESS,
                                              _PEOPLE_OF_A_PRACTICE, _SLOW_WAIT, _count_value, _first_number,
                                              _long_wait, counts_the_team)
from bot.understanding.extracted_entity import ExtractedEntity
from bot.understanding.feared_outages import _outage_only_feared
from bot.understanding.locations import Gazetteer, default_gazetteer
from bot.understanding.negation import _negation_scopes, _retract
from bot.understanding.nlu_examples import nlu_files, read_nlu_examples
from bot.understanding.owner_head_counts import with_owner_and_staff, with_staff_parts
from bot.understanding.phrasings import Phrasings, load_phrasings
from bot.understanding.postal_towns import with_postal_towns
from bot.understanding.place_context import (_PLACE_JOINERS, _PLACE_TITLE_WORDS, _WORD_AP, _adjacent, _capitalised,
                                             _code_no_word, _drop_cities_out_of_named_states, _is_all_caps,
                                             _listed_before_a_place, _lowercase_codes_as_states, _named_like_a_person,
                                             _part_of_a_name, _placed_like_a_place, _untaken, _word_town,
                                             _word_town_before_its_state, _word_town_listed_with_its_state,
                                             _word_towns_listed_with_their_state,
                                             _zip_city_name)
from bot.understanding.service_rules import (_CABLE_PRODUCT_WORDS, _cable_candidates, _described_service_candidates,
                                             _fiber_only_mentioned, _own_phone_system, names_own_phone_system)
from bot.understanding.service_rules import WANT_VERBS  # noqa: F401 - re-exported (bot.conversation.clarify)
from bot.understanding.site_counts import site_counts
from bot.understanding.site_nouns import (MEASURE_NOUN_SET, NOT_SITES_AFTER, PEOPLE_NOUNS, SINGULAR_SITE_NOUNS,
                                          SITE_NOUN_SET, SITE_NOUNS)
from bot.understanding.spacy_english import _blank_english
from bot.understanding.spelling import SpellingMender, english_dictionary, own_words
from bot.understanding.topic_classifier import LearnedTopics, load_or_train_topics
from bot.understanding.topic_words import (_FILLER, _NAMED_TOPIC_EXTRA, _NAMED_TOPIC_FILLER, _NAMED_TOPIC_REACH,
                                           _SHORT_REPLY_WORDS, _TOPIC_CLAUSE_BREAKS, _TOPIC_CLAUSE_WORDS,
                                           _TOPIC_JOINERS, _problem_is_at)
from bot.understanding.validators import (CHAT_REPLY_CODES, NUMBER_WORDS, WORD_CODES, find_dates, phone_e164,
                                          validate_email)
from bot.understanding.vocabulary import Vocabulary, load_vocabulary
from bot.understanding.wordforms import stem

if TYPE_CHECKING:  # spaCy is imported when an Extractor is built (it takes seconds)
    from spacy.tokens import Doc, Span


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
# challenge: 0.70, the best F1 on all 2,933 development messages (0.896) since session 11's
# 1,232 messages by five more authors raised the classifier's probabilities (0.55 before).
THRESHOLDS = {UNION: {CHALLENGE: 0.70, SERVICE: 0.80}, LEARNED: {CHALLENGE: 0.50, SERVICE: 0.45}}
# A challenge read in one clause: (its probability in the clause, at least; in the whole message,
# at least). Chosen on the development sets (docs/nlu-evaluation.md, session 12).
CLAUSE_THRESHOLDS = (0.85, 0.45)

_CONTRACT_CUE = re.compile(
    r"\b(?:contract|contracts|agreement|term|terms|expires?|expiring|expired|expiration|"
    r"renew|renews|renewal|renewed|locked|etf|ends|ending|end|commitment|committed|up\s+in|"
    r"month[- ]to[- ]month|out\s+of\s+contract)\b",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_DIGIT = re.compile(r"\d")
# Uses in pyspellchecker's corpus from which a word is in common use (see _is_everyday_word).
_EVERYDAY_WORD_COUNT = 2000
# Vocabulary phrases matched only as written, not in other word forms: "backed up" (a queue)
# is not a backup, "wave" alone is a carrier more often than a wavelength.
_NO_FORM_MATCH = frozenset({"back up", "waves", "wave", "backups"})


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
        # everyday words read as a carrier in lowercase where the words around say so ("we're on spectrum")
        self._carrier_in_context = self._carrier_caps - vocabulary.carrier_capitalised_even_in_context
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
        self._matcher.add("EMP_US", [num + [{"LOWER": "of"}, {"LOWER": "us"}]], greedy="LONGEST")
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
        # towns that are words ("mesa") weigh only among the places, where nothing else took them
        word_towns = [c for c in cands if c.extra.get("word_town")]
        cands = [c for c in cands if not c.extra.get("denied") and not c.extra.get("word_town")]
        if any(t.like_num or t.text[:1].isdigit() for t in doc):
            cands += self._matcher_candidates(doc)  # counts, ZIPs and speeds ("10mbps") need a number
        cands = _drop_overlapping(cands, char_spans)
        cands = _resolve_overlaps(cands)
        cands = with_postal_towns(doc, cands, self.gazetteer, self._is_everyday_word)  # "Bangor and Ellsworth, ME"
        cands = site_counts(doc, cands)
        cands = with_owner_and_staff(doc, cands)  # "me plus 9 baristas": 10 employees
        cands = with_staff_parts(doc, cands)  # "20 office staff and 15 drivers": 35
        # a count read from a phone number, an address or a date ("816-555-0174 (the office
        # line...)") is none
        cands = [c for c in cands if not (c.kind == NUM_LOCATIONS and any(
            s.start < c.end and c.start < s.end for s in char_spans))]
        found: list[tuple[ExtractedEntity, int]] = []  # entity, order within a start
        for cand in char_spans:
            found.append((ExtractedEntity(cand.kind, cand.payload, cand.start, cand.end, text[cand.start : cand.end]), 0))
        found.extend(self._emit_locations(doc, [c for c in cands if c.layer in ("loc", "zip")]
                                          + _untaken(word_towns, cands + char_spans)))
        for cand in cands:
            if cand.layer in ("loc", "zip"):
                continue
            found.append((ExtractedEntity(cand.kind, cand.payload, cand.start, cand.end, text[cand.start : cand.end],
                                          alone=bool(cand.extra.get("alone")),
                                          towns_listed=bool(cand.extra.get("towns_listed"))), 0))
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
            entities = entities + _plausible_learned(doc, entities, learned, self.vocabulary)
        if _only_picks_an_option(doc):
            entities = [e for e in entities if e.entity != CHALLENGE]
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
        if names_own_phone_system(text):
            seen.add((SERVICE, "ucaas"))  # "keep our own phone system, calls over SIP": their PBX, as in the rules
        # A long message is read whole and sentence by sentence: a problem told in one sentence
        # among facts ("... 34 people. The renewal came in 40% higher.") is not drowned by them.
        for piece in [text] + _sentences(text):
            for entity, codes in self.learned.codes(piece).items():
                for code, _probability in codes:
                    if (entity, code) not in known and (entity, code) not in seen:
                        seen.add((entity, code))
                        out.append(ExtractedEntity(entity, code, start, start + len(stripped), stripped))
        # Several problems in one sentence dilute each other ("our phone bills are ridiculous and
        # when it dies nobody calls back": the cost at 0.68). A clause that reads a problem
        # clearly adds it when the whole message leans to it too (CLAUSE_THRESHOLDS).
        clauses = _stated_clauses(text)
        whole = self.learned.probabilities(CHALLENGE, text) if clauses else {}
        clause_threshold, whole_floor = CLAUSE_THRESHOLDS
        for clause in clauses:
            for code, probability in self.learned.probabilities(CHALLENGE, clause).items():
                if (probability >= clause_threshold and whole.get(code, 0.0) >= whole_floor
                        and (CHALLENGE, code) not in known and (CHALLENGE, code) not in seen):
                    seen.add((CHALLENGE, code))
                    out.append(ExtractedEntity(CHALLENGE, code, start, start + len(stripped), stripped))
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
        out = [c for c in out if not _fiber_only_mentioned(doc, c) and not _own_phone_system(doc, c)]
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
            return span.text.replace(" ", "").isupper() or self._lowercase_carrier_ok(key, span)
        if key in self._carrier_caps:
            return span.text[:1].isupper() or self._lowercase_carrier_ok(key, span)
        return True

    def _lowercase_carrier_ok(self, key: str, span: "Span") -> bool:
        """An everyday word that is a carrier's name ("att", "spectrum") said where a carrier is
        meant (bot.understanding.carrier_context); never an alias of one or two letters."""
        return key in self._carrier_in_context and len(key.replace(" ", "")) > 2 and named_as_a_carrier(span)

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
                    return _word_town(i, j, start, end, options)  # "mesa az", not "the mesa"
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
                return _word_town(i, j, start, end, options)  # "temple tx", not "a temple"
            return _Cand("loc", i, j, start, end, "city", options, needs_place=person, extra={"alias": alias, "person": person})
        return None

    def _is_everyday_word(self, word: str) -> bool:
        # pyspellchecker's dictionary holds names too ("ashton", 58 uses in its corpus): only a
        # word in common use ("hope", "golden", "commerce") keeps a small town to "Hope, AR".
        # Without the spelling checker every word might be one.
        return self.spelling is None or english_dictionary().word_frequency[word] >= _EVERYDAY_WORD_COUNT

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
            if label == "EMP_US":
                if not counts_the_team(doc, i, j):
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
            word_town = bool(cities[0].extra.get("word_town"))  # "mesa az", not "the mesa"
            if word_town and any(c.kind == "state" for c in group):
                continue
            for q in groups[nxt]:
                if q.kind == "state":
                    state = q.payload
                else:  # "Portland 04101": a ZIP right after the city says which Portland
                    info = g.zip(q.payload) if q.kind == ZIP_CODE else None
                    state = info.state if info else None
                if not state:
                    continue
                match = next((o for o in options if o.state == state), None)
                if word_town and (match is None or (q.kind == "state" and not _word_town_before_its_state(
                        doc, nxt, state, bool(q.extra.get("weak"))))):
                    continue
                # a lowercase code ("portland or") counts only when the city is in that state,
                # unless it is no word ("la grange ga": Georgia, where we know no La Grange)
                if match is not None or (q.kind == "state" and (not q.extra.get("weak") or _code_no_word(doc, nxt, state))):
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
        # Lowercase codes placed by their words ("3 stores in az", "tx and ok") are states too.
        lowercase_codes = {span: c.payload for span in spans if span not in resolved for c in groups[span]
                           if c.kind == "state" and c.extra.get("weak") and not any(d.kind == "city" for d in groups[span])}
        explicit_states = {span for span in spans if any(c.kind == "state" and not (c.needs_anchor or c.needs_place)
                                                         for c in groups[span])}
        explicit_states |= {span for span, (kind, _) in resolved.items() if kind == "state"}
        for span, code in _lowercase_codes_as_states(doc, lowercase_codes, explicit_states).items():
            resolved[span] = ("state", code)
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
            if decision is None and groups[span][0].extra.get("word_town"):
                decision = _word_town_listed_with_its_state(doc, span, groups[span][0].payload, decisions)
            if decision is not None and decision[0] == "nothing":
                decision = None
            decisions[span] = decision
            if decision is not None:
                last_place_end = span[1]
        _word_towns_listed_with_their_state(doc, decisions, {
            span: groups[span][0].payload for span in spans if groups[span][0].extra.get("word_town")})
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
            if city.extra.get("word_town"):
                return None  # only before its state or listed with its state's towns (_emit_locations)
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


# "the cheaper one", "the faster option please": a reply that picks one of the options offered
# ("do you mean A or B?"), not a problem the customer raises.
_OPTION_NOUNS = frozenset({"one", "ones", "option", "options", "kind", "type", "version"})
_PICK_OPENERS = frozenset({"the", "a", "whichever", "probably", "prob", "maybe", "i", "guess", "think", "id", "i'd",
                           "say", "go", "with", "um", "uh", "oh", "ok", "okay", "hmm", "well", "so"})
_PICK_CLOSERS = frozenset({"please", "pls", "plz", "i", "guess", "think", "then", "thanks"})
_PICK_WORDS = 8


def _only_picks_an_option(doc: "Doc") -> bool:
    """The whole reply is "[the] <one or two words> one/option [please]": a pick."""
    words = [t for t in doc if t.is_alpha or t.lower_ in ("i'd", "i'm")]
    k = next((n for n, t in enumerate(words) if t.lower_ in _OPTION_NOUNS), None)
    if k is None or len(words) > _PICK_WORDS or k == 0:
        return False
    start = 0
    while start < k and words[start].lower_ in _PICK_OPENERS:
        start += 1
    return 1 <= k - start <= 2 and all(t.lower_ in _PICK_CLOSERS for t in words[k + 1:])


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
    # ... and the nouns of sites and people counts are read by ("chruches", "libaries")
    words = own_words([text for text, _, _ in examples]) | terms | own_words([*SITE_NOUNS, *PEOPLE_NOUNS])
    catalog = load_default_catalog()
    gazetteer, aliases = default_gazetteer(), catalog.alias_map()
    places = own_words(list(gazetteer.cities) + list(gazetteer.city_aliases) + list(gazetteer.state_names)
                       + list(gazetteer.state_aliases))
    names = places | own_words(list(aliases))
    cable = [c.name for c in catalog.carriers if "coax" in c.last_mile]
    return Extractor(vocabulary, gazetteer, aliases, phrasings=phrasings, learned=learned, approach=approach,
                     # a place name that is also a word of our terms ("cloud" of "cloud phones") is mended
                     # toward as the term it is
                     spelling=SpellingMender(words, keep=names | own_words(list(NUMBER_WORDS)),  # "fourty" is read as it is
                                             not_toward=places - terms,
                                             counted_nouns=SITE_NOUN_SET - SINGULAR_SITE_NOUNS),
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
