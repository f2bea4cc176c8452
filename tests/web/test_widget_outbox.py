"""The widget's outbox in headless Chromium: a message sent while the server is down waits in
localStorage, survives a page reload, and is sent once when the server is back."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Page, WebSocket, expect

from channels import Settings, create_app
from tests.support import RedisServer
from tests.web.browsing import Visit, bubbles, message_box, open_widget, status
from tests.web.support import ThreadedServer

TEXT = "je voudrais louer un scooter"


def frames_sent(page: Page) -> list[dict[str, object]]:
    """Every frame the page sends on any of its WebSockets, decoded (a live list)."""
    sent: list[dict[str, object]] = []

    def watch(socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: sent.append(json.loads(payload)))

    page.on("websocket", watch)
    return sent


def test_a_message_sent_while_the_server_is_down_is_sent_once_after_a_reload(
    desktop: Visit, scooter_bot: Path, scooter_model_dir: Path, redis_server: RedisServer
) -> None:
    page = desktop.page
    page.context.clock.install()  # the reconnect waits for the test, not for its backoff
    sent = frames_sent(page)
    settings = Settings(model_dir=scooter_model_dir, redis_url=redis_server.url, redis_prefix=uuid.uuid4().hex)
    with ThreadedServer(create_app(scooter_bot, settings)) as server:
        open_widget(page, server.url)
    expect(status(page)).to_have_text("Reconnexion…")
    message_box(page).fill(TEXT)
    message_box(page).press("Enter")
    expect(bubbles(page, "user")).to_have_text([TEXT])
    expect(page.locator("#causette-widget .pending-note")).to_have_text("En attente d’envoi")
    outbox = page.evaluate("localStorage.getItem('causette.outbox.' + location.origin)")
    assert [entry["text"] for entry in json.loads(outbox)] == [TEXT]

    with ThreadedServer(create_app(scooter_bot, settings), port=server.port):  # the server is back
        page.reload()  # before the widget reconnected: the message lives only in the outbox now
        expect(status(page)).to_have_text("Connecté")
        expect(bubbles(page, "bot").nth(1)).to_contain_text("plus tard")  # the answer to the rental
        page.clock.fast_forward(60_000)  # later reconnects and pings send nothing more
        expect(page.locator("#causette-widget .pending-note")).to_have_count(0)
        session_id, token = page.evaluate(
            "[localStorage.getItem('causette.session.' + location.origin),"
            " localStorage.getItem('causette.token.' + location.origin)]"
        )
        history = httpx.get(
            f"{server.url}/api/v1/conversations/{session_id}", headers={"X-Conversation-Token": token}
        ).json()["history"]
    messages = [frame for frame in sent if frame["type"] == "message"]
    assert [frame["text"] for frame in messages] == [TEXT]  # sent once, after the reload
    assert [m["text"] for m in history if m["role"] == "user"] == [TEXT]
    assert page.evaluate("localStorage.getItem('causette.outbox.' + location.origin)") is None
