"""Broker-edited YAML checked against pydantic models (v1 API), with one way to report mistakes.

Each data file is described by a `DataModel` (the keys it may have, their types, small
validators for the rules that are about meaning). `read_model()` loads the file with line
numbers (bot.base.yamldata) and turns the first pydantic error into a DataFileError
"file:line: where: what is wrong", where the line is that of the offending key or list item.

One reload rule for every file (`load_cached`): what a loader builds from a file is reused while
the file's modification time and size stay the same, so an edited file is picked up by the next
load, in every process, without a restart.
"""

from __future__ import annotations

import functools
import logging
import os
import string
import threading
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable, Optional, Sequence, TypeVar, Union

from pydantic import BaseModel, Extra, ValidationError, root_validator
from pydantic.errors import PydanticValueError

from bot.base.yamldata import DataFileError, LineDict, LineList, line_of, load_yaml

logger = logging.getLogger(__name__)

Model = TypeVar("Model", bound="DataModel")
Built = TypeVar("Built")
Location = tuple[Union[str, int], ...]
# Turns an error's location into the words that name it ("carrier 'Zayo', services"); None
# falls back to the dotted path ("fit.sites").
Describe = Callable[[Location, Any], Optional[str]]


class Invalid(PydanticValueError):
    """A validator's complaint about something below the value it checks.

    `at`: a path of keys/indexes under the validated value; the complaint is about that place
    (its line, and its name in the message). `key`: a key under that place whose line is the one
    to report, without naming it again (an unknown key). `see`: another place, under the
    validated value, whose line the message quotes ("first at line 12").
    """

    code = "data"
    msg_template = "{message}"

    def __init__(self, message: str, *, at: Sequence[Union[str, int]] = (), key: Optional[str] = None,
                 see: Optional[Sequence[Union[str, int]]] = None) -> None:
        super().__init__(message=message, at=tuple(at), key=key, see=tuple(see) if see is not None else None)


class DataModel(BaseModel):
    """Base of every data-file schema: unknown keys are refused, values are read-only.

    `unknown_key` is the message for a key the model does not know ({key}, {known}). A key
    given without a value (`aliases:` alone) counts as not given when it has a default.
    """

    unknown_key: ClassVar[str] = "unknown key {key!r}; expected one of: {known}"

    class Config:
        extra = Extra.forbid
        allow_mutation = False

    @root_validator(pre=True)
    def _known_keys_only(cls, values: Any) -> Any:  # noqa: N805 - pydantic passes the class
        known = {field.alias: field for field in cls.__fields__.values()}
        for key in values:
            if key not in known:
                raise Invalid(cls.unknown_key.format(key=key, known=", ".join(known)), key=str(key))
        return {k: v for k, v in values.items() if v is not None or known[k].required}


# --------------------------------------------------------------------------- reusable types


class NonEmptyText(str):
    """Text with something in it; surrounding spaces are dropped."""

    @classmethod
    def __get_validators__(cls) -> Iterable[Callable[..., Any]]:
        yield cls.validate

    @classmethod
    def validate(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be non-empty text")
        return value.strip()


def whole_number(minimum: int, maximum: int) -> type:
    """A type for a whole number from `minimum` to `maximum` (true/false and 3.5 are refused)."""

    class WholeNumber(int):
        @classmethod
        def __get_validators__(cls) -> Iterable[Callable[..., Any]]:
            yield cls.validate

        @classmethod
        def validate(cls, value: Any) -> int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"must be a whole number from {minimum} to {maximum}, got {value!r}")
            if value < minimum:
                raise ValueError(f"must be at least {minimum}, got {value!r}")
            if value > maximum:
                raise ValueError(f"must be at most {maximum}, got {value!r}")
            return value

    return WholeNumber


def placeholders(text: str) -> list[str]:
    """The {names} in a template; ValueError for unbalanced or positional braces."""
    names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    if any(not name or not name.isidentifier() for name in names):
        raise ValueError("braces must hold a word, like {name}")
    return names


def check_placeholders(text: str, allowed: Iterable[str], at: Sequence[Union[str, int]] = ()) -> None:
    """Raise Invalid when `text` has bad braces or a {word} outside `allowed`."""
    allowed = sorted(set(allowed))
    try:
        names = placeholders(text)
    except ValueError as error:
        raise Invalid(f"bad braces ({error})", at=at) from error
    for name in names:
        if name not in allowed:
            known = ", ".join("{" + w + "}" for w in allowed) or "none"
            raise Invalid(f"unknown word {{{name}}} (allowed: {known})", at=at)


# --------------------------------------------------------------------------- reading a file


def read_model(path: Union[str, Path], model: type[Model], describe: Optional[Describe] = None) -> tuple[Model, Any]:
    """Load `path` and validate it against `model`; returns the model and the raw data (with
    line numbers, for callers that keep a line). An empty file is an empty mapping."""
    path = Path(path)
    data = load_yaml(path)
    return validate(path, data, model, describe), data


