"""Under Content-Security-Policy, in Chromium: the server's pages run with its strict policy, and the
widget runs on a host page whose own policy allows only what the README says it must."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.support import ServerProcess
from tests.web.browsing import Visit, bubbles, open_widget, type_message


class ShopPage:
    """A shop's page with its own CSP, served by a real HTTP server on localhost (Chromium lets
    only local pages reach a server on the loopback interface: Private Network Access)."""

    def __init__(self, body: str, policy: str) -> None:
        page = body.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", policy)
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.http.server_address[1]}/boutique"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@contextmanager
def shop_page(body: str, policy: str) -> Iterator[str]:
    """The address of a shop page serving ``body`` under ``policy``, while the block runs."""
    shop = ShopPage(body, policy)
    try:
        yield shop.url
    finally:
        shop.close()


def violations(page: Page) -> list[str]:
    """The CSP violations Chromium reports on the page's console, as they come."""
    seen: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    page.on("console", record)
    return seen


def host_page_policy(server_url: str) -> str:
    """The README's minimal policy for a page embedding the widget served at ``server_url``."""
    socket = f"ws://{urlsplit(server_url).netloc}"
    return f"default-src 'none'; script-src {server_url}; style-src {server_url}; connect-src {socket}; img-src data:"


def test_the_demo_page_and_the_widget_run_under_the_servers_policy(desktop: Visit, server: ServerProcess) -> None:
    refused = violations(desktop.page)
    open_widget(desktop.page, server.url)
    type_message(desktop.page, "Bonjour")
    expect(bubbles(desktop.page, "bot").last).to_contain_text("Que puis-je faire pour vous ?")
    assert refused == []


def test_the_api_docs_render_under_the_servers_policy(desktop: Visit, server: ServerProcess) -> None:
    refused = violations(desktop.page)
    desktop.page.goto(f"{server.url}/docs")
    expect(desktop.page.locator(".swagger-ui .info .title")).to_contain_text("Causette")
    expect(desktop.page.locator(".opblock-summary-path").first).to_be_visible()
    assert refused == []


def widget_page(server: ServerProcess) -> str:
    return f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Boutique</title></head>
<body><h1>Boutique</h1>
<script src="{server.url}/widget/causette-widget.js" defer data-title="Causette Scooters"></script>
</body></html>"""


def test_the_widget_embeds_on_a_host_page_with_its_own_strict_policy(desktop: Visit, server: ServerProcess) -> None:
    refused = violations(desktop.page)
    with shop_page(widget_page(server), host_page_policy(server.url)) as url:
        open_widget(desktop.page, url)
        type_message(desktop.page, "Bonjour")
        expect(bubbles(desktop.page, "bot").last).to_contain_text("Que puis-je faire pour vous ?")
    assert refused == []


def test_a_host_page_policy_without_the_socket_blocks_the_widget(desktop: Visit, server: ServerProcess) -> None:
    # The check above can fail: the same page, its policy without the socket's connect-src, reports one.
    policy = host_page_policy(server.url).replace(
        f"connect-src ws://{urlsplit(server.url).netloc}", "connect-src 'self'"
    )
    with (
        shop_page(widget_page(server), policy) as url,
        desktop.page.expect_console_message(lambda message: "connect-src" in message.text) as refused,
    ):
        desktop.page.goto(url)
        desktop.page.locator(".launcher").click()
    assert "Content Security Policy" in refused.value.text
