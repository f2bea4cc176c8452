"""What the consoles' routes depend on: the signed-in user of a role (``require_role``) and the CSRF check.

CSRF: the synchronizer token pattern. Each server-side session holds a random token; every
state-changing request of a signed-in browser (POST, PUT, PATCH, DELETE) must send it back, in the
form field ``csrf_token`` or the ``X-CSRF-Token`` header, and is refused with 403 otherwise. Being
tied to the session, the token dies with it; nothing about it is held in a cookie a script could
read. The sign-in form, before any session exists, uses a double-submit token: a random value in
an HttpOnly, SameSite=Strict cookie that the form must repeat (against login CSRF).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request

from accounts.roles import Role
from accounts.store import Accounts, SignedIn

SESSION_COOKIE = "causette_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """No valid session on a page: answered with 303 to the sign-in page."""


class RoleRefused(Exception):
    """Signed in, but the role may not open this page: answered with a French 403 page."""

    def __init__(self, signed_in: SignedIn) -> None:
        self.signed_in = signed_in


def accounts_of(request: Request) -> Accounts:
    """The app's account system (built by the app factory, kept on its services)."""
    accounts: Accounts = request.app.state.services.accounts
    return accounts


def wants_page(request: Request) -> bool:
    """A browser navigating (Accept: text/html) gets pages and redirects; API calls get JSON."""
    return "text/html" in request.headers.get("accept", "")


def require_role(*roles: Role | str) -> Callable[[Request], Awaitable[SignedIn]]:
    """A FastAPI dependency: the signed-in user, if their role is one of ``roles``.

    Not signed in (or session expired): 303 to the sign-in page for a page, 401 JSON for an API
    call. Signed in with another role: 403 (a French page, or JSON). A state-changing request
    without the session's CSRF token: 403.
    """
    allowed = frozenset(Role(role) for role in roles)

    async def dependency(request: Request) -> SignedIn:
        token = request.cookies.get(SESSION_COOKIE)
        signed_in = await accounts_of(request).session(token) if token else None
        if signed_in is None:
            if wants_page(request):
                raise SignInRequired
            raise HTTPException(401, "connexion requise")
        if signed_in.user.role not in allowed:
            if wants_page(request):
                raise RoleRefused(signed_in)
            raise HTTPException(403, "votre rôle ne permet pas cette action")
        if request.method not in SAFE_METHODS:
            await check_csrf(request, signed_in.csrf_token)
        return signed_in

    return dependency


async def check_csrf(request: Request, expected: str) -> None:
    """Refuse (403) a state-changing request that does not carry ``expected``."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)  # the form is cached for the route
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "jeton CSRF absent ou invalide : rechargez la page")


def secure_cookies(request: Request) -> bool:
    """Secure cookies when the setting says so, else when the page was served over https."""
    setting: bool | None = request.app.state.services.settings.cookie_secure
    return request.url.scheme == "https" if setting is None else setting
