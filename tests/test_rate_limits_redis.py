"""Rate limits kept in Redis hold across processes: two servers' limiters share one count."""

from __future__ import annotations

import asyncio

import pytest

from channels.server.ratelimit import Dimension, RateLimited, RateLimiter
from tests.support import RedisServer


def limiter(redis_url: str | None) -> RateLimiter:
    return RateLimiter.build(
        enabled=True,
        per_address="1000/minute",
        per_conversation="4/minute",
        per_api_key="1000/minute",
        redis_url=redis_url,
        redis_prefix="test-limits",
    )


async def hits(limiters: list[RateLimiter], key: str, times: int) -> list[bool]:
    """Whether each of ``times`` hits, spread over the limiters in turn, passed."""
    passed = []
    for index in range(times):
        try:
            await limiters[index % len(limiters)].hit(Dimension.CONVERSATION, key)
            passed.append(True)
        except RateLimited:
            passed.append(False)
    return passed


def test_two_processes_share_a_count_through_redis(redis_server: RedisServer) -> None:
    first, second = limiter(redis_server.url), limiter(redis_server.url)
    assert asyncio.run(hits([first, second], "shared", 6)) == [True] * 4 + [False] * 2


def test_in_memory_each_process_counts_alone() -> None:
    first, second = limiter(None), limiter(None)
    assert asyncio.run(hits([first, second], "alone", 6)) == [True] * 6


@pytest.mark.parametrize("dimension", list(Dimension))
def test_an_api_key_is_a_dimension_like_the_others(dimension: Dimension) -> None:
    counted = RateLimiter.build(
        enabled=True, per_address="2/minute", per_conversation="2/minute", per_api_key="2/minute"
    )

    async def three() -> None:
        for _ in range(3):
            await counted.hit(dimension, "k")

    with pytest.raises(RateLimited, match=dimension.value.replace("_", " ")):
        asyncio.run(three())


def test_when_redis_is_down_requests_pass(tmp_path: object) -> None:
    unreachable = limiter("redis://127.0.0.1:1/0")
    assert asyncio.run(hits([unreachable], "down", 6)) == [True] * 6
