"""Sign-in, roles on each protected route, CSRF, cookie flags, session expiry and lockout, in process."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from accounts.dependencies import SESSION_COOKIE
from accounts.roles import AGENT_ROLES, CONSOLE_ROLES, Role
from channels import Settings, create_app
from tests.accounts.conftest import PASSWORD, FixedClock, csrf_of, portal_of, sign_in
from tests.support import MINI_BOT, free_port

HTML = {"accept": "text/html"}
PAGES = {"/console": CONSOLE_ROLES, "/agent": AGENT_ROLES}


def test_signed_out_pages_redirect_to_sign_in_and_api_calls_get_401(client: TestClient) -> None:
    for page in PAGES:
        answer = client.get(page, headers=HTML, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/connexion?suivant=%2F{page[1:]}"
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_exactly_its_pages(client: TestClient, role: Role) -> None:
    assert sign_in(client, role.value).status_code == 303
    for page, allowed in PAGES.items():
        answer = client.get(page, headers=HTML, follow_redirects=False)
        if role in allowed:
            assert answer.status_code == 200
            assert f"Bonjour {role.value.capitalize()}" in answer.text
            assert role.label in answer.text
        else:
            assert answer.status_code == 403
            assert "Accès refusé" in answer.text
            assert client.get(page, follow_redirects=False).status_code == 403  # an API-style call: JSON
    assert client.get("/api/v1/me").json() == {
        "login": role.value,
        "display_name": role.value.capitalize(),
        "role": role.value,
    }


def test_sign_in_goes_to_the_page_asked_for_but_never_to_another_site(client: TestClient) -> None:
    assert sign_in(client, "agent", target="/agent").headers["location"] == "/agent"
    assert sign_in(client, "agent", target="//evil.example/x").headers["location"] == "/console"


def test_a_wrong_password_or_unknown_login_gets_the_same_refusal(client: TestClient) -> None:
    wrong = sign_in(client, "author", "pas-le-bon-mot-de-passe")
    unknown = sign_in(client, "personne", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "identifiant ou mot de passe incorrect" in wrong.text
    assert "identifiant ou mot de passe incorrect" in unknown.text
    assert SESSION_COOKIE not in client.cookies


def test_the_sign_in_form_needs_its_own_csrf_token(client: TestClient) -> None:
    client.get("/connexion")
    answer = client.post(
        "/connexion", data={"login": "author", "password": PASSWORD, "csrf_token": "forged"}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_sign_out_without_or_with_a_wrong_csrf_token_is_refused(client: TestClient) -> None:
    sign_in(client, "author")
    assert client.post("/deconnexion", follow_redirects=False).status_code == 403
    refused = client.post("/deconnexion", data={"csrf_token": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "jeton CSRF" in refused.json()["detail"]
    assert client.get("/console", headers=HTML).status_code == 200  # still signed in
    answer = client.post("/deconnexion", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/connexion"
    assert client.get("/console", headers=HTML, follow_redirects=False).status_code == 303


def test_a_signed_out_session_token_stops_working_even_if_replayed(client: TestClient) -> None:
    sign_in(client, "author")
    token = client.cookies[SESSION_COOKIE]
    client.post("/deconnexion", headers={"x-csrf-token": csrf_of(client)})
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/api/v1/me").status_code == 401


def test_session_cookie_is_httponly_lax_and_secure_over_https(client: TestClient) -> None:
    over_http = session_cookie(sign_in(client, "author"))
    client.base_url = client.base_url.copy_with(scheme="https")
    over_https = session_cookie(sign_in(client, "author"))
    assert "HttpOnly" in over_http and "SameSite=lax" in over_http and "Secure" not in over_http
    assert "HttpOnly" in over_https and "SameSite=lax" in over_https and "Secure" in over_https


def test_the_cookie_secure_setting_forces_secure_cookies_over_http(app: FastAPI, client: TestClient) -> None:
    assert "Secure" not in client.get("/connexion").headers["set-cookie"]
    services = app.state.services
    # As behind a proxy ending TLS: the app sees http, the browser https.
    app.state.services = replace(services, settings=services.settings.model_copy(update={"cookie_secure": True}))
    assert "Secure" in client.get("/connexion").headers["set-cookie"]


def session_cookie(answer: Response) -> str:
    """The Set-Cookie header of the session cookie (the sign-in form's own cookie is dropped beside it)."""
    (header,) = [value for value in answer.headers.get_list("set-cookie") if value.startswith(f"{SESSION_COOKIE}=")]
    return header


def test_a_session_ends_after_its_idle_time(client: TestClient, clock: FixedClock) -> None:
    sign_in(client, "author")
    clock.now += 29 * 60
    assert client.get("/api/v1/me").status_code == 200  # used: the idle time starts again
    clock.now += 29 * 60
    assert client.get("/api/v1/me").status_code == 200
    clock.now += 31 * 60
    assert client.get("/api/v1/me").status_code == 401


def test_a_session_ends_after_its_absolute_time_even_when_used(client: TestClient, clock: FixedClock) -> None:
    sign_in(client, "author")
    for _ in range(28):  # 11 h 40 of use, every 25 minutes
        clock.now += 25 * 60
        assert client.get("/api/v1/me").status_code == 200
    clock.now += 25 * 60  # 12 h 05 after sign-in, 25 minutes after the last use
    assert client.get("/api/v1/me").status_code == 401


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client: TestClient, clock: FixedClock) -> None:
    for _ in range(4):
        assert "incorrect" in sign_in(client, "agent", "mauvais-mot-de-passe").text
    assert "compte bloqué" in sign_in(client, "agent", "mauvais-mot-de-passe").text
    refused = sign_in(client, "agent", PASSWORD)
    assert refused.status_code == 401
    assert "compte bloqué, réessayez dans 15 min" in refused.text
    assert sign_in(client, "author").status_code == 303  # other accounts are not locked
    clock.now += 15 * 60 + 1
    assert sign_in(client, "agent", PASSWORD).status_code == 303


