"""The log in its database, on SQLite and on a real PostgreSQL: migrations, the writer, erasure and
export, the retention purge with a fixed clock, and the analytics' figures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, insert, inspect, select, text

from conversation_log import LogDatabase, LogWriter, Masker, analytics, erase_conversation, export_conversation, purge
from conversation_log.models import ActionCallRecord, HandoffRecord, TurnRecord
from conversation_log.retention import purge_periodically
from dialogue.recording import ActionCallEvent, HandoffEvent, TurnEvent
from nlu.config import PrivacyConfig
from tests.support import free_port

BOT = "Mini scooters"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def turn(
    conversation: str,
    number: int,
    text: str = "bonjour",
    intent: str | None = "salutation",
    probability: float = 0.9,
    at: datetime = NOW,
    channel: str = "rest",
) -> TurnEvent:
    return TurnEvent(
        at=at.timestamp(),
        bot=BOT,
        session_id=conversation,
        channel=channel,
        turn_number=number,
        text=text,
        parse={"input": text, "intent": {"intentName": intent, "probability": probability}, "slots": []},
        intent=intent,
        probability=probability,
        fallback=intent is None,
        reply={"responses": [f"réponse à {text}"]},
        model_hash="cafe",
        latency_ms=1.5,
    )


@pytest.fixture
async def database(log_url: str) -> AsyncIterator[LogDatabase]:
    database = LogDatabase(log_url)
    await database.migrate()
    yield database
    await database.dispose()


async def write(database: LogDatabase, *events: TurnEvent | ActionCallEvent | HandoffEvent) -> LogWriter:
    writer = LogWriter(database, Masker(), batch_size=7)
    writer.start()
    for event in events:
        writer.record(event)
    await writer.flushed()
    await writer.close()
    return writer


async def count(database: LogDatabase, table: type[TurnRecord] | type[ActionCallRecord] | type[HandoffRecord]) -> int:
    async with database.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_log_made_by_the_first_version_is_upgraded_with_its_rows(log_url: str) -> None:
    database = LogDatabase(log_url)
    await database.migrate("0001")
    async with database.engine.connect() as connection:
        assert await connection.run_sync(lambda sync: inspect(sync).get_table_names()) == ["alembic_version", "turns"]
    async with database.engine.begin() as connection:  # as the first version wrote them
        await connection.execute(insert(TurnRecord), [old_row(number) for number in range(3)])
    await database.migrate()
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert {"turns", "action_calls", "handoff_events", "erasures"} <= tables
    assert version == "0003"
    await write(
        database,
        turn("new", 1),
        ActionCallEvent(at=NOW.timestamp(), bot=BOT, session_id="new", name="stock", duration_ms=3, outcome="ok"),
    )
    exported = await export_conversation(database, BOT, "old")
    assert [row["text"] for row in exported["turns"]] == ["ancien 0", "ancien 1", "ancien 2"]
    assert await count(database, TurnRecord) == 4
    assert await count(database, ActionCallRecord) == 1
    await database.dispose()


def old_row(number: int) -> dict[str, object]:
    """A turn row as the first version wrote it."""
    return {
        "event_id": f"old{number}",
        "at": NOW,
        "day": NOW.date(),
        "bot": BOT,
        "conversation_id": "old",
        "channel": "rest",
        "turn_number": number + 1,
        "text": f"ancien {number}",
        "parse": None,
        "intent": "salutation",
        "probability": 0.8,
        "fallback": False,
        "reply": None,
        "model_hash": "old",
        "latency_ms": 2.0,
    }


async def test_the_writer_stores_every_event_once_in_order_and_masked(database: LogDatabase) -> None:
    events = [turn(f"c{n % 3}", n // 3 + 1, text=f"message {n}, rappelez le 06 12 34 56 78") for n in range(60)]
    writer = await write(database, *events)
    assert (writer.counters.written, writer.counters.dropped) == (60, 0)
    async with database.engine.connect() as connection:
        rows = (await connection.execute(select(TurnRecord).order_by(TurnRecord.id))).all()
    assert [row.text for row in rows] == [f"message {n}, rappelez le <TELEPHONE>" for n in range(60)]
    assert all("06 12" not in str(row.parse) + str(row.reply) for row in rows)
    assert rows[0].at.replace(tzinfo=UTC) == NOW and rows[0].day == NOW.date()


async def test_a_batch_written_twice_is_stored_once(database: LogDatabase) -> None:
    rows = [old_row(number) for number in range(5)]
    await database.insert({TurnRecord: rows})
    await database.insert({TurnRecord: rows})  # a retry after a reply lost on the way back
    assert await count(database, TurnRecord) == 5


async def test_erase_and_export_one_conversation_among_many(database: LogDatabase) -> None:
    events: list[TurnEvent | ActionCallEvent | HandoffEvent] = [
        turn(f"visitor-{c}", n, text=f"je suis visitor-{c}, mail v{c}@exemple.fr") for c in range(20) for n in (1, 2, 3)
    ]
    events += [
        ActionCallEvent(at=NOW.timestamp(), bot=BOT, session_id="visitor-7", name="stock", duration_ms=5, outcome="ok"),
        HandoffEvent(
            at=NOW.timestamp(), bot=BOT, session_id="visitor-7", kind="requested", detail={"note": "06 12 34 56 78"}
        ),
        turn("visitor-8", 4),
    ]
    await write(database, *events)
    exported = await export_conversation(database, BOT, "visitor-7")
    assert [row["turn_number"] for row in exported["turns"]] == [1, 2, 3]
    assert {row["conversation_id"] for row in exported["turns"]} == {"visitor-7"}
    assert exported["turns"][0]["text"] == "je suis visitor-7, mail <EMAIL>"
    assert [row["name"] for row in exported["action_calls"]] == ["stock"]
    assert exported["handoff_events"][0]["detail"] == {"note": "<TELEPHONE>"}
    assert await erase_conversation(database, None, BOT, "visitor-7") == 5
    assert await export_conversation(database, BOT, "visitor-7") == {
        "turns": [],
        "action_calls": [],
        "handoff_events": [],
    }
    assert await count(database, TurnRecord) == 19 * 3 + 1
    assert len((await export_conversation(database, BOT, "visitor-8"))["turns"]) == 4


async def test_erasing_drops_the_events_still_waiting_to_be_written(database: LogDatabase) -> None:
    writer = LogWriter(database, Masker())
    for number in (1, 2):
        writer.record(turn("leaving", number))
        writer.record(turn("staying", number))
    assert await erase_conversation(database, writer, BOT, "leaving") == 2
    writer.start()
    await writer.flushed()
    await writer.close()
    assert (await export_conversation(database, BOT, "leaving"))["turns"] == []
    assert len((await export_conversation(database, BOT, "staying"))["turns"]) == 2


async def test_events_another_process_buffered_before_an_erasure_are_not_written_after_it(
    database: LogDatabase,
) -> None:
    other_process = LogWriter(database, Masker())  # its buffer is out of this process's reach
    other_process.record(turn("leaving", 1, at=NOW - timedelta(seconds=1)))
    other_process.record(turn("staying", 1, at=NOW - timedelta(seconds=1)))
    await erase_conversation(database, None, BOT, "leaving", now=NOW)
    other_process.record(turn("leaving", 2, at=NOW + timedelta(seconds=1)))  # the visitor came back after
    other_process.start()
    await other_process.flushed()
    await other_process.close()
    assert [row["turn_number"] for row in (await export_conversation(database, BOT, "leaving"))["turns"]] == [2]
    assert len((await export_conversation(database, BOT, "staying"))["turns"]) == 1


async def test_the_purge_empties_old_texts_then_deletes_old_rows(database: LogDatabase) -> None:
    ages = {"today": 0, "last-week": 7, "two-months": 60, "last-year": 400}
    await write(
        database, *(turn(name, 1, text=f"texte {name}", at=NOW - timedelta(days=days)) for name, days in ages.items())
    )
    await write(
        database,
        ActionCallEvent(
            at=(NOW - timedelta(days=400)).timestamp(),
            bot=BOT,
            session_id="last-year",
            name="a",
            duration_ms=1,
            outcome="ok",
        ),
    )
    result = await purge(database, BOT, PrivacyConfig(texts_days=30, records_days=396), now=NOW)
    assert (result.texts_emptied, result.rows_deleted) == (1, 2)  # two-months' texts; last year's turn and call
    texts = {}
    for name in ages:
        rows = (await export_conversation(database, BOT, name))["turns"]
        texts[name] = rows[0]["text"] if rows else "deleted"
    assert texts == {"today": "texte today", "last-week": "texte last-week", "two-months": None, "last-year": "deleted"}
    two_months = (await export_conversation(database, BOT, "two-months"))["turns"][0]
    assert (two_months["parse"], two_months["reply"], two_months["intent"]) == (None, None, "salutation")
    assert await purge(database, BOT, PrivacyConfig(texts_days=30, records_days=396), now=NOW) == type(result)(0, 0)


async def test_the_purge_runs_by_itself(database: LogDatabase) -> None:
    await write(database, turn("old", 1, at=NOW - timedelta(days=31)))
    clock_calls: list[datetime] = []

    def clock() -> datetime:
        clock_calls.append(NOW)
        return NOW

    purging = asyncio.create_task(purge_periodically(database, BOT, PrivacyConfig(texts_days=30), 0.05, clock))
    try:
        while len(clock_calls) < 2:  # at least two rounds: it repeats without being asked
            await asyncio.sleep(0.01)
    finally:
        purging.cancel()
    assert (await export_conversation(database, BOT, "old"))["turns"][0]["text"] is None


async def test_analytics_figures(database: LogDatabase) -> None:
    yesterday = NOW - timedelta(days=1)
    await write(
        database,
        # a: ends well; b: falls back last; c: handed off; d (yesterday, websocket): ends well after a fallback
        turn("a", 1, intent="horaires", probability=0.9),
        turn("a", 2, intent="location", probability=0.8),
        turn("b", 1, intent="horaires", probability=0.7),
        turn("b", 2, intent=None, probability=0.1),
        turn("c", 1, intent="location", probability=0.6),
        turn("d", 1, intent=None, probability=0.2, at=yesterday, channel="websocket"),
        turn("d", 2, intent="horaires", probability=0.95, at=yesterday, channel="websocket"),
        HandoffEvent(at=NOW.timestamp(), bot=BOT, session_id="c", kind="requested"),
        ActionCallEvent(at=NOW.timestamp(), bot=BOT, session_id="a", name="stock", duration_ms=5, outcome="ok"),
        ActionCallEvent(at=NOW.timestamp(), bot=BOT, session_id="a", name="stock", duration_ms=5000, outcome="timeout"),
    )
    figures = await analytics(database, BOT)
    assert (figures.conversations, figures.messages) == (4, 7)
    assert figures.fallback_rate == pytest.approx(2 / 7)
    assert figures.handoff_rate == pytest.approx(1 / 4)
    assert (figures.action_calls, figures.action_failures) == (2, 1)
    assert figures.median_confidence == pytest.approx(0.7)
    assert figures.ended_without_fallback_or_handoff == pytest.approx(2 / 4)  # a and d
    assert [(item.intent, item.turns) for item in figures.top_intents] == [("horaires", 3), ("location", 2)]
    assert [(day.day, day.turns, day.fallbacks, day.intents) for day in figures.per_day] == [
        (yesterday.date(), 2, 1, {"horaires": 1}),
        (NOW.date(), 5, 1, {"horaires": 2, "location": 2}),
    ]
    assert [(c.channel, c.conversations, c.turns) for c in figures.per_channel] == [("rest", 3, 5), ("websocket", 1, 2)]
    today = await analytics(database, BOT, since=NOW.date())
    assert (today.conversations, today.messages) == (3, 5)
    assert today.median_confidence == pytest.approx(0.7)
    assert (await analytics(database, "another bot")).messages == 0
    assert (await analytics(database, BOT, since=date(2030, 1, 1))).median_confidence is None


async def test_a_full_buffer_drops_new_events_counts_them_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    writer = LogWriter(LogDatabase("sqlite:///unused.sqlite3"), Masker(), bound=5)  # never started: nothing drains
    with caplog.at_level(logging.WARNING, "causette.conversation_log"):
        for number in range(8):
            writer.record(turn("busy", number))
    assert (writer.pending, writer.counters.dropped, writer.counters.recorded) == (5, 3, 5)
    assert "buffer full" in caplog.text


async def test_a_database_that_never_answers_costs_the_buffer_at_shutdown_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nobody = LogDatabase(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing")  # refused at once
    writer = LogWriter(nobody, Masker(), retry_seconds=0.05)
    writer.start()
    with caplog.at_level(logging.WARNING, "causette.conversation_log"):
        for number in range(3):
            writer.record(turn("lost", number))
        while writer.counters.failed_writes < 2:  # it keeps trying
            await asyncio.sleep(0.01)
        assert (writer.counters.database_up, writer.pending) == (False, 3)
        await writer.close(flush_seconds=0.2)
    await nobody.dispose()
    assert (writer.counters.dropped, writer.counters.written, writer.pending) == (3, 0, 0)
    assert "database unreachable" in caplog.text and "3 event(s) not written at shutdown" in caplog.text
