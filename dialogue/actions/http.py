"""Signed action calls over HTTP, with one pooled ``httpx.AsyncClient`` per server.

Each call is bounded by the bot's ``timeout_seconds`` as a whole, retry included: the turn that
makes it holds its conversation's lock meanwhile. A call is retried once, and only when the
connection could not be made (refused, unknown host): then the request cannot have reached the
action server, so running it twice is impossible. A read timeout or a dropped connection is not
retried: the action may have run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping

import httpx
from pydantic import ValidationError

from causette_sdk.protocol import ActionRequest, ActionResponse
from causette_sdk.signature import SIGNATURE_HEADER, sign
from dialogue.actions.breaker import Breakers
from dialogue.actions.faults import ActionFault
from nlu.config import ActionsConfig

MAX_RESPONSE_BYTES = 256 * 1024


class HttpActionRunner:
    """POSTs signed action requests and validates the answers; a breaker guards each endpoint."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        environ: Mapping[str, str],
        breakers: Breakers | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        url: str | None = None,
        lock_seconds: float | None = None,
    ) -> None:
        self.client = client
        self.environ = environ  # where the shared secret is read, by the name bot.toml gives
        self.breakers = breakers or Breakers()
        self.max_response_bytes = max_response_bytes
        self.url = url  # the deployment's action server, instead of bot.toml's [actions] url
        # The session lock a turn holds while it calls: a bot reloaded with a timeout reaching it
        # gets no calls (the server refuses such a bot at start; a reload is checked here).
        self.lock_seconds = lock_seconds

    @classmethod
    def pooled(
        cls, environ: Mapping[str, str], url: str | None = None, lock_seconds: float | None = None
    ) -> HttpActionRunner:
        """A runner with its own pool of connections (one per process is enough)."""
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        return cls(httpx.AsyncClient(limits=limits), environ, url=url, lock_seconds=lock_seconds)

    async def call(self, config: ActionsConfig, request: ActionRequest) -> ActionResponse:
        """The action's validated response, or ActionFault."""
        url = self._url(config, request.action)
        if url is None:
            raise ActionFault("not_configured", f"no URL for action {request.action!r} in [actions]")
        if self.lock_seconds is not None and config.timeout_seconds >= self.lock_seconds:
            raise ActionFault(
                "not_configured",
                f"timeout_seconds {config.timeout_seconds:g} reaches the session lock time ({self.lock_seconds:g} s)",
            )
        secret = self.environ.get(config.secret_env)
        if not secret:
            raise ActionFault("not_configured", f"the environment variable {config.secret_env} holds no secret")
        body = request.model_dump_json().encode()
        async with self.breakers.guard(url, config):
            try:
                async with asyncio.timeout(config.timeout_seconds):
                    status, content = await self._post(url, body, secret, config.timeout_seconds)
            except TimeoutError:
                raise ActionFault("timeout", f"no answer within {config.timeout_seconds:g} s") from None
            return _response(status, content)

    def _url(self, config: ActionsConfig, action: str) -> str | None:
        """The action's own URL, else this deployment's (``CAUSETTE_ACTIONS_URL``), else bot.toml's."""
        if action in config.urls or self.url is None:
            return config.url_for(action)
        return self.url

    async def close(self) -> None:
        """Close the pooled connections."""
        await self.client.aclose()

    async def _post(self, url: str, body: bytes, secret: str, timeout: float) -> tuple[int, bytes]:
        try:
            try:
                return await self._post_once(url, body, secret, timeout)
            except httpx.ConnectError:
                # No connection was made: the request never reached the server, so once more.
                return await self._post_once(url, body, secret, timeout)
        except httpx.ConnectError as error:
            raise ActionFault("unreachable", str(error) or "connection refused") from None
        except httpx.TimeoutException:
            raise ActionFault("timeout", f"no answer within {timeout:g} s") from None
        except httpx.HTTPError as error:
            raise ActionFault("unreachable", f"{type(error).__name__}: {error}") from None

    async def _post_once(self, url: str, body: bytes, secret: str, timeout: float) -> tuple[int, bytes]:
        headers = {"content-type": "application/json", SIGNATURE_HEADER: sign(secret, body)}
        async with self.client.stream("POST", url, content=body, headers=headers, timeout=timeout) as answer:
            return answer.status_code, await self._read(answer)

    async def _read(self, answer: httpx.Response) -> bytes:
        content = bytearray()
        async for chunk in answer.aiter_bytes():
            content += chunk
            if len(content) > self.max_response_bytes:
                raise ActionFault("too_large", f"the answer exceeds {self.max_response_bytes} bytes")
        return bytes(content)


def _response(status: int, content: bytes) -> ActionResponse:
    """The answer's body as an ActionResponse, or the fault that says what is wrong with it."""
    if not 200 <= status < 300:
        raise ActionFault("http_status", f"HTTP {status}")
    try:
        document = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ActionFault("invalid_json", f"the answer is not JSON ({error})") from None
    try:
        return ActionResponse.model_validate(document)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ActionFault(
            "invalid_response", f"{error.error_count()} error(s) against the protocol; {where}: {first['msg']}"
        ) from None
