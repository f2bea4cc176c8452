"""Erasures: which conversation was erased when, so that no server writes its older events after.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from conversation_log.migrations.columns import ROW_ID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bot", sa.String(200), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("erasures")
