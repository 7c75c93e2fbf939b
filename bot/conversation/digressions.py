"""Intent groups the dialogue logic needs (names as in domain.yml)."""

from __future__ import annotations

import re
from typing import Final

from bot.domain import slots
from bot.understanding.vocabulary import Vocabulary

# Messages that step out of the current question: a form lets its rule answer them and then
# asks again, and their entities don't fill slots ("why not Cogent?" doesn't make Cogent
# the current carrier; "can I talk to someone about SIP" is a request, not an answer).
DIGRESSION_INTENTS: Final[frozenset[str]] = frozenset(
    {
        "faq",
        "human_handoff",
        "complain",
        "out_of_scope",
        "ask_why",
        "greet",
        "goodbye",
        "thank",
        "email_plan",
        "change_answer",
    }
)

SKIP_INTENTS: Final[frozenset[str]] = frozenset({"skip", "deny"})

# Slots whose answer is free text (a name, a company, "tomorrow after 9am"): almost anything is
# an answer there.
FREE_TEXT_SLOTS: Final[frozenset[str]] = slots.FREE_TEXT_SLOTS
# An answer to the question just asked outranks the intent classifier ("one" is not goodbye,
# "jane@acme.photography" is not out of scope, "Portland Internet Co" is a company name): only
# a confident question, why-question or request for a person steps out of the form then.
ANSWER_OVERRIDING_INTENTS: Final[frozenset[str]] = frozenset({"faq", "ask_why", "human_handoff"})
ANSWER_OVERRIDING_CONFIDENCE: Final[float] = 0.8
# ...and the message itself must read as a question or a request for a person: the
# classifier's confidence alone is not enough, since on words it has never seen (a person's
# name, an email address) it can be sure and wrong. A question has a question mark or opens
# with a question word; a request for a person names one.
QUESTION_OPENERS: Final[frozenset[str]] = frozenset(
    {"what", "whats", "why", "how", "who", "whos", "which", "when", "where", "is", "are", "am",
     "can", "could", "would", "will", "do", "does", "did", "should", "shall", "may", "explain",
     "tell", "define", "meaning"})
PERSON_WORDS: Final[frozenset[str]] = frozenset(
    {"human", "humans", "person", "agent", "agents", "someone", "somebody", "anyone", "anybody",
     "representative", "rep", "operator"})
NEGATIONS: Final[frozenset[str]] = frozenset({"never", "no", "not", "cant", "cannot", "couldnt", "wont", "dont",
                                              "doesnt", "didnt", "hardly", "rarely", "without"})
_CLAUSE_RE = re.compile(r"[,.;:!()\u2014\u2013]|\s-\s|\b(?:but|so|and then)\b")
_WORD_RE = re.compile(r"[a-z]+")

# Digressions that neither answer the question nor ask anything ("asdf" taken as out of scope,
# "hello?"): once their rule has replied, the form counts them as a missed answer.
NOT_AN_ANSWER_INTENTS: Final[frozenset[str]] = frozenset({"out_of_scope", "greet"})
# Small talk: a missed answer, but not words worth keeping for the agent.
SMALL_TALK_INTENTS: Final[frozenset[str]] = frozenset({"greet", "goodbye", "thank", "affirm"})
# Digressions the assistant answers before asking its question again: the re-ask counts as an
# ask, so a question never comes a third time in a row (actions/forms.py).
REASKED_AFTER_INTENTS: Final[frozenset[str]] = frozenset({"faq", "ask_why", "thank", "goodbye", "affirm"})


def asks_something(text: str | None) -> bool:
    """Whether the words read as a question or a request for a person ("what's a CLEC",
    "is this a bot?", "a real person please"), whatever the classifier says."""
    text = (text or "").lower().replace("’", "'")
    if "?" in text:
        return True
    words = _WORD_RE.findall(text.replace("'", ""))
    if not words:
        return False
    if words[0] in QUESTION_OPENERS and not (len(words) > 1 and words[1] in NEGATIONS):
        return True  # ("can never get anyone on the line" drops its subject: a statement)
    # A person word asks for one unless a negation before it in its clause makes it a complaint
    # about someone else's ("we can never reach a human there", "no person ever calls back";
    # but "I can't take this, get me a person" asks).
    for clause in _CLAUSE_RE.split(text.replace("'", "")):
        seen_negation = False
        for word in _WORD_RE.findall(clause):
            if word in PERSON_WORDS and not seen_negation:
                return True
            seen_negation = seen_negation or word in NEGATIONS
    return False


def product_asked_about(text: str | None, vocabulary: Vocabulary) -> str | None:
    """The name of a product the carriers here don't sell that the message asks about ("do you
    guys handle our cell phones too?": vocabulary.yml, products_not_quoted), else None. Said
    as a fact ("the cameras are on a separate line") it is no question to answer."""
    return vocabulary.product_not_quoted(text or "") if asks_something(text) else None


def negated_before(text: str, index: int) -> bool:
    """Whether a negation (NEGATIONS) comes before character `index` of `text` in the same
    clause: "not windstream anymore", "we don't use zayo" rule out what follows; "not sure, cox"
    does not (the comma ends the negated clause)."""
    before = (text or "")[:index].lower().replace("’", "'")
    clause = _CLAUSE_RE.split(before)[-1]
    return any(word in NEGATIONS for word in _WORD_RE.findall(clause.replace("'", "")))


