"""Time for a published model to reach every process, and turns answered meanwhile.

Two versions of the demo bot (one response edited) are trained once with ``causette train``.
Several real ``causette serve`` processes share a redis-server of the bench's own; the bench then
publishes the two versions in turn, as ``causette train --publish`` does, and measures from the
start of each publish until every process reports the new version on ``GET /api/v1/model``. A few
clients hold conversations with every process throughout; failed turns are counted.

    python -m bench.model_publish [--servers 2] [--publishes 8] [--clients 2]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.processes import DEMO_TURNS, REPO, RedisServer, ServerProcess, run_cli
from bench.stats import percentile, summary_ms
from channels.server.model_registry import ModelRegistry
from channels.server.settings import Settings
from nlu import load_bot
from nlu.bundle import Bundle, pack

EDITED = "On est ouvert tous les jours de 9h du matin à 19h"


def trained_version(workdir: Path, name: str, hours: str | None) -> tuple[Path, Path]:
    """A copy of the demo bot (its hours response replaced by ``hours``) and its trained model."""
    bot, model = workdir / f"bot-{name}", workdir / f"model-{name}"
    shutil.copytree(REPO / "intents", bot, ignore=shutil.ignore_patterns(".causette", "tests"))
    if hours is not None:
        for path in bot.glob("*.json"):
            path.write_text(path.read_text(encoding="utf-8").replace(EDITED, hours), encoding="utf-8")
    result = run_cli("train", bot, "--model-dir", model, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"causette train failed: {result.stderr}")
    return bot, model


async def converse(client: httpx.AsyncClient, servers: list[ServerProcess], stop: asyncio.Event) -> list[str]:
    """The demo conversation, over and over, each turn on the next process; the failed turns."""
    failures, turn = [], 0
    while not stop.is_set():
        server = servers[turn % len(servers)]
        text = DEMO_TURNS[turn % len(DEMO_TURNS)]
        turn += 1
        try:
            reply = await client.post(f"{server.url}/api/v1/conversations/bench/messages", json={"text": text})
            if reply.status_code != 200:
                failures.append(f"{reply.status_code} {reply.text}")
        except httpx.HTTPError as error:
            failures.append(repr(error))
        await asyncio.sleep(0.01)
    return failures


async def reach_every_process(client: httpx.AsyncClient, servers: list[ServerProcess], content_hash: str) -> None:
    pending = list(servers)
    while pending:
        models = await asyncio.gather(*(client.get(f"{server.url}/api/v1/model") for server in pending))
        pending = [
            server
            for server, model in zip(pending, models, strict=True)
            if model.json()["content_hash"] != content_hash
        ]
        await asyncio.sleep(0.01)


async def measure(
    registry: ModelRegistry, servers: list[ServerProcess], bundles: list[Bundle], publishes: int, clients: int
) -> None:
    stop = asyncio.Event()
    reached: list[float] = []
    uploads: list[float] = []
    limits = httpx.Limits(keepalive_expiry=2)  # under uvicorn's keep-alive: no request on a closing connection
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        talkers = [asyncio.create_task(converse(client, servers, stop)) for _ in range(clients)]
        for number in range(publishes):
            bundle = bundles[(number + 1) % len(bundles)]
            started = time.perf_counter()
            await registry.publish(bundle, "train --publish")
            uploads.append(time.perf_counter() - started)
            await reach_every_process(client, servers, bundle.manifest.content_hash)
            reached.append(time.perf_counter() - started)
            await asyncio.sleep(1)
        stop.set()
        failures = [failure for talker in talkers for failure in await talker]
    await registry.close()
    size = bundles[0].manifest.size_bytes
    print(f"bundle: {len(bundles[0].files)} files, {size / 1_048_576:.2f} MiB")
    print(f"publish (check + upload): {summary_ms(uploads)}")
    print(
        f"published -> every one of {len(servers)} processes serves it: median {statistics.median(reached):.2f} s, "
        f"p95 {percentile(reached, 0.95):.2f} s, max {max(reached):.2f} s over {publishes} publishes"
    )
    print(f"failed turns during the switches: {len(failures)} {failures[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--publishes", type=int, default=8)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="causette-publish-") as tmp:
        workdir = Path(tmp)
        versions = [trained_version(workdir, "a", None), trained_version(workdir, "b", "Ouvert de 10h à 18h.")]
        bundles = [pack(load_bot(bot), model) for bot, model in versions]
        redis = RedisServer(workdir / "redis")
        redis.start()
        env = {"CAUSETTE_REDIS_URL": redis.url}
        servers = [ServerProcess(*versions[0], env=env) for _ in range(args.servers)]
        registry = ModelRegistry.from_settings(Settings(redis_url=redis.url))
        try:
            asyncio.run(measure(registry, servers, bundles, args.publishes, args.clients))
        finally:
            for server in servers:
                server.stop()
            redis.stop()


if __name__ == "__main__":
    main()
