"""A JSONL spool: writes the database could not take, kept on disk and replayed in order.

The lead store and the outbox both spool while their database is down. Both need the same
guarantees, so they share this one file format and its rules:

- `append` locks the file, writes one line and fsyncs it (the line may be the only copy);
- `replay(apply)` applies the lines in order under the same lock and stops at the first one
  the database still cannot take (`unavailable`), keeping it and everything after it; lines
  spooled for another database (`"db"` differs) are left for that database's store; a line
  refused outright (`refused`: corrupt JSON, invalid values, a value the database rejects) is
  set aside in `rejected_path` with the reason and never blocks the lines after it;
- the spool is rewritten into a temporary file renamed over it, so a kill mid-rewrite leaves
  the old spool or the new one, never a truncated one;
- `pending()` is one stat(), and false while nothing was added since a replay that left only
  other databases' lines (so callers may ask on every save).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional, Union

from bot.base.privacy import redact

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Replayed:
    """What one replay did: lines applied, set aside, and still waiting (this database's)."""

    applied: int = 0
    rejected: int = 0
    pending: int = 0


class JsonlSpool:
    def __init__(self, path: Union[str, Path], rejected_path: Union[str, Path], db_key: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.path = Path(path)
        self.rejected_path = Path(rejected_path)
        self.db_key = db_key
        self._clock = clock
        self._idle_size: Optional[int] = None

    def pending(self) -> bool:
        """True when the file may hold lines for this database not yet replayed."""
        try:
            size = self.path.stat().st_size
        except OSError:
            return False
        return size > 0 and size != self._idle_size

    def append(self, entry: Mapping[str, Any]) -> None:
        line = json.dumps(entry, default=str, ensure_ascii=False, separators=(",", ":"))
        with self._locked() as spool:
            spool.write(line + "\n")
            spool.flush()
            os.fsync(spool.fileno())  # the database is down: this line may be the only copy

    def replay(self, apply: Callable[[dict[str, Any]], None], *,
               unavailable: type[BaseException],
               refused: tuple[type[BaseException], ...]) -> Replayed:
        """Apply this database's lines in order (see the module docstring)."""
        if not self.pending():
            return Replayed()
        applied = rejected = 0
        with self._locked() as spool:
            spool.seek(0)
            lines = [line for line in spool.read().splitlines() if line.strip()]
            remaining: list[str] = []
            foreign: list[str] = []
            for index, line in enumerate(lines):
                try:
                    entry = json.loads(line)
                    if entry.get("db") not in (None, self.db_key):
                        foreign.append(line)  # for another database: left for its store
                        continue
                    apply(entry)
                    applied += 1
                except unavailable:
                    remaining = lines[index:]
                    break
                except (ValueError, KeyError, TypeError, AttributeError, *refused) as error:
                    self._reject(line, error)
                    rejected += 1
            if applied or rejected:  # otherwise the file is unchanged: skip the rewrite
                self._rewrite(foreign + remaining)
                self._idle_size = None
            else:
                spool.seek(0, os.SEEK_END)
                self._idle_size = spool.tell() if not remaining else None
        return Replayed(applied, rejected, len(remaining))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[Any]:
        """The spool file, open for reading and appending, under an exclusive lock.

        The file may be replaced (renamed over) by a replay while we wait for the lock: then
        the locked file is no longer the spool, and we open the new one.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            spool = open(self.path, "a+", encoding="utf-8")
            try:
                fcntl.flock(spool, fcntl.LOCK_EX)  # released on close
                try:
                    current = os.stat(self.path)
                except FileNotFoundError:
                    current = None
                if current is not None and current.st_ino == os.fstat(spool.fileno()).st_ino:
                    yield spool
                    return
            finally:
                spool.close()

    def _rewrite(self, lines: list[str]) -> None:
        """Replace the spool's content with `lines` (temporary file, fsync, rename)."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            if lines:
                out.write("\n".join(lines) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)

    def _reject(self, line: str, error: BaseException) -> None:
        detail = redact(str(getattr(error, "orig", None) or error)).strip()
        reason = f"{type(error).__name__}: {detail.splitlines()[0] if detail else ''}"[:300]
        record = json.dumps({"rejected_at": self._clock().isoformat(), "reason": reason,
                             "line": line}, ensure_ascii=False, separators=(",", ":"))
        self.rejected_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.rejected_path, "a", encoding="utf-8") as out:
            out.write(record + "\n")
            out.flush()
            os.fsync(out.fileno())
        log.error("spooled line set aside (%s), kept in %s", reason, self.rejected_path)
