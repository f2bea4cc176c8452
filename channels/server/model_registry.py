"""Published model versions in Redis: one model for every process that shares the Redis.

Under the bot's key prefix (``causette`` by default):

- ``PREFIX:model:version:HASH``, a Redis hash per version: ``info`` (JSON: who published it,
  when, the bundle's manifest) and one ``file:PATH`` field per file, the file's bytes;
- ``PREFIX:model:versions``, the list of kept versions, newest published first;
- ``PREFIX:model:current``, the version every process serves;
- ``PREFIX:model:events``, a pub/sub channel on which a new ``current`` is announced (processes
  also read ``current`` every few seconds, so a missed message still converges);
- ``PREFIX:model:training``, the lease of the one process that trains after an edit.

A version is its content hash. Bundles are checked file by file (sha256) when they are fetched.
"""

from __future__ import annotations

import asyncio
import getpass
import socket
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.typing import EncodableT, FieldT

from channels.server.settings import Settings
from nlu.bundle import Bundle, Manifest, verify
from nlu.errors import ModelError

Source = Literal["train --publish", "reload", "start", "rollback"]
FILE_FIELD = "file:"
TRANSFER_SECONDS = 60.0


class ModelTooLarge(ModelError):
    """A bundle larger than the registry accepts (``CAUSETTE_MODEL_MAX_BYTES``)."""


class VersionInfo(BaseModel):
    """One published version: its manifest, and who published it, from where, when and how."""

    manifest: Manifest
    published_at: datetime
    published_by: str  # user@host
    source: Source

    @property
    def content_hash(self) -> str:
        """The version's name."""
        return self.manifest.content_hash


