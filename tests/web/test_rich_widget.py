"""Rich messages in the widget, in headless Chromium: the demo bot's carousel of cards with images,
its payload and link buttons (keyboard only), hostile texts shown as text, erasing the conversation,
a page that forbids inline styles and scripts, and axe-core's report."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from nlu import load_bot, load_or_train
from tests.support import ServerProcess
from tests.web.browsing import Visit, bubbles, message_box, open_widget, panel, screenshot, type_message
from tests.web.support import ThreadedServer
from tests.web.test_widget_details import serious_violations, shop_site

SCOOTERS = "Quels scooters avez-vous ?"
ASK_DATE = "Pour quelle date souhaitez-vous réserver ?"
MAP_LINK = "https://www.openstreetmap.org/search?query=12%20rue%20des%20Lilas%2C%2075011%20Paris"
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script><b>gras</b>'

HOSTILE_BOT = {
    "intents": [
        {
            "tag": "carte",
            "patterns": ["montre une carte", "une carte", "affiche la carte", "carte piégée", "la carte"],
            "responses": [
                {
                    "type": "card",
                    "title": HOSTILE,
                    "text": HOSTILE,
                    "image": {"url": "/demo/images/scooter-vert.svg", "alt": HOSTILE},
                    "buttons": [{"label": HOSTILE, "payload": HOSTILE}],
                }
            ],
        },
        {
            "tag": "image",
            "patterns": ["montre une image", "une image", "affiche une photo", "une photo", "image"],
            "responses": [{"type": "image", "url": "https://127.0.0.1:9/absente.png", "alt": "Un scooter vert"}],
        },
    ]
}


def session_of(page: Page) -> str:
    session: str = page.evaluate("Object.entries(localStorage).find(([k]) => k.startsWith('causette.session'))[1]")
    return session


def token_of(page: Page) -> dict[str, str]:
    """The header proving the widget's current conversation is its own (its token)."""
    token: str = page.evaluate("Object.entries(localStorage).find(([k]) => k.startsWith('causette.token'))[1]")
    return {"X-Conversation-Token": token}


def has_focus(control: Locator) -> bool:
    focused: bool = control.evaluate("e => e.getRootNode().activeElement === e")
    return focused


def tab_to(page: Page, control: Locator, key: str = "Shift+Tab", limit: int = 40) -> None:
    """Press ``key`` (from the message box: back through the conversation) until ``control`` has the
    focus, as a keyboard user gets there."""
    for _ in range(limit):
        if has_focus(control):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{control} cannot be reached with {key}")


def carousel(page: Page) -> Locator:
    return panel(page).get_by_role("list", name="Carrousel de 3 cartes, faites défiler horizontalement")


def test_the_scooters_are_a_carousel_of_cards_with_images_and_alt_texts(
    desktop: Visit, demo_server: ServerProcess
) -> None:
    page = desktop.page
    open_widget(page, demo_server.url)
    type_message(page, SCOOTERS)
    strip = carousel(page)
    expect(strip).to_be_visible()
    cards = strip.get_by_role("article")
    expect(cards).to_have_count(3)
    expect(cards.nth(2).get_by_role("heading")).to_have_text("3 sur 3 : Scooter rose")
    expect(cards.nth(2)).to_have_accessible_name("3 sur 3 : Scooter rose")
    images = strip.get_by_role("img")
    expect(images).to_have_count(3)
    expect(images.nth(0)).to_have_attribute("alt", "Dessin d’un scooter bleu de 50 cm³, vu de profil".replace("’", "'"))
    expect(images.nth(0)).to_have_attribute("src", f"{demo_server.url}/demo/images/scooter-bleu.svg")
    page.wait_for_function(
        "[...document.querySelector('#causette-widget').shadowRoot.querySelectorAll('.card-image')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    # The strip scrolls sideways and takes the focus, so arrow keys scroll it.
    assert strip.evaluate("s => s.scrollWidth > s.clientWidth") is True
    strip.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "document.querySelector('#causette-widget').shadowRoot.querySelector('.carousel').scrollLeft > 0"
    )
    screenshot(page, "widget-carousel.png")


