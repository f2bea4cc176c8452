"""The app factory: builds every object a server needs and wires the channels to them."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlsplit

import anyio
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from accounts import Accounts
from accounts import pages as account_pages
from accounts.store import Limits
from channels.rest import router as rest_router
from channels.schemas import Health, error_responses
from channels.server.api_docs import SWAGGER_ASSETS, add_api_docs, describe_text_rules
from channels.server.api_keys import read_api_keys
from channels.server.limits import RequestBodyGuard
from channels.server.methods import method_not_allowed
from channels.server.model_registry import ModelRegistry
from channels.server.model_sync import SharedModels
from channels.server.origins import AllowedHosts, OriginPolicy
from channels.server.outages import log_unavailable_response, store_unavailable_response
from channels.server.ratelimit import AddressRateLimit, RateLimited, RateLimiter, rate_limited_response
from channels.server.reload import Reloader
from channels.server.security_headers import SecurityHeaders
from channels.server.services import Services
from channels.server.settings import Settings
from channels.server.watch import watch_bot
from channels.websocket import router as websocket_router
from conversation_log import ConversationLog, LogDatabase, LogOptions, LogUnavailable
from dialogue import (
    Brain,
    BrainHolder,
    DialogueEngine,
    MemoryStore,
    RedisStore,
    SessionStore,
    StoreUnavailable,
)
from dialogue.actions import HttpActionRunner
from nlu import Bot, BotConfig, default_model_dir, load_bot, load_or_train, train
from nlu.model import saved_model_is_current

STATIC = Path(__file__).parent.parent / "static"

log = logging.getLogger("causette.server")


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


def describe_store(settings: Settings) -> str:
    """Where sessions are kept, for the operator's log; a Redis password is not shown."""
    if not settings.redis_url:
        return "in this process's memory"
    return f"in Redis at {_without_credentials(settings.redis_url)} (key prefix {settings.redis_prefix!r})"


def _without_credentials(url: str) -> str:
    """Scheme, host, port and database of a Redis URL: a password may be in its user part or its query."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def build_action_runner(settings: Settings, bot: Bot) -> HttpActionRunner:
    """The action client: one pooled HTTP client for the whole server, the secret read from this
    process's environment. A bot whose action timeout reaches the session lock time is refused."""
    settings.check_action_timeout(bot)
    secret_env = bot.config.actions.secret_env
    if any(intent.action for intent in bot.dataset.intents) and not os.environ.get(secret_env):
        log.warning("%s is not set: the bot's actions answer 'unavailable' until it holds their secret", secret_env)
    return HttpActionRunner.pooled(os.environ, url=settings.actions_url, lock_seconds=settings.redis_lock_seconds)


def build_services(settings: Settings) -> Services:
    """Load the bot, load or train its model, and assemble the services over them."""
    bot = load_bot(settings.bot_dir)
    actions = build_action_runner(settings, bot)
    model_dir = model_folder(settings)
    model = load_or_train(bot, model_dir)
    info = model.info
    log.info(
        "serving %s: model %s (backend %s, content hash %s, %d intents)",
        settings.bot_dir,
        model_dir,
        info.backend,
        info.content_hash,
        len(info.intents),
    )
    log.info("sessions kept %s", describe_store(settings))
    brains = BrainHolder(Brain(bot=bot, model=model))
    store = build_store(settings, bot.config)
    shared = build_shared_models(settings, brains)
    conversation_log = build_log(settings, bot.config)
    return Services(
        settings=settings,
        brains=brains,
        store=store,
        engine=DialogueEngine(
            brains,
            store,
            parse_threads=anyio.CapacityLimiter(settings.parse_workers),
            recorder=conversation_log.writer if conversation_log else None,
            actions=actions,
        ),
        origins=OriginPolicy(settings.allowed_origins, settings.allowed_hosts),
        reloader=Reloader(brains, settings.bot_dir, model_dir, shared),
        limiter=build_limiter(settings),
        actions=actions,
        shared=shared,
        accounts=build_accounts(settings),
        log=conversation_log,
        api_keys=read_api_keys(settings.api_keys, settings.api_keys_file),
    )


def build_limiter(settings: Settings) -> RateLimiter:
    """The rate limiter the settings ask for, its counters where the sessions are (memory or Redis)."""
    return RateLimiter.build(
        enabled=settings.rate_limits,
        per_address=settings.rate_limit_per_address,
        per_conversation=settings.rate_limit_per_conversation,
        per_api_key=settings.rate_limit_per_api_key,
        redis_url=settings.redis_url,
        redis_prefix=settings.redis_prefix,
        redis_timeout_seconds=settings.redis_timeout_seconds,
    )


def build_shared_models(settings: Settings, brains: BrainHolder) -> SharedModels | None:
    """With Redis, the published model every process serves; without, None (this process's own)."""
    if not settings.redis_url:
        return None
    registry = ModelRegistry.from_settings(settings)
    cache_dir = settings.model_cache_dir or settings.bot_dir / ".causette" / "published"
    return SharedModels(registry, brains, cache_dir, settings.model_poll_seconds, settings.model_lease_seconds)


