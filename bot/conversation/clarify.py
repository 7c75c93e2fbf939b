"""Questions for words too broad to record: "we need SIP and internet" -> which internet?"""

from __future__ import annotations

import json
from typing import Iterable, Optional, Sequence

from bot.conversation.wording import Copy, Message, default_copy
from bot.domain.guidance import GuidanceCopy, load_default_copy
from bot.understanding.vocabulary import Vocabulary, load_vocabulary


def unclear_service_questions(
    text: str,
    covered: Sequence[tuple[int, int]],
    known_services: Iterable[str],
    *,
    vocabulary: Optional[Vocabulary] = None,
    copy: Optional[Copy] = None,
    names: Optional[GuidanceCopy] = None,
) -> list[Message]:
    """One "do you mean A or B?" per broad word in `text` (bot/data/vocabulary.yml
    `unclear_services`) that no recognised phrase covers and that none of its services already
    answers; each option is a button that says the service as an entity."""
    vocabulary = vocabulary or load_vocabulary()
    copy = copy or default_copy()
    names = names or load_default_copy()
    known = set(known_services or ())
    questions = []
    for word, codes in vocabulary.unclear_mentions(text, covered):
        if known & set(codes):
            continue
        labels = [names.services.get(code, code) for code in codes]
        options = ", ".join(labels[:-1]) + " or " + labels[-1]
        buttons = tuple(
            {"title": label[:1].upper() + label[1:],
             "payload": "/inform" + json.dumps({"service": code})}
            for code, label in zip(codes, labels)
        )
        questions.append(Message(copy.message("unclear_service", word=word, options=options).text, buttons))
    return questions
