"""Which web pages may open the chat WebSocket: an allow-list of origins, checked on connect.

Browsers send the page's ``Origin`` on every WebSocket handshake and do not apply CORS to
WebSockets, so without this check any site could talk to the bot in its visitors' name.

A page of the server's own host may connect, but the ``Host`` header alone proves nothing: a
DNS-rebinding page sends ``Origin: http://evil.example:8000`` with ``Host: evil.example:8000`` to a
server on the visitor's machine. The same-host rule therefore applies only to a host of the
``allowed_hosts`` list (which the host check of every request enforces too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

ANY = "*"
DEFAULT_PORTS = {"http": 80, "https": 443}
_ORIGIN = re.compile(r"^(https?)://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}|\*))?$")


@dataclass(frozen=True)
class OriginRule:
    """An allowed origin: scheme, host and port; ``port=None`` allows any port."""

    scheme: str
    host: str
    port: int | None

    def matches(self, scheme: str, host: str, port: int) -> bool:
        """Whether a page served from ``scheme://host:port`` is allowed."""
        if self.scheme == ANY:
            return True
        return (self.scheme, self.host) == (scheme, host) and self.port in (None, port)


def parse_origin_rule(text: str) -> OriginRule:
    """``https://shop.example``, ``http://localhost:*`` (any port) or ``*`` (any origin)."""
    if text.strip() == ANY:
        return OriginRule(ANY, ANY, None)
    match = _ORIGIN.match(text.strip().lower().rstrip("/"))
    if match is None:
        raise ValueError(f"{text!r} is not an origin like https://shop.example or http://localhost:*")
    scheme, host, port = match.groups()
    if port == ANY:
        return OriginRule(scheme, host, None)
    return OriginRule(scheme, host, int(port) if port else DEFAULT_PORTS[scheme])


_HOST_RULE = re.compile(r"^(\*|(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])$")


def check_host_rule(text: str) -> str:
    """An allowed host as written: ``bot.example.fr``, ``*.example.fr``, ``[::1]`` or ``*``."""
    if not _HOST_RULE.match(text.strip().lower()):
        raise ValueError(f"{text!r} is not a host name like bot.example.fr, *.example.fr or [::1]")
    return text.strip().lower()


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """Whether a host name matches the allow-list: exact, ``*.example.fr`` (subdomains) or ``*``."""
    host = host.lower()
    return any(
        pattern == ANY or host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
        for pattern in (pattern.lower() for pattern in patterns)
    )


class OriginPolicy:
    """The allow-list of origins, plus the server's own host when it is an allowed host."""

    def __init__(self, allowed: Iterable[str], hosts: Iterable[str]) -> None:
        self.rules = [parse_origin_rule(origin) for origin in allowed]
        self.hosts = list(hosts)

    def allows(self, origin: str | None, host: str | None) -> bool:
        """Whether a handshake with this ``Origin`` header, made to this ``Host``, may connect."""
        if origin is None:
            # Only browsers send Origin; other clients could forge any value, so there is
            # nothing to protect by refusing them.
            return True
        origin = origin.strip().lower()
        match = _ORIGIN.match(origin)
        if match is None or match[3] == ANY:
            return any(rule.scheme == ANY for rule in self.rules)
        scheme, origin_host, port = match.groups()
        same_host = host is not None and origin.split("://", 1)[1] == host.strip().lower()
        if same_host and host_allowed(origin_host, self.hosts):
            return True
        effective_port = int(port) if port else DEFAULT_PORTS[scheme]
        return any(rule.matches(scheme, origin_host, effective_port) for rule in self.rules)


_HOST_HEADER = re.compile(r"^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::\d{1,5})?$")


def host_name(header: str | None) -> str | None:
    """The host name of a ``Host`` header (``[::1]`` keeps its brackets), None when malformed."""
    match = _HOST_HEADER.match((header or "").strip().lower())
    return match[1] if match else None


class AllowedHosts:
    """ASGI guard: 400 for a request whose ``Host`` is not an allowed host (defeats DNS rebinding).

    Starlette's TrustedHostMiddleware does the same with a plain-text answer; this one answers in
    the API's JSON error shape and matches hosts exactly as the origin check does.
    """

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = list(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and ANY not in self.hosts:
            name = host_name(Headers(scope=scope).get("host"))
            if name is None or not host_allowed(name, self.hosts):
                refusal = JSONResponse({"detail": "this server does not answer to this host name"}, status_code=400)
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)
