"""Load broker-edited YAML with line numbers, so every validation error names the file and line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Union

import yaml

# Where the YAML files that a broker edits live (bot/data/).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class DataFileError(ValueError):
    """A data file that a broker edits is invalid; the message names the file and the line."""

    def __init__(self, path: Union[str, Path], line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        super().__init__(f"{path}:{line}: {message}")


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers the 1-based line where it starts and where each key is."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):  # type: ignore[type-arg]
    """A sequence that remembers the 1-based line where it starts and where each item is."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Union[str, Path]) -> Any:
    """Parse a YAML file; mappings become LineDict and sequences LineList.

    Raises DataFileError (with file and line) for a missing file or a syntax error.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, 0, f"cannot read file: {exc.strerror}") from exc
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise DataFileError(path, line, f"YAML syntax error: {exc.problem}") from exc
    except ValueError as exc:
        # PyYAML builds dates while parsing and raises a bare ValueError for 2026-02-30.
        raise _impossible_value(path, text, exc) from exc


_DATE_TOKEN = re.compile(r"\b(\d{4}-\d{1,2}-\d{1,2})\b")


def _impossible_value(path: Path, text: str, error: ValueError) -> DataFileError:
    """The line of the impossible date PyYAML choked on, else line 0."""
    for number, line in enumerate(text.splitlines(), 1):
        for token in _DATE_TOKEN.findall(line.split("#", 1)[0]):
            try:
                date.fromisoformat(token)
            except ValueError:
                return DataFileError(path, number, f"{token} is not a real date (YYYY-MM-DD)")
    return DataFileError(path, 0, f"invalid value: {error}")


def line_of(node: Any, key: Union[str, int] = "") -> int:
    """Best-known line of `key` (a mapping key or a list index) inside `node`, or of the node."""
    if isinstance(node, LineDict):
        return node.key_lines.get(str(key), node.line) if key != "" else node.line
    if isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node.item_lines):
        return node.item_lines[key]
    return getattr(node, "line", 0)
