"""``causette model list|rollback`` and ``train --publish``: the model versions shared in Redis."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from redis.exceptions import RedisError

from channels.cli.exit_codes import EXIT_USAGE
from channels.server.app import describe_store
from channels.server.model_registry import ModelRegistry, VersionInfo
from channels.server.settings import Settings
from nlu import Bot
from nlu.bundle import pack

T = TypeVar("T")


def cmd_list(args: argparse.Namespace) -> int:
    """Print the kept versions, newest published first, the current one marked ``*``."""

    async def listing(registry: ModelRegistry) -> tuple[list[VersionInfo], str | None]:
        return await registry.versions(), await registry.current()

    settings = shared_settings(args)
    found = _with_registry(settings, listing) if settings else None
    if found is None:
        return EXIT_USAGE
    versions, current = found
    if not versions:
        print("no model published yet: causette train --publish BOT_DIR")
        return 0
    print(f"  {'VERSION':<12}  {'PUBLISHED (UTC)':<19}  {'BY':<24}  {'HOW':<15}  {'BACKEND':<7}  INTENTS  SIZE")
    for version in versions:
        mark = "*" if version.content_hash == current else " "
        manifest = version.manifest
        print(
            f"{mark} {version.content_hash[:12]}  {version.published_at:%Y-%m-%d %H:%M:%S}  "
            f"{version.published_by:<24}  {version.source:<15}  {manifest.backend:<7}  "
            f"{manifest.intents:>7}  {manifest.size_bytes / 1_048_576:.1f} MiB"
        )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Serve the previous version (or ``--to HASH``) on every process sharing the Redis."""

    async def rollback(registry: ModelRegistry) -> VersionInfo:
        return await registry.rollback(args.to)

    settings = shared_settings(args)
    version = _with_registry(settings, rollback) if settings else None
    if version is None:
        return EXIT_USAGE
    print(f"current model: {version.content_hash[:12]} (published {version.published_at:%Y-%m-%d %H:%M:%S} UTC)")
    return 0


def shared_settings(args: argparse.Namespace) -> Settings | None:
    """The settings with the Redis ``--redis-url`` or ``CAUSETTE_REDIS_URL`` names; None (and a
    message) without one."""
    settings = Settings()
    url = args.redis_url or settings.redis_url
    if not url:
        print("causette: published models live in Redis: pass --redis-url or set CAUSETTE_REDIS_URL", file=sys.stderr)
        return None
    return settings.model_copy(update={"redis_url": url})


def publish(settings: Settings, bot: Bot, model_dir: Path) -> int:
    """``train --publish``: publish the model just saved in ``model_dir`` as the current version."""

    async def publishing(registry: ModelRegistry) -> VersionInfo:
        return await registry.publish(pack(bot, model_dir), "train --publish")

    version = _with_registry(settings, publishing)
    if version is None:
        return EXIT_USAGE
    print(f"published model {version.content_hash[:12]}: every server sharing this Redis now serves it")
    return 0


def _with_registry(settings: Settings, use: Callable[[ModelRegistry], Awaitable[T]]) -> T | None:
    """Run ``use`` on the registry of the settings' Redis; None (and a message) if it cannot be reached."""
    registry = ModelRegistry.from_settings(settings)

    async def run() -> T:
        try:
            return await use(registry)
        finally:
            await registry.close()

    try:
        return asyncio.run(run())
    except RedisError as error:
        print(f"causette: the models kept {describe_store(settings)} cannot be reached: {error}", file=sys.stderr)
        return None