def validate(path: Union[str, Path], data: Any, model: type[Model], describe: Optional[Describe] = None) -> Model:
    """`model` from parsed YAML `data`; the first problem as DataFileError with file and line."""
    if data is None:  # an empty file
        data = LineDict()
        data.line, data.key_lines = 1, {}
    if not isinstance(data, dict):
        keys = ", ".join(f.alias for f in model.__fields__.values())
        raise DataFileError(path, line_of(data) or 1, f"expected a mapping with {keys}")
    try:
        return model.parse_obj(data)
    except ValidationError as error:
        raise data_error(path, data, error, describe) from None


def data_error(path: Union[str, Path], data: Any, error: ValidationError,
               describe: Optional[Describe] = None) -> DataFileError:
    """The first error of `error` as "file:line: where: what"."""
    first = error.errors()[0]
    loc: Location = tuple(part for part in first["loc"] if part not in ("__root__", "__key__"))
    ctx = first.get("ctx") or {}
    kind = first["type"]
    what = str(first["msg"])
    if kind == "value_error.data":  # our Invalid: `at`, `key` and `see` are relative to loc
        if ctx["see"] is not None:
            what += f" (first at line {line_at(data, loc + ctx['see'])})"
        loc = loc + ctx["at"]
        line_loc = loc + ((ctx["key"],) if ctx["key"] is not None else ())
    else:
        line_loc = loc
        if kind == "value_error.missing":
            what, loc = f"missing {loc[-1]!r}", loc[:-1]
        else:
            what = _PLAIN_WORDS.get(kind, what)
    where = (describe(loc, data) if describe else None) or dotted(loc)
    return DataFileError(path, line_at(data, line_loc), f"{where}: {what}" if where else what)


# pydantic's own messages, in a broker's words
_PLAIN_WORDS = {
    "type_error.none.not_allowed": "needs a value",
    "type_error.dict": "must be a mapping (key: value lines)",
    "type_error.list": "must be a list, e.g. [a, b] or lines starting with '- '",
    "value_error.strictbool": "must be true or false",
    "type_error.bool": "must be true or false",
    "value_error.strictstr": "must be text",
    "type_error.str": "must be text",
}


def dotted(loc: Location) -> str:
    """("fit", "sites") -> "fit.sites"; list indexes as " #n" (1-based)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f" #{part + 1}"
        else:
            out += ("." if out else "") + str(part)
    return out


def line_at(data: Any, loc: Location) -> int:
    """The line of the deepest node of `loc` that exists in `data` (keys, then list items)."""
    node, line = data, line_of(data)
    for part in loc:
        if isinstance(node, LineDict):
            key = part if part in node else next((k for k in node if str(k) == str(part)), None)
            if key is None:
                break
            line, node = line_of(node, str(key)), node[key]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line, node = line_of(node, part), node[part]
        else:
            break
    return line


# --------------------------------------------------------------------------- the reload rule

_cache: dict[tuple[Any, str], tuple[tuple[int, int, int], Any]] = {}
_cache_lock = threading.Lock()


def load_cached(path: Union[str, Path], build: Callable[[Path], Built]) -> Built:
    """`build(path)`, reused while the file's modification time, size and inode are unchanged.

    A missing file is not cached (build reports it). An invalid file raises when nothing was
    loaded from it before; after a good load, a broken edit is logged (file:line) and the last
    good version stays in use until the file is fixed.
    """
    name = os.fspath(path)  # called on every use: kept to one stat() when nothing changed
    try:
        stat = os.stat(name)
    except OSError:
        return build(Path(name))
    stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    key = (build, name if os.path.isabs(name) else os.path.abspath(name))
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]  # type: ignore[no-any-return]
    try:
        built = build(Path(name))
    except DataFileError as error:
        if hit is None:
            raise  # never loaded: the process must not start on a broken file
        # A broker's broken edit while the assistant runs: keep answering with the last good
        # version (customers never see the typo), say exactly what is wrong, once per edit.
        logger.error("%s (still using the previous version of this file until it is fixed)", error)
        built = hit[1]
    with _cache_lock:
        _cache[key] = (stamp, built)
    return built


def rebuilt_when(*sources: Callable[[], Any]) -> Callable[[Callable[[], Built]], Callable[[], Built]]:
    """For objects built from loaded files (the extractor over vocabulary.yml, ...): the
    decorated zero-argument builder runs again when any of `sources()` returns another object
    than last time, i.e. when one of the files changed; otherwise its last result is reused."""

    def decorate(build: Callable[[], Built]) -> Callable[[], Built]:
        last: list[tuple[tuple[Any, ...], Built]] = []
        lock = threading.Lock()

        @functools.wraps(build)
        def current() -> Built:
            inputs = tuple(source() for source in sources)
            with lock:
                hit = last[0] if last else None
            if hit is not None and all(a is b for a, b in zip(hit[0], inputs)):
                return hit[1]
            built = build()
            with lock:
                last[:] = [(inputs, built)]
            return built

        current.cache_clear = last.clear  # type: ignore[attr-defined]  # like functools.lru_cache
        return current

    return decorate
