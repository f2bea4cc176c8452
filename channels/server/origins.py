"""Which web pages may open the chat WebSocket: an allow-list of origins, checked on connect.

Browsers send the page's ``Origin`` on every WebSocket handshake and do not apply CORS to
WebSockets, so without this check any site could talk to the bot in its visitors' name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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


class OriginPolicy:
    """The allow-list of origins, plus the server's own host (its demo page uses the widget)."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.rules = [parse_origin_rule(origin) for origin in allowed]

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
        if host is not None and origin.split("://", 1)[1] == host.strip().lower():
            return True
        effective_port = int(port) if port else DEFAULT_PORTS[scheme]
        return any(rule.matches(scheme, origin_host, effective_port) for rule in self.rules)
