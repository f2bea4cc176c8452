"""The chat widget on the demo page, driven in headless Chromium (Debian's, through Playwright).

Skipped only on a developer machine without chromium; in CI (``CI=true``) a missing browser fails.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect, sync_playwright

from tests.web.conftest import LATER_ANSWER, LOCATION_QUESTION, MARKUP_ANSWER, TODAY_ANSWER
from tests.web.support import REPO, ServerProcess

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_executable() -> str:
    """Debian's chromium; its absence skips the module, except in CI where it is an error."""
    path = shutil.which("chromium")
    if path is None:
        message = "chromium is not installed: run scripts/system_deps.sh (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A page in a fresh browser profile, with the JavaScript errors and dialogs it produced."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def visit(browser: Browser, viewport: dict[str, int] = DESKTOP) -> Iterator[Visit]:
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)  # a guard against hanging, not a timing assertion
    seen = Visit(page)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("dialog", seen.on_dialog)
    yield seen
    context.close()
    assert seen.errors == [], "JavaScript errors on the page"


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Visit]:
    yield from visit(browser)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Visit]:
    yield from visit(browser, PHONE)


# Locators: by role and accessible name where the widget gives one, as assistive technology sees it.

def launcher(page: Page) -> Locator:
    return page.locator(".launcher")


def panel(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Causette Scooters")


def message_box(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Votre message")


def status(page: Page) -> Locator:
    return page.get_by_role("status")


def bubbles(page: Page, role: str) -> Locator:
    return page.locator(f".message.{role} .bubble")


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    launcher(page).click()
    expect(panel(page)).to_be_visible()
    expect(status(page)).to_have_text("Connecté")


def type_message(page: Page, text: str) -> None:
    message_box(page).fill(text)
    message_box(page).press("Enter")


def test_the_seed_conversation_with_a_quick_reply_survives_a_reload(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, server.url)
    expect(message_box(page)).to_be_focused()

    type_message(page, "je voudrais louer un scooter")
    expect(bubbles(page, "bot")).to_have_text([LOCATION_QUESTION])
    expect(message_box(page)).to_have_value("")
    type_message(page, "pour aujourd'hui")
    expect(bubbles(page, "bot")).to_have_text([LOCATION_QUESTION, TODAY_ANSWER])
    expect(page.get_by_role("group", name="Réponses suggérées")).to_be_hidden()

    type_message(page, "louer un scooter")
    expect(page.get_by_role("button", name="Aujourd'hui")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "widget.png")
    page.get_by_role("button", name="Plus tard").click()
    expected_user = ["je voudrais louer un scooter", "pour aujourd'hui", "louer un scooter", "Plus tard"]
    expected_bot = [LOCATION_QUESTION, TODAY_ANSWER, LOCATION_QUESTION, LATER_ANSWER]
    expect(bubbles(page, "bot")).to_have_text(expected_bot)
    expect(bubbles(page, "user")).to_have_text(expected_user)
    session_id = page.evaluate("Object.entries(localStorage).find(([k]) => k.startsWith('causette.session'))[1]")

    page.reload()
    expect(panel(page)).to_be_visible()  # it was open: it stays open
    expect(bubbles(page, "bot")).to_have_text(expected_bot)
    expect(bubbles(page, "user")).to_have_text(expected_user)
    expect(status(page)).to_have_text("Connecté")
    assert page.evaluate("Object.entries(localStorage).find(([k]) => k.startsWith('causette.session'))[1]") \
        == session_id


def test_markup_in_a_bot_response_is_shown_as_characters(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, server.url)
    type_message(page, "montre-moi une balise")
    expect(bubbles(page, "bot")).to_have_text([MARKUP_ANSWER])
    assert bubbles(page, "bot").locator("script, b").count() == 0
    assert desktop.dialogs == []


def test_keyboard_use_opens_sends_and_closes(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    page.goto(server.url)
    launcher(page).focus()
    page.keyboard.press("Enter")
    expect(panel(page)).to_be_visible()
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    expect(message_box(page)).to_be_focused()
    expect(status(page)).to_have_text("Connecté")

    page.keyboard.type("bonjour")
    page.keyboard.press("Shift+Enter")  # a new line, not a send
    page.keyboard.type("à vous")
    expect(message_box(page)).to_have_value("bonjour\nà vous")
    page.keyboard.press("Enter")
    expect(bubbles(page, "user")).to_have_text(["bonjour\nà vous"])
    expect(page.get_by_role("log")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("log")).to_contain_text("Bonjour ! Que puis-je faire pour vous ?")

    page.keyboard.press("Escape")
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_be_focused()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")


def test_on_a_phone_the_open_panel_fills_the_screen(phone: Visit, server: ServerProcess) -> None:
    page = phone.page
    open_widget(page, server.url)
    type_message(page, "bonjour")
    expect(page.get_by_role("button", name="Louer un scooter")).to_be_visible()
    box = panel(page).bounding_box()
    assert box == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "widget-phone.png")


def test_the_widget_shows_a_lost_connection_and_reconnects(desktop: Visit, scooter_bot: Path) -> None:
    page = desktop.page
    page.context.clock.install()  # lets the test skip the reconnect backoff instead of waiting it out
    server = ServerProcess(scooter_bot)
    try:
        open_widget(page, server.url)
        server.stop()
        expect(status(page)).to_have_text(re.compile("Reconnexion…|Hors ligne"))
        expect(page.get_by_role("button", name="Envoyer")).to_be_disabled()
        server = ServerProcess(scooter_bot, port=server.port)
        page.clock.fast_forward(60_000)
        expect(status(page)).to_have_text("Connecté")
        type_message(page, "je voudrais louer un scooter")
        expect(bubbles(page, "bot")).to_have_text([LOCATION_QUESTION])
    finally:
        server.stop()


def test_a_connection_gone_silent_is_noticed_and_replaced(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    page.context.clock.install()
    open_widget(page, server.url)
    os.kill(server.process.pid, signal.SIGSTOP)  # the socket stays open but nothing answers any more
    try:
        page.clock.fast_forward(60_000)  # past the heartbeat's silence limit
        expect(status(page)).to_have_text("Reconnexion…")
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
    expect(status(page)).to_have_text("Connecté")
    type_message(page, "bonjour")
    expect(bubbles(page, "bot")).to_have_text(["Bonjour ! Que puis-je faire pour vous ?"])
