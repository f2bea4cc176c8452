"""Request signatures: ``X-Causette-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The bot signs each action request with the secret it shares with the action server: the HMAC-SHA256
of ``"<t>.<raw body>"`` in hexadecimal, ``t`` being the time of sending in whole seconds. The
server recomputes it over the bytes it received and refuses the request when the signature is
missing or malformed, differs (forged, or the body was changed), is too old or from the future
(outside the tolerance window), or was already seen (replayed within the window).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Literal

SIGNATURE_HEADER = "X-Causette-Signature"
DEFAULT_TOLERANCE_SECONDS = 300

Refusal = Literal["missing", "malformed", "mismatch", "expired", "replayed"]


class SignatureError(Exception):
    """A request whose signature does not prove it comes, just now, from the bot."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def signature_hex(secret: str | bytes, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"``."""
    return hmac.new(_key(secret), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: bytes, timestamp: int | None = None) -> str:
    """The ``X-Causette-Signature`` header value for ``body`` sent at ``timestamp`` (default: now)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature_hex(secret, t, body)}"


def parse_header(header: str) -> tuple[int, list[str]]:
    """The timestamp and the ``v1`` signatures of a header (SignatureError when malformed)."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise SignatureError("malformed", f"{SIGNATURE_HEADER} must read t=<unix seconds>,v1=<hex>")
    return timestamp, signatures


class SignatureVerifier:
    """Checks signatures with one secret; remembers those seen within the window to refuse replays.

    The memory only holds signatures younger than the window: older ones are refused as expired
    anyway, so it stays as small as the traffic of ``tolerance_seconds``.
    """

    def __init__(
        self,
        secret: str | bytes,
        tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            raise ValueError("the shared secret must not be empty")
        self._secret = _key(secret)
        self.tolerance_seconds = tolerance_seconds
        self._clock = clock
        self._seen: dict[str, int] = {}  # signature -> its timestamp

    def verify(self, header: str | None, body: bytes) -> None:
        """Accept the request (and remember its signature), or raise SignatureError saying why."""
        if not header:
            raise SignatureError("missing", f"no {SIGNATURE_HEADER} header")
        timestamp, signatures = parse_header(header)
        now = self._clock()
        if abs(now - timestamp) > self.tolerance_seconds:
            raise SignatureError("expired", "the signature's timestamp is outside the tolerance window")
        expected = signature_hex(self._secret, timestamp, body)
        # compare_digest takes the same time whatever the first differing character.
        if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            raise SignatureError("mismatch", "the signature does not match the body")
        self._forget_before(now - self.tolerance_seconds)
        if expected in self._seen:
            raise SignatureError("replayed", "this request was already received")
        self._seen[expected] = timestamp

    def _forget_before(self, oldest: float) -> None:
        for signature in [s for s, t in self._seen.items() if t < oldest]:
            del self._seen[signature]
