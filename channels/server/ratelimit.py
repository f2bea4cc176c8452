"""Rate limits per client address, per conversation and per API key, kept by the ``limits`` library.

Counters live in this process's memory, or in Redis when the server keeps its sessions there, so
that a limit holds across every process behind a load balancer. Each dimension has its own list
of limits in ``limits``' notation (``"20/second;600/minute"``); a key (an address, a conversation
id, an API key's id) is refused once any of its dimension's limits is spent.
"""

from __future__ import annotations

import logging
import math
import time
from enum import StrEnum

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("causette.server")

# Health probes come from the load balancer and must never be refused: they are not counted.
UNCOUNTED_PATHS = frozenset({"/healthz"})


class Dimension(StrEnum):
    """What a limit counts by."""

    ADDRESS = "address"
    CONVERSATION = "conversation"
    API_KEY = "api_key"


class RateLimited(Exception):
    """A client over one of its limits: retry in ``retry_after`` seconds."""

    def __init__(self, dimension: Dimension, retry_after: int) -> None:
        super().__init__(f"too many requests for this {dimension.replace('_', ' ')}: retry in {retry_after} s")
        self.dimension = dimension
        self.retry_after = retry_after


def parse_rate_limits(text: str) -> list[RateLimitItem]:
    """``"20/second;600/minute"`` as limits' items; ValueError naming the text when it is not one."""
    try:
        return parse_many(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a list of rate limits like '20/second;600/minute'") from None


class RateLimiter:
    """Checks and counts one hit of a key in a dimension; does nothing when disabled."""

    def __init__(self, storage: Storage, limits: dict[Dimension, list[RateLimitItem]], enabled: bool = True) -> None:
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        self.limits = limits
        self.enabled = enabled

    @classmethod
    def build(
        cls,
        *,
        enabled: bool,
        per_address: str,
        per_conversation: str,
        per_api_key: str,
        redis_url: str | None = None,
        redis_prefix: str = "causette",
        redis_timeout_seconds: float = 1.0,
    ) -> RateLimiter:
        """A limiter over Redis when a URL is given (limits shared by processes), else in memory."""
        storage: Storage = MemoryStorage(wrap_exceptions=True)
        if redis_url:
            storage = RedisStorage(
                f"async+{redis_url}",
                implementation="redispy",
                wrap_exceptions=True,
                key_prefix=f"{redis_prefix}:limits",
                socket_timeout=redis_timeout_seconds,
                socket_connect_timeout=redis_timeout_seconds,
            )
        limits = {
            Dimension.ADDRESS: parse_rate_limits(per_address),
            Dimension.CONVERSATION: parse_rate_limits(per_conversation),
            Dimension.API_KEY: parse_rate_limits(per_api_key),
        }
        return cls(storage, limits, enabled)

    async def hit(self, dimension: Dimension, key: str) -> None:
        """Count one request of ``key``; RateLimited when one of the dimension's limits is spent.

        When the counters cannot be reached (Redis down), requests pass: the session store's own
        503 says what is wrong, and a limit must not take the whole service down with it.
        """
        if not self.enabled:
            return
        try:
            for item in self.limits[dimension]:
                if not await self.strategy.hit(item, dimension.value, key):
                    stats = await self.strategy.get_window_stats(item, dimension.value, key)
                    raise RateLimited(dimension, max(1, math.ceil(stats.reset_time - time.time())))
        except StorageError as error:
            log.warning("rate limits not applied, their counters cannot be reached: %s", error)


def too_many_requests(limited: RateLimited) -> JSONResponse:
    """The 429 answer: the reason, and when to retry in ``Retry-After``."""
    return JSONResponse({"detail": str(limited)}, status_code=429, headers={"Retry-After": str(limited.retry_after)})


async def rate_limited_response(request: Request, error: Exception) -> JSONResponse:
    """Exception handler for RateLimited raised by a route: the 429 answer."""
    if not isinstance(error, RateLimited):
        raise error
    return too_many_requests(error)


class AddressRateLimit:
    """ASGI guard counting every HTTP request and WebSocket handshake against its client address."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"] not in UNCOUNTED_PATHS:
            try:
                await self.limiter.hit(Dimension.ADDRESS, client_address(scope))
            except RateLimited as limited:
                # A WebSocket handshake gets the same HTTP 429 (the ASGI handshake-response extension).
                await too_many_requests(limited)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def client_address(scope: Scope) -> str:
    """The client's IP address (uvicorn puts a trusted proxy's X-Forwarded-For there)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
