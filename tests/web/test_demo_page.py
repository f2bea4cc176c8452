"""The demo page at / on the demo bot of intents/: the seed's scooter conversation, by quick replies."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support import ServerProcess
from tests.web.browsing import Visit, bubbles, panel, screenshot, status


def test_the_demo_shop_answers_through_its_quick_replies(desktop: Visit, demo_server: ServerProcess) -> None:
    page = desktop.page
    page.goto(demo_server.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("scooter")
    page.get_by_role("button", name="Discuter avec Causette").click()  # the page's own button
    expect(panel(page)).to_be_visible()
    expect(status(page)).to_have_text("Connecté")

    page.get_by_role("textbox", name="Votre message").fill("bonjour")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Louer un scooter").click()
    expect(bubbles(page, "bot").nth(2)).to_contain_text("aujourd’hui ou pour plus tard")
    page.get_by_role("button", name="Aujourd’hui").click()
    expect(bubbles(page, "bot").nth(3)).to_contain_text("01 06 07 08 09")
    expect(bubbles(page, "user")).to_have_text(["bonjour", "Louer un scooter", "Aujourd'hui"])
    screenshot(page, "demo.png")
