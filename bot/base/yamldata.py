"""Load broker-edited YAML with line numbers, so every validation error names the file and line."""

from __future__ import annotations

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
    """A sequence that remembers the 1-based line where it starts."""

    line: int = 0


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


def line_of(node: Any, key: str = "") -> int:
    """Best-known line of `key` inside `node` (or of the node itself)."""
    if isinstance(node, LineDict):
        return node.key_lines.get(key, node.line) if key else node.line
    return getattr(node, "line", 0)
