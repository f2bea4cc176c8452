"""One behaviour for every session store: the same tests run on the memory store and on Redis."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from dialogue import ActiveContext, HistoryEntry, MemoryStore, RedisStore, Session, SessionStore, SlotValue

TTL = 600.0


def custom(value: str) -> SlotValue:
    """A slot value as a custom entity gives it."""
    return SlotValue(entity="ville", raw_value=value, value={"kind": "Custom", "value": value}, text=value)


NANTES, BREST = custom("Nantes"), custom("Brest")


class FakeClock:
    """A clock the test moves by hand, so that expiry needs no waiting."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class StoreKit:
    """Opens stores on one set of data: each ``open()`` is what one more server process would use."""

    clock: FakeClock
    open: Callable[[], SessionStore]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.e2e)])
async def kit(request: pytest.FixtureRequest) -> AsyncIterator[StoreKit]:
    clock = FakeClock()
    if request.param == "memory":
        # One process, one memory: every "process" of the kit shares the one store.
        memory = MemoryStore(TTL, clock=clock)
        yield StoreKit(clock, lambda: memory)
        return
    url = request.getfixturevalue("redis_server").url
    prefix = f"test-{uuid.uuid4().hex}"  # tests share the server, not their keys
    opened: list[RedisStore] = []

    def open_redis() -> SessionStore:
        opened.append(RedisStore.from_url(url, TTL, prefix=prefix, lock_seconds=30, wait_seconds=10, clock=clock))
        return opened[-1]

    yield StoreKit(clock, open_redis)
    for store in opened:
        await store.close()


async def test_unknown_session_is_none(kit: StoreKit) -> None:
    assert await kit.open().get("nobody") is None


async def test_a_turn_creates_saves_and_loads_the_session(kit: StoreKit) -> None:
    store = kit.open()
    async with store.transaction("s1") as session:
        assert session.turns == 0 and session.new_history == []
        session.turns += 1
        session.slots["ville"] = NANTES
        session.contexts.append(ActiveContext(name="jourlocation", turns_left=3, expires_at=2e6))
    kit.clock.advance(5)
    async with kit.open().transaction("s1") as session:
        assert session.turns == 1
        assert session.slots == {"ville": NANTES}
        assert session.context_names == ["jourlocation"]
        session.turns += 1
    stored = await kit.open().get("s1")
    assert stored is not None and stored.turns == 2
    assert stored.updated_at == stored.created_at + 5


async def test_a_session_expires_ttl_after_its_last_turn(kit: StoreKit) -> None:
    store = kit.open()
    for _ in range(3):  # each turn pushes the expiry back
        async with store.transaction("s1") as session:
            session.turns += 1
        kit.clock.advance(TTL * 0.6)
    stored = await store.get("s1")
    assert stored is not None and stored.turns == 3
    kit.clock.advance(TTL * 0.6)
    assert await store.get("s1") is None
    async with store.transaction("s1") as session:
        assert session.turns == 0, "an expired session starts again from nothing"


async def test_a_failed_turn_changes_nothing(kit: StoreKit) -> None:
    store = kit.open()
    async with store.transaction("s1") as session:
        session.turns = 1
        session.slots["a"] = NANTES
    with pytest.raises(RuntimeError):
        async with store.transaction("s1") as session:
            session.turns = 99
            session.slots["a"] = BREST
            session.contexts.append(ActiveContext(name="x", turns_left=1, expires_at=2e6))
            raise RuntimeError("the engine failed half-way")
    stored = await store.get("s1")
    assert stored is not None and (stored.turns, stored.slots, stored.contexts) == (1, {"a": NANTES}, [])
    async with kit.open().transaction("s1") as session:  # and the session is not left locked
        assert session.turns == 1


