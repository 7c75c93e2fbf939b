"""The outbox: every message that leaves the system, until it is sent.

Revision ID: 0003_outbox
Revises: 0002_takeovers
Create Date: 2026-12-02

Rule: an upgrade never drops data (see 0001). Types spelled out here so history stays fixed.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from bot.leads.models import UTCDateTime

revision = "0003_outbox"
down_revision = "0002_takeovers"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True),
                                                   "postgresql")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("ordering_key", sa.String(255), nullable=False),
        sa.Column("destination", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sender_id", sa.String(255)),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_until", UTCDateTime()),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", UTCDateTime()),
        sa.Column("sent_by", sa.Text),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index("ix_outbox_due", "outbox", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_ordering", "outbox", ["ordering_key", "id"])
    op.create_index("ix_outbox_sender_id", "outbox", ["sender_id"])


def downgrade() -> None:
    # Only for development; `LeadStore.migrate()` never downgrades.
    op.drop_index("ix_outbox_sender_id", table_name="outbox")
    op.drop_index("ix_outbox_ordering", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
