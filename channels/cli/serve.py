"""``causette serve``: the HTTP server (REST, WebSocket, widget) under uvicorn."""

from __future__ import annotations

import argparse
import copy
import functools
import os
import sys
from typing import Any, cast

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from channels.cli.exit_codes import EXIT_USAGE
from channels.server.app import prepare_log, prepare_model
from channels.server.settings import Settings
from channels.server.slow_clients import HeaderTimeoutProtocol

# WebSocket frames above ws_max_frame_bytes get an error frame; frames above this much larger bound
# are not read in full: the server closes the connection (code 1009).
WS_TRANSPORT_MAX_BYTES = 1 << 20
# A worker answers uvicorn's health pings only once its interpreter is up: on a busy machine that
# takes longer than uvicorn's default 5 s, and the supervisor would kill and respawn workers forever.
WORKER_HEALTHCHECK_SECONDS = 60
# An idle kept-alive connection is closed after this long (uvicorn's default, said here).
KEEP_ALIVE_SECONDS = 5
# Largest request head (request line and headers) h11 buffers; httptools has its own bound.
MAX_HEAD_BYTES = 16_384


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the HTTP server (REST, WebSocket, widget) with uvicorn."""
    # Worker processes build their app from the environment (uvicorn's factory takes no arguments).
    os.environ["CAUSETTE_BOT_DIR"] = str(args.bot_dir)
    if args.model_dir:
        os.environ["CAUSETTE_MODEL_DIR"] = str(args.model_dir)
    if args.redis_url:
        os.environ["CAUSETTE_REDIS_URL"] = args.redis_url
    if args.workers > 1 and not Settings().redis_url:
        print(
            "causette serve: several workers need sessions in Redis (--redis-url or "
            "CAUSETTE_REDIS_URL): sessions kept in memory live in one process, so a conversation "
            "would lose its context whenever its turns reach different workers.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.watch:
        os.environ["CAUSETTE_WATCH"] = "true"
    settings = Settings()
    try:
        prepare_model(settings)  # checks and trains if needed, loads nothing: each worker loads its model
    except ValueError as refused:  # settings that do not fit the bot (its action timeout)
        print(f"causette serve: {refused}", file=sys.stderr)
        return EXIT_USAGE
    prepare_log(settings)  # the log's schema, migrated once before the workers start
    # No permessage-deflate: its per-connection state doubled the memory of an idle chat session
    # (bench/websocket_load.py: ~65 KiB against ~31 KiB), for frames of a few hundred bytes.
    uvicorn.run(
        "channels.server.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        log_config=_log_config(args.log_level),
        ws_max_size=WS_TRANSPORT_MAX_BYTES,
        ws_per_message_deflate=False,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **_client_bounds(settings),
    )
    return 0


def _client_bounds(settings: Settings) -> dict[str, Any]:
    """uvicorn's options bounding clients: open connections (503 over the cap), idle keep-alive,
    the request head's size, and the header read timeout uvicorn lacks (slow_clients)."""
    protocol = functools.partial(HeaderTimeoutProtocol, header_timeout=settings.header_timeout_seconds)
    return {
        "http": cast(Any, protocol),  # uvicorn takes a protocol class; a partial builds the same
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }


def _log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging, plus Causette's own messages (reloads, content problems) alongside."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["causette"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config
