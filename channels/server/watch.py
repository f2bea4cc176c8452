"""``serve --watch``: reload the bot whenever one of its content files changes on disk."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from watchfiles import Change, awatch

from channels.server.reload import Reloader
from nlu.bot import is_content_file

log = logging.getLogger("causette.reload")

# Editors save in bursts (write, rename, chmod): changes are gathered until none has come for
# STEP_MS, or for DEBOUNCE_MS at most, then reported as one edit.
STEP_MS = 200
DEBOUNCE_MS = 1600


async def watch_bot(bot_dir: Path, reloader: Reloader, stop: asyncio.Event) -> None:
    """Ask ``reloader`` for a reload after each edit of a content file, until ``stop`` is set.

    Tests and the saved model live in the bot folder too, but are not content: writing them
    does not reload. Set ``WATCHFILES_FORCE_POLLING=1`` where file events do not arrive (some
    network and container mounts).
    """
    folder = bot_dir.resolve()

    def is_content(change: Change, path: str) -> bool:
        return is_content_file(folder, Path(path))

    log.info("watching %s for changes", folder)
    async for changes in awatch(folder, watch_filter=is_content, stop_event=stop, step=STEP_MS, debounce=DEBOUNCE_MS):
        names = sorted({str(Path(path).relative_to(folder)) for _, path in changes})
        log.info("changed: %s; reloading", ", ".join(names))
        reloader.request()
