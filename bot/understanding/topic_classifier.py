"""A learned reader of challenges and services in the customer's own words.

The rule extractor knows phrases; customers paraphrase ("the help line puts us on hold for an
hour", "we want our phones in the cloud"). This is a multi-label classifier per kind
(challenge, service): one-vs-rest logistic regression over word forms (1-2 grams,
bot.understanding.wordforms) and character 2-5 grams. It learns from the sentences of
bot/data/phrasings.yml and of the Rasa NLU training data (bot.understanding.nlu_examples);
the extractor adds its codes above a probability threshold to the rules' ones.

Training takes a few seconds on a busy 2-core machine, so the trained classifiers are kept in
var/cache/understanding/, under a fingerprint of everything that makes them (the examples,
the settings below, this module and scikit-learn's version); a change to any of them trains
anew on the next start. scikit-learn is imported only when a classifier is built or loaded.

Measured and not adopted (docs/nlu-evaluation.md): the rules' codes as extra features,
unweighted classes, and reading each clause of a message on its own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.base.settings import VAR_DIR
from bot.domain.canonical import CHALLENGES, SERVICES
from bot.understanding.wordforms import stem, stems

log = logging.getLogger(__name__)

CHALLENGE = "challenge"
SERVICE = "service"
KINDS = {CHALLENGE: CHALLENGES, SERVICE: SERVICES}
# C of the logistic regressions and the class weighting: chosen on the development sets
# together with the thresholds (docs/nlu-evaluation.md).
REGULARISATION = 4.0
CLASS_WEIGHT: Optional[str] = "balanced"
CACHE_DIR = VAR_DIR / "cache" / "understanding"
# The kinds whose classifier also reads the kinds of words of CONCEPTS (services are named by
# their own terms: there the word kinds only added confusions, docs/nlu-evaluation.md).
CONCEPT_KINDS = frozenset({CHALLENGE})

Example = tuple[str, frozenset[str], frozenset[str]]  # text, challenge codes, service codes


# Kinds of words customers use for the same thing, so that a sentence in words never seen
# meets the sentences learned on what they stand for: "the invoices are insane" and "our
# per-line charges are ridiculous" are both a COST word with an EXCESS word. Each message
# gets a feature per kind of word it holds and per pair of kinds in one clause; the
# classifier weighs them as it weighs words. Words are compared by word form (wordforms.stem).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "COST": ("bill", "billing", "invoice", "statement", "price", "pricing", "rate", "cost", "charge", "fee", "expenditure",
             "quote", "spend", "spending", "money", "dollar", "grand", "expense", "tariff", "budget", "pay",
             "paying", "paid", "overcharge", "overbill", "surcharge", "$", "k", "bucks", "monthly", "renewal"),
    "EXCESS": ("insane", "crazy", "nuts", "ridiculous", "absurd", "outrageous", "astronomical", "huge", "high",
               "higher", "steep", "brutal", "killing", "bananas", "obscene", "roof", "double", "doubled", "tripled",
               "hike", "jack", "jacked", "climb", "climbing", "rising", "creep", "creeping", "skyrocket",
               "fortune", "arm", "leg", "ripoff", "gouge", "rob", "robbed", "robbery", "wild", "inflated",
               "excessive", "much", "expensive", "pricey", "budge", "painful", "hurt", "stupid", "silly", "joke",
               "bleed", "hemorrhage", "shock", "up", "increase", "raise", "raised"),
    "SUPPORT": ("support", "helpdesk", "help", "desk", "customer", "rep", "representative", "manager", "tech",
                "technician", "ticket", "agent", "hold", "callback", "escalation", "care", "repair", "truck",
                "someone", "anyone", "person", "human", "nobody"),
    "UNRESPONSIVE": ("forever", "age", "hour", "day", "week", "never", "useless", "slow", "terrible", "awful",
                     "garbage", "joke", "nobody", "ignore", "ghost", "ghosted", "unresponsive", "clueless",
                     "incompetent", "nightmare", "worst", "pathetic", "rude", "nonexistent", "disappear",
                     "wait", "waiting", "answer", "respond", "return", "back", "blame", "fault", "point"),
    "LINE": ("internet", "connection", "line", "phone", "call", "circuit", "network", "wifi", "service", "voip",
             "t1", "signal", "system", "router", "modem", "fiber", "cable", "pos", "register", "card"),
    "FAIL": ("drop", "die", "dying", "died", "dead", "down", "outag", "crash", "fail", "flaky", "unstable", "cut",
             "blink", "blip", "flicker", "disconnect", "bounce", "unreliable", "intermittent", "spotty", "static",
             "echo", "garbled", "crap", "stop", "quit", "lose", "lost", "glitch", "offline", "reboot"),
    "SPEED": ("slow", "sluggish", "crawl", "lag", "laggy", "buffer", "freeze", "speed", "mbp", "meg", "gig",
              "bandwidth", "pipe", "capacity", "throughput", "upload", "download", "fast", "faster", "bigger",
              "video", "zoom", "stream", "choke", "outgrow", "outgrew"),
    "INSTALL": ("install", "installation", "provision", "provisioning", "turn", "buildout", "lead", "activation",
                "activate", "hookup", "hook", "onboard", "interval"),
    "DURATION": ("month", "week", "forever", "age", "quarter", "year", "half", "wait", "waiting", "delay",
                 "delayed", "push", "pushed", "postpone", "still", "long", "took", "take", "missed", "date"),
    "MOVE": ("move", "moving", "relocate", "relocat", "new", "open", "opening", "expand", "expansion",
             "lease", "building", "construction", "another", "second", "third", "additional", "addition"),
    "MANY": ("multiple", "many", "several", "different", "each", "every", "various", "dozen", "separate",
             "bunch", "all", "own", "across", "track"),
    "VENDOR": ("vendor", "carrier", "provider", "company", "telco", "account", "isp", "supplier"),
    "ONE": ("one", "single", "sole", "only", "just", "same", "100"),
    "BACKUP": ("backup", "fallback", "failover", "redundant", "redundancy", "secondary", "second", "spare",
               "alternate", "alternative", "diverse", "diversity", "plan", "b", "else"),
    "CONTRACT": ("contract", "agreement", "term", "deal", "commitment", "renewal", "renew", "sign", "signed"),
    "STUCK": ("stuck", "lock", "locked", "trap", "trapped", "tied", "penalty", "buyout", "rigid", "inflexible",
              "can't", "cant", "leave", "escape", "auto", "wiggle", "cancel", "early", "out"),
    "FINE": ("fine", "ok", "okay", "good", "great", "happy", "solid", "reasonable", "satisfied", "pleased"),
}
_CONCEPT_OF: dict[str, tuple[str, ...]] = {}
for _name, _words in CONCEPTS.items():
    for _word in _words:
        _CONCEPT_OF[stem(_word)] = _CONCEPT_OF.get(stem(_word), ()) + (_name,)
_CLAUSES = re.compile(r"[.;!?,()\u2014\u2013]|\s-\s|\bbut\b|\band\b|\bso\b|\bwhen\b|\bif\b", re.IGNORECASE)


def _concept_features(text: str) -> list[str]:
    """'#COST', '#EXCESS' and '#COST+EXCESS' for "the invoices are insane" (see CONCEPTS)."""
    found: set[str] = set()
    for clause in _CLAUSES.split(text):
        kinds = sorted({c for w in stems(clause) for c in _CONCEPT_OF.get(w, ())} | ({"COST"} if "$" in clause else set()))
        found.update("#" + k for k in kinds)
        found.update(f"#{a}+{b}" for n, a in enumerate(kinds) for b in kinds[n + 1:])
    return sorted(found)


def _word_features(text: str) -> list[str]:
    words = stems(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _word_and_concept_features(text: str) -> list[str]:
    return _word_features(text) + _concept_features(text)


class TextFeatures:
    """Word-form 1-2-grams and character 2-5-grams (tf-idf), fitted once on all the examples;
    with `concepts`, also the word kinds of CONCEPTS and their pairs. One object serves every
    kind that reads the same features (a message is turned into features once per object)."""

    def __init__(self, texts: Sequence[str], concepts: bool = False) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        analyzer = _word_and_concept_features if concepts else _word_features
        self._words = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True).fit(texts)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True, sublinear_tf=True,
                                      min_df=2).fit(texts)

    def transform(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import hstack

        return hstack([self._words.transform(texts), self._chars.transform(texts)], format="csr")


@dataclass
class TopicClassifier:
    """Probabilities of every code of one kind for a message."""

    kind: str
    codes: tuple[str, ...]
    features: TextFeatures
    _model: Any = None

    @classmethod
    def train(cls, kind: str, texts: Sequence[str], labels: Sequence[frozenset[str]],
              features: Optional[TextFeatures] = None) -> "TopicClassifier":
        """Fit on texts with their codes of this kind (an empty set: none of them)."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        features = features if features is not None else TextFeatures(texts)
        codes = tuple(code for code in KINDS[kind] if any(code in label for label in labels))
        y = MultiLabelBinarizer(classes=list(codes)).fit_transform([sorted(label & set(codes)) for label in labels])
        model = OneVsRestClassifier(LogisticRegression(C=REGULARISATION, solver="liblinear", class_weight=CLASS_WEIGHT))
        model.fit(features.transform(texts), y)
        return cls(kind, codes, features, model)

    def probabilities(self, text: str) -> dict[str, float]:
        """code -> probability for one message."""
        return self.probabilities_many([text])[0]

    def probabilities_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return self.probabilities_of(self.features.transform(texts)) if texts else []

    def probabilities_of(self, matrix: Any) -> list[dict[str, float]]:
        """Per row of a feature matrix of `self.features`: code -> probability."""
        rows = self._model.predict_proba(matrix)
        if rows.shape[1] == len(self.codes) + 1:
            rows = rows[:, 1:]  # one code: scikit-learn answers (not it, it)
        return [{code: float(p) for code, p in zip(self.codes, row)} for row in rows]


