"""The first log: one row per turn.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from conversation_log.migrations.columns import event_columns

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "turns",
        *event_columns(),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("turn_number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("parse", sa.JSON(), nullable=True),
        sa.Column("intent", sa.String(200), nullable=True),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.Column("model_hash", sa.String(64), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("turns")