def test_a_card_button_pressed_with_the_keyboard_continues_the_conversation(
    desktop: Visit, demo_server: ServerProcess
) -> None:
    page = desktop.page
    open_widget(page, demo_server.url)
    type_message(page, SCOOTERS)
    expect(carousel(page)).to_be_visible()
    expect(message_box(page)).to_be_focused()
    tab_to(page, carousel(page).get_by_role("button", name="Réserver un rose"))
    page.keyboard.press("Enter")
    expect(bubbles(page, "user")).to_have_text([SCOOTERS, "je voudrais réserver un scooter rose"])
    expect(bubbles(page, "bot").last).to_have_text(ASK_DATE)
    expect(message_box(page)).to_be_focused()
    screenshot(page, "widget-card-button.png")

    page.reload()  # the history replayed on reconnection draws the carousel again, buttons included
    expect(carousel(page).get_by_role("button", name="Réserver un rose")).to_be_visible()
    expect(bubbles(page, "bot").last).to_have_text(ASK_DATE)


def test_greeting_buttons_and_link_buttons_have_safe_targets(desktop: Visit, demo_server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, demo_server.url)
    type_message(page, "bonjour")
    choices = panel(page).get_by_role("group", name="Choix proposés")
    expect(choices.get_by_role("button")).to_have_text(["Horaires", "Tarifs", "Nos scooters", "Louer un scooter"])
    tab_to(page, choices.get_by_role("button", name="Horaires"))
    page.keyboard.press("Enter")
    expect(bubbles(page, "user").last).to_have_text("Horaires")

    type_message(page, "quelle est votre adresse ?")
    map_link = panel(page).get_by_role("link", name="Voir sur la carte")
    expect(map_link).to_have_attribute("href", MAP_LINK)
    expect(map_link).to_have_attribute("target", "_blank")
    expect(map_link).to_have_attribute("rel", "noopener noreferrer")
    expect(map_link).to_have_accessible_description("s’ouvre dans un nouvel onglet")

    type_message(page, "je voudrais parler à un conseiller")
    expect(panel(page).get_by_role("link", name="Appeler le 01 06 07 08 09")).to_have_attribute(
        "href", "tel:+33106070809"
    )
    expect(panel(page).get_by_role("link", name="Écrire un e-mail")).to_have_attribute(
        "href", "mailto:contact@causette-scooters.fr"
    )
    screenshot(page, "widget-link-buttons.png")
    assert serious_violations(page, "widget-rich-messages") == []


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A bot whose card holds markup everywhere a text goes, and an image that does not load."""
    folder = tmp_path_factory.mktemp("hostile-bot")
    (folder / "intents.json").write_text(json.dumps(HOSTILE_BOT, ensure_ascii=False, indent=1), encoding="utf-8")
    model = tmp_path_factory.mktemp("hostile-model")
    load_or_train(load_bot(folder), model)
    process = ServerProcess(folder, model)
    yield process
    process.stop()


def test_markup_in_a_rich_message_is_shown_as_text(desktop: Visit, hostile_server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, hostile_server.url)
    type_message(page, "montre une carte")
    card = panel(page).get_by_role("article")
    expect(card.get_by_role("heading")).to_have_text(HOSTILE)
    expect(card.locator(".card-text")).to_have_text(HOSTILE)
    expect(card.get_by_role("img")).to_have_attribute("alt", HOSTILE)
    expect(card.get_by_role("button")).to_have_text(HOSTILE)
    assert panel(page).locator("script, b, img:not(.card-image)").count() == 0
    card.get_by_role("button").click()
    expect(bubbles(page, "user").last).to_have_text(HOSTILE)
    type_message(page, "montre une image")
    # An image that does not load leaves its alt text, as text, in its place.
    expect(panel(page).locator(".message-image .image-missing")).to_have_text("Un scooter vert")
    screenshot(page, "widget-hostile-card.png")
    assert desktop.dialogs == []


def test_erasing_the_conversation_asks_first_then_starts_a_new_one(desktop: Visit, demo_server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, demo_server.url)
    type_message(page, "bonjour")
    expect(bubbles(page, "user")).to_have_text(["bonjour"])
    first, proof = session_of(page), token_of(page)

    erase = panel(page).get_by_role("button", name="Effacer la conversation")
    tab_to(page, erase)
    page.keyboard.press("Enter")
    question = panel(page).get_by_role("group", name="Effacer toute la conversation ?", exact=False)
    expect(question).to_be_visible()
    expect(question.get_by_role("button", name="Annuler")).to_be_focused()
    screenshot(page, "widget-erase-question.png")
    page.keyboard.press("Escape")  # "no": nothing is erased, the panel stays open
    expect(question).to_be_hidden()
    expect(panel(page)).to_be_visible()
    expect(bubbles(page, "user")).to_have_text(["bonjour"])
    assert httpx.get(f"{demo_server.url}/api/v1/conversations/{first}", headers=proof).status_code == 200

    expect(erase).to_be_focused()  # the focus went back to where it was
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")  # from "Annuler" back to "Effacer"
    expect(question.get_by_role("button", name="Effacer", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel(page).locator(".log-note")).to_have_text(
        "Conversation effacée. Vous pouvez en commencer une nouvelle."
    )
    expect(bubbles(page, "user")).to_have_count(0)
    expect(bubbles(page, "bot")).to_have_count(1)  # the greeting
    assert httpx.get(f"{demo_server.url}/api/v1/conversations/{first}", headers=proof).status_code == 404
    type_message(page, "quels sont vos horaires ?")
    expect(bubbles(page, "bot")).to_have_count(2)
    second, second_proof = session_of(page), token_of(page)
    assert second != first
    assert httpx.get(f"{demo_server.url}/api/v1/conversations/{second}", headers=second_proof).status_code == 200


def test_a_page_of_another_allowed_site_erases_its_conversation(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    with shop_site(server.url) as shop:
        open_widget(page, shop)
        type_message(page, "bonjour")
        expect(bubbles(page, "user")).to_have_text(["bonjour"])
        first, proof = session_of(page), token_of(page)
        panel(page).get_by_role("button", name="Effacer la conversation").click()
        panel(page).get_by_role("button", name="Effacer", exact=True).click()
        expect(panel(page).locator(".log-note")).to_be_visible()
        expect(bubbles(page, "user")).to_have_count(0)
    assert httpx.get(f"{server.url}/api/v1/conversations/{first}", headers=proof).status_code == 404


def test_the_widget_works_on_a_page_that_forbids_inline_styles_and_scripts(
    desktop: Visit, demo_server: ServerProcess
) -> None:
    page = desktop.page
    csp = (
        f"default-src 'none'; script-src {demo_server.url}; style-src {demo_server.url}; "
        f"img-src {demo_server.url}; connect-src {demo_server.url} {demo_server.url.replace('http', 'ws')}"
    )
    html = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Boutique stricte</title></head>'
        "<body><main><h1>Boutique</h1></main>"
        f'<script src="{demo_server.url}/widget/causette-widget.js" data-title="Causette Scooters"></script>'
        "</body></html>"
    )
    shop = Starlette(routes=[Route("/", lambda request: HTMLResponse(html, headers={"Content-Security-Policy": csp}))])
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    with ThreadedServer(shop) as site:
        open_widget(page, f"http://localhost:{site.port}/")
        type_message(page, SCOOTERS)
        expect(carousel(page)).to_be_visible()
        page.wait_for_function(
            "[...document.querySelector('#causette-widget').shadowRoot.querySelectorAll('.card-image')]"
            ".every(img => img.complete && img.naturalWidth > 0)"
        )
        styled = page.evaluate(
            "getComputedStyle(document.querySelector('#causette-widget').shadowRoot.querySelector('.carousel'))"
            ".overflowX"
        )
        screenshot(page, "widget-strict-csp.png")
    assert styled == "auto", "the widget's stylesheet applies"
    assert violations == []


def test_rich_messages_fit_a_phone(phone: Visit, demo_server: ServerProcess) -> None:
    page = phone.page
    open_widget(page, demo_server.url)
    type_message(page, SCOOTERS)
    expect(carousel(page)).to_be_visible()
    type_message(page, "où êtes-vous ?")
    expect(panel(page).get_by_role("link", name="Voir sur la carte")).to_be_visible()
    screenshot(page, "widget-rich-phone.png")
    assert serious_violations(page, "widget-rich-phone") == []
