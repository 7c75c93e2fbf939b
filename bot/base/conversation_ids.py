"""Conversation ids namespaced per channel, so one channel can never reach another's.

A Slack member id (`U0123ABCD`) is not secret: anyone in the workspace, and anyone it was
ever shown to, knows it. If Slack conversations were keyed by it, a REST or Socket.IO message
with `sender` set to it would read the Slack customer's later replies (name, email), change
the lead, or pause it. So Slack conversations are `slack:<team>:<user>`, and a sender id of
any other channel that starts with a reserved prefix is refused. REST and Socket.IO sender ids
keep CONTRACT section 3: any other string is the conversation id as given.
"""

from __future__ import annotations

from typing import Optional

SLACK_PREFIX = "slack:"
#: Prefixes only our own channels may produce (lower-cased comparison).
RESERVED_PREFIXES: tuple[str, ...] = (SLACK_PREFIX,)


def slack_conversation_id(team_id: Optional[str], user_id: str) -> str:
    """The conversation id of a Slack member: `slack:<team>:<user>` (`-` without a team)."""
    if user_id.startswith(SLACK_PREFIX):
        return user_id  # already namespaced
    return f"{SLACK_PREFIX}{team_id or '-'}:{user_id}"


def is_reserved_sender(sender_id: str) -> bool:
    """True when `sender_id` belongs to a namespace only our own channels may use."""
    folded = sender_id.strip().lower()
    return any(folded.startswith(prefix) for prefix in RESERVED_PREFIXES)