@dataclass
class LearnedTopics:
    """The challenge and service classifiers with their thresholds (kind -> probability)."""

    classifiers: Mapping[str, TopicClassifier]
    thresholds: dict[str, float] = field(default_factory=dict)

    def probabilities(self, kind: str, text: str) -> dict[str, float]:
        """code -> probability of one kind for one message (no threshold)."""
        classifier = self.classifiers.get(kind)
        return classifier.probabilities(text) if classifier is not None else {}

    def codes(self, text: str) -> dict[str, list[tuple[str, float]]]:
        """kind -> [(code, probability)] at or above the kind's threshold, most likely first."""
        matrices: dict[int, Any] = {}  # features object -> the message's features
        out: dict[str, list[tuple[str, float]]] = {}
        for kind, classifier in self.classifiers.items():
            key = id(classifier.features)
            if key not in matrices:
                matrices[key] = classifier.features.transform([text])
            threshold = self.thresholds.get(kind, 1.0)
            found = [(c, p) for c, p in classifier.probabilities_of(matrices[key])[0].items() if p >= threshold]
            out[kind] = sorted(found, key=lambda pair: -pair[1])
        return out


def train_topics(examples: Sequence[Example], thresholds: Mapping[str, float],
                 kinds: Iterable[str] = (CHALLENGE, SERVICE)) -> LearnedTopics:
    """One classifier per kind on every example (the other examples are its negatives); the
    kinds of CONCEPT_KINDS read the word kinds too, the others the words alone."""
    texts = [text for text, _, _ in examples]
    features = {concepts: TextFeatures(texts, concepts=concepts) for concepts in {kind in CONCEPT_KINDS for kind in kinds}}
    classifiers = {}
    for kind in kinds:
        labels = [challenges if kind == CHALLENGE else services for _, challenges, services in examples]
        classifiers[kind] = TopicClassifier.train(kind, texts, labels, features[kind in CONCEPT_KINDS])
    return LearnedTopics(classifiers, dict(thresholds))


