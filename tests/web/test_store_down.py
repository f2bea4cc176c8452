"""An unreachable session store turns into error frames: the socket stays open and usable."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

import channels.server.app
from channels import Settings, create_app
from dialogue import HistoryEntry, MemoryStore, Session, SessionStore, StoreUnavailable
from nlu import BotConfig
from tests.web.support import ThreadedServer, open_socket, receive, send

pytestmark = pytest.mark.e2e  # a real server on a port (uvicorn in a thread)


class DownStore(MemoryStore):
    """A store whose backend cannot be reached, as the Redis store is while Redis is down."""

    @asynccontextmanager
    async def transaction(self, session_id: str) -> AsyncIterator[Session]:
        raise StoreUnavailable("connection refused")
        yield  # never reached: the yield makes this the generator asynccontextmanager wraps

    async def get(self, session_id: str) -> Session | None:
        raise StoreUnavailable("connection refused")

    async def history(self, session_id: str, last: int | None = None) -> list[HistoryEntry] | None:
        raise StoreUnavailable("connection refused")


@pytest.fixture
def store_down_server(
    scooter_bot: Path, scooter_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ThreadedServer]:
    def down_store(settings: Settings, config: BotConfig) -> SessionStore:
        return DownStore(ttl_seconds=config.session_ttl_seconds)

    monkeypatch.setattr(channels.server.app, "build_store", down_store)  # where a Redis store plugs in
    with ThreadedServer(create_app(scooter_bot, Settings(model_dir=scooter_model_dir))) as server:
        yield server


async def test_an_unreachable_store_gives_error_frames_on_an_open_socket(store_down_server: ThreadedServer) -> None:
    async with open_socket(store_down_server) as ws:
        assert (await receive(ws))["type"] == "welcome"
        no_history = await receive(ws)
        assert (no_history["type"], no_history["code"]) == ("error", "store_unavailable")

        await send(ws, {"type": "message", "text": "je voudrais louer un scooter", "id": "m1"})
        assert await receive(ws) == {"type": "typing", "active": True}
        failed = await receive(ws)
        assert (failed["code"], failed["reply_to"]) == ("store_unavailable", "m1")
        assert await receive(ws) == {"type": "typing", "active": False}

        await send(ws, {"type": "ping"})
        assert await receive(ws) == {"type": "pong"}
