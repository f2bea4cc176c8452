"""One model for every process: follow the published ``current`` version, publish new ones.

Each server process that has a Redis serves the registry's ``current`` version: it listens on
the registry's channel and also reads ``current`` every ``poll_seconds``, so a missed message
converges too. A new version is fetched, checked (sha256 of each file, then the model's and the
content's own hashes), unpacked to a local cache folder, loaded off the event loop and swapped in
as live reload swaps: turns under way finish on the old Brain, no request fails. A version that
fails its checks is refused and logged; the process keeps serving what it served.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pydantic import BaseModel
from redis.asyncio.lock import Lock
from redis.exceptions import RedisError

from channels.server.model_registry import ModelRegistry, Source
from dialogue import Brain, BrainHolder
from nlu import Bot, Model, ModelError
from nlu.bundle import Bundle, Manifest, load_unpacked, pack, unpack
from nlu.threads import use_one_compute_thread

log = logging.getLogger("causette.models")


class SharedState(BaseModel):
    """What this process knows of the published versions (``GET /api/v1/model``)."""

    current: str | None = None  # the published version, when last read
    refused: str | None = None  # a version that failed its checks: not retried until current changes
    last_error: str | None = None


class SharedModels:
    """Keeps this process's Brain on the registry's current version, and publishes new ones."""

    def __init__(
        self, registry: ModelRegistry, brains: BrainHolder, cache_dir: Path, poll_seconds: float, lease_seconds: float
    ) -> None:
        self.registry = registry
        self.brains = brains
        self.shared_cache = cache_dir
        # One folder per process: workers of one machine share BOT_DIR, and must not unpack into,
        # or clean up, a folder another worker is loading from.
        self.cache_dir = cache_dir / f"process-{os.getpid()}"
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds
        self.state = SharedState()
        self._executor = ThreadPoolExecutor(1, "causette-models", initializer=use_one_compute_thread)
        self._converging = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._serving: Manifest | None = None  # the serving version's, when it came from the registry

    async def start(self, model_dir: Path) -> None:
        """Serve the current version; when none was published yet, publish the one serving
        (saved in ``model_dir``). Then follow ``current``. Redis being away is logged, not fatal."""
        _remove_leftovers(self.shared_cache)
        try:
            if await self.registry.current() is None:
                await self.publish(self.brains.current.bot, model_dir, "start")
            await self.converge()
        except (RedisError, ModelError) as error:
            self._failed(f"at start: {error}")
        self._task = asyncio.create_task(self._follow(), name="causette-models")

    async def close(self) -> None:
        """Stop following, close the Redis connections."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=False, cancel_futures=True)
        await self.registry.close()
        shutil.rmtree(self.cache_dir, ignore_errors=True)

    async def publish(self, bot: Bot, model_dir: Path, source: Source) -> None:
        """Publish the model saved in ``model_dir`` (trained on ``bot``) as the current version."""
        bundle = await asyncio.get_running_loop().run_in_executor(self._executor, pack, bot, model_dir)
        info = await self.registry.publish(bundle, source)
        self.state.current = info.content_hash
        log.info("published model %s (%s bytes)", info.content_hash[:12], f"{info.manifest.size_bytes:,}")

    async def fetch_model(self, content_hash: str) -> Model:
        """Version ``content_hash``'s model, checked and loaded (ModelError if bad), to serve next."""
        _, model = await self._fetch(content_hash)
        return model

    @contextlib.asynccontextmanager
    async def training(self) -> AsyncIterator[None]:
        """Hold the training lease: one process trains at a time, its lease renewed while it does."""
        lease = self.registry.training_lease(self.lease_seconds)
        await lease.acquire()
        renewing = asyncio.create_task(self._renew(lease), name="causette-lease")
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(RedisError, asyncio.CancelledError):
                await lease.release()

    async def converge(self) -> None:
        """Serve the published ``current`` version if this process serves another one."""
        async with self._converging:
            current = self.state.current = await self.registry.current()
            serving = self.brains.current.model.info.content_hash
            if current is None or current in (serving, self.state.refused):
                return
            try:
                bot, model = await self._fetch(current)
            except (ModelError, OSError, ValueError) as error:  # bad files or info, a full disk
                self.state.refused = current
                self._failed(f"version {current[:12]} refused, still serving {serving[:12]}: {error}")
                return
            self.brains.swap(Brain(bot=bot, model=model))
            self.state.refused = self.state.last_error = None
            log.info("now serving published model %s (was %s)", current[:12], serving[:12])

    async def _fetch(self, content_hash: str) -> tuple[Bot, Model]:
        """Fetch, check, unpack and load a version. Files the serving version has with the same
        sha256 are read from its folder instead of Redis (the word vectors rarely change)."""
        loop = asyncio.get_running_loop()
        manifest = (await self.registry.info(content_hash)).manifest
        reusable = await loop.run_in_executor(self._executor, self._reusable, manifest)
        missing = [name for name in manifest.files if name not in reusable]
        bundle = Bundle(manifest, {**reusable, **await self.registry.files(content_hash, missing)})
        loaded = await loop.run_in_executor(self._executor, self._unpack_and_load, bundle)
        self._serving = manifest  # the caller swaps it in
        return loaded

    def _reusable(self, manifest: Manifest) -> dict[str, bytes]:
        """The files of ``manifest`` that the serving version's unpacked folder holds, unchanged."""
        if self._serving is None:
            return {}
        folder = self.cache_dir / self._serving.content_hash
        same = [name for name, sha in manifest.files.items() if self._serving.files.get(name) == sha]
        return {name: (folder / name).read_bytes() for name in same if (folder / name).is_file()}

    async def _follow(self) -> None:
        """Converge on each announcement, and every ``poll_seconds`` in case one was missed."""
        while True:
            try:
                async with self.registry.client.pubsub() as pubsub:
                    await pubsub.subscribe(self.registry.channel)
                    while True:
                        await pubsub.get_message(ignore_subscribe_messages=True, timeout=self.poll_seconds)
                        await self.converge()
            except Exception as error:  # Redis away, or a bug: keep serving, and keep following
                self._failed(f"following the published model: {error!r}")
                await asyncio.sleep(self.poll_seconds)

    async def _renew(self, lease: Lock) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            await lease.reacquire()

    def _unpack_and_load(self, bundle: Bundle) -> tuple[Bot, Model]:
        """In the worker thread: write the version to the cache, load it, drop older copies."""
        content_hash = bundle.manifest.content_hash
        folder = self.cache_dir / content_hash
        unpack(bundle, folder)
        loaded = load_unpacked(folder, content_hash)
        serving = self.cache_dir / self.brains.current.model.info.content_hash
        for old in self.cache_dir.iterdir():
            if old not in (folder, serving):
                shutil.rmtree(old, ignore_errors=True)
        return loaded

    def _failed(self, message: str) -> None:
        if message != self.state.last_error:  # logged once, not at every poll
            log.error("%s", message)
        self.state.last_error = message


def _remove_leftovers(cache_dir: Path) -> None:
    """Remove the cache folders of processes that ended without cleaning up (killed, crashed)."""
    for folder in cache_dir.glob("process-*"):
        pid = folder.name.removeprefix("process-")
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # alive, another user's
            pass
