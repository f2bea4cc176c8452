"""Apps with accounts, on a fresh database: once SQLite, once PostgreSQL (the log's test fixtures).

The accounts' clock is a :class:`FixedClock` the tests move by hand, for session expiry and lockout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from anyio.from_thread import BlockingPortal
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from accounts import Accounts, Role
from channels import Settings, create_app
from tests.conversation_log.conftest import fresh_database, postgres_url  # noqa: F401  (a fixture)
from tests.support import MINI_BOT

PASSWORD = "un-mot-de-passe-solide"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class FixedClock:
    """A clock that only moves when a test says so."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def accounts_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for the accounts, once SQLite and once PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'accounts.sqlite3'}"
        return
    yield from fresh_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def app(accounts_url: str, mini_model_dir: Path, clock: FixedClock) -> FastAPI:
    """The mini bot's app with an account of each role (login = role name, display name capitalised)."""
    settings = Settings(model_dir=mini_model_dir, database_url=accounts_url, conversation_log=False)
    app = create_app(MINI_BOT, settings)
    accounts: Accounts = app.state.services.accounts
    accounts.clock = clock
    return app


def portal_of(client: TestClient) -> BlockingPortal:
    """The started client's event loop, to call the app's coroutines from a test."""
    assert client.portal is not None, "the client is not started (use it in a with block)"
    return client.portal


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        for role in Role:
            portal_of(test_client).call(
                app.state.services.accounts.add, role.value, role.value.capitalize(), role, PASSWORD
            )
        yield test_client


def sign_in(client: TestClient, login: str, password: str = PASSWORD, target: str = "/console") -> Response:
    """Fill the sign-in form as a browser does (its CSRF token included); the answer, not followed."""
    page = client.get("/connexion", params={"suivant": target}, headers={"accept": "text/html"})
    token = CSRF_FIELD.search(page.text)
    assert token is not None, page.text
    answer: Response = client.post(
        "/connexion",
        data={"login": login, "password": password, "csrf_token": token.group(1), "suivant": target},
        follow_redirects=False,
    )
    return answer


def csrf_of(client: TestClient, page: str = "/console") -> str:
    """The session's CSRF token, read from a page's sign-out form."""
    token = CSRF_FIELD.search(client.get(page, headers={"accept": "text/html"}).text)
    assert token is not None
    return token.group(1)
