"""User-facing copy that a broker edits (bot/data/copy.yml), validated on load."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Union

from bot.yamldata import DataFileError, LineDict, line_of, load_yaml

DEFAULT_PATH = Path(__file__).parent / "data" / "copy.yml"


class Copy:
    """Message templates by key; `problem(code, value)` fills in the customer's words."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self._problems = dict(problems)

    def problem(self, code: str, value: object = "") -> str:
        template = self._problems.get(code) or self._problems["required"]
        shown = str(value)
        if len(shown) > 60:  # never echo a wall of text back
            shown = shown[:57] + "..."
        return template.format(value=shown)


def load_copy(path: Union[str, Path, None] = None) -> Copy:
    """Load and validate a copy file; errors name the file and line."""
    path = Path(path or DEFAULT_PATH)
    data = load_yaml(path)
    if not isinstance(data, LineDict) or not isinstance(data.get("problems"), LineDict):
        raise DataFileError(path, line_of(data), "expected a mapping with a 'problems' section")
    problems = data["problems"]
    for key, text in problems.items():
        if not isinstance(text, str) or not text.strip():
            raise DataFileError(path, line_of(problems, key), f"problems.{key} must be non-empty text")
        try:
            text.format(value="x")
        except (KeyError, IndexError, ValueError) as exc:
            raise DataFileError(path, line_of(problems, key), f"problems.{key}: bad placeholder {exc}") from exc
    if "required" not in problems:
        raise DataFileError(path, problems.line, "problems.required is missing (the fallback message)")
    return Copy(problems)


@lru_cache(maxsize=1)
def default_copy() -> Copy:
    """The copy shipped with the bot (loaded once per process)."""
    return load_copy(None)


def problem_text(code: str, value: object = "", copy: Optional[Copy] = None) -> str:
    """Shortcut used by the actions."""
    return (copy or default_copy()).problem(code, value)
