"""Every page carries a CSP without inline code, nosniff, a referrer policy and frame ancestors;
the docs can be turned off; only allowed hosts are answered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channels import Settings, create_app
from tests.support import API_KEY_HEADERS, MINI_BOT

PAGES = ["/", "/demo/index.html", "/demo/confidentialite.html", "/widget/causette-widget.js", "/docs", "/openapi.json"]
PAGES += ["/swagger/swagger-init.js", "/healthz", "/api/v1/model", "/api/v1/conversations/nobody"]


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    reply = client.get(path)
    assert reply.status_code in (200, 404)
    policy = reply.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'self'" in policy
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] == "no-referrer"


def test_the_docs_page_has_no_inline_script(client: TestClient) -> None:
    page = client.get("/docs").text
    assert page.count("<script") == page.count("<script src=") == 2
    assert 'src="/swagger/swagger-init.js" data-openapi-url="/openapi.json"' in page
    assert client.get("/swagger/swagger-init.js").status_code == 200


@pytest.fixture(scope="module")
def locked_down(mini_model_dir: Path) -> Iterator[TestClient]:
    """A server with its docs off, framed by one shop only, answering to one host name."""
    settings = Settings(
        model_dir=mini_model_dir,
        api_docs=False,
        frame_ancestors=["https://shop.example"],
        allowed_hosts=["bot.example.fr"],
    )
    with TestClient(
        create_app(MINI_BOT, settings), headers=API_KEY_HEADERS, base_url="http://bot.example.fr"
    ) as client:
        yield client


def test_docs_and_schema_can_be_turned_off(locked_down: TestClient) -> None:
    assert locked_down.get("/docs").status_code == 404
    assert locked_down.get("/openapi.json").status_code == 404
    assert locked_down.get("/healthz").status_code == 200


def test_frame_ancestors_come_from_the_settings(locked_down: TestClient) -> None:
    policy = locked_down.get("/").headers["content-security-policy"]
    assert "frame-ancestors https://shop.example" in policy


def test_frame_ancestors_and_hosts_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSETTE_FRAME_ANCESTORS", "'self', https://shop.example")
    monkeypatch.setenv("CAUSETTE_ALLOWED_HOSTS", "bot.example.fr, *.bot.example.fr")
    monkeypatch.setenv("CAUSETTE_API_DOCS", "off")
    settings = Settings()
    assert settings.frame_ancestors == ["'self'", "https://shop.example"]
    assert settings.allowed_hosts == ["bot.example.fr", "*.bot.example.fr"]
    assert settings.api_docs is False


@pytest.mark.parametrize("host", ["evil.example", "bot.example.fr.evil.example", "127.0.0.1:8000", "", "a b"])
def test_other_host_names_are_refused(locked_down: TestClient, host: str) -> None:
    reply = locked_down.get("/healthz", headers={"host": host})
    assert reply.status_code == 400
    assert reply.json()["detail"] == "this server does not answer to this host name"


def test_the_default_hosts_are_the_local_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAUSETTE_ALLOWED_HOSTS", raising=False)
    assert Settings().allowed_hosts == ["localhost", "127.0.0.1", "[::1]"]
