"""The figures an author watches: how many conversations, how often the bot fell back, which intents.

Computed in SQL over the log's rows (which live for the records' retention period), with
portable queries: the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from conversation_log.database import LogDatabase
from conversation_log.models import ActionCallRecord, HandoffRecord, TurnRecord

TOP_INTENTS = 10


class IntentCount(BaseModel):
    """How many turns an intent answered."""

    intent: str
    turns: int


class DayCount(BaseModel):
    """One day's turns (UTC), its fallbacks, and the turns of each intent."""

    day: date
    turns: int
    fallbacks: int
    intents: dict[str, int]


class ChannelCount(BaseModel):
    """One channel's conversations and turns."""

    channel: str
    conversations: int
    turns: int


class Analytics(BaseModel):
    """The log's figures for one bot over a period of days (UTC, both ends included)."""

    bot: str
    since: date | None
    until: date | None
    conversations: int
    messages: int = Field(description="visitor messages (turns)")
    fallback_rate: float = Field(description="share of turns answered with a fallback")
    handoff_rate: float = Field(description="share of conversations passed to a person")
    action_calls: int
    action_failures: int = Field(description="action calls whose outcome is not 'ok'")
    median_confidence: float | None = Field(description="median probability of the intent each turn chose")
    ended_without_fallback_or_handoff: float = Field(
        description="share of conversations whose last turn was not a fallback and that were never handed off"
    )
    top_intents: list[IntentCount]
    per_day: list[DayCount]
    per_channel: list[ChannelCount]


async def analytics(database: LogDatabase, bot: str, since: date | None = None, until: date | None = None) -> Analytics:
    """The figures of ``bot`` for the days from ``since`` to ``until`` (each optional)."""

    def period(table: type[TurnRecord] | type[ActionCallRecord] | type[HandoffRecord]) -> ColumnElement[bool]:
        conditions = [table.bot == bot]
        if since is not None:
            conditions.append(table.day >= since)
        if until is not None:
            conditions.append(table.day <= until)
        return and_(*conditions)

    async with database.engine.connect() as connection:
        turns, fallbacks, conversations = (
            await connection.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(case((TurnRecord.fallback, 1), else_=0)), 0),
                    func.count(func.distinct(TurnRecord.conversation_id)),
                ).where(period(TurnRecord))
            )
        ).one()
        handed_off = select(HandoffRecord.conversation_id).where(period(HandoffRecord)).distinct()
        handoffs = await _scalar(connection, select(func.count()).select_from(handed_off.subquery()))
        calls, failures = (
            await connection.execute(
                select(
                    func.count(), func.coalesce(func.sum(case((ActionCallRecord.outcome != "ok", 1), else_=0)), 0)
                ).where(period(ActionCallRecord))
            )
        ).one()
        return Analytics(
            bot=bot,
            since=since,
            until=until,
            conversations=conversations,
            messages=turns,
            fallback_rate=_share(fallbacks, turns),
            handoff_rate=_share(handoffs, conversations),
            action_calls=calls,
            action_failures=failures,
            median_confidence=await _median_confidence(connection, period(TurnRecord), turns),
            ended_without_fallback_or_handoff=_share(
                await _ended_well(connection, period(TurnRecord), handed_off), conversations
            ),
            top_intents=await _top_intents(connection, period(TurnRecord)),
            per_day=await _per_day(connection, period(TurnRecord)),
            per_channel=await _per_channel(connection, period(TurnRecord)),
        )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


async def _scalar(connection: AsyncConnection, query: Select[int]) -> int:
    return int((await connection.execute(query)).scalar_one())


async def _median_confidence(connection: AsyncConnection, where: ColumnElement[bool], turns: int) -> float | None:
    """The middle probability (the mean of the two middle ones for an even count): portable SQL."""
    if not turns:
        return None
    middle = (
        select(TurnRecord.probability)
        .where(where)
        .order_by(TurnRecord.probability)
        .offset((turns - 1) // 2)
        .limit(2 - turns % 2)
    )
    values = list((await connection.execute(middle)).scalars())
    return sum(values) / len(values)


async def _ended_well(connection: AsyncConnection, where: ColumnElement[bool], handed_off: Select[str]) -> int:
    """Conversations whose last turn in the period was not a fallback, and never handed off."""
    last = select(func.max(TurnRecord.id).label("id")).where(where).group_by(TurnRecord.conversation_id).subquery()
    query = (
        select(func.count())
        .select_from(TurnRecord)
        .join(last, TurnRecord.id == last.c.id)
        .where(TurnRecord.fallback.is_(False), TurnRecord.conversation_id.not_in(handed_off))
    )
    return await _scalar(connection, query)


async def _top_intents(connection: AsyncConnection, where: ColumnElement[bool]) -> list[IntentCount]:
    count = func.count().label("turns")
    query = (
        select(TurnRecord.intent, count)
        .where(where, TurnRecord.intent.is_not(None))
        .group_by(TurnRecord.intent)
        .order_by(count.desc(), TurnRecord.intent)
        .limit(TOP_INTENTS)
    )
    return [IntentCount(intent=str(intent), turns=turns) for intent, turns in await connection.execute(query)]


async def _per_day(connection: AsyncConnection, where: ColumnElement[bool]) -> list[DayCount]:
    query = (
        select(
            TurnRecord.day,
            TurnRecord.intent,
            func.count(),
            func.coalesce(func.sum(case((TurnRecord.fallback, 1), else_=0)), 0),
        )
        .where(where)
        .group_by(TurnRecord.day, TurnRecord.intent)
        .order_by(TurnRecord.day)
    )
    days: dict[date, DayCount] = {}
    for day, intent, turns, fallbacks in await connection.execute(query):
        entry = days.setdefault(day, DayCount(day=day, turns=0, fallbacks=0, intents={}))
        entry.turns += turns
        entry.fallbacks += fallbacks
        if intent is not None:
            entry.intents[intent] = turns
    return list(days.values())


async def _per_channel(connection: AsyncConnection, where: ColumnElement[bool]) -> list[ChannelCount]:
    query = (
        select(TurnRecord.channel, func.count(func.distinct(TurnRecord.conversation_id)), func.count())
        .where(where)
        .group_by(TurnRecord.channel)
        .order_by(TurnRecord.channel)
    )
    return [
        ChannelCount(channel=channel, conversations=conversations, turns=turns)
        for channel, conversations, turns in await connection.execute(query)
    ]
