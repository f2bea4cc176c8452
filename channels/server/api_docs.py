"""The API's interactive documentation: Swagger UI from the package, started by an external script.

FastAPI's own docs page starts Swagger UI with an inline script, which the server's CSP forbids;
this page loads the same vendored Swagger UI and starts it from ``swagger-init.js``.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from html import escape
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

# causette_sdk.messages.has_visible_text's rule: a letter, a number, a punctuation mark or a symbol shows.
VISIBLE_CATEGORIES = "LNPS"
_CLASS_SPECIALS = frozenset("\\]-^[")

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


def describe_text_rules(app: FastAPI, max_text_chars: int) -> None:
    """Give the schema's message text the rules ``check_user_text`` applies: at most the server's
    ``max_text_chars``, and at least one visible character."""
    build_schema = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build_schema()  # built once, then cached by FastAPI
        text = schema["components"]["schemas"]["MessageIn"]["properties"]["text"]
        text.update(maxLength=max_text_chars, pattern=visible_character_pattern())
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema


@cache
def visible_character_pattern() -> str:
    """A regular expression class of every visible character, spelled out range by range.

    JSON Schema's regular expressions have no portable Unicode categories (``\\p{L}`` is not in
    Python's ``re``, which schema-driven test generators use): the class lists the characters
    themselves, so that every engine reads the rule the same way. Computed once (about 750 ranges).
    """
    ranges: list[tuple[int, int]] = []
    for code in range(0x110000):
        if unicodedata.category(chr(code))[0] in VISIBLE_CATEGORIES:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "[" + "".join(_literal(a) if a == b else f"{_literal(a)}-{_literal(b)}" for a, b in ranges) + "]"


def _literal(code: int) -> str:
    char = chr(code)
    return f"\\{char}" if char in _CLASS_SPECIALS else char
