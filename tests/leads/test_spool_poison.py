"""Issue 14, test 1: spool poison and ordering, on the real PostgreSQL (and SQLite).

The database is cut (PostgreSQL: a TCP forwarder that stops listening; SQLite: another
connection holds the write lock). A valid update A and a hostile B (NUL characters in the
text, an over-long channel) are spooled, plus a B' the database refuses outright (an
over-long sender id). The database comes back, another store saves a newer A', then C is
saved. Pass: C and A' are intact, B is stored cleaned, B' is set aside with its reason, and
the spool is empty.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.leads.store import LeadStore
from tests.leads.conftest import NOW, Clock
from tests.leads.test_store import _outage

A_TRANSCRIPT = [{"role": "user", "text": "we have 3 offices", "at": None}]
NEWER_TRANSCRIPT = A_TRANSCRIPT + [{"role": "bot", "text": "How many employees?", "at": None},
                                   {"role": "user", "text": "about 40", "at": None}]


def test_a_poisoned_spool_never_blocks_later_saves_nor_overwrites_newer_data(
        make_store: Any, db_url: str, spool_path: Path, clock: Clock) -> None:
    store, (end_outage, cleanup) = _outage(make_store, db_url)
    try:
        # During the outage: A (valid), B (hostile but repairable), B2 (refused by SQL).
        assert store.upsert_or_spool("a", channel="rest", transcript=A_TRANSCRIPT,
                                     slots={"email": "old@a.co", "num_locations": 3,
                                            "company_name": "Acme"}) is None
        assert store.upsert_or_spool("b", channel="x" * 500,
                                     transcript=[{"role": "user", "text": "nul\x00here"}],
                                     slots={"company_name": "Nul\x00Co"}) is None
        # Lines the database refuses, as an older version could have spooled them: an
        # over-long sender id (refused on every database) and, on PostgreSQL, a phone longer
        # than its VARCHAR(32) column (refused by the database itself).
        refused = [{"sender_id": "b2" * 200, "channel": "rest", "slots": {}}]
        if db_url.startswith("postgresql"):
            refused.append({"sender_id": "b3", "channel": "rest", "slots": {"phone": "1" * 40}})
        with open(spool_path, "a", encoding="utf-8") as spool:
            for entry in refused:
                spool.write(json.dumps({**entry, "at": NOW.isoformat()}) + "\n")
        assert len(spool_path.read_text().splitlines()) == 2 + len(refused)

        end_outage()
        # A newer save of A, through another store (as another action server would).
        clock.advance(minutes=5)
        other = make_store(db_url, migrate=False, spool_path=spool_path.with_name("other.jsonl"))
        other.upsert("a", channel="rest", transcript=NEWER_TRANSCRIPT,
                     slots={"email": "new@a.co", "employees": 40})

        clock.advance(minutes=1)
        c = store.upsert_or_spool("c", channel="socketio", slots={"email": "c@c.co"})
        assert c is not None and c.email == "c@c.co"  # C saved, not spooled

        a = store.get("a")
        assert a is not None
        assert a.email == "new@a.co" and a.employees == 40  # A' intact...
        assert [line["text"] for line in a.transcript] == [l["text"] for l in NEWER_TRANSCRIPT]
        assert a.num_locations == 3 and a.company_name == "Acme"  # ...and A's facts not lost
        assert a.updated_at == NOW + timedelta(minutes=5)

        b = store.get("b")
        assert b is not None and b.company_name == "NulCo"
        assert b.transcript[0]["text"] == "nulhere" and len(b.channel) == 64

        rejected = [json.loads(line) for line in store.rejected_path.read_text().splitlines()]
        assert [json.loads(r["line"])["sender_id"] for r in rejected] == \
            [e["sender_id"] for e in refused]
        assert all(r["reason"] for r in rejected)
        assert store.get("b3") is None
        assert spool_path.read_text() == ""
        assert store.replay_spool() == 0
    finally:
        store.close()
        cleanup()


def test_pending_lines_survive_a_kill_during_the_rewrite(tmp_path: Path) -> None:
    """The rewrite goes through a temporary file and a rename: a process killed before the
    rename leaves the whole old spool, never a truncated one."""
    spool = tmp_path / "lead-spool.jsonl"
    lines = [json.dumps({"sender_id": f"s{i}", "channel": "rest", "slots": {},
                         "at": NOW.isoformat()}) for i in range(50)]
    spool.write_text("\n".join(lines) + "\n")
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from bot.base import spool as spool_module
        from bot.leads import store as module
        real_replace = os.replace
        def killed(*args):  # dies between writing the temporary file and renaming it
            os.kill(os.getpid(), signal.SIGKILL)
        spool_module.os.replace = killed  # the spool's rewrite (bot/base/spool.py)
        s = module.LeadStore("sqlite:///{tmp_path / 'leads.db'}", spool_path=Path("{spool}"))
        s.migrate()
        s.replay_spool()
    """)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=120)
    assert done.returncode == -signal.SIGKILL
    assert spool.read_text().splitlines() == lines  # nothing lost
    store = LeadStore(f"sqlite:///{tmp_path / 'leads.db'}", spool_path=spool, clock=lambda: NOW)
    try:
        assert store.replay_spool() == 50  # replaying again is harmless (upserts)
        assert spool.read_text() == ""
        assert len(list(store.iter_leads())) == 50
    finally:
        store.close()