async def test_concurrent_turns_are_applied_one_after_the_other(kit: StoreKit) -> None:
    stores = [kit.open(), kit.open()]

    async def turn(number: int) -> None:
        async with stores[number % 2].transaction("shared") as session:
            seen = session.turns
            await asyncio.sleep(0)  # let every other turn try to get in now
            session.turns = seen + 1
            session.add_history([HistoryEntry(role="user", text=f"message {number}", at=kit.clock())])

    await asyncio.gather(*(turn(n) for n in range(50)))
    stored = await kit.open().get("shared")
    assert stored is not None and stored.turns == 50
    history = await kit.open().history("shared")
    assert history is not None
    assert sorted(entry.text for entry in history) == sorted(f"message {n}" for n in range(50))


async def test_delete_forgets_the_session(kit: StoreKit) -> None:
    store = kit.open()
    async with store.transaction("s1") as session:
        session.turns = 4
        session.add_history([HistoryEntry(role="user", text="bonjour", at=kit.clock())])
    await store.delete("s1")
    assert await kit.open().get("s1") is None
    assert await kit.open().history("s1") is None
    await store.delete("s1")  # deleting what is not there is fine
    async with store.transaction("s1") as session:
        assert session.turns == 0


async def test_history_is_kept_in_order_with_its_details(kit: StoreKit) -> None:
    store = kit.open()
    for number in range(3):
        async with store.transaction("s1") as session:
            session.add_history(
                [
                    HistoryEntry(role="user", text=f"question {number}", at=kit.clock()),
                    HistoryEntry(
                        role="bot",
                        text=f"réponse {number} é",
                        at=kit.clock(),
                        intent="location",
                        quick_replies=["aujourd'hui", "plus tard"],
                    ),
                ]
            )
        kit.clock.advance(1)
    history = await kit.open().history("s1")
    assert history is not None
    assert [entry.text for entry in history] == [
        "question 0",
        "réponse 0 é",
        "question 1",
        "réponse 1 é",
        "question 2",
        "réponse 2 é",
    ]
    assert history[1].intent == "location" and history[1].quick_replies == ["aujourd'hui", "plus tard"]
    assert [entry.at for entry in history[::2]] == [1_000_000.0, 1_000_001.0, 1_000_002.0]


async def test_history_keeps_its_last_messages_and_expires_with_the_session(kit: StoreKit) -> None:
    store = kit.open()
    assert await store.history("s1") is None
    for number in range(5):
        async with store.transaction("s1") as session:
            session.add_history([HistoryEntry(role="user", text=f"message {number}", at=kit.clock())], limit=3)
    history = await kit.open().history("s1")
    assert history is not None and [entry.text for entry in history] == ["message 2", "message 3", "message 4"]
    last = await kit.open().history("s1", last=2)  # what an action request carries
    assert last is not None and [entry.text for entry in last] == ["message 3", "message 4"]
    assert len(await kit.open().history("s1", last=10) or []) == 3
    async with store.transaction("s1") as session:  # a turn without messages keeps the history
        session.turns += 1
    assert len(await kit.open().history("s1") or []) == 3
    kit.clock.advance(TTL + 1)
    assert await kit.open().history("s1") is None
    async with store.transaction("s1") as session:
        session.add_history([HistoryEntry(role="user", text="de retour", at=kit.clock())], limit=3)
    history = await kit.open().history("s1")
    assert history is not None and [entry.text for entry in history] == ["de retour"], "an expired history is gone"


def test_slot_values_keep_the_seed_json_shape_sessions_were_stored_in() -> None:
    stored = {
        "id": "s1",
        "slots": {
            "ville": {
                "entity": "ville",
                "rawValue": "nantes",
                "value": {"kind": "Custom", "value": "Nantes"},
                "text": "Nantes",
            }
        },
        "created_at": 1.0,
        "updated_at": 2.0,
    }
    session = Session.model_validate(stored)
    assert session.slots["ville"].raw_value == "nantes" and session.slots["ville"].text == "Nantes"
    assert session.model_dump()["slots"] == stored["slots"]
