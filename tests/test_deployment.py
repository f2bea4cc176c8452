"""The deployment recipe stays valid: Redis, two replicas sharing it, a balancer in front."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

DOCKER = Path(__file__).resolve().parent.parent / "docker"
REPLICAS = ("app1", "app2")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))
    return compose["services"]  # type: ignore[no-any-return]  # YAML is untyped data


def test_compose_runs_redis_two_replicas_and_a_balancer(services: dict[str, Any]) -> None:
    assert set(services) == {"redis", *REPLICAS, "lb"}
    assert services["redis"]["image"].startswith("redis:")
    assert services["lb"]["image"].startswith("nginx:")
    assert set(services["lb"]["depends_on"]) == set(REPLICAS)


def test_both_replicas_share_the_redis_service(services: dict[str, Any]) -> None:
    urls = {services[name]["environment"]["CAUSETTE_REDIS_URL"] for name in REPLICAS}
    assert len(urls) == 1, "every replica must use the same Redis"
    url = urlparse(urls.pop())
    assert (url.scheme, url.hostname, url.port or 6379) == ("redis", "redis", 6379)
    for name in REPLICAS:
        assert "redis" in services[name]["depends_on"]


def test_replicas_are_built_from_the_dockerfile(services: dict[str, Any]) -> None:
    for name in REPLICAS:
        build = services[name]["build"]
        assert (DOCKER / build["context"] / build["dockerfile"]).resolve() == DOCKER / "Dockerfile"


def test_the_balancer_proxies_http_and_websockets_to_both_replicas(services: dict[str, Any]) -> None:
    mount = next(v for v in services["lb"]["volumes"] if "nginx" in v)
    conf = re.sub(r"#.*", "", (DOCKER / mount.split(":")[0]).read_text(encoding="utf-8"))
    assert set(re.findall(r"server (app\d):8000", conf)) == set(REPLICAS)
    assert "proxy_set_header Upgrade $http_upgrade" in conf
    assert "proxy_set_header Connection $connection_upgrade" in conf
    assert not re.search(r"\b(ip_hash|sticky|hash \$)", conf), "no sticky sessions are needed"


def test_the_image_runs_cpu_torch_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    # scripts/install.sh (shared with the Makefile, tests/test_install.py) puts CPU torch in first.
    install = (DOCKER.parent / "scripts" / "install.sh").read_text(encoding="utf-8")
    assert "TORCH_CPU_INDEX=https://download.pytorch.org/whl/cpu" in install
    assert install.index("\n  install_torch\n") < install.index("\n  install_project\n")
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
    assert re.search(r"HEALTHCHECK .*\n?.*/healthz", dockerfile)
    assert '"causette", "serve", "/app/intents", "--host", "0.0.0.0"' in dockerfile
