"""Admin endpoints, in process: who may reload the model (the admin key as a bearer token)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from channels import Settings
from channels.server.settings import MIN_ADMIN_KEY_CHARS
from tests.inprocess.conftest import SwapServices

RELOAD = "/api/v1/model/reload"
KEY = "cle-de-test-assez-longue"


def test_admin_endpoints_are_disabled_without_a_key(client: TestClient) -> None:
    reply = client.post(RELOAD, headers={"Authorization": f"Bearer {KEY}"})
    assert reply.status_code == 403
    assert "CAUSETTE_ADMIN_KEY" in reply.json()["detail"]


def test_without_credentials_the_client_is_asked_for_the_key(client: TestClient, swap_services: SwapServices) -> None:
    swap_services(admin_key=SecretStr(KEY))
    reply = client.post(RELOAD, headers={"Authorization": ""})  # the client sends no key at all
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
    model = client.get("/api/v1/model", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert model["content_hash"] == served
    assert model["last_reload"]["status"] == "unchanged"


def test_an_empty_admin_key_disables_admin(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSETTE_ADMIN_KEY", "")
    assert Settings().admin_key is None  # not a key anyone could send: admin is off (403)


@pytest.mark.parametrize("key", ["a", "x" * (MIN_ADMIN_KEY_CHARS - 1)])
def test_settings_refuse_a_short_admin_key(key: str) -> None:
    with pytest.raises(ValidationError, match=f"at least {MIN_ADMIN_KEY_CHARS} characters"):
        Settings(admin_key=SecretStr(key))


def test_model_details_need_the_admin_key(client: TestClient, swap_services: SwapServices) -> None:
    swap_services(admin_key=SecretStr(KEY))
    public = client.get("/api/v1/model")
    assert public.status_code == 200
    assert set(public.json()) == {"content_hash", "status"} and public.json()["status"] == "ok"
    details = client.get("/api/v1/model", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert details["content_hash"] == public.json()["content_hash"] and "intents" in details
    assert "last_error" in details
    assert client.get("/api/v1/model", headers={"Authorization": "Bearer wrong"}).status_code == 403


def test_model_details_are_refused_when_admin_is_disabled(client: TestClient) -> None:
    reply = client.get("/api/v1/model", headers={"Authorization": f"Bearer {KEY}"})
    assert reply.status_code == 403