def test_a_hash_made_with_older_parameters_is_replaced_at_sign_in(app: FastAPI, client: TestClient) -> None:
    from argon2 import PasswordHasher

    from accounts.passwords import Passwords

    accounts = app.state.services.accounts
    current = accounts.passwords
    accounts.passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=8192))
    portal_of(client).call(accounts.add, "ancien", "Ancien", Role.VIEWER, PASSWORD)
    accounts.passwords = current
    stored = portal_of(client).call(_hash_of, accounts, "ancien")
    assert current.needs_rehash(stored)
    assert sign_in(client, "ancien").status_code == 303
    assert not current.needs_rehash(portal_of(client).call(_hash_of, accounts, "ancien"))


async def _hash_of(accounts, login: str) -> str:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from accounts.models import UserRow

    async with accounts.database.sessions() as session:
        return str(await session.scalar(select(UserRow.password_hash).where(UserRow.login == login)))


def test_pages_have_no_inline_script_or_style_for_a_strict_csp(client: TestClient) -> None:
    pages = [client.get("/connexion").text, sign_in(client, "author", "mauvais-mot-de-passe").text]
    sign_in(client, "admin")
    pages += [client.get(page, headers=HTML).text for page in PAGES]
    for html in pages:
        assert "<script" not in html and "<style" not in html and " style=" not in html
        assert re.search(r"\son[a-z]+=", html) is None  # no event-handler attributes


def test_an_unreachable_database_answers_503_in_french_not_500(mini_model_dir: Path, free_tcp_port: int) -> None:
    settings = Settings(
        model_dir=mini_model_dir,
        database_url=f"postgresql://postgres@127.0.0.1:{free_tcp_port}/x",
        conversation_log=False,
    )
    with TestClient(create_app(MINI_BOT, settings)) as client:
        client.cookies.set(SESSION_COOKIE, "some-token")
        answer = client.get("/api/v1/me")
        assert answer.status_code == 503
        assert answer.json() == {"detail": "comptes momentanément indisponibles (base de données injoignable)"}
        page = client.get("/connexion")
        assert page.status_code == 200  # the form itself needs no database


@pytest.fixture
def free_tcp_port() -> int:
    """A loopback port nothing listens on (a database that refuses connections)."""
    return free_port()
