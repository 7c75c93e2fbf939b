"""What the conversation says: the shortcuts the actions use over bot.domain.wording
(bot/data/wording/conversation.yml, validated on load, re-read when it changes)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from bot.domain.wording import (  # noqa: F401 - re-exported for the actions
    CONVERSATION_PATH,
    MAX_ECHO,
    ConversationWording,
    Message,
    load_conversation_wording,
)

DEFAULT_PATH = CONVERSATION_PATH
Copy = ConversationWording  # the name the actions and clarify.py know


def load_copy(path: Union[str, Path, None] = None) -> ConversationWording:
    """Load and validate a conversation wording file; errors name the file and line."""
    return load_conversation_wording(path)


def default_copy() -> ConversationWording:
    """The shipped conversation.yml (re-read when it changes)."""
    return load_conversation_wording(None)


def problem_text(code: str, value: object = "", copy: Optional[ConversationWording] = None) -> str:
    """Shortcut used by the actions."""
    return (copy or default_copy()).problem(code, value)
