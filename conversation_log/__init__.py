"""The conversation log: every turn, action call and handoff event, masked, in a SQL database.

SQLite in the bot's data folder by default, PostgreSQL when ``CAUSETTE_DATABASE_URL`` says so
(SQLAlchemy 2 async, Alembic migrations). Writes go through a bounded queue off the hot path;
retention and erasure keep the RGPD's promises; analytics read the figures back.
"""

from conversation_log.analytics import Analytics, analytics
from conversation_log.database import LogDatabase, async_url, default_url
from conversation_log.log import ConversationLog, LogOptions, LogUnavailable
from conversation_log.masking import Masker
from conversation_log.records import erase_conversation, export_conversation
from conversation_log.retention import PurgeResult, purge
from conversation_log.writer import LogWriter, WriterCounters

__all__ = [
    "Analytics",
    "ConversationLog",
    "LogDatabase",
    "LogOptions",
    "LogUnavailable",
    "LogWriter",
    "Masker",
    "PurgeResult",
    "WriterCounters",
    "analytics",
    "async_url",
    "default_url",
    "erase_conversation",
    "export_conversation",
    "purge",
]
