"""One model for every process: servers sharing a real Redis follow what is published anywhere.

Two `causette serve` processes (A and B, each with its own copy of the bot, as on two machines)
share a redis-server. `causette train --publish` run as a third command publishes an edited bot:
both serve it, while conversations go on without a failed request; `causette model rollback`
puts the previous version back everywhere; a process started afterwards serves the current
version, not its own folder's; a version whose bytes were altered in Redis is refused.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from channels.server.model_registry import ModelRegistry
from channels.server.model_sync import SharedModels
from channels.server.settings import Settings
from dialogue import Brain, BrainHolder
from nlu import Model, ModelError, load_bot
from nlu.bundle import Bundle, pack
from tests.support import API_KEY_HEADERS, BOT_DATA, MINI_BOT, RedisServer, ServerProcess, run_cli

pytestmark = pytest.mark.e2e  # real server processes, a real redis-server, the CLI

OLD_HOURS = "On est ouvert tous les jours de 9h du matin à 19h"
NEW_HOURS = "Nouveaux horaires : de 10h à 18h, tous les jours."
ADMIN_HOURS = "Horaires d'été : de 8h à 20h."
HOURS = "vous ouvrez à quelle heure ?"
ADMIN_KEY = "test-admin-key-0123"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
PATIENCE = 180  # seconds; generous: the suite shares two cores (the bench measures the real delay)


@dataclass
class Cluster:
    redis: RedisServer
    root: Path
    servers: list[ServerProcess]
    env: dict[str, str]
    old_hash: str
    new_bot: Path
    new_model: Path

    @property
    def new_hash(self) -> str:
        return load_bot(self.new_bot).dataset.content_hash

    def cli(self, *args: str | Path) -> str:
        """``causette ARGS --redis-url URL``: its output; the command must succeed."""
        done = run_cli(*args, "--redis-url", self.redis.url)
        assert done.returncode == 0, done.stderr
        return done.stdout


def copy_bot(source: Path, target: Path, hours: str = OLD_HOURS) -> Path:
    shutil.copytree(source, target, ignore=BOT_DATA)
    edit_hours(target, hours)
    return target


def edit_hours(bot: Path, hours: str) -> None:
    intents = bot / "intents.json"
    text = intents.read_text(encoding="utf-8")
    for old in (OLD_HOURS, NEW_HOURS, ADMIN_HOURS):
        text = text.replace(old, hours)
    intents.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, mini_model_dir: Path) -> Iterator[Cluster]:
    """Servers A and B on one Redis, each with its own bot folder and model; nothing published yet."""
    root = tmp_path_factory.mktemp("publish")
    redis = RedisServer(root / "redis")
    redis.start()
    # Redis may wait 5 s (default 1 s) before a turn answers 503: up to eight test runs share this
    # machine's two cores, and a starved process misses a 1 s deadline whatever model it serves.
    # bench.model_publish keeps the default and counts failed turns.
    env = {"CAUSETTE_REDIS_URL": redis.url, "CAUSETTE_ADMIN_KEY": ADMIN_KEY, "CAUSETTE_REDIS_TIMEOUT_SECONDS": "5"}
    servers = []
    for name in ("a", "b"):
        bot = copy_bot(MINI_BOT, root / f"bot-{name}")
        shutil.copytree(mini_model_dir, root / f"model-{name}")
        servers.append(ServerProcess(bot, root / f"model-{name}", env))
    new_bot = copy_bot(MINI_BOT, root / "bot-new", NEW_HOURS)
    old_hash = load_bot(MINI_BOT).dataset.content_hash
    yield Cluster(redis, root, servers, env, old_hash, new_bot, root / "model-new")
    for server in servers:
        server.stop()
    redis.stop()


@dataclass
class Load:
    """Turns sent without pause to every server, and any that failed."""

    servers: list[ServerProcess]
    failures: list[str] = field(default_factory=list)
    turns: int = 0

    async def run(self, client: httpx.AsyncClient, worker: int, stop: asyncio.Event) -> None:
        while not stop.is_set():
            server = self.servers[self.turns % len(self.servers)]
            session = f"load-{worker}-{self.turns}"
            self.turns += 1
            for text in ("je voudrais louer un scooter", "pour aujourd'hui"):
                try:
                    reply = await client.post(
                        f"{server.url}/api/v1/conversations/{session}/messages", json={"text": text}
                    )
                except httpx.HTTPError as error:
                    self.failures.append(f"{time.time():.1f} {server.url}: {error!r}")
                    continue
                if reply.status_code != 200:
                    self.failures.append(f"{time.time():.1f} {server.url}: {reply.status_code} {reply.text}")


async def under_load(servers: list[ServerProcess], change: Callable[[], Awaitable[None]]) -> Load:
    """Run ``change`` while four clients talk to every server; the load, once it has stopped."""
    load = Load(servers)
    stop = asyncio.Event()
    # Idle connections are dropped before uvicorn's keep-alive (5 s) closes them: a request sent on
    # a connection the server is closing at that moment fails whatever the server serves.
    async with httpx.AsyncClient(
        timeout=60, limits=httpx.Limits(keepalive_expiry=2), headers=API_KEY_HEADERS
    ) as client:
        workers = [asyncio.create_task(load.run(client, n, stop)) for n in range(4)]
        await asyncio.sleep(0.5)
        before = load.turns
        try:
            await change()
        finally:
            stop.set()
            await asyncio.gather(*workers)
    assert load.turns > before, "turns were sent during the change"
    return load


def served(server: ServerProcess) -> dict[str, Any]:
    model: dict[str, Any] = httpx.get(f"{server.url}/api/v1/model", timeout=30, headers=ADMIN_HEADERS).json()
    return model


async def hours(client: httpx.AsyncClient, server: ServerProcess) -> list[str]:
    reply = await client.post(f"{server.url}/api/v1/conversations/hours/messages", json={"text": HOURS})
    responses: list[str] = reply.json()["responses"]
    return responses


async def wait_all_serve(servers: list[ServerProcess], content_hash: str, answer: str) -> None:
    """Until every server reports ``content_hash`` and answers the hours question with ``answer``."""
    deadline = time.monotonic() + PATIENCE
    async with httpx.AsyncClient(timeout=60, headers=API_KEY_HEADERS) as client:
        for server in servers:
            while served(server)["content_hash"] != content_hash or await hours(client, server) != [answer]:
                assert time.monotonic() < deadline, f"{server.url} still serves {served(server)['content_hash']}"
                await asyncio.sleep(0.2)


async def test_a_published_model_reaches_every_process_without_a_failed_request(cluster: Cluster) -> None:
    for server in cluster.servers:
        assert served(server)["shared"]["current"] == cluster.old_hash  # the first server published its model

    async def publish() -> None:
        await asyncio.to_thread(cluster.cli, "train", cluster.new_bot, "--model-dir", cluster.new_model, "--publish")
        await wait_all_serve(cluster.servers, cluster.new_hash, NEW_HOURS)

    load = await under_load(cluster.servers, publish)
    assert load.failures == []


def test_model_list_shows_the_versions_and_the_current_one(cluster: Cluster) -> None:
    lines = cluster.cli("model", "list").splitlines()
    assert lines[0].split()[:2] == ["VERSION", "PUBLISHED"]
    newest, oldest = lines[1:]
    assert newest.startswith(f"* {cluster.new_hash[:12]} ") and "train --publish" in newest
    assert oldest.startswith(f"  {cluster.old_hash[:12]} ") and " start " in oldest


async def test_a_rollback_puts_the_previous_model_back_everywhere(cluster: Cluster) -> None:
    async def rollback() -> None:
        output = await asyncio.to_thread(cluster.cli, "model", "rollback")
        assert output.startswith(f"current model: {cluster.old_hash[:12]}")
        await wait_all_serve(cluster.servers, cluster.old_hash, OLD_HOURS)

    load = await under_load(cluster.servers, rollback)
    assert load.failures == []
    assert cluster.cli("model", "list").splitlines()[2].startswith(f"* {cluster.old_hash[:12]}")


async def test_a_process_started_afterwards_serves_the_current_model(cluster: Cluster) -> None:
    # Its own folder holds the newer content, trained: the published current version wins.
    late = ServerProcess(cluster.new_bot, cluster.new_model, cluster.env)
    cluster.servers.append(late)
    assert served(late)["content_hash"] == cluster.old_hash
    async with httpx.AsyncClient(timeout=60, headers=API_KEY_HEADERS) as client:
        assert await hours(client, late) == [OLD_HOURS]


async def test_a_tampered_version_is_refused_and_the_servers_keep_serving(cluster: Cluster) -> None:
    redis = cluster.redis.client()
    key = f"causette:model:version:{cluster.new_hash}"
    # A file that differs from the serving version's (the others are read from the local copy).
    field_name = b"file:content/intents.json"
    blob = redis.hget(key, field_name)
    assert isinstance(blob, bytes)
    redis.hset(key, field_name, blob[:-1] + bytes([blob[-1] ^ 1]))
    cluster.cli("model", "rollback", "--to", cluster.new_hash[:12])
    deadline = time.monotonic() + PATIENCE
    for server in cluster.servers:
        while (served(server)["shared"] or {}).get("refused") != cluster.new_hash:
            assert time.monotonic() < deadline, f"{server.url} did not refuse the tampered version"
            await asyncio.sleep(0.2)
        shared = served(server)["shared"]
        assert "does not match its sha256" in shared["last_error"] and field_name.decode()[5:] in shared["last_error"]
        assert served(server)["content_hash"] == cluster.old_hash and server.alive()
    async with httpx.AsyncClient(timeout=60, headers=API_KEY_HEADERS) as client:
        assert [await hours(client, server) for server in cluster.servers] == [[OLD_HOURS]] * len(cluster.servers)


async def test_a_reload_asked_of_one_process_reaches_every_process(cluster: Cluster) -> None:
    first = cluster.servers[0]
    edit_hours(cluster.root / "bot-a", ADMIN_HOURS)
    reloaded: list[dict[str, Any]] = []

    async def reload() -> None:
        async with httpx.AsyncClient(timeout=PATIENCE, headers=API_KEY_HEADERS) as client:
            reply = await client.post(
                f"{first.url}/api/v1/model/reload", headers={"Authorization": f"Bearer {ADMIN_KEY}"}
            )
        assert reply.status_code == 200, reply.text
        reloaded.append(reply.json())
        await wait_all_serve(cluster.servers, reloaded[0]["content_hash"], ADMIN_HOURS)

    load = await under_load(cluster.servers, reload)
    assert load.failures == []
    assert reloaded[0]["status"] == "reloaded"
    newest = cluster.cli("model", "list").splitlines()[1]
    assert newest.startswith(f"* {reloaded[0]['content_hash'][:12]}") and " reload " in newest


async def test_a_missed_announcement_still_converges(cluster: Cluster) -> None:
    # ``current`` changed without a message on the channel (as when a process was reconnecting):
    # each process reads ``current`` every CAUSETTE_MODEL_POLL_SECONDS too.
    cluster.redis.client().set("causette:model:current", cluster.old_hash)
    await wait_all_serve(cluster.servers, cluster.old_hash, OLD_HOURS)


async def test_watch_with_several_workers_one_trains_all_serve(
    cluster: Cluster, mini_model_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    bot = copy_bot(MINI_BOT, cluster.root / "bot-watched")
    shutil.copytree(mini_model_dir, cluster.root / "model-watched")
    env = {**cluster.env, "CAUSETTE_REDIS_PREFIX": "watched"}
    server = ServerProcess(bot, cluster.root / "model-watched", env, workers=2, args=("--watch", "--log-level", "info"))
    try:
        edit_hours(bot, NEW_HOURS)
        new_hash = load_bot(bot).dataset.content_hash
        deadline = time.monotonic() + PATIENCE
        in_a_row = 0
        while in_a_row < 20:  # each request on a new connection: either worker may answer it
            model = served(server)
            async with httpx.AsyncClient(timeout=60, headers=API_KEY_HEADERS) as client:
                answer = await hours(client, server)
            in_a_row = in_a_row + 1 if model["content_hash"] == new_hash and answer == [NEW_HOURS] else 0
            assert time.monotonic() < deadline, "the workers do not all serve the edited bot"
            await asyncio.sleep(0.05 if in_a_row else 0.2)
    finally:
        server.stop()
    log = capfd.readouterr().err
    assert log.count("training a model for") == 1, "one worker trains, under the lease"
    redis = cluster.redis.client()
    assert redis.lrange("watched:model:versions", 0, -1) == [new_hash.encode(), cluster.old_hash.encode()]
    assert redis.get("watched:model:current") == new_hash.encode()


def test_a_model_larger_than_allowed_is_refused_with_a_message(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAUSETTE_MODEL_MAX_BYTES", "1000")
    monkeypatch.setenv("CAUSETTE_REDIS_PREFIX", "too-large")
    done = run_cli(
        "train", cluster.new_bot, "--model-dir", cluster.new_model, "--publish", "--redis-url", cluster.redis.url
    )
    assert done.returncode == 2
    assert "more than the 1,000 allowed (CAUSETTE_MODEL_MAX_BYTES)" in done.stderr
    assert cluster.redis.client().keys("too-large:*") == []


async def test_only_the_newest_versions_and_the_current_one_are_kept(cluster: Cluster, mini_model_dir: Path) -> None:
    registry = ModelRegistry.from_settings(
        Settings(redis_url=cluster.redis.url, redis_prefix="bounded", model_versions_kept=2)
    )
    bundle = pack(load_bot(MINI_BOT), mini_model_dir)

    def version(name: str) -> Bundle:  # the registry names a version by its manifest's content hash
        return Bundle(bundle.manifest.model_copy(update={"content_hash": name}), bundle.files)

    try:
        for name in ("v1", "v2", "v3"):
            await registry.publish(version(name), "train --publish")
        assert [info.content_hash for info in await registry.versions()] == ["v3", "v2"]
        with pytest.raises(ModelError, match="v1 is not published"):
            await registry.fetch("v1")
        assert (await registry.rollback()).content_hash == "v2"
        with pytest.raises(ModelError, match="nothing to roll back to"):
            await registry.rollback()
        assert await registry.current() == "v2"
    finally:
        await registry.close()


async def test_files_the_serving_version_has_unchanged_are_not_downloaded(
    cluster: Cluster, mini_model_dir: Path, tmp_path: Path
) -> None:
    registry = ModelRegistry.from_settings(Settings(redis_url=cluster.redis.url, redis_prefix="reuse"))
    old, new = pack(load_bot(MINI_BOT), mini_model_dir), pack(load_bot(cluster.new_bot), cluster.new_model)
    unchanged = sorted(name for name, sha in old.manifest.files.items() if new.manifest.files.get(name) == sha)
    assert "model/word_vectors/rows.npy" in unchanged and "content/intents.json" not in unchanged
    brains = BrainHolder(Brain(bot=load_bot(MINI_BOT), model=Model.load(mini_model_dir)))
    shared = SharedModels(registry, brains, tmp_path / "cache", poll_seconds=2, lease_seconds=30)
    try:
        await registry.publish(old, "train --publish")
        await registry.publish(new, "train --publish")
        await shared.converge()
        assert brains.current.model.info.content_hash == cluster.new_hash
        # Without the unchanged files in Redis, the old version loads from what this process holds.
        await registry.client.hdel(registry.version_key(cluster.old_hash), *[f"file:{name}" for name in unchanged])
        await registry.make_current(cluster.old_hash)
        await shared.converge()
        assert brains.current.model.info.content_hash == cluster.old_hash and shared.state.refused is None
    finally:
        await shared.close()
