"""405 answers that list every method of the path: Starlette's name only the first route's.

The API has several routes on one path (``GET`` and ``DELETE /api/v1/conversations/{id}``); a
client (or a schema checker) sending another method must be told all of them in ``Allow``. The
methods are read from the app's OpenAPI schema, the API's own description of its paths.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import compile_path


async def method_not_allowed(request: Request, error: Exception) -> JSONResponse:
    """Exception handler for 405: ``Allow`` names the methods of every documented route of the path."""
    headers = dict(getattr(error, "headers", None) or {})
    allowed = {
        method.upper()
        for template, operations in request.app.openapi()["paths"].items()
        if compile_path(template)[0].match(request.url.path)
        for method in operations
    }
    if allowed:
        headers["Allow"] = ", ".join(sorted(allowed | ({"HEAD"} if "GET" in allowed else set())))
    detail = error.detail if isinstance(error, HTTPException) else "Method Not Allowed"
    return JSONResponse({"detail": detail}, status_code=405, headers=headers)
