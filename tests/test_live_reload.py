"""Live reload on a real `causette serve --watch` process, under a steady stream of requests."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from channels import Settings, create_app
from tests.support import API_KEY_HEADERS, BOT_DATA, MINI_BOT, ServerProcess

pytestmark = pytest.mark.e2e  # real server processes

ADMIN_KEY = "test-admin-key-0123"
OLD_HOURS = "On est ouvert tous les jours de 9h du matin à 19h"
NEW_HOURS = "Nouveaux horaires : de 10h à 18h, tous les jours."
PATIENCE = 180  # seconds; generous: training shares two cores with the rest of the suite


@dataclass
class Watched:
    server: ServerProcess
    bot: Path
    model_dir: Path

    @property
    def intents_file(self) -> Path:
        return self.bot / "intents.json"

    def model(self) -> dict[str, Any]:
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}  # the details (last_error) need the key
        model: dict[str, Any] = httpx.get(f"{self.server.url}/api/v1/model", headers=admin).json()
        return model


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory, mini_model_dir: Path) -> Iterator[Watched]:
    """A copy of the mini bot and of its trained model, served with --watch and an admin key."""
    root = tmp_path_factory.mktemp("watched")
    bot, model_dir = root / "bot", root / "model"
    shutil.copytree(MINI_BOT, bot, ignore=BOT_DATA)
    shutil.copytree(mini_model_dir, model_dir)
    server = ServerProcess(bot, model_dir, env={"CAUSETTE_ADMIN_KEY": ADMIN_KEY}, args=("--watch",))
    yield Watched(server, bot, model_dir)
    server.stop()


@dataclass
class Load:
    """Conversations played without pause by several clients, and what went wrong in them."""

    client: httpx.AsyncClient
    failures: list[str] = field(default_factory=list)
    lost_context: list[str] = field(default_factory=list)
    conversations: int = 0

    async def say(self, session: str, text: str) -> dict[str, Any] | None:
        try:
            reply = await self.client.post(f"/api/v1/conversations/{session}/messages", json={"text": text})
        except httpx.HTTPError as error:
            self.failures.append(f"{session}: {error!r}")
            return None
        if reply.status_code != 200:
            self.failures.append(f"{session}: {reply.status_code} {reply.text}")
            return None
        turn: dict[str, Any] = reply.json()
        return turn

    async def seed_conversations(self, worker: int, stop: asyncio.Event) -> None:
        """The seed's two turns, over and over: the second needs the context the first set."""
        while not stop.is_set():
            session = f"load-{worker}-{self.conversations}"
            self.conversations += 1
            await self.say(session, "je voudrais louer un scooter")
            second = await self.say(session, "pour aujourd'hui")
            if second is not None and (second["intent"] or {}).get("name") != "aujourd'hui":
                self.lost_context.append(session)

    async def hours(self) -> list[str]:
        turn = await self.say("hours", "vous ouvrez à quelle heure ?")
        return turn["responses"] if turn else []


