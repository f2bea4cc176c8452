"""Who may touch a conversation: its visitor (by the token it got when the conversation was
opened), an API key (in its own namespace of ids), or the admin key (reads and erases any).

A visitor's token is 32 random bytes (``secrets.token_urlsafe``); the session keeps only its
SHA-256, compared in constant time. API keys are high-entropy too, and configured as
``NAME:SHA256HEX`` entries (``causette apikey new NAME`` prints one), so the server never holds
a key in clear. An API key's conversation ``alice`` is stored as ``NAME.alice``: visitor ids
(32 hex digits) and ids of other keys can never reach it, as ids cannot contain a dot.

Failures never tell whether a conversation exists: no credentials at all is a 401; a token that
does not open the conversation, and an unknown conversation, are the same 404.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Header, HTTPException, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from channels.schemas import SessionId
from channels.server.api_keys import KEY_NAME_PATTERN, digest
from channels.server.ratelimit import Dimension
from channels.server.services import Services, get_services
from dialogue import Session

TOKEN_HEADER = "X-Conversation-Token"

_bearer = HTTPBearer(auto_error=False, description="an API key (CAUSETTE_API_KEYS) or the admin key")


@dataclass(frozen=True)
class Caller:
    """Who sent a request: a visitor with a conversation token, an API key's client, the admin."""

    kind: Literal["visitor", "api_key", "admin"]
    key_name: str | None = None
    token: str | None = None

    def store_id(self, session_id: str, owner_key: str | None = None) -> str:
        """The store's id of conversation ``session_id`` as this caller names it."""
        namespace = self.key_name if self.kind == "api_key" else owner_key if self.kind == "admin" else None
        return f"{namespace}.{session_id}" if namespace else session_id

    def admits(self, session: Session) -> bool:
        """Whether this caller may touch ``session`` (read before, or inside its transaction)."""
        if self.kind != "visitor":
            return True  # an API key stays in its namespace; the admin may touch any
        return (
            self.token is not None
            and session.token_hash is not None
            and secrets.compare_digest(session.token_hash, digest(self.token))
        )


class NotYours(Exception):
    """The caller may not touch this conversation (or it does not exist): answered as a 404."""


def not_found(session_id: str) -> HTTPException:
    """The one answer for an unknown conversation and for one the caller may not touch."""
    return HTTPException(404, f"no conversation {session_id!r} for these credentials")


def identify(services: Services, credentials: HTTPAuthorizationCredentials | None, token: str | None) -> Caller | None:
    """The caller of a request, None when it sent no credentials; 401 for an unknown key."""
    if credentials is not None:
        secret = credentials.credentials
        admin = services.settings.admin_key
        if admin is not None and secrets.compare_digest(secret.encode(), admin.get_secret_value().encode()):
            return Caller("admin")
        name = _key_name(services.api_keys, digest(secret))
        if name is None:
            raise HTTPException(401, "unknown API key", headers={"WWW-Authenticate": "Bearer"})
        return Caller("api_key", key_name=name)
    if token:
        return Caller("visitor", token=token)
    return None


def _key_name(keys: dict[str, str], hashed: str) -> str | None:
    found = None
    for name, expected in keys.items():  # every entry compared: the time says nothing of which
        if secrets.compare_digest(expected, hashed):
            found = name
    return found


TokenHeader = Annotated[
    str | None,
    Header(alias=TOKEN_HEADER, description="the conversation's token, returned when it was opened"),
]
OwnerKey = Annotated[
    str | None,
    Query(pattern=KEY_NAME_PATTERN, description="admin key only: the API key whose conversation this is"),
]


async def optional_caller(
    services: Annotated[Services, Depends(get_services)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    token: TokenHeader = None,
) -> Caller | None:
    """FastAPI dependency: the caller, or None without credentials (counted per API key)."""
    caller = identify(services, credentials, token)
    if caller is not None and caller.key_name is not None:
        await services.limiter.hit(Dimension.API_KEY, caller.key_name)
    return caller


@dataclass(frozen=True)
class ConversationAccess:
    """A request's right to one conversation: the caller, the id it used and the store's id."""

    caller: Caller
    session_id: str
    store_id: str

    def guard(self) -> Callable[[Session], None]:
        """Checks a session inside its transaction: NotYours unless the caller may touch it."""

        def check(session: Session) -> None:
            if not self.caller.admits(session):
                raise NotYours(self.session_id)

        return check

    async def session(self, services: Services) -> Session:
        """The stored session, or the 404 that does not say whether it exists."""
        stored = await services.store.get(self.store_id)
        if stored is None or not self.caller.admits(stored):
            raise not_found(self.session_id)
        return stored


async def conversation_access(
    session_id: SessionId,
    services: Annotated[Services, Depends(get_services)],
    caller: Annotated[Caller | None, Depends(optional_caller)],
    owner_key: OwnerKey = None,
) -> ConversationAccess:
    """FastAPI dependency for every route of one conversation (turns, history, erasure, export):
    401 without credentials; counts the request against the conversation's rate limit."""
    return await access_to(session_id, services, caller, owner_key)


async def access_to(
    session_id: str, services: Services, caller: Caller | None, owner_key: str | None = None
) -> ConversationAccess:
    """``caller``'s access to conversation ``session_id``: 401 without credentials; counts the
    request against the conversation's rate limit. Whether it is the caller's is checked later."""
    if caller is None:
        raise HTTPException(
            401,
            f"send the conversation's token ({TOKEN_HEADER} header) or an API key ('Authorization: Bearer <key>')",
            headers={"WWW-Authenticate": "Bearer"},
        )
    access = ConversationAccess(caller, session_id, caller.store_id(session_id, owner_key))
    await services.limiter.hit(Dimension.CONVERSATION, access.store_id)
    return access


ConversationAccessDep = Annotated[ConversationAccess, Depends(conversation_access)]
