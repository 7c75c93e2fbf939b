"""Create the leads table.

Revision ID: 0001
Revises:
Create Date: 2026-11-29

Rule: an upgrade never drops data (no drop_table/drop_column; add, copy, then stop using).
The column types are spelled out here (not imported from models) so history stays fixed.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from bot.leads.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    return sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True),
                                                   "postgresql")


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("states", _json()),
        sa.Column("city", sa.Text),
        sa.Column("zip_code", sa.String(10)),
        sa.Column("num_locations", sa.Integer),
        sa.Column("employees", sa.Integer),
        sa.Column("services", _json()),
        sa.Column("challenges", _json()),
        sa.Column("current_carrier", sa.Text),
        sa.Column("contract_end", sa.String(10)),
        sa.Column("contact_name", sa.Text),
        sa.Column("company_name", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("phone", sa.String(32)),
        sa.Column("handoff_reason", sa.String(32)),
        sa.Column("recommendation", _json()),
        sa.Column("recommended_carriers", _json()),
        sa.Column("score", sa.Integer, nullable=False, server_default="0"),
        sa.Column("grade", sa.String(1), nullable=False, server_default="C"),
        sa.Column("score_reasons", _json()),
        sa.Column("status", sa.String(16), nullable=False, server_default="new"),
        sa.Column("after_hours", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("callback_time", sa.Text),
        sa.Column("transcript", _json()),
        sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("sender_id", name="uq_leads_sender_id"),
    )
    op.create_index("ix_leads_updated_at", "leads", ["updated_at"])
    op.create_index("ix_leads_created_at", "leads", ["created_at"])


def downgrade() -> None:
    # Only for development; `LeadStore.migrate()` never downgrades.
    op.drop_index("ix_leads_created_at", table_name="leads")
    op.drop_index("ix_leads_updated_at", table_name="leads")
    op.drop_table("leads")
