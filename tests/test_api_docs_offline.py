"""The API docs render in a browser that cannot reach the internet: Swagger UI comes from the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Route, expect, sync_playwright

from channels import Settings, create_app
from tests.support import MINI_BOT
from tests.web.browsing import CHROMIUM_ARGS, chromium_executable
from tests.web.support import ThreadedServer

pytestmark = pytest.mark.e2e


def test_the_docs_render_without_internet(mini_model_dir: Path) -> None:
    executable = chromium_executable()
    refused: list[str] = []
    with ThreadedServer(create_app(MINI_BOT, Settings(model_dir=mini_model_dir))) as server, sync_playwright() as pw:

        def offline(route: Route) -> None:
            if route.request.url.startswith(server.url):
                route.continue_()
            else:  # what a machine without internet access would not get
                refused.append(route.request.url)
                route.abort()

        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(60_000)  # a guard against hanging, not a timing assertion
            page.route("**/*", offline)
            page.goto(f"{server.url}/docs")
            operation = page.locator(".opblock-summary-path", has_text="/api/v1/conversations/{session_id}/messages")
            expect(operation).to_be_visible()
        finally:
            browser.close()
    assert refused == []
