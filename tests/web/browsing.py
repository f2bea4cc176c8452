"""Driving the widget in headless Chromium (Debian's, through Playwright): set-up and locators.

The browser tests are skipped only on a developer machine without chromium; in CI (``CI=true``)
a missing browser fails them. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, ViewportSize, expect

from tests.support import REPO

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)


def chromium_executable() -> str:
    """Debian's chromium; its absence skips the test, except in CI where it is an error."""
    path = shutil.which("chromium")
    if path is None:
        message = "chromium is not installed: run scripts/system_deps.sh (make test does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@dataclass
class Visit:
    """A page in a fresh browser profile, with the JavaScript errors and dialogs it produced."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def on_dialog(self, dialog: Dialog) -> None:
        """Record and dismiss an alert: a bot response must never be able to raise one."""
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def visit(browser: Browser, viewport: ViewportSize) -> Iterator[Visit]:
    """A fresh profile (empty storage) for one test; fails the test on any JavaScript error."""
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)  # a guard against hanging, not a timing assertion
    seen = Visit(page)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("dialog", seen.on_dialog)
    yield seen
    context.close()
    assert seen.errors == [], "JavaScript errors on the page"


def screenshot(page: Page, name: str) -> None:
    """Save the page as ``test-artifacts/NAME``."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / name)


# Locators: by role and accessible name where the widget gives one, as assistive technology sees it.


def launcher(page: Page) -> Locator:
    """The round button that opens and closes the panel (its name changes with its state)."""
    return page.locator(".launcher")


def panel(page: Page) -> Locator:
    """The chat panel, a dialog named after the demo page's title option."""
    return page.get_by_role("dialog", name="Causette Scooters")


def message_box(page: Page) -> Locator:
    """Where the user types."""
    return page.get_by_role("textbox", name="Votre message")


def status(page: Page) -> Locator:
    """The connection state line."""
    return page.get_by_role("status")


def bubbles(page: Page, role: str) -> Locator:
    """The message bubbles of ``role`` ("user" or "bot"), in order."""
    return page.locator(f".message.{role} .bubble")


def open_widget(page: Page, url: str) -> None:
    """Load the page at ``url``, open the widget and wait until it is connected."""
    page.goto(url)
    launcher(page).click()
    expect(panel(page)).to_be_visible()
    expect(status(page)).to_have_text("Connecté")


def type_message(page: Page, text: str) -> None:
    """Type ``text`` and send it with Enter."""
    message_box(page).fill(text)
    message_box(page).press("Enter")
