"""Columns the revisions share. Frozen: a later schema change is a new revision, never an edit here."""

from __future__ import annotations

import sqlalchemy as sa

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def event_columns() -> list[sa.Column[object]]:
    """The columns every event table starts with: id, event_id, at, day, bot, conversation_id."""
    return [
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(32), nullable=False, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, index=True),
        sa.Column("bot", sa.String(200), nullable=False),
        sa.Column("conversation_id", sa.String(64), nullable=False, index=True),
    ]
