"""The accounts' pages: sign-in and sign-out, the landing pages of /console and /agent, their error answers."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from accounts.dependencies import (
    SESSION_COOKIE,
    RoleRefused,
    SignInRequired,
    accounts_of,
    require_role,
    secure_cookies,
)
from accounts.roles import AGENT_ROLES, CONSOLE_ROLES, Role
from accounts.store import AccountsUnavailable, SignedIn, SignInRefused

HERE = Path(__file__).parent
SIGN_IN_COOKIE = "causette_signin"  # the sign-in form's double-submit CSRF token (see accounts.dependencies)
SIGN_IN_PATH = "/connexion"

templates = Jinja2Templates(directory=HERE / "templates")  # autoescaping on: names are rendered as text
router = APIRouter(include_in_schema=False)


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
