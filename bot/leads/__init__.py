"""Leads: one record per conversation that reached a recommendation, a handoff or a callback.

Submodules (imported explicitly, nothing is built at import time):
- `models`: the `leads` table and the immutable `Lead` value;
- `store`: `LeadStore` (SQLite or PostgreSQL, Alembic migrations, atomic upserts, spool);
- `scoring`: `score_lead()` driven by the broker-editable `bot/data/scoring.yml`;
- `export`: JSONL/CSV export (CONTRACT section 7);
- `digest`: the after-hours digest for the sales team.
"""
