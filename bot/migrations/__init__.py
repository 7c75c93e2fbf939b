"""Alembic migrations of the lead store (run by `LeadStore.migrate()`)."""
