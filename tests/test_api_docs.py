"""The API's documentation: an OpenAPI schema listing every status, and docs pages that work offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from causette_sdk.messages import has_visible_text
from channels import Settings, create_app
from tests.support import API_KEY_HEADERS, MINI_BOT

# Each endpoint's statuses, beyond its success: what the code really answers.
# Every route may answer 400 (host not allowed), 408 and 413 (request body too slow, too large).
ANY_ROUTE = {"400", "408", "413"}
EXPECTED_STATUSES = {
    ("post", "/api/v1/conversations"): {"201", "401", "403", "422", "429", "503", *ANY_ROUTE},
    ("post", "/api/v1/conversations/{session_id}/messages"): {
        *("200", "401", "403", "404", "422", "429", "503"),
        *ANY_ROUTE,
    },
    ("get", "/api/v1/conversations/{session_id}"): {"200", "401", "404", "422", "429", "503", *ANY_ROUTE},
    ("delete", "/api/v1/conversations/{session_id}"): {"204", "401", "404", "422", "429", "503", *ANY_ROUTE},
    ("post", "/api/v1/parse"): {"200", "401", "404", "422", "429", "503", *ANY_ROUTE},
    ("get", "/api/v1/model"): {"200", "403", "429", *ANY_ROUTE},
    ("post", "/api/v1/model/reload"): {"200", "401", "403", "422", "429", *ANY_ROUTE},
    ("get", "/healthz"): {"200", "503", *ANY_ROUTE},
    ("get", "/api/v1/conversations/{session_id}/export"): {"200", "401", "403", "404", "429", "422", "503", *ANY_ROUTE},
    ("get", "/api/v1/analytics"): {"200", "401", "403", "404", "429", "422", "503", *ANY_ROUTE},
    ("get", "/api/v1/conversation-log"): {"200", "401", "403", "404", "429", *ANY_ROUTE},
}


@pytest.fixture(scope="module")
def client(mini_model_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(MINI_BOT, Settings(model_dir=mini_model_dir)), headers=API_KEY_HEADERS) as client:
        yield client


@pytest.fixture(scope="module")
def schema(client: TestClient) -> dict[str, Any]:
    reply = client.get("/openapi.json")
    assert reply.status_code == 200
    document: dict[str, Any] = reply.json()
    return document


def resolve(schema: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """The component a ``$ref`` points at."""
    name = reference["$ref"].rsplit("/", 1)[1]
    component: dict[str, Any] = schema["components"]["schemas"][name]
    return component


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED_STATUSES))
def test_the_schema_lists_every_status_an_endpoint_answers(schema: dict[str, Any], method: str, path: str) -> None:
    assert set(schema["paths"][path][method]["responses"]) == EXPECTED_STATUSES[(method, path)]


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED_STATUSES))
def test_every_error_status_has_a_body_model_with_a_detail(schema: dict[str, Any], method: str, path: str) -> None:
    responses = schema["paths"][path][method]["responses"]
    for status in EXPECTED_STATUSES[(method, path)] - {"200", "201", "204"}:
        documented = responses[status]["content"]["application/json"]["schema"]
        if (path, status) == ("/api/v1/model/reload", "422"):
            # broken content (ReloadResult), or a body refused as not strict JSON (RefusedOut)
            reload_result, refused = (resolve(schema, option) for option in documented["anyOf"])
            assert "problems" in reload_result["properties"] and "detail" in refused["properties"]
            continue
        body = resolve(schema, documented)
        if (path, status) == ("/healthz", "503"):
            assert {"status", "store"} <= set(body["properties"]), status
        else:
            assert "detail" in body["properties"], status


def test_documented_error_bodies_are_what_the_server_sends(client: TestClient, schema: dict[str, Any]) -> None:
    responses = schema["paths"]["/api/v1/conversations/{session_id}"]["get"]["responses"]
    documented = resolve(schema, responses["404"]["content"]["application/json"]["schema"])
    reply = client.get("/api/v1/conversations/nobody")
    assert reply.status_code == 404
    assert set(reply.json()) == set(documented["properties"]) == {"detail"}
    refused = client.post("/api/v1/conversations/s1/messages", json={"text": " "})
    assert refused.status_code == 422 and isinstance(refused.json()["detail"], str)
    invalid = client.post("/api/v1/conversations/s1/messages", json={})
    assert invalid.status_code == 422 and {"loc", "msg", "type"} <= set(invalid.json()["detail"][0])


def test_the_docs_page_uses_only_assets_the_server_serves(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    # data-openapi-url: the schema Swagger UI loads (the init script reads it from its tag)
    assets = re.findall(r"""(?:src|href|data-openapi-url)\s*=\s*["']([^"']+)["']""", page.text)
    expected = {"/swagger/swagger-ui-bundle.js", "/swagger/swagger-init.js", "/swagger/swagger-ui.css", "/openapi.json"}
    assert expected <= set(assets)
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), f"{asset} is not served by the app"
        assert client.get(asset).status_code == 200, asset
    assert "cdn" not in page.text.lower()


def test_the_vendored_swagger_ui_ships_with_its_licence(client: TestClient) -> None:
    licence = client.get("/swagger/LICENSE")
    assert licence.status_code == 200 and "Apache License" in licence.text


def test_redoc_is_off_rather_than_blank(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404


def test_the_schemas_visible_character_pattern_is_the_servers_rule(schema: dict[str, Any]) -> None:
    pattern = re.compile(schema["components"]["schemas"]["MessageIn"]["properties"]["text"]["pattern"])
    for code in range(0x30000):  # every assigned plane but the private ones
        char = chr(code)
        assert bool(pattern.search(char)) == has_visible_text(char), hex(code)