async def wait_for(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not await condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        await asyncio.sleep(0.2)


async def test_an_edit_changes_the_answers_under_load_without_failures(watched: Watched) -> None:
    old_hash = watched.model()["content_hash"]
    async with httpx.AsyncClient(headers=API_KEY_HEADERS, base_url=watched.server.url, timeout=60) as client:
        load = Load(client)
        assert await load.hours() == [OLD_HOURS]
        straddling = await load.say("straddling", "je voudrais louer un scooter")
        assert straddling is not None and straddling["contexts"] == ["jourlocation"]
        stop = asyncio.Event()
        workers = [asyncio.create_task(load.seed_conversations(n, stop)) for n in range(6)]
        await asyncio.sleep(0.5)
        watched.intents_file.write_text(
            watched.intents_file.read_text(encoding="utf-8").replace(OLD_HOURS, NEW_HOURS), encoding="utf-8"
        )

        async def new_answer_served() -> bool:
            return await load.hours() == [NEW_HOURS]

        await wait_for(new_answer_served, "the edited response")
        before_swap = load.conversations
        await wait_for(lambda: _more_than(load, before_swap + 12), "conversations after the swap")
        stop.set()
        await asyncio.gather(*workers)
        # Started on the old model, finished on the new one: the context survived the swap.
        finished = await load.say("straddling", "pour aujourd'hui")
    assert load.failures == []
    assert load.lost_context == []
    assert finished is not None and finished["intent"]["name"] == "aujourd'hui"
    model = watched.model()
    assert model["content_hash"] != old_hash
    assert model["last_reload"]["status"] == "reloaded" and model["last_error"] is None
    saved = json.loads((watched.model_dir / "causette-model.json").read_text(encoding="utf-8"))
    assert saved["content_hash"] == model["content_hash"]


async def _more_than(load: Load, count: int) -> bool:
    return load.conversations > count


async def test_a_broken_edit_keeps_the_old_model_and_shows_the_error(watched: Watched) -> None:
    good = watched.intents_file.read_text(encoding="utf-8")
    serving = watched.model()["content_hash"]
    hours_before = _hours(watched)
    broken = good.replace('"responses": ["Vous pouvez réserver en ligne pour une date ultérieure."]', '"responses": []')
    assert broken != good
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if '"responses": []' in text)
    watched.intents_file.write_text(broken, encoding="utf-8")

    async def error_shown() -> bool:
        return watched.model()["last_error"] is not None

    await wait_for(error_shown, "the error at GET /api/v1/model")
    model = watched.model()
    assert model["content_hash"] == serving
    [problem] = model["last_error"]["problems"]
    assert (problem["file"], problem["line"]) == ("intents.json", line)
    assert "responses" in problem["message"]
    assert _hours(watched) == hours_before
    watched.intents_file.write_text(good, encoding="utf-8")

    async def error_cleared() -> bool:
        return watched.model()["last_error"] is None

    await wait_for(error_cleared, "the fix to clear the error")
    assert watched.model()["content_hash"] == serving


def test_reload_endpoint_needs_the_admin_key(watched: Watched) -> None:
    url = f"{watched.server.url}/api/v1/model/reload"
    assert httpx.post(url).status_code == 401
    assert httpx.post(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
    reply = httpx.post(url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=PATIENCE)
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "unchanged"


async def test_reload_endpoint_is_disabled_without_an_admin_key(mini_model_dir: Path) -> None:
    app = create_app(MINI_BOT, Settings(model_dir=mini_model_dir, admin_key=None))
    async with httpx.AsyncClient(
        headers=API_KEY_HEADERS, transport=httpx.ASGITransport(app=app), base_url="http://localhost"
    ) as client:
        reply = await client.post("/api/v1/model/reload", headers={"Authorization": "Bearer anything"})
    assert reply.status_code == 403
    assert "disabled" in reply.json()["detail"]


async def test_reloads_are_coalesced(tmp_path: Path, mini_model_dir: Path) -> None:
    """Five requests during one reload give two reloads, one after the other."""
    bot, model_dir = tmp_path / "bot", tmp_path / "model"
    shutil.copytree(MINI_BOT, bot, ignore=BOT_DATA)
    shutil.copytree(mini_model_dir, model_dir)
    app = create_app(bot, Settings(model_dir=model_dir, admin_key=SecretStr(ADMIN_KEY)))
    reloader = app.state.services.reloader
    (bot / "intents.json").write_text((bot / "intents.json").read_text().replace(OLD_HOURS, NEW_HOURS))

    first = reloader.request()
    await asyncio.sleep(0)  # the first reload has started
    rest = [reloader.request() for _ in range(4)]
    try:
        first, *rest = await asyncio.gather(first, *rest)
    finally:
        await reloader.close()
    assert first.status == "reloaded"
    assert {r.started_at for r in rest} == {rest[0].started_at} and rest[0].started_at > first.started_at
    assert rest[0].status == "unchanged"


def _hours(watched: Watched) -> list[str]:
    reply = httpx.post(
        f"{watched.server.url}/api/v1/conversations/hours-check/messages",
        json={"text": "vous ouvrez à quelle heure ?"},
        headers=API_KEY_HEADERS,
    )
    assert reply.status_code == 200
    responses: list[str] = reply.json()["responses"]
    return responses
