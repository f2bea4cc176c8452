"""An ASGI guard that reads each request body in full, bounded in size and time, before the app.

Bodies over ``max_bytes`` get 413 whether their length is declared or streamed (chunked); a body
that does not arrive within ``timeout_seconds`` gets 408, so a client trickling its body cannot
hold a request open; a JSON body that is not strict JSON gets 422 (see ``json_body``). The API's
bodies are small (16 KiB by default), so holding one in memory costs nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channels.server.json_body import JsonRefused, check_json, validation_error_body


class RequestBodyGuard:
    """413, 408 or 422 for a body too large, too slow or not strict JSON; else the app, body in hand."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._too_large()(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.timeout_seconds):
                body = await self._read(receive)
        except TimeoutError:
            await _refuse(408, f"request body not received within {self.timeout_seconds:g} s")(scope, receive, send)
            return
        except _TooLarge:
            await self._too_large()(scope, receive, send)
            return
        if body is None:
            return  # the client left: nothing to answer
        if body and _is_json(headers.get(b"content-type", b"")):
            try:
                check_json(body)
            except JsonRefused as refused:
                await JSONResponse(validation_error_body(str(refused)), status_code=422)(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> JSONResponse:
        return _refuse(413, f"request body larger than {self.max_bytes} bytes")


def _refuse(status: int, detail: str) -> JSONResponse:
    # The rest of the body is not read: the connection cannot carry another request.
    return JSONResponse({"detail": detail}, status_code=status, headers={"Connection": "close"})


def _is_json(content_type: bytes) -> bool:
    media_type = content_type.split(b";", 1)[0].strip().lower()
    return media_type == b"application/json" or media_type.endswith(b"+json")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive giving the app the body already read, then the client's later messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
        return message

    return replay


class _TooLarge(Exception):
    pass
