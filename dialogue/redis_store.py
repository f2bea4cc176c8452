"""Sessions in Redis: any server process can serve any turn of any conversation.

Three keys per session; the ``{ID}`` hash tag puts them in one Redis Cluster slot, so that one
script may use them all:

    PREFIX:session:{ID}   the session's state as JSON, expiring ``ttl_seconds`` after its last turn
    PREFIX:history:{ID}   its history, a list of JSON messages capped at the bot's history_limit,
                          expiring with the state
    PREFIX:lock:{ID}      the token of the turn being applied, expiring after ``lock_seconds``

A turn costs two round trips when nobody else is applying a turn to the same session: one script
takes the lock and reads the state, one writes the state, appends the turn's messages to the
history (RPUSH then LTRIM) and frees the lock. A turn never reads the history, so its cost does not
grow with the conversation. The write is fenced: it happens only if the lock is still this turn's,
so a turn that outlived its lock is refused instead of overwriting a newer turn. Erasing a session
takes its lock too, so that a turn in flight cannot write the erased session back.

A lock request carries a deadline: the moment its caller stops waiting for the answer. Redis runs
the commands it received while stalled once it thaws; a request run past its deadline takes
nothing, so a turn whose client has given up cannot block its conversation after the stall. The
deadline is in Redis's clock: every answer carries Redis's time, and the store keeps the offset
between the two clocks.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from dialogue.session import HistoryEntry, Session
from dialogue.store import SessionStore, StoreUnavailable

log = logging.getLogger(__name__)

# KEYS: lock, session. ARGV: token, lock lifetime (ms), deadline (ms since the epoch, Redis's
# clock). Returns {TAKEN, Redis time, session JSON or nil}, {BUSY, Redis time} or {LATE, Redis time}.
# A lock already holding this token counts as taken: the client may resend after a lost reply.
_ACQUIRE = """
local time = redis.call('time')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if now > tonumber(ARGV[3]) then
  return {-1, now}
end
local holder = redis.call('get', KEYS[1])
if holder and holder ~= ARGV[1] then
  return {0, now}
end
redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2])
return {1, now, redis.call('get', KEYS[2])}
"""
TAKEN, BUSY, LATE = 1, 0, -1

# KEYS: lock, session, history. ARGV: token, session JSON, session TTL (ms), history limit (0: none),
# 1 when the session is new (a history left by an expired one is dropped), then the messages to
# append to the history. Returns 1 if saved, 0 if the lock is no longer this turn's.
_COMMIT = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('set', KEYS[2], ARGV[2], 'px', ARGV[3])
if ARGV[5] == '1' then
  redis.call('del', KEYS[3])
end
if #ARGV > 5 then
  redis.call('rpush', KEYS[3], unpack(ARGV, 6))
  local limit = tonumber(ARGV[4])
  if limit > 0 then
    redis.call('ltrim', KEYS[3], -limit, -1)
  end
end
redis.call('pexpire', KEYS[3], ARGV[3])
redis.call('del', KEYS[1])
return 1
"""

