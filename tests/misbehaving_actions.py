"""An action server that misbehaves on purpose, in its own process: ``python -m tests.misbehaving_actions --port P``.

``POST /mode {"mode": ...}`` chooses how the next action calls are answered; ``GET /calls`` counts
the calls received. Modes: ``ok`` (a valid response), ``slow`` (answers after 30 s), ``error``
(HTTP 500), ``bad_json``, ``schema`` (JSON outside the protocol), ``markup`` (valid, text holding
HTML), ``javascript_link`` (a button to a ``javascript:`` URL), ``huge_text`` (a 50,000-character
message), ``huge_body`` (a 1 MiB body).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

MARKUP = '<img src=x onerror="alert(1)"><b>gras</b><script>alert("x")</script>'


def create_app() -> FastAPI:
    app = FastAPI()
    state: dict[str, Any] = {"mode": "ok", "calls": 0}

    @app.post("/mode")
    async def set_mode(request: Request) -> dict[str, str]:
        state["mode"] = (await request.json())["mode"]
        return {"mode": state["mode"]}

    @app.get("/calls")
    async def calls() -> dict[str, int]:
        return {"calls": state["calls"]}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/actions")
    async def action(request: Request) -> Response:
        state["calls"] += 1
        called = (await request.json())["action"]
        mode = state["mode"]
        if mode == "slow":
            await asyncio.sleep(30)
        if mode == "error":
            return JSONResponse({"detail": "boom"}, status_code=500)
        if mode == "bad_json":
            return Response("{not json", media_type="application/json")
        if mode == "schema":
            return JSONResponse({"messages": [{"type": "video", "src": "x"}], "unknown": 1})
        if mode == "markup":
            return JSONResponse({"messages": [{"type": "text", "text": MARKUP}]})
        if mode == "javascript_link":
            button = {"label": "Cliquez", "url": "javascript:alert(1)"}
            return JSONResponse({"messages": [{"type": "buttons", "text": "Voir", "buttons": [button]}]})
        if mode == "huge_text":
            return JSONResponse({"messages": [{"type": "text", "text": "a" * 50_000}]})
        if mode == "huge_body":
            return Response(b'{"messages": [], "x": "' + b"a" * (1 << 20) + b'"}', media_type="application/json")
        return JSONResponse({"messages": [{"type": "text", "text": f"Action {called} : c'est fait."}]})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
