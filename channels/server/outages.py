"""What visitors and operators are told when the session store cannot be reached.

Visitors get a fixed sentence: the store's error names hosts, ports and keys, which are the
operator's business. The operator gets that error in the log.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse

log = logging.getLogger("causette.server")

STORE_UNAVAILABLE = "session store unavailable, try again in a moment"


def log_store_unavailable(error: Exception) -> None:
    """Tell the operator why a request could not reach the session store."""
    log.warning("session store unavailable: %s", error)


async def store_unavailable_response(request: Request, error: Exception) -> JSONResponse:
    """Exception handler: a 503 without the store's internal details."""
    log_store_unavailable(error)
    return JSONResponse({"detail": STORE_UNAVAILABLE}, status_code=503)


LOG_UNAVAILABLE = "conversation log unavailable, try again in a moment"


async def log_unavailable_response(request: Request, error: Exception) -> JSONResponse:
    """Exception handler: a 503 when the conversation log's database cannot answer an export,
    an erasure or the analytics (turns keep answering: their records wait in the log's buffer)."""
    log.warning("conversation log unavailable: %s (%s)", error, error.__cause__)
    return JSONResponse({"detail": LOG_UNAVAILABLE}, status_code=503)
