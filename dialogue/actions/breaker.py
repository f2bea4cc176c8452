"""One circuit breaker per action endpoint (purgatory's, in memory).

After ``breaker_failures`` consecutive failed calls, an endpoint is not called for
``breaker_pause_seconds``: its turns get the unavailable answer at once instead of waiting for a
timeout each. After the pause one call goes through (half-open): a success closes the breaker, a
failure opens it for another pause.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState

from dialogue.actions.faults import ActionFault
from nlu.config import ActionsConfig


class Breakers:
    """The breakers of one process, by endpoint URL."""

    def __init__(self) -> None:
        self._factory = AsyncCircuitBreakerFactory()

    @asynccontextmanager
    async def guard(self, endpoint: str, config: ActionsConfig) -> AsyncIterator[None]:
        """Run the block unless ``endpoint``'s breaker is open (ActionFault ``circuit_open``);
        an exception out of the block counts as a failure of the endpoint."""
        breaker = await self._factory.get_breaker(
            endpoint, threshold=config.breaker_failures, ttl=config.breaker_pause_seconds
        )
        try:
            async with breaker:
                yield
        except OpenedState:
            raise ActionFault(
                "circuit_open", f"{endpoint} failed {config.breaker_failures} times in a row: not called for now"
            ) from None
