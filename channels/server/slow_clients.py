"""uvicorn's HTTP protocol with a header read timeout: a client trickling its headers is cut off.

uvicorn bounds idle keep-alive connections (``timeout_keep_alive``) and open connections
(``limit_concurrency``) but sets no deadline on reading a request's headers: the keep-alive timer
is not armed on a new connection, and every byte received disarms it, so a client sending one
header byte every few seconds holds its connection forever (and, a few hundred of them, every
file descriptor). This protocol gives each request's headers ``header_timeout`` seconds from the
connection's start or the previous response's end, then closes the connection. Bodies are bounded
by the app (``limits.RequestBodyGuard``, 408); WebSocket connections leave this protocol once upgraded.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """HttpToolsProtocol closing a connection whose request headers are not complete in time."""

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's headers, on this kept-alive connection

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self.header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _headers_too_slow(self) -> None:
        self.header_deadline = None
        # An upgraded connection belongs to the WebSocket protocol now: not this timer's business.
        if self.transport.get_protocol() is self and not self.transport.is_closing():
            self.logger.info("closing a connection whose request headers took over %g s", self.header_timeout)
            self.transport.close()
