"""Who may use the admin endpoints: whoever sends the server's admin key as a bearer token."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from channels.server.api_keys import digest
from channels.server.services import Services, get_services

_bearer = HTTPBearer(auto_error=False, description="the server's admin key (CAUSETTE_ADMIN_KEY)")


def require_admin(
    services: Annotated[Services, Depends(get_services)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """FastAPI dependency: 401 without a key, 403 with a wrong one or when admin is disabled."""
    if credentials is None:
        raise HTTPException(
            401,
            "admin key required: send the header 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    key = services.settings.admin_key
    if key is None:
        raise HTTPException(403, "admin endpoints are disabled: start the server with CAUSETTE_ADMIN_KEY set")
    if not secrets.compare_digest(credentials.credentials.encode(), key.get_secret_value().encode()):
        raise HTTPException(403, "wrong admin key")


def is_admin(
    services: Annotated[Services, Depends(get_services)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> bool:
    """FastAPI dependency: False without a key or with an API key (a caller, not the admin), True
    with the admin key, 403 as require_admin otherwise."""
    if credentials is None or digest(credentials.credentials) in services.api_keys.values():
        return False
    require_admin(services, credentials)
    return True
