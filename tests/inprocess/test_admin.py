"""Admin endpoints, in process: who may reload the model (the admin key as a bearer token)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.inprocess.conftest import SwapServices

RELOAD = "/api/v1/model/reload"
KEY = "cle-de-test"


def test_admin_endpoints_are_disabled_without_a_key(client: TestClient) -> None:
    reply = client.post(RELOAD, headers={"Authorization": f"Bearer {KEY}"})
    assert reply.status_code == 403
    assert "CAUSETTE_ADMIN_KEY" in reply.json()["detail"]


def test_without_credentials_the_client_is_asked_for_the_key(client: TestClient, swap_services: SwapServices) -> None:
    swap_services(admin_key=SecretStr(KEY))
    reply = client.post(RELOAD)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("authorization", ["Bearer wrong", f"Bearer {KEY}x", "Bearer cle"])
def test_a_wrong_key_is_forbidden(client: TestClient, swap_services: SwapServices, authorization: str) -> None:
    swap_services(admin_key=SecretStr(KEY))
    reply = client.post(RELOAD, headers={"Authorization": authorization})
    assert reply.status_code == 403
    assert reply.json()["detail"] == "wrong admin key"


def test_the_right_key_reloads_and_unchanged_content_keeps_the_model(
    client: TestClient, swap_services: SwapServices
) -> None:
    swap_services(admin_key=SecretStr(KEY))
    served = client.get("/api/v1/model").json()["content_hash"]
    reply = client.post(RELOAD, headers={"Authorization": f"Bearer {KEY}"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "unchanged"
    model = client.get("/api/v1/model").json()
    assert model["content_hash"] == served
    assert model["last_reload"]["status"] == "unchanged"
