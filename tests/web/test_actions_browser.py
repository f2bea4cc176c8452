"""Actions in headless Chromium. A booking through the demo's action server, keyboard only: the
card the action answers with (title, text, image with its alt text), the colours it offers as
buttons, and the card's button that asks where the booking stands. Markup an action sends is
shown as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import test_action_faults as faults
from tests.misbehaving_actions import MARKUP
from tests.support import DEMO_BOT, ActionServerProcess, ServerProcess
from tests.web.browsing import Visit, bubbles, message_box, open_widget, panel, screenshot, type_message
from tests.web.test_rich_widget import tab_to

pytestmark = pytest.mark.e2e

# The fault tests' bot and misbehaving action server, shared by this module.
misbehaving = faults.misbehaving
bot = faults.bot

SECRET = "browser-actions-secret"
BOOKING = "je voudrais réserver un scooter rose pour le 20 décembre"


@pytest.fixture(scope="module")
def shop(demo_model_dir: Path) -> Iterator[ServerProcess]:
    """The demo bot and its action server (examples/scooter_actions), as `make run` starts them."""
    actions = ActionServerProcess(
        "examples.scooter_actions", env={"CAUSETTE_ACTIONS_SECRET": SECRET}, args=("--log-level", "warning")
    )
    env = {"CAUSETTE_ACTIONS_SECRET": SECRET, "CAUSETTE_ACTIONS_URL": actions.actions_url}
    served = ServerProcess(DEMO_BOT, demo_model_dir, env=env)
    yield served
    served.stop()
    actions.stop()


def test_a_booking_with_cards_and_buttons_by_keyboard(desktop: Visit, shop: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, shop.url)
    type_message(page, BOOKING)
    card = panel(page).get_by_role("article").last
    expect(card.get_by_role("heading")).to_have_text(re.compile(r"^Réservation R-\d{4}$"))
    expect(card).to_contain_text(re.compile(r"Un scooter rose, le \w+ 20 décembre"))
    image = card.get_by_role("img", name="Un scooter rose")
    expect(image).to_have_attribute("src", f"{shop.url}/demo/images/scooter-rose.svg")
    page.wait_for_function(
        "[...document.querySelector('#causette-widget').shadowRoot.querySelectorAll('.card-image')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    first = card.get_by_role("heading").inner_text().removeprefix("Réservation ")

    # The only pink scooter is gone that day: the action offers the colours left, as buttons.
    type_message(page, BOOKING)
    expect(bubbles(page, "bot").last).to_contain_text("Désolé, plus de scooter rose libre")
    expect(message_box(page)).to_be_focused()
    tab_to(page, panel(page).get_by_role("button", name="Vert", exact=True))
    page.keyboard.press("Enter")
    expect(bubbles(page, "user").last).to_have_text("Vert")
    second = panel(page).get_by_role("article").last
    expect(second.get_by_role("heading")).not_to_have_text(f"Réservation {first}")
    expect(second.get_by_role("img", name="Un scooter vert")).to_be_visible()
    number = second.get_by_role("heading").inner_text().removeprefix("Réservation ")

    # The card's button asks where that booking stands.
    tab_to(page, second.get_by_role("button", name="Suivre ma réservation"))
    page.keyboard.press("Enter")
    expect(bubbles(page, "user").last).to_have_text(f"où en est ma réservation {number} ?")
    expect(bubbles(page, "bot").last).to_contain_text(f"Votre réservation {number} est confirmée")
    screenshot(page, "widget-action-booking.png")


def test_markup_from_an_action_is_shown_as_text(
    desktop: Visit, bot: ServerProcess, misbehaving: ActionServerProcess
) -> None:
    faults.set_mode(misbehaving, "markup")
    page = desktop.page
    open_widget(page, bot.url)
    type_message(page, faults.ASK)
    expect(bubbles(page, "bot").last).to_have_text(MARKUP)
    assert panel(page).locator("script, b, img").count() == 0
    assert desktop.dialogs == []
