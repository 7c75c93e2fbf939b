"""Alembic environment for the lead store.

`LeadStore.migrate()` passes an open connection (inside its own transaction, holding the
migration lock) in `config.attributes["connection"]`. Run from the alembic command line
(`alembic -c bot/alembic.ini upgrade head`), the URL comes from DATABASE_URL like every process.
Logging is deliberately not reconfigured here: that would clobber the host process's handlers.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.leads.models import metadata
import bot.outbox.models  # noqa: F401,E402 - puts the outbox table on `metadata`

VERSION_TABLE = "leads_alembic_version"  # not the default name: Rasa or others may share the DB


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER needs batch mode
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from bot.base.settings import Settings

    url = context.config.get_main_option("sqlalchemy.url") or \
        Settings.from_env().effective_database_url
    engine = create_engine(url, future=True, hide_parameters=True)
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported for the lead store")
run_migrations_online()
