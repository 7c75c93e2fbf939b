"""Notes for the agent: the customer's own words for questions the assistant left open.

Revision ID: 0004_agent_notes
Revises: 0003_outbox
Create Date: 2026-12-06

A question the customer's replies missed twice is not asked a third time: an optional one is
left for the agent, with what the customer said (bot/conversation/missed_questions.py).
Rule: an upgrade never drops data (see 0001). Types spelled out here so history stays fixed.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_agent_notes"
down_revision = "0003_outbox"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True),
                                                   "postgresql")


def upgrade() -> None:
    op.add_column("leads", sa.Column("agent_notes", _json()))


def downgrade() -> None:
    # Only for development; `LeadStore.migrate()` never downgrades.
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("agent_notes")
