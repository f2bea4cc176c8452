"""Which pages may open the chat WebSocket: the allow-list and its configuration."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from channels import Settings
from channels.server.origins import OriginPolicy, parse_origin_rule


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://localhost:8000", "127.0.0.1:8000"),
        ("http://localhost", "127.0.0.1:8000"),
        ("http://127.0.0.1:5173", "127.0.0.1:8000"),
        ("http://[::1]:8080", "127.0.0.1:8000"),
        ("https://bot.example.fr", "bot.example.fr"),  # the server's own pages, behind a proxy
        ("http://bot.example.fr:8000", "bot.example.fr:8000"),
        (None, "bot.example.fr"),  # not a browser: nothing to protect
    ],
)
def test_the_default_policy_allows_the_same_host_and_localhost(origin: str | None, host: str) -> None:
    assert OriginPolicy(Settings().allowed_origins).allows(origin, host)


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://localhost.evil.example",
        "https://localhost:8000",
        "null",
        "file://",
        "http://bot.example.fr:9000",
        "javascript:alert(1)",
    ],
)
def test_the_default_policy_refuses_other_pages(origin: str) -> None:
    assert not OriginPolicy(Settings().allowed_origins).allows(origin, "bot.example.fr:8000")


def test_configured_origins_match_scheme_host_and_port() -> None:
    policy = OriginPolicy(["https://shop.example", "http://preview.shop.example:*"])
    assert policy.allows("https://shop.example", "bot.example")
    assert policy.allows("https://shop.example:443", "bot.example")
    assert policy.allows("http://preview.shop.example:4000", "bot.example")
    assert not policy.allows("http://shop.example", "bot.example")
    assert not policy.allows("https://shop.example:8443", "bot.example")
    assert not policy.allows("https://www.shop.example", "bot.example")
    assert not policy.allows("http://localhost:8000", "bot.example")  # the list replaces the defaults


def test_a_star_allows_every_origin() -> None:
    assert OriginPolicy(["*"]).allows("https://anyone.example", "bot.example")
    assert OriginPolicy(["*"]).allows("null", "bot.example")


def test_origins_come_from_the_environment_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSETTE_ALLOWED_ORIGINS", "https://shop.example, http://localhost:*")
    assert Settings().allowed_origins == ["https://shop.example", "http://localhost:*"]


@pytest.mark.parametrize("entry", ["shop.example", "ftp://shop.example", "https://shop.example/path", "https://"])
def test_a_malformed_origin_setting_is_refused_at_start_up(entry: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings(allowed_origins=[entry])
    with pytest.raises(ValueError):
        parse_origin_rule(entry)
