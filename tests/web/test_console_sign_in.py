"""Signing in to the consoles in headless Chromium, by keyboard, against a real server; axe-core's report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support import ServerProcess, run_cli
from tests.web.browsing import Visit, screenshot
from tests.web.test_widget_details import serious_violations

PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture(scope="module")
def console_server(
    scooter_bot: Path, scooter_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """A real server whose database holds one author account, made with ``causette user add``."""
    url = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'accounts.sqlite3'}"
    added = run_cli(
        "user", "add", scooter_bot, "camille", "--role", "author", "--name", "Camille Auteur",
        "--database-url", url, "--password-stdin", stdin=f"{PASSWORD}\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    process = ServerProcess(scooter_bot, scooter_model_dir, env={"CAUSETTE_DATABASE_URL": url})
    yield process
    process.stop()


def test_an_author_signs_in_by_keyboard_lands_on_the_console_and_signs_out(
    desktop: Visit, console_server: ServerProcess
) -> None:
    page = desktop.page
    page.goto(f"{console_server.url}/console")
    expect(page).to_have_url(re.compile(r"/connexion\?suivant=%2Fconsole$"))
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    assert serious_violations(page, "sign-in") == []

    expect(page.get_by_label("Identifiant")).to_be_focused()  # autofocus: typing starts at once
    page.keyboard.type("camille")
    page.keyboard.press("Tab")
    page.keyboard.type("mauvais-mot-de-passe")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("identifiant ou mot de passe incorrect")
    assert serious_violations(page, "sign-in-refused") == []

    page.get_by_label("Identifiant").focus()
    page.keyboard.type("camille")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{console_server.url}/console")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Camille Auteur")
    expect(page.get_by_text("rôle auteur")).to_be_visible()
    assert serious_violations(page, "console-home") == []
    screenshot(page, "console-home.png")

    page.goto(f"{console_server.url}/agent")  # an author is not an agent
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()

    page.goto(f"{console_server.url}/console")
    page.get_by_role("button", name="Se déconnecter").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{console_server.url}/connexion")
    page.goto(f"{console_server.url}/console")
    expect(page).to_have_url(re.compile(r"/connexion\?suivant="))
