"""The conversation log's tables: turns, action calls and handoff events (SQLAlchemy 2, typed).

The schema itself changes only through the Alembic revisions in ``migrations/``; these classes
are how the code reads and writes it. Texts (``text``, ``parse``, ``reply``) become NULL after the
texts' retention period; the rest of a row, which analytics count, lives until the records' period.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite's rowid is an INTEGER; PostgreSQL's log may outgrow 2^31 rows.
RowId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """The log's declarative base: its metadata is the schema the migrations reach."""


class _Event:
    """Columns every logged event has: its id, when it happened, which bot and conversation."""

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    # Made by the writer when it takes the event: a batch retried after a lost reply is not stored twice.
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[date] = mapped_column(Date, index=True)  # UTC day of ``at``: per-day counts on any database
    bot: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)


class TurnRecord(_Event, Base):
    """One visitor message and the bot's answer."""

    __tablename__ = "turns"

    channel: Mapped[str] = mapped_column(String(32))
    turn_number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)  # masked
    parse: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # masked: intent, alternatives, slots
    intent: Mapped[str | None] = mapped_column(String(200))  # the chosen intent; NULL on a fallback
    probability: Mapped[float] = mapped_column(Float)
    fallback: Mapped[bool] = mapped_column(Boolean)
    reply: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # masked: the messages sent, as the Turn gave them
    model_hash: Mapped[str] = mapped_column(String(64))
    latency_ms: Mapped[float] = mapped_column(Float)


class ActionCallRecord(_Event, Base):
    """One call of the company's action server (written once actions exist)."""

    __tablename__ = "action_calls"

    name: Mapped[str] = mapped_column(String(200))
    duration_ms: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(32))  # "ok", or why it failed ("timeout", "error", ...)


class HandoffRecord(_Event, Base):
    """A conversation passing to a person or back (written once handoff exists)."""

    __tablename__ = "handoff_events"

    kind: Mapped[str] = mapped_column(String(32))  # "requested", "accepted", "returned", ...
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # masked


EventTable = TurnRecord | ActionCallRecord | HandoffRecord
EVENT_TABLES: tuple[type[EventTable], ...] = (
    TurnRecord,
    ActionCallRecord,
    HandoffRecord,
)


class ErasureRecord(Base):
    """A conversation erased at ``at``: events of it from before then, still buffered by any server
    process when the erasure ran, are not written (see ``LogDatabase.insert``)."""

    __tablename__ = "erasures"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    bot: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
