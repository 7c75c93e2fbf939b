"""What the actions say (bot/data/copy.yml): questions, messages, problems; validated on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from bot.base.yamldata import DATA_DIR, DataFileError, LineDict, line_of, load_yaml

DEFAULT_PATH = DATA_DIR / "copy.yml"
SECTIONS = ("questions", "messages", "intent_descriptions", "problems")
MAX_ECHO = 60


@dataclass(frozen=True)
class Message:
    """A text with optional quick-reply buttons ({"title", "payload"})."""

    text: str
    buttons: tuple[dict[str, str], ...] = ()


class Copy:
    """All the action copy, looked up by key."""

    def __init__(
        self,
        questions: Mapping[str, Message],
        messages: Mapping[str, Message],
        intent_descriptions: Mapping[str, str],
        problems: Mapping[str, str],
    ) -> None:
        self.questions = dict(questions)
        self.messages = dict(messages)
        self.intent_descriptions = dict(intent_descriptions)
        self._problems = dict(problems)

    def problem(self, code: str, value: object = "") -> str:
        """The re-ask for a problem code, quoting (a short form of) what the customer typed."""
        template = self._problems.get(code) or self._problems["required"]
        shown = " ".join(str(value).split())
        if len(shown) > MAX_ECHO:  # never echo a wall of text back
            shown = shown[: MAX_ECHO - 3] + "..."
        return template.format(value=shown)

    def question(self, slot: str) -> Message:
        return self.questions[slot]

    def message(self, key: str, **values: Any) -> Message:
        message = self.messages[key]
        return Message(message.text.format(**values), message.buttons) if values else message


def _message(path: Path, node: Any, where: str) -> Message:
    if isinstance(node, str):
        node = {"text": node}
    if not isinstance(node, dict) or not isinstance(node.get("text"), str) or not node["text"].strip():
        raise DataFileError(path, line_of(node), f"{where} needs a non-empty 'text'")
    buttons = node.get("buttons") or []
    if not isinstance(buttons, list):
        raise DataFileError(path, line_of(node, "buttons"), f"{where}.buttons must be a list")
    checked = []
    for button in buttons:
        if not isinstance(button, dict) or not all(isinstance(button.get(k), str) and button[k] for k in ("title", "payload")):
            raise DataFileError(path, line_of(node, "buttons"), f"{where}: every button needs 'title' and 'payload'")
        checked.append({"title": button["title"], "payload": button["payload"]})
    return Message(node["text"], tuple(checked))


MESSAGE_PLACEHOLDERS = ("value", "word", "options")


def _check_placeholders(path: Path, section: LineDict, key: str, text: str,
                        names: tuple[str, ...] = ("value",)) -> None:
    try:
        text.format(**{name: "x" for name in names})
    except (KeyError, IndexError, ValueError) as exc:
        allowed = ", ".join("{" + n + "}" for n in names)
        raise DataFileError(path, line_of(section, key), f"{key}: unknown placeholder {exc} (only {allowed})") from exc


def load_copy(path: Union[str, Path, None] = None) -> Copy:
    """Load and validate a copy file; errors name the file and line."""
    path = Path(path or DEFAULT_PATH)
    data = load_yaml(path)
    if not isinstance(data, LineDict):
        raise DataFileError(path, line_of(data), "expected a mapping with sections " + ", ".join(SECTIONS))
    for section in SECTIONS:
        if not isinstance(data.get(section), LineDict):
            raise DataFileError(path, line_of(data, section), f"section '{section}' is missing or not a mapping")
    questions = {k: _message(path, v, f"questions.{k}") for k, v in data["questions"].items()}
    messages = {k: _message(path, v, f"messages.{k}") for k, v in data["messages"].items()}
    for key, message in messages.items():
        _check_placeholders(path, data["messages"], key, message.text, MESSAGE_PLACEHOLDERS)
    descriptions = {}
    for key, text in data["intent_descriptions"].items():
        if not isinstance(text, str) or not text.strip():
            raise DataFileError(path, line_of(data["intent_descriptions"], key), f"intent_descriptions.{key} must be text")
        descriptions[key] = text
    problems = {}
    for key, text in data["problems"].items():
        if not isinstance(text, str) or not text.strip():
            raise DataFileError(path, line_of(data["problems"], key), f"problems.{key} must be non-empty text")
        _check_placeholders(path, data["problems"], key, text)
        problems[key] = text
    if "required" not in problems:
        raise DataFileError(path, data["problems"].line, "problems.required is missing (the fallback message)")
    for key in ("plan_options", "ask_rephrase", "ask_affirmation", "something_else", "default_fallback",
                "unclear_service"):
        if key not in messages:
            raise DataFileError(path, data["messages"].line, f"messages.{key} is missing")
    return Copy(questions, messages, descriptions, problems)


@lru_cache(maxsize=1)
def default_copy() -> Copy:
    """The copy shipped with the bot (loaded once per process)."""
    return load_copy(None)


def problem_text(code: str, value: object = "", copy: Optional[Copy] = None) -> str:
    """Shortcut used by the actions."""
    return (copy or default_copy()).problem(code, value)
