"""The log's database stops in the middle of a load (a real PostgreSQL, a real server process):
every turn is answered, and every record is written once the database is back, none twice."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.support import API_KEY_HEADERS, MINI_BOT, PostgresServer, ServerProcess, wait_until

pytestmark = pytest.mark.e2e  # a causette server and a PostgreSQL server of the test's own

KEY = "cle-du-journal-de-test"
VISITORS = 4
TURNS_EACH = 100
TEXTS = ("bonjour", "vous ouvrez à quelle heure ?", "je voudrais louer un scooter", "mon numéro : 06 12 34 56 78")


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL server: this test stops and restarts it."""
    server = PostgresServer()
    server.start()
    yield server
    server.remove()


def query(url: str, sql: str) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        connection = await asyncpg.connect(url.replace("postgresql://", "postgres://"))
        try:
            return list(await connection.fetch(sql))
        finally:
            await connection.close()

    return asyncio.run(run())


def test_database_stopped_mid_load_no_failed_turn_records_written_after_once(
    postgres: PostgresServer, mini_model_dir: Path
) -> None:
    env = {
        "CAUSETTE_DATABASE_URL": postgres.url,
        "CAUSETTE_ADMIN_KEY": KEY,
        "CAUSETTE_LOG_RETRY_SECONDS": "0.2",
        "CAUSETTE_LOG_BATCH_SIZE": "20",
    }
    server = ServerProcess(MINI_BOT, mini_model_dir, env=env)
    answered: list[int] = []
    failures: list[str] = []
    # Each visitor sends half its turns, then waits until the database is down to send the rest:
    # half the load, whatever the machine's speed, meets a stopped database.
    database_down = threading.Event()

    def visitor(number: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30, headers=API_KEY_HEADERS) as client:
            for turn in range(TURNS_EACH):
                if turn == TURNS_EACH // 2:
                    database_down.wait(timeout=120)
                reply = client.post(
                    f"/api/v1/conversations/visiteur-{number}/messages", json={"text": TEXTS[turn % len(TEXTS)]}
                )
                if reply.status_code != 200:
                    failures.append(f"{reply.status_code} {reply.text}")
                answered.append(1)

    def status() -> dict[str, object]:
        reply = httpx.get(f"{server.url}/api/v1/conversation-log", headers={"Authorization": f"Bearer {KEY}"})
        return dict(reply.json())

    try:
        visitors = [threading.Thread(target=visitor, args=(number,)) for number in range(VISITORS)]
        for thread in visitors:
            thread.start()
        half = VISITORS * TURNS_EACH // 2
        wait_until(lambda: len(answered) >= half, what="half the turns answered")
        postgres.stop()
        database_down.set()
        wait_until(lambda: len(answered) >= half + 150, what="150 turns answered with the database down")
        down = status()
        postgres.start()
        for thread in visitors:
            thread.join()
        wait_until(lambda: status()["written"] == VISITORS * TURNS_EACH, what="every record written")
        final = status()
    finally:
        server.stop()
    assert failures == []
    assert len(answered) == VISITORS * TURNS_EACH
    assert down["database_up"] is False and int(down["pending"]) > 0  # type: ignore[call-overload]
    assert (final["dropped"], final["pending"], final["database_up"]) == (0, 0, True)
    [counts] = query(
        postgres.url,
        "SELECT count(*) AS rows, count(DISTINCT event_id) AS events, "
        "count(DISTINCT (conversation_id, turn_number)) AS turns FROM turns",
    )
    assert (counts["rows"], counts["events"], counts["turns"]) == (400, 400, 400)
    numbers = query(
        postgres.url, "SELECT conversation_id, array_agg(turn_number ORDER BY id) AS numbers FROM turns GROUP BY 1"
    )
    assert {row["conversation_id"]: list(row["numbers"]) for row in numbers} == {
        f"bench.visiteur-{number}": list(range(1, TURNS_EACH + 1))
        for number in range(VISITORS)  # the key's ids
    }
    texts = query(postgres.url, "SELECT DISTINCT text FROM turns ORDER BY text")
    assert "mon numéro : <TELEPHONE>" in [row["text"] for row in texts]
