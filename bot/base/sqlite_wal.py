"""SQLite in WAL mode, shared by the lead store and the embedded tracker store."""

from __future__ import annotations

import sqlite3
import time
from typing import Any


def enable_wal(cursor: Any, timeout: float) -> None:
    """Switch a SQLite file to WAL mode, waiting for other connections if need be.

    Switching the journal mode ignores busy_timeout: two processes opening a fresh file at the
    same moment get "database is locked" at once, so the switch is retried until `timeout`.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)
