"""Shared fixtures: trained models (once per run), served bots and a redis-server of the tests' own.

Two tiers: a test that starts real processes (a server, the CLI, Redis, Chromium) is end-to-end, marked
``e2e``; ``pytest -m "not e2e"`` runs the fast tier.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.server.settings import LOCAL_HOSTS
from nlu import Model, load_bot, load_or_train
from tests.support import BENCH_API_KEY_ENTRY, BOOKING_BOT, DEMO_BOT, MINI_BOT, RedisServer, ServerProcess

# The shared fixtures that start a real process: any test using one, directly or through another
# fixture, is end-to-end. Test modules whose own fixtures start processes say so with ``pytestmark``.
E2E_FIXTURES = frozenset({"demo_server", "redis_server", "server", "browser"})
# The helper that runs ``causette`` as a user does, in a new interpreter: a test calling it is
# end-to-end too (each call imports the whole stack again, and many train a model).
E2E_HELPERS = frozenset({"run_cli"})


def pytest_configure(config: pytest.Config) -> None:
    """Server settings of the whole run, in the environment so that server processes get them too.

    Rate limits are off (tests fire requests far faster than people do; the rate limit tests turn
    them on), TestClient's host name ``testserver`` is allowed besides the local ones, and the
    tests' API key (tests.support.API_KEY_HEADERS) is accepted: with it, tests choose their
    conversations' ids as a server-to-server channel does.
    """
    os.environ.setdefault("CAUSETTE_RATE_LIMITS", "off")
    os.environ.setdefault("CAUSETTE_API_KEYS", BENCH_API_KEY_ENTRY)
    os.environ.setdefault("CAUSETTE_ALLOWED_HOSTS", ",".join([*LOCAL_HOSTS, "testserver"]))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``e2e`` the tests that use a shared fixture or helper starting a real process."""
    for item in items:
        if E2E_FIXTURES.intersection(getattr(item, "fixturenames", ())) or calls_a_process_helper(item):
            item.add_marker(pytest.mark.e2e)


def calls_a_process_helper(item: pytest.Item) -> bool:
    """Whether the test function itself names one of ``E2E_HELPERS`` (not through another helper)."""
    function = getattr(item, "function", None)
    code = getattr(function, "__code__", None)
    return code is not None and not E2E_HELPERS.isdisjoint(code.co_names)


def trained_once(factory: pytest.TempPathFactory, bot_dir: Path, name: str, backend: str | None = None) -> Path:
    """A fresh folder holding the model trained on ``bot_dir`` (with ``backend``, if given)."""
    folder = factory.mktemp(name)
    bot = load_bot(bot_dir)
    if backend is not None:
        bot.config.backend = backend
    load_or_train(bot, folder)
    return folder


@pytest.fixture(scope="session")
def mini_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini test bot, trained once for the whole run."""
    return trained_once(tmp_path_factory, MINI_BOT, "mini-model")


@pytest.fixture(scope="session")
def mini_model(mini_model_dir: Path) -> Model:
    """The mini test bot's model, loaded."""
    return Model.load(mini_model_dir)


@pytest.fixture(scope="session")
def demo_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo bot in intents/, trained once for the whole run."""
    return trained_once(tmp_path_factory, DEMO_BOT, "demo-model")


@pytest.fixture(scope="session", params=["bow", "snips"])
def booking_model(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Model:
    """The booking bot (slots: a date and a colour), trained with each backend once for the whole run."""
    return Model.load(trained_once(tmp_path_factory, BOOKING_BOT, f"booking-{request.param}", request.param))


@pytest.fixture(scope="module")
def demo_server(demo_model_dir: Path) -> Iterator[ServerProcess]:
    """The demo bot served by a real ``causette serve`` process."""
    server = ServerProcess(DEMO_BOT, demo_model_dir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server on a free loopback port, started on first use, stopped after the run.

    Tests that stop or freeze Redis start their own instead, so that this one stays up.
    """
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()