def publisher() -> str:
    """``user@host`` of this process, recorded with what it publishes."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in a minimal container
        user = "?"
    return f"{user}@{socket.gethostname()}"


class ModelRegistry:
    """The published versions of one bot (one key prefix) in one Redis."""

    def __init__(self, client: Redis, prefix: str, keep: int, max_bytes: int) -> None:
        self.client = client
        self.keep = keep
        self.max_bytes = max_bytes
        base = f"{prefix}:model"
        self.versions_key, self.current_key = f"{base}:versions", f"{base}:current"
        self.channel, self.lease_key = f"{base}:events", f"{base}:training"
        self._version_prefix = f"{base}:version:"

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelRegistry:
        """The registry in the settings' Redis (which must be set), under their key prefix.

        Connecting waits ``redis_timeout_seconds`` at most, a transfer TRANSFER_SECONDS (a bundle
        may weigh many megabytes)."""
        if not settings.redis_url:
            raise ValueError("published models need a Redis: set CAUSETTE_REDIS_URL")
        client = Redis.from_url(
            settings.redis_url, socket_connect_timeout=settings.redis_timeout_seconds, socket_timeout=TRANSFER_SECONDS
        )
        return cls(client, settings.redis_prefix, settings.model_versions_kept, settings.model_max_bytes)

    def version_key(self, content_hash: str) -> str:
        """The Redis hash holding version ``content_hash``."""
        return f"{self._version_prefix}{content_hash}"

    async def publish(self, bundle: Bundle, source: Source) -> VersionInfo:
        """Store ``bundle``, make it current and announce it."""
        await asyncio.to_thread(verify, bundle)  # hashing megabytes: off the event loop serving turns
        manifest = bundle.manifest
        if manifest.size_bytes > self.max_bytes:
            raise ModelTooLarge(
                f"version {manifest.content_hash[:12]} is {manifest.size_bytes:,} bytes, more than the "
                f"{self.max_bytes:,} allowed (CAUSETTE_MODEL_MAX_BYTES)"
            )
        info = VersionInfo(manifest=manifest, published_at=datetime.now(UTC), published_by=publisher(), source=source)
        key = self.version_key(manifest.content_hash)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=_fields(info, bundle))
            pipe.lrem(self.versions_key, 0, manifest.content_hash)
            pipe.lpush(self.versions_key, manifest.content_hash)
            pipe.set(self.current_key, manifest.content_hash)
            await pipe.execute()
        await self.client.publish(self.channel, manifest.content_hash)
        await self._forget_old_versions()
        return info

    async def current(self) -> str | None:
        """The version every process should serve, if any was published."""
        value = await self.client.get(self.current_key)
        return _text(value) if value is not None else None

    async def versions(self) -> list[VersionInfo]:
        """The kept versions, newest published first."""
        hashes = [_text(value) for value in await self.client.lrange(self.versions_key, 0, -1)]
        async with self.client.pipeline(transaction=False) as pipe:
            for content_hash in hashes:
                pipe.hget(self.version_key(content_hash), "info")
            found = await pipe.execute()
        return [VersionInfo.model_validate_json(raw) for raw in found if raw is not None]

    async def fetch(self, content_hash: str) -> Bundle:
        """Version ``content_hash`` with all its files, as stored: ``nlu.bundle.unpack`` checks them
        (off the event loop: hashing megabytes would hold up the turns under way)."""
        info = await self.info(content_hash)
        return Bundle(info.manifest, await self.files(content_hash, list(info.manifest.files)))

    async def info(self, content_hash: str) -> VersionInfo:
        """What version ``content_hash`` is (its manifest), without its files."""
        raw = await self.client.hget(self.version_key(content_hash), "info")
        if raw is None:
            raise ModelError(f"version {content_hash[:12]} is not published (or no longer kept)")
        info = VersionInfo.model_validate_json(raw)
        if info.content_hash != content_hash:
            raise ModelError(f"version {content_hash[:12]} holds version {info.content_hash[:12]}")
        return info

    async def files(self, content_hash: str, names: list[str]) -> dict[str, bytes]:
        """The bytes of some of version ``content_hash``'s files (those still stored)."""
        if not names:
            return {}
        values = await self.client.hmget(self.version_key(content_hash), [f"{FILE_FIELD}{name}" for name in names])
        return {name: _bytes(value) for name, value in zip(names, values, strict=True) if value is not None}

    async def has(self, content_hash: str) -> bool:
        """Whether version ``content_hash`` is kept."""
        return bool(await self.client.hexists(self.version_key(content_hash), "info"))

    async def make_current(self, content_hash: str) -> None:
        """Serve a kept version everywhere (a rollback, or a version published before)."""
        if not await self.has(content_hash):
            raise ModelError(f"version {content_hash[:12]} is not published (or no longer kept)")
        await self.client.set(self.current_key, content_hash)
        await self.client.publish(self.channel, content_hash)

    async def make_current_if_none(self, content_hash: str) -> bool:
        """Make ``content_hash`` current only when nothing was published yet; whether it was."""
        return bool(await self.client.set(self.current_key, content_hash, nx=True))

    async def rollback(self, to: str | None = None) -> VersionInfo:
        """Serve the version published before the current one (or the kept version ``to`` names,
        a prefix of its hash is enough) everywhere; the version now current."""
        versions = await self.versions()
        target = _find(versions, to) if to else _previous(versions, await self.current())
        await self.make_current(target.content_hash)
        return target

    def training_lease(self, seconds: float) -> Lock:
        """The lease of the one process that trains: expires ``seconds`` after its last renewal."""
        return self.client.lock(self.lease_key, timeout=seconds, sleep=0.2)

    async def close(self) -> None:
        """Close the Redis connections."""
        await self.client.aclose()

    async def _forget_old_versions(self) -> None:
        """Keep the ``keep`` newest versions, and the current one whatever its age."""
        current = await self.current()
        stale = [_text(value) for value in await self.client.lrange(self.versions_key, self.keep, -1)]
        for content_hash in stale:
            if content_hash != current:
                async with self.client.pipeline(transaction=True) as pipe:
                    pipe.lrem(self.versions_key, 0, content_hash)
                    pipe.delete(self.version_key(content_hash))
                    await pipe.execute()


def _fields(info: VersionInfo, bundle: Bundle) -> dict[FieldT, EncodableT]:
    """A version's Redis hash: its info, then each file's bytes."""
    fields: dict[FieldT, EncodableT] = {"info": info.model_dump_json()}
    fields.update({f"{FILE_FIELD}{name}": data for name, data in bundle.files.items()})
    return fields


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value


def _find(versions: list[VersionInfo], prefix: str) -> VersionInfo:
    matches = [version for version in versions if version.content_hash.startswith(prefix)]
    if len(matches) != 1:
        found = "no kept version" if not matches else f"{len(matches)} versions"
        raise ModelError(f"{found} starts with {prefix!r}: see causette model list")
    return matches[0]


def _previous(versions: list[VersionInfo], current: str | None) -> VersionInfo:
    hashes = [version.content_hash for version in versions]
    if current not in hashes or hashes.index(current) + 1 >= len(hashes):
        raise ModelError("no version was published before the current one: nothing to roll back to")
    return versions[hashes.index(current) + 1]