def is_digression(intent: str | None, confidence: float, requested_slot: str | None,
                  answers_question: bool = False, text: str | None = None) -> bool:
    """Whether a message steps out of the question being asked (see DIGRESSION_INTENTS).

    `answers_question`: the question's own parser accepts the message as its answer
    (bot/conversation/answer_parsing.py); free-text questions accept almost anything. Such
    an answer steps out only for a confident question or request that reads as one (`text`).
    """
    if answers_question or requested_slot in FREE_TEXT_SLOTS:
        return (intent in ANSWER_OVERRIDING_INTENTS and confidence >= ANSWER_OVERRIDING_CONFIDENCE
                and asks_something(text))
    if intent == "human_handoff" and requested_slot is not None and not requests_person(text):
        # "spectum" or "atnt" to "who is your carrier?": an answer the parser did not take and
        # the classifier misread, not a request for a person (the form counts it as a miss)
        return False
    return intent in DIGRESSION_INTENTS


_PERSON_REQUEST_RE = re.compile(
    r"\b(?:talk|speak|chat)\s+(?:to|with)\b|\b(?:transfer|connect|put)\s+me\b|\bcall\s*me\b|\bcallback\b|\bsales\b"
    r"|\b(?:advisor|advisors|broker|brokers|specialist|expert|consultation|meeting|people|team|escalate)\b"
    r"|^\W*customer\s+service\W*$")


def requests_person(text: str | None) -> bool:
    """Whether the words ask for a person: a question, a person named ("agent", "someone"), or
    "talk to", "speak with", "call me", "sales"."""
    low = (text or "").lower().replace("’", "'")
    return asks_something(low) or bool(_PERSON_REQUEST_RE.search(low))


# Words of leaving. The goodbye examples also hold times ("I'll return next week"), so the
# classifier can read a time given as an answer ("end of next summer") as a goodbye: the
# intent is believed only when a word of leaving is there (bot/rasa_adapters/nlu/intent_words.py).
_FAREWELL_RE = re.compile(
    r"\b(?:bye+|goodbye|good-bye|byebye|cya|ttyl|g2g|gtg|adios|farewell|peace|cheers|later|l8r|(?:good\s*)?night"
    r"|so\s+long|take\s+care|have\s+a\s+(?:good|nice|great|lovely)|enjoy\s+(?:your|the)"
    r"|(?:gotta|got\s+to|have\s+to|need\s+to|must|gonna|going\s+to)\s+(?:go|run|bounce|jump|head|dash|split|leave|hop)"
    r"|(?:heading|head|logging|log|signing|sign|checking)\s+(?:out|off)|i'?m\s+(?:out|off|done|leaving|heading)"
    r"|leaving|(?:that'?s|thats|that\s+is)\s+(?:all|it)|done\s+(?:here|for)"
    r"|(?:come|check|be|get)\s+back|return|pick\s+(?:this|it|that)\s+up|(?:another|other|some\s+other)\s+(?:time|day)"
    r"|continue\s+(?:later|another|tomorrow)|(?:talk|speak|chat)\s+(?:soon|later|tomorrow|to\s+you)"
    r"|see\s+(?:you|ya|u|y'?all)|catch\s+(?:you|ya|u)|exit|quit"
    r"|(?:end|close|ending|closing|stop)\s+(?:this|the)?\s*(?:chat|conversation|session))\b")


_HELLO_RE = re.compile(r"^\W*(?:hi|hii+|hello|hey+|howdy|greetings|good\s+(?:morning|afternoon|evening|day)|morning|afternoon|evening)\b")


def says_hello(text: str | None) -> bool:
    """Whether the message opens with a greeting ("Good evening, I'm the office manager"): a
    goodbye its words don't take leave in is then a hello ("have a good evening" is a goodbye)."""
    return bool(_HELLO_RE.search((text or "").lower()))


def says_goodbye(text: str | None) -> bool:
    """Whether the words take leave ("ok thx bye", "gotta run", "I'll come back to it",
    "that's all for now"), not just name a time ("end of next summer")."""
    low = (text or "").lower().replace("’", "'")
    return bool(_FAREWELL_RE.search(low)) or any(ch in low for ch in "👋✌")


# A request for one of us, as a sentence of its own among facts: "... Can I talk to someone?",
# "Please have an agent call me." (not "we can never talk to a person at the phone company").
_ONE_OF_US = "|".join(sorted(PERSON_WORDS | {"advisor", "advisors", "expert", "specialist", "broker", "people", "team"}))
_ASKS_FOR_ONE_OF_US = re.compile(
    r"\b(?:talk|speak|chat|meet)\s+(?:to|with)\s+(?:(?:a|an|one\s+of\s+your|your)\s+(?:real\s+|live\s+|actual\s+)?)?"
    r"(?:" + _ONE_OF_US + r")\b"
    r"|\b(?:can|could|would|will|please\s+have|have|get)\s+(?:an?\s+)?(?:" + _ONE_OF_US + r")"
    r"\s+(?:to\s+)?(?:call|contact|reach|ring|phone|email|get\s+back)"
    r"|\b(?:call|ring|phone)\s+me\b|\bgive\s+me\s+a\s+(?:call|ring)\b|\b(?:connect|transfer|put)\s+me\s+(?:to|with|through)\b")
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_NOBODY = re.compile(r"\b(?:nobody|no\s+one|noone|none\s+of)\b")  # "nobody will call me back" complains


def asks_for_a_person_among_facts(text: str | None) -> bool:
    """Whether a sentence of a longer message asks for one of us ("We have 3 clinics ... Can I
    talk to someone?"), so a request at the end of a message of facts is not lost."""
    sentences = [s for s in _SENTENCE_RE.split((text or "").replace("’", "'")) if s.strip()]
    if len(sentences) < 2:
        return False
    for sentence in sentences:
        low = sentence.lower()
        match = _ASKS_FOR_ONE_OF_US.search(low)
        if match and not negated_before(low, match.start()) and not _NOBODY.search(low[:match.start()]):
            return True
    return False
