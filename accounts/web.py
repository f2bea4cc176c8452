"""The accounts' web side: sign-in and sign-out pages, the ``require_role`` dependency, CSRF checks.

CSRF: the synchronizer token pattern. Each server-side session holds a random token; every
state-changing request of a signed-in browser (POST, PUT, PATCH, DELETE) must send it back, in the
form field ``csrf_token`` or the ``X-CSRF-Token`` header, and is refused with 403 otherwise. Being
tied to the session, the token dies with it; nothing about it is held in a cookie a script could
read. The sign-in form, before any session exists, uses a double-submit token: a random value in
an HttpOnly, SameSite=Strict cookie that the form must repeat (against login CSRF).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from accounts.roles import AGENT_ROLES, CONSOLE_ROLES, Role
from accounts.store import Accounts, AccountsUnavailable, SignedIn, SignInRefused

HERE = Path(__file__).parent
SESSION_COOKIE = "causette_session"
SIGN_IN_COOKIE = "causette_signin"  # the sign-in form's double-submit CSRF token
SIGN_IN_PATH = "/connexion"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

templates = Jinja2Templates(directory=HERE / "templates")  # autoescaping on: names are rendered as text
router = APIRouter(include_in_schema=False)


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


def _safe_next(target: str | None) -> str:
    # Only a path of this site: an open redirect to another host would help phishing.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


def _sign_in_page(request: Request, target: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    csrf = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request, "connexion.html", {"next": target, "csrf_token": csrf, "error": error}, status_code=status
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path=SIGN_IN_PATH,
        max_age=3600,
    )
    return response


@router.get(SIGN_IN_PATH, response_class=HTMLResponse)
async def sign_in_page(request: Request, suivant: str | None = None) -> HTMLResponse:
    """The French sign-in form."""
    return _sign_in_page(request, _safe_next(suivant))


@router.post(SIGN_IN_PATH, response_model=None)
async def sign_in(
    request: Request,
    login: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    suivant: Annotated[str, Form(max_length=2000)] = "/console",
) -> Response:
    """Check the password; on success open a session and go to the page asked for (303)."""
    target = _safe_next(suivant)
    cookie = request.cookies.get(SIGN_IN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf_token.encode()):
        return _sign_in_page(request, target, "le formulaire a expiré : réessayez", status=403)
    try:
        token, _ = await accounts_of(request).sign_in(login, password)
    except SignInRefused as refusal:
        return _sign_in_page(request, target, str(refusal), status=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",  # lax: a link from a mail to /agent arrives signed in; changes need the CSRF token
        secure=secure_cookies(request),
        path="/",
        max_age=int(accounts_of(request).limits.absolute_seconds),
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=SIGN_IN_PATH)
    return response


SignedInAny = Annotated[SignedIn, Depends(require_role(*Role))]


@router.post("/deconnexion", response_model=None)
async def sign_out(request: Request, signed_in: SignedInAny) -> Response:
    """End the session (CSRF-checked like every change) and go back to the sign-in page."""
    await accounts_of(request).sign_out(request.cookies[SESSION_COOKIE])
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure_cookies(request), httponly=True, samesite="lax")
    return response


@router.get("/console", response_class=HTMLResponse)
async def console_home(
    request: Request, signed_in: Annotated[SignedIn, Depends(require_role(*CONSOLE_ROLES))]
) -> HTMLResponse:
    """The author console's landing page (the console itself is issue 15)."""
    return templates.TemplateResponse(request, "console.html", {"signed_in": signed_in})


@router.get("/agent", response_class=HTMLResponse)
async def agent_home(
    request: Request, signed_in: Annotated[SignedIn, Depends(require_role(*AGENT_ROLES))]
) -> HTMLResponse:
    """The agent console's landing page (the console itself is issue 13)."""
    return templates.TemplateResponse(request, "agent.html", {"signed_in": signed_in})


@router.get("/api/v1/me")
async def who_am_i(signed_in: SignedInAny) -> dict[str, str]:
    """The signed-in account (session cookie needed): login, display name, role."""
    user = signed_in.user
    return {"login": user.login, "display_name": user.display_name, "role": user.role.value}


async def _to_sign_in(request: Request, _error: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{SIGN_IN_PATH}?suivant={quote(target, safe='')}", status_code=303)


async def _role_refused(request: Request, error: Exception) -> Response:
    assert isinstance(error, RoleRefused)
    return templates.TemplateResponse(request, "refus.html", {"signed_in": error.signed_in}, status_code=403)


async def _unavailable(_request: Request, _error: Exception) -> Response:
    return JSONResponse({"detail": "comptes momentanément indisponibles (base de données injoignable)"}, 503)


def install(app: FastAPI) -> None:
    """Add the accounts' pages, their stylesheet and their error answers to ``app``."""
    app.include_router(router)
    app.mount("/comptes/static", StaticFiles(directory=HERE / "static"), name="accounts-static")
    app.add_exception_handler(SignInRequired, _to_sign_in)
    app.add_exception_handler(RoleRefused, _role_refused)
    app.add_exception_handler(AccountsUnavailable, _unavailable)
