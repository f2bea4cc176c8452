"""Live reload: check a bot folder again, train off the request path, swap the Brain atomically.

One reload runs at a time, in a worker thread, so the event loop keeps serving while the model
trains. Requests that arrive during a reload are coalesced into one more reload after it: a burst
of edits trains at most twice. A broken folder or a failed training leaves the serving Brain as it
was and is kept as ``last_error`` (with ``file:line`` problems) until a reload succeeds.

With shared models (a Redis), the new model is published for every process: the process that
reloads takes the training lease first, so that an edit seen by several workers trains once; a
process that finds the version already published (another trained it meanwhile) fetches it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel

from channels.server.model_sync import SharedModels
from dialogue import Brain, BrainHolder
from nlu import Bot, ContentError, Model, Problem, load_bot, train
from nlu.checks import lint
from nlu.threads import use_one_compute_thread

log = logging.getLogger("causette.reload")

T = TypeVar("T")

# A reload's lint warnings go to the log too, up to this many: the author is editing, not auditing.
LOGGED_WARNINGS = 10


class ReloadResult(BaseModel):
    """How one reload ended: a new model serving, nothing to do, or the old model kept."""

    status: Literal["reloaded", "unchanged", "failed"]
    content_hash: str  # of the model serving once the reload ended
    problems: list[Problem]  # why it failed; the previous model keeps serving
    warnings: list[Problem]  # lint warnings of the content that was loaded
    started_at: datetime
    seconds: float


class ReloadProgress(BaseModel):
    """A reload under way."""

    started_at: datetime
    step: int = 0
    total: int = 0


class _Closing(Exception):
    """Raised from the training's progress callback to stop a reload when the server stops."""


@dataclass(frozen=True)
class _Prepared:
    bot: Bot
    model: Model | None  # None: the content is what is already serving
    warnings: list[Problem]


class Reloader:
    """Reloads one bot folder into a BrainHolder, saving each new model to ``model_dir`` (and
    publishing it through ``shared``, when given)."""

    def __init__(self, brains: BrainHolder, bot_dir: Path, model_dir: Path, shared: SharedModels | None = None) -> None:
        self.brains = brains
        self.bot_dir = bot_dir
        self.model_dir = model_dir
        self.shared = shared
        self.progress: ReloadProgress | None = None
        self.last_result: ReloadResult | None = None
        self.last_error: ReloadResult | None = None
        self._executor = ThreadPoolExecutor(1, "causette-reload", initializer=use_one_compute_thread)
        self._waiting: list[asyncio.Future[ReloadResult]] = []
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def request(self) -> asyncio.Future[ReloadResult]:
        """Ask for a reload; the future resolves with the first reload that starts after now."""
        future: asyncio.Future[ReloadResult] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="causette-reload")
        return future

    async def reload(self) -> ReloadResult:
        """Reload now (or right after the reload under way) and wait for the result."""
        return await self.request()

    async def close(self) -> None:
        """Stop: a training under way ends at its next step, no new reload starts."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _run(self) -> None:
        while self._waiting and not self._closing:
            waiting, self._waiting = self._waiting, []
            result = await self._reload_once()
            for future in waiting:
                if not future.done():  # a client that went away cancelled its wait
                    future.set_result(result)

    async def _reload_once(self) -> ReloadResult:
        started, clock = datetime.now(UTC), time.perf_counter()
        self.progress = ReloadProgress(started_at=started)
        try:
            prepared = await (self._prepare_shared() if self.shared else self._in_thread(self._prepare))
        except ContentError as error:
            return self._failed(error.problems, started, clock)
        except _Closing:
            raise asyncio.CancelledError from None
        except Exception as error:  # a training that crashed must not take the server down
            log.exception("reload of %s failed", self.bot_dir)
            return self._failed(
                [Problem(file=str(self.bot_dir), line=0, code="training-failed", params={"error": repr(error)})],
                started,
                clock,
            )
        finally:
            self.progress = None
        if prepared.model is not None:
            self.brains.swap(Brain(bot=prepared.bot, model=prepared.model))
        return self._succeeded(prepared, started, clock)

    def _in_thread(self, function: Callable[..., T], *args: object) -> asyncio.Future[T]:
        return asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    def _prepare(self) -> _Prepared:
        """In the worker thread: load and check, train unless nothing changed, save the model."""
        bot, warnings = self._check()
        if self.brains.current.model.info.is_current(bot):
            return _Prepared(bot, None, warnings)
        return _Prepared(bot, self._train(bot), warnings)

    async def _prepare_shared(self) -> _Prepared:
        """Check the folder; under the training lease, fetch its version if published, else train
        and publish it."""
        assert self.shared is not None
        bot, warnings = await self._in_thread(self._check)
        if self.brains.current.model.info.is_current(bot):
            return _Prepared(bot, None, warnings)
        version = bot.dataset.content_hash
        async with self.shared.training():
            if await self.shared.registry.has(version):
                model = await self.shared.fetch_model(version)
                await self.shared.registry.make_current(version)
            else:
                model = await self._in_thread(self._train, bot)
                await self.shared.publish(bot, self.model_dir, "reload")
        return _Prepared(bot, model, warnings)

    def _check(self) -> tuple[Bot, list[Problem]]:
        bot = load_bot(self.bot_dir)
        return bot, lint(bot.dataset)

    def _train(self, bot: Bot) -> Model:
        """In the worker thread: train and save the model."""
        log.info("training a model for %s (content %s)", self.bot_dir, bot.dataset.content_hash[:12])
        model = train(bot, self._on_progress)
        try:
            model.save(self.model_dir)
        except OSError as error:  # the new model still serves; only the next start retrains
            log.warning("new model not saved to %s: %s", self.model_dir, error)
        return model

    def _on_progress(self, step: int, total: int, description: str) -> None:
        if self._closing:
            raise _Closing
        if self.progress is not None:
            self.progress = self.progress.model_copy(update={"step": step, "total": total})

    def _failed(self, problems: list[Problem], started: datetime, clock: float) -> ReloadResult:
        result = ReloadResult(
            status="failed",
            content_hash=self.brains.current.model.info.content_hash,
            problems=problems,
            warnings=[],
            started_at=started,
            seconds=round(time.perf_counter() - clock, 3),
        )
        log.error(
            "reload failed, still serving model %s:\n%s",
            result.content_hash[:12],
            "\n".join(f"  {problem}" for problem in problems),
        )
        self.last_result = self.last_error = result
        return result

    def _succeeded(self, prepared: _Prepared, started: datetime, clock: float) -> ReloadResult:
        result = ReloadResult(
            status="reloaded" if prepared.model else "unchanged",
            content_hash=self.brains.current.model.info.content_hash,
            problems=[],
            warnings=prepared.warnings,
            started_at=started,
            seconds=round(time.perf_counter() - clock, 3),
        )
        if prepared.model:
            log.info(
                "reloaded %s: model %s, %d intents, trained in %.1f s",
                self.bot_dir,
                result.content_hash[:12],
                len(prepared.model.info.intents),
                prepared.model.info.training_seconds,
            )
            for warning in prepared.warnings[:LOGGED_WARNINGS]:
                log.warning("%s:%d: warning: %s [%s]", warning.file, warning.line, warning.message, warning.rule)
            if len(prepared.warnings) > LOGGED_WARNINGS:
                log.warning(
                    "... and %d more warnings: causette check %s",
                    len(prepared.warnings) - LOGGED_WARNINGS,
                    self.bot_dir,
                )
        self.last_result, self.last_error = result, None
        return result
