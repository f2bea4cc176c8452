"""The fast tier's apps in the test process: REST and WebSocket without a server, a port or a socket.

Starlette's ``TestClient`` drives the app as uvicorn would (lifespan included) and speaks
WebSocket; a test that needs other settings swaps the services for its requests through
FastAPI's dependency overrides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channels import Settings, create_app
from channels.server.services import Services, get_services
from tests.support import API_KEY_HEADERS, DEMO_BOT

SwapServices = Callable[..., Services]


@pytest.fixture(scope="module")
def demo_app(demo_model_dir: Path) -> FastAPI:
    """The demo bot's app, built by the app factory as ``causette serve`` builds it."""
    return create_app(DEMO_BOT, Settings(model_dir=demo_model_dir))


@pytest.fixture(scope="module")
def client(demo_app: FastAPI) -> Iterator[TestClient]:
    """A client of the demo app, with the tests' API key (it may choose conversation ids); the
    app's lifespan runs around the module's tests."""
    with TestClient(demo_app, headers=API_KEY_HEADERS) as test_client:
        yield test_client


@pytest.fixture
def swap_services(demo_app: FastAPI, client: TestClient) -> Iterator[SwapServices]:
    """``swap_services(**settings)``: the app's services with other settings, for this test's requests.

    The change goes through ``app.dependency_overrides[get_services]``, as FastAPI documents for
    tests, and is undone after the test.
    """
    served: Services = demo_app.state.services

    def swap(**settings: Any) -> Services:
        services = replace(served, settings=served.settings.model_copy(update=settings))
        demo_app.dependency_overrides[get_services] = lambda: services
        return services

    yield swap
    demo_app.dependency_overrides.pop(get_services, None)
