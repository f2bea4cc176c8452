"""Security headers on every HTTP answer: a CSP without inline code, no sniffing, no referrer.

The server's pages (the demo, the API docs) load only their own scripts and stylesheets, so the
policy allows nothing else: no inline script or style, no other origin, no plugin. Which pages may
show them in a frame is the operator's ``frame_ancestors`` setting.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(frame_ancestors: Iterable[str]) -> str:
    """The policy of every answer; data: images are Swagger UI's icons."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {' '.join(frame_ancestors)}",
        ]
    )


class SecurityHeaders:
    """ASGI middleware adding the security headers to each HTTP response start."""

    def __init__(self, app: ASGIApp, frame_ancestors: Iterable[str]) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(frame_ancestors),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