# The code the classifiers are made and pickled with, as this process loaded it (not as the file
# reads later: a process started before an edit must not cache old objects under the new name).
_CODE_DIGEST = hashlib.sha256(
    b"".join(Path(module).read_bytes() for module in (__file__, Path(__file__).with_name("wordforms.py")))
).hexdigest()


def fingerprint(examples: Sequence[Example]) -> str:
    """What the trained classifiers depend on: examples, settings, this code, scikit-learn."""
    import sklearn

    digest = hashlib.sha256()
    digest.update(json.dumps([[t, sorted(c), sorted(s)] for t, c, s in examples], ensure_ascii=False).encode())
    digest.update(json.dumps([REGULARISATION, CLASS_WEIGHT, sklearn.__version__, _CODE_DIGEST]).encode())
    return digest.hexdigest()[:20]


def load_or_train_topics(examples: Sequence[Example], thresholds: Mapping[str, float],
                         cache_dir: Optional[Path] = CACHE_DIR) -> LearnedTopics:
    """The classifiers for these examples from the cache, else trained (and cached when the
    cache directory is writable; a cache that cannot be read or written is only logged)."""
    if cache_dir is None:
        return train_topics(examples, thresholds)
    path = Path(cache_dir) / f"topics-{fingerprint(examples)}.pickle"
    if path.is_file():
        try:
            with path.open("rb") as handle:
                classifiers = pickle.load(handle)  # noqa: S301 - our own file, written below
            learned = LearnedTopics(classifiers, dict(thresholds))
            learned.codes("ok")  # objects of another version of this code fail here
            return learned
        except Exception:  # noqa: BLE001 - a stale or broken cache file: train anew
            log.warning("could not read %s; training the topic classifiers again", path)
    learned = train_topics(examples, thresholds)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("topics-*.pickle"):
            old.unlink()
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(dict(learned.classifiers), handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        log.warning("could not write the topic classifier cache %s", path)
    return learned
