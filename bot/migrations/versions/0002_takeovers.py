"""Live takeover: who from the agency has a customer's chat, and the lines of it.

Revision ID: 0002_takeovers
Revises: 0001
Create Date: 2026-12-02

Rule: an upgrade never drops data (see 0001). Types spelled out here so history stays fixed.
"""

import sqlalchemy as sa
from alembic import op

from bot.leads.models import UTCDateTime

revision = "0002_takeovers"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "takeovers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("deadline_at", UTCDateTime(), nullable=False),
        sa.Column("agent_id", sa.String(64)),
        sa.Column("agent_name", sa.Text),
        sa.Column("agent_via", sa.String(16)),
        sa.Column("taken_at", UTCDateTime()),
        sa.Column("ended_at", UTCDateTime()),
        sa.Column("ended_by", sa.Text),
        sa.Column("slack_channel", sa.String(64)),
        sa.Column("slack_thread_ts", sa.String(32)),
    )
    op.create_index("ix_takeovers_sender_id", "takeovers", ["sender_id"])
    op.create_index("ix_takeovers_state", "takeovers", ["state"])
    op.create_table(
        "takeover_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("takeover_id", sa.Integer, nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("delivered", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_takeover_messages_sender_id", "takeover_messages", ["sender_id", "id"])


def downgrade() -> None:
    # Only for development; `LeadStore.migrate()` never downgrades.
    op.drop_index("ix_takeover_messages_sender_id", table_name="takeover_messages")
    op.drop_table("takeover_messages")
    op.drop_index("ix_takeovers_state", table_name="takeovers")
    op.drop_index("ix_takeovers_sender_id", table_name="takeovers")
    op.drop_table("takeovers")
