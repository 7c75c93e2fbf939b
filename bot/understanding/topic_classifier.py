"""A learned reader of challenges and services in the customer's own words.

The rule extractor knows phrases; customers paraphrase ("the help line puts us on hold for an
hour", "we want our phones in the cloud"). This is a multi-label classifier per kind
(challenge, service): one-vs-rest logistic regression over word forms (1-2 grams), character
2-5 grams and the codes the rules already found (vocabulary-hit features). It is trained on
bot/data/phrasings.yml when the extractor is built (well under two seconds for a thousand
sentences, so nothing is cached on disk), and its codes above a probability threshold are
added to the rules' ones (bot.understanding.extraction).

scikit-learn is imported when a classifier is trained (it takes a moment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence

from bot.domain.canonical import CHALLENGES, SERVICES
from bot.understanding.phrasings import Phrasings
from bot.understanding.wordforms import stems

if TYPE_CHECKING:
    from scipy.sparse import spmatrix

CHALLENGE = "challenge"
SERVICE = "service"
KINDS = {CHALLENGE: CHALLENGES, SERVICE: SERVICES}
# C of the logistic regressions: chosen on the development set with the thresholds
# (docs/nlu-evaluation.md); smaller is smoother.
REGULARISATION = 4.0
# Rule hits weigh like a few n-grams: enough to agree with the rules, not to replace the text.
HIT_WEIGHT = 1.0

# What the rules found in a text, as "challenge=high_cost", "service=sip", ...
Hits = Iterable[str]


def _word_features(text: str) -> list[str]:
    words = stems(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


@dataclass
class TopicClassifier:
    """Probabilities of every code of one kind for a message."""

    kind: str
    codes: tuple[str, ...]
    _words: Any
    _chars: Any
    _hit_index: Optional[Mapping[str, int]]  # None: trained without rule-hit features
    _model: Any = None

    @classmethod
    def train(cls, kind: str, texts: Sequence[str], labels: Sequence[frozenset[str]],
              hits: Optional[Sequence[Hits]] = None) -> "TopicClassifier":
        """Fit on texts with their codes of this kind; `hits` (per text) adds the rule-hit features."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        codes = tuple(code for code in KINDS[kind] if any(code in label for label in labels))
        words = TfidfVectorizer(analyzer=_word_features, sublinear_tf=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True, sublinear_tf=True, min_df=2)
        words.fit(texts)
        chars.fit(texts)
        hit_index = None
        if hits is not None:
            names = [f"{k}={c}" for k, cs in KINDS.items() for c in cs]
            hit_index = {name: i for i, name in enumerate(names)}
        y = MultiLabelBinarizer(classes=list(codes)).fit_transform([sorted(label & set(codes)) for label in labels])
        classifier = cls(kind, codes, words, chars, hit_index)
        model = OneVsRestClassifier(LogisticRegression(C=REGULARISATION, solver="liblinear", class_weight="balanced"))
        model.fit(classifier._features(texts, hits), y)
        classifier._model = model
        return classifier

    def _features(self, texts: Sequence[str], hits: Optional[Sequence[Hits]] = None) -> "spmatrix":
        from scipy.sparse import csr_matrix, hstack

        blocks = [self._words.transform(texts), self._chars.transform(texts)]
        if self._hit_index is not None:
            rows, cols = [], []
            for row, found in enumerate(hits or [()] * len(texts)):
                for hit in set(found):
                    if hit in self._hit_index:
                        rows.append(row)
                        cols.append(self._hit_index[hit])
            shape = (len(texts), len(self._hit_index))
            blocks.append(csr_matrix(([HIT_WEIGHT] * len(rows), (rows, cols)), shape=shape))
        return hstack(blocks, format="csr")

    def probabilities(self, text: str, hits: Hits = ()) -> dict[str, float]:
        """code -> probability for one message (`hits`: what the rules found in it)."""
        row = self._model.predict_proba(self._features([text], [tuple(hits)]))[0]
        return {code: float(p) for code, p in zip(self.codes, row)}


@dataclass
class LearnedTopics:
    """The challenge and service classifiers with their thresholds."""

    classifiers: Mapping[str, TopicClassifier]
    thresholds: dict[str, float]

    @property
    def uses_hits(self) -> bool:
        return any(c._hit_index is not None for c in self.classifiers.values())

    def codes(self, text: str, hits: Hits = ()) -> dict[str, list[tuple[str, float]]]:
        """kind -> [(code, probability)] at or above the kind's threshold, most likely first."""
        hits = tuple(hits)
        out: dict[str, list[tuple[str, float]]] = {}
        for kind, classifier in self.classifiers.items():
            threshold = self.thresholds.get(kind, 1.0)
            found = [(c, p) for c, p in classifier.probabilities(text, hits).items() if p >= threshold]
            out[kind] = sorted(found, key=lambda pair: -pair[1])
        return out


def train_topics(phrasings: Phrasings, thresholds: Mapping[str, float],
                 hits: Optional[Sequence[Hits]] = None,
                 kinds: Iterable[str] = (CHALLENGE, SERVICE)) -> LearnedTopics:
    """One classifier per kind on every example sentence of the phrasings (the other kind's
    sentences and the `neither` ones are its negatives). `hits`, one per example in order,
    are what the rules find in them: given, the classifiers also read the rules' codes."""
    texts = [text for text, _, _ in phrasings.examples]
    classifiers = {}
    for kind in kinds:
        labels = [challenges if kind == CHALLENGE else services for _, challenges, services in phrasings.examples]
        classifiers[kind] = TopicClassifier.train(kind, texts, labels, hits)
    return LearnedTopics(classifiers, dict(thresholds))
