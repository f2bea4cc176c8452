"""Which pages may open the chat WebSocket: the allow-list and its configuration."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from channels import Settings
from channels.server.origins import OriginPolicy, host_allowed, host_name, parse_origin_rule
from channels.server.settings import LOCAL_HOSTS

# The server's hosts when deployed as bot.example.fr (allowed_hosts), besides the local names.
DEPLOYED_HOSTS = [*LOCAL_HOSTS, "bot.example.fr"]


def default_policy(hosts: list[str] = DEPLOYED_HOSTS) -> OriginPolicy:
    return OriginPolicy(Settings().allowed_origins, hosts)


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
    assert default_policy().allows(origin, host)


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
    assert not default_policy().allows(origin, "bot.example.fr:8000")


def test_configured_origins_match_scheme_host_and_port() -> None:
    policy = OriginPolicy(["https://shop.example", "http://preview.shop.example:*"], ["bot.example"])
    assert policy.allows("https://shop.example", "bot.example")
    assert policy.allows("https://shop.example:443", "bot.example")
    assert policy.allows("http://preview.shop.example:4000", "bot.example")
    assert not policy.allows("http://shop.example", "bot.example")
    assert not policy.allows("https://shop.example:8443", "bot.example")
    assert not policy.allows("https://www.shop.example", "bot.example")
    assert not policy.allows("http://localhost:8000", "bot.example")  # the list replaces the defaults


def test_a_star_allows_every_origin() -> None:
    assert OriginPolicy(["*"], ["bot.example"]).allows("https://anyone.example", "bot.example")
    assert OriginPolicy(["*"], ["bot.example"]).allows("null", "bot.example")


def test_origins_come_from_the_environment_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAUSETTE_ALLOWED_ORIGINS", "https://shop.example, http://localhost:*")
    assert Settings().allowed_origins == ["https://shop.example", "http://localhost:*"]


@pytest.mark.parametrize("entry", ["shop.example", "ftp://shop.example", "https://shop.example/path", "https://"])
def test_a_malformed_origin_setting_is_refused_at_start_up(entry: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings(allowed_origins=[entry])
    with pytest.raises(ValueError):
        parse_origin_rule(entry)


@pytest.mark.parametrize("page", ["http://evil.example:8000", "http://127.0.0.1.nip.io:8000", "http://rebind.example"])
def test_an_origin_equal_to_the_host_header_is_not_enough(page: str) -> None:
    # DNS rebinding: the attacker's name now points at the server; the browser sends its Host.
    assert not default_policy().allows(page, page.split("://", 1)[1])


def test_the_same_host_rule_follows_the_allowed_hosts() -> None:
    assert not default_policy(list(LOCAL_HOSTS)).allows("https://bot.example.fr", "bot.example.fr")
    assert default_policy(["*.example.fr"]).allows("https://bot.example.fr", "bot.example.fr")
    assert default_policy(["*"]).allows("http://anything.example", "anything.example")


@pytest.mark.parametrize(
    ("header", "name"),
    [("bot.example.fr:8000", "bot.example.fr"), ("[::1]:8000", "[::1]"), ("BOT.example.fr", "bot.example.fr")],
)
def test_host_names_are_read_from_the_host_header(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize("header", [None, "", "a b", "evil.example:80:80", "[::1", "x@y"])
def test_malformed_host_headers_have_no_name(header: str | None) -> None:
    assert host_name(header) is None


def test_subdomain_patterns_match_subdomains_only() -> None:
    assert host_allowed("chat.bot.example.fr", ["*.bot.example.fr"])
    assert not host_allowed("bot.example.fr.evil.example", ["*.bot.example.fr"])
    assert not host_allowed("evilbot.example.fr", ["*.bot.example.fr"])


@pytest.mark.parametrize(
    "entry", ["bot.example.fr:8000", "*bot.example.fr", "https://bot.example.fr", "a b", "bot.*.fr"]
)
def test_a_malformed_host_setting_is_refused_at_start_up(entry: str) -> None:
    with pytest.raises(ValidationError, match="is not a host name"):
        Settings(allowed_hosts=[entry])
