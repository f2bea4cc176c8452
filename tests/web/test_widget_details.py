"""The widget's finish, in headless Chromium: links and French typography in bot texts, the greeting,
the focus ring (also in forced colours), sending offline, the character counter, the privacy notice,
and axe-core's accessibility report on the widget and the demo page."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import FloatRect, Locator, Page, expect
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from channels import Settings, create_app
from tests.support import ServerProcess
from tests.web.browsing import (
    ARTIFACTS,
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
from tests.web.support import ThreadedServer

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
NNBSP = "\u202f"  # narrow no-break space
NBSP = "\u00a0"
GREETING = f"Bonjour{NNBSP}! Horaires, tarifs, location{NBSP}: posez-moi votre question."


@contextmanager
def shop_site(server_url: str, **data: str) -> Iterator[str]:
    """The address of another site's page (on localhost, which the test server allows) that embeds
    the widget with the ``data-*`` attributes ``data``."""
    attributes = " ".join(f'data-{name.replace("_", "-")}="{value}"' for name, value in data.items())
    html = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Boutique</title></head>'
        "<body><main><h1>Boutique</h1></main>"
        f'<script src="{server_url}/widget/causette-widget.js" data-title="Causette Scooters" {attributes}>'
        "</script></body></html>"
    )
    shop = Starlette(routes=[Route("/", lambda request: HTMLResponse(html))])
    with ThreadedServer(shop) as site:
        yield f"http://localhost:{site.port}/"


def serious_violations(page: Page, name: str) -> list[str]:
    """axe-core's serious and critical violations on the page (its full report goes to test-artifacts/)."""
    # Evaluated through the DevTools protocol: a <script> tag of it would be refused by the page's CSP.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(report["violations"], indent=1, ensure_ascii=False))
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in report["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


# Links and typography


def test_phone_numbers_and_e_mail_addresses_in_bot_texts_are_links(desktop: Visit, demo_server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, demo_server.url)
    type_message(page, "je voudrais parler à un conseiller")
    answer = bubbles(page, "bot").nth(1)
    expect(answer).to_contain_text("contact@causette-scooters.fr")
    expect(answer.get_by_role("link", name="01 06 07 08 09")).to_have_attribute("href", "tel:+33106070809")
    expect(answer.get_by_role("link", name="contact@causette-scooters.fr")).to_have_attribute(
        "href", "mailto:contact@causette-scooters.fr"
    )
    assert answer.get_by_role("link", name="01 06 07 08 09").text_content() == NBSP.join(["01", "06", "07", "08", "09"])

    type_message(page, "louer un scooter")
    page.get_by_role("button", name="Plus tard").click()
    web = bubbles(page, "bot").nth(3).get_by_role("link", name="www.causette-scooters.fr")
    expect(web).to_have_attribute("href", "https://www.causette-scooters.fr/")
    expect(web).to_have_attribute("target", "_blank")
    expect(web).to_have_attribute("rel", "noopener noreferrer")
    expect(web).to_have_accessible_description("s’ouvre dans un nouvel onglet")
    screenshot(page, "widget-links.png")


def test_typography_spares_addresses_and_times_and_links_have_safe_hrefs(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    greeting = (
        "Ouvert dès 10:30 ; écrivez à l'équipe: equipe@shop.example, voyez https://shop.example/aide?x=1:2. "
        "Appelez le +33 1 06 07 08 09 ou le 06.12.34.56.78 (commande 20240612345678). "
        "Javascript:alert(1) ou <a href='javascript:alert(1)'>ici</a> ne sont pas des liens !"
    )
    with shop_site(server.url, greeting=greeting) as shop:
        page.goto(shop)
        launcher(page).click()
    shown = bubbles(page, "bot").first
    assert shown.text_content() == (
        f"Ouvert dès 10:30{NNBSP}; écrivez à l’équipe{NBSP}: equipe@shop.example, "
        "voyez https://shop.example/aide?x=1:2. "
        f"Appelez le +33{NBSP}1{NBSP}06{NBSP}07{NBSP}08{NBSP}09 ou le 06.12.34.56.78 (commande 20240612345678). "
        f"Javascript:alert(1) ou <a href='javascript:alert(1)'>ici</a> ne sont pas des liens{NNBSP}!"
    )
    links = shown.get_by_role("link")
    expect(links).to_have_count(4)
    expect(links.nth(0)).to_have_attribute("href", "mailto:equipe@shop.example")
    expect(links.nth(1)).to_have_attribute("href", "https://shop.example/aide?x=1:2")
    expect(links.nth(1)).to_have_text("https://shop.example/aide?x=1:2")
    expect(links.nth(2)).to_have_attribute("href", "tel:+33106070809")
    expect(links.nth(3)).to_have_attribute("href", "tel:+33612345678")
    assert desktop.dialogs == []


def test_bot_texts_and_quick_replies_are_shown_with_french_typography(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, server.url)
    expect(bubbles(page, "bot")).to_have_count(1)
    assert bubbles(page, "bot").first.text_content() == GREETING

    type_message(page, "je voudrais louer un scooter")
    expect(bubbles(page, "bot")).to_have_count(2)
    assert (
        bubbles(page, "bot").nth(1).text_content() == f"Souhaitez-vous louer pour aujourd’hui ou pour plus tard{NNBSP}?"
    )
    quick_reply = page.get_by_role("group", name="Réponses suggérées").get_by_role("button").first
    assert quick_reply.text_content() == "Aujourd’hui"
    quick_reply.click()
    expect(bubbles(page, "user")).to_have_text(["je voudrais louer un scooter", "Aujourd'hui"])  # as sent
    expect(bubbles(page, "bot")).to_have_count(3)


# The greeting


def test_the_greeting_is_the_first_bot_message_of_the_conversation(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, server.url)
    log = page.get_by_role("log")
    first = log.locator(".message").first
    expect(first).to_have_class("message bot greeting")
    expect(first).to_have_text(f"Causette Scooters : {GREETING}")
    type_message(page, "bonjour")
    expect(bubbles(page, "bot")).to_have_count(2)
    page.reload()
    expect(status(page)).to_have_text("Connecté")
    expect(log.locator(".message").first).to_have_text(f"Causette Scooters : {GREETING}")
    expect(bubbles(page, "bot")).to_have_count(2)


# The focus ring


def luminance(pixels: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB pixels."""
    channels = pixels[..., :3] / 255.0
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    weighted: np.ndarray = linear @ np.array([0.2126, 0.7152, 0.0722])
    return weighted


def surroundings(page: Page, box: FloatRect, margin: float = 10) -> np.ndarray:
    """The pixels of ``box`` and ``margin`` around it, as RGB floats."""
    png = page.screenshot(
        clip={
            "x": box["x"] - margin,
            "y": box["y"] - margin,
            "width": box["width"] + 2 * margin,
            "height": box["height"] + 2 * margin,
        }
    )
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float64)


def ring_area(page: Page, target: Locator) -> tuple[int, float]:
    """(pixels around ``target`` that change by at least 3:1 when it takes keyboard focus, the area
    of a 2 px thick perimeter of ``target``): WCAG 2.4.13's measure of a focus indicator."""
    page.evaluate(
        """() => { let node = document.activeElement;
        while (node && node.shadowRoot && node.shadowRoot.activeElement) node = node.shadowRoot.activeElement;
        if (node) node.blur(); }"""
    )
    box = target.bounding_box()
    assert box is not None
    before = surroundings(page, box)
    page.keyboard.press("Shift")  # keyboard use: focus() below shows the keyboard focus ring
    target.focus()
    after = surroundings(page, box)
    lighter = np.maximum(luminance(before), luminance(after))
    darker = np.minimum(luminance(before), luminance(after))
    changed = int(((lighter + 0.05) / (darker + 0.05) >= 3).sum())
    return changed, 2 * 2 * (box["width"] + box["height"])


def focus_targets(page: Page) -> dict[str, Locator]:
    """Every kind of focusable part of the open widget, with a conversation on show."""
    type_message(page, "je voudrais louer un scooter")
    expect(page.get_by_role("button", name="Plus tard")).to_be_visible()
    type_message(page, "pour aujourd'hui")
    expect(bubbles(page, "bot")).to_have_count(3)
    type_message(page, "louer un scooter")
    message_box(page).fill("une question")
    return {
        "launcher": launcher(page),
        "close": panel(page).get_by_role("button", name="Fermer la discussion"),
        "message box": message_box(page),
        "send": page.get_by_role("button", name="Envoyer"),
        "phone link": bubbles(page, "bot").nth(2).get_by_role("link"),
        "privacy link": page.get_by_role("link", name="Confidentialité"),
        "quick reply": page.get_by_role("button", name="Plus tard"),
    }


@pytest.mark.parametrize("forced_colors", ["none", "active"])
def test_every_focusable_part_shows_a_focus_ring_of_3_to_1_contrast(
    desktop: Visit, server: ServerProcess, forced_colors: str
) -> None:
    page = desktop.page
    page.emulate_media(forced_colors=forced_colors)  # type: ignore[arg-type]
    open_widget(page, server.url)
    targets = focus_targets(page)
    too_faint = {}
    for name, target in targets.items():
        changed, needed = ring_area(page, target)
        if changed < needed:
            too_faint[name] = (changed, needed)
    screenshot(page, f"widget-focus-forced-colors-{forced_colors}.png")
    assert too_faint == {}, "focus ring pixels at 3:1 against the unfocused state, and the area needed"


# Sending offline


def test_sending_while_offline_explains_why_and_keeps_the_message(
    desktop: Visit, scooter_bot: Path, scooter_model_dir: Path
) -> None:
    page = desktop.page
    page.context.clock.install()  # lets the test skip the reconnect backoff instead of waiting it out
    notice = page.locator("#causette-widget").get_by_text("partiront dès son retour")
    settings = Settings(model_dir=scooter_model_dir)
    with ThreadedServer(create_app(scooter_bot, settings)) as server:
        open_widget(page, server.url)
        expect(notice).to_be_hidden()
    message_box(page).fill("je voudrais louer un scooter")
    expect(notice).to_have_text(
        "Le service ne répond plus, reconnexion en cours : vos messages partiront dès son retour."
    )
    message_box(page).press("Enter")  # the message waits in the outbox, shown as pending
    expect(message_box(page)).to_have_value("")
    expect(bubbles(page, "user")).to_have_text(["je voudrais louer un scooter"])
    expect(page.locator("#causette-widget .pending-note")).to_have_text("En attente d’envoi")

    page.context.set_offline(True)
    expect(notice).to_have_text("Pas de connexion Internet : vos messages partiront dès son retour.")
    expect(status(page)).to_have_text("Hors ligne")
    screenshot(page, "widget-offline.png")
    assert serious_violations(page, "widget-offline") == []

    page.context.set_offline(False)
    with ThreadedServer(create_app(scooter_bot, settings), port=server.port):
        page.clock.fast_forward(60_000)
        expect(status(page)).to_have_text("Connecté")
        expect(notice).to_be_hidden()  # the outbox is sent on reconnecting, nothing to press
        expect(bubbles(page, "user")).to_have_text(["je voudrais louer un scooter"])
        expect(bubbles(page, "bot").nth(1)).to_contain_text("plus tard")


# The character counter


def test_a_counter_shows_near_the_servers_limit_and_a_long_message_is_not_cut(
    desktop: Visit, scooter_bot: Path, scooter_model_dir: Path
) -> None:
    page = desktop.page
    counter = page.locator("#causette-widget").locator("#cw-counter")
    send = page.get_by_role("button", name="Envoyer")
    with ThreadedServer(create_app(scooter_bot, Settings(model_dir=scooter_model_dir, max_text_chars=40))) as server:
        open_widget(page, server.url)
        message_box(page).fill("bonjour " * 4)  # 32 characters of 40
        expect(counter).to_be_hidden()
        message_box(page).fill("é" * 37)
        expect(counter).to_have_text("Encore 3 caractères possibles.")
        too_long = "bonjour, " * 5  # 45 characters
        message_box(page).fill(too_long)
        expect(counter).to_have_text("5 caractères de trop (limite : 40 caractères), raccourcissez votre message.")
        expect(send).to_be_disabled()
        screenshot(page, "widget-counter.png")
        assert serious_violations(page, "widget-counter") == []
        message_box(page).press("Enter")
        expect(message_box(page)).to_have_value(too_long)  # all of it: nothing cut, nothing sent
        expect(bubbles(page, "user")).to_have_count(0)

        message_box(page).fill(too_long[:40])
        expect(counter).to_have_text("Limite atteinte : 40 caractères.")
        expect(send).to_be_enabled()
        message_box(page).press("Enter")
        expect(bubbles(page, "user")).to_have_text([too_long[:40]])
        expect(counter).to_be_hidden()


def test_the_counter_counts_characters_not_utf16_units_against_the_default_limit(
    desktop: Visit, server: ServerProcess
) -> None:
    page = desktop.page
    open_widget(page, server.url)
    counter = page.locator("#causette-widget").locator("#cw-counter")
    message_box(page).fill("🛵" * 950)  # one character each, two UTF-16 units
    expect(counter).to_have_text("Encore 50 caractères possibles.")
    message_box(page).fill("a" * 1200)
    expect(message_box(page)).to_have_value("a" * 1200)
    expect(counter).to_have_text(
        f"200 caractères de trop (limite : 1{NNBSP}000 caractères), raccourcissez votre message."
    )


# The privacy notice


def test_the_privacy_notice_links_to_the_page_the_site_sets(desktop: Visit, server: ServerProcess) -> None:
    page = desktop.page
    open_widget(page, server.url)
    expect(panel(page)).to_contain_text("Vos messages sont enregistrés pour vous répondre. Confidentialité")
    link = panel(page).get_by_role("link", name="Confidentialité")
    expect(link).to_have_attribute("href", f"{server.url}/demo/confidentialite.html")
    with page.context.expect_page() as opened:
        link.click()
    privacy = opened.value
    expect(privacy.get_by_role("heading", level=1)).to_have_text("Confidentialité de la discussion")
    privacy.close()


@pytest.mark.parametrize("privacy_url", ["", "javascript:alert(1)"])
def test_without_a_safe_privacy_page_the_notice_has_no_link(
    desktop: Visit, server: ServerProcess, privacy_url: str
) -> None:
    page = desktop.page
    with shop_site(server.url, privacy_url=privacy_url) as shop:
        page.goto(shop)
        launcher(page).click()
    expect(panel(page)).to_contain_text("Vos messages sont enregistrés pour vous répondre.")
    expect(panel(page).get_by_role("link")).to_have_count(0)


# axe-core


def test_axe_finds_no_serious_violation_on_the_demo_page_and_the_open_widget(
    desktop: Visit, demo_server: ServerProcess
) -> None:
    page = desktop.page
    page.goto(demo_server.url)
    assert serious_violations(page, "demo-page") == []
    launcher(page).click()
    expect(status(page)).to_have_text("Connecté")
    type_message(page, "je voudrais parler à un conseiller")
    expect(bubbles(page, "bot")).to_have_count(2)
    type_message(page, "bonjour")
    expect(page.get_by_role("button", name="Louer un scooter")).to_be_visible()
    screenshot(page, "demo-widget-open.png")
    assert serious_violations(page, "demo-widget-open") == []


def test_axe_finds_no_serious_violation_on_a_phone(phone: Visit, demo_server: ServerProcess) -> None:
    page = phone.page
    open_widget(page, demo_server.url)
    type_message(page, "bonjour")
    expect(page.get_by_role("button", name="Louer un scooter")).to_be_visible()
    screenshot(page, "demo-widget-phone.png")
    assert serious_violations(page, "demo-widget-phone") == []
