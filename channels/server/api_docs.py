"""The API's interactive documentation: Swagger UI from the package, started by an external script.

FastAPI's own docs page starts Swagger UI with an inline script, which the server's CSP forbids;
this page loads the same vendored Swagger UI and starts it from ``swagger-init.js``.
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

SWAGGER_ASSETS = "/swagger"  # Swagger UI's files, served from the package: the API docs work offline


def docs_page(title: str, openapi_url: str, assets: str) -> str:
    """The docs page's HTML; every address is escaped into an attribute."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{escape(assets)}/swagger-ui.css">
<link rel="icon" href="{escape(assets)}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{escape(assets)}/swagger-ui-bundle.js"></script>
<script src="{escape(assets)}/swagger-init.js" data-openapi-url="{escape(openapi_url)}"></script>
</body>
</html>
"""


def add_api_docs(app: FastAPI) -> None:
    """Serve ``/docs`` for ``app`` (whose ``openapi_url`` is set)."""

    @app.get("/docs", include_in_schema=False)
    async def api_docs(request: Request) -> HTMLResponse:
        """The API's interactive documentation (Swagger UI), working without internet access."""
        root = request.scope.get("root_path", "").rstrip("/")
        return HTMLResponse(docs_page(f"{app.title} API", f"{root}{app.openapi_url}", f"{root}{SWAGGER_ASSETS}"))


def describe_text_limit(app: FastAPI, max_text_chars: int) -> None:
    """Give the schema's message text the server's own ``max_text_chars`` as its maxLength."""
    build_schema = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build_schema()  # built once, then cached by FastAPI
        schema["components"]["schemas"]["MessageIn"]["properties"]["text"]["maxLength"] = max_text_chars
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema
