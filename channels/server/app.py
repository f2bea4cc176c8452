"""The app factory: builds every object a server needs and wires the channels to them."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from channels.rest import router as rest_router
from channels.schemas import Health
from channels.server.limits import BodySizeLimit
from channels.server.origins import OriginPolicy
from channels.server.reload import Reloader
from channels.server.services import Services
from channels.server.settings import Settings
from channels.server.watch import watch_bot
from channels.websocket import router as websocket_router
from dialogue import (
    Brain,
    BrainHolder,
    DialogueEngine,
    MemoryStore,
    RedisStore,
    SessionStore,
    StoreUnavailable,
)
from nlu import BotConfig, default_model_dir, load_bot, load_or_train

VERSION = "0.1.0"
STATIC = Path(__file__).parent.parent / "static"


def build_store(settings: Settings, config: BotConfig) -> SessionStore:
    """The session store the settings ask for: in memory unless a Redis URL is configured.

    The Redis URL is an operator's setting, not the bot's: one bot folder runs unchanged on a
    laptop (memory) and behind a load balancer (Redis).
    """
    if not settings.redis_url:
        return MemoryStore(ttl_seconds=config.session_ttl_seconds)
    return RedisStore.from_url(
        settings.redis_url,
        ttl_seconds=config.session_ttl_seconds,
        timeout_seconds=settings.redis_timeout_seconds,
        prefix=settings.redis_prefix,
        lock_seconds=settings.redis_lock_seconds,
        wait_seconds=settings.redis_wait_seconds,
    )


def build_services(settings: Settings) -> Services:
    """Load the bot, load or train its model, and assemble the services over them."""
    bot = load_bot(settings.bot_dir)
    model_dir = settings.model_dir or default_model_dir(settings.bot_dir)
    model = load_or_train(bot, model_dir)
    brains = BrainHolder(Brain(bot=bot, model=model))
    store = build_store(settings, bot.config)
    return Services(
        settings=settings,
        brains=brains,
        store=store,
        engine=DialogueEngine(brains, store),
        origins=OriginPolicy(settings.allowed_origins),
        reloader=Reloader(brains, settings.bot_dir, model_dir),
    )


def create_app(bot_dir: Path | None = None, settings: Settings | None = None) -> FastAPI:
    """A Causette server for the bot in ``bot_dir`` (default: the settings' ``bot_dir``)."""
    settings = settings or Settings()
    if bot_dir is not None:
        settings = settings.model_copy(update={"bot_dir": bot_dir})
    services = build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded so far (torch, NLTK, the model) lives as long as the process: moved out
        # of the collector's reach, full collections stop pausing every request for ~0.25 s.
        gc.collect()
        gc.freeze()
        stop_watching = asyncio.Event()
        watcher = (
            asyncio.create_task(watch_bot(settings.bot_dir, services.reloader, stop_watching), name="causette-watch")
            if settings.watch
            else None
        )
        yield
        stop_watching.set()
        if watcher is not None:
            await watcher
        await services.reloader.close()
        await services.store.close()

    app = FastAPI(
        title="Causette",
        version=VERSION,
        lifespan=lifespan,
        description="A French-first chatbot: REST API of the conversation channel.",
    )
    app.state.services = services
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.include_router(rest_router)
    app.include_router(websocket_router)
    app.mount("/widget", StaticFiles(directory=STATIC / "widget"), name="widget")
    app.mount("/demo", StaticFiles(directory=STATIC / "demo"), name="demo")
    app.add_exception_handler(StoreUnavailable, _store_unavailable)

    @app.get("/healthz", response_model=Health, tags=["ops"])
    async def healthz() -> JSONResponse:
        """Ready when the model is loaded and the session store answers (503 otherwise)."""
        model = services.brains.current.model.info.content_hash[:12]
        try:
            await services.store.ping()
        except StoreUnavailable:
            return JSONResponse(Health(status="unavailable", model=model, store="down").model_dump(), 503)
        return JSONResponse(Health(status="ok", model=model, store="ok").model_dump())

    @app.get("/", include_in_schema=False)
    async def demo_page() -> FileResponse:
        """The demo shop page with the chat widget on it."""
        return FileResponse(STATIC / "demo" / "index.html")

    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` and worker processes: settings from ``CAUSETTE_*``."""
    return create_app()


async def _store_unavailable(request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": f"session store unavailable: {error}"}, status_code=503)
