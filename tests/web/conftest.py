"""A small scooter-shop bot, served once for the web channel tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from nlu import load_bot, load_or_train
from tests.support import ServerProcess
from tests.web.browsing import CHROMIUM_ARGS, DESKTOP, PHONE, Visit, chromium_executable, visit

LOCATION_QUESTION = "Souhaitez-vous louer pour aujourd'hui ou pour plus tard ?"
TODAY_ANSWER = "Pour les locations du jour, merci d'appeler le 01 06 07 08 09"
LATER_ANSWER = "Vous pouvez réserver en ligne pour une date ultérieure."
MARKUP_ANSWER = "Voici une balise : <script>alert(1)</script> <b>gras</b>"
FALLBACK = "Désolé, je n'ai pas compris."
SHOP_ORIGIN = "https://shop.example"

BOT_TOML = f"""name = "Scooters de test"
threshold = 0.25
context_lifespan = 2
fallback_responses = ["{FALLBACK}"]
"""

INTENTS = {
    "intents": [
        {
            "tag": "salutation",
            "patterns": [
                "Bonjour",
                "Salut",
                "Bonsoir",
                "Coucou",
                "Hello",
                "bonjour à vous",
                "salut, ça va ?",
                "bonjour, j'ai une question",
            ],
            "responses": ["Bonjour ! Que puis-je faire pour vous ?"],
            "quick_replies": ["Horaires", "Louer un scooter"],
        },
        {
            "tag": "horaires",
            "patterns": [
                "Vous ouvrez à quelle heure ?",
                "Quels sont vos horaires d'ouverture ?",
                "Quand êtes-vous ouvert ?",
                "horaires",
                "à quelle heure ouvrez-vous",
                "vous fermez à quelle heure ?",
                "c'est ouvert le dimanche ?",
            ],
            "responses": ["On est ouvert tous les jours de 9h du matin à 19h"],
        },
        {
            "tag": "location",
            "patterns": [
                "Peut-on louer un scooter ?",
                "J'aimerais louer un scooter",
                "je voudrais louer un scooter",
                "louer un scooter",
                "je veux louer un scooter",
                "est-ce que je peux louer un scooter ?",
                "location de scooter",
                "comment louer un scooter ?",
            ],
            "responses": [LOCATION_QUESTION],
            "context_set": "jourlocation",
            "quick_replies": ["Aujourd'hui", "Plus tard"],
        },
        {
            "tag": "aujourd'hui",
            "patterns": [
                "aujourd'hui",
                "pour aujourd'hui",
                "maintenant",
                "tout de suite",
                "ce matin",
                "cet après-midi",
                "le jour même",
            ],
            "responses": [TODAY_ANSWER],
            "context_filter": "jourlocation",
        },
        {
            "tag": "plus_tard",
            "patterns": [
                "plus tard",
                "pour plus tard",
                "demain",
                "la semaine prochaine",
                "ce week-end",
                "pas aujourd'hui",
                "dans quelques jours",
            ],
            "responses": [LATER_ANSWER],
            "context_filter": "jourlocation",
        },
        {
            "tag": "balise",
            "patterns": ["montre-moi une balise", "affiche une balise script", "test de balise html", "balise"],
            "responses": [MARKUP_ANSWER],
        },
    ]
}


@pytest.fixture(scope="session")
def scooter_bot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test bot folder (seed JSON format): the seed's scooter conversation, quick replies, markup."""
    folder = tmp_path_factory.mktemp("scooter-bot")
    (folder / "bot.toml").write_text(BOT_TOML, encoding="utf-8")
    (folder / "intents.json").write_text(json.dumps(INTENTS, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def scooter_model_dir(scooter_bot: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test bot, trained once for the whole run."""
    folder = tmp_path_factory.mktemp("scooter-model")
    load_or_train(load_bot(scooter_bot), folder)
    return folder


@pytest.fixture(scope="session")
def server(scooter_bot: Path, scooter_model_dir: Path) -> Iterator[ServerProcess]:
    """The test bot behind a real server, which also lets pages from SHOP_ORIGIN connect."""
    process = ServerProcess(
        scooter_bot, scooter_model_dir, env={"CAUSETTE_ALLOWED_ORIGINS": f"{SHOP_ORIGIN},http://localhost:*"}
    )
    yield process
    process.stop()


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread,
# and the asyncio tests of the other modules need it gone.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium, driven by Playwright (which downloads no browser of its own)."""
    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Visit]:
    """A desktop-sized page in a fresh profile."""
    yield from visit(browser, DESKTOP)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Visit]:
    """A phone-sized page in a fresh profile."""
    yield from visit(browser, PHONE)
