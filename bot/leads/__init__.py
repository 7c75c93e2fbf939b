"""Leads: one record per conversation that reached a recommendation, a handoff or a callback.

Submodules (imported explicitly, nothing is built at import time):
- `models`: the `leads` table and the immutable `Lead` value;
- `update`: `LeadUpdate`, what one save carries, built by `build_lead_update()` (every writer);
- `store`: `LeadStore` (SQLite or PostgreSQL, Alembic migrations, atomic saves, spool) and
  `open_lead_store()`, how a process gets it;
- `export`: JSONL/CSV export (CONTRACT section 7).
(Scoring is `bot.domain.scoring`; the after-hours digest is `bot.notify.digest`.)
"""