# KEYS: lock, session, history. ARGV: token. Returns 1 if erased, 0 if the lock is no longer this caller's.
_ERASE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('del', KEYS[2], KEYS[3], KEYS[1])
return 1
"""

# KEYS: lock. ARGV: token. Frees the lock only if it is still this turn's.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""

DEFAULT_PREFIX = "causette"
DEFAULT_TIMEOUT_SECONDS = 1.0
DEFAULT_LOCK_SECONDS = 5.0
DEFAULT_WAIT_SECONDS = 8.0
FIRST_PAUSE = 0.002  # seconds between lock attempts, doubling up to MAX_PAUSE
MAX_PAUSE = 0.05


class RedisStore(SessionStore):
    """Sessions shared by every process pointing at one Redis; turns on a session are serialised.

    ``lock_seconds`` bounds how long a crashed process can hold a session; ``wait_seconds`` is how
    long a turn waits for the session before the store is reported unavailable.
    """

    def __init__(
        self,
        client: Redis,
        ttl_seconds: float,
        *,
        prefix: str = DEFAULT_PREFIX,
        lock_seconds: float = DEFAULT_LOCK_SECONDS,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(ttl_seconds, clock)
        self.client = client
        self.prefix = prefix
        self.lock_seconds = lock_seconds
        self.wait_seconds = wait_seconds
        self._acquire = client.register_script(_ACQUIRE)
        self._commit = client.register_script(_COMMIT)
        self._erase = client.register_script(_ERASE)
        self._release = client.register_script(_RELEASE)
        # How long a caller waits for one command's answer (None: no limit), and how far Redis's
        # clock is ahead of this process's (learnt from every lock answer).
        self._command_seconds: float | None = client.connection_pool.connection_kwargs.get("socket_timeout")
        self._redis_clock_ahead_ms = 0.0

    @classmethod
    def from_url(
        cls,
        url: str,
        ttl_seconds: float,
        *,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        prefix: str = DEFAULT_PREFIX,
        lock_seconds: float = DEFAULT_LOCK_SECONDS,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> RedisStore:
        """A store on the Redis at ``url``. Nothing connects yet: a server starts while Redis is down.

        Every command fails after ``timeout_seconds`` rather than holding a request while Redis is
        stuck. Only a connection error is retried, once: it is what a pooled connection closed by a
        Redis restart gives, and the command never reached Redis. A timeout is not retried: the
        command may have run, and the caller should hear of the outage at once.
        """
        client = Redis.from_url(
            url,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        return cls(
            client, ttl_seconds, prefix=prefix, lock_seconds=lock_seconds, wait_seconds=wait_seconds, clock=clock
        )

    def keys(self, session_id: str) -> tuple[str, str, str]:
        """The lock key, the state's key and the history's key of a session."""
        return session_keys(self.prefix, session_id)

    @asynccontextmanager
    async def transaction(self, session_id: str) -> AsyncIterator[Session]:
        async with self._held(session_id) as (keys, token, stored):
            found = self._decode(stored)
            session = found or self.new_session(session_id)
            yield session
            session.updated_at = self.clock()
            await self._save(session, keys, token, new=found is None)

    @asynccontextmanager
    async def _held(self, session_id: str) -> AsyncIterator[tuple[tuple[str, str, str], str, bytes | str | None]]:
        """Hold the session's lock: (keys, token, stored JSON). The body must free it (its last
        script does); a body that fails frees it here."""
        keys, token = self.keys(session_id), secrets.token_hex(16)
        try:
            stored = await self._lock(session_id, keys, token)
        except asyncio.CancelledError:
            # The request may have reached Redis, which takes the lock for nobody: free it.
            await self._unlock_quietly(keys, token)
            raise
        try:
            yield keys, token, stored
        except BaseException:
            await self._unlock_quietly(keys, token)
            raise

    async def _lock(self, session_id: str, keys: tuple[str, str, str], token: str) -> bytes | str | None:
        """Take the session's lock, waiting up to ``wait_seconds``; the stored JSON, if any."""
        deadline = time.monotonic() + self.wait_seconds
        pause = FIRST_PAUSE
        while True:
            status, stored = await self._try_lock(keys, token, deadline)
            if status == TAKEN:
                return stored
            if time.monotonic() + pause > deadline:
                raise StoreUnavailable(
                    f"session {session_id!r} is busy: another turn held it for {self.wait_seconds:g} s"
                )
            if status == BUSY:
                # Jitter, so that waiters in several processes do not retry in step.
                await asyncio.sleep(pause * random.uniform(0.5, 1.0))
                pause = min(pause * 2, MAX_PAUSE)
            # LATE, answered in time: the clocks' offset was off, and is now learnt; try again.

    async def _try_lock(
        self, keys: tuple[str, str, str], token: str, deadline: float
    ) -> tuple[int, bytes | str | None]:
        """One lock request, void if Redis runs it after this caller stops waiting for its answer
        (the command timeout, or ``deadline`` on the monotonic clock): (status, stored JSON)."""
        budget = deadline - time.monotonic()
        if self._command_seconds is not None:
            budget = min(budget, self._command_seconds)
        void_after = round(time.time() * 1000 + self._redis_clock_ahead_ms + budget * 1000)
        with _unavailable_on_redis_error():
            status, redis_now, *stored = await self._acquire(
                keys=keys[:2], args=[token, _ms(self.lock_seconds), void_after]
            )
        self._redis_clock_ahead_ms = redis_now - time.time() * 1000
        return status, stored[0] if stored else None

    async def _save(self, session: Session, keys: tuple[str, str, str], token: str, *, new: bool) -> None:
        messages = [entry.model_dump_json() for entry in session.new_history]
        state = session.model_dump_json()
        args: list[str | int] = [token, state, _ms(self.ttl_seconds), session.history_limit or 0, int(new), *messages]
        with _unavailable_on_redis_error():
            saved = await self._commit(keys=keys, args=args)
        if not saved:
            raise StoreUnavailable(
                f"session {session.id!r}: the turn outlived its {self.lock_seconds:g} s lock and was not saved"
            )

    async def _unlock_quietly(self, keys: tuple[str, str, str], token: str) -> None:
        """Free the lock after a failed turn; when Redis cannot be reached, the lock expires alone."""
        try:
            await self._release(keys=keys[:1], args=[token])
        except RedisError as error:
            log.warning("could not release session lock %s (it expires by itself): %s", keys[0], error)

    def _decode(self, stored: bytes | str | None) -> Session | None:
        if stored is None:
            return None
        session = Session.model_validate_json(stored)
        # Redis expires the key too; this check gives the same answer as the memory store's clock.
        return None if self.expired(session.updated_at) else session

    async def get(self, session_id: str) -> Session | None:
        with _unavailable_on_redis_error():
            stored = await self.client.get(self.keys(session_id)[1])
        return self._decode(stored)

    async def history(self, session_id: str, last: int | None = None) -> list[HistoryEntry] | None:
        _, state_key, history_key = self.keys(session_id)
        with _unavailable_on_redis_error():
            async with self.client.pipeline(transaction=True) as pipeline:
                pipeline.get(state_key)
                pipeline.lrange(history_key, 0 if last is None else -last, -1)
                stored, messages = await pipeline.execute()
        if self._decode(stored) is None:
            return None
        return [HistoryEntry.model_validate_json(message) for message in messages]

    async def delete(self, session_id: str) -> None:
        async with self._held(session_id) as (keys, token, _):
            with _unavailable_on_redis_error():
                erased = await self._erase(keys=keys, args=[token])
            if not erased:
                raise StoreUnavailable(f"session {session_id!r}: the erasure outlived its lock and did not happen")

    async def ping(self) -> None:
        with _unavailable_on_redis_error():
            await self.client.ping()

    async def close(self) -> None:
        await self.client.aclose()


def session_keys(prefix: str, session_id: str) -> tuple[str, str, str]:
    """The lock, state and history keys of a session under ``prefix``, in one Cluster slot."""
    tag = "{" + session_id + "}"
    return f"{prefix}:lock:{tag}", f"{prefix}:session:{tag}", f"{prefix}:history:{tag}"


@contextmanager
def _unavailable_on_redis_error() -> Iterator[None]:
    """Redis errors (unreachable, timeout, refused command) as the store's StoreUnavailable."""
    try:
        yield
    except RedisError as error:
        raise StoreUnavailable(f"Redis: {type(error).__name__}: {error}") from error


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
