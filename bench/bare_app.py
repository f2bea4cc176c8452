"""The baseline for the REST benchmark: a bare FastAPI endpoint returning a constant."""

from fastapi import FastAPI
from pydantic import BaseModel


class _Message(BaseModel):
    text: str


def create_bare_app() -> FastAPI:
    """An app that validates the same body as Causette's endpoint and answers a constant."""
    app = FastAPI()

    @app.post("/api/v1/conversations/{session_id}/messages")
    async def constant(session_id: str, message: _Message) -> dict[str, object]:
        return {"session_id": session_id, "responses": ["ok"]}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