def build_log(settings: Settings, config: BotConfig) -> ConversationLog | None:
    """The conversation log the settings ask for (None when turned off); started by the lifespan."""
    if not settings.conversation_log:
        log.info("conversation log off")
        return None
    conversation_log = ConversationLog(
        config.name,
        config.privacy,
        LogOptions(
            url=settings.log_database_url(),
            queue_bound=settings.log_queue_bound,
            batch_size=settings.log_batch_size,
            retry_seconds=settings.log_retry_seconds,
            batch_wait_seconds=settings.log_batch_wait_seconds,
            flush_seconds=settings.log_flush_seconds,
            purge_interval_seconds=settings.log_purge_interval_seconds,
        ),
    )
    log.info("conversation log kept in %s", conversation_log.where)
    return conversation_log


def build_accounts(settings: Settings) -> Accounts:
    """The consoles' account system, in the conversation log's database (its schema is migrated at start)."""
    limits = Limits(
        idle_seconds=settings.session_idle_minutes * 60,
        absolute_seconds=settings.session_max_hours * 3600,
        max_failures=settings.sign_in_max_failures,
        lockout_seconds=settings.sign_in_lockout_minutes * 60,
    )
    return Accounts(settings.log_database_url(), limits)


def prepare_log(settings: Settings) -> None:
    """Before several workers start: bring the log's schema up to date once, in this process.

    Each worker checks it again at start, which is then a read; an unreachable database is left to
    the workers, which serve without it and migrate once it answers.
    """
    if not settings.conversation_log:
        return
    database = LogDatabase(settings.log_database_url())

    async def migrate() -> None:
        try:
            await database.migrate()
        finally:
            await database.dispose()

    try:
        asyncio.run(migrate())
    except Exception as error:  # any driver's error: the workers retry
        log.warning("conversation log database unreachable before start (%s)", error)


def model_folder(settings: Settings) -> Path:
    """Where the served model is kept: the settings' ``model_dir``, else the bot folder's default."""
    return settings.model_dir or default_model_dir(settings.bot_dir)


def prepare_model(settings: Settings) -> None:
    """Before a server starts: check the bot, and train and save a model if the saved one is stale.

    Only the saved model's metadata is read: the process that starts ``serve --workers N``
    supervises the workers and never serves, so it does not load a model; each worker does.
    Training here, once, spares the workers from training side by side into the same folder.
    A bot whose action timeout the settings refuse raises ValueError saying why.
    """
    bot = load_bot(settings.bot_dir)
    settings.check_action_timeout(bot)
    folder = model_folder(settings)
    if not saved_model_is_current(bot, folder):
        log.info("training a model for %s into %s", settings.bot_dir, folder)
        train(bot).save(folder)


async def _migrate_accounts(services: Services) -> None:
    """Bring the accounts' tables up to date; unreachable, the consoles answer 503 until it answers."""
    try:
        await services.accounts.migrate()
    except Exception as error:  # any driver's error: the pages retry on each request
        log.warning("accounts database unreachable at start (%s): the consoles answer 503 until it answers", error)


async def _check_store(services: Services) -> None:
    """Warn the operator at start when the session store cannot be reached (turns answer 503)."""
    try:
        await services.store.ping()
    except StoreUnavailable as error:
        log.warning(
            "the session store cannot be reached (%s): conversations answer 503 until it can. Sessions kept %s",
            error,
            describe_store(services.settings),
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
        await _check_store(services)
        if services.shared is not None:
            await services.shared.start(model_folder(settings))
        if services.log is not None:
            await services.log.start()
        await _migrate_accounts(services)  # after the log's migration: one migrates at a time
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
        if services.shared is not None:
            await services.shared.close()
        if services.log is not None:
            await services.log.close()  # the buffer is written before the process ends
        await services.accounts.close()
        await services.store.close()
        await services.actions.close()

    app = FastAPI(
        title="Causette",
        version=version("causette"),
        lifespan=lifespan,
        description="A French-first chatbot: REST API of the conversation channel.",
        docs_url=None,  # served below from the package's own copy of Swagger UI, not a CDN
        redoc_url=None,  # ReDoc's page needs a CDN: Swagger UI alone documents the API
        openapi_url="/openapi.json" if settings.api_docs else None,
    )
    app.state.services = services
    # The last added runs first: the host check, then the headers every answer gets, then the
    # address's rate limit, then the body's bounds, before any route.
    app.add_middleware(
        RequestBodyGuard, max_bytes=settings.max_body_bytes, timeout_seconds=settings.body_timeout_seconds
    )
    app.add_middleware(AddressRateLimit, limiter=services.limiter)
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    app.add_middleware(AllowedHosts, hosts=settings.allowed_hosts)
    app.include_router(rest_router)
    app.include_router(websocket_router)
    account_pages.install(app)
    app.mount("/widget", StaticFiles(directory=STATIC / "widget"), name="widget")
    app.mount("/demo", StaticFiles(directory=STATIC / "demo"), name="demo")
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=STATIC / "swagger"), name="swagger")
    app.add_exception_handler(StoreUnavailable, store_unavailable_response)
    app.add_exception_handler(RateLimited, rate_limited_response)
    app.add_exception_handler(405, method_not_allowed)
    app.add_exception_handler(LogUnavailable, log_unavailable_response)
    if settings.api_docs:
        add_api_docs(app)
        describe_text_rules(app, settings.max_text_chars)

    @app.get(
        "/healthz",
        response_model=Health,
        tags=["ops"],
        responses={
            **error_responses(rate_limited=False),  # health probes are never rate limited
            503: {"model": Health, "description": "the session store cannot be reached"},
        },
    )
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
