"""The chat widget on the demo page, in headless Chromium, against the test bot."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

from playwright.sync_api import expect

from channels import Settings, create_app
from tests.support import ServerProcess
from tests.web.browsing import (
    PHONE,
    Visit,
    bubbles,
    launcher,
    message_box,
    open_widget,
    panel,
    screenshot,
    status,
    type_message,
)
from tests.web.conftest import LATER_ANSWER, MARKUP_ANSWER
from tests.web.support import ThreadedServer
from tests.web.test_widget_details import GREETING

# The bot's texts as the widget shows them: typographic apostrophes (spaces are compared normalised).
LOCATION_SHOWN = "Souhaitez-vous louer pour aujourd’hui ou pour plus tard ?"
TODAY_SHOWN = "Pour les locations du jour, merci d’appeler le 01 06 07 08 09"


def test_the_seed_conversation_with_a_quick_reply_survives_a_reload(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, server.url)
    expect(message_box(page)).to_be_focused()

    type_message(page, "je voudrais louer un scooter")
    expect(bubbles(page, "bot")).to_have_text([GREETING, LOCATION_SHOWN])
    expect(message_box(page)).to_have_value("")
    type_message(page, "pour aujourd'hui")
    expect(bubbles(page, "bot")).to_have_text([GREETING, LOCATION_SHOWN, TODAY_SHOWN])
    expect(page.get_by_role("group", name="Réponses suggérées")).to_be_hidden()

    type_message(page, "louer un scooter")
    expect(page.get_by_role("button", name="Aujourd’hui")).to_be_visible()
    screenshot(page, "widget.png")
    page.get_by_role("button", name="Plus tard").click()
    expected_user = ["je voudrais louer un scooter", "pour aujourd'hui", "louer un scooter", "Plus tard"]
    expected_bot = [GREETING, LOCATION_SHOWN, TODAY_SHOWN, LOCATION_SHOWN, LATER_ANSWER]
    expect(bubbles(page, "bot")).to_have_text(expected_bot)
    expect(bubbles(page, "user")).to_have_text(expected_user)
    session_id = page.evaluate("Object.entries(localStorage).find(([k]) => k.startsWith('causette.session'))[1]")

    page.reload()
    expect(panel(page)).to_be_visible()  # it was open: it stays open
    expect(bubbles(page, "bot")).to_have_text(expected_bot)
    expect(bubbles(page, "user")).to_have_text(expected_user)
    expect(status(page)).to_have_text("Connecté")
    assert (
        page.evaluate("Object.entries(localStorage).find(([k]) => k.startsWith('causette.session'))[1]") == session_id
    )


def test_markup_in_a_bot_response_is_shown_as_characters(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, server.url)
    type_message(page, "montre-moi une balise")
    expect(bubbles(page, "bot")).to_have_text([GREETING, MARKUP_ANSWER])
    assert bubbles(page, "bot").locator("script, b, a").count() == 0
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
    screenshot(page, "widget-phone.png")


def test_the_widget_shows_a_lost_connection_and_reconnects(
    desktop: Visit, scooter_bot: Path, scooter_model_dir: Path
) -> None:
    page = desktop.page
    page.context.clock.install()  # lets the test skip the reconnect backoff instead of waiting it out
    settings = Settings(model_dir=scooter_model_dir)
    with ThreadedServer(create_app(scooter_bot, settings)) as server:
        open_widget(page, server.url)
    expect(status(page)).to_have_text(re.compile("Reconnexion…|Hors ligne"))
    expect(page.get_by_role("button", name="Envoyer")).to_be_enabled()  # a message waits in the outbox

    with ThreadedServer(create_app(scooter_bot, settings), port=server.port):  # the server is back
        page.clock.fast_forward(60_000)
        expect(status(page)).to_have_text("Connecté")
        type_message(page, "je voudrais louer un scooter")
        expect(bubbles(page, "bot")).to_have_text([GREETING, LOCATION_SHOWN])


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
    expect(bubbles(page, "bot")).to_have_text([GREETING, "Bonjour ! Que puis-je faire pour vous ?"])
